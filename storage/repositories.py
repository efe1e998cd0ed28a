"""The queries that matter. Services ask these; nothing else writes SQL.

Claims use ``FOR UPDATE SKIP LOCKED`` so several workers on PostgreSQL never take
the same row; SQLite has one writer at a time and ignores the clause.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy import delete, func, or_
from sqlmodel import Session, col, select

from storage.models import (
    Center,
    Checkin,
    ConsentRecord,
    CravingEvent,
    Escalation,
    InviteCode,
    Member,
    OutboxMessage,
    ProcessedUpdate,
    ScreeningFollowup,
    Staff,
)

OPEN_CHECKIN = ("pending", "in_progress")


def member_by_telegram_id(session: Session, telegram_user_id: int) -> Member | None:
    return session.exec(select(Member).where(Member.telegram_user_id == telegram_user_id)).first()


def staff_by_telegram_id(session: Session, telegram_user_id: int) -> Staff | None:
    return session.exec(select(Staff).where(Staff.telegram_user_id == telegram_user_id)).first()


def staff_by_link_code(session: Session, code: str) -> Staff | None:
    return session.exec(select(Staff).where(Staff.link_code == code)).first()


def invite_by_code(session: Session, code: str) -> InviteCode | None:
    return session.exec(select(InviteCode).where(InviteCode.code == code)).first()


def center_by_name(session: Session, name: str) -> Center | None:
    return session.exec(select(Center).where(func.lower(Center.name) == name.strip().lower())).first()


def taken_pseudonyms(session: Session, center_id: int) -> set[str]:
    return set(session.exec(select(Member.pseudonym).where(Member.center_id == center_id)).all())


def default_counsellor(session: Session, center_id: int) -> Staff | None:
    """The centre's first active, non-backup counsellor: who a new member is assigned to."""
    return session.exec(
        select(Staff)
        .where(Staff.center_id == center_id, Staff.active, Staff.role == "counsellor")
        .order_by(col(Staff.is_backup), col(Staff.id))
    ).first()


def claim_due_members(session: Session, now: datetime, limit: int) -> Sequence[Member]:
    """Active members whose check-in is due; touches only due rows (ix_member_due)."""
    return session.exec(
        select(Member)
        .where(Member.status == "active", col(Member.next_checkin_due_at) <= now)
        .order_by(col(Member.next_checkin_due_at))
        .limit(limit)
        .with_for_update(skip_locked=True)
    ).all()


def claim_due_craving_prompts(session: Session, now: datetime, limit: int) -> Sequence[Member]:
    return session.exec(
        select(Member)
        .where(Member.status == "active", col(Member.next_craving_prompt_at) <= now)
        .order_by(col(Member.next_craving_prompt_at))
        .limit(limit)
        .with_for_update(skip_locked=True)
    ).all()


def paused_members_until(session: Session, day: date, limit: int) -> Sequence[Member]:
    return session.exec(
        select(Member)
        .where(Member.status == "paused", col(Member.paused_until) <= day)
        .limit(limit)
        .with_for_update(skip_locked=True)
    ).all()


def checkin_for_day(session: Session, member_id: int, day: date) -> Checkin | None:
    return session.exec(select(Checkin).where(Checkin.member_id == member_id, Checkin.local_date == day)).first()


def open_checkin(session: Session, member_id: int) -> Checkin | None:
    return session.exec(
        select(Checkin)
        .where(Checkin.member_id == member_id, col(Checkin.status).in_(OPEN_CHECKIN))
        .order_by(col(Checkin.local_date).desc())
    ).first()


def checkins_to_remind(session: Session, now: datetime, limit: int) -> Sequence[Checkin]:
    return session.exec(
        select(Checkin)
        .where(
            Checkin.status == "pending",
            col(Checkin.reminder_due_at) <= now,
            col(Checkin.reminded_at).is_(None),
            col(Checkin.closes_at) > now,  # never yesterday's reminder after a pause in the scans
        )
        .limit(limit)
        .with_for_update(skip_locked=True)
    ).all()


def checkins_to_close(session: Session, now: datetime, limit: int) -> Sequence[Checkin]:
    return session.exec(
        select(Checkin)
        .where(col(Checkin.status).in_(OPEN_CHECKIN), col(Checkin.closes_at) <= now)
        .limit(limit)
        .with_for_update(skip_locked=True)
    ).all()


def completed_checkin_days(session: Session, member_id: int, since: date) -> list[date]:
    return list(
        session.exec(
            select(Checkin.local_date).where(
                Checkin.member_id == member_id, Checkin.status == "completed", col(Checkin.local_date) >= since
            )
        ).all()
    )


def recent_checkins(session: Session, member_id: int, today: date, days: int = 14) -> Sequence[Checkin]:
    """The last ``days`` local days of check-ins (mood, craving, use) in one query, oldest first."""
    since = date.fromordinal(today.toordinal() - days + 1)
    return session.exec(
        select(Checkin)
        .where(Checkin.member_id == member_id, col(Checkin.local_date) >= since)
        .order_by(col(Checkin.local_date))
    ).all()


def claim_outbox(session: Session, now: datetime, limit: int, lease_until: datetime) -> list[OutboxMessage]:
    """Take due rows (or rows whose previous claimer died) in priority order, and lease them."""
    rows = list(
        session.exec(
            select(OutboxMessage)
            .where(
                or_(
                    (OutboxMessage.status == "pending") & (col(OutboxMessage.due_at) <= now),
                    (OutboxMessage.status == "sending") & (col(OutboxMessage.claimed_until) < now),
                )
            )
            .order_by(col(OutboxMessage.priority), col(OutboxMessage.due_at), col(OutboxMessage.id))
            .limit(limit)
            .with_for_update(skip_locked=True)
        ).all()
    )
    for row in rows:
        row.status = "sending"
        row.claimed_until = lease_until
    return rows


def outbox_backlog(session: Session, now: datetime) -> dict[str, int]:
    pending = session.exec(
        select(func.count()).select_from(OutboxMessage).where(col(OutboxMessage.status).in_(("pending", "sending")))
    ).one()
    failed = session.exec(
        select(func.count()).select_from(OutboxMessage).where(col(OutboxMessage.status).in_(("failed", "dead")))
    ).one()
    return {"pending": int(pending), "failed": int(failed)}


def update_seen(session: Session, update_id: int) -> bool:
    return session.get(ProcessedUpdate, update_id) is not None


def mark_update(session: Session, update_id: int, now: datetime) -> None:
    if session.get(ProcessedUpdate, update_id) is None:
        session.add(ProcessedUpdate(update_id=update_id, processed_at=now))


def forget_processed_updates(session: Session, before: datetime) -> None:
    """Telegram keeps unconfirmed updates for 24 hours; older ids can go."""
    session.execute(delete(ProcessedUpdate).where(col(ProcessedUpdate.processed_at) < before))


def latest_craving(session: Session, member_id: int) -> CravingEvent | None:
    """The member's most recent logged craving (to tell the counsellor its strength)."""
    return session.exec(
        select(CravingEvent)
        .where(CravingEvent.member_id == member_id)
        .order_by(col(CravingEvent.created_at).desc(), col(CravingEvent.id).desc())
    ).first()


def open_escalation(session: Session, member_id: int) -> Escalation | None:
    """The member's escalation nobody has resolved yet (new signals attach to it)."""
    return session.exec(
        select(Escalation)
        .where(Escalation.member_id == member_id, col(Escalation.state).in_(("open", "acknowledged")))
        .order_by(col(Escalation.id).desc())
    ).first()


def escalations_past_deadline(session: Session, now: datetime, limit: int) -> Sequence[Escalation]:
    return session.exec(
        select(Escalation)
        .where(Escalation.state == "open", col(Escalation.ack_deadline_at) <= now)
        .order_by(col(Escalation.ack_deadline_at))
        .limit(limit)
        .with_for_update(skip_locked=True)
    ).all()


def centre_counsellors(session: Session, center_id: int) -> Sequence[Staff]:
    return session.exec(
        select(Staff).where(Staff.center_id == center_id, Staff.active).order_by(col(Staff.id))
    ).all()


def open_followup(session: Session, member_id: int) -> ScreeningFollowup | None:
    return session.exec(
        select(ScreeningFollowup).where(
            ScreeningFollowup.member_id == member_id, col(ScreeningFollowup.finished_at).is_(None)
        )
    ).first()


def member_by_pseudonym(session: Session, center_id: int, pseudonym: str) -> Member | None:
    return session.exec(
        select(Member).where(Member.center_id == center_id, func.lower(Member.pseudonym) == pseudonym.strip().lower())
    ).first()


def count_unreachable_escalations(session: Session) -> int:
    """Open escalations that reached the last step: nobody has acknowledged them."""
    return int(session.exec(
        select(func.count()).select_from(Escalation).where(Escalation.state == "open", Escalation.step >= 2)
    ).one())


def outbox_due_count(session: Session, now: datetime) -> int:
    """Rows that should be going out right now (not those waiting for a backoff or quiet hours)."""
    return int(session.exec(
        select(func.count()).select_from(OutboxMessage).where(
            col(OutboxMessage.status).in_(("pending", "sending")), col(OutboxMessage.due_at) <= now)
    ).one())


def latest_consent(session: Session, member_id: int) -> ConsentRecord | None:
    return session.exec(
        select(ConsentRecord).where(ConsentRecord.member_id == member_id).order_by(col(ConsentRecord.id).desc())
    ).first()
