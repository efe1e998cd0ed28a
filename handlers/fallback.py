"""Typed text, /help, and a kind answer for everything else (stickers, photos, unknown commands)."""

from __future__ import annotations

from telegram import Update

from bot.services import conversation
from handlers.common import SaathiContext, answer_button, person_of


async def text_msg(update: Update, context: SaathiContext) -> None:
    person = person_of(update)
    message = update.effective_message
    if person is None or message is None or message.text is None:
        return
    conversation.handle_text(context.saathi.services, person, message.text)
    context.saathi.kick()


async def help_cmd(update: Update, context: SaathiContext) -> None:
    person = person_of(update)
    if person is not None:
        conversation.show_help(context.saathi.services, person)
        context.saathi.kick()


async def unknown_cmd(update: Update, context: SaathiContext) -> None:
    await _reply(update, context, "fallback-unknown-command")


async def unsupported_msg(update: Update, context: SaathiContext) -> None:
    await _reply(update, context, "fallback-unsupported")


async def edited_msg(update: Update, context: SaathiContext) -> None:
    """Edits change nothing already recorded (risk screening of edits arrives with the safety work)."""


async def unknown_cb(update: Update, context: SaathiContext) -> None:
    await answer_button(update, context, "button-expired")


async def _reply(update: Update, context: SaathiContext, key: str) -> None:
    person = person_of(update)
    if person is not None:
        conversation.reply_plain(context.saathi.services, person, key)
        context.saathi.kick()
