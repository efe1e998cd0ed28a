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
    if member_settings.open_settings(context.saathi.services, person) is not None:
        conversation.reply_plain(context.saathi.services, person, "onboard-finish-first")
    context.saathi.kick()


async def settings_cb(update: Update, context: SaathiContext) -> None:
    person = person_of(update)
    data = decode(update.callback_query.data if update.callback_query else None)
    toast: str | None = "button-expired"
    if person is not None and data is not None and data.parts:
        ctx = context.saathi.services
        kind, rest = data.parts[0], data.parts[1:]
        value = rest[0] if len(rest) == 1 else None
        if kind == "menu" and value:
            toast = member_settings.choose_item(ctx, person, value)
        elif kind == "lang" and value:
            toast = member_settings.set_language(ctx, person, value)
        elif kind == "time" and value:
            toast = member_settings.set_time(ctx, person, preset=value)
        elif kind == "pause" and value and value.isdigit():
            toast = member_settings.pause(ctx, person, int(value))
        elif kind == "resume" and not rest:
            toast = member_settings.resume(ctx, person)
        elif kind == "hr" and value:
            toast = member_settings.toggle_window(ctx, person, value)
        elif kind == "hrdone" and not rest:
            toast = member_settings.save_windows(ctx, person)
        context.saathi.kick()
    await answer_button(update, context, toast)
