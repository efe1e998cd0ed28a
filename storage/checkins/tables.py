"""Check-ins' tables: one check-in per member per local day, and logged cravings."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from storage.crypto import EncryptedText
from storage.types import utc_field


class CheckinStatus(StrEnum):
    """``Checkin.status`` (stored as these strings)."""

    PENDING = "pending"  # sent, no answer yet
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    MISSED = "missed"


class Checkin(SQLModel, table=True):
    """One per member per local day: the unique key makes a second one impossible."""

    __table_args__ = (
        UniqueConstraint("member_id", "local_date"),
        # the reminder scan: status = 'pending' AND reminded_at IS NULL AND reminder_due_at <= now
        Index("ix_checkin_to_remind", "status", "reminded_at", "reminder_due_at"),
        Index("ix_checkin_open_close", "status", "closes_at"),
        # the console's weekly summary and attendance: a centre's days, read from the index alone
        Index("ix_checkin_day_member", "local_date", "member_id", "status", "mood"),
        # the console's caseload: one member's missed days and last completed day in the last 14, one seek each
        Index("ix_checkin_member_status_day", "member_id", "status", "local_date", "mood"),
    )

    id: int | None = Field(default=None, primary_key=True)
    member_id: int = Field(foreign_key="member.id", index=True)
    local_date: date
    # pending (sent, no answer yet) → in_progress → completed | missed
    status: str = Field(default=CheckinStatus.PENDING, max_length=20)  # a CheckinStatus
    step: str | None = Field(default="mood", max_length=20)
    due_at: datetime = utc_field()
    reminder_due_at: datetime | None = utc_field(default=None)
    reminded_at: datetime | None = utc_field(default=None)
    closes_at: datetime = utc_field()
    completed_at: datetime | None = utc_field(default=None)
    mood: int | None = None
    craving: int | None = None
    triggers: str | None = Field(default=None, max_length=200)
    used: str | None = Field(default=None, max_length=20)
    note: str | None = Field(default=None, sa_type=EncryptedText)
    coping_id: str | None = Field(default=None, max_length=40)


class CravingEvent(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    member_id: int = Field(foreign_key="member.id", index=True)
    strength: int | None = None
    trigger: str | None = Field(default=None, max_length=30)
    source: str = Field(max_length=20)
    created_at: datetime = utc_field()
