"""Writing messages to the outbox, in the caller's transaction.

A message is stored with the state change it reports and sent later by
``bot.delivery``; nothing here talks to Telegram.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import Session

from bot.domain.outgoing import Priority
from storage.models import OutboxMessage

Buttons = list[list[tuple[str, str]]]


def enqueue(
    session: Session,
    *,
    chat_id: int,
    text: str,
    now: datetime,
    buttons: Buttons | None = None,
    keyboard: list[list[str]] | None = None,
    priority: Priority = Priority.REPLY,
    purpose: str = "reply",
    member_id: int | None = None,
    staff_id: int | None = None,
    dedupe_key: str | None = None,
    protect: bool = False,
    due_at: datetime | None = None,
    extra: dict[str, Any] | None = None,
) -> OutboxMessage:
    payload: dict[str, Any] = {"text": text, **(extra or {})}
    if buttons:
        payload["buttons"] = [[list(b) for b in row] for row in buttons]
    if keyboard:
        payload["keyboard"] = keyboard
    if protect:
        payload["protect"] = True
    return _add(session, "send", chat_id, payload, now, priority, purpose, member_id, staff_id, dedupe_key, due_at)


def enqueue_edit(
    session: Session,
    *,
    chat_id: int,
    message_id: int,
    text: str,
    now: datetime,
    buttons: Buttons | None = None,
    priority: Priority = Priority.REPLY,
    purpose: str = "edit",
    member_id: int | None = None,
) -> OutboxMessage:
    payload: dict[str, Any] = {"text": text, "message_id": message_id}
    if buttons:
        payload["buttons"] = [[list(b) for b in row] for row in buttons]
    return _add(session, "edit", chat_id, payload, now, priority, purpose, member_id, None, None, None)


def _add(
    session: Session,
    method: str,
    chat_id: int,
    payload: dict[str, Any],
    now: datetime,
    priority: Priority,
    purpose: str,
    member_id: int | None,
    staff_id: int | None,
    dedupe_key: str | None,
    due_at: datetime | None,
) -> OutboxMessage:
    row = OutboxMessage(
        chat_id=chat_id,
        method=method,
        payload=payload,
        priority=int(priority),
        purpose=purpose,
        member_id=member_id,
        staff_id=staff_id,
        dedupe_key=dedupe_key,
        due_at=due_at or now,
        created_at=now,
    )
    session.add(row)
    return row
