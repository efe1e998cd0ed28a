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
        call = context.saathi.call
        kind, rest = data.parts[0], data.parts[1:]
        value = rest[0] if len(rest) == 1 else None
        if kind == "menu" and value:
            toast = await call(member_settings.choose_item, person, value)
        elif kind == "lang" and value:
            toast = await call(member_settings.set_language, person, value)
        elif kind == "time" and value:
            toast = await call(member_settings.set_time, person, preset=value)
        elif kind == "pause" and value and value.isdigit():
            toast = await call(member_settings.pause, person, int(value))
        elif kind == "resume" and not rest:
            toast = await call(member_settings.resume, person)
        elif kind == "hr" and value:
            toast = await call(member_settings.toggle_window, person, value)
        elif kind == "hrdone" and not rest:
            toast = await call(member_settings.save_windows, person)
        context.saathi.kick()
    await answer_button(update, context, toast)
