"""/start and the onboarding buttons."""

from __future__ import annotations

from telegram import Update

from bot.domain.callbacks import decode
from bot.services import onboarding
from handlers.common import SaathiContext, answer_button, person_of


async def start_cmd(update: Update, context: SaathiContext) -> None:
    person = person_of(update)
    if person is None:
        return
    payload = context.args[0] if context.args else None
    await context.saathi.call(onboarding.start, person, payload)
    context.saathi.kick()


async def onboarding_cb(update: Update, context: SaathiContext) -> None:
    person = person_of(update)
    data = decode(update.callback_query.data if update.callback_query else None)
    ok = False
    query = update.callback_query
    message_id = query.message.message_id if query is not None and query.message is not None else None
    if person is not None and data is not None and len(data.parts) == 2:
        kind, value = data.parts
        call = context.saathi.call
        if kind == "lang":
            ok = await call(onboarding.choose_language, person, value, message_id)
        elif kind == "consent" and value in ("yes", "no"):
            ok = await call(onboarding.answer_consent, person, value == "yes", message_id)
        elif kind == "reconsent" and value in ("yes", "no"):
            ok = await call(onboarding.answer_consent_again, person, value == "yes", message_id)
        elif kind == "time":
            ok = await call(onboarding.choose_time, person, preset=value, message_id=message_id)
        elif kind == "sob" and value == "skip":
            ok = await call(onboarding.set_sobriety, person, None, message_id)
    context.saathi.kick()
    await answer_button(update, context, None if ok else "button-expired")
