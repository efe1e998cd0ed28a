"""Sponsors, mentees and "I need to talk": commands and ``sp:v1:…`` buttons (a swipe-reply to a relayed
message goes through the inbound router, handlers/inbound.py)."""

from __future__ import annotations

from telegram import Update

from bot.domain.callbacks import decode
from bot.services import talk
from bot.services.sponsors import contacts, links, summaries, threads, volunteers
from handlers.common import SaathiContext, answer_button, for_person, person_of


def _is_id(part: str) -> bool:
    """A row id from a button: digits, and small enough for any database's integer."""
    return part.isdigit() and len(part) <= 9


def _args(context: SaathiContext) -> str:
    return " ".join(context.args or [])


async def mentees_cmd(update: Update, context: SaathiContext) -> None:
    await for_person(update, context, summaries.show_mentees)


async def sponsor_cmd(update: Update, context: SaathiContext) -> None:
    await for_person(update, context, summaries.show_my_sponsor)


async def encourage_cmd(update: Update, context: SaathiContext) -> None:
    await for_person(update, context, threads.encourage, _args(context))


async def reply_cmd(update: Update, context: SaathiContext) -> None:
    await for_person(update, context, threads.reply_command, _args(context))


async def share_cmd(update: Update, context: SaathiContext) -> None:
    await for_person(update, context, contacts.offer_share)


async def talk_cmd(update: Update, context: SaathiContext) -> None:
    await for_person(update, context, talk.open_talk)


async def volunteer_cmd(update: Update, context: SaathiContext) -> None:
    await for_person(update, context, volunteers.bind_volunteer, _args(context))


async def sponsorlink_cmd(update: Update, context: SaathiContext) -> None:
    await for_person(update, context, links.staff_link, _args(context))


async def sponsorunlink_cmd(update: Update, context: SaathiContext) -> None:
    await for_person(update, context, links.staff_unlink, _args(context))


async def sponsor_cb(update: Update, context: SaathiContext) -> None:
    """``sp:v1:ok|no|end|endok|swap|share|start|tend:<id>``, ``sp:v1:enc:<link>:<n>``,
    ``sp:v1:talk:s|c`` and ``sp:v1:sess``."""
    person = person_of(update)
    data = decode(update.callback_query.data if update.callback_query else None)
    toast: str | None = "button-expired"
    if person is not None and data is not None and data.parts:
        call = context.saathi.call
        action, rest = data.parts[0], data.parts[1:]
        number = int(rest[0]) if len(rest) == 1 and _is_id(rest[0]) else None
        user = update.effective_user
        if action in ("ok", "no") and number is not None:
            toast = await call(links.answer_proposal, person, number, action == "ok")
        elif action in ("end", "endok") and number is not None:
            toast = await call(links.ask_end, person, number, confirmed=action == "endok")
        elif action == "swap" and number is not None:
            toast = await call(contacts.swap_contacts, person, number, user.username if user else None)
        elif action == "share" and number is not None:
            toast = await call(contacts.share_checkin, person, number)
        elif action == "enc" and len(rest) == 2 and _is_id(rest[0]) and _is_id(rest[1]):
            toast = await call(threads.send_suggestion, person, int(rest[0]), int(rest[1]))
        elif action == "talk" and len(rest) == 1:
            toast = await call(talk.choose, person, rest[0])
        elif action == "start" and number is not None:
            toast = await call(talk.start_chat, person, number)
        elif action == "tend" and number is not None:
            toast = await call(talk.end_chat, person, number)
        elif action == "sess" and not rest:
            toast = await call(talk.ask_session, person)
        context.saathi.kick()
    await answer_button(update, context, toast)
