"""Counsellor commands (/queue, /member, /ack, /resolve, /console), alert buttons, and the member's "call me"."""

from __future__ import annotations

from telegram import Update

from bot.domain.callbacks import decode
from bot.services import console, counsellor, safety
from handlers.common import SaathiContext, answer_button, for_person, person_of


def _id_arg(context: SaathiContext) -> int | None:
    """``/ack 12`` or ``/ack #12``; anything else (``²``, a 30-digit number) is no id at all."""
    raw = context.args[0].lstrip("#") if context.args else ""
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) <= 9 else None


async def queue_cmd(update: Update, context: SaathiContext) -> None:
    await for_person(update, context, counsellor.show_queue)


async def member_cmd(update: Update, context: SaathiContext) -> None:
    await for_person(update, context, counsellor.member_summary, " ".join(context.args or []))


async def ack_cmd(update: Update, context: SaathiContext) -> None:
    await for_person(update, context, counsellor.acknowledge, _id_arg(context) or 0)


async def resolve_cmd(update: Update, context: SaathiContext) -> None:
    await for_person(update, context, counsellor.resolve, _id_arg(context) or 0, " ".join((context.args or [])[1:]))


async def console_cmd(update: Update, context: SaathiContext) -> None:
    """A one-time sign-in link to the web console, sent to the staff member's own chat."""
    await for_person(update, context, console.send_link)


async def escalation_cb(update: Update, context: SaathiContext) -> None:
    """``esc:v1:<id>:ack|res|hist`` for staff, ``esc:v1:<id>:call`` for the member."""
    person = person_of(update)
    data = decode(update.callback_query.data if update.callback_query else None)
    toast: str | None = "button-expired"
    if person is not None and data is not None and len(data.parts) == 2 and data.parts[0].isdigit():
        escalation_id, action = int(data.parts[0]), data.parts[1]
        call = context.saathi.call
        if action == "ack":
            toast = await call(counsellor.acknowledge, person, escalation_id)
        elif action == "res":
            toast = await call(counsellor.resolve_prompt, person, escalation_id)
        elif action == "hist":
            toast = await call(counsellor.show_history, person, escalation_id)
        elif action == "call":
            toast = await call(counsellor.request_call, person, escalation_id)
        context.saathi.kick()
    await answer_button(update, context, toast)


async def followup_cb(update: Update, context: SaathiContext) -> None:
    """``fu:v1:<followup>:<question>:yes|no``."""
    person = person_of(update)
    data = decode(update.callback_query.data if update.callback_query else None)
    toast: str | None = "button-expired"
    if (
        person is not None
        and data is not None
        and len(data.parts) == 3
        and data.parts[0].isdigit()
        and data.parts[2] in ("yes", "no")
    ):
        toast = await context.saathi.call(
            safety.answer_followup, person.telegram_user_id, int(data.parts[0]), data.parts[1], data.parts[2] == "yes"
        )
        context.saathi.kick()
    await answer_button(update, context, toast)
