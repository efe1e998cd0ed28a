"""The inbox: every update from Telegram, stored before it is confirmed, handled from here.

One row per ``update_id`` (Telegram's id: a re-send finds its row). ``pending`` rows are waiting
to be handled (for the first time, or again after a failure, from ``next_attempt_at``);
``handled`` is set by the handler's own transaction, with the handler's writes (that is the
dedupe); ``failed`` is a row that kept failing and was given up (the member was told).

``payload`` is the raw update as JSON, encrypted like every other free text (it holds the
member's words). TEXT, not JSON: the JSON of an update that quotes a NUL character holds
``\\u0000``, which PostgreSQL's ``jsonb`` refuses. It is cleared when the row is handled; the
row itself stays two days for the dedupe (Telegram re-sends an unconfirmed update for a day).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import BigInteger, Index, Table, bindparam, delete, func, insert, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Field, Session, SQLModel, col, select

from storage.crypto import EncryptedText
from storage.types import UTCDateTime, rowcount, table_of

PENDING, HANDLED, FAILED = "pending", "handled", "failed"


class InboxUpdate(SQLModel, table=True):
    """An update Telegram gave us: confirmed to Telegram only once this row was committed."""

    __tablename__ = "inbox"
    # pending rows in order, per chat (the retry loop and "does this chat wait behind a failure?")
    __table_args__ = (
        Index("ix_inbox_status_chat", "status", "chat_id", "update_id"),
        Index("ix_inbox_received", "received_at"),
    )

    update_id: int = Field(primary_key=True, sa_type=BigInteger, sa_column_kwargs={"autoincrement": False})
    # the chat (or, for updates without one, the person) whose updates are handled in order
    chat_id: int | None = Field(default=None, sa_type=BigInteger)
    payload: str | None = Field(default=None, sa_type=EncryptedText)
    status: str = Field(default=PENDING, max_length=10)
    attempts: int = 0
    next_attempt_at: datetime = Field(sa_type=UTCDateTime)
    received_at: datetime = Field(sa_type=UTCDateTime)
    handled_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    last_error: str | None = Field(default=None, max_length=100)


# Until 0010 each handled update_id had a ``processedupdate`` row; the inbox row (status "handled")
# is that record now. The old name stays for code that only asks "is this update id known?".
ProcessedUpdate = InboxUpdate


@dataclass(frozen=True)
class Received:
    """One update as it arrived: its id, its lane (chat) and its raw JSON object."""

    update_id: int
    chat_id: int | None
    raw: dict[str, Any]


@dataclass(frozen=True)
class Stored:
    """What storing a batch found: each update's status, and the chats that wait behind an older
    pending row (their new updates are left to the retry loop, which keeps the order)."""

    status: dict[int, str]
    waiting_chats: set[int]


def encode(raw: dict[str, Any]) -> str:
    # json escapes control characters (NUL included) even with ensure_ascii=False: the text is valid TEXT.
    # A lone surrogate (half an emoji) is not valid UTF-8: then every non-ASCII character is escaped, or
    # one such message would make its whole batch unstorable, and so never confirmed, forever.
    text = json.dumps(raw, ensure_ascii=False, separators=(",", ":"))
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return json.dumps(raw, ensure_ascii=True, separators=(",", ":"))
    return text


def _table() -> Table:
    return table_of(InboxUpdate)


def store(session: Session, updates: Sequence[Received], now: datetime) -> Stored:
    """Insert the batch in one statement (a re-sent update keeps its row), then read back each
    one's status and which of its chats have an older row still pending. Not committed here."""
    if not updates:
        return Stored({}, set())
    rows = [
        {
            "update_id": u.update_id,
            "chat_id": u.chat_id,
            "payload": encode(u.raw),
            "status": PENDING,
            "attempts": 0,
            "next_attempt_at": now,
            "received_at": now,
        }
        for u in updates
    ]
    dialect = session.get_bind().dialect.name
    builder = pg_insert if dialect == "postgresql" else sqlite_insert
    session.execute(builder(_table()).on_conflict_do_nothing(index_elements=["update_id"]), rows)
    ids = [u.update_id for u in updates]
    status = dict(
        session.execute(
            select(col(InboxUpdate.update_id), col(InboxUpdate.status)).where(col(InboxUpdate.update_id).in_(ids))
        ).all()
    )
    chats = {u.chat_id for u in updates if u.chat_id is not None}
    waiting: set[int] = set()
    if chats:
        first = min(ids)
        waiting = set(
            session.execute(
                select(col(InboxUpdate.chat_id))
                .distinct()
                .where(
                    col(InboxUpdate.status) == PENDING,
                    col(InboxUpdate.chat_id).in_(chats),
                    col(InboxUpdate.update_id) < first,
                )
            ).scalars()
        )
    return Stored(status, waiting)


@cache
def _handled_statement() -> Any:
    table = _table()
    return (
        update(table)
        .where(table.c.update_id == bindparam("b_id"), table.c.status == PENDING)
        .values(status=HANDLED, handled_at=bindparam("b_at"), payload=None, last_error=None)
    )


def mark_handled(session: Session, update_id: int, now: datetime) -> bool:
    """In the handler's transaction: False when the row is not pending any more (handled by an
    earlier life or another worker, or given up), and then the caller rolls back.

    An update that never went through the inbox (a test calling ``process_update`` itself) gets
    a handled row here, so a re-send of it is still recognised."""
    result = session.execute(_handled_statement(), {"b_id": update_id, "b_at": now})
    if rowcount(result):
        return True
    if session.get(InboxUpdate, update_id) is not None:
        return False
    session.execute(
        insert(_table()).values(
            update_id=update_id, status=HANDLED, attempts=0, next_attempt_at=now, received_at=now, handled_at=now
        )
    )
    return True


def due(session: Session, now: datetime, limit: int, *, whatsapp: bool = False) -> list[InboxUpdate]:
    """Pending rows to handle now, oldest first, each chat's up to its first row not yet due (a
    failed row waiting for its retry holds its chat's later updates back: order within a chat).

    Telegram's rows have its positive update ids, in order; ``whatsapp``: the rows of WhatsApp
    events instead, whose ids are negative hashes of their message ids (bot/domain/channels.py),
    in the order they were received."""
    query = select(InboxUpdate).where(InboxUpdate.status == PENDING)
    if whatsapp:
        query = query.where(col(InboxUpdate.update_id) < 0).order_by(
            col(InboxUpdate.received_at), col(InboxUpdate.update_id)
        )
    else:
        query = query.where(col(InboxUpdate.update_id) >= 0).order_by(col(InboxUpdate.update_id))
    rows = session.exec(query.limit(limit)).all()
    held: set[object] = set()
    ready: list[InboxUpdate] = []
    for row in rows:
        lane = row.chat_id if row.chat_id is not None else ("update", row.update_id)
        if lane in held:
            continue
        if row.next_attempt_at > now:
            held.add(lane)
            continue
        ready.append(row)
    for row in ready:
        session.expunge(row)
    return ready


def record_failure(
    session: Session, update_id: int, now: datetime, *, error: str, retry_at: datetime, max_attempts: int
) -> InboxUpdate | None:
    """A handler failed on this update: one more attempt, retried at ``retry_at``, or given up
    (``failed``) at ``max_attempts``. Returns the row (None when it is no longer pending)."""
    row = session.get(InboxUpdate, update_id)
    if row is None or row.status != PENDING:
        return None
    row.attempts += 1
    row.last_error = error[:100]
    if row.attempts >= max_attempts:
        row.status = FAILED
        row.handled_at = now
    else:
        row.next_attempt_at = retry_at
    return row


def purge(session: Session, before: datetime) -> int:
    """Rows received before ``before`` that are done (handled or failed): their dedupe is no longer
    needed (Telegram re-sends for 24 hours). Pending rows always stay."""
    result = session.execute(
        delete(InboxUpdate).where(col(InboxUpdate.received_at) < before, col(InboxUpdate.status) != PENDING)
    )
    return rowcount(result)


def counts(session: Session) -> dict[str, int]:
    """``pending`` and ``failed`` rows (``saathi status``)."""
    found = dict(
        session.execute(
            select(col(InboxUpdate.status), func.count())
            .where(col(InboxUpdate.status).in_((PENDING, FAILED)))
            .group_by(col(InboxUpdate.status))
        ).all()
    )
    return {PENDING: int(found.get(PENDING, 0)), FAILED: int(found.get(FAILED, 0))}


def update_handled(session: Session, update_id: int) -> bool:
    """Whether the inbox is done with this update: handled, or given up after its last try (the
    member was told); the sandbox and tests wait for it."""
    return ids(session, [update_id]).get(update_id) in (HANDLED, FAILED)


def ids(session: Session, update_ids: Iterable[int]) -> dict[int, str]:
    """Status of each of these updates that has a row (tests, diagnosis)."""
    wanted = list(update_ids)
    return dict(
        session.execute(
            select(col(InboxUpdate.update_id), col(InboxUpdate.status)).where(col(InboxUpdate.update_id).in_(wanted))
        ).all()
    )
