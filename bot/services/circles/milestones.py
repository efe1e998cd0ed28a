"""Milestones shared on the member's say-so, and encouragement from the circle."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from bot.domain import relay as rules
from bot.domain.callbacks import encode
from bot.domain.outgoing import Priority
from bot.domain.relay import build_relay
from bot.i18n import t
from bot.services.circles.common import (
    circle_of,
    fan_out,
)
from bot.services.context import Person
from bot.services.outbox import enqueue, enqueue_edit
from storage.circles import queries as circles_db
from storage.circles.tables import CircleMessage
from storage.people import queries as people_db
from storage.people.tables import Member


def milestone_reached(session: Session, member: Member, days: int, now: datetime) -> None:
    """After a milestone is celebrated: ask whether to share it with the circle (nothing is shared unasked)."""
    if circle_of(session, member) is None or circles_db.milestone_shared(session, member.id or 0, days):
        return
    lang = member.language
    enqueue(
        session,
        chat_id=member.chat_id,
        member_id=member.id,
        now=now,
        text=t(lang, "circle-milestone-offer", pseudonym=member.pseudonym),
        buttons=[
            [
                (t(lang, "btn-circle-share"), encode("cir", "ms", days, "y")),
                (t(lang, "btn-circle-private"), encode("cir", "ms", days, "n")),
            ]
        ],
    )


def share_milestone(
    session: Session, person: Person, days: int, share: bool, now: datetime, offer_message_id: int | None
) -> str | None:
    member = people_db.member_by_telegram_id(session, person.telegram_user_id)
    found = circle_of(session, member) if member is not None else None
    if member is None or found is None or (member.sober_days_seen or 0) < days:
        return "button-expired"
    if circles_db.milestone_shared(session, member.id or 0, days):
        return "circle-milestone-already"
    lang = member.language
    if offer_message_id is not None:
        enqueue_edit(
            session,
            chat_id=member.chat_id,
            message_id=offer_message_id,
            now=now,
            member_id=member.id,
            text=t(lang, "circle-milestone-offer", pseudonym=member.pseudonym)
            + "\n✓ "
            + t(lang, "btn-circle-share" if share else "btn-circle-private"),
        )
    if not share:
        return None
    _, circle = found
    message = CircleMessage(
        circle_id=circle.id or 0, member_id=member.id, kind="milestone", text=str(days), created_at=now
    )
    session.add(message)
    session.flush()
    mid = message.id or 0
    buttons = [(emoji, encode("cir", "enc", mid, kind)) for kind, emoji in rules.ENCOURAGEMENTS.items()]
    fan_out(
        session,
        circle,
        message,
        now,
        lambda lang_: build_relay(
            member.pseudonym, t(lang_, "circle-milestone-body", days=days), icon="🎉", buttons=buttons
        ),
        exclude_member=member.id,
    )
    return "circle-milestone-shared"


def encourage(session: Session, person: Person, milestone_id: int, kind: str, now: datetime) -> str | None:
    emoji = rules.ENCOURAGEMENTS.get(kind)
    member = people_db.member_by_telegram_id(session, person.telegram_user_id)
    milestone = session.get(CircleMessage, milestone_id)
    found = circle_of(session, member) if member is not None else None
    if (
        emoji is None
        or member is None
        or milestone is None
        or milestone.kind != "milestone"
        or found is None
        or found[1].id != milestone.circle_id
        or milestone.member_id == member.id
    ):
        return "button-expired"
    if circles_db.encouragement_sent(session, milestone_id, member.id or 0):
        return "circle-encourage-already"
    author = session.get(Member, milestone.member_id) if milestone.member_id else None
    session.add(
        CircleMessage(
            circle_id=milestone.circle_id,
            member_id=member.id,
            kind="encourage",
            text=kind,
            reply_to_id=milestone_id,
            created_at=now,
        )
    )
    if author is not None and author.status in circles_db.RECEIVING:
        built = build_relay(member.pseudonym, t(author.language, "circle-encourage-body"), icon=emoji)
        enqueue(
            session,
            chat_id=author.chat_id,
            member_id=author.id,
            now=now,
            text=built.text,
            priority=Priority.BULK,
            purpose="circle",
            protect=True,
        )
    return "circle-encourage-sent"
