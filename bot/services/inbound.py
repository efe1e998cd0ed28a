"""Where a person's words go: the one router for typed text, swipe-replies, edits and media.

Channel-neutral: it takes a :class:`Person`, the text and message ids, never a Telegram type, so
another messaging channel calls the same functions. Each entry opens ONE unit of work, decides
with read-only checks (or by the member's state) whose the words are, calls exactly one use case
inside that unit of work and commits once: the words, everything they caused and "this update is
handled" (bot/services/updates.py) are stored together.

The order, for a swipe-reply: a sponsor or talk thread, then the circle it answers; anything
else, and all typed text: onboarding answer, menu button, /help, a settings answer, a check-in
answer, the circle, or the menu. Free text is risk-screened before a check-in or circle reads it.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from bot.domain.scheduling import parse_time_text
from bot.i18n import normalise_language, t
from bot.services import (
    checkins,
    conversation,
    cravings,
    member_settings,
    onboarding,
    safety,
    talk,
    updates,
    views,
)
from bot.services.circles import facilitation as circle_facilitation
from bot.services.circles import relay as circle_relay
from bot.services.circles.common import circle_of
from bot.services.context import Person, ServiceContext
from bot.services.outbox import enqueue
from bot.services.sponsors import threads as sponsor_threads
from storage.outbox import queries as outbox_db
from storage.people import queries as people_db
from storage.people.tables import Member, MemberStatus

MAX_TEXT = 4096


def handle_text(
    ctx: ServiceContext,
    person: Person,
    text: str,
    message_id: int | None = None,
    reply_to_message_id: int | None = None,
) -> None:
    """A new text message, typed or sent as a reply to one of ours."""
    now = ctx.clock.now()
    with ctx.uow() as session:
        member = people_db.member_by_telegram_id(session, person.telegram_user_id)
        if reply_to_message_id is None or not _answered_reply(
            session, person, member, text, now, message_id, reply_to_message_id
        ):
            _typed(session, person, member, text, now, message_id)
        session.commit()


def _answered_reply(
    session: Session,
    person: Person,
    member: Member | None,
    text: str,
    now: datetime,
    message_id: int | None,
    reply_to_message_id: int,
) -> bool:
    """A reply into a sponsor/talk thread or a circle; False when it answers nothing of theirs
    (then it is ordinary typed text)."""
    thread = sponsor_threads.thread_replied_to(session, person.chat_id, reply_to_message_id)
    if thread is not None:
        sponsor_threads.reply_in_thread(session, person, thread, text, now, message_id)
        return True
    if member is None:
        if not circle_relay.facilitates_reply(session, person, reply_to_message_id):
            return _unless_still_sending(session, person, now)
        circle_facilitation.post_as_facilitator(session, person, "say", text, now, message_id, reply_to_message_id)
        return True
    target = (
        circle_relay.reply_target(session, member, person.chat_id, reply_to_message_id)
        if len(text) <= MAX_TEXT
        else None
    )
    if target is None:
        return _unless_still_sending(session, person, now)
    circle_relay.relay_reply(session, member, target, text, now, message_id)
    return True


def _unless_still_sending(session: Session, person: Person, now: datetime) -> bool:
    """False (the reply answers nothing of ours: ordinary text), unless a message to this chat is being
    sent right now: the reply may answer it before its message id is recorded (a quick swipe-reply while
    the database is slow), so the update waits a moment (updates.NotYet) rather than lose its thread."""
    if outbox_db.sending_to(session, person.chat_id, now):
        raise updates.NotYet("a reply to a message whose send is still being recorded")
    return False


def _typed(
    session: Session, person: Person, member: Member | None, text: str, now: datetime, message_id: int | None
) -> None:
    if member is None:
        staff = people_db.staff_by_telegram_id(session, person.telegram_user_id)
        key = "staff-not-member" if staff is not None else "start-no-code"
        enqueue(session, chat_id=person.chat_id, now=now, text=t(normalise_language(person.language_code), key))
        return
    if member.status == MemberStatus.ONBOARDING:
        if member.onboarding_step == "time":
            onboarding.answer_time(session, member, parse_time_text(text), now)
        elif member.onboarding_step == "sobriety":
            onboarding.answer_sobriety(session, member, text, now)
        else:
            views.say(session, member, "onboard-finish-first", now)
            onboarding.ask_current_step(session, member, now)
        return
    settled = member.status in member_settings.SETTLED
    action = views.menu_action(member.language, text)
    if action == "craving":
        cravings.send_toolkit(session, member, now)
    elif action == "settings":
        if settled:
            member_settings.show_settings(session, member, now)
    elif action == "talk":
        talk.offer_choices(session, person, now)
    elif action == "help":
        conversation.send_help(session, member, now)
    elif len(text) > MAX_TEXT:
        views.say(session, member, "fallback-too-long", now)
    elif member.awaiting == "time":
        if settled:
            member_settings.change_time(session, member, parse_time_text(text), now)
    elif member.awaiting == "sobriety":
        if settled:
            member_settings.change_sobriety(session, member, text, now)
    elif _screened_as_worrying(session, member, text, now, message_id):
        pass  # the member already has a safety reply; no "please pick 1–5" after that
    elif checkins.handle_typed_if_open(session, member, text, now):
        pass
    # already screened above: a member in a circle is talking to their circle
    elif not circle_relay.relay_screened_text(session, member, text, now, message_id=message_id):
        views.send_menu(session, member, "fallback-text", now)


def _screened_as_worrying(session: Session, member: Member, text: str, now: datetime, message_id: int | None) -> bool:
    """Screen free text before anything else reads it. A check-in note is screened with its
    answers when the check-in completes instead, so it is not screened twice."""
    if checkins.note_step_open(session, member, now):
        return False
    result = safety.screen(session, member, now, text=text, source="message", source_message_id=message_id)
    return safety.withheld(result)


def handle_edit(ctx: ServiceContext, person: Person, text: str, message_id: int | None) -> None:
    """An edited message: an edit of a circle message reaches every copy (after screening); any
    other edit is screened again, so danger added in an edit does not slip through."""
    now = ctx.clock.now()
    with ctx.uow() as session:
        member = people_db.member_by_telegram_id(session, person.telegram_user_id)
        in_circle = message_id is not None and circle_relay.edit_in_circle(
            session, person, member, text, message_id, now
        )
        if not in_circle and member is not None and member.status in member_settings.SETTLED and text:
            safety.screen(session, member, now, text=text, source="edit", source_message_id=message_id)
        session.commit()


def handle_media(
    ctx: ServiceContext, person: Person, kind: str, *, emoji: str | None = None, message_id: int | None = None
) -> None:
    """Anything but text: in a circle, a kind word on why it is not relayed (or a sticker, where
    allowed); elsewhere a kind "I can only read text"."""
    now = ctx.clock.now()
    with ctx.uow() as session:
        member = people_db.member_by_telegram_id(session, person.telegram_user_id)
        found = circle_of(session, member) if member is not None and member.status in member_settings.SETTLED else None
        if member is not None and found is not None:
            circle_relay.media_in_circle(session, member, found, kind, emoji=emoji, now=now, message_id=message_id)
        else:
            conversation.say_plain(session, person, member, "fallback-unsupported", now)
        session.commit()
