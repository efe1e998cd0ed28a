"""WhatsApp's events as use-case calls: what ``handlers/`` are for Telegram, for a WhatsApp message.

A stored event (``bot/whatsapp_inbox.py``) becomes a :class:`Person` whose ids are the contact's
conversation key (``bot/domain/channels.py``), and then the SAME use cases the Telegram handlers
call: ``START <code>`` is ``/start <code>``; a tapped reply button or list row carries the callback
data a Telegram button would (``ob:v1:lang:hi``), dispatched by namespace as the Telegram handlers
do; typed text goes to the one router, ``bot.services.inbound`` (risk screening included). Where a
Telegram handler would show a toast, WhatsApp has none: the member gets the same words as a reply.

No storage and no Telegram here: reading the webhook's JSON and calling services only.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from bot.domain.callbacks import decode
from bot.domain.whatsapp import invite, render
from bot.services import (
    checkins,
    conversation,
    counsellor,
    cravings,
    inbound,
    member_settings,
    onboarding,
    privacy,
    safety,
    talk,
)
from bot.services.circles import buttons as circle_buttons
from bot.services.circles import moderation as circle_moderation
from bot.services.circles import relay as circle_relay
from bot.services.context import Person
from bot.services.sponsors import contacts, links, threads

# "START CODE" as the wa.me link types it; "/start CODE" as a Telegram habit
_START = re.compile(r"^\s*/?start(?:\s+(?P<code>\S+))?\s*$", re.IGNORECASE)

SILENT_KINDS = frozenset({"reaction", "system", "request_welcome"})
OPEN_PREFIX = "wa:open:"  # bot/domain/whatsapp/templates.py: what a template's quick reply carries
Call = Callable[..., Awaitable[Any]]
ESCALATION_ACTIONS: dict[str, Callable[..., Any]] = {
    "ack": counsellor.acknowledge,
    "res": counsellor.resolve_prompt,
    "hist": counsellor.show_history,
    "call": counsellor.request_call,
}
# Typed on WhatsApp as on Telegram (the help text names them); each takes the person only. Not /mydata:
# its file cannot go over WhatsApp yet (documents need a media upload).
COMMANDS: dict[str, Callable[..., Any]] = {
    "/help": conversation.show_help,
    "/craving": cravings.open_toolkit,
    "/forget": privacy.ask_forget,
    "/unsend": circle_relay.unsend,  # the member's last circle message leaves every phone that can delete it
}
REPORT = "/report"  # as a swipe-reply to a circle message: quietly to the facilitator


@dataclass(frozen=True)
class WaMessage:
    """One inbound message as the webhook gave it (only what the use cases need)."""

    wamid: str
    number: str  # the sender's WhatsApp id (their number); never logged
    kind: str  # "text", "choice" (a reply button, list row or template quick reply), "media" or "silent"
    text: str | None = None
    choice_id: str | None = None
    name: str | None = None  # their WhatsApp profile name
    reply_to: str | None = None  # the wamid of our message they swiped to reply to
    # … and that message's id as the services know it (the outbox row's; set when it is stored)
    reply_to_message_id: int | None = None


@dataclass(frozen=True)
class WaStatus:
    wamid: str
    status: str  # sent, delivered, read, failed
    error_code: int | None = None  # with "failed": 131047 (outside the window), 131026 (undeliverable)…


def read_webhook(body: Any) -> tuple[list[tuple[str, WaMessage]], list[WaStatus]]:
    """Meta's ``messages`` webhook → (phone number id, message) pairs and statuses. Anything it does
    not recognise is left out, never guessed at."""
    messages: list[tuple[str, WaMessage]] = []
    statuses: list[WaStatus] = []
    if not isinstance(body, dict):
        return messages, statuses
    for entry in _dicts(body.get("entry")):
        for change in _dicts(entry.get("changes")):
            value = change.get("value")
            if not isinstance(value, dict):
                continue
            metadata = value.get("metadata")
            phone_id = str(metadata.get("phone_number_id", "")) if isinstance(metadata, dict) else ""
            names = {str(c.get("wa_id")): _profile_name(c) for c in _dicts(value.get("contacts")) if c.get("wa_id")}
            for raw in _dicts(value.get("messages")):
                message = read_message(raw, names)
                if message is not None:
                    messages.append((phone_id, message))
            for raw in _dicts(value.get("statuses")):
                if isinstance(raw.get("id"), str) and isinstance(raw.get("status"), str):
                    errors = _dicts(raw.get("errors"))
                    code = errors[0].get("code") if errors else None
                    statuses.append(WaStatus(raw["id"], raw["status"], code if isinstance(code, int) else None))
    return messages, statuses


def read_message(raw: dict[str, Any], names: dict[str, str | None] | None = None) -> WaMessage | None:
    wamid, number, kind = raw.get("id"), raw.get("from"), raw.get("type")
    if not isinstance(wamid, str) or not isinstance(number, str) or not wamid or not number:
        return None
    name = (names or {}).get(number)
    context = raw.get("context")
    reply_to = context.get("id") if isinstance(context, dict) and isinstance(context.get("id"), str) else None
    if kind == "text":
        body = raw.get("text", {}).get("body") if isinstance(raw.get("text"), dict) else None
        return WaMessage(
            wamid, number, "text", text=body if isinstance(body, str) else "", name=name, reply_to=reply_to
        )
    if kind == "interactive" and isinstance(raw.get("interactive"), dict):
        interactive = raw["interactive"]
        reply = interactive.get("button_reply") or interactive.get("list_reply")
        if isinstance(reply, dict) and isinstance(reply.get("id"), str):
            return WaMessage(wamid, number, "choice", choice_id=reply["id"], text=reply.get("title"), name=name)
    if kind == "button" and isinstance(raw.get("button"), dict):  # a template's quick reply
        payload = raw["button"].get("payload")
        if isinstance(payload, str):
            return WaMessage(wamid, number, "choice", choice_id=payload, text=raw["button"].get("text"), name=name)
    if kind in SILENT_KINDS:  # a 👍 on one of our messages, or WhatsApp's own notices: nothing to answer
        return WaMessage(wamid, number, "silent", name=name)
    return WaMessage(wamid, number, "media", name=name)


def _dicts(value: Any) -> list[dict[str, Any]]:
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def _profile_name(contact: dict[str, Any]) -> str | None:
    profile = contact.get("profile")
    name = profile.get("name") if isinstance(profile, dict) else None
    return name.strip()[:120] or None if isinstance(name, str) else None


async def handle(call: Call, person: Person, message: WaMessage, offered: Any = None) -> None:
    """One message → one use case (through ``call``, the runtime's ``Saathi.call``). ``offered``: the
    choices last sent to this person (render.Offered as JSON); typed text that names one is that choice."""
    choice_id = message.choice_id if message.kind == "choice" else None
    if message.kind == "text" and message.text is not None and offered:
        choice_id = render.parse_reply(message.text, render.Offered.from_json(offered))
    typed_label = render.answer_text(choice_id) if choice_id is not None else None
    if typed_label is not None:  # a main-menu row: the label, as if typed
        await call(inbound.handle_text, person, typed_label)
    elif choice_id is not None:
        toast = await choose(call, person, choice_id)
        if toast is not None:
            await call(conversation.reply_plain, person, toast)
    elif message.kind == "text" and message.text is not None:
        code = invite.parse_start(message.text)
        start = _START.match(message.text)
        if code is not None or start is not None:  # a code in any shape; "START" with a code of no shape
            await call(onboarding.start, person, code or (start.group("code") if start else None))
        elif message.text.strip().lower() in COMMANDS:  # the commands the help text names
            await call(COMMANDS[message.text.strip().lower()], person)
        elif message.text.strip().lower() == REPORT:
            await call(circle_moderation.report, person, message.reply_to_message_id)
        else:  # a swipe-reply answers a sponsor or talk thread, or a circle message, as on Telegram
            await call(inbound.handle_text, person, message.text, None, message.reply_to_message_id)
    elif message.kind == "media":
        await call(inbound.handle_media, person, "other")


async def choose(call: Call, person: Person, data: str) -> str | None:
    """A tapped choice, as the Telegram button handlers read it; a toast key when it was refused."""
    if data.startswith(OPEN_PREFIX):
        return None  # a template's button: the answer itself opened the window and released what waited
    parsed = decode(data)
    if parsed is None:
        return "button-expired"
    parts = parsed.parts
    if parsed.ns == "ob" and len(parts) == 2:
        return await _onboarding(call, person, *parts)
    if parsed.ns == "ci" and len(parts) in (2, 3) and parts[0].isdigit():
        value = parts[2] if len(parts) == 3 else None
        # no message id: WhatsApp cannot take a question's buttons away by editing it
        result: str | None = await call(checkins.answer_button, person, int(parts[0]), parts[1], value, None)
        return result
    if parsed.ns == "cr":
        if parts == ("reach",):
            await call(cravings.ask_to_reach_out, person)
            return None
        if len(parts) == 2 and parts[1].isdigit():
            logged: str | None = await call(cravings.log_strength, person, parts[0], int(parts[1]))
            return logged
    if parsed.ns == "fu" and len(parts) == 3 and parts[0].isdigit() and parts[2] in ("yes", "no"):
        answered: str | None = await call(
            safety.answer_followup, person.telegram_user_id, int(parts[0]), parts[1], parts[2] == "yes"
        )
        return answered
    if parsed.ns == "esc" and len(parts) == 2 and parts[0].isdigit() and parts[1] in ESCALATION_ACTIONS:
        # the member's "call me" under a safety reply; a counsellor reached on WhatsApp acknowledges here
        acted: str | None = await call(ESCALATION_ACTIONS[parts[1]], person, int(parts[0]))
        return acted
    if parsed.ns == "prv" and parts:
        # no message id: the question cannot be edited on WhatsApp
        answered_privacy: str | None = await call(privacy.button, person, parts, None)
        return answered_privacy
    if parsed.ns == "set":
        return await _settings(call, person, parts)
    if parsed.ns == "cir":  # circle moderation and encouragement buttons
        circled: str | None = await call(circle_buttons.button, person, parts, None)
        return circled
    if parsed.ns == "sp":
        return await _sponsors(call, person, parts)
    return "button-expired"


async def _settings(call: Call, person: Person, parts: tuple[str, ...]) -> str | None:
    """``set:v1:…``: the same use case as the Telegram settings handler."""
    toast: str | None = await call(member_settings.button, person, parts)
    return toast


async def _sponsors(call: Call, person: Person, parts: tuple[str, ...]) -> str | None:
    """``sp:v1:…`` as the Telegram sponsor handler reads it (not ``swap``: it shares a Telegram username)."""
    if not parts:
        return "button-expired"
    action, rest = parts[0], parts[1:]
    number = int(rest[0]) if len(rest) == 1 and rest[0].isdigit() and len(rest[0]) <= 9 else None
    toast: str | None = "button-expired"
    if action in ("ok", "no") and number is not None:
        toast = await call(links.answer_proposal, person, number, action == "ok")
    elif action in ("end", "endok") and number is not None:
        toast = await call(links.ask_end, person, number, confirmed=action == "endok")
    elif action == "share" and number is not None:
        toast = await call(contacts.share_checkin, person, number)
    elif action == "enc" and len(rest) == 2 and all(p.isdigit() and len(p) <= 9 for p in rest):
        toast = await call(threads.send_suggestion, person, int(rest[0]), int(rest[1]))
    elif action == "talk" and len(rest) == 1:
        toast = await call(talk.choose, person, rest[0])
    elif action == "start" and number is not None:
        toast = await call(talk.start_chat, person, number)
    elif action == "tend" and number is not None:
        toast = await call(talk.end_chat, person, number)
    elif action == "sess" and not rest:
        toast = await call(talk.ask_session, person)
    return toast


async def _onboarding(call: Call, person: Person, kind: str, value: str) -> str | None:
    ok = False
    if kind == "lang":
        ok = await call(onboarding.choose_language, person, value, None)
    elif kind == "consent" and value in ("yes", "no"):
        ok = await call(onboarding.answer_consent, person, value == "yes", None)
    elif kind == "reconsent" and value in ("yes", "no"):
        ok = await call(onboarding.answer_consent_again, person, value == "yes", None)
    elif kind == "time":
        ok = await call(onboarding.choose_time, person, preset=value)
    elif kind == "sob" and value == "skip":
        ok = await call(onboarding.set_sobriety, person, None, None)
    return None if ok else "button-expired"
