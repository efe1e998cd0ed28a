"""The transactional inbox: store an update, then confirm it to Telegram, then handle it from the inbox_db.

Polling (``bot/polling.py``) and the webhook (``bot/webhook.py``) hand each batch to
:meth:`Inbox.store`: one insert and one commit for the whole batch. Only when that commit
stood is the batch confirmed (the next ``getUpdates`` offset, the webhook's 200); while the
database is away nothing is confirmed and Telegram keeps the updates.

Each stored update is then handled (:meth:`Inbox.handle`) with the handler's own transaction
marking its row ``handled`` (``bot/services/updates.py``): the dedupe and the work commit
together. A handler that fails leaves its row ``pending``:

* a database that is unreachable (a transient error) leaves the row as it is, and the retry
  loop tries again after a short pause that grows while the database stays away;
* any other error counts an attempt and retries the update after a backoff; after
  ``MAX_ATTEMPTS`` the row is ``failed``, logged (ids and the error's type, never text), counted
  in ``saathi status``, the member gets the kind ``error-generic`` answer, and the chat's later
  updates move on.

Order within a chat holds: one chat's updates are handled one at a time, oldest first, and an
update whose chat has an older row still pending waits for the retry loop, which takes each
chat's rows in order and stops at the first that is not due yet. Different chats go side by
side, ``LANES`` at a time.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Awaitable, Callable, Iterable, Sequence
from datetime import timedelta
from typing import Any

from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from telegram import Update
from telegram.ext import Application

from bot.accounts import AccountBot, keyed
from bot.blocking import run_blocking
from bot.domain.channels import telegram_account_of
from bot.services import updates
from bot.services.context import ServiceContext
from storage import inbox as inbox_db

log = logging.getLogger(__name__)

# Chats handled side by side. Enough to keep the CPU busy while answers travel and transactions
# wait; more would only queue for the HTTP client's 32 connections (bot/http.py), shared with the
# sender's 8 call slots, and for PostgreSQL's connections.
LANES = 8
MAX_ATTEMPTS = 5  # a handler failing this often on one update is a bug, not bad luck: give up, say sorry
RETRY_POLL = 1.0  # seconds between two looks for pending rows when nothing wakes the retry loop
MAX_PAUSE = 2.0  # the longest wait while the database is away (one failed connect attempt each time)
BATCH = 200
RESENT = "update %s already handled; ignoring the re-send"

HANDLED, RETRY, AWAY, GIVEN_UP = "handled", "retry", "away", "given_up"


def backoff(attempts: int) -> timedelta:
    """Before the next try of an update whose handler failed ``attempts`` times: 2, 4, 8, 16 s…"""
    return timedelta(seconds=min(2**attempts, 300))


def is_transient(error: BaseException | None) -> bool:
    """The database (or the connection to it) is away: nothing about this update is wrong."""
    if isinstance(error, (OperationalError, InterfaceError, PoolTimeout, ConnectionError, TimeoutError)):
        return True
    return isinstance(error, DBAPIError) and bool(error.connection_invalidated)


async def record_failure(services: ServiceContext, update_id: int, error: BaseException, *, max_attempts: int) -> str:
    """A handler failed on stored event ``update_id`` (a Telegram update or a WhatsApp message): AWAY
    when the database is away (the row is left as it is, or its failure could not be recorded), RETRY
    after a backoff (one attempt counted), or GIVEN_UP at ``max_attempts`` (the row is ``failed``: the
    caller tells the person). The write goes through ``run_blocking``, never on the loop on PostgreSQL."""
    kind = type(error).__name__
    if isinstance(error, updates.NotYet):
        log.info("update %s waits a moment: %s", update_id, error)
        return RETRY  # the row is left as it was: due, taken again on the retry loop's next look
    if is_transient(error):
        log.warning("update %s waits: the database is unreachable (%s)", update_id, kind)
        return AWAY
    try:
        attempts, status = await run_blocking(services.uow, _count_failure, services, update_id, kind, max_attempts)
    except Exception as exc:
        log.warning("update %s: could not record its failure (%s)", update_id, type(exc).__name__)
        return AWAY
    if status == inbox_db.FAILED:
        log.error("update %s given up after %s attempts (%s); the person is told", update_id, attempts, kind)
        return GIVEN_UP
    log.warning("update %s failed (%s, attempt %s); retried later", update_id, kind, attempts)
    return RETRY


def _count_failure(services: ServiceContext, update_id: int, kind: str, max_attempts: int) -> tuple[int, str | None]:
    now = services.clock.now()
    with services.uow() as session:
        row = inbox_db.record_failure(session, update_id, now, error=kind, max_attempts=max_attempts, retry_at=now)
        if row is not None and row.status == inbox_db.PENDING:
            row.next_attempt_at = now + backoff(row.attempts)
        attempts, status = (row.attempts, row.status) if row is not None else (0, None)
        session.commit()
    return attempts, status


def read_due(services: ServiceContext, *, whatsapp: bool = False) -> list[inbox_db.InboxUpdate]:
    """The pending rows due now, each chat's in order (Telegram's, or ``whatsapp``: WhatsApp's), read in
    one short transaction (through ``run_blocking``, as every database call of the inbox loops)."""
    with services.uow() as session:
        return inbox_db.due(session, services.clock.now(), BATCH, whatsapp=whatsapp)


async def tell_given_up(update_id: int, telling: Awaitable[object]) -> None:
    """The kind "something went wrong" for a given-up update; a failure to say it is only logged."""
    try:
        await telling
    except Exception as exc:
        log.error("could not tell the person about update %s: %s", update_id, type(exc).__name__)


def lane_of(update: Update) -> int | None:
    """Updates of one chat (or, without a chat, of one person) are handled in order (a chat on a
    centre's own bot is a lane of its own: its conversation key)."""
    if update.effective_chat is not None:
        return keyed(update, update.effective_chat.id)
    return keyed(update, update.effective_user.id) if update.effective_user is not None else None


def read_items(items: Iterable[Any], bot: Any) -> tuple[list[tuple[inbox_db.Received, Update]], int | None]:
    """Telegram's raw update objects → the ones we can handle, and the offset past everything seen.

    An item that is not an object or has no integer ``update_id`` cannot be confirmed by itself
    and is skipped with a log line; one python-telegram-bot cannot read (a kind newer than it,
    a malformed field) is logged by id and skipped (confirmed). Never their content.

    The offset is Telegram's; the stored id of an update a centre's own bot brought is keyed with its
    account (bot/accounts.py), as Telegram counts each bot's updates on its own."""
    readable: list[tuple[inbox_db.Received, Update]] = []
    last: int | None = None
    for item in items:
        update_id = item.get("update_id") if isinstance(item, dict) else None
        if not isinstance(update_id, int) or isinstance(update_id, bool):
            log.error("skipping a getUpdates item without an update_id (%s)", type(item).__name__)
            continue
        last = update_id if last is None else max(last, update_id)
        try:
            update = Update.de_json(item, bot)
        except Exception as exc:
            log.error("skipping update %s that could not be read: %s", update_id, type(exc).__name__)
            continue
        readable.append((inbox_db.Received(keyed(update, update_id), lane_of(update), item), update))
    return readable, None if last is None else last + 1


class Inbox:
    """Stores, handles and retries updates for one Application (the poller's or the webhook's process)."""

    def __init__(
        self,
        application: Application,
        services: ServiceContext,
        *,
        on_given_up: Callable[[Update], Awaitable[None]] | None = None,
        lanes: int = LANES,
        retry_poll: float = RETRY_POLL,
        max_attempts: int = MAX_ATTEMPTS,
    ) -> None:
        self._application = application
        self._services = services
        self._on_given_up = on_given_up
        self._lanes = lanes
        self._retry_poll = retry_poll
        self._max_attempts = max_attempts
        self._locks: dict[object, asyncio.Lock] = {}
        self._in_hand: set[int] = set()
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._away = 0  # consecutive transient failures: the database is away
        self.given_up = 0
        # the centres' own bots, by account: a stored update of theirs is read again with its bot
        self.bots: dict[int, AccountBot] = {}

    @property
    def in_hand(self) -> int:
        """Updates stored and being handled now (while there are, the console's pages wait: bot/web/app.py)."""
        return len(self._in_hand)

    # --- storing ------------------------------------------------------------------------------
    def store(self, received: Sequence[inbox_db.Received]) -> inbox_db.Stored:
        """One insert and one commit for the batch; raises when the database refuses (then nothing
        may be confirmed)."""
        with self._services.uow() as session:
            stored = inbox_db.store(session, received, self._services.clock.now())
            session.commit()
        return stored

    async def store_async(self, received: Sequence[inbox_db.Received]) -> inbox_db.Stored:
        """:meth:`store`, off the event loop on PostgreSQL (a connect attempt to an unreachable
        server can take a while, and the sender shares the loop). The updates are this path's
        until :meth:`handle_stored` is done with them: the retry loop leaves them alone meanwhile."""
        self._in_hand.update(r.update_id for r in received)
        try:
            return await run_blocking(self._services.uow, self.store, received)
        except BaseException:
            self._in_hand.difference_update(r.update_id for r in received)
            raise

    # --- handling -----------------------------------------------------------------------------
    async def handle_stored(
        self,
        batch: Sequence[tuple[inbox_db.Received, Update]],
        stored: inbox_db.Stored,
        stop: asyncio.Event | None = None,
    ) -> None:
        """Handle what was just stored: each pending update whose chat does not wait behind an
        older pending row (those are left to the retry loop, in order)."""
        todo: list[tuple[int, Update]] = []
        for received, update in batch:
            status = stored.status.get(received.update_id)
            if status == inbox_db.HANDLED:
                log.info(RESENT, received.update_id)
            elif status == inbox_db.PENDING and received.chat_id not in stored.waiting_chats:
                todo.append((received.update_id, update))
        left = len(todo) < sum(stored.status.get(r.update_id) == inbox_db.PENDING for r, _ in batch)
        try:
            await self.run_lanes(todo, stop)
        finally:
            self._in_hand.difference_update(r.update_id for r, _ in batch)
        if left or (stop is not None and stop.is_set()):
            self.kick()

    async def run_lanes(self, todo: Sequence[tuple[int, Update]], stop: asyncio.Event | None = None) -> int:
        """Each chat's updates in order, different chats side by side (``LANES`` at a time); a
        chat's lane stops at its first update that was not handled (it is retried, in order).
        Returns how many were handled."""
        lanes: dict[object, list[tuple[int, Update]]] = {}
        for update_id, update in todo:
            lane = lane_of(update)
            lanes.setdefault(("update", update_id) if lane is None else lane, []).append((update_id, update))
        queue = list(lanes.items())
        queue.reverse()  # popped from the end: lanes start in the order of their first update
        handled = 0

        async def worker() -> None:
            nonlocal handled
            while queue:
                lane, items = queue.pop()
                async with self._lock(lane):
                    for update_id, update in items:
                        if stop is not None and stop.is_set():
                            return
                        if await self.handle(update_id, update) != HANDLED:
                            break
                        handled += 1

        await asyncio.gather(*(worker() for _ in range(min(self._lanes, len(queue)))))
        return handled

    def _lock(self, lane: object) -> asyncio.Lock:
        lock = self._locks.get(lane)
        if lock is None:
            if len(self._locks) > 10_000:  # forget idle chats' locks now and then
                self._locks = {key: value for key, value in self._locks.items() if value.locked()}
            lock = self._locks[lane] = asyncio.Lock()
        return lock

    async def handle(self, update_id: int, update: Update) -> str:
        """Run the handlers on one stored update; HANDLED, RETRY (it failed and will be tried again)
        or AWAY (the database is away)."""
        with updates.handling(self._services, update_id) as handling:
            try:
                await self._application.process_update(update)
            except Exception as exc:  # process_update routes handler errors itself; a last resort
                updates.failed(exc)
            if handling.error is None and not handling.recorded and not handling.already_handled:
                try:
                    updates.mark_handled(self._services)  # it wrote nothing: mark it done now
                except Exception as exc:
                    updates.failed(exc)
        if handling.already_handled:
            log.info(RESENT, update_id)
            return HANDLED
        if handling.recorded or handling.error is None:
            self._away = 0
            return HANDLED
        return await self._failed(update_id, update, handling.error)

    async def _failed(self, update_id: int, update: Update, error: BaseException) -> str:
        outcome = await record_failure(self._services, update_id, error, max_attempts=self._max_attempts)
        if outcome == AWAY:
            self._away += 1
        elif outcome == GIVEN_UP:
            self.given_up += 1
            if self._on_given_up is not None:
                await tell_given_up(update_id, self._on_given_up(update))
            return HANDLED  # done with it: the chat's later updates move on
        return outcome

    # --- the retry loop -----------------------------------------------------------------------
    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._retry_loop(), name="inbox-retries")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    def kick(self) -> None:
        self._wake.set()

    def pause(self) -> float:
        """How long to wait before the next try while the database is away (grows, capped)."""
        return min(0.25 * 2 ** min(self._away, 8), MAX_PAUSE) if self._away else 0.0

    async def _retry_loop(self) -> None:
        while True:
            wait = self.pause() or self._retry_poll
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), wait)
            if self._away:  # a kick does not shorten the pause while the database is away
                await asyncio.sleep(max(0.0, self.pause() - wait))
            self._wake.clear()
            try:
                while await self.retry_due():
                    pass
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # the loop must survive anything: log and carry on
                if is_transient(exc):
                    self._away += 1
                    log.warning(
                        "inbox: the database is unreachable (%s); trying again in %.1f s",
                        type(exc).__name__,
                        self.pause(),
                    )
                else:
                    log.exception("inbox retry loop failed")

    async def retry_due(self) -> int:
        """Handle the pending rows that are due, each chat's in order; how many were handled."""
        rows = await run_blocking(self._services.uow, read_due, self._services)
        rows = [row for row in rows if row.update_id not in self._in_hand]  # the poller or webhook has them
        self._in_hand.update(row.update_id for row in rows)
        try:
            todo = [(row.update_id, update) for row in rows if (update := self._read(row)) is not None]
            if not todo:
                return 0
            self._away = 0  # the database answered
            return await self.run_lanes(todo)
        finally:
            self._in_hand.difference_update(row.update_id for row in rows)

    def _read(self, row: inbox_db.InboxUpdate) -> Update | None:
        account = telegram_account_of(row.update_id)
        try:
            bot = self._application.bot if account is None else self.bots[account]
            return Update.de_json(json.loads(row.payload or "null"), bot)
        except Exception as exc:
            log.error("inbox row %s could not be read (%s); marked handled", row.update_id, type(exc).__name__)
        with updates.handling(self._services, row.update_id):
            updates.mark_handled(self._services)
        return None
