"""The outbox sender: the only place that sends messages to people.

It claims due rows in priority order with a lease, sends them (in order within a
chat, concurrently across chats), and marks each row the moment Telegram accepts it.
A crash between claiming and sending leaves the lease to expire and the row is sent
after the restart; the window in which a row can be sent twice is the time between
Telegram's answer and the commit that marks it.

Each "sent" mark is committed as soon as Telegram's answer arrives (one short ``UPDATE`` by id),
so a kill can repeat only the sends truly in flight: those Telegram accepted in the instant
before the process died, whose answer it never read (at most one per chat, and in practice the
one or two on the wire). Marks batched every 20 ms saved a quarter of the cost of a send and
re-sent 7 of 8 check-ins of a burst after one kill. On PostgreSQL the mark goes through the event
loop's asyncpg engine in a greenlet (``mark_uow``), so the loop keeps sending while the commit waits
on the server. If the database refuses a mark, it is kept
and committed before the next claim (the row keeps its lease meanwhile).

Any exception after a call was made counts as an attempt. A Telegram error is retried with
backoff (``MAX_ATTEMPTS``); anything else (Telegram may have accepted the message and we could
not read the answer) is retried at most ``MAX_UNKNOWN_ATTEMPTS`` times, then the row is
``failed`` (logged, counted in ``saathi status``) and the chat's later rows move on.

Every call first awaits the rate limiter (:mod:`bot.delivery.limiter`): Telegram's overall
and per-chat limits with priority lanes. Batches are small (about 1.5 s of sending at the
current rate) and the next batch is claimed while the last one drains, so a kick after an
urgent enqueue has the row claimed and at the head of the limiter's queue within
milliseconds, even behind a long broadcast.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import heapq
import itertools
import logging
import time
from collections import deque
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import bindparam
from sqlalchemy.util import greenlet_spawn
from sqlmodel import Session
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, InputFile, ReplyKeyboardMarkup
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError

from bot.clock import Clock
from bot.delivery.limiter import RateLimiter
from bot.domain.outgoing import Priority
from storage.outbox import queries as outbox_db
from storage.db import SessionFactory
from storage.outbox.tables import OutboxMessage
from storage.people.tables import Member, Staff

log = logging.getLogger(__name__)

LEASE = timedelta(seconds=60)
# A row is sent only with this much of its lease left, so the call ends before anyone may reclaim it.
LEASE_MARGIN = timedelta(seconds=15)
MAX_BACKOFF_SECONDS = 300
MAX_ATTEMPTS = 60  # about four hours of retries at the backoff cap
# An exception that is not Telegram's answer (the reply could not be read, a payload the code cannot
# send): the message may well have arrived, so each retry may be a duplicate. A few tries, then failed.
MAX_UNKNOWN_ATTEMPTS = 3
BATCH_SECONDS = 1.5  # a claim holds about this much sending at the limiter's rate
CLAIM_INTERVAL = 0.05  # kicks within this long of the last claim share the next one
# … and this long while more than a second batch is already in flight, when a claim can only bring
# urgent rows (a thousand presses at once: twenty claims a second that found nothing to take)
URGENT_CLAIM_INTERVAL = 0.25
MARK_RETRY = 1.0  # seconds: a "sent" mark the database refused is tried again this soon
BACKLOG_LOG_SECONDS = 30.0


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


class PrioritySlots:
    """A semaphore whose waiters are served lowest lane first: an urgent row waiting for one of the
    sender's call slots goes ahead of every scheduled row, even when sending falls behind the rate."""

    def __init__(self, slots: int) -> None:
        self._free = slots
        self._heap: list[tuple[int, int, asyncio.Future[None]]] = []
        self._seq = itertools.count()

    async def acquire(self, lane: int) -> None:
        if self._free > 0 and not self._heap:
            self._free -= 1
            return
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        heapq.heappush(self._heap, (lane, next(self._seq), future))
        try:
            await future
        except asyncio.CancelledError:
            if future.done() and not future.cancelled():
                self.release()  # the slot was handed over just as we were cancelled
            raise

    def release(self) -> None:
        while self._heap:
            future = heapq.heappop(self._heap)[2]
            if not future.done():
                future.set_result(None)
                return
        self._free += 1


class OutboxSender:
    def __init__(self, uow: SessionFactory, clock: Clock, bot: Bot, *, batch_size: int = 50,
                 concurrency: int = 8, idle_poll: float = 0.5,
                 on_unreachable: Callable[[Session, OutboxMessage, datetime], bool] | None = None,
                 due_work: Callable[[], object] | None = None, limiter: RateLimiter | None = None,
                 claim_in_thread: bool = False, mark_uow: SessionFactory | None = None) -> None:
        """``on_unreachable`` runs in the transaction that records a 403; when it returns True,
        ``due_work`` runs right after the batch (an alert's next step should not wait for the scan).

        ``limiter``: awaited before every call (None: no limit of our own, as in tests that raise it).
        ``batch_size`` is the smallest claim; with a limiter a claim is about ``BATCH_SECONDS`` of sending.
        ``mark_uow`` (PostgreSQL): the loop engine's unit of work, for the "sent" marks (see ``_mark_sent``).
        ``claim_in_thread`` (PostgreSQL): the pump's claims run in a worker thread. A claim of a few
        hundred rows took 100–200 ms on PostgreSQL; on the event loop that was as long without a send."""
        self._uow = uow
        self._clock = clock
        self._bot = bot
        self._limiter = limiter
        rate = limiter.rate if limiter is not None else 0.0
        self._batch_size = max(batch_size, min(1000, int(rate * BATCH_SECONDS)))
        self._max_in_flight = 2 * self._batch_size
        self._slots = PrioritySlots(concurrency)
        self._idle_poll = idle_poll
        self._claim_in_thread = claim_in_thread
        # PostgreSQL: "sent" marks go through the event loop's asyncpg engine in a greenlet, so the
        # loop keeps sending while a mark's commit waits on the server (one commit per message)
        self._mark_uow = mark_uow
        self._wake = asyncio.Event()
        self._room = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._on_unreachable = on_unreachable
        self._due_work = due_work
        self._needs_due_work = False
        self._queues: dict[int, deque[OutboxMessage]] = {}
        self._workers: dict[int, asyncio.Task[None]] = {}
        self._calling: set[int] = set()  # row ids whose call to Telegram is under way
        self._in_flight = 0
        table = OutboxMessage.__table__  # type: ignore[attr-defined]
        self._mark_statement = (table.update()
                                .where(table.c.id == bindparam("b_id"), table.c.status != "sent")
                                .values(status="sent", sent_at=bindparam("b_sent_at"),
                                        telegram_message_id=bindparam("b_message_id"), claimed_until=None))
        self._last_backlog_log = -BACKLOG_LOG_SECONDS
        self._marks: list[dict[str, Any]] = []  # delivered, but the database refused "sent": tried again
        self._mark_timer: asyncio.TimerHandle | None = None
        self.sent_count = 0

    @property
    def batch_size(self) -> int:
        return self._batch_size

    @property
    def in_flight(self) -> int:
        return self._in_flight

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
        workers = list(self._workers.values())
        for worker in workers:
            worker.cancel()
        await asyncio.gather(*workers, return_exceptions=True)
        self.flush_marks()
        # Rows still waiting for the limiter go back to pending now; a row whose call was under
        # way keeps its lease (Telegram may have it) and is sent again only if it was not marked.
        waiting = [row for queue in self._queues.values() for row in queue if row.id not in self._calling]
        self._queues.clear()
        self._workers.clear()
        self._in_flight = 0
        if waiting:
            try:
                self._release(waiting, self._clock.now())
            except Exception:  # stopping must not fail; the leases run out instead
                log.exception("could not release %s claimed rows", len(waiting))

    async def _run(self) -> None:
        last_claim = -CLAIM_INTERVAL
        while True:
            # A burst of kicks (a thousand members pressing at once, each handler kicks) shares one
            # claim per CLAIM_INTERVAL instead of one claim transaction per kick.
            since = time.monotonic() - last_claim
            interval = CLAIM_INTERVAL if self._in_flight <= self._max_in_flight else URGENT_CLAIM_INTERVAL
            if since < interval:
                await asyncio.sleep(interval - since)
            last_claim = time.monotonic()
            try:
                self.flush_marks()  # a refused mark first: its row must not be claimed and sent again
                claimed = await self._fill()
                if self._needs_due_work and self._due_work is not None:
                    self._needs_due_work = False
                    self._due_work()
                self._maybe_log_backlog()
            except asyncio.CancelledError:
                raise
            except Exception:  # the loop must survive anything: log and carry on
                log.exception("outbox pump failed")
                claimed = 0
            if claimed and self._in_flight <= self._batch_size:
                await asyncio.sleep(0)  # more may be due: claim again at once
                continue
            self._room.clear()
            waits = [asyncio.ensure_future(self._wake.wait())]
            if self._in_flight > self._batch_size:  # full: claim again when there is room
                waits.append(asyncio.ensure_future(self._room.wait()))
            try:
                await asyncio.wait(waits, timeout=self._idle_poll, return_when=asyncio.FIRST_COMPLETED)
            finally:
                for waiter in waits:
                    waiter.cancel()

    async def _fill(self) -> int:
        """Claim what fits: a whole batch while less than one is queued, else urgent rows and replies
        (up to a second batch of them: more would only wait for tokens here, under a running lease),
        and past that urgent rows alone."""
        self._wake.clear()
        if self._in_flight <= self._batch_size:
            max_priority = None
        elif self._in_flight <= self._max_in_flight:
            max_priority = Priority.REPLY
        else:
            max_priority = Priority.URGENT
        if not self._claim_in_thread:
            rows = self.claim(self._batch_size, max_priority=max_priority)
        else:
            claiming = asyncio.ensure_future(asyncio.to_thread(self.claim, self._batch_size, max_priority=max_priority))
            try:
                rows = await asyncio.shield(claiming)
            except asyncio.CancelledError:  # stopping: what the thread claims goes straight back
                self._release(await claiming, self._clock.now())
                raise
        if rows:
            log.debug("claimed %s rows (%s already in flight)", len(rows), self._in_flight)
        self._dispatch(rows)
        return len(rows)

    def claim(self, limit: int | None = None, *, max_priority: int | None = None) -> list[OutboxMessage]:
        now = self._clock.now()
        with self._uow() as session:
            rows = outbox_db.claim_outbox(session, now, limit or self._batch_size, now + LEASE, max_priority=max_priority)
            session.commit()
            return rows

    def _dispatch(self, rows: list[OutboxMessage]) -> None:
        """Rows join their chat's queue (behind rows claimed earlier: order within a chat holds)."""
        delivered = {mark["b_id"] for mark in self._marks}  # Telegram has them; "sent" not yet committed
        for row in rows:
            # A row of ours claimed again (its lease ran out here, e.g. a test's clock jumped): never twice.
            if row.id in self._calling or row.id in delivered:
                continue  # its call is under way or done; the outcome is recorded, or it is claimed once more later
            queued = next((q for q in self._queues.get(row.chat_id, ()) if q.id == row.id), None)
            if queued is not None:
                queued.claimed_until = row.claimed_until  # ours again under the new lease: keeps its place
                continue
            queue = self._queues.get(row.chat_id)
            if queue is None:
                queue = self._queues[row.chat_id] = deque()
                self._workers[row.chat_id] = asyncio.create_task(self._chat_worker(row.chat_id, queue))
            queue.append(row)
            self._in_flight += 1

    async def pump_once(self) -> int:
        """Claim one batch and deliver it; returns how many rows were claimed."""
        rows = self.claim()
        if not rows:
            return 0
        self._dispatch(rows)
        while self._workers:
            await asyncio.gather(*list(self._workers.values()), return_exceptions=True)
        self.flush_marks()
        return len(rows)

    async def _chat_worker(self, chat_id: int, queue: deque[OutboxMessage]) -> None:
        """In order; after a failure the rest of this chat's rows wait behind it, keeping order."""
        previous_send = -1e9
        try:
            while queue:
                row = queue[0]
                retry_at, previous_send = await self._deliver_paced(row, previous_send)
                queue.popleft()
                self._in_flight -= 1
                if retry_at is not None:
                    rest = list(queue)
                    queue.clear()
                    self._in_flight -= len(rest)
                    self._release(rest, retry_at)
                self._signal_room()
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("outbox delivery to one chat failed; its rows are retried after their lease")
            self._in_flight -= len(queue)
            queue.clear()
        finally:
            if self._queues.get(chat_id) is queue and not queue:
                del self._queues[chat_id]
                self._workers.pop(chat_id, None)
                self._signal_room()

    def _signal_room(self) -> None:
        if self._in_flight <= self._batch_size:
            self._room.set()

    async def _deliver_paced(self, row: OutboxMessage, previous_send: float) -> tuple[datetime | None, float]:
        """The chat's spacing, a call slot (by lane), the limiter's token, then the call: tokens are
        never handed to rows that could not be sent at once, so the lanes hold even if sending lags."""
        paced = row.method in ("send", "document")
        if self._limiter is not None and paced:
            await self._limiter.reserve_chat(row.chat_id)  # a chat's 1 s spacing holds no call slot
        await self._slots.acquire(row.priority)
        try:
            paid = False
            if self._limiter is not None:
                paid = await self._limiter.acquire(
                    row.chat_id, row.priority, paced=paced, chat_reserved=True,
                    paid_ok=row.method == "send" and bool(row.payload.get("paid_broadcast")))
            started = time.monotonic()
            self._calling.add(row.id or 0)
            try:
                retry_at = await self._deliver(row, paid=paid, previous_send=previous_send)
            finally:
                self._calling.discard(row.id or 0)
        finally:
            self._slots.release()
        return retry_at, started

    def _maybe_log_backlog(self) -> None:
        """While more is due than one batch, say how much, how late and how long it will take."""
        if self._in_flight < self._batch_size:
            return
        now_mono = time.monotonic()
        if now_mono - self._last_backlog_log < BACKLOG_LOG_SECONDS:
            return
        self._last_backlog_log = now_mono
        now = self._clock.now()
        with self._uow() as session:
            backlog = outbox_db.outbox_backlog(session, now, rate=self._limiter.rate if self._limiter else None)
        if backlog["due"] > self._batch_size:
            log.info("outbox backlog: %s due, oldest %.0f s late, about %s s to drain at %s/s",
                     backlog["due"], backlog["oldest_due_seconds"], backlog["drain_seconds"], backlog["rate"])

    async def _deliver(self, row: OutboxMessage, *, paid: bool = False, previous_send: float = -1e9) -> datetime | None:
        """Send one row and record the outcome. Returns when to retry, or None when done."""
        if row.claimed_until is not None and row.claimed_until - LEASE_MARGIN <= self._clock.now():
            # Our lease ran out while the row waited here: another worker may have claimed it and be
            # sending it, so never send it from this queue. It (and the rest of this chat's rows,
            # released behind it) is claimed again, by whoever comes first.
            log.warning("outbox row %s (%s) waited past its lease; left to the next claim", row.id, row.purpose)
            return self._clock.now()
        if row.payload.get("unreadable"):
            # Queued under a key that is lost (storage/crypto.py): never send "[unreadable]" to anyone.
            self._give_up(row, "unreadable")
            return None
        try:
            message_id = await self._call(row, paid=paid)
        except RetryAfter as exc:
            delay = exc.retry_after if isinstance(exc.retry_after, (int, float)) else exc.retry_after.total_seconds()
            if self._limiter is not None:
                # A 429 right after a send to the same chat is that chat's limit: hold only that chat.
                # Otherwise it is the overall limit, and Telegram means every send should wait.
                recent = time.monotonic() - previous_send < 2 * self._limiter.limits.interval_for(row.chat_id)
                await self._limiter.retry_after(row.chat_id, float(delay), everyone=not recent)
            return self._retry(row, timedelta(seconds=float(delay)), "retry_after", count_attempt=False)
        except Forbidden:
            self._give_up(row, "forbidden", unreachable=True)
        except BadRequest as exc:
            if "not modified" in str(exc).lower():
                await self._mark_sent(row, None)
            else:
                self._give_up(row, f"bad_request:{_error_kind(exc)}")
        except (NetworkError, TelegramError) as exc:
            return self._retry(row, backoff(row.attempts + 1), type(exc).__name__, count_attempt=True)
        except Exception as exc:  # accepted or not, we cannot tell: a few tries, then give up
            log.error("outbox row %s (%s): %s after the call", row.id, row.purpose, type(exc).__name__)
            return self._retry(row, backoff(row.attempts + 1), type(exc).__name__, count_attempt=True,
                               max_attempts=MAX_UNKNOWN_ATTEMPTS)
        else:
            await self._mark_sent(row, message_id)
        return None

    async def _call(self, row: OutboxMessage, *, paid: bool = False) -> int | None:
        payload = row.payload
        markup = reply_markup(payload)
        if row.method == "send":
            message = await self._bot.send_message(
                allow_paid_broadcast=True if paid else None,
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

    async def _mark_sent(self, row: OutboxMessage, message_id: int | None) -> None:
        """Committed at once: a kill after this repeats nothing (see the module docstring)."""
        mark = {"b_id": row.id, "b_message_id": message_id, "b_sent_at": self._clock.now()}
        if not row.payload.get("ephemeral"):
            self.flush_marks()  # order of outcomes within a chat: a refused earlier mark first
            if self._mark_uow is None:
                self._keep_refused(self._commit_marks([mark], self._uow))
            else:
                self._keep_refused(await greenlet_spawn(self._commit_marks, [mark], self._mark_uow))
            return
        self.flush_marks()
        with self._uow() as session:  # an export or goodbye: its content goes with the mark, at once
            stored = session.get(OutboxMessage, row.id)
            if stored is None or stored.status == "sent":
                return
            stored.status = "sent"
            stored.sent_at = mark["b_sent_at"]
            stored.telegram_message_id = message_id
            stored.claimed_until = None
            _forget_ephemeral(stored)
            session.commit()
        self.sent_count += 1

    def flush_marks(self) -> None:
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
                marked = result.rowcount if connection.dialect.supports_sane_multi_rowcount or len(marks) == 1 \
                    else len(marks)
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
                self._mark_timer = asyncio.get_running_loop().call_later(MARK_RETRY, self.flush_marks)

    def _retry(self, row: OutboxMessage, delay: timedelta, reason: str, *, count_attempt: bool,
               max_attempts: int = MAX_ATTEMPTS) -> datetime | None:
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
                stored.status = "failed"
                stored.claimed_until = None
                session.commit()
                log.error("outbox row %s (%s) failed after %s attempts (%s)", row.id, row.purpose, stored.attempts,
                          reason)
                return None
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
                if stored is not None and _lease_held(stored, row):
                    stored.status = "pending"
                    stored.due_at = max(stored.due_at, not_before)
                    stored.claimed_until = None
            session.commit()

    def _give_up(self, row: OutboxMessage, reason: str, *, unreachable: bool = False) -> None:
        with self._uow() as session:
            stored = session.get(OutboxMessage, row.id)
            if stored is None or stored.status == "sent":
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


def _lease_held(stored: OutboxMessage, row: OutboxMessage) -> bool:
    """The row is still under the lease this sender took (several workers: a row whose lease ran
    out may be another worker's now, and only the holder may put it back or give it up)."""
    return stored.status == "sending" and stored.claimed_until == row.claimed_until


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
