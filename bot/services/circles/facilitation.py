"""/circle (a member's view, or circle health for staff) and the facilitator's /say /goal /pin."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from sqlmodel import Session

from bot.domain import relay as rules
from bot.domain.relay import RelayMessage, build_relay
from bot.i18n import t
from bot.services import safety
from bot.services.circles.common import (
    audit,
    center_tz,
    circle_of,
    facilitator_mark,
    fan_out,
    local_time,
    not_staff,
    replied_message,
    say,
    settings_row,
    staff_render,
    stranger,
    tell_staff,
)
from bot.services.context import Person, ServiceContext
from bot.services.outbox import enqueue
from storage.circles import queries as circles_db
from storage.circles.tables import Circle, CircleMessage
from storage.people import queries as people_db
from storage.people.tables import Member, MemberStatus, Staff

HEALTH_DAYS = 7


def show_circle(ctx: ServiceContext, person: Person) -> None:
    """Members: their circle, the next meeting and goal. Staff: the health of their circles."""
    now = ctx.clock.now()
    with ctx.uow() as session:
        member = people_db.member_by_telegram_id(session, person.telegram_user_id)
        staff = safety.staff_of(session, person.telegram_user_id) if member is None else None
        if staff is not None:
            _show_health(session, person, staff, now)
        elif member is None or member.status == MemberStatus.ONBOARDING:
            stranger(session, person, now)
        else:
            found = circle_of(session, member)
            if found is None:
                say(session, member, "circle-not-in-one", now)
            else:
                _show_member_view(session, member, found[1], now)
        session.commit()


def _show_member_view(session: Session, member: Member, circle: Circle, now: datetime) -> None:
    lang = member.language
    meeting = circles_db.next_meeting(session, circle.id or 0)
    settings = circles_db.settings_of(session, circle.id or 0)
    tz = center_tz(session, circle, member.timezone)
    lines = [
        t(
            lang,
            "circle-info",
            circle=circle.name,
            kind=t(lang, f"circle-kind-{circle.kind}"),
            members=circles_db.member_count(session, circle.id or 0),
            capacity=circle.capacity,
            pseudonym=member.pseudonym,
        )
    ]
    if meeting is not None:
        lines.append(
            t(
                lang,
                "circle-info-meeting",
                when=local_time(meeting.starts_at, tz),
                goal=meeting.custom_goal or t(lang, f"circle-goal-{meeting.goal}"),
            )
        )
    if settings is not None and settings.pinned_prompt:
        lines.append("📌 " + settings.pinned_prompt)
    lines.append(t(lang, "circle-info-how"))
    enqueue(session, chat_id=member.chat_id, member_id=member.id, now=now, text="\n\n".join(lines))


def _show_health(session: Session, person: Person, staff: Staff, now: datetime) -> None:
    lang = staff.language
    circles = list(circles_db.circles_facilitated_by(session, staff.id or 0)) or list(
        circles_db.circles_of_center(session, staff.center_id)
    )
    if not circles:
        tell_staff(session, staff, t(lang, "circle-health-none"), now)
        return
    since = now - timedelta(days=HEALTH_DAYS)
    lines = [t(lang, "circle-health-title", days=HEALTH_DAYS)]
    for circle in circles[:20]:
        counts = circles_db.circle_health(session, circle.id or 0, since)
        lines.append(
            t(
                lang,
                "circle-health-line",
                circle=circle.name,
                members=counts["members"],
                capacity=circle.capacity,
                active=counts["active"],
                per_day=f"{counts['messages'] / HEALTH_DAYS:.1f}",
                reports=counts["reports"],
                held=counts["held"],
            )
        )
    tell_staff(session, staff, "\n".join(lines), now)
    audit(session, now, "view_circle_health", staff=staff, person=person)


def _facilitated_circle(session: Session, staff: Staff, text: str) -> tuple[Circle | None, str]:
    """Which of the staff member's circles a command is for: "Name: text" picks one; with one circle, that one."""
    circles = list(circles_db.circles_facilitated_by(session, staff.id or 0))
    name, sep, rest = text.partition(":")
    if sep:
        for circle in circles:
            if circle.name.strip().lower() == name.strip().lower():
                return circle, rest.strip()
    return (circles[0] if len(circles) == 1 else None), text.strip()


def facilitator_post(
    ctx: ServiceContext,
    person: Person,
    what: str,
    text: str,
    message_id: int | None = None,
    reply_to_message_id: int | None = None,
) -> None:
    """/say, /goal, /pin from a circle's facilitator, shown under their staff name with the facilitator mark."""
    now = ctx.clock.now()
    with ctx.uow() as session:
        post_as_facilitator(session, person, what, text, now, message_id, reply_to_message_id)
        session.commit()


def post_as_facilitator(
    session: Session,
    person: Person,
    what: str,
    text: str,
    now: datetime,
    message_id: int | None = None,
    reply_to_message_id: int | None = None,
) -> None:
    staff = safety.staff_of(session, person.telegram_user_id)
    if staff is None:
        not_staff(session, person, f"circle_{what}", now)
        return
    replied = replied_message(session, None, person.chat_id, reply_to_message_id) if reply_to_message_id else None
    circle = session.get(Circle, replied.circle_id) if replied is not None else None
    if circle is None or circle.facilitator_id != staff.id:
        circle, text = _facilitated_circle(session, staff, text)
    lang = staff.language
    if circle is None:
        names = ", ".join(c.name for c in circles_db.circles_facilitated_by(session, staff.id or 0)) or "-"
        tell_staff(session, staff, t(lang, "circle-which", circles=names, command=what), now)
    elif not text or len(text) > rules.MAX_RELAY_CHARS:
        tell_staff(session, staff, t(lang, f"circle-{what}-how"), now)
    else:
        _post(session, staff, circle, what, text, now, message_id, replied)
        tell_staff(session, staff, t(lang, f"circle-{what}-done", circle=circle.name), now)


def _post(
    session: Session,
    staff: Staff,
    circle: Circle,
    what: str,
    text: str,
    now: datetime,
    message_id: int | None,
    replied: CircleMessage | None,
) -> None:
    kind = {"say": "text", "goal": "goal", "pin": "prompt"}[what]
    message = CircleMessage(
        circle_id=circle.id or 0,
        staff_id=staff.id,
        kind=kind,
        text=text,
        source_message_id=message_id if what == "say" else None,
        reply_to_id=replied.id if replied is not None and what == "say" else None,
        created_at=now,
    )
    session.add(message)
    session.flush()
    render: Callable[[str], RelayMessage]
    if what == "goal":
        meeting = circles_db.next_meeting(session, circle.id or 0)
        if meeting is not None:
            meeting.custom_goal = text[:500]

        def goal_render(lang: str) -> RelayMessage:
            return build_relay(
                staff.name, t(lang, "circle-goal-posted", goal=text), mark=facilitator_mark(lang), icon="🎯"
            )

        render = goal_render
    elif what == "pin":
        settings = settings_row(session, circle, now)
        settings.pinned_prompt = text[:1000]
        render = staff_render(staff, text, icon="📌")
    else:
        render = staff_render(staff, text)
    fan_out(session, circle, message, now, render, exclude_staff=staff.id, reply_to=replied if what == "say" else None)
