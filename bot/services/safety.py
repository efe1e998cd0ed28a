"""Screening every answer and message for risk, and escalating to a named human until one acknowledges.

The order is the promise: the Escalation row and its alerts are written in one
transaction before anything is sent, so a crash can delay an alert but never lose it.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import date, datetime, timedelta

from sqlmodel import Session, col, select

from bot.domain import coping
from bot.domain.callbacks import encode
from bot.domain.outgoing import Priority
from bot.domain.risk import (
    CheckinAnswers,
    DayRecord,
    Reason,
    RiskAssessment,
    RiskLevel,
    assess,
    level_from_followup,
    next_followup_question,
)
from bot.domain.scheduling import local_date
from bot.i18n import t
from bot.services import views
from bot.services.context import ServiceContext
from bot.services.outbox import enqueue
from storage.checkins import queries as checkins_db
from storage.checkins.tables import Checkin, CheckinStatus
from storage.outbox.tables import OutboxMessage
from storage.people import queries as people_db
from storage.people.tables import Center, Member, Staff
from storage.safety import queries as safety_db
from storage.safety.tables import Escalation, EscalationEvent, EscalationState, ScreeningFollowup
from storage.sponsors import queries as sponsors_db

log = logging.getLogger(__name__)

EXCERPT_CHARS = 500
LAST_STEP = 2  # everyone at the centre; repeated until someone acknowledges


# --- screening --------------------------------------------------------------------------------


def history_of(session: Session, member: Member, today: date) -> list[DayRecord]:
    return [
        DayRecord(
            day=c.local_date,
            mood=c.mood,
            craving=c.craving,
            used=c.used,
            checked_in=c.status == CheckinStatus.COMPLETED,
        )
        for c in checkins_db.recent_checkins(session, member.id or 0, today)
    ]


def screen(
    session: Session,
    member: Member,
    now: datetime,
    *,
    text: str | None = None,
    answers: CheckinAnswers | None = None,
    source: str,
    source_message_id: int | None = None,
    with_history: bool = False,
) -> RiskAssessment:
    """Assess, escalate when concerning, and answer the member kindly. Returns the assessment."""
    today = local_date(now, member.timezone)
    history = history_of(session, member, today) if with_history else ()
    result = assess(text, answers=answers, history=history, today=today)
    if result.level >= RiskLevel.CONCERN:
        escalation = escalate(
            session, member, result, now, source=source, excerpt=text, source_message_id=source_message_id
        )
        reply_to_member(session, member, result, escalation, now)
    if result.needs_followup and text and result.level < RiskLevel.URGENT:
        # Uncertain (a passive wish, a negated statement, a model score near the urgent line): ask the
        # C-SSRS questions, also beside a concern alert, so a "yes" raises it to urgent at once.
        start_followup(session, member, text, now)
    return result


def withheld(result: RiskAssessment) -> bool:
    """screen() took the message over (escalated, or started follow-up questions), so it must not
    go on to a peer, and the member needs no other answer to it."""
    return result.level >= RiskLevel.CONCERN or result.needs_followup


def reply_to_member(
    session: Session, member: Member, result: RiskAssessment, escalation: Escalation, now: datetime
) -> None:
    """Urgent: calm, not alone, helplines, a button to ask for a call. Concern: empathy and the toolkit."""
    lang = member.language
    center = session.get(Center, member.center_id)
    if result.level >= RiskLevel.URGENT:
        enqueue(
            session,
            chat_id=member.chat_id,
            member_id=member.id,
            now=now,
            priority=Priority.URGENT,
            purpose="safety_reply",
            text=t(lang, "safety-urgent", helplines=views.helplines(center, lang)),
            buttons=[[(t(lang, "btn-call-me"), encode("esc", escalation.id or 0, "call"))]],
        )
        return
    used = any(r.category == "use" for r in result.reasons)
    key = "safety-concern-lapse" if used else "safety-concern"
    toolkit = coping.toolkit(craving=8 if any(r.category == "craving" for r in result.reasons) else None)
    tips = "\n".join(
        t(lang, "craving-strategy", title=t(lang, f"coping-{s.id}-title"), body=t(lang, f"coping-{s.id}-body"))
        for s in toolkit[:2]
    )
    enqueue(
        session,
        chat_id=member.chat_id,
        member_id=member.id,
        now=now,
        priority=Priority.REPLY,
        purpose="safety_reply",
        text=t(lang, key) + "\n\n" + tips,
        buttons=[[(t(lang, "btn-call-me"), encode("esc", escalation.id or 0, "call"))]],
    )


# --- escalating -------------------------------------------------------------------------------


def deadline_for(center: Center | None, level: int, now: datetime) -> datetime | None:
    """When an unacknowledged alert goes further. Watch-level notices (dropout risk) wait in the
    queue for the named counsellor and never climb the ladder."""
    if level <= RiskLevel.WATCH:
        return None
    if level >= RiskLevel.URGENT:
        minutes = center.ack_urgent_minutes if center else 10
    else:
        minutes = center.ack_concern_minutes if center else 240
    return now + timedelta(minutes=minutes)


def escalate(
    session: Session,
    member: Member,
    result: RiskAssessment,
    now: datetime,
    *,
    source: str,
    excerpt: str | None,
    source_message_id: int | None = None,
) -> Escalation:
    """Create (or add to the member's open) escalation and enqueue its alerts, in the caller's transaction."""
    reasons = [{"rule": r.rule_id, "category": r.category, "matched": r.matched[:80]} for r in result.reasons]
    center = session.get(Center, member.center_id)
    current = safety_db.open_escalation(session, member.id or 0)
    if current is not None:
        _event(session, current, "attached", now, detail=",".join(r["rule"] for r in reasons)[:300])
        current.reasons = [*current.reasons, *reasons][:50]
        if result.level > current.level:  # worse than before: tell the same people again, sooner
            current.level = int(result.level)
            new_deadline = deadline_for(center, current.level, now)
            if new_deadline is not None:
                current.ack_deadline_at = min(current.ack_deadline_at or new_deadline, new_deadline)
            _alert_step(session, current, member, now, excerpt=excerpt)
        elif excerpt and result.level >= RiskLevel.CONCERN:
            # New worrying words on an alert someone already has (even acknowledged): they must see them.
            _alert_step(session, current, member, now, excerpt=excerpt)
        return current
    escalation = Escalation(
        member_id=member.id or 0,
        center_id=member.center_id,
        level=int(result.level),
        reasons=reasons,
        source=source,
        source_message_id=source_message_id,
        excerpt=(excerpt or "")[:EXCERPT_CHARS] or None,
        ack_deadline_at=deadline_for(center, int(result.level), now),
        created_at=now,
    )
    session.add(escalation)
    session.flush()
    _event(session, escalation, "created", now, detail=f"level={int(result.level)} source={source}")
    _alert_step(session, escalation, member, now, excerpt=excerpt)
    log.warning("escalation %s opened (level %s, member %s)", escalation.id, escalation.level, member.id)
    return escalation


def recipients(session: Session, escalation: Escalation, member: Member) -> list[Staff]:
    """Who this step alerts: the named counsellor, then backups, then everyone; unreachable skipped."""
    staff = [s for s in people_db.centre_counsellors(session, escalation.center_id) if s.chat_id and s.reachable]
    if escalation.step == 0:
        named = member.counsellor_id
        chosen = [s for s in staff if s.id == named] or [s for s in staff if not s.is_backup][:1]
    elif escalation.step == 1:
        chosen = [s for s in staff if s.is_backup]
    else:
        chosen = staff
    return chosen


def _alert_step(
    session: Session, escalation: Escalation, member: Member, now: datetime, *, excerpt: str | None
) -> None:
    """Alert this step's people; a step with nobody reachable moves on at once."""
    while True:
        people = recipients(session, escalation, member)
        if people:
            for person in people:
                lane = Priority.URGENT if escalation.level >= RiskLevel.CONCERN else Priority.SCHEDULED
                enqueue(
                    session,
                    chat_id=person.chat_id or 0,
                    staff_id=person.id,
                    now=now,
                    priority=lane,
                    purpose="escalation",
                    text=alert_text(session, escalation, member, person, excerpt),
                    buttons=alert_buttons(escalation, person.language),
                    escalation_id=escalation.id,
                )
                _event(session, escalation, "alerted", now, staff_id=person.id, detail=f"step={escalation.step}")
            return
        _event(session, escalation, "step_empty", now, detail=f"step={escalation.step}")
        if escalation.step >= LAST_STEP:
            log.critical("escalation %s: NO counsellor can be reached at the centre", escalation.id)
            return
        escalation.step += 1


def alert_buttons(escalation: Escalation, lang: str) -> list[list[tuple[str, str]]]:
    eid = escalation.id or 0
    return [
        [(t(lang, "btn-esc-ack"), encode("esc", eid, "ack")), (t(lang, "btn-esc-resolve"), encode("esc", eid, "res"))],
        [(t(lang, "btn-esc-history"), encode("esc", eid, "hist"))],
    ]


def alert_text(session: Session, escalation: Escalation, member: Member, staff: Staff, excerpt: str | None) -> str:
    lang = staff.language
    today = escalation.created_at.date()
    return t(
        lang,
        "esc-alert",
        level=t(lang, level_key(escalation.level)),
        id=escalation.id or 0,
        pseudonym=member.pseudonym,
        name=member.display_name or "-",
        language=t(lang, f"lang-name-{member.language}"),
        reasons=", ".join(f"{r['rule']} ({r['matched']})" for r in escalation.reasons[-6:]) or "-",
        excerpt=(excerpt or escalation.excerpt or "-")[:EXCERPT_CHARS],
        history=history_lines(checkins_db.recent_checkins(session, member.id or 0, today, days=7), lang),
        sponsor=sponsors_db.sponsor_pseudonym(session, member.id or 0) or t(lang, "esc-no-sponsor"),
        escalated=t(lang, "esc-step-note") if escalation.step > 0 else "",
    ).strip()


def level_key(level: int) -> str:
    if level >= RiskLevel.URGENT:
        return "esc-level-urgent"
    return "esc-level-concern" if level >= RiskLevel.CONCERN else "esc-level-watch"


def history_lines(checkins: Sequence[Checkin], lang: str) -> str:
    if not checkins:
        return t(lang, "esc-history-none")
    lines = []
    for c in checkins:
        day = c.local_date.strftime("%d/%m")
        if c.status == CheckinStatus.COMPLETED or c.mood is not None:
            used = t(lang, f"btn-use-{c.used}") if c.used in ("no", "yes", "undisclosed") else "-"
            lines.append(t(lang, "esc-history-line", day=day, mood=_v(c.mood), craving=_v(c.craving), used=used))
        else:
            lines.append(t(lang, "esc-history-missed", day=day))
    return "\n".join(lines)


def _v(value: object) -> str:
    return "-" if value is None else str(value)


def _event(
    session: Session,
    escalation: Escalation,
    kind: str,
    now: datetime,
    *,
    staff_id: int | None = None,
    detail: str | None = None,
) -> None:
    session.add(
        EscalationEvent(escalation_id=escalation.id or 0, kind=kind, staff_id=staff_id, detail=detail, created_at=now)
    )


def run_deadlines(ctx: ServiceContext, limit: int = 200) -> int:
    """Unacknowledged past the deadline: the next step (backups, then everyone), each step recorded."""
    now = ctx.clock.now()
    moved = 0
    with ctx.uow() as session:
        for escalation in safety_db.escalations_past_deadline(session, now, limit):
            member = session.get(Member, escalation.member_id)
            if member is None:
                continue
            escalation.step = min(escalation.step + 1, LAST_STEP)
            _event(session, escalation, "escalated", now, detail=f"step={escalation.step}")
            _alert_step(session, escalation, member, now, excerpt=None)
            escalation.ack_deadline_at = deadline_for(session.get(Center, escalation.center_id), escalation.level, now)
            moved += 1
        session.commit()
    if moved:
        log.warning("%s escalation(s) moved to the next step for lack of acknowledgement", moved)
    return moved


def recipient_unreachable(session: Session, row: OutboxMessage, now: datetime) -> bool:
    """An alert came back 403: skip to the next step now rather than at the deadline.

    Returns True when an escalation needs its next step (the caller runs the deadlines soon).
    A volunteer sponsor who blocked the bot is marked unreachable here too (called by
    ``reachability.recipient_unreachable``, which marks members and staff).
    """
    sponsors_db.mark_volunteer_unreachable(session, row)
    escalation_id = row.payload.get("escalation_id")
    if not isinstance(escalation_id, int):
        return False
    escalation = session.get(Escalation, escalation_id)
    if escalation is not None and escalation.state == EscalationState.OPEN:
        escalation.ack_deadline_at = now
        _event(session, escalation, "recipient_unreachable", now, staff_id=row.staff_id)
        return True
    return False


# --- follow-up questions ------------------------------------------------------------------------


def start_followup(session: Session, member: Member, text: str, now: datetime) -> None:
    if safety_db.open_followup(session, member.id or 0) is not None:
        return
    followup = ScreeningFollowup(
        member_id=member.id or 0,
        answers={},
        question=next_followup_question({}),
        source_excerpt=text[:EXCERPT_CHARS],
        created_at=now,
    )
    session.add(followup)
    session.flush()
    views.say(session, member, "fu-intro", now)
    _ask(session, member, followup, now)


def _ask(session: Session, member: Member, followup: ScreeningFollowup, now: datetime) -> None:
    lang = member.language
    fid, question = followup.id or 0, followup.question or ""
    enqueue(
        session,
        chat_id=member.chat_id,
        member_id=member.id,
        now=now,
        priority=Priority.REPLY,
        text=t(lang, f"fu-q-{question}"),
        buttons=[
            [
                (t(lang, "btn-use-yes"), encode("fu", fid, question, "yes")),
                (t(lang, "btn-use-no"), encode("fu", fid, question, "no")),
            ]
        ],
    )


def answer_followup(
    ctx: ServiceContext, telegram_user_id: int, followup_id: int, question: str, yes: bool
) -> str | None:
    now = ctx.clock.now()
    with ctx.uow() as session:
        member = people_db.member_by_telegram_id(session, telegram_user_id)
        followup = session.get(ScreeningFollowup, followup_id)
        if member is None or followup is None or followup.member_id != member.id or followup.finished_at:
            return "button-expired"
        if followup.question != question:
            return "checkin-stale-answer"
        followup.answers = {**followup.answers, question: yes}
        followup.question = next_followup_question(followup.answers)
        if followup.question is not None:
            _ask(session, member, followup, now)
        else:
            _finish_followup(session, member, followup, now)
        session.commit()
    return None


def _finish_followup(session: Session, member: Member, followup: ScreeningFollowup, now: datetime) -> None:
    followup.finished_at = now
    level = level_from_followup(followup.answers)
    if level >= RiskLevel.CONCERN:
        said_yes = [q for q, yes in followup.answers.items() if yes]
        result = RiskAssessment(level=level, needs_followup=False, reasons=tuple(_followup_reason(q) for q in said_yes))
        escalation = escalate(session, member, result, now, source="followup", excerpt=followup.source_excerpt)
        reply_to_member(session, member, result, escalation, now)
    else:
        center = session.get(Center, member.center_id)
        views.say(session, member, "fu-done", now, helplines=views.helplines(center, member.language))


def _followup_reason(question: str) -> Reason:
    return Reason(rule_id=f"CSSRS-{question}", category="suicide", matched=f"yes: {question}")


# --- the counsellor's side -------------------------------------------------------------------------


def staff_of(session: Session, telegram_user_id: int) -> Staff | None:
    staff = people_db.staff_by_telegram_id(session, telegram_user_id)
    return staff if staff is not None and staff.active else None


def open_escalations_for(session: Session, staff: Staff) -> list[Escalation]:
    rows = session.exec(
        select(Escalation).where(
            Escalation.center_id == staff.center_id,
            col(Escalation.state).in_((EscalationState.OPEN, EscalationState.ACKNOWLEDGED)),
        )
    ).all()
    # oldest urgent first, then oldest concern
    return sorted(rows, key=lambda e: (-e.level, e.created_at))
