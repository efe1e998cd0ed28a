"""What became of each outbox row the sender took: sent, retried, put back or given up.

Each outcome is its own short transaction, recorded only by the worker that holds the row's lease.
A "sent" mark is committed as soon as Telegram's answer arrives (one short ``UPDATE`` by id), so a
kill can repeat only the sends truly in flight (see :mod:`bot.delivery.sender`). On PostgreSQL the
mark goes through the event loop's asyncpg engine in a greenlet (``mark_uow``), so the loop keeps
sending while the commit waits on the server. If the database refuses a mark, it is kept and
committed before the next claim (the row keeps its lease meanwhile).

The sender changes no one's state but the rows': when Telegram says someone blocked the bot, it
reports the row through ``on_unreachable`` and a service decides what that means for the person
(``bot/services/reachability.py``), in the transaction that gives the row up.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import bindparam
from sqlalchemy.util import greenlet_spawn
from sqlmodel import Session

from bot.clock import Clock
from bot.domain.outgoing import Priority
from storage.channels.tables import Channel
from storage.db import SessionFactory
from storage.outbox.payload import OutboxPayload
from storage.outbox.queries import ACCOUNT_GONE
from storage.outbox.tables import OutboxMessage, OutboxStatus
from storage.types import table_of

log = logging.getLogger(__name__)

MAX_BACKOFF_SECONDS = 300
MAX_ATTEMPTS = 60  # about four hours of retries at the backoff cap
MARK_RETRY = 1.0  # seconds: a "sent" mark the database refused is tried again this soon

# ``on_unreachable(session, row, now)``: runs in the transaction that gives up a row Telegram refused
# with 403; True when due work should run right after the batch (an alert's next step).
OnUnreachable = Callable[[Session, OutboxMessage, datetime], bool]


def backoff(attempts: int) -> timedelta:
    return timedelta(seconds=min(2 ** min(attempts, 16), MAX_BACKOFF_SECONDS))


class Outcomes:
    def __init__(
        self,
        uow: SessionFactory,
        clock: Clock,
        *,
        mark_uow: SessionFactory | None = None,
        on_unreachable: OnUnreachable | None = None,
        tags_gone: bool = False,
    ) -> None:
        """``tags_gone`` (the ``.env`` bot's sender): a row meant for a centre's own bot that is not
        running, given up here too, is marked ``account_gone:`` (``saathi status`` counts them)."""
        self._uow = uow
        self._tags_gone = tags_gone
        self._clock = clock
        # PostgreSQL: "sent" marks go through the event loop's asyncpg engine in a greenlet, so the
        # loop keeps sending while a mark's commit waits on the server (one commit per message)
        self._mark_uow = mark_uow
        self._on_unreachable = on_unreachable
        table = table_of(OutboxMessage)
        self._mark_statement = (
            table.update()
            .where(table.c.id == bindparam("b_id"), table.c.status != OutboxStatus.SENT)
            .values(
                status=OutboxStatus.SENT,
                sent_at=bindparam("b_sent_at"),
                telegram_message_id=bindparam("b_message_id"),
                claimed_until=None,
            )
        )
        self._marks: list[dict[str, Any]] = []  # delivered, but the database refused "sent": tried again
        self._mark_timer: asyncio.TimerHandle | None = None
        self.needs_due_work = False  # an unreachable recipient's report asked for the due work to run
        self.sent_count = 0

    def delivered_ids(self) -> set[int]:
        """Rows Telegram has, whose "sent" is not committed yet (the database refused it so far)."""
        return {mark["b_id"] for mark in self._marks}

    async def sent(self, row: OutboxMessage, message_id: int | None) -> None:
        """Committed at once: a kill after this repeats nothing (see the module docstring)."""
        mark: dict[str, Any] = {"b_id": row.id, "b_message_id": message_id, "b_sent_at": self._clock.now()}
        if not row.payload.get("ephemeral"):
            self.flush()  # order of outcomes within a chat: a refused earlier mark first
            if self._mark_uow is None:
                self._keep_refused(self._commit_marks([mark], self._uow))
            else:
                self._keep_refused(await greenlet_spawn(self._commit_marks, [mark], self._mark_uow))
            return
        self.flush()
        with self._uow() as session:  # an export or goodbye: its content goes with the mark, at once
            stored = session.get(OutboxMessage, row.id)
            if stored is None or stored.status == OutboxStatus.SENT:
                return
            stored.status = OutboxStatus.SENT
            stored.sent_at = mark["b_sent_at"]
            stored.telegram_message_id = message_id
            stored.claimed_until = None
            _forget_ephemeral(stored)
            session.commit()
        self.sent_count += 1

    def flush(self) -> None:
        """Commit the marks the database refused earlier (none, and no query, in the usual case)."""
        if self._mark_timer is not None:
            self._mark_timer.cancel()
            self._mark_timer = None
        if self._marks:
            marks, self._marks = self._marks, []
            self._keep_refused(self._commit_marks(marks, self._uow))

    def _commit_marks(self, marks: list[dict[str, Any]], uow: SessionFactory) -> list[dict[str, Any]]:
        """One statement, one commit; returns the marks the database refused (none, usually)."""
        try:
            with uow() as session:
                connection = session.connection()
                result = connection.execute(self._mark_statement, marks)
                marked = (
                    result.rowcount
                    if connection.dialect.supports_sane_multi_rowcount or len(marks) == 1
                    else len(marks)
                )
                session.commit()
        except Exception as exc:
            log.warning("could not record %s sent messages (%s); trying again", len(marks), type(exc).__name__)
            return marks
        self.sent_count += marked
        return []

    def _keep_refused(self, marks: list[dict[str, Any]]) -> None:
        """Refused marks wait for the next try (at the next claim, or within ``MARK_RETRY``); their rows
        keep their leases meanwhile, so nobody sends them again."""
        if not marks:
            return
        self._marks = marks + self._marks
        if self._mark_timer is None:
            with contextlib.suppress(RuntimeError):  # no running loop: the next flush takes them
                self._mark_timer = asyncio.get_running_loop().call_later(MARK_RETRY, self.flush)

    def retry(
        self,
        row: OutboxMessage,
        delay: timedelta,
        reason: str,
        *,
        count_attempt: bool,
        max_attempts: int = MAX_ATTEMPTS,
    ) -> datetime | None:
        """Back to pending, due after ``delay``; returns when (the chat's later rows wait until then),
        or None when the row was given up (``failed``) and the chat's later rows move on."""
        retry_at = self._clock.now() + delay
        with self._uow() as session:
            stored = session.get(OutboxMessage, row.id)
            if stored is None or not _lease_held(stored, row):
                return retry_at  # another worker has this row now: its outcome is theirs to record
            if count_attempt:
                stored.attempts += 1
            stored.last_error = reason
            # Urgent rows (escalation alerts) are never given up on Telegram's errors: they retry at the
            # backoff cap forever. Our own (unknown) errors give up on them too: a retry may be a duplicate.
            if stored.attempts >= max_attempts and (stored.priority != Priority.URGENT or max_attempts != MAX_ATTEMPTS):
                stored.status = OutboxStatus.FAILED
                stored.claimed_until = None
                session.commit()
                log.error(
                    "outbox row %s (%s) failed after %s attempts (%s)", row.id, row.purpose, stored.attempts, reason
                )
                return None
            stored.status = OutboxStatus.PENDING
            stored.due_at = retry_at
            stored.claimed_until = None
            session.commit()
        log.warning("outbox row %s (%s) will retry: %s", row.id, row.purpose, reason)
        return retry_at

    def release(self, rows: list[OutboxMessage], not_before: datetime) -> None:
        """Rows this worker holds go back to pending, due no earlier than ``not_before``."""
        if not rows:
            return
        with self._uow() as session:
            for row in rows:
                stored = session.get(OutboxMessage, row.id)
                if stored is not None and _lease_held(stored, row):
                    stored.status = OutboxStatus.PENDING
                    stored.due_at = max(stored.due_at, not_before)
                    stored.claimed_until = None
            session.commit()

    def give_up(self, row: OutboxMessage, reason: str, *, unreachable: bool = False) -> None:
        """``dead``: never sent. ``unreachable`` (a 403: they blocked the bot): reported to ``on_unreachable``
        in the same transaction."""
        with self._uow() as session:
            stored = session.get(OutboxMessage, row.id)
            if stored is None or stored.status == OutboxStatus.SENT:
                return
            if self._tags_gone and stored.channel == Channel.TELEGRAM and stored.account_id is not None:
                reason = ACCOUNT_GONE + reason
            stored.status = OutboxStatus.DEAD
            stored.last_error = reason
            stored.claimed_until = None
            _forget_ephemeral(stored)
            if (
                unreachable
                and self._on_unreachable is not None
                and self._on_unreachable(session, stored, self._clock.now())
            ):
                self.needs_due_work = True
            session.commit()
        log.warning("outbox row %s (%s) not deliverable: %s", row.id, row.purpose, reason)


def _lease_held(stored: OutboxMessage, row: OutboxMessage) -> bool:
    """The row is still under the lease this sender took (several workers: a row whose lease ran
    out may be another worker's now, and only the holder may put it back or give it up)."""
    return stored.status == OutboxStatus.SENDING and stored.claimed_until == row.claimed_until


def _forget_ephemeral(row: OutboxMessage) -> None:
    """A row marked ``ephemeral`` (a data export, a goodbye after erasure) keeps no content once
    it is done; ``forget_chat`` also drops the address it went to."""
    if not row.payload.get("ephemeral"):
        return
    if row.payload.get("forget_chat"):
        row.chat_id = 0
    row.payload = OutboxPayload(text="", ephemeral=True)
