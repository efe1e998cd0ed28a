"""The queries that matter. Services ask these; nothing else writes SQL.

Claims use ``FOR UPDATE SKIP LOCKED`` so several workers on PostgreSQL never take
the same row; SQLite has one writer at a time and ignores the clause.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import cache
from typing import Any

from sqlalchemy import bindparam, delete, exists, false, func, literal, text, union_all, update
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from storage.models import (
    Center,
    Checkin,
    ConsentRecord,
    CravingEvent,
    Escalation,
    EscalationEvent,
    InviteCode,
    Member,
    OutboxMessage,
    PausePeriod,
    ScreeningFollowup,
    Staff,
)
from storage.sponsor_models import Sponsor
from storage import inbox

OPEN_CHECKIN = ("pending", "in_progress")
OUTBOX_CLAIM_LOCK = 0x5AA7_0002  # pg_advisory_xact_lock key serialising outbox claims


def member_by_telegram_id(session: Session, telegram_user_id: int) -> Member | None:
    return session.exec(select(Member).where(Member.telegram_user_id == telegram_user_id)).first()


def staff_by_telegram_id(session: Session, telegram_user_id: int) -> Staff | None:
    return session.exec(select(Staff).where(Staff.telegram_user_id == telegram_user_id)).first()


def staff_by_link_code(session: Session, code: str) -> Staff | None:
    return session.exec(select(Staff).where(Staff.link_code == code)).first()


def invite_by_code(session: Session, code: str) -> InviteCode | None:
    return session.exec(select(InviteCode).where(InviteCode.code == code)).first()


def open_invites_for_circle(session: Session, circle_id: int, now: datetime) -> int:
    """Invites to a circle neither used nor expired: seats promised but not taken yet."""
    return int(session.exec(
        select(func.count()).select_from(InviteCode)
        .where(InviteCode.circle_id == circle_id, col(InviteCode.used_at).is_(None),
               (col(InviteCode.expires_at).is_(None)) | (col(InviteCode.expires_at) > now))
    ).one())


def center_by_name(session: Session, name: str) -> Center | None:
    return session.exec(select(Center).where(func.lower(Center.name) == name.strip().lower())).first()


def taken_pseudonyms(session: Session, center_id: int) -> set[str]:
    """Members' and volunteer sponsors' pseudonyms: one name never means two people at a centre."""
    from storage.sponsor_models import Sponsor

    members = session.exec(select(Member.pseudonym).where(Member.center_id == center_id)).all()
    volunteers = session.exec(select(Sponsor.pseudonym).where(Sponsor.center_id == center_id,
                                                              col(Sponsor.pseudonym).is_not(None))).all()
    return {p for p in (*members, *volunteers) if p}


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


def start_pause(session: Session, member_id: int, day: date, now: datetime) -> None:
    """A pause from ``day`` on, unless one is already open (a pause made longer is the same pause)."""
    if open_pause(session, member_id) is None:
        session.add(PausePeriod(member_id=member_id, starts_on=day, created_at=now))


def open_pause(session: Session, member_id: int) -> PausePeriod | None:
    return session.exec(select(PausePeriod).where(PausePeriod.member_id == member_id,
                                                  col(PausePeriod.ends_on).is_(None))).first()


def end_pause(session: Session, member_id: int, day: date) -> None:
    """The pause is over: ``day`` is the first day the member is active again."""
    pause = open_pause(session, member_id)
    if pause is not None:
        pause.ends_on = max(day, pause.starts_on)


def paused_days(session: Session, member_id: int, since: date, until: date) -> set[date]:
    """The local days in ``since``..``until`` (inclusive) inside one of the member's pauses."""
    days: set[date] = set()
    for pause in session.exec(select(PausePeriod).where(
            PausePeriod.member_id == member_id, PausePeriod.starts_on <= until,
            col(PausePeriod.ends_on).is_(None) | (col(PausePeriod.ends_on) > since))).all():
        day, end = max(pause.starts_on, since), min(pause.ends_on or until + timedelta(days=1), until + timedelta(days=1))
        while day < end:
            days.add(day)
            day += timedelta(days=1)
    return days


def checkin_for_day(session: Session, member_id: int, day: date) -> Checkin | None:
    return session.exec(select(Checkin).where(Checkin.member_id == member_id, Checkin.local_date == day)).first()


@dataclass
class PressedCheckin:
    """The columns of a check-in that a press on one of its buttons reads, and may write back with
    ``store_pressed``: a plain row, not an ORM object. Loading two ORM objects (the check-in and its
    member) and flushing the change was half a press's database CPU on PostgreSQL."""

    id: int
    member_id: int
    local_date: date
    status: str
    step: str | None
    mood: int | None
    craving: int | None
    triggers: str | None
    used: str | None
    note: str | None


@dataclass(frozen=True)
class PressedMember:
    """Who pressed, as far as the replies to a check-in step need: where, in which language, by which name."""

    id: int
    chat_id: int
    language: str
    pseudonym: str
    status: str


@cache
def _pressed_statement() -> Any:  # noqa: ANN401
    checkin, member = Checkin.__table__.c, Member.__table__.c  # type: ignore[attr-defined]
    return (select(checkin.id, checkin.member_id, checkin.local_date, checkin.status, checkin.step, checkin.mood,
                   checkin.craving, checkin.triggers, checkin.used, checkin.note,
                   member.chat_id, member.language, member.pseudonym, member.status)
            .join_from(Checkin.__table__, Member.__table__, member.id == checkin.member_id)  # type: ignore[arg-type]
            .where(checkin.id == bindparam("checkin_id"), member.telegram_user_id == bindparam("telegram_user_id")))


def pressed_checkin(session: Session, checkin_id: int, telegram_user_id: int
                    ) -> tuple[PressedCheckin, PressedMember] | None:
    """A check-in and its member as plain rows, if that check-in is this person's: one query for each button press."""
    row = session.execute(_pressed_statement(), {"checkin_id": checkin_id, "telegram_user_id": telegram_user_id}).first()
    if row is None:
        return None
    return PressedCheckin(*row[:10]), PressedMember(row[1], *row[10:])


@cache
def _store_pressed_statement() -> Any:  # noqa: ANN401
    checkin = Checkin.__table__.c  # type: ignore[attr-defined]
    return (update(Checkin.__table__)  # type: ignore[arg-type]
            .where(checkin.id == bindparam("checkin_id"), checkin.status.in_(OPEN_CHECKIN),
                   checkin.step.is_not_distinct_from(bindparam("was_step")),
                   checkin.triggers.is_not_distinct_from(bindparam("was_triggers")))
            .values(status=bindparam("status"), step=bindparam("step"), mood=bindparam("mood"),
                    craving=bindparam("craving"), triggers=bindparam("new_triggers"), used=bindparam("used")))


def store_pressed(session: Session, checkin: PressedCheckin, *, was_step: str | None, was_triggers: str | None) -> bool:
    """Write a press's answer back (the note is not among them: it is the last step's, which goes the
    ORM way). False when the check-in moved on since it was read (another worker handled a press on it)."""
    result = session.execute(_store_pressed_statement(), {
        "checkin_id": checkin.id, "was_step": was_step, "was_triggers": was_triggers, "status": checkin.status,
        "step": checkin.step, "mood": checkin.mood, "craving": checkin.craving, "new_triggers": checkin.triggers,
        "used": checkin.used})
    return bool(result.rowcount == 1)  # type: ignore[attr-defined]


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
        # the order lets PostgreSQL read ix_checkin_open_close's due range instead of scanning the table
        .order_by(col(Checkin.closes_at))
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


OUTBOX_LANES = (0, 1, 2, 3)  # bot.domain.outgoing.Priority


@cache
def _claim_statements() -> tuple[Any, dict[int, Any]]:
    """The claim's statements, built once: the sender claims after every kick, and building them
    afresh cost five times more than running them."""
    in_flight = aliased(OutboxMessage, name="in_flight")
    now = bindparam("now")
    chat_free = ~exists().where(in_flight.chat_id == OutboxMessage.chat_id, in_flight.status == "sending",
                                col(in_flight.claimed_until) >= now)
    expired = (select(OutboxMessage)
               .where(OutboxMessage.status == "sending", col(OutboxMessage.claimed_until) < now, chat_free)
               .order_by(col(OutboxMessage.priority), col(OutboxMessage.due_at), col(OutboxMessage.id))
               .limit(bindparam("limit"))
               .with_for_update(skip_locked=True))
    lanes = {lane: (select(OutboxMessage)
                    .where(OutboxMessage.status == "pending", OutboxMessage.priority == lane,
                           col(OutboxMessage.due_at) <= now, *(() if lane == 0 else (chat_free,)))
                    .order_by(col(OutboxMessage.due_at), col(OutboxMessage.id))
                    .limit(bindparam("limit"))
                    .with_for_update(skip_locked=True))
             for lane in OUTBOX_LANES}
    return expired, lanes


def claim_outbox(session: Session, now: datetime, limit: int, lease_until: datetime, *,
                 max_priority: int | None = None) -> list[OutboxMessage]:
    """Take due rows (or rows whose previous claimer died) in priority order, and lease them.

    One index range scan per lane on ``ix_outbox_due`` (status, priority, due_at, id): each
    touches only that lane's due rows, in due order, however many rows wait for later or are
    done. ``max_priority``: only lanes up to this one (the sender's urgent top-up while busy).

    Several workers: claims are serialised by a transaction-scoped advisory lock (PostgreSQL; a
    claim takes milliseconds), so each claim sees what the previous one leased, and a chat with a
    row in flight under a live lease is left to the worker sending it: the rows of one chat go out
    in order from one worker at a time. Urgent rows are exempt and never wait behind another
    worker's rows.
    """
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": OUTBOX_CLAIM_LOCK})
    expired, lanes = _claim_statements()
    rows: list[OutboxMessage] = list(session.exec(expired, params={"now": now, "limit": limit}).all())
    for lane in OUTBOX_LANES:
        if len(rows) >= limit or (max_priority is not None and lane > max_priority):
            break
        rows.extend(session.exec(lanes[lane], params={"now": now, "limit": limit - len(rows)}).all())
    rows.sort(key=lambda row: (row.priority, row.due_at, row.id or 0))
    for row in rows:
        row.status = "sending"
        row.claimed_until = lease_until
    return rows


def outbox_backlog(session: Session, now: datetime, *, rate: float | None = None) -> dict[str, Any]:
    """What waits to be sent: ``due`` now (and how late the oldest is), ``pending`` in all (some
    due later), ``failed``; with ``rate`` (messages/s) the time the due rows take to drain."""
    pending = session.exec(
        select(func.count()).select_from(OutboxMessage).where(col(OutboxMessage.status).in_(("pending", "sending")))
    ).one()
    failed = session.exec(
        select(func.count()).select_from(OutboxMessage).where(col(OutboxMessage.status).in_(("failed", "dead")))
    ).one()
    due, oldest = session.exec(
        select(func.count(), func.min(OutboxMessage.due_at)).select_from(OutboxMessage).where(
            col(OutboxMessage.status).in_(("pending", "sending")), col(OutboxMessage.due_at) <= now)
    ).one()
    if isinstance(oldest, str):  # SQLite hands back an aggregate's datetime as text
        oldest = datetime.fromisoformat(oldest)
    if oldest is not None and oldest.tzinfo is None:
        oldest = oldest.replace(tzinfo=UTC)
    backlog: dict[str, Any] = {
        "pending": int(pending),
        "failed": int(failed),
        "due": int(due),
        "oldest_due_seconds": round(max(0.0, (now - oldest).total_seconds()), 1) if oldest is not None else 0.0,
    }
    if rate:
        backlog["rate"] = round(rate, 1)
        backlog["drain_seconds"] = round(int(due) / rate)
    return backlog


def sent_message_id(session: Session, chat_id: int, purpose: str, since: datetime) -> int | None:
    """Telegram's id of the newest message of ``purpose`` delivered to a chat since ``since`` (a question
    whose buttons an answer typed instead of pressed should take away); None when not delivered yet."""
    return session.exec(
        select(OutboxMessage.telegram_message_id)
        .where(OutboxMessage.chat_id == chat_id, OutboxMessage.purpose == purpose, OutboxMessage.method == "send",
               OutboxMessage.status == "sent", OutboxMessage.created_at >= since)
        .order_by(col(OutboxMessage.id).desc())
        .limit(1)
    ).first()


@cache
def _unreachable_statement() -> Any:  # noqa: ANN401
    uid = bindparam("uid")
    return union_all(
        select(literal("member"), Member.id).where(Member.telegram_user_id == uid, Member.status == "unreachable"),
        select(literal("staff"), Staff.id).where(Staff.telegram_user_id == uid, Staff.reachable == false()),
        select(literal("volunteer"), Sponsor.id).where(Sponsor.telegram_user_id == uid, Sponsor.kind == "volunteer",
                                                       col(Sponsor.chat_id).is_(None)),
    )


def unreachable_accounts(session: Session, telegram_user_id: int) -> list[tuple[str, int]]:
    """The member, staff and volunteer rows of this Telegram account that a 403 marked unreachable, as
    (kind, id); one statement on the unique ``telegram_user_id`` keys, nearly always empty."""
    return [(kind, row_id) for kind, row_id in session.execute(_unreachable_statement(), {"uid": telegram_user_id})]


def update_handled(session: Session, update_id: int) -> bool:
    """Whether the inbox is done with this update: handled, or given up after its last try (the
    member was told); the sandbox and tests wait for it."""
    return inbox.ids(session, [update_id]).get(update_id) in (inbox.HANDLED, inbox.FAILED)


def latest_craving(session: Session, member_id: int) -> CravingEvent | None:
    """The member's most recent logged craving (to tell the counsellor its strength)."""
    return session.exec(
        select(CravingEvent)
        .where(CravingEvent.member_id == member_id)
        .order_by(col(CravingEvent.created_at).desc(), col(CravingEvent.id).desc())
    ).first()


def last_escalation_event_at(session: Session, escalation_id: int, kind: str) -> datetime | None:
    """When the escalation last had an event of ``kind`` (e.g. the member's last "Please call me")."""
    return session.exec(
        select(EscalationEvent.created_at)
        .where(EscalationEvent.escalation_id == escalation_id, EscalationEvent.kind == kind)
        .order_by(col(EscalationEvent.created_at).desc())
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


def latest_consents(session: Session, member_ids: Sequence[int]) -> dict[int, ConsentRecord]:
    """Each member's most recent consent record, for a batch of members in one query (the due scan)."""
    if not member_ids:
        return {}
    latest: dict[int, ConsentRecord] = {}
    for record in session.exec(
        select(ConsentRecord).where(col(ConsentRecord.member_id).in_(list(member_ids)))
        .order_by(col(ConsentRecord.member_id), col(ConsentRecord.id).desc())
    ).all():
        latest.setdefault(record.member_id, record)
    return latest


def checkin_days(session: Session, member_ids: Sequence[int], since: date) -> set[tuple[int, date]]:
    """(member, local date) of the batch's check-ins since ``since``, in one query (the due scan)."""
    if not member_ids:
        return set()
    return {(member_id, day) for member_id, day in session.exec(
        select(Checkin.member_id, Checkin.local_date)
        .where(col(Checkin.member_id).in_(list(member_ids)), col(Checkin.local_date) >= since)
    ).all()}
