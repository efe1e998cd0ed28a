"""Tables for sponsors and accountability: who sponsors whom, the attendance watch, talk requests."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import BigInteger, Index
from sqlmodel import Field, SQLModel

from storage.crypto import EncryptedText
from storage.types import utc_field


class LinkState(StrEnum):
    """``SponsorLink.state`` (stored as these strings): proposed → active → ended, or declined."""

    PROPOSED = "proposed"
    ACTIVE = "active"
    ENDED = "ended"
    DECLINED = "declined"


class TalkState(StrEnum):
    """``TalkRequest.state`` (stored as these strings): waiting → accepted → ended."""

    WAITING = "waiting"
    ACCEPTED = "accepted"
    ENDED = "ended"


class SponsorSettings(SQLModel, table=True):
    """A centre's choices for sponsors and missed check-ins; a centre without a row uses the defaults."""

    center_id: int = Field(foreign_key="center.id", primary_key=True, sa_column_kwargs={"autoincrement": False})
    min_sponsor_days: int = 90
    max_mentees: int = 5
    sponsor_after_missed: int = 2
    counsellor_after_missed: int = 4
    summary_weekday: int = 6  # 0 Monday … 6 Sunday
    quiet_start: str = Field(default="22:00", max_length=5)
    quiet_end: str = Field(default="07:00", max_length=5)
    talk_wait_minutes: int = 30
    updated_at: datetime = utc_field()


class Sponsor(SQLModel, table=True):
    """Someone who mentors: a member further along in recovery, or a centre volunteer.

    A member sponsor is shown by their member pseudonym; a volunteer gets a pseudonym of
    their own. ``name`` (a volunteer's real name) is for staff only.
    """

    id: int | None = Field(default=None, primary_key=True)
    center_id: int = Field(foreign_key="center.id", index=True)
    kind: str = Field(default="member", max_length=20)  # member | volunteer
    member_id: int | None = Field(default=None, foreign_key="member.id", unique=True)
    pseudonym: str | None = Field(default=None, max_length=40)
    name: str | None = Field(default=None, sa_type=EncryptedText)  # encrypted at rest
    # BigInteger: Telegram ids no longer fit in 32 bits (PostgreSQL's INTEGER).
    telegram_user_id: int | None = Field(default=None, unique=True, sa_type=BigInteger)
    chat_id: int | None = Field(default=None, sa_type=BigInteger)
    language: str = Field(default="en", max_length=5)
    link_code: str | None = Field(default=None, unique=True, max_length=64)
    active: bool = True
    next_summary_at: datetime | None = utc_field(default=None, index=True)
    created_at: datetime = utc_field()


class SponsorLink(SQLModel, table=True):
    """A sponsor and one mentee: proposed → active (the mentee agreed) → ended, or declined."""

    __table_args__ = (Index("ix_sponsorlink_mentee_state", "mentee_id", "state"),)

    id: int | None = Field(default=None, primary_key=True)
    center_id: int = Field(foreign_key="center.id")
    sponsor_id: int = Field(foreign_key="sponsor.id", index=True)
    mentee_id: int = Field(foreign_key="member.id")
    state: str = Field(default=LinkState.PROPOSED, max_length=20)  # a LinkState
    proposed_by: int | None = Field(default=None, foreign_key="staff.id")
    created_at: datetime = utc_field()
    accepted_at: datetime | None = utc_field(default=None)
    ended_at: datetime | None = utc_field(default=None)
    ended_by: str | None = Field(default=None, max_length=20)  # mentee | sponsor | staff
    # Swapping contacts is two-sided: each side's username is kept only once they opted in,
    # shown to the other only when both did, and forgotten when the link ends.
    mentee_swap_at: datetime | None = utc_field(default=None)
    sponsor_swap_at: datetime | None = utc_field(default=None)
    # Encrypted at rest (storage/crypto.py).
    mentee_username: str | None = Field(default=None, sa_type=EncryptedText)
    sponsor_username: str | None = Field(default=None, sa_type=EncryptedText)
    # When each side last wrote in the relayed thread: a live conversation is not held for the morning.
    mentee_last_at: datetime | None = utc_field(default=None)
    sponsor_last_at: datetime | None = utc_field(default=None)


class AttendanceWatch(SQLModel, table=True):
    """Per member: when to look at their calendar next, and who was told about the current gap."""

    member_id: int = Field(foreign_key="member.id", primary_key=True, sa_column_kwargs={"autoincrement": False})
    next_scan_at: datetime = utc_field(index=True)
    gap_start: date | None = None
    gap_missed: int = 0
    sponsor_notified_at: datetime | None = utc_field(default=None)
    sponsor_link_id: int | None = Field(default=None, foreign_key="sponsorlink.id")
    counsellor_notified_at: datetime | None = utc_field(default=None)
    dropout_notified_at: datetime | None = utc_field(default=None)
    rate_notified_on: date | None = None
    unreachable_notified_at: datetime | None = utc_field(default=None)


class TalkRequest(SQLModel, table=True):
    """ "I need to talk": waiting → accepted (a relayed chat is open) → ended.

    A sponsor who does not answer within the centre's wait has the request offered to the
    counsellor as well (``counsellor_offered_at``).
    """

    __table_args__ = (Index("ix_talkrequest_wait", "state", "respond_by"),)

    id: int | None = Field(default=None, primary_key=True)
    member_id: int = Field(foreign_key="member.id", index=True)
    center_id: int = Field(foreign_key="center.id")
    target: str = Field(max_length=20)  # sponsor | counsellor
    link_id: int | None = Field(default=None, foreign_key="sponsorlink.id")
    state: str = Field(default=TalkState.WAITING, max_length=20)  # a TalkState
    ping_due_at: datetime = utc_field()
    respond_by: datetime | None = utc_field(default=None)
    counsellor_offered_at: datetime | None = utc_field(default=None)
    accepted_at: datetime | None = utc_field(default=None)
    accepted_by: str | None = Field(default=None, max_length=20)  # sponsor | staff
    staff_id: int | None = Field(default=None, foreign_key="staff.id")
    suggested_counsellor: bool = False
    ended_at: datetime | None = utc_field(default=None)
    created_at: datetime = utc_field()
