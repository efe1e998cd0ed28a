"""/craving, the 🆘 menu button's twin, and the craving buttons."""

from __future__ import annotations

from telegram import Update

from bot.domain.callbacks import decode
from bot.services import cravings
from handlers.common import SaathiContext, answer_button, person_of


async def craving_cmd(update: Update, context: SaathiContext) -> None:
    person = person_of(update)
    if person is not None:
        await context.saathi.call(cravings.open_toolkit, person)
        context.saathi.kick()


async def craving_cb(update: Update, context: SaathiContext) -> None:
    person = person_of(update)
    data = decode(update.callback_query.data if update.callback_query else None)
    toast: str | None = "button-expired"
    if person is not None and data is not None:
        call = context.saathi.call
        if data.parts == ("reach",):
            await call(cravings.ask_to_reach_out, person)
            toast = None
        elif len(data.parts) == 2 and data.parts[1].isdigit():
            toast = await call(cravings.log_strength, person, data.parts[0], int(data.parts[1]))
        context.saathi.kick()
    await answer_button(update, context, toast)
