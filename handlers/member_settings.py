"""/settings and its buttons (``set:v1:…``)."""

from __future__ import annotations

from telegram import Update

from bot.domain.callbacks import decode
from bot.services import conversation, member_settings
from handlers.common import SaathiContext, answer_button, person_of


async def settings_cmd(update: Update, context: SaathiContext) -> None:
    person = person_of(update)
    if person is None:
        return
    if await context.saathi.call(member_settings.open_settings, person) is not None:
        await context.saathi.call(conversation.reply_plain, person, "onboard-finish-first")
    context.saathi.kick()


async def settings_cb(update: Update, context: SaathiContext) -> None:
    person = person_of(update)
    data = decode(update.callback_query.data if update.callback_query else None)
    toast: str | None = "button-expired"
    if person is not None and data is not None and data.parts:
        toast = await context.saathi.call(member_settings.button, person, data.parts)
        context.saathi.kick()
    await answer_button(update, context, toast)
