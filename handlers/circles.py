"""Peer circles: /circle, /unsend, /report, the facilitator's /say /goal /pin, staff /mute /remove /move,
and the ``cir:`` buttons. Everything is decided in bot.services.circles (a swipe-reply to a circle
message goes through the inbound router, handlers/inbound.py)."""

from __future__ import annotations

from telegram import Message, Update

from bot.domain.callbacks import decode
from bot.services.circles import buttons, facilitation, moderation, relay
from handlers.common import SaathiContext, answer_button, for_person, person_of
from handlers.roles import command_name


def _reply_id(message: Message | None) -> int | None:
    replied = message.reply_to_message if message is not None else None
    return replied.message_id if replied is not None else None


async def circle_cmd(update: Update, context: SaathiContext) -> None:
    await for_person(update, context, facilitation.show_circle)


async def unsend_cmd(update: Update, context: SaathiContext) -> None:
    await for_person(update, context, relay.unsend)


async def report_cmd(update: Update, context: SaathiContext) -> None:
    await for_person(update, context, moderation.report, _reply_id(update.effective_message))


async def facilitator_cmd(update: Update, context: SaathiContext) -> None:
    """/say, /goal and /pin: the command's name says what is posted."""
    message, what = update.effective_message, command_name(update)
    if message is not None and message.text and what is not None:
        await for_person(
            update,
            context,
            facilitation.facilitator_post,
            what,
            " ".join(context.args or []),
            message.message_id,
            _reply_id(message),
        )


async def staff_cmd(update: Update, context: SaathiContext) -> None:
    """/mute, /remove and /move, followed by a pseudonym."""
    message, action = update.effective_message, command_name(update)
    if message is not None and message.text and action is not None:
        await for_person(update, context, moderation.staff_action, action, list(context.args or []))


async def circle_cb(update: Update, context: SaathiContext) -> None:
    """``cir:v1:ms|enc|hold|rv|mute:<id>:<choice>``."""
    query, person = update.callback_query, person_of(update)
    data = decode(query.data if query else None)
    toast: str | None = "button-expired"
    if person is not None and data is not None:
        message_id = query.message.message_id if query is not None and query.message is not None else None
        toast = await context.saathi.call(buttons.button, person, data.parts, message_id)
        context.saathi.kick()
    await answer_button(update, context, toast)
