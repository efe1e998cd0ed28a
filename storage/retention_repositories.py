"""Retention purges: bodies of old circle messages and old check-in notes, per centre.

Bulk UPDATEs, one per centre and kind, so a daily run over years of data stays cheap.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import update
from sqlmodel import Session, col, select


from storage.circle_models import CircleMessage
from storage.models import Center, Checkin, Circle, Member, OutboxMessage


def purge_circle_bodies(session: Session, center: Center, now: datetime) -> int:
    cutoff = now - timedelta(days=center.retention_circle_days)
    circles = select(Circle.id).where(Circle.center_id == center.id)
    result = session.execute(
        update(CircleMessage)
        .where(col(CircleMessage.circle_id).in_(circles), col(CircleMessage.created_at) < cutoff,
               col(CircleMessage.text).is_not(None))
        .values(text=None)
    )
    return int(result.rowcount or 0)


def purge_checkin_notes(session: Session, center: Center, now: datetime) -> int:
    cutoff = (now - timedelta(days=center.retention_note_days)).date()
    members = select(Member.id).where(Member.center_id == center.id)
    result = session.execute(
        update(Checkin)
        .where(col(Checkin.member_id).in_(members), col(Checkin.local_date) < cutoff, col(Checkin.note).is_not(None))
        .values(note=None)
    )
    return int(result.rowcount or 0)


def purge_sent_outbox_text(session: Session, before: datetime) -> int:
    """Delivered messages keep their text only as long as circle bodies do (the copies are on phones)."""
    result = session.execute(
        update(OutboxMessage)
        .where(col(OutboxMessage.status).in_(("sent", "dead", "failed")), col(OutboxMessage.created_at) < before,
               col(OutboxMessage.purged_at).is_(None))
        .values(payload={"text": ""}, purged_at=before)
    )
    return int(result.rowcount or 0)
