"""The console's queries: links by token hash, live sessions by id hash, revocation."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import or_, update
from sqlmodel import Session, col, func, select

from storage.console.tables import ConsoleSession, ConsoleSignin
from storage.people.tables import Member, Staff
from storage.safety.tables import AuditEntry, Escalation, EscalationState
from storage.sponsors.tables import AttendanceWatch
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


def watch_notices(
    session: Session, center_id: int, counsellor_id: int | None = None
) -> list[tuple[AttendanceWatch, Member]]:
    """Members whose current gap in check-ins the counsellor was told about (a long gap or a likely
    drop-out), longest gap first."""
    query = (
        select(AttendanceWatch, Member)
        .join(Member, col(Member.id) == AttendanceWatch.member_id)
        .where(
            Member.center_id == center_id,
            col(AttendanceWatch.gap_start).is_not(None),
            or_(
                col(AttendanceWatch.counsellor_notified_at).is_not(None),
                col(AttendanceWatch.dropout_notified_at).is_not(None),
            ),
        )
        .order_by(col(AttendanceWatch.gap_missed).desc(), col(Member.id))
    )
    if counsellor_id is not None:
        query = query.where(Member.counsellor_id == counsellor_id)
    return [(watch, member) for watch, member in session.exec(query).all()]


def audit_entries(
    session: Session,
    center_id: int,
    *,
    action: str | None = None,
    member_id: int | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: int = 200,
) -> list[tuple[AuditEntry, str | None, str | None]]:
    """A centre's audit entries, newest first, with the staff member's name and the member's
    pseudonym; an entry belongs to the centre of its staff member, else of its member."""
    query = (
        select(AuditEntry, Staff.name, Member.pseudonym)
        .join(Staff, col(Staff.id) == AuditEntry.staff_id, isouter=True)
        .join(Member, col(Member.id) == AuditEntry.member_id, isouter=True)
        .where(func.coalesce(Staff.center_id, Member.center_id) == center_id)
        .order_by(col(AuditEntry.created_at).desc(), col(AuditEntry.id).desc())
        .limit(limit)
    )
    if action:
        query = query.where(AuditEntry.action == action)
    if member_id is not None:
        query = query.where(AuditEntry.member_id == member_id)
    if since is not None:
        query = query.where(AuditEntry.created_at >= since)
    if until is not None:
        query = query.where(AuditEntry.created_at < until)
    return [(entry, staff_name, pseudonym) for entry, staff_name, pseudonym in session.exec(query).all()]


def audit_actions(session: Session, center_id: int) -> list[str]:
    """The actions a centre's audit log holds, for the filter's choices."""
    query = (
        select(AuditEntry.action)
        .join(Staff, col(Staff.id) == AuditEntry.staff_id, isouter=True)
        .join(Member, col(Member.id) == AuditEntry.member_id, isouter=True)
        .where(func.coalesce(Staff.center_id, Member.center_id) == center_id)
        .distinct()
        .order_by(AuditEntry.action)
    )
    return list(session.exec(query).all())
