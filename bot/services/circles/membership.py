"""Joining and leaving a circle, the welcome, one gentle invitation after 14 quiet days, and a
counsellor told once when one of their members blocked the bot.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

from sqlmodel import Session

from bot.domain import channels
from bot.domain.outgoing import Priority
from bot.domain.relay import build_relay
from bot.domain.scheduling import is_quiet_hours
from bot.i18n import t
from bot.services.circles.common import (
    CircleError,
    fan_out,
    say,
    tell_staff,
)
from bot.services.context import ServiceContext
from bot.services.outbox import enqueue
from storage.circles import queries as circles_db
from storage.circles.tables import Circle, CircleMembership, CircleMessage, UnreachableNotice
from storage.people import queries as people_db
from storage.people.tables import Member, Staff

QUIET_DAYS = 14


def join(session: Session, member: Member, circle: Circle, now: datetime) -> None:
    """Put a member in a circle (leaving any other: one active circle at most) and welcome them."""
    settings = circles_db.settings_of(session, circle.id or 0)
    if settings is not None and settings.closed_at is not None:
        raise CircleError("circle-closed", f"the circle {circle.name!r} is closed")
    if circle.center_id != member.center_id:
        raise CircleError("circle-move-how", "the member and the circle belong to different centres")
    current = circles_db.active_membership(session, member.id or 0)
    if current is not None and current.circle_id == circle.id:
        raise CircleError("circle-already-there", f"{member.pseudonym} is already in {circle.name!r}")
    if circles_db.member_count(session, circle.id or 0) >= circle.capacity:
        raise CircleError("circle-full", f"the circle {circle.name!r} is full ({circle.capacity} members)")
    if current is not None:
        leave(session, member, now, reason="moved")
    membership = CircleMembership(circle_id=circle.id or 0, member_id=member.id or 0, joined_at=now)
    session.add(membership)
    session.flush()
    if member.status in circles_db.RECEIVING:
        _welcome(session, membership, member, circle, now)


def _welcome(session: Session, membership: CircleMembership, member: Member, circle: Circle, now: datetime) -> None:
    seat = circles_db.participant(session, membership)
    seat.welcomed_at = now
    lang = member.language
    enqueue(
        session,
        chat_id=member.chat_id,
        member_id=member.id,
        now=now,
        text=t(
            lang,
            "circle-welcome",
            circle=circle.name,
            pseudonym=member.pseudonym,
            kind=t(lang, f"circle-kind-{circle.kind}"),
        )
        + _unprotected_note(session, member, circle),
    )
    message = CircleMessage(circle_id=circle.id or 0, member_id=member.id, kind="joined", created_at=now)
    session.add(message)
    session.flush()
    fan_out(
        session,
        circle,
        message,
        now,
        lambda lang_: build_relay(member.pseudonym, t(lang_, "circle-joined-body"), icon="👋"),
        exclude_member=member.id,
    )


def _unprotected_note(session: Session, member: Member, circle: Circle) -> str:
    """Said honestly when someone in the circle (this member too) is on a channel that cannot stop a
    message being forwarded or saved, nor take it back from a phone."""
    chats = [member.chat_id, *(m.chat_id for _, m in circles_db.circle_members(session, circle.id or 0))]
    if all(channels.capabilities(chat).can_protect for chat in chats):
        return ""
    return "\n\n" + t(member.language, "circle-welcome-unprotected")


def leave(session: Session, member: Member, now: datetime, *, reason: str = "removed") -> Circle | None:
    """End the member's circle membership; they are told kindly (a move says where they went instead)."""
    membership = circles_db.active_membership(session, member.id or 0)
    if membership is None:
        return None
    membership.left_at = now
    circle = session.get(Circle, membership.circle_id)
    if reason != "moved" and member.status in circles_db.RECEIVING and circle is not None:
        say(session, member, f"circle-left-{reason}", now, circle=circle.name)
    return circle


def run_welcomes(ctx: ServiceContext, limit: int = 500) -> int:
    """Members who joined a circle by invite while onboarding get its welcome once they are active."""
    now = ctx.clock.now()
    with ctx.uow() as session:
        rows = circles_db.unwelcomed_memberships(session, limit)
        for membership, member in rows:
            # Read afresh under the membership's lock: another worker may have just welcomed them.
            if circles_db.participant(session, membership).welcomed_at is not None:
                continue
            circle = session.get(Circle, membership.circle_id)
            settings = circles_db.settings_of(session, membership.circle_id)
            if circle is None or (settings is not None and settings.closed_at is not None):
                circles_db.participant(session, membership).welcomed_at = now
                continue
            _welcome(session, membership, member, circle, now)
        session.commit()
    return len(rows)


def run_quiet_invitations(ctx: ServiceContext, limit: int = 500) -> int:
    """One gentle invitation to members who have not written in their circle for 14 days (in the daytime)."""
    now = ctx.clock.now()
    sent = 0
    with ctx.uow() as session:
        for membership, member in circles_db.quiet_memberships(session, now - timedelta(days=QUIET_DAYS), limit):
            if is_quiet_hours(now, member.timezone, start=time(20, 0), end=time(10, 0)):
                continue
            circle = session.get(Circle, membership.circle_id)
            seat = circles_db.participant(session, membership)  # read afresh under the lock (another worker)
            if circle is None or (
                seat.invited_at is not None and seat.invited_at >= (seat.last_posted_at or membership.joined_at)
            ):
                continue
            seat.invited_at = now
            enqueue(
                session,
                chat_id=member.chat_id,
                member_id=member.id,
                now=now,
                priority=Priority.SCHEDULED,
                purpose="circle_invite",
                dedupe_key=f"cinv:{membership.id}:{now.date().isoformat()}",
                text=t(member.language, "circle-invite-back", circle=circle.name),
            )
            sent += 1
        session.commit()
    return sent


def run_unreachable_notices(ctx: ServiceContext, limit: int = 200) -> int:
    """A circle member blocked the bot: they stay (marked unreachable) and their counsellor is told, once
    (at once, rather than at the attendance scan's morning look, which then says nothing more)."""
    now = ctx.clock.now()
    told = 0
    with ctx.uow() as session:
        for member in circles_db.unreachable_without_notice(session, limit):
            if session.get(UnreachableNotice, member.id) is not None:  # another worker told them just now
                continue
            counsellor = session.get(Staff, member.counsellor_id) if member.counsellor_id else None
            if counsellor is None or not counsellor.active or not counsellor.chat_id or not counsellor.reachable:
                counsellor = people_db.default_counsellor(session, member.center_id)
            session.add(
                UnreachableNotice(member_id=member.id or 0, staff_id=counsellor.id if counsellor else None, told_at=now)
            )
            if counsellor is not None and counsellor.chat_id:
                tell_staff(
                    session,
                    counsellor,
                    t(
                        counsellor.language,
                        "circle-unreachable-staff",
                        pseudonym=member.pseudonym,
                        name=member.display_name or "-",
                    ),
                    now,
                    priority=Priority.SCHEDULED,
                )
                told += 1
        session.commit()
    return told
