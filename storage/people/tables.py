"""People's tables: centres, staff, members, the pauses members chose, invite codes, consent."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import BigInteger, Index, UniqueConstraint
from sqlalchemy import false as sa_false
from sqlmodel import Field, SQLModel

from storage.crypto import EncryptedText
from storage.types import utc_field


class MemberStatus(StrEnum):
    """``Member.status`` (stored as these strings): onboarding → active ⇄ paused; unreachable when
    they blocked the bot; left when they quit or asked to be forgotten."""

    ONBOARDING = "onboarding"
    ACTIVE = "active"
    PAUSED = "paused"
    UNREACHABLE = "unreachable"
    LEFT = "left"


class Center(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(unique=True, max_length=120)
    timezone: str = Field(max_length=64)
    helpline: str | None = Field(default=None, max_length=500)
    # Minutes a counsellor has to acknowledge an alert before it goes further.
    ack_urgent_minutes: int = Field(default=10, sa_column_kwargs={"server_default": "10"})
    ack_concern_minutes: int = Field(default=240, sa_column_kwargs={"server_default": "240"})
    # Retention: circle message bodies and check-in notes are purged after these many days.
    retention_circle_days: int = Field(default=30, sa_column_kwargs={"server_default": "30"})
    retention_note_days: int = Field(default=180, sa_column_kwargs={"server_default": "180"})
    # ... resolved escalations (with their events) this many days after resolution, craving logs and
    # audit entries this many days after they were written
    retention_escalation_days: int = Field(default=730, sa_column_kwargs={"server_default": "730"})
    retention_craving_days: int = Field(default=365, sa_column_kwargs={"server_default": "365"})
    retention_audit_days: int = Field(default=730, sa_column_kwargs={"server_default": "730"})
    # Scheduled check-ins and reminders may go out as Telegram paid broadcasts (above the free
    # ~30/s, up to 1,000/s, at 0.1 Stars a message). Off unless the centre turns it on.
    allow_paid_broadcast: bool = Field(default=False, sa_column_kwargs={"server_default": sa_false()})
    # The web console: counsellors see only the members assigned to them (admins see everyone).
    console_own_members_only: bool = Field(default=False, sa_column_kwargs={"server_default": sa_false()})
    created_at: datetime = utc_field()


class Staff(SQLModel, table=True):
    """Counsellors and admins. Staff are not anonymous: they treat members."""

    id: int | None = Field(default=None, primary_key=True)
    center_id: int = Field(foreign_key="center.id", index=True)
    name: str = Field(max_length=120)
    role: str = Field(default="counsellor", max_length=20)
    is_backup: bool = False
    telegram_user_id: int | None = Field(default=None, unique=True, sa_type=BigInteger)
    chat_id: int | None = Field(default=None, sa_type=BigInteger)
    language: str = Field(default="en", max_length=5)
    link_code: str | None = Field(default=None, unique=True, max_length=64)
    active: bool = True
    # False once Telegram answered 403 (they blocked the bot); alerts skip to the next person.
    reachable: bool = True
    created_at: datetime = utc_field()


class Member(SQLModel, table=True):
    __table_args__ = (
        UniqueConstraint("center_id", "pseudonym"),
        Index("ix_member_due", "status", "next_checkin_due_at"),
        Index("ix_member_craving_due", "status", "next_craving_prompt_at"),
        Index("ix_member_paused", "status", "paused_until"),
        Index("ix_member_status_id", "status", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    center_id: int = Field(foreign_key="center.id", index=True)
    counsellor_id: int | None = Field(default=None, foreign_key="staff.id")
    # Telegram ids need more than 32 bits.
    telegram_user_id: int = Field(unique=True, sa_type=BigInteger)
    chat_id: int = Field(sa_type=BigInteger)
    # Encrypted at rest (storage/crypto.py), like every member-written text below.
    display_name: str | None = Field(default=None, sa_type=EncryptedText)
    pseudonym: str = Field(max_length=40)
    language: str = Field(default="en", max_length=5)
    timezone: str = Field(max_length=64)
    checkin_time: str = Field(default="20:00", max_length=5)
    sobriety_start: date | None = None
    last_use_date: date | None = None
    # Sober days at the last check-in, so a milestone is celebrated exactly once.
    sober_days_seen: int | None = None
    # onboarding → active ⇄ paused; unreachable when they blocked the bot; left when they quit.
    status: str = Field(default=MemberStatus.ONBOARDING, max_length=20)  # a MemberStatus
    onboarding_step: str | None = Field(default="language", max_length=20)
    paused_until: date | None = None
    high_risk_windows: str = Field(default="", max_length=100)
    next_checkin_due_at: datetime | None = utc_field(default=None)
    last_checkin_local_date: date | None = None
    next_craving_prompt_at: datetime | None = utc_field(default=None)
    awaiting: str | None = Field(default=None, max_length=30)
    created_at: datetime = utc_field()


class PausePeriod(SQLModel, table=True):
    """A pause the member chose: the local days from ``starts_on`` up to, not including, ``ends_on``
    (None while it lasts). Missed check-ins on those days are not misses, even after the pause ended."""

    __table_args__ = (Index("ix_pauseperiod_member", "member_id", "starts_on"),)

    id: int | None = Field(default=None, primary_key=True)
    member_id: int = Field(foreign_key="member.id")
    starts_on: date
    ends_on: date | None = None
    created_at: datetime = utc_field()


class InviteCode(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(unique=True, max_length=32)
    center_id: int = Field(foreign_key="center.id", index=True)
    circle_id: int | None = Field(default=None, foreign_key="circle.id")
    expires_at: datetime | None = utc_field(default=None)
    used_at: datetime | None = utc_field(default=None)
    used_by_member_id: int | None = Field(default=None, foreign_key="member.id")
    created_at: datetime = utc_field()


class ConsentRecord(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    member_id: int = Field(foreign_key="member.id", index=True)
    version: str = Field(max_length=40)
    accepted: bool
    language: str = Field(max_length=5)
    created_at: datetime = utc_field()
