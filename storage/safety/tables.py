"""Safety's tables: escalations a named human must acknowledge, their events, screening follow-ups,
and the audit log of who looked at or acted on a member's data."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import BigInteger, Column, Index
from sqlmodel import Field, SQLModel

from storage.crypto import EncryptedJSON, EncryptedText
from storage.types import utc_field


class EscalationState(StrEnum):
    """``Escalation.state`` (stored as these strings)."""

    OPEN = "open"
    ACKNOWLEDGED = "acknowledged"
    RESOLVED = "resolved"


class Escalation(SQLModel, table=True):
    """A concerning signal that a named human must acknowledge. Stored before any alert is sent."""

    __table_args__ = (Index("ix_escalation_deadline", "state", "ack_deadline_at"),)

    id: int | None = Field(default=None, primary_key=True)
    member_id: int = Field(foreign_key="member.id", index=True)
    center_id: int = Field(foreign_key="center.id", index=True)
    level: int  # RiskLevel: 2 concern, 3 urgent
    # Encrypted: each reason keeps the words that matched.
    reasons: list[dict[str, str]] = Field(sa_column=Column(EncryptedJSON("reasons"), nullable=False))
    source: str = Field(max_length=30)
    source_message_id: int | None = None
    excerpt: str | None = Field(default=None, sa_type=EncryptedText)
    # open → acknowledged → resolved
    state: str = Field(default=EscalationState.OPEN, max_length=20)  # an EscalationState
    # 0 the named counsellor, 1 backup counsellors, 2 every counsellor of the centre
    step: int = 0
    ack_deadline_at: datetime | None = utc_field(default=None)
    acknowledged_at: datetime | None = utc_field(default=None)
    acknowledged_by: int | None = Field(default=None, foreign_key="staff.id")
    resolved_at: datetime | None = utc_field(default=None)
    resolved_by: int | None = Field(default=None, foreign_key="staff.id")
    resolution_note: str | None = Field(default=None, sa_type=EncryptedText)
    created_at: datetime = utc_field()


class EscalationEvent(SQLModel, table=True):
    """Every step of an escalation, for the record: created, alerted, attached, escalated, acknowledged…"""

    id: int | None = Field(default=None, primary_key=True)
    escalation_id: int = Field(foreign_key="escalation.id", index=True)
    kind: str = Field(max_length=30)
    staff_id: int | None = Field(default=None, foreign_key="staff.id")
    detail: str | None = Field(default=None, max_length=300)
    created_at: datetime = utc_field()


class AuditEntry(SQLModel, table=True):
    """Who at the centre looked at or acted on a member's data, and refused attempts."""

    id: int | None = Field(default=None, primary_key=True)
    actor_telegram_id: int | None = Field(default=None, sa_type=BigInteger)
    staff_id: int | None = Field(default=None, foreign_key="staff.id")
    member_id: int | None = Field(default=None, foreign_key="member.id", index=True)
    action: str = Field(max_length=40)
    created_at: datetime = utc_field()


class ScreeningFollowup(SQLModel, table=True):
    """Gentle C-SSRS-style questions after an ambiguous signal; the answers set the level."""

    id: int | None = Field(default=None, primary_key=True)
    member_id: int = Field(foreign_key="member.id", index=True)
    answers: dict[str, bool] = Field(default_factory=dict, sa_column=Column(EncryptedJSON("answers"), nullable=False))
    question: str | None = Field(default=None, max_length=30)
    source_excerpt: str | None = Field(default=None, sa_type=EncryptedText)
    created_at: datetime = utc_field()
    finished_at: datetime | None = utc_field(default=None)
