"""The tables. One place, read top to bottom: centres, people, check-ins, outbox."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import BigInteger, Column, Index, Text, UniqueConstraint
from sqlalchemy import false as sa_false
from sqlmodel import Field, SQLModel

from storage.crypto import EncryptedJSON, EncryptedText
from storage.types import UTCDateTime


def _utc(**kwargs: Any) -> Any:
    return Field(sa_type=UTCDateTime, **kwargs)


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
    created_at: datetime = _utc()


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
    created_at: datetime = _utc()


class Circle(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("center_id", "name"),)

    id: int | None = Field(default=None, primary_key=True)
    center_id: int = Field(foreign_key="center.id", index=True)
    name: str = Field(max_length=120)
    kind: str = Field(default="self_help", max_length=30)
    language: str = Field(default="en", max_length=5)
    capacity: int = 8
    facilitator_id: int | None = Field(default=None, foreign_key="staff.id")
    created_at: datetime = _utc()


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
    status: str = Field(default="onboarding", max_length=20)
    onboarding_step: str | None = Field(default="language", max_length=20)
    paused_until: date | None = None
    high_risk_windows: str = Field(default="", max_length=100)
    next_checkin_due_at: datetime | None = _utc(default=None)
    last_checkin_local_date: date | None = None
    next_craving_prompt_at: datetime | None = _utc(default=None)
    awaiting: str | None = Field(default=None, max_length=30)
    created_at: datetime = _utc()


class PausePeriod(SQLModel, table=True):
    """A pause the member chose: the local days from ``starts_on`` up to, not including, ``ends_on``
    (None while it lasts). Missed check-ins on those days are not misses, even after the pause ended."""

    __table_args__ = (Index("ix_pauseperiod_member", "member_id", "starts_on"),)

    id: int | None = Field(default=None, primary_key=True)
    member_id: int = Field(foreign_key="member.id")
    starts_on: date
    ends_on: date | None = None
    created_at: datetime = _utc()


class InviteCode(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(unique=True, max_length=32)
    center_id: int = Field(foreign_key="center.id", index=True)
    circle_id: int | None = Field(default=None, foreign_key="circle.id")
    expires_at: datetime | None = _utc(default=None)
    used_at: datetime | None = _utc(default=None)
    used_by_member_id: int | None = Field(default=None, foreign_key="member.id")
    created_at: datetime = _utc()


class ConsentRecord(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    member_id: int = Field(foreign_key="member.id", index=True)
    version: str = Field(max_length=40)
    accepted: bool
    language: str = Field(max_length=5)
    created_at: datetime = _utc()


class CircleMembership(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    circle_id: int = Field(foreign_key="circle.id", index=True)
    member_id: int = Field(foreign_key="member.id", index=True)
    joined_at: datetime = _utc()
    left_at: datetime | None = _utc(default=None)


class Checkin(SQLModel, table=True):
    """One per member per local day: the unique key makes a second one impossible."""

    __table_args__ = (
        UniqueConstraint("member_id", "local_date"),
        # the reminder scan: status = 'pending' AND reminded_at IS NULL AND reminder_due_at <= now
        Index("ix_checkin_to_remind", "status", "reminded_at", "reminder_due_at"),
        Index("ix_checkin_open_close", "status", "closes_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    member_id: int = Field(foreign_key="member.id", index=True)
    local_date: date
    # pending (sent, no answer yet) → in_progress → completed | missed
    status: str = Field(default="pending", max_length=20)
    step: str | None = Field(default="mood", max_length=20)
    due_at: datetime = _utc()
    reminder_due_at: datetime | None = _utc(default=None)
    reminded_at: datetime | None = _utc(default=None)
    closes_at: datetime = _utc()
    completed_at: datetime | None = _utc(default=None)
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
    created_at: datetime = _utc()


class OutboxMessage(SQLModel, table=True):
    """Everything a person must receive, written in the same transaction as the state it reports.

    The sender claims rows (a lease in ``claimed_until``), calls Telegram and marks them
    sent; a crash before marking leaves the lease to expire and the row is sent again.
    """

    # The claim reads one lane's due rows in (due_at, id) order straight off this index.
    __table_args__ = (Index("ix_outbox_due", "status", "priority", "due_at", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    chat_id: int = Field(index=True, sa_type=BigInteger)
    member_id: int | None = Field(default=None, foreign_key="member.id")
    staff_id: int | None = Field(default=None, foreign_key="staff.id")
    method: str = Field(default="send", max_length=20)
    # Encrypted: relayed members' words and alert excerpts travel in it.
    payload: dict[str, Any] = Field(sa_column=Column(EncryptedJSON, nullable=False))
    # 0 urgent alerts, 1 replies to a person's own action, 2 scheduled, 3 bulk.
    priority: int = 2
    purpose: str = Field(default="reply", max_length=30)
    dedupe_key: str | None = Field(default=None, unique=True, max_length=80)
    status: str = Field(default="pending", max_length=20)
    attempts: int = 0
    due_at: datetime = _utc()
    claimed_until: datetime | None = _utc(default=None)
    sent_at: datetime | None = _utc(default=None)
    telegram_message_id: int | None = None
    last_error: str | None = Field(default=None, max_length=200)
    created_at: datetime = _utc()
    # Set when retention removed the text of a delivered message.
    purged_at: datetime | None = _utc(default=None)


class KeyCanary(SQLModel, table=True):
    """A known text encrypted with the centre's key when the first key was set up: at start, the
    configured keys must read it, or ``saathi run`` refuses (storage/key_check.py). The column is
    plain text holding the token itself (not an encrypted column type: the check must see the token)."""

    id: int | None = Field(default=None, primary_key=True)
    token: str = Field(sa_type=Text)
    created_at: datetime = _utc()


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
    state: str = Field(default="open", max_length=20)
    # 0 the named counsellor, 1 backup counsellors, 2 every counsellor of the centre
    step: int = 0
    ack_deadline_at: datetime | None = _utc(default=None)
    acknowledged_at: datetime | None = _utc(default=None)
    acknowledged_by: int | None = Field(default=None, foreign_key="staff.id")
    resolved_at: datetime | None = _utc(default=None)
    resolved_by: int | None = Field(default=None, foreign_key="staff.id")
    resolution_note: str | None = Field(default=None, sa_type=EncryptedText)
    created_at: datetime = _utc()


class EscalationEvent(SQLModel, table=True):
    """Every step of an escalation, for the record: created, alerted, attached, escalated, acknowledged…"""

    id: int | None = Field(default=None, primary_key=True)
    escalation_id: int = Field(foreign_key="escalation.id", index=True)
    kind: str = Field(max_length=30)
    staff_id: int | None = Field(default=None, foreign_key="staff.id")
    detail: str | None = Field(default=None, max_length=300)
    created_at: datetime = _utc()


class AuditEntry(SQLModel, table=True):
    """Who at the centre looked at or acted on a member's data, and refused attempts."""

    id: int | None = Field(default=None, primary_key=True)
    actor_telegram_id: int | None = Field(default=None, sa_type=BigInteger)
    staff_id: int | None = Field(default=None, foreign_key="staff.id")
    member_id: int | None = Field(default=None, foreign_key="member.id", index=True)
    action: str = Field(max_length=40)
    created_at: datetime = _utc()


class ScreeningFollowup(SQLModel, table=True):
    """Gentle C-SSRS-style questions after an ambiguous signal; the answers set the level."""

    id: int | None = Field(default=None, primary_key=True)
    member_id: int = Field(foreign_key="member.id", index=True)
    answers: dict[str, bool] = Field(default_factory=dict, sa_column=Column(EncryptedJSON("answers"),
                                                                             nullable=False))
    question: str | None = Field(default=None, max_length=30)
    source_excerpt: str | None = Field(default=None, sa_type=EncryptedText)
    created_at: datetime = _utc()
    finished_at: datetime | None = _utc(default=None)


from storage.circle_models import *  # noqa: E402,F401,F403  (peer circles' tables register here)
from storage.sponsor_models import *  # noqa: E402,F401,F403  (sponsors and the attendance watch register here)
from storage.inbox import InboxUpdate  # noqa: E402  (the inbox of updates registers here)

# Until 0010 each handled update_id had a ``processedupdate`` row; the inbox row (status "handled")
# is that record now. The old name stays for code that only asks "is this update id known?".
ProcessedUpdate = InboxUpdate
