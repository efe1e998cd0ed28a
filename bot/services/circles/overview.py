"""Circles as the console shows them: health in numbers, the next meeting, and held messages to review.

Counts only, never who wrote what; a held message's words are shown to the staff who decide on it, as
the Telegram review shows them, and the release or discard is the same use case as the buttons'.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlmodel import Session, col, select

from bot.domain import relay as rules
from bot.i18n import t
from bot.services.circles.common import center_tz, local_time
from bot.services.circles.facilitation import HEALTH_DAYS
from bot.services.circles.moderation import review_held
from bot.services.context import Person, ServiceContext
from storage.circles import queries as circles_db
from storage.circles.tables import Circle, CircleMessage, CircleMessageStatus
from storage.people.tables import Member, Staff


@dataclass(frozen=True)
class CircleOverview:
    id: int
    name: str
    kind: str
    language: str
    capacity: int
    members: int
    writers: int  # members who wrote in the last HEALTH_DAYS days
    messages_per_day: float
    reports: int  # in the last HEALTH_DAYS days
    held: int
    facilitator: str | None
    schedule: str | None  # in words of the staff member's language (schedule_text)
    next_meeting: str | None  # local "dd/mm HH:MM", the centre's time zone
    next_goal: str | None
    closed: bool


@dataclass(frozen=True)
class HeldMessage:
    id: int
    circle_id: int
    circle: str
    pseudonym: str
    reason: str  # abuse | review
    text: str
    held_at: str  # local "dd/mm HH:MM"


def schedule_text(lang: str, spec: str | None) -> str | None:
    """A circle's stored schedule (``weekly sat 11:00 90``) in words of ``lang``; one that does not
    read as a schedule is shown as it was typed."""
    if not spec:
        return None
    try:
        schedule = rules.parse_schedule(spec)
    except rules.ScheduleError:
        return spec
    at, minutes = schedule.at.strftime("%H:%M"), schedule.minutes
    if schedule.weekday is None:
        return t(lang, "console-schedule-daily", time=at, minutes=minutes)
    return t(lang, "console-schedule-weekly", day=rules.WEEKDAYS[schedule.weekday], time=at, minutes=minutes)


def visible_circles(session: Session, center_id: int, facilitator_id: int | None) -> list[Circle]:
    """The centre's circles, or only those ``facilitator_id`` facilitates."""
    if facilitator_id is not None:
        return [c for c in circles_db.circles_facilitated_by(session, facilitator_id) if c.center_id == center_id]
    return list(circles_db.circles_of_center(session, center_id))


def overviews(ctx: ServiceContext, center_id: int, *, facilitator_id: int | None, lang: str) -> list[CircleOverview]:
    now = ctx.clock.now()
    since = now - timedelta(days=HEALTH_DAYS)
    with ctx.uow() as session:
        rows = []
        for circle in visible_circles(session, center_id, facilitator_id):
            counts = circles_db.circle_health(session, circle.id or 0, since)
            settings = circles_db.settings_of(session, circle.id or 0)
            meeting = circles_db.next_meeting(session, circle.id or 0)
            facilitator = session.get(Staff, circle.facilitator_id) if circle.facilitator_id else None
            tz = center_tz(session, circle, ctx.default_timezone)
            rows.append(
                CircleOverview(
                    id=circle.id or 0,
                    name=circle.name,
                    kind=circle.kind,
                    language=circle.language,
                    capacity=circle.capacity,
                    members=counts["members"],
                    writers=counts["active"],
                    messages_per_day=round(counts["messages"] / HEALTH_DAYS, 1),
                    reports=counts["reports"],
                    held=counts["held"],
                    facilitator=facilitator.name if facilitator else None,
                    schedule=schedule_text(lang, settings.schedule if settings else None),
                    next_meeting=local_time(meeting.starts_at, tz) if meeting else None,
                    next_goal=(meeting.custom_goal or t(lang, f"circle-goal-{meeting.goal}")) if meeting else None,
                    closed=bool(settings and settings.closed_at),
                )
            )
        return rows


def held_messages(ctx: ServiceContext, center_id: int, *, facilitator_id: int | None) -> list[HeldMessage]:
    with ctx.uow() as session:
        circles = {c.id: c for c in visible_circles(session, center_id, facilitator_id)}
        if not circles:
            return []
        rows = session.exec(
            select(CircleMessage, Member)
            .join(Member, col(Member.id) == col(CircleMessage.member_id))
            .where(col(CircleMessage.circle_id).in_(circles), CircleMessage.status == CircleMessageStatus.HELD)
            .order_by(col(CircleMessage.created_at))
            .limit(200)
        ).all()
        result = []
        for message, member in rows:
            circle = circles[message.circle_id]
            tz = center_tz(session, circle, ctx.default_timezone)
            result.append(
                HeldMessage(
                    id=message.id or 0,
                    circle_id=circle.id or 0,
                    circle=circle.name,
                    pseudonym=member.pseudonym,
                    reason=message.hold_reason or "abuse",
                    text=message.text or "",
                    held_at=local_time(message.created_at, tz),
                )
            )
        return result


def review(
    ctx: ServiceContext, center_id: int, staff_id: int, message_id: int, *, release: bool, facilitator_only: bool
) -> str | None:
    """The console's release / keep back: the Telegram buttons' use case. Returns a refusal's message id
    (``button-expired`` for a message of another centre or circle, or ``circle-review-done-already``)."""
    now = ctx.clock.now()
    with ctx.uow() as session:
        staff = session.get(Staff, staff_id)
        message = session.get(CircleMessage, message_id)
        if staff is None or not staff.active or staff.center_id != center_id or message is None:
            return "button-expired"
        allowed = visible_circles(session, center_id, staff.id if facilitator_only else None)
        if message.circle_id not in {c.id for c in allowed}:
            return "button-expired"
        person = Person(telegram_user_id=staff.telegram_user_id or 0, chat_id=staff.chat_id or 0)
        refusal = review_held(session, person, staff, message_id, release, now, None, via="console")
        session.commit()
        return refusal


__all__ = [
    "CircleOverview",
    "HeldMessage",
    "held_messages",
    "overviews",
    "review",
    "schedule_text",
    "visible_circles",
]
