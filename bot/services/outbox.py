"""Writing messages to the outbox, in the caller's transaction.

A message is stored with the state change it reports and sent later by
``bot.delivery``; nothing here talks to Telegram.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any, cast

from sqlalchemy import CursorResult, insert
from sqlmodel import Session

from bot.domain import channels
from bot.domain.outgoing import Priority
from storage.channels.tables import WhatsAppContact
from storage.outbox import payload as payloads
from storage.outbox.payload import OutboxPayload
from storage.outbox.tables import OutboxMessage, OutboxStatus
from storage.people.tables import Center, Member
from storage.types import table_of

Buttons = list[list[tuple[str, str]]]
_BATCH = "saathi_outbox_batch"  # session.info: rows waiting for the end of ``batched``
_INSERT = insert(table_of(OutboxMessage))  # the table: no ORM bulk-insert machinery

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
    reply_to: int | None = None,
    sponsor_thread: str | None = None,
    escalation_id: int | None = None,
    ephemeral: bool = False,
    forget_chat: bool = False,
) -> int | None:
    """Store a message for the sender; returns the row's id (None inside ``batched``). The keywords
    after ``due_at`` are the payload's (storage/outbox/payload.py says what each is for), but
    ``sponsor_thread``: the sponsor or talk thread a reply to this message answers (a column)."""
    payload = payloads.message(
        text,
        buttons=buttons,
        keyboard=keyboard,
        protect=protect,
        reply_to=reply_to,
        escalation_id=escalation_id,
        ephemeral=ephemeral,
        forget_chat=forget_chat,
    )
    return _add(
        session,
        "send",
        chat_id,
        payload,
        now,
        priority,
        purpose,
        member_id,
        staff_id,
        dedupe_key,
        due_at,
        sponsor_thread,
    )


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
    ephemeral: bool = False,
    forget_chat: bool = False,
) -> int | None:
    """Edit a message already sent (its text, and its buttons or none); returns the row's id (None inside
    ``batched``)."""
    payload = payloads.edit(message_id, text, buttons=buttons, ephemeral=ephemeral, forget_chat=forget_chat)
    return _add(session, "edit", chat_id, payload, now, priority, purpose, member_id, None, None, None, None)


def _add(
    session: Session,
    method: str,
    chat_id: int,
    payload: OutboxPayload,
    now: datetime,
    priority: Priority,
    purpose: str,
    member_id: int | None,
    staff_id: int | None,
    dedupe_key: str | None,
    due_at: datetime | None,
    sponsor_thread: str | None,
) -> int | None:
    if priority == Priority.SCHEDULED and purpose in PAID_BROADCAST_PURPOSES and _paid_broadcast(session, member_id):
        # read by the sender: it may take a paid token when the free ceiling is full
        payload["paid_broadcast"] = True
    # A Core insert, at once, rather than an OutboxMessage for the unit of work to flush: building the
    # object and flushing it was a large share of a button press's CPU on PostgreSQL
    # (docs/performance.md). The row is visible
    # to the rest of the transaction at once, as after an autoflush, and goes or stays with it.
    row = {
        "chat_id": chat_id,
        "method": method,
        "payload": payload,
        "priority": int(priority),
        "purpose": purpose,
        "member_id": member_id,
        "staff_id": staff_id,
        "dedupe_key": dedupe_key,
        "status": OutboxStatus.PENDING,
        "attempts": 0,
        "due_at": due_at or now,
        "created_at": now,
        "sponsor_thread_id": sponsor_thread or None,
        "channel": channels.TELEGRAM,
        # a centre's own bot (None: the .env bot): the sender of that account takes the row
        "account_id": channels.telegram_account_of(chat_id),
        "address": None,
    }
    if row["account_id"] is not None:
        row["address"] = str(channels.telegram_id(chat_id))
    contact_id = channels.contact_of(chat_id)
    if contact_id is not None:  # a WhatsApp conversation: the sender needs its account and contact
        contact = session.get(WhatsAppContact, contact_id)
        row["channel"] = channels.WHATSAPP
        row["account_id"] = contact.account_id if contact is not None else None
        row["address"] = str(contact_id)
    pending = session.info.get(_BATCH)
    if pending is not None:
        pending.append(row)
        return None
    key = cast(CursorResult[Any], session.execute(_INSERT, row)).inserted_primary_key
    assert key is not None  # an INSERT of one row
    return int(key[0])


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
