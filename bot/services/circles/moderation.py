"""Reports, held messages reviewed by staff, mutes, and staff's /mute /remove /move."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlmodel import Session

from bot.domain.callbacks import encode
from bot.i18n import t
from bot.services import safety
from bot.services.circles.common import (
    CircleError,
    audit,
    center_tz,
    circle_of,
    excerpt,
    fan_out,
    find_reviewer,
    local_time,
    member_render,
    not_staff,
    say,
    stranger,
    tell_staff,
)
from bot.services.circles.membership import join, leave
from bot.services.context import Person, ServiceContext
from bot.services.outbox import enqueue_edit
from storage.circles import queries as circles_db
from storage.circles.tables import Circle, CircleMembership, CircleMessage, CircleMessageStatus, CircleReport
from storage.people import queries as people_db
from storage.people.tables import Member, Staff

log = logging.getLogger(__name__)

REVIEW_AFTER_REPORTERS = 2  # distinct members reporting someone within REPORT_WINDOW


REPORT_WINDOW = timedelta(days=14)


DEFAULT_MUTE_MINUTES = 60


MAX_MUTE_MINUTES = 7 * 24 * 60


def report(ctx: ServiceContext, person: Person, reply_to_message_id: int | None) -> None:
    """/report as a reply to a relayed message: to the facilitator or counsellor, under the reporter's pseudonym."""
    now = ctx.clock.now()
    with ctx.uow() as session:
        member = people_db.member_by_telegram_id(session, person.telegram_user_id)
        if member is None:
            stranger(session, person, now)
            session.commit()
            return
        copy = (
            circles_db.copy_by_delivered_id(session, person.chat_id, reply_to_message_id)
            if reply_to_message_id
            else None
        )
        message = session.get(CircleMessage, copy.circle_message_id) if copy is not None else None
        if message is None or copy is None or copy.member_id != member.id:
            say(session, member, "circle-report-how", now)
        elif circles_db.report_exists(session, message.id or 0, member.id or 0):
            say(session, member, "circle-report-already", now)
        else:
            _file_report(session, member, message, now)
        session.commit()


def _file_report(session: Session, reporter: Member, message: CircleMessage, now: datetime) -> None:
    circle = session.get(Circle, message.circle_id)
    if circle is None:
        return
    session.add(
        CircleReport(
            circle_id=circle.id or 0,
            circle_message_id=message.id or 0,
            reporter_member_id=reporter.id or 0,
            reported_member_id=message.member_id,
            created_at=now,
        )
    )
    session.flush()
    say(session, reporter, "circle-report-thanks", now)
    author = session.get(Member, message.member_id) if message.member_id else None
    author_staff = session.get(Staff, message.staff_id) if message.staff_id else None
    reviewer = find_reviewer(session, circle, not_staff_id=author_staff.id if author_staff else None)
    if reviewer is None:
        log.warning("circle %s: a report has nobody to read it", circle.id)
        return
    lang = reviewer.language
    speaker = author.pseudonym if author is not None else author_staff.name if author_staff is not None else "-"
    buttons = None
    if author is not None:
        membership = circles_db.active_membership(session, author.id or 0)
        if membership is not None:
            buttons = [
                [
                    (t(lang, "btn-circle-mute-hour"), encode("cir", "mute", membership.id or 0, 60)),
                    (t(lang, "btn-circle-mute-day"), encode("cir", "mute", membership.id or 0, 1440)),
                ]
            ]
    tell_staff(
        session,
        reviewer,
        t(
            lang,
            "circle-report-staff",
            circle=circle.name,
            reporter=reporter.pseudonym,
            pseudonym=speaker,
            text=excerpt(message.text),
        ),
        now,
        buttons=buttons,
    )
    if author is None:
        return
    membership = circles_db.active_membership(session, author.id or 0)
    if membership is None:
        return
    seat = circles_db.participant(session, membership)
    if (
        not seat.review_hold
        and circles_db.distinct_reporters(session, author.id or 0, now - REPORT_WINDOW) >= REVIEW_AFTER_REPORTERS
    ):
        seat.review_hold = True
        tell_staff(
            session,
            reviewer,
            t(lang, "circle-review-hold-on", pseudonym=author.pseudonym, circle=circle.name),
            now,
            buttons=[[(t(lang, "btn-circle-lift-review"), encode("cir", "rv", membership.id or 0, "off"))]],
        )


def review_held(
    session: Session,
    person: Person,
    staff: Staff,
    message_id: int,
    release: bool,
    now: datetime,
    staff_message_id: int | None,
    *,
    via: str | None = None,
) -> str | None:
    """Release a held message to the circle, or keep it back: from the Telegram buttons, or from the
    console (``via="console"``: audited as ``console:circle_release``, no button message to edit)."""
    message = session.get(CircleMessage, message_id)
    circle = session.get(Circle, message.circle_id) if message is not None else None
    if message is None or circle is None or circle.center_id != staff.center_id:
        return "button-expired"
    if message.status != CircleMessageStatus.HELD:
        return "circle-review-done-already"
    author = session.get(Member, message.member_id) if message.member_id else None
    message.reviewed_by = staff.id
    lang = staff.language
    if release and author is not None and circle_of(session, author) is not None:
        message.status = CircleMessageStatus.RELAYED
        fan_out(
            session,
            circle,
            message,
            now,
            member_render(author.pseudonym, message.text or ""),
            exclude_member=author.id,
            reply_to=session.get(CircleMessage, message.reply_to_id) if message.reply_to_id else None,
        )
        say(session, author, "circle-released", now)
        outcome = t(lang, "circle-review-released")
    else:
        message.status = CircleMessageStatus.DECLINED
        outcome = t(lang, "circle-review-kept")
    action = "circle_release" if release else "circle_keep_held"
    audit(
        session,
        now,
        f"{via}:{action}" if via else action,
        staff=staff,
        person=person,
        member_id=author.id if author else None,
    )
    if staff_message_id is not None:
        enqueue_edit(
            session,
            chat_id=person.chat_id,
            message_id=staff_message_id,
            now=now,
            text=t(
                lang,
                f"circle-review-{message.hold_reason or 'abuse'}",
                circle=circle.name,
                pseudonym=author.pseudonym if author else "-",
                text=excerpt(message.text),
            )
            + "\n\n"
            + outcome,
        )
    return None


def _membership_at_centre(
    session: Session, staff: Staff, membership_id: int
) -> tuple[CircleMembership, Member, Circle] | None:
    membership = session.get(CircleMembership, membership_id)
    if membership is None or membership.left_at is not None:
        return None
    member = session.get(Member, membership.member_id)
    circle = session.get(Circle, membership.circle_id)
    if member is None or circle is None or circle.center_id != staff.center_id:
        return None
    return membership, member, circle


def lift_review(session: Session, person: Person, staff: Staff, membership_id: int, now: datetime) -> str | None:
    found = _membership_at_centre(session, staff, membership_id)
    if found is None:
        return "button-expired"
    circles_db.participant(session, found[0]).review_hold = False
    audit(session, now, "circle_lift_review", staff=staff, person=person, member_id=found[1].id)
    return "circle-review-lifted"


def mute_membership(
    session: Session, person: Person, staff: Staff, membership_id: int, minutes: int, now: datetime
) -> str | None:
    found = _membership_at_centre(session, staff, membership_id)
    if found is None or not 1 <= minutes <= MAX_MUTE_MINUTES:
        return "button-expired"
    membership, member, circle = found
    _apply_mute(session, person, staff, membership, member, circle, minutes, now)
    return "circle-muted-toast"


def _apply_mute(
    session: Session,
    person: Person,
    staff: Staff,
    membership: CircleMembership,
    member: Member,
    circle: Circle,
    minutes: int,
    now: datetime,
) -> str:
    seat = circles_db.participant(session, membership)
    seat.muted_until, seat.muted_by = now + timedelta(minutes=minutes), staff.id
    until = local_time(seat.muted_until, center_tz(session, circle, member.timezone), "%d/%m %H:%M")
    say(session, member, "circle-muted-member", now, until=until)
    audit(session, now, "circle_mute", staff=staff, person=person, member_id=member.id)
    return until


def split_pseudonym(args: Sequence[str]) -> tuple[str, list[str]]:
    """``["Lotus", "27", "30"]`` → ``("Lotus 27", ["30"])``: a pseudonym ends at its number."""
    for index, word in enumerate(args):
        if word.isdigit():
            return " ".join(args[: index + 1]), list(args[index + 1 :])
    return " ".join(args), []


def staff_action(ctx: ServiceContext, person: Person, action: str, args: Sequence[str]) -> None:
    """/mute <pseudonym> [minutes], /remove <pseudonym>, /move <pseudonym> <circle>: staff of the member's centre."""
    now = ctx.clock.now()
    with ctx.uow() as session:
        staff = safety.staff_of(session, person.telegram_user_id)
        if staff is None:
            not_staff(session, person, f"circle_{action}", now)
            session.commit()
            return
        lang = staff.language
        pseudonym, rest = split_pseudonym(args)
        member = people_db.member_by_pseudonym(session, staff.center_id, pseudonym) if pseudonym else None
        found = circle_of(session, member) if member is not None else None
        if member is None or (found is None and action != "move"):
            tell_staff(session, staff, t(lang, f"circle-{action}-how"), now)
        elif action == "mute" and found is not None:
            minutes = int(rest[0]) if rest and rest[0].isdecimal() and len(rest[0]) <= 6 else DEFAULT_MUTE_MINUTES
            minutes = max(1, min(minutes, MAX_MUTE_MINUTES))
            until = _apply_mute(session, person, staff, found[0], member, found[1], minutes, now)
            tell_staff(session, staff, t(lang, "circle-mute-done", pseudonym=member.pseudonym, until=until), now)
        elif action == "remove" and found is not None:
            leave(session, member, now, reason="removed")
            audit(session, now, "circle_remove", staff=staff, person=person, member_id=member.id)
            tell_staff(
                session, staff, t(lang, "circle-remove-done", pseudonym=member.pseudonym, circle=found[1].name), now
            )
        elif action == "move":
            target = circles_db.circle_by_name(session, staff.center_id, " ".join(rest)) if rest else None
            if target is None:
                tell_staff(session, staff, t(lang, "circle-move-how"), now)
            else:
                try:
                    join(session, member, target, now)
                except CircleError as exc:
                    tell_staff(session, staff, t(lang, exc.key, circle=target.name), now)
                else:
                    audit(session, now, "circle_move", staff=staff, person=person, member_id=member.id)
                    tell_staff(
                        session, staff, t(lang, "circle-move-done", pseudonym=member.pseudonym, circle=target.name), now
                    )
        session.commit()
