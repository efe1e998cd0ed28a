"""The daily check-in: sent once per member per local day, answered by buttons or typing.

Scheduling is data: each member row holds the next due instant in UTC. The due scan
claims due members, creates the day's check-in (unique per member and local date) and
enqueues the first question in the same transaction, so a crash or a second worker can
neither lose nor double a check-in.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date, datetime, time, timedelta

from sqlmodel import Session

from bot.domain import coping
from bot.domain.checkin import CheckinState, InvalidAnswer, apply_answer, parse_typed
from bot.domain.outgoing import Priority
from bot.domain.risk import CheckinAnswers, RiskLevel
from bot.domain.scheduling import end_of_local_day, local_date, next_checkin_due, reminder_due
from bot.domain.streaks import checkin_streak, count_to_tell, milestone_reached, sober_days
from bot.i18n import t
from bot.services import attendance, onboarding, outbox, reachability, safety, views
from bot.services.circles import milestones as circle_milestones
from bot.services.context import Person, ServiceContext
from bot.services.outbox import enqueue
from storage.checkins import queries as checkins_db
from storage.checkins.tables import Checkin, CheckinStatus, CravingEvent
from storage.outbox import queries as outbox_db
from storage.people import queries as people_db
from storage.people.tables import Center, ConsentRecord, Member, MemberStatus

STREAK_LOOKBACK_DAYS = 400
HIGH_CRAVING = 7


def _checkin_time(member: Member) -> time:
    return time.fromisoformat(member.checkin_time)


def run_due_checkins(ctx: ServiceContext, limit: int = 1000) -> int:
    """Claim members whose check-in is due and enqueue today's first question.

    A batch costs a few queries, not a few per member: consents and existing check-ins are read for
    the whole batch, and the new check-ins are inserted together (their ids go into the buttons).
    """
    now = ctx.clock.now()
    with ctx.uow() as session, session.no_autoflush:
        members = checkins_db.claim_due_members(session, now, limit)
        ids = [member.id or 0 for member in members]
        consents = people_db.latest_consents(session, ids)
        taken = checkins_db.checkin_days(session, ids, since=now.date() - timedelta(days=2))
        # held here: the session's identity map is weak, and each question looks its centre up again
        centres = [session.get(Center, center_id) for center_id in {member.center_id for member in members}]
        started: list[tuple[Member, Checkin]] = []
        for member in members:
            checkin = _start_checkin(ctx, session, member, now, consents.get(member.id or 0), taken)
            if checkin is not None:
                started.append((member, checkin))
        session.flush()
        with outbox.batched(session):
            for member, checkin in started:
                views.send_checkin_question(session, member, checkin, "mood", now, scheduled=True)
        session.commit()
    del centres
    return len(started)


def _start_checkin(
    ctx: ServiceContext,
    session: Session,
    member: Member,
    now: datetime,
    consent: ConsentRecord | None,
    taken: set[tuple[int, date]],
) -> Checkin | None:
    """Today's check-in row (its question is enqueued by the caller once it has an id), or None."""
    due_at = member.next_checkin_due_at
    assert due_at is not None
    day = local_date(due_at, member.timezone)
    checkin = None
    if onboarding.consent_outdated(consent):
        # the consent text changed: ask again, and no check-in until the member has answered
        onboarding.ask_consent_again(session, member, now)
    # A due time from a day that is already over (the bot was down) is skipped, not sent late.
    elif day == local_date(now, member.timezone) and (member.id or 0, day) not in taken:
        checkin = Checkin(
            member_id=member.id or 0,
            local_date=day,
            due_at=due_at,
            reminder_due_at=reminder_due(now, timedelta(minutes=ctx.reminder_delay_minutes), day, member.timezone),
            closes_at=end_of_local_day(day, member.timezone),
        )
        session.add(checkin)
    member.last_checkin_local_date = day
    member.next_checkin_due_at = next_checkin_due(now, member.timezone, _checkin_time(member), day)
    return checkin


def run_reminders(ctx: ServiceContext, limit: int = 1000) -> int:
    now = ctx.clock.now()
    count = 0
    with ctx.uow() as session:
        with outbox.batched(session):
            for checkin in checkins_db.checkins_to_remind(session, now, limit):
                checkin.reminded_at = now
                member = session.get(Member, checkin.member_id)
                if member is None or member.status != MemberStatus.ACTIVE:
                    continue
                enqueue(
                    session,
                    chat_id=member.chat_id,
                    member_id=member.id,
                    now=now,
                    priority=Priority.SCHEDULED,
                    purpose="reminder",
                    dedupe_key=f"reminder:{checkin.id}",
                    text=t(member.language, "checkin-reminder"),
                )
                count += 1
        session.commit()
    return count


def close_missed(ctx: ServiceContext, limit: int = 1000) -> int:
    """At the end of the member's local day an unfinished check-in closes as missed."""
    now = ctx.clock.now()
    with ctx.uow() as session:
        closing = checkins_db.checkins_to_close(session, now, limit)
        for checkin in closing:
            checkin.status = CheckinStatus.MISSED
            checkin.step = None
        session.commit()
    return len(closing)


# --- answers ---------------------------------------------------------------------------------


def _state(checkin: Checkin | checkins_db.PressedCheckin) -> CheckinState:
    return CheckinState(
        step=checkin.step,
        mood=checkin.mood,
        craving=checkin.craving,
        triggers=frozenset(filter(None, (checkin.triggers or "").split(","))),
        used=checkin.used,
        note=checkin.note,
    )


def _store(checkin: Checkin | checkins_db.PressedCheckin, state: CheckinState) -> None:
    checkin.step = state.step
    checkin.mood = state.mood
    checkin.craving = state.craving
    checkin.triggers = ",".join(sorted(state.triggers)) or None
    checkin.used = state.used
    checkin.note = state.note


BUTTON_STEPS = {
    "mood": "mood",
    "crav": "craving",
    "trg": "triggers",
    "trgdone": "triggers",
    "use": "use",
    "note": "note",
}


def answer_button(
    ctx: ServiceContext, person: Person, checkin_id: int, kind: str, raw: str | None, message_id: int
) -> str | None:
    """A check-in button. Returns a toast message id for stale or invalid presses, else None."""
    step = BUTTON_STEPS.get(kind)
    if step is None:
        return "button-expired"
    value: object = _button_value(kind, raw)
    now = ctx.clock.now()
    with ctx.uow() as session:
        found = checkins_db.pressed_checkin(session, checkin_id, person.telegram_user_id)
        if found is None:  # no such check-in, or not this person's
            return "button-expired"
        pressed, who = found
        reachability.seen(session, who.status)  # the update's commit need not look them up again
        if pressed.status not in checkins_db.OPEN_CHECKIN:
            return "checkin-stale"
        try:
            before = _state(pressed)
            after = apply_answer(before, step, value)
            if _only_moves_on(step, before, after):
                # the busiest path there is: plain rows read and written back, no ORM objects
                was_step, was_triggers = pressed.step, pressed.triggers
                with outbox.batched(session):  # the edit and the next question: one statement
                    _apply(session, who, pressed, step, value, now, message_id=message_id)
                if not checkins_db.store_pressed(session, pressed, was_step=was_step, was_triggers=was_triggers):
                    session.rollback()  # another worker handled a press on it meanwhile
                    return "checkin-stale"
            else:  # the last answer, or a craving to record: the whole check-in and member
                checkin, member = session.get(Checkin, pressed.id), session.get(Member, pressed.member_id)
                if checkin is None or member is None:
                    return "button-expired"
                _apply(session, member, checkin, step, value, now, message_id=message_id)
        except InvalidAnswer as invalid:
            return "checkin-stale-answer" if invalid.reason_key == "checkin-stale" else invalid.reason_key
        session.commit()
    return None


def _only_moves_on(step: str, before: CheckinState, after: CheckinState) -> bool:
    """A press that only stores its answer and asks the next question (or redraws a toggled
    trigger): not the last step, no craving strong enough to record (as ``_apply`` does), the note
    untouched."""
    return (
        after.step is not None
        and after.note == before.note
        and not (step == "craving" and after.craving is not None and after.craving >= HIGH_CRAVING)
    )


def _button_value(kind: str, raw: str | None) -> object:
    if kind in ("mood", "crav"):
        return int(raw) if raw is not None and raw.isdigit() else -1
    if kind == "trgdone":
        return "done"
    if kind == "note":
        return None
    return raw


def answer_typed(session: Session, member: Member, checkin: Checkin, text: str, now: datetime) -> None:
    """A typed answer to the open check-in's current step; a kind correction when it doesn't fit."""
    step = checkin.step
    if step is None:
        return
    try:
        value = parse_typed(step, text)
        # the question's buttons go, as after a press (None when it was not delivered yet)
        message_id = outbox_db.sent_message_id(
            session, member.chat_id, views.checkin_question_purpose(step), since=checkin.due_at
        )
        if step == "triggers" and isinstance(value, frozenset):
            _apply_triggers(session, member, checkin, value, now, message_id)
        else:
            _apply(session, member, checkin, step, value, now, message_id=message_id)
    except InvalidAnswer as invalid:
        key = "checkin-stale-answer" if invalid.reason_key == "checkin-stale" else invalid.reason_key
        views.say(session, member, key, now)


def _apply_triggers(
    session: Session, member: Member, checkin: Checkin, chosen: Collection[str], now: datetime, message_id: int | None
) -> None:
    """Typed triggers replace the selection and move on, as if each was tapped and then Done."""
    state = _state(checkin)
    for trigger in set(chosen) - set(state.triggers):
        state = apply_answer(state, "triggers", trigger)
    _store(checkin, state)
    _apply(session, member, checkin, "triggers", "done", now, message_id=message_id)


def _apply(
    session: Session,
    member: Member | checkins_db.PressedMember,
    checkin: Checkin | checkins_db.PressedCheckin,
    step: str,
    value: object,
    now: datetime,
    *,
    message_id: int | None,
) -> None:
    """Store an answer and reply. Plain rows (``repo.pressed_checkin``) do for every step but the last
    and a strong craving (``_only_moves_on``), which need the ORM objects."""
    before = _state(checkin)
    after = apply_answer(before, step, value)
    _store(checkin, after)
    checkin.status = CheckinStatus.IN_PROGRESS
    if after.step == before.step:  # a trigger toggled: redraw the ticks
        if message_id is not None:
            views.refresh_buttons(session, member, checkin, message_id, now)
        return
    if message_id is not None:
        shown = after.triggers if step == "triggers" else getattr(after, "used" if step == "use" else step)
        views.mark_answered(session, member, message_id, step, shown, now)
    if step == "craving" and after.craving is not None and after.craving >= HIGH_CRAVING:
        session.add(CravingEvent(member_id=member.id or 0, strength=after.craving, source="checkin", created_at=now))
    if after.step is None:
        assert isinstance(member, Member) and isinstance(checkin, Checkin)  # plain rows never finish (_only_moves_on)
        _complete(session, member, checkin, now)
    else:
        views.send_checkin_question(session, member, checkin, after.step, now)


def _complete(session: Session, member: Member, checkin: Checkin, now: datetime) -> None:
    checkin.status = CheckinStatus.COMPLETED
    checkin.completed_at = now
    attendance.back_on_track(session, member, now)  # whoever was told about a gap hears it ended
    day = checkin.local_date
    lang = member.language
    if checkin.used == "yes":
        member.last_use_date = day
    result = safety.screen(
        session,
        member,
        now,
        text=checkin.note,
        source="checkin",
        with_history=True,
        answers=CheckinAnswers(mood=checkin.mood, craving=checkin.craving, used=checkin.used),
    )
    if checkin.used == "yes" and result.level < RiskLevel.CONCERN:
        views.say(session, member, "checkin-lapse", now)
    strategy = coping.choose_coping(
        mood=checkin.mood,
        craving=checkin.craving,
        triggers=_state(checkin).triggers,
        used=checkin.used,
        rotation=day.toordinal(),
    )
    checkin.coping_id = strategy.id
    since = date.fromordinal(day.toordinal() - STREAK_LOOKBACK_DAYS)
    streak = checkin_streak([*checkins_db.completed_checkin_days(session, member.id or 0, since), day], day)
    lines = [
        t(lang, "checkin-thanks"),
        t(
            lang,
            "checkin-coping",
            title=t(lang, f"coping-{strategy.id}-title"),
            body=t(lang, f"coping-{strategy.id}-body"),
        ),
        t(lang, "checkin-streak", days=streak),
    ]
    views.send_text_with_menu(session, member, "\n\n".join(lines), now)
    current = sober_days(member.sobriety_start, member.last_use_date, day)
    milestone = milestone_reached(member.sober_days_seen, current)
    told = count_to_tell(member.sober_days_seen, current)
    member.sober_days_seen = current
    if told is not None:  # the first count, or milestones that passed while we did not hear from them
        views.say(session, member, "checkin-sober-count", now, days=told)
    if milestone is not None:
        views.say(session, member, "checkin-milestone", now, days=milestone)
        circle_milestones.milestone_reached(
            session, member, milestone, now
        )  # offers to share it; nothing is shared unasked


def note_step_open(session: Session, member: Member, now: datetime) -> bool:
    checkin = checkins_db.open_checkin(session, member.id or 0)
    return checkin is not None and checkin.step == "note" and checkin.local_date == local_date(now, member.timezone)


def handle_typed_if_open(session: Session, member: Member, text: str, now: datetime) -> bool:
    """Route typed text to today's open check-in, if there is one. True when it was used."""
    checkin = checkins_db.open_checkin(session, member.id or 0)
    if checkin is None or checkin.step is None or checkin.local_date != local_date(now, member.timezone):
        return False
    answer_typed(session, member, checkin, text, now)
    return True
