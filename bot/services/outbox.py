"""Writing messages to the outbox, in the caller's transaction.

A message is stored with the state change it reports and sent later by
``bot.delivery``; nothing here talks to Telegram.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from sqlalchemy import insert
from sqlmodel import Session

from bot.domain.outgoing import Priority
from storage.outbox.tables import OutboxMessage
from storage.people.tables import Center, Member

Buttons = list[list[tuple[str, str]]]
_BATCH = "saathi_outbox_batch"  # session.info: rows waiting for the end of ``batched``
_INSERT = insert(OutboxMessage.__table__)  # type: ignore[arg-type]  # the table: no ORM bulk-insert machinery

# Scheduled messages a centre may let go out as Telegram paid broadcasts (Center.allow_paid_broadcast).
PAID_BROADCAST_PURPOSES = frozenset({"checkin", "reminder"})


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
) -> int | None:
    """Store a message for the sender; returns the row's id (None inside ``batched``)."""
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
    extra: dict[str, Any] | None = None,
) -> int | None:
    """Edit a message already sent (its text, and its buttons or none); returns the row's id (None inside
    ``batched``)."""
    payload: dict[str, Any] = {"text": text, "message_id": message_id, **(extra or {})}
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
) -> int | None:
    if priority == Priority.SCHEDULED and purpose in PAID_BROADCAST_PURPOSES and _paid_broadcast(session, member_id):
        # read by the sender: it may take a paid token when the free ceiling is full
        payload["paid_broadcast"] = True
    # A Core insert, at once, rather than an OutboxMessage for the unit of work to flush: building the
    # object and flushing it was a large share of a button press's CPU on PostgreSQL
    # (docs/performance.md). The row is visible
    # to the rest of the transaction at once, as after an autoflush, and goes or stays with it.
    row = {"chat_id": chat_id, "method": method, "payload": payload, "priority": int(priority), "purpose": purpose,
           "member_id": member_id, "staff_id": staff_id, "dedupe_key": dedupe_key, "status": "pending", "attempts": 0,
           "due_at": due_at or now, "created_at": now}
    pending = session.info.get(_BATCH)
    if pending is not None:
        pending.append(row)
        return None
    return int(session.execute(_INSERT, row).inserted_primary_key[0])


@contextmanager
def batched(session: Session) -> Iterator[None]:
    """Messages enqueued inside go to the database together, in one statement, when the block ends
    (a due scan of a thousand members: one statement instead of a thousand); ``enqueue`` returns
    None for them."""
    if session.info.get(_BATCH) is not None:  # already batching
        yield
        return
    rows: list[dict[str, Any]] = []
    session.info[_BATCH] = rows
    try:
        yield
    finally:
        del session.info[_BATCH]
    if rows:
        session.execute(_INSERT, rows)


def _paid_broadcast(session: Session, member_id: int | None) -> bool:
    """Does the member's centre allow paid broadcasts? (Cheap: the due scan has both rows loaded.)"""
    if member_id is None:
        return False
    member = session.get(Member, member_id)
    center = session.get(Center, member.center_id) if member is not None else None
    return bool(center is not None and center.allow_paid_broadcast)
