"""The check-in buttons (``ci:v1:<checkin>:<kind>[:<value>]``)."""

from __future__ import annotations

from telegram import Update

from bot.domain.callbacks import decode
from bot.services import checkins
from handlers.common import SaathiContext, answer_button, person_of


async def checkin_cb(update: Update, context: SaathiContext) -> None:
    query = update.callback_query
    person = person_of(update)
    data = decode(query.data if query else None)
    toast: str | None = "button-expired"
    if (
        query is not None
        and query.message is not None
        and person is not None
        and data is not None
        and len(data.parts) in (2, 3)
        and data.parts[0].isdigit()
    ):
        checkin_id, kind = int(data.parts[0]), data.parts[1]
        value = data.parts[2] if len(data.parts) == 3 else None
        toast = await context.saathi.call(
            checkins.answer_button, person, checkin_id, kind, value, query.message.message_id
        )
        context.saathi.kick()
    await answer_button(update, context, toast)
