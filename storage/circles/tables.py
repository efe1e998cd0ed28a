"""Peer circles' tables: circles and memberships, settings and meetings, relayed messages and their
copies, reports.

The rule the tables serve: a member's identity never crosses into a circle. A copy knows which
outbox row carried it (and so the Telegram message id in the recipient's chat), which is how
replies thread, edits propagate and /unsend reaches every phone.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import BigInteger, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from storage.crypto import EncryptedText
from storage.types import utc_field


class CircleMessageStatus(StrEnum):
    """``CircleMessage.status`` (stored as these strings)."""

    RELAYED = "relayed"  # copies went (or go) to the circle
    HELD = "held"  # waiting for the facilitator (abusive words, or reported)
    ESCALATED = "escalated"  # worrying words: the counsellor has it, the circle does not
    DECLINED = "declined"  # the facilitator kept a held message back
    UNSENT = "unsent"  # withdrawn by its author (or an erasure)
    REFUSED = "refused"  # contact details: never relayed, the words not kept


class Circle(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("center_id", "name"),)

    id: int | None = Field(default=None, primary_key=True)
    center_id: int = Field(foreign_key="center.id", index=True)
    name: str = Field(max_length=120)
    kind: str = Field(default="self_help", max_length=30)
    language: str = Field(default="en", max_length=5)
    capacity: int = 8
    facilitator_id: int | None = Field(default=None, foreign_key="staff.id")
    created_at: datetime = utc_field()


class CircleMembership(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    circle_id: int = Field(foreign_key="circle.id", index=True)
    member_id: int = Field(foreign_key="member.id", index=True)
    joined_at: datetime = utc_field()
    left_at: datetime | None = utc_field(default=None)


class CircleSettings(SQLModel, table=True):
    """One per circle: when it meets and how it is run."""

    circle_id: int = Field(primary_key=True, foreign_key="circle.id", sa_column_kwargs={"autoincrement": False})
    # "daily 19:00 60" / "weekly sat 11:00 90" in the centre's local time (bot.domain.relay.Schedule)
    schedule: str | None = Field(default=None, max_length=40)
    allow_stickers: bool = False
    flood_per_minute: int = 10
    # Who reads held messages and reports when the circle has no facilitator.
    counsellor_id: int | None = Field(default=None, foreign_key="staff.id")
    pinned_prompt: str | None = Field(default=None, max_length=1000)
    closed_at: datetime | None = utc_field(default=None)
    created_at: datetime = utc_field()


class CircleMeeting(SQLModel, table=True):
    """One meeting of a circle: the reminder 15 minutes before and the opener at the start are due times."""

    __table_args__ = (
        UniqueConstraint("circle_id", "starts_at"),
        Index("ix_circlemeeting_remind", "reminded_at", "remind_at"),
        Index("ix_circlemeeting_start", "started_at", "starts_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    circle_id: int = Field(foreign_key="circle.id", index=True)
    sequence: int = 0
    starts_at: datetime = utc_field()
    ends_at: datetime = utc_field()
    remind_at: datetime = utc_field()
    goal: str = Field(max_length=30)
    custom_goal: str | None = Field(default=None, max_length=500)
    reminded_at: datetime | None = utc_field(default=None)
    started_at: datetime | None = utc_field(default=None)
    # True when the bot was down through the whole meeting: nothing was sent late.
    skipped: bool = False
    created_at: datetime = utc_field()


class CircleParticipant(SQLModel, table=True):
    """A member's state in their circle (one per membership, created on first need)."""

    __table_args__ = (Index("ix_circleparticipant_quiet", "circle_id", "last_posted_at"),)

    membership_id: int = Field(
        primary_key=True, foreign_key="circlemembership.id", sa_column_kwargs={"autoincrement": False}
    )
    circle_id: int = Field(foreign_key="circle.id")
    member_id: int = Field(foreign_key="member.id", index=True)
    # The circle's welcome (how relaying works) went out; members who join by invite get it once active.
    welcomed_at: datetime | None = utc_field(default=None)
    last_posted_at: datetime | None = utc_field(default=None)
    # The one gentle invitation after 14 quiet days (again only after they wrote once more).
    invited_at: datetime | None = utc_field(default=None)
    muted_until: datetime | None = utc_field(default=None)
    muted_by: int | None = Field(default=None, foreign_key="staff.id")
    # Set after repeated reports: their messages wait for the facilitator or counsellor.
    review_hold: bool = False


class CircleMessage(SQLModel, table=True):
    """Something said in a circle. Text is kept so held messages can be read and released,
    reports can be shown to staff, and edits and /unsend can reach every copy."""

    __table_args__ = (
        Index("ix_circlemessage_author", "member_id", "created_at"),
        Index("ix_circlemessage_source", "member_id", "source_message_id"),
        Index("ix_circlemessage_circle", "circle_id", "created_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    circle_id: int = Field(foreign_key="circle.id")
    member_id: int | None = Field(default=None, foreign_key="member.id")
    staff_id: int | None = Field(default=None, foreign_key="staff.id")
    # text | sticker | milestone | encourage | goal | prompt | joined
    kind: str = Field(default="text", max_length=20)
    # relayed | held | escalated | declined | unsent | refused
    status: str = Field(default=CircleMessageStatus.RELAYED, max_length=20)  # a CircleMessageStatus
    # abuse | review (after repeated reports)
    hold_reason: str | None = Field(default=None, max_length=20)
    # Encrypted at rest (storage/crypto.py).
    text: str | None = Field(default=None, sa_type=EncryptedText)
    # The message id in the author's own chat (threading and edits start from it).
    source_message_id: int | None = None
    reply_to_id: int | None = Field(default=None, foreign_key="circlemessage.id")
    reviewed_by: int | None = Field(default=None, foreign_key="staff.id")
    created_at: datetime = utc_field()
    edited_at: datetime | None = utc_field(default=None)
    unsent_at: datetime | None = utc_field(default=None)


class RelayCopy(SQLModel, table=True):
    """One delivered copy of a circle message: who got it, and the outbox row that carried it."""

    id: int | None = Field(default=None, primary_key=True)
    circle_message_id: int = Field(foreign_key="circlemessage.id", index=True)
    # Telegram ids outgrew 32 bits; BIGINT on PostgreSQL.
    chat_id: int = Field(sa_type=BigInteger, index=True)
    member_id: int | None = Field(default=None, foreign_key="member.id")
    staff_id: int | None = Field(default=None, foreign_key="staff.id")
    outbox_id: int = Field(foreign_key="outboxmessage.id", unique=True)


class CircleReport(SQLModel, table=True):
    __table_args__ = (
        UniqueConstraint("circle_message_id", "reporter_member_id"),
        Index("ix_circlereport_reported", "reported_member_id", "created_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    circle_id: int = Field(foreign_key="circle.id", index=True)
    circle_message_id: int = Field(foreign_key="circlemessage.id")
    reporter_member_id: int = Field(foreign_key="member.id")
    reported_member_id: int | None = Field(default=None, foreign_key="member.id")
    created_at: datetime = utc_field()


class RelayPace(SQLModel, table=True):
    """When the next relayed copy may go into a chat: Telegram allows about one a second."""

    chat_id: int = Field(sa_type=BigInteger, primary_key=True, sa_column_kwargs={"autoincrement": False})
    next_free_at: datetime = utc_field()


class UnreachableNotice(SQLModel, table=True):
    """A member who blocked the bot: their counsellor was told, once."""

    member_id: int = Field(primary_key=True, foreign_key="member.id", sa_column_kwargs={"autoincrement": False})
    staff_id: int | None = Field(default=None, foreign_key="staff.id")
    told_at: datetime = utc_field()
