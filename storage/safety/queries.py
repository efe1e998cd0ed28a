"""Queries about escalations and screening follow-ups. Services ask these; nothing else writes SQL."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func
from sqlmodel import Session, col, select

from storage.safety.tables import Escalation, EscalationEvent, EscalationState, ScreeningFollowup


def open_escalation(session: Session, member_id: int) -> Escalation | None:
    """The member's escalation nobody has resolved yet (new signals attach to it)."""
    return session.exec(
        select(Escalation)
        .where(
            Escalation.member_id == member_id,
            col(Escalation.state).in_((EscalationState.OPEN, EscalationState.ACKNOWLEDGED)),
        )
        .order_by(col(Escalation.id).desc())
    ).first()


def last_escalation_event_at(session: Session, escalation_id: int, kind: str) -> datetime | None:
    """When the escalation last had an event of ``kind`` (e.g. the member's last "Please call me")."""
    return session.exec(
        select(EscalationEvent.created_at)
        .where(EscalationEvent.escalation_id == escalation_id, EscalationEvent.kind == kind)
        .order_by(col(EscalationEvent.created_at).desc())
    ).first()


def escalations_past_deadline(session: Session, now: datetime, limit: int) -> Sequence[Escalation]:
    return session.exec(
        select(Escalation)
        .where(Escalation.state == EscalationState.OPEN, col(Escalation.ack_deadline_at) <= now)
        .order_by(col(Escalation.ack_deadline_at))
        .limit(limit)
        .with_for_update(skip_locked=True)
    ).all()


def count_unreachable_escalations(session: Session) -> int:
    """Open escalations that reached the last step: nobody has acknowledged them."""
    return int(
        session.exec(
            select(func.count())
            .select_from(Escalation)
            .where(Escalation.state == EscalationState.OPEN, Escalation.step >= 2)
        ).one()
    )


def open_followup(session: Session, member_id: int) -> ScreeningFollowup | None:
    return session.exec(
        select(ScreeningFollowup).where(
            ScreeningFollowup.member_id == member_id, col(ScreeningFollowup.finished_at).is_(None)
        )
    ).first()
