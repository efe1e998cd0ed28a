"""The outbox sender: the only place that sends messages to people.

It claims due rows in priority order with a lease, sends them (in order within a
chat, concurrently across chats), and marks each row the moment Telegram accepts it.
A crash between claiming and sending leaves the lease to expire and the row is sent
after the restart; the window in which a row can be sent twice is the instant between
Telegram's answer and the commit that marks it.
"""

from __future__ import annotations

import asyncio
import base64
import logging
from collections import OrderedDict
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from sqlmodel import Session
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, InputFile, ReplyKeyboardMarkup
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError

from bot.clock import Clock
from bot.domain.outgoing import Priority
from storage import repositories as repo
from storage.db import SessionFactory
from storage.models import Member, OutboxMessage, Staff

log = logging.getLogger(__name__)

LEASE = timedelta(seconds=60)
MAX_BACKOFF_SECONDS = 300
MAX_ATTEMPTS = 60  # about four hours of retries at the backoff cap


def backoff(attempts: int) -> timedelta:
    return timedelta(seconds=min(2 ** min(attempts, 16), MAX_BACKOFF_SECONDS))


def reply_markup(payload: dict[str, Any]) -> InlineKeyboardMarkup | ReplyKeyboardMarkup | None:
    if payload.get("buttons"):
        return InlineKeyboardMarkup(
            [[InlineKeyboardButton(text, callback_data=data) for text, data in row] for row in payload["buttons"]]
        )
    if payload.get("keyboard"):
        return ReplyKeyboardMarkup(payload["keyboard"], resize_keyboard=True, is_persistent=True)
    return None


class OutboxSender:
    def __init__(self, uow: SessionFactory, clock: Clock, bot: Bot, *, batch_size: int = 200,
                 concurrency: int = 32, idle_poll: float = 0.5,
                 on_unreachable: Callable[[Session, OutboxMessage, datetime], bool] | None = None,
                 due_work: Callable[[], object] | None = None) -> None:
        """``on_unreachable`` runs in the transaction that records a 403; when it returns True,
        ``due_work`` runs right after the batch (an alert's next step should not wait for the scan)."""
        self._uow = uow
        self._clock = clock
        self._bot = bot
        self._batch_size = batch_size
        self._concurrency = asyncio.Semaphore(concurrency)
        self._idle_poll = idle_poll
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._on_unreachable = on_unreachable
        self._due_work = due_work
        self._needs_due_work = False
        self.sent_count = 0

    def kick(self) -> None:
        """Something was enqueued: send it now rather than at the next poll."""
        self._wake.set()

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="outbox-sender")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            try:
                await self._task
            except asyncio.CancelledError:
                pass
            self._task = None

    async def _run(self) -> None:
        while True:
            try:
                sent = await self.pump_once()
                if self._needs_due_work and self._due_work is not None:
                    self._needs_due_work = False
                    self._due_work()
            except asyncio.CancelledError:
                raise
            except Exception:  # the loop must survive anything: log and carry on
                log.exception("outbox pump failed")
                sent = 0
            if sent == 0:
                try:
                    await asyncio.wait_for(self._wake.wait(), timeout=self._idle_poll)
                except TimeoutError:
                    pass
                self._wake.clear()

    def claim(self) -> list[OutboxMessage]:
        now = self._clock.now()
        with self._uow() as session:
            rows = repo.claim_outbox(session, now, self._batch_size, now + LEASE)
            session.commit()
            return rows

    async def pump_once(self) -> int:
        """Claim one batch and deliver it; returns how many rows were claimed."""
        rows = self.claim()
        if not rows:
            return 0
        by_chat: OrderedDict[int, list[OutboxMessage]] = OrderedDict()
        for row in rows:
            by_chat.setdefault(row.chat_id, []).append(row)
        await asyncio.gather(*(self._deliver_chat(chat_rows) for chat_rows in by_chat.values()))
        return len(rows)

    async def _deliver_chat(self, rows: list[OutboxMessage]) -> None:
        """In order; after a failure the rest of this chat's rows wait behind it, keeping order."""
        async with self._concurrency:
            for index, row in enumerate(rows):
                retry_at = await self._deliver(row)
                if retry_at is not None:
                    self._release(rows[index + 1 :], retry_at)
                    return

    async def _deliver(self, row: OutboxMessage) -> datetime | None:
        """Send one row and record the outcome. Returns when to retry, or None when done."""
        try:
            message_id = await self._call(row)
        except RetryAfter as exc:
            delay = exc.retry_after if isinstance(exc.retry_after, (int, float)) else exc.retry_after.total_seconds()
            return self._retry(row, timedelta(seconds=float(delay)), "retry_after", count_attempt=False)
        except Forbidden:
            self._give_up(row, "forbidden", unreachable=True)
        except BadRequest as exc:
            if "not modified" in str(exc).lower():
                self._mark_sent(row, None)
            else:
                self._give_up(row, f"bad_request:{_error_kind(exc)}")
        except (NetworkError, TelegramError) as exc:
            return self._retry(row, backoff(row.attempts + 1), type(exc).__name__, count_attempt=True)
        else:
            self._mark_sent(row, message_id)
        return None

    async def _call(self, row: OutboxMessage) -> int | None:
        payload = row.payload
        markup = reply_markup(payload)
        if row.method == "send":
            message = await self._bot.send_message(
                chat_id=row.chat_id,
                text=payload["text"],
                reply_markup=markup,
                protect_content=bool(payload.get("protect")),
                reply_to_message_id=payload.get("reply_to"),
                # the original may have been unsent: deliver the reply anyway, unthreaded
                allow_sending_without_reply=True if payload.get("reply_to") else None,
            )
            return message.message_id
        if row.method == "edit":
            await self._bot.edit_message_text(
                chat_id=row.chat_id,
                message_id=payload["message_id"],
                text=payload["text"],
                reply_markup=markup if isinstance(markup, InlineKeyboardMarkup) else None,
            )
            return payload["message_id"]
        if row.method == "delete":
            await self._bot.delete_message(chat_id=row.chat_id, message_id=payload["message_id"])
            return None
        if row.method == "document":
            message = await self._bot.send_document(
                chat_id=row.chat_id,
                document=InputFile(base64.b64decode(payload["data"]), filename=payload.get("filename") or "file"),
                caption=payload.get("text") or None,
                protect_content=bool(payload.get("protect")),
            )
            return message.message_id
        raise ValueError(f"unknown outbox method {row.method!r}")

    # --- outcomes (each its own short transaction) -----------------------------------------

    def _mark_sent(self, row: OutboxMessage, message_id: int | None) -> None:
        with self._uow() as session:
            stored = session.get(OutboxMessage, row.id)
            if stored is None:
                return
            stored.status = "sent"
            stored.sent_at = self._clock.now()
            stored.telegram_message_id = message_id
            stored.claimed_until = None
            _forget_ephemeral(stored)
            session.commit()
        self.sent_count += 1

    def _retry(self, row: OutboxMessage, delay: timedelta, reason: str, *, count_attempt: bool) -> datetime:
        retry_at = self._clock.now() + delay
        with self._uow() as session:
            stored = session.get(OutboxMessage, row.id)
            if stored is None:
                return retry_at
            if count_attempt:
                stored.attempts += 1
            stored.last_error = reason
            # Urgent rows (escalation alerts) are never given up: they retry at the backoff cap forever.
            if stored.attempts >= MAX_ATTEMPTS and stored.priority != Priority.URGENT:
                stored.status = "failed"
                log.error("outbox row %s (%s) failed after %s attempts", row.id, row.purpose, stored.attempts)
            else:
                stored.status = "pending"
                stored.due_at = retry_at
                stored.claimed_until = None
            session.commit()
        log.warning("outbox row %s (%s) will retry: %s", row.id, row.purpose, reason)
        return retry_at

    def _release(self, rows: list[OutboxMessage], not_before: datetime) -> None:
        if not rows:
            return
        with self._uow() as session:
            for row in rows:
                stored = session.get(OutboxMessage, row.id)
                if stored is not None and stored.status == "sending":
                    stored.status = "pending"
                    stored.due_at = max(stored.due_at, not_before)
                    stored.claimed_until = None
            session.commit()

    def _give_up(self, row: OutboxMessage, reason: str, *, unreachable: bool = False) -> None:
        with self._uow() as session:
            stored = session.get(OutboxMessage, row.id)
            if stored is None:
                return
            stored.status = "dead"
            stored.last_error = reason
            stored.claimed_until = None
            _forget_ephemeral(stored)
            if unreachable:
                _mark_unreachable(session, stored)
                if self._on_unreachable is not None and self._on_unreachable(session, stored, self._clock.now()):
                    self._needs_due_work = True
            session.commit()
        log.warning("outbox row %s (%s) not deliverable: %s", row.id, row.purpose, reason)


def _forget_ephemeral(row: OutboxMessage) -> None:
    """A row marked ``ephemeral`` (a data export, a goodbye after erasure) keeps no content once
    it is done; ``forget_chat`` also drops the address it went to."""
    if not row.payload.get("ephemeral"):
        return
    if row.payload.get("forget_chat"):
        row.chat_id = 0
    row.payload = {"text": "", "ephemeral": True}


def _mark_unreachable(session: Session, row: OutboxMessage) -> None:
    """Someone who blocked the bot is marked unreachable, never deleted."""
    if row.member_id is not None:
        member = session.get(Member, row.member_id)
        if member is not None and member.status in ("active", "paused"):
            member.status = "unreachable"
    if row.staff_id is not None:
        staff = session.get(Staff, row.staff_id)
        if staff is not None:
            staff.reachable = False


def _error_kind(exc: TelegramError) -> str:
    """A short, content-free label for the log (Telegram's text can quote the message)."""
    text = str(exc).lower()
    for kind in ("chat not found", "message to edit not found", "message is too long", "text is empty",
                 "can't parse", "button_data_invalid"):
        if kind in text:
            return kind.replace(" ", "_")
    return "other"
