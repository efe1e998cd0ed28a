"""The outbox sender: the only place that sends messages to people.

It claims due rows in priority order with a lease, sends them (in order within a
chat, concurrently across chats), and marks each row the moment Telegram accepts it.
A crash between claiming and sending leaves the lease to expire and the row is sent
after the restart; the window in which a row can be sent twice is the time between
Telegram's answer and the commit that marks it.

Each "sent" mark is committed as soon as Telegram's answer arrives (one short ``UPDATE`` by id),
so a kill can repeat only the sends truly in flight: those Telegram accepted in the instant
before the process died, whose answer it never read (at most one per chat, and in practice the
one or two on the wire). Marks batched every 20 ms saved some CPU a send but re-sent most of a
burst after one kill (docs/performance.md, docs/security.md). Recording outcomes is
:mod:`bot.delivery.outcomes`; the call itself, row by method, is :mod:`bot.delivery.calls`.

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
import contextlib
import functools
import logging
import time
from collections import deque
from collections.abc import Callable
from datetime import datetime, timedelta

from telegram import Bot
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError

from bot.blocking import run_blocking
from bot.clock import Clock
from bot.delivery.calls import call_telegram, error_kind
from bot.delivery.limiter import RateLimiter
from bot.delivery.outcomes import MAX_ATTEMPTS, OnUnreachable, Outcomes, backoff
from bot.delivery.slots import PrioritySlots
from bot.delivery.whatsapp import WhatsAppSender
from bot.domain import channels
from bot.domain.outgoing import Priority
from storage.db import SessionFactory
from storage.outbox import queries as outbox_db
from storage.outbox.tables import OutboxMessage

log = logging.getLogger(__name__)

__all__ = ["LEASE", "MAX_ATTEMPTS", "MAX_UNKNOWN_ATTEMPTS", "OutboxSender", "PrioritySlots", "backoff"]

LEASE = timedelta(seconds=60)
# A row is sent only with this much of its lease left, so the call ends before anyone may reclaim it.
LEASE_MARGIN = timedelta(seconds=15)
# An exception that is not Telegram's answer (the reply could not be read, a payload the code cannot
# send): the message may well have arrived, so each retry may be a duplicate. A few tries, then failed.
MAX_UNKNOWN_ATTEMPTS = 3
BATCH_SECONDS = 1.5  # a claim holds about this much sending at the limiter's rate
CLAIM_INTERVAL = 0.05  # kicks within this long of the last claim share the next one
# … and this long while more than a second batch is already in flight, when a claim can only bring
# urgent rows (a thousand presses at once: twenty claims a second that found nothing to take)
URGENT_CLAIM_INTERVAL = 0.25
BACKLOG_LOG_SECONDS = 30.0


def _lanes_for(in_flight: int, batch: int) -> int | None:
    """What a claim may bring: every lane while less than a batch is in flight, then urgent rows and
    replies (up to a second batch of them: more would only wait for tokens here, under a running
    lease), and past that urgent rows alone."""
    if in_flight <= batch:
        return None
    return Priority.REPLY if in_flight <= 2 * batch else Priority.URGENT


class OutboxSender:
    def __init__(
        self,
        uow: SessionFactory,
        clock: Clock,
        bot: Bot,
        *,
        batch_size: int = 50,
        concurrency: int = 8,
        idle_poll: float = 0.5,
        on_unreachable: OnUnreachable | None = None,
        due_work: Callable[[], object] | None = None,
        limiter: RateLimiter | None = None,
        mark_uow: SessionFactory | None = None,
        whatsapp: WhatsAppSender | None = None,
        account: int | None = None,
        others: tuple[int, ...] = (),
    ) -> None:
        """``on_unreachable`` runs in the transaction that records a 403 (the sender reports it; a
        service decides what it means for the person); when it returns True, ``due_work`` runs right
        after the batch (an alert's next step should not wait for the scan).

        ``limiter``: awaited before every call (None: no limit of our own, as in tests that raise it).
        ``batch_size`` is the smallest claim; with a limiter a claim is about ``BATCH_SECONDS`` of sending.
        ``mark_uow`` (PostgreSQL): the loop engine's unit of work, for the "sent" marks (see
        :class:`~bot.delivery.outcomes.Outcomes`). The pump's claims run through
        :func:`bot.blocking.run_blocking` (PostgreSQL: in a worker thread; a claim of a few hundred rows
        on the event loop was as long without a send, docs/performance.md).
        ``whatsapp``: rows whose channel is WhatsApp go through it (its own limiter per account); None
        gives them up as not configured. ``account``: a centre's own Telegram bot (``bot``, ``limiter``
        its own) claims only its account's rows; the ``.env`` bot's sender claims all but the running
        ``others``' rows, so a row of an account not running goes through it (docs/architecture.md)."""
        self._uow = uow
        self._claim = functools.partial(outbox_db.claim_outbox, account=account, others=others)
        self.whatsapp = whatsapp
        self._clock = clock
        self._bot = bot
        self._limiter = limiter
        rate = limiter.rate if limiter is not None else 0.0
        self._batch_size = max(batch_size, min(1000, int(rate * BATCH_SECONDS)))
        # WhatsApp's rows are claimed against their own budget (BATCH_SECONDS at one number's rate) once
        # a claim brought one: a Telegram backlog waiting for its 29/s must not hold WhatsApp's 79/s back.
        self._wa_batch = max(batch_size, int(whatsapp.rate * BATCH_SECONDS)) if whatsapp is not None else 0
        self._wa_in_flight = 0
        self._mixed = False
        self._slots = PrioritySlots(concurrency)
        self._idle_poll = idle_poll
        self.outcomes = Outcomes(
            uow, clock, mark_uow=mark_uow, on_unreachable=on_unreachable, tags_gone=account is None
        )
        self._wake = asyncio.Event()
        self._room = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._due_work = due_work
        self._queues: dict[int, deque[OutboxMessage]] = {}
        self._workers: dict[int, asyncio.Task[None]] = {}
        self._calling: set[int] = set()  # row ids whose call to Telegram is under way
        self._in_flight = 0
        self._last_backlog_log = -BACKLOG_LOG_SECONDS

    @property
    def batch_size(self) -> int:
        return self._batch_size

    @property
    def in_flight(self) -> int:
        return self._in_flight

    @property
    def sent_count(self) -> int:
        return self.outcomes.sent_count

    def flush_marks(self) -> None:
        """Commit the "sent" marks the database refused earlier (none, and no query, in the usual case)."""
        self.outcomes.flush()

    def kick(self) -> None:
        """Something was enqueued: send it now rather than at the next poll."""
        self._wake.set()

    def start(self) -> None:
        # a deployment with a WhatsApp number claims per channel from the start (else from its first row)
        self._mixed = self._mixed or (self.whatsapp is not None and self.whatsapp.has_accounts())
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="outbox-sender")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
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
        self._in_flight = self._wa_in_flight = 0
        if waiting:
            try:
                self.outcomes.release(waiting, self._clock.now())
            except Exception:  # stopping must not fail; the leases run out instead
                log.exception("could not release %s claimed rows", len(waiting))

    async def _run(self) -> None:
        last_claim = -CLAIM_INTERVAL
        while True:
            # A burst of kicks (a thousand members pressing at once, each handler kicks) shares one
            # claim per CLAIM_INTERVAL instead of one claim transaction per kick.
            since = time.monotonic() - last_claim
            interval = URGENT_CLAIM_INTERVAL if self._over(2) else CLAIM_INTERVAL
            if since < interval:
                await asyncio.sleep(interval - since)
            last_claim = time.monotonic()
            try:
                self.flush_marks()  # a refused mark first: its row must not be claimed and sent again
                claimed = await self._fill()
                if self.outcomes.needs_due_work and self._due_work is not None:
                    self.outcomes.needs_due_work = False
                    self._due_work()
                self._maybe_log_backlog()
            except asyncio.CancelledError:
                raise
            except Exception:  # the loop must survive anything: log and carry on
                log.exception("outbox pump failed")
                claimed = 0
            if claimed and not self._over(1):
                await asyncio.sleep(0)  # more may be due: claim again at once
                continue
            self._room.clear()
            waits = [asyncio.ensure_future(self._wake.wait())]
            if self._over(1):  # full: claim again when there is room
                waits.append(asyncio.ensure_future(self._room.wait()))
            try:
                await asyncio.wait(waits, timeout=self._idle_poll, return_when=asyncio.FIRST_COMPLETED)
            finally:
                for waiter in waits:
                    waiter.cancel()

    async def _fill(self) -> int:
        """Claim what fits (:func:`_lanes_for`), for all channels at once until a claim brought a
        WhatsApp row, then for each channel against its own budget."""
        self._wake.clear()
        plan: list[tuple[int, int | None, str | None]]
        if not self._mixed:
            plan = [(self._batch_size, _lanes_for(self._in_flight, self._batch_size), None)]
        else:  # each channel by its own budget
            telegram = self._in_flight - self._wa_in_flight
            plan = [
                (self._batch_size, _lanes_for(telegram, self._batch_size), channels.TELEGRAM),
                (self._wa_batch, _lanes_for(self._wa_in_flight, self._wa_batch), channels.WHATSAPP),
            ]
        # stopping while a thread claims: what it claimed goes straight back
        release = self.outcomes.release
        rows = await run_blocking(
            self._uow, self._claim_each, plan, on_cancel=lambda claimed: release(claimed, self._clock.now())
        )
        self._mixed = self._mixed or (self._wa_batch > 0 and any(row.channel == channels.WHATSAPP for row in rows))
        if rows:
            log.debug("claimed %s rows (%s already in flight)", len(rows), self._in_flight)
        self._dispatch(rows)
        return len(rows)

    def _claim_each(self, plan: list[tuple[int, int | None, str | None]]) -> list[OutboxMessage]:
        """One claim (limit, lanes, channel) after another: every channel at once, or (once WhatsApp
        rows came) each channel by its own budget."""
        return [row for limit, lanes, channel in plan for row in self.claim(limit, max_priority=lanes, channel=channel)]

    def _over(self, batches: int) -> bool:
        """More than ``batches`` batches in flight (once mixed: on both channels)."""
        if not self._mixed:
            return self._in_flight > batches * self._batch_size
        telegram = self._in_flight - self._wa_in_flight
        return telegram > batches * self._batch_size and self._wa_in_flight > batches * self._wa_batch

    def claim(
        self, limit: int | None = None, *, max_priority: int | None = None, channel: str | None = None
    ) -> list[OutboxMessage]:
        now = self._clock.now()
        with self._uow() as session:
            rows = self._claim(
                session, now, limit or self._batch_size, now + LEASE, max_priority=max_priority, channel=channel
            )
            session.commit()
            return rows

    def _dispatch(self, rows: list[OutboxMessage]) -> None:
        """Rows join their chat's queue (behind rows claimed earlier: order within a chat holds)."""
        delivered = self.outcomes.delivered_ids()  # Telegram has them; "sent" not yet committed
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
            self._wa_in_flight += row.channel == channels.WHATSAPP

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
                self._left(chat_id, 1)
                if retry_at is not None:
                    rest = list(queue)
                    queue.clear()
                    self._left(chat_id, len(rest))
                    self.outcomes.release(rest, retry_at)
                self._signal_room()
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("outbox delivery to one chat failed; its rows are retried after their lease")
            self._left(chat_id, len(queue))
            queue.clear()
        finally:
            if self._queues.get(chat_id) is queue and not queue:
                del self._queues[chat_id]
                self._workers.pop(chat_id, None)
                self._signal_room()

    def _left(self, chat_id: int, count: int) -> None:
        self._in_flight -= count
        if channels.is_whatsapp(chat_id):
            self._wa_in_flight -= count

    def _signal_room(self) -> None:
        if not self._over(1):
            self._room.set()

    async def _deliver_paced(self, row: OutboxMessage, previous_send: float) -> tuple[datetime | None, float]:
        """The chat's spacing, a call slot (by lane), the limiter's token, then the call: tokens are
        never handed to rows that could not be sent at once, so the lanes hold even if sending lags."""
        if row.channel == channels.WHATSAPP:  # the account's own limiter and pacing, in WhatsAppSender
            started = time.monotonic()
            self._calling.add(row.id or 0)
            try:
                return await self._deliver_whatsapp(row), started
            finally:
                self._calling.discard(row.id or 0)
        paced = row.method in ("send", "document")
        if self._limiter is not None and paced:
            await self._limiter.reserve_chat(row.chat_id)  # a chat's 1 s spacing holds no call slot
        await self._slots.acquire(row.priority)
        try:
            paid = False
            if self._limiter is not None:
                paid = await self._limiter.acquire(
                    row.chat_id,
                    row.priority,
                    paced=paced,
                    chat_reserved=True,
                    paid_ok=row.method == "send" and bool(row.payload.get("paid_broadcast")),
                    counted=True,
                )
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
            log.info(
                "outbox backlog: %s due, oldest %.0f s late, about %s s to drain at %s/s",
                backlog["due"],
                backlog["oldest_due_seconds"],
                backlog["drain_seconds"],
                backlog["rate"],
            )

    async def _deliver(self, row: OutboxMessage, *, paid: bool = False, previous_send: float = -1e9) -> datetime | None:
        """Send one row and record the outcome. Returns when to retry, or None when done."""
        if row.claimed_until is not None and row.claimed_until - LEASE_MARGIN <= self._clock.now():
            # Our lease ran out while the row waited here: another worker may have claimed it and be
            # sending it, so never send it from this queue. It (and the rest of this chat's rows,
            # released behind it) is claimed again, by whoever comes first.
            log.warning("outbox row %s (%s) waited past its lease; left to the next claim", row.id, row.purpose)
            self._no_call(paid)
            return self._clock.now()
        if row.payload.get("unreadable"):
            # Queued under a key that is lost (storage/crypto.py): never send "[unreadable]" to anyone.
            self._no_call(paid)
            self.outcomes.give_up(row, "unreadable")
            return None
        calling = self._limiter.calling(paid=paid) if self._limiter is not None else contextlib.nullcontext()
        try:
            with calling:  # counted against Telegram's second until a second after the answer
                message_id = await call_telegram(self._bot, row, paid=paid)
        except RetryAfter as exc:
            delay = exc.retry_after if isinstance(exc.retry_after, (int, float)) else exc.retry_after.total_seconds()
            if self._limiter is not None:
                # A 429 right after a send to the same chat is that chat's limit: hold only that chat.
                # Otherwise it is the overall limit, and Telegram means every send should wait.
                recent = time.monotonic() - previous_send < 2 * self._limiter.limits.interval_for(row.chat_id)
                await self._limiter.retry_after(row.chat_id, float(delay), everyone=not recent)
            return self.outcomes.retry(row, timedelta(seconds=float(delay)), "retry_after", count_attempt=False)
        except Forbidden:
            self.outcomes.give_up(row, "forbidden", unreachable=True)
        except BadRequest as exc:
            if "not modified" in str(exc).lower():
                await self.outcomes.sent(row, None)
            else:
                self.outcomes.give_up(row, f"bad_request:{error_kind(exc)}")
        except (NetworkError, TelegramError) as exc:
            return self.outcomes.retry(row, backoff(row.attempts + 1), type(exc).__name__, count_attempt=True)
        except Exception as exc:  # accepted or not, we cannot tell: a few tries, then give up
            log.error("outbox row %s (%s): %s after the call", row.id, row.purpose, type(exc).__name__)
            return self.outcomes.retry(
                row,
                backoff(row.attempts + 1),
                type(exc).__name__,
                count_attempt=True,
                max_attempts=MAX_UNKNOWN_ATTEMPTS,
            )
        else:
            await self.outcomes.sent(row, message_id)
        return None

    def _no_call(self, paid: bool) -> None:
        """The token ``_deliver_paced`` took goes unused: it stops counting at once."""
        if self._limiter is not None:
            self._limiter.landed(paid=paid)

    async def _deliver_whatsapp(self, row: OutboxMessage) -> datetime | None:
        """A WhatsApp row: its outcome recorded as a Telegram row's would be (a hold is noted by
        WhatsAppSender itself: the row waits for the person's next message)."""
        if row.claimed_until is not None and row.claimed_until - LEASE_MARGIN <= self._clock.now():
            return self._clock.now()  # as in _deliver: another worker may have it now
        if row.payload.get("unreadable") or self.whatsapp is None:
            self.outcomes.give_up(row, "unreadable" if self.whatsapp is not None else "wa_not_configured")
            return None
        try:
            outcome = await self.whatsapp.deliver(row)
        except Exception as exc:  # accepted or not, we cannot tell: a few tries, then give up
            log.error("outbox row %s (%s): %s on WhatsApp", row.id, row.purpose, type(exc).__name__)
            return self.outcomes.retry(
                row,
                backoff(row.attempts + 1),
                type(exc).__name__,
                count_attempt=True,
                max_attempts=MAX_UNKNOWN_ATTEMPTS,
            )
        if outcome.kind == "sent":
            # a WhatsApp message is known to the services by its row's id (a swipe-reply names it by wamid,
            # which the inbound side turns back into this id): threads and circle replies work unchanged
            await self.outcomes.sent(row, row.id if outcome.provider_id else None)
        elif outcome.kind == "retry":
            delay = outcome.delay if outcome.delay > timedelta(0) else backoff(row.attempts + 1)
            return self.outcomes.retry(row, delay, outcome.reason, count_attempt=outcome.counted)
        elif outcome.kind == "give_up":
            self.outcomes.give_up(row, outcome.reason, unreachable=outcome.unreachable)
        return None
