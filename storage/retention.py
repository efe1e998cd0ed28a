"""Retention purges per centre: bodies of old circle messages and check-in notes, resolved
escalations, craving logs and audit entries.

Bulk UPDATEs, one per centre and kind, so a daily run over years of data stays cheap.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, or_, update
from sqlmodel import Session, col, select

from storage.checkins.tables import Checkin, CravingEvent
from storage.circles.tables import Circle, CircleMessage
from storage.outbox.payload import OutboxPayload
from storage.outbox.tables import OutboxMessage, OutboxStatus
from storage.people.tables import Center, Member, Staff
from storage.safety.tables import AuditEntry, Escalation, EscalationEvent, EscalationState
from storage.types import rowcount


def purge_circle_bodies(session: Session, center: Center, now: datetime) -> int:
    cutoff = now - timedelta(days=center.retention_circle_days)
    circles = select(Circle.id).where(Circle.center_id == center.id)
    result = session.execute(
        update(CircleMessage)
        .where(
            col(CircleMessage.circle_id).in_(circles),
            col(CircleMessage.created_at) < cutoff,
            col(CircleMessage.text).is_not(None),
        )
        .values(text=None)
    )
    return rowcount(result)


def purge_checkin_notes(session: Session, center: Center, now: datetime) -> int:
    cutoff = (now - timedelta(days=center.retention_note_days)).date()
    members = select(Member.id).where(Member.center_id == center.id)
    result = session.execute(
        update(Checkin)
        .where(col(Checkin.member_id).in_(members), col(Checkin.local_date) < cutoff, col(Checkin.note).is_not(None))
        .values(note=None)
    )
    return rowcount(result)


def purge_sent_outbox_text(session: Session, before: datetime) -> int:
    """Delivered messages keep their text only as long as circle bodies do (the copies are on phones)."""
    result = session.execute(
        update(OutboxMessage)
        .where(
            col(OutboxMessage.status).in_((OutboxStatus.SENT, OutboxStatus.DEAD, OutboxStatus.FAILED)),
            col(OutboxMessage.created_at) < before,
            col(OutboxMessage.purged_at).is_(None),
        )
        .values(payload=OutboxPayload(text=""), sponsor_thread_id=None, purged_at=before)
    )
    return rowcount(result)


def purge_resolved_escalations(session: Session, center: Center, now: datetime) -> int:
    """Escalations resolved more than ``retention_escalation_days`` ago go, with their events; open and
    acknowledged ones stay whatever their age."""
    cutoff = now - timedelta(days=center.retention_escalation_days)
    old = select(Escalation.id).where(
        Escalation.center_id == center.id,
        Escalation.state == EscalationState.RESOLVED,
        col(Escalation.resolved_at) < cutoff,
    )
    session.execute(delete(EscalationEvent).where(col(EscalationEvent.escalation_id).in_(old)))
    result = session.execute(delete(Escalation).where(col(Escalation.id).in_(old)))
    return rowcount(result)


def purge_cravings(session: Session, center: Center, now: datetime) -> int:
    cutoff = now - timedelta(days=center.retention_craving_days)
    members = select(Member.id).where(Member.center_id == center.id)
    result = session.execute(
        delete(CravingEvent).where(col(CravingEvent.member_id).in_(members), col(CravingEvent.created_at) < cutoff)
    )
    return rowcount(result)


def purge_audit(session: Session, center: Center, now: datetime) -> int:
    """Entries about the centre's members or by its staff."""
    cutoff = now - timedelta(days=center.retention_audit_days)
    members = select(Member.id).where(Member.center_id == center.id)
    staff = select(Staff.id).where(Staff.center_id == center.id)
    result = session.execute(
        delete(AuditEntry).where(
            col(AuditEntry.created_at) < cutoff,
            or_(col(AuditEntry.member_id).in_(members), col(AuditEntry.staff_id).in_(staff)),
        )
    )
    return rowcount(result)


def purge_unattributed_audit(session: Session, before: datetime) -> int:
    """Entries naming no member and no staff (a stranger's refused command) belong to no centre: they
    go after the shortest audit retention of any centre."""
    result = session.execute(
        delete(AuditEntry).where(
            col(AuditEntry.created_at) < before, col(AuditEntry.member_id).is_(None), col(AuditEntry.staff_id).is_(None)
        )
    )
    return rowcount(result)
