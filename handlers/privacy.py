"""/mydata, /forget and their buttons (``prv:v1:…``): the member's data rights."""

from __future__ import annotations

from telegram import Update

from bot.domain.callbacks import decode
from bot.services import privacy
from handlers.common import SaathiContext, answer_button, person_of


async def mydata_cmd(update: Update, context: SaathiContext) -> None:
    person = person_of(update)
    if person is not None:
        await context.saathi.call(privacy.export_member_data, person)
        context.saathi.kick()


async def forget_cmd(update: Update, context: SaathiContext) -> None:
    person = person_of(update)
    if person is not None:
        await context.saathi.call(privacy.ask_forget, person)
        context.saathi.kick()


async def privacy_cb(update: Update, context: SaathiContext) -> None:
    person = person_of(update)
    query = update.callback_query
    data = decode(query.data if query else None)
    toast: str | None = "button-expired"
    if person is not None and data is not None and data.parts:
        message_id = query.message.message_id if query is not None and query.message is not None else None
        toast = await context.saathi.call(privacy.button, person, data.parts, message_id)
        context.saathi.kick()
    await answer_button(update, context, toast)
