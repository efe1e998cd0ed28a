"""What an outbox row asks the sender to do: the one contract between the services that write rows
and ``bot.delivery`` that reads them.

Stored as encrypted JSON (``OutboxMessage.payload``), so every value is a JSON value: buttons are
lists, not tuples. A key is absent rather than false or None. Both sides import this module, which
is why it lives in storage (the sender may import storage, not services). Rows written before
migration 0013 may still hold ``sp_thread``: the sponsor thread is the ``sponsor_thread_id`` column.
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
from typing import Required

# pydantic (under SQLModel) reads the table's annotation, and on Python 3.11 accepts only this TypedDict
from typing_extensions import TypedDict


class OutboxPayload(TypedDict, total=False):
    # The message (a document's caption); "" once retention or an erasure took the words away.
    text: Required[str]
    # Inline buttons: rows of [label, callback data] under the message (JSON has no tuples).
    buttons: list[list[list[str]]]
    # A reply keyboard's rows of labels, shown instead of the phone's keyboard (the main menu).
    keyboard: list[list[str]]
    # Telegram's protect_content: a peer cannot forward or save a circle copy or a relayed word.
    protect: bool
    # The recipient's own copy of the message this one answers: a circle reply shows threaded.
    reply_to: int
    # Edit and delete: the message the recipient already has.
    message_id: int
    # An export or a goodbye after erasure: the content is dropped as soon as Telegram has it.
    ephemeral: bool
    # With ``ephemeral``: the chat id goes too (the person asked to be forgotten).
    forget_chat: bool
    # A scheduled message whose centre allows paid broadcasts: the sender may take a paid token
    # when the free ceiling is full.
    paid_broadcast: bool
    # An alert's escalation: a 403 from that counsellor moves the escalation on at once.
    escalation_id: int
    # A document: its file name and its bytes in base64.
    filename: str
    data: str
    # Set by storage.crypto when no configured key opens the row: the sender gives it up, never
    # sending the placeholder.
    unreadable: bool


Buttons = Sequence[Sequence[tuple[str, str]]]


def message(
    text: str,
    *,
    buttons: Buttons | None = None,
    keyboard: list[list[str]] | None = None,
    protect: bool = False,
    reply_to: int | None = None,
    escalation_id: int | None = None,
    ephemeral: bool = False,
    forget_chat: bool = False,
) -> OutboxPayload:
    """A message to send; what is not given is left out."""
    payload = OutboxPayload(text=text)
    if buttons:
        payload["buttons"] = button_rows(buttons)
    if keyboard:
        payload["keyboard"] = keyboard
    if protect:
        payload["protect"] = True
    if reply_to is not None:
        payload["reply_to"] = reply_to
    if escalation_id is not None:
        payload["escalation_id"] = escalation_id
    if ephemeral:
        payload["ephemeral"] = True
    if forget_chat:
        payload["forget_chat"] = True
    return payload


def edit(
    message_id: int, text: str, *, buttons: Buttons | None = None, ephemeral: bool = False, forget_chat: bool = False
) -> OutboxPayload:
    """New words (and buttons, or none) for a message the recipient already has."""
    payload = message(text, buttons=buttons, ephemeral=ephemeral, forget_chat=forget_chat)
    payload["message_id"] = message_id
    return payload


def delete(message_id: int) -> OutboxPayload:
    return OutboxPayload(text="", message_id=message_id)


def document(body: bytes, filename: str, caption: str) -> OutboxPayload:
    """A file, dropped once delivered (a data export)."""
    return OutboxPayload(text=caption, filename=filename, ephemeral=True, data=base64.b64encode(body).decode("ascii"))


def button_rows(buttons: Buttons) -> list[list[list[str]]]:
    return [[list(button) for button in row] for row in buttons]


def with_text(payload: OutboxPayload, text: str) -> OutboxPayload:
    """The same payload with other words (a new dict: the column notices only a new value)."""
    changed = payload.copy()
    changed["text"] = text
    return changed
