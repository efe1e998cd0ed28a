"""Peer circles: /circle, /unsend, /report, the facilitator's /say /goal /pin, staff /mute /remove /move,
replies to circle messages, and the ``cir:`` buttons. Everything is decided in bot.services.circles."""

from __future__ import annotations

from telegram import Message, Update

from bot.domain.callbacks import decode
from bot.services import circles
from handlers.common import SaathiContext, answer_button, person_of


def _reply_id(message: Message | None) -> int | None:
    replied = message.reply_to_message if message is not None else None
    return replied.message_id if replied is not None else None


async def circle_cmd(update: Update, context: SaathiContext) -> None:
    person = person_of(update)
    if person is not None:
        await context.saathi.call(circles.show_circle, person)
        context.saathi.kick()


async def unsend_cmd(update: Update, context: SaathiContext) -> None:
    person = person_of(update)
    if person is not None:
        await context.saathi.call(circles.unsend, person)
        context.saathi.kick()


async def report_cmd(update: Update, context: SaathiContext) -> None:
    person = person_of(update)
    if person is not None:
        await context.saathi.call(circles.report, person, _reply_id(update.effective_message))
        context.saathi.kick()


async def facilitator_cmd(update: Update, context: SaathiContext) -> None:
    """/say, /goal and /pin: the command's name says what is posted."""
    person, message = person_of(update), update.effective_message
    if person is not None and message is not None and message.text:
        what = message.text.split(maxsplit=1)[0].lstrip("/").split("@")[0].lower()
        await context.saathi.call(circles.facilitator_post, person, what, " ".join(context.args or []),
                                 message.message_id, _reply_id(message))
        context.saathi.kick()


async def staff_cmd(update: Update, context: SaathiContext) -> None:
    """/mute, /remove and /move, followed by a pseudonym."""
    person, message = person_of(update), update.effective_message
    if person is not None and message is not None and message.text:
        action = message.text.split(maxsplit=1)[0].lstrip("/").split("@")[0].lower()
        await context.saathi.call(circles.staff_action, person, action, list(context.args or []))
        context.saathi.kick()


async def circle_cb(update: Update, context: SaathiContext) -> None:
    """``cir:v1:ms|enc|hold|rv|mute:<id>:<choice>``."""
    query, person = update.callback_query, person_of(update)
    data = decode(query.data if query else None)
    toast: str | None = "button-expired"
    if person is not None and data is not None:
        message_id = query.message.message_id if query is not None and query.message is not None else None
        toast = await context.saathi.call(circles.button, person, data.parts, message_id)
        context.saathi.kick()
    await answer_button(update, context, toast)
