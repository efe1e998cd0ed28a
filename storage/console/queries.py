"""The console's queries: links by token hash, live sessions by id hash, revocation."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import update
from sqlmodel import Session, col, select

from storage.console.tables import ConsoleSession, ConsoleSignin
from storage.people.tables import Member
from storage.safety.tables import Escalation, EscalationState
from storage.types import table_of


def signin_by_hash(session: Session, token_hash: str) -> ConsoleSignin | None:
    return session.exec(select(ConsoleSignin).where(ConsoleSignin.token_hash == token_hash)).first()


def live_session(session: Session, id_hash: str) -> ConsoleSession | None:
    """The session with this id hash, unless it was revoked."""
    return session.exec(
        select(ConsoleSession).where(ConsoleSession.id_hash == id_hash, col(ConsoleSession.revoked_at).is_(None))
    ).first()


def revoke_sessions_of(session: Session, staff_id: int, now: datetime) -> None:
    """Sign a staff member out everywhere: every live session of theirs ends now."""
    table = table_of(ConsoleSession)
    session.execute(
        update(table).where(table.c.staff_id == staff_id, table.c.revoked_at.is_(None)).values(revoked_at=now)
    )


def open_alerts(session: Session, center_id: int, counsellor_id: int | None = None) -> list[tuple[Escalation, Member]]:
    """A centre's open and acknowledged escalations with their members, urgent first, then oldest
    first; only the members of ``counsellor_id`` when given (the "own members only" setting)."""
    query = (
        select(Escalation, Member)
        .join(Member, col(Member.id) == Escalation.member_id)
        .where(
            Escalation.center_id == center_id,
            col(Escalation.state).in_((EscalationState.OPEN, EscalationState.ACKNOWLEDGED)),
        )
        .order_by(col(Escalation.level).desc(), col(Escalation.created_at), col(Escalation.id))
    )
    if counsellor_id is not None:
        query = query.where(Member.counsellor_id == counsellor_id)
    return [(escalation, member) for escalation, member in session.exec(query).all()]
