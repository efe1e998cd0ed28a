"""/help, and a kind answer for an unknown command or an old button."""

from __future__ import annotations

from telegram import Update

from bot.services import conversation
from handlers.common import SaathiContext, answer_button, for_person


async def help_cmd(update: Update, context: SaathiContext) -> None:
    await for_person(update, context, conversation.show_help)


async def unknown_cmd(update: Update, context: SaathiContext) -> None:
    await for_person(update, context, conversation.reply_plain, "fallback-unknown-command")


async def unknown_cb(update: Update, context: SaathiContext) -> None:
    await answer_button(update, context, "button-expired")
