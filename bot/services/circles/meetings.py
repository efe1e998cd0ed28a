"""Meetings: a reminder 15 minutes before (the session goal), an opener at the start, the next one planned."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import Session

from bot.domain import relay as rules
from bot.domain.outgoing import Priority
from bot.i18n import t
from bot.services.circles.common import (
    center_tz,
    local_time,
    recipients,
)
from bot.services.context import ServiceContext
from bot.services.outbox import enqueue
from storage.circles import queries as circles_db
from storage.circles.tables import Circle, CircleMeeting


def plan_next(session: Session, circle: Circle, schedule: rules.Schedule, after: datetime, tz: str) -> CircleMeeting:
    last = circles_db.last_meeting_sequence(session, circle.id or 0)
    sequence = 0 if last is None else last + 1
    starts = rules.next_meeting_start(schedule, after, tz)
    meeting = CircleMeeting(
        circle_id=circle.id or 0,
        sequence=sequence,
        starts_at=starts,
        ends_at=starts + timedelta(minutes=schedule.minutes),
        remind_at=starts - rules.REMINDER_BEFORE,
        goal=rules.goal_for(sequence),
        created_at=after,
    )
    session.add(meeting)
    session.flush()
    return meeting


def run_due_meetings(ctx: ServiceContext, limit: int = 500) -> int:
    """Reminders 15 minutes before (with the session goal), the opener at the start, the next meeting planned.
    A reminder whose meeting already began, or a meeting that already ended, is skipped, never sent late."""
    now = ctx.clock.now()
    done = 0
    with ctx.uow() as session:
        for meeting in circles_db.claim_meetings_to_remind(session, now, limit):
            meeting.reminded_at = now
            circle = session.get(Circle, meeting.circle_id)
            if circle is not None and now < meeting.starts_at:
                done += _remind(session, circle, meeting, now, ctx.default_timezone)
        for meeting in circles_db.claim_meetings_to_start(session, now, limit):
            meeting.started_at = now
            circle = session.get(Circle, meeting.circle_id)
            settings = circles_db.settings_of(session, meeting.circle_id)
            if circle is None or settings is None or settings.closed_at is not None:
                continue
            tz = center_tz(session, circle, ctx.default_timezone)
            if now < meeting.ends_at:
                done += _open(session, circle, meeting, now)
            else:
                meeting.skipped = True
            if settings.schedule:
                plan_next(session, circle, rules.parse_schedule(settings.schedule), max(now, meeting.starts_at), tz)
        session.commit()
    return done


def _remind(session: Session, circle: Circle, meeting: CircleMeeting, now: datetime, fallback_tz: str) -> int:
    tz = center_tz(session, circle, fallback_tz)
    settings = circles_db.settings_of(session, circle.id or 0)
    pinned = settings.pinned_prompt if settings is not None else None
    people = recipients(session, circle)
    for person in people:
        lang = person.language
        text = t(
            lang,
            "circle-meeting-reminder",
            circle=circle.name,
            time=local_time(meeting.starts_at, tz, "%H:%M"),
            minutes=int((meeting.ends_at - meeting.starts_at).total_seconds() // 60),
            goal=meeting.custom_goal or t(lang, f"circle-goal-{meeting.goal}"),
        )
        if pinned:
            text += "\n📌 " + pinned
        enqueue(
            session,
            chat_id=person.chat_id,
            member_id=person.member_id,
            staff_id=person.staff_id,
            now=now,
            text=text,
            priority=Priority.SCHEDULED,
            purpose="circle_meeting",
            dedupe_key=f"cmr:{meeting.id}:{person.chat_id}",
        )
    return len(people)


def _open(session: Session, circle: Circle, meeting: CircleMeeting, now: datetime) -> int:
    opener = rules.opener_for(meeting.sequence)
    people = recipients(session, circle)
    for person in people:
        lang = person.language
        text = (
            t(
                lang,
                "circle-meeting-start",
                circle=circle.name,
                goal=meeting.custom_goal or t(lang, f"circle-goal-{meeting.goal}"),
            )
            + "\n\n"
            + t(lang, f"circle-opener-{opener}")
        )
        enqueue(
            session,
            chat_id=person.chat_id,
            member_id=person.member_id,
            staff_id=person.staff_id,
            now=now,
            text=text,
            priority=Priority.SCHEDULED,
            purpose="circle_meeting",
            dedupe_key=f"cms:{meeting.id}:{person.chat_id}",
        )
    return len(people)
