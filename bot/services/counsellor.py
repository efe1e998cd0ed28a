"""The counsellor's side: the queue, a member's summary, acknowledge, resolve, history.

Every command passes the role gate in :mod:`bot.services.access` first; these use cases check
again that the sender is active staff (buttons can be forged) and that an escalation or member
belongs to the staff member's own centre (another centre's is simply "not found"). Every view
of member data by staff is written to the audit log.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from sqlmodel import Session

from bot.domain.outgoing import Priority
from bot.domain.scheduling import local_date
from bot.i18n import t
from bot.services import access, safety, views
from bot.services.context import Person, ServiceContext
from bot.services.outbox import enqueue
from storage.checkins import queries as checkins_db
from storage.people import queries as people_db
from storage.people.tables import Center, Member, MemberStatus, Staff
from storage.safety import queries as safety_db
from storage.safety.tables import AuditEntry, Escalation, EscalationEvent, EscalationState

MAX_NOTE = 1000
# "Please call me": one urgent request per escalation in this time; a press meanwhile is told it arrived.
CALL_REQUEST_COOLDOWN = timedelta(minutes=10)
CALL_REPEAT_NOTE_GAP = timedelta(minutes=1)


def _audit(
    session: Session,
    now: datetime,
    action: str,
    *,
    person: Person,
    staff: Staff | None = None,
    member_id: int | None = None,
) -> None:
    session.add(
        AuditEntry(
            actor_telegram_id=person.telegram_user_id,
            staff_id=staff.id if staff else None,
            member_id=member_id,
            action=action,
            created_at=now,
        )
    )


def _reply(
    session: Session,
    person: Person,
    staff: Staff | None,
    now: datetime,
    text: str,
    buttons: list[list[tuple[str, str]]] | None = None,
) -> None:
    enqueue(
        session,
        chat_id=person.chat_id,
        staff_id=staff.id if staff else None,
        now=now,
        text=text,
        buttons=buttons,
        priority=Priority.REPLY,
    )


def _staff_or_refuse(session: Session, person: Person, action: str, now: datetime) -> Staff | None:
    staff = safety.staff_of(session, person.telegram_user_id)
    if staff is None:  # a forged or forwarded staff button (commands are refused earlier, by bot.services.access)
        access.refuse(session, person, action, now)
    return staff


def _escalation_for(session: Session, staff: Staff, escalation_id: int) -> Escalation | None:
    escalation = session.get(Escalation, escalation_id)
    if escalation is None or escalation.center_id != staff.center_id:  # another centre's is "not found"
        return None
    return escalation


StaffBody = Callable[[Session, Staff, datetime], "str | None"]


def _as_staff(ctx: ServiceContext, person: Person, action: str, body: StaffBody) -> str | None:
    """Run ``body`` for active staff in one transaction; anyone else is refused and audited."""
    now = ctx.clock.now()
    with ctx.uow() as session:
        staff = _staff_or_refuse(session, person, action, now)
        result = body(session, staff, now) if staff is not None else "not-available"
        session.commit()
    return result


def show_queue(ctx: ServiceContext, person: Person) -> None:
    def body(session: Session, staff: Staff, now: datetime) -> None:
        lang = staff.language
        rows = safety.open_escalations_for(session, staff)
        if not rows:
            _reply(session, person, staff, now, t(lang, "queue-empty"))
        else:
            lines = [_queue_line(session, e, lang, now) for e in rows[:30]]
            _reply(session, person, staff, now, t(lang, "queue-title", count=len(rows)) + "\n" + "\n".join(lines))
        _audit(session, now, "view_queue", person=person, staff=staff)

    _as_staff(ctx, person, "queue", body)


def _queue_line(session: Session, escalation: Escalation, lang: str, now: datetime) -> str:
    member = session.get(Member, escalation.member_id)
    minutes = int((now - escalation.created_at).total_seconds() // 60)
    return t(
        lang,
        "queue-line",
        id=escalation.id or 0,
        level=t(lang, safety.level_key(escalation.level)),
        pseudonym=member.pseudonym if member else "-",
        minutes=minutes,
        state=t(lang, f"esc-state-{escalation.state}"),
    )


def acknowledge(ctx: ServiceContext, person: Person, escalation_id: int) -> str | None:
    """Returns a toast id for the button, or None when done."""

    def body(session: Session, staff: Staff, now: datetime) -> None:
        lang = staff.language
        escalation = _escalation_for(session, staff, escalation_id)
        if escalation is None:
            _reply(session, person, staff, now, t(lang, "esc-not-found", id=escalation_id))
        elif escalation.state != EscalationState.OPEN:
            _reply(
                session,
                person,
                staff,
                now,
                t(lang, "esc-already", id=escalation_id, state=t(lang, f"esc-state-{escalation.state}")),
            )
        else:
            _acknowledge(session, escalation, staff, now)
            _audit(session, now, "acknowledged", person=person, staff=staff, member_id=escalation.member_id)
            _reply(session, person, staff, now, t(lang, "esc-acked", id=escalation_id, name=staff.name))

    return _as_staff(ctx, person, "ack", body)


def _acknowledge(session: Session, escalation: Escalation, staff: Staff, now: datetime) -> None:
    """The ladder stops and the member is told someone has it (from Telegram or the console)."""
    escalation.state = EscalationState.ACKNOWLEDGED
    escalation.acknowledged_at, escalation.acknowledged_by = now, staff.id
    escalation.ack_deadline_at = None
    session.add(
        EscalationEvent(escalation_id=escalation.id or 0, kind="acknowledged", staff_id=staff.id, created_at=now)
    )
    member = session.get(Member, escalation.member_id)
    if member is not None and member.status in (MemberStatus.ACTIVE, MemberStatus.PAUSED):
        enqueue(
            session,
            chat_id=member.chat_id,
            member_id=member.id,
            now=now,
            priority=Priority.URGENT,
            purpose="safety_ack",
            text=t(member.language, "safety-acknowledged"),
        )


def _resolve(session: Session, escalation: Escalation, staff: Staff, note: str, now: datetime) -> None:
    if escalation.acknowledged_at is None:
        escalation.acknowledged_at, escalation.acknowledged_by = now, staff.id
    escalation.state = EscalationState.RESOLVED
    escalation.resolved_at, escalation.resolved_by = now, staff.id
    escalation.resolution_note = note.strip()[:MAX_NOTE]
    escalation.ack_deadline_at = None
    session.add(EscalationEvent(escalation_id=escalation.id or 0, kind="resolved", staff_id=staff.id, created_at=now))


def resolve(ctx: ServiceContext, person: Person, escalation_id: int, note: str) -> None:
    def body(session: Session, staff: Staff, now: datetime) -> None:
        lang = staff.language
        escalation = _escalation_for(session, staff, escalation_id)
        if escalation is None:
            _reply(session, person, staff, now, t(lang, "esc-not-found", id=escalation_id))
        elif not note.strip():
            _reply(session, person, staff, now, t(lang, "esc-resolve-how", id=escalation_id))
        elif escalation.state == EscalationState.RESOLVED:
            _reply(
                session,
                person,
                staff,
                now,
                t(lang, "esc-already", id=escalation_id, state=t(lang, "esc-state-resolved")),
            )
        else:
            _resolve(session, escalation, staff, note, now)
            _audit(session, now, "resolved", person=person, staff=staff, member_id=escalation.member_id)
            _reply(session, person, staff, now, t(lang, "esc-resolved", id=escalation_id))

    _as_staff(ctx, person, "resolve", body)


def console_act(ctx: ServiceContext, staff_id: int, escalation_id: int, action: str, note: str = "") -> str:
    """Acknowledge (``action`` "ack") or resolve ("resolve", with a note) from the web console, as
    /ack and /resolve do: the same state change, the member told, the ladder stopped; audited as
    ``console:ack`` / ``console:resolve``. Returns "done", "not-found", "already" or "note-needed"."""
    now = ctx.clock.now()
    with ctx.uow() as session:
        staff = session.get(Staff, staff_id)
        escalation = _escalation_for(session, staff, escalation_id) if staff is not None and staff.active else None
        if staff is None or escalation is None:
            return "not-found"
        if action == "resolve" and not note.strip():
            return "note-needed"
        if escalation.state == EscalationState.RESOLVED or (
            action == "ack" and escalation.state != EscalationState.OPEN
        ):
            return "already"
        if action == "ack":
            _acknowledge(session, escalation, staff, now)
        else:
            _resolve(session, escalation, staff, note, now)
        session.add(
            AuditEntry(
                actor_telegram_id=staff.telegram_user_id,
                staff_id=staff.id,
                member_id=escalation.member_id,
                action=f"console:{action}",
                created_at=now,
            )
        )
        session.commit()
    return "done"


def resolve_prompt(ctx: ServiceContext, person: Person, escalation_id: int) -> str | None:
    def body(session: Session, staff: Staff, now: datetime) -> None:
        _reply(session, person, staff, now, t(staff.language, "esc-resolve-how", id=escalation_id))

    return _as_staff(ctx, person, "resolve", body)


def show_history(ctx: ServiceContext, person: Person, escalation_id: int) -> str | None:
    def body(session: Session, staff: Staff, now: datetime) -> None:
        escalation = _escalation_for(session, staff, escalation_id)
        member = session.get(Member, escalation.member_id) if escalation else None
        if member is None:
            _reply(session, person, staff, now, t(staff.language, "esc-not-found", id=escalation_id))
        else:
            _send_summary(session, person, staff, member, now)

    return _as_staff(ctx, person, "history", body)


def member_summary(ctx: ServiceContext, person: Person, pseudonym: str) -> None:
    def body(session: Session, staff: Staff, now: datetime) -> None:
        member = people_db.member_by_pseudonym(session, staff.center_id, pseudonym) if pseudonym.strip() else None
        if member is None:
            _reply(session, person, staff, now, t(staff.language, "member-not-found"))
        else:
            _send_summary(session, person, staff, member, now)

    _as_staff(ctx, person, "member", body)


def _send_summary(session: Session, person: Person, staff: Staff, member: Member, now: datetime) -> None:
    lang = staff.language
    today = local_date(now, member.timezone)
    checkins = checkins_db.recent_checkins(session, member.id or 0, today, days=14)
    open_one = safety_db.open_escalation(session, member.id or 0)
    text = t(
        lang,
        "member-summary",
        pseudonym=member.pseudonym,
        name=member.display_name or "-",
        status=t(lang, f"member-status-{member.status}"),
        language=t(lang, f"lang-name-{member.language}"),
        time=member.checkin_time,
        history=safety.history_lines(checkins, lang),
        escalation=f"#{open_one.id}" if open_one else "-",
    )
    _audit(session, now, "view_member", person=person, staff=staff, member_id=member.id)
    _reply(session, person, staff, now, text)


def request_call(ctx: ServiceContext, person: Person, escalation_id: int) -> str | None:
    """The member pressed "Please call me" under a safety reply."""
    now = ctx.clock.now()
    with ctx.uow() as session:
        member = people_db.member_by_telegram_id(session, person.telegram_user_id)
        escalation = session.get(Escalation, escalation_id)
        if member is None or escalation is None or escalation.member_id != member.id:
            return "button-expired"
        center = session.get(Center, member.center_id)
        asked = safety_db.last_escalation_event_at(session, escalation.id or 0, "call_requested")
        if asked is not None and now - asked < CALL_REQUEST_COOLDOWN:
            # Pressed again: the counsellor already has it. Say so kindly instead of alerting again
            # (a message at most once a minute, a short toast for the presses between).
            repeated = safety_db.last_escalation_event_at(session, escalation.id or 0, "call_repeated")
            if repeated is not None and now - repeated < CALL_REPEAT_NOTE_GAP:
                return "safety-call-received"
            session.add(EscalationEvent(escalation_id=escalation.id or 0, kind="call_repeated", created_at=now))
            views.say(
                session,
                member,
                "safety-call-already-requested",
                now,
                minutes=max(1, int((now - asked).total_seconds() // 60)),
                ack=center.ack_urgent_minutes if center else 10,
                helplines=views.helplines(center, member.language),
            )
            session.commit()
            return None
        people = safety.recipients(session, escalation, member) or [
            s for s in people_db.centre_counsellors(session, member.center_id) if s.chat_id and s.reachable
        ]
        for staff in people:
            enqueue(
                session,
                chat_id=staff.chat_id or 0,
                staff_id=staff.id,
                now=now,
                priority=Priority.URGENT,
                purpose="call_request",
                text=t(
                    staff.language,
                    "esc-call-request",
                    pseudonym=member.pseudonym,
                    name=member.display_name or "-",
                    id=escalation.id or 0,
                ),
            )
        session.add(EscalationEvent(escalation_id=escalation.id or 0, kind="call_requested", created_at=now))
        views.say(
            session,
            member,
            "safety-call-requested" if people else "craving-reach-out-none",
            now,
            helplines=views.helplines(center, member.language),
        )
        session.commit()
    return None
