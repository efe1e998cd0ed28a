"""Long polling that confirms an update to Telegram only after it was handled.

python-telegram-bot's own ``Updater`` asks for the next batch (which *confirms* the last one to
Telegram) as soon as it has queued a batch, before the handlers ran. A bot killed at that moment
loses every queued update for good: Telegram never sends a confirmed update again. Here each
update is handled (its use case committed, with its update id: ``bot/services/updates.py``) before
the offset that confirms it is sent, so a kill at any moment leads to a re-send, which the dedupe
drops if the work was already committed. At least once from Telegram + dedupe in the same
transaction = each update's effects exactly once.

Within a batch, each chat's updates are handled in order, and different chats' updates side by
side (:func:`handle_batch`, ``LANES`` at a time): one member's press no longer waits for another's
answer to travel to Telegram and back, nor (on PostgreSQL, where handlers run their use cases in
worker threads: ``Saathi.call``) for another's transaction. Order holds within a chat; between
chats, updates of one batch arrived together and may be handled in any order, as with several
workers. The batch is confirmed once every update in it was handled.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import warnings
from typing import Any

from telegram import Update
from telegram.error import Conflict, RetryAfter, TelegramError
from telegram.ext import Application
from telegram.warnings import PTBUserWarning

log = logging.getLogger(__name__)
# _fetch calls getUpdates through do_api_request on purpose (see its docstring); PTB warns about that.
warnings.filterwarnings("ignore", message=r"Please use 'Bot\.getUpdates'", category=PTBUserWarning)

MAX_BACKOFF = 30.0
# Chats handled side by side. Enough to keep the CPU busy while answers travel and transactions
# wait; more would only queue for the HTTP client's 32 connections (bot/http.py), shared with the
# sender's 8 call slots, and for PostgreSQL's worker threads.
LANES = 8


async def poll_confirming(application: Application, stop: asyncio.Event, *, timeout: int = 10,  # type: ignore[type-arg]
                          limit: int = 100) -> None:
    """Fetch, handle each update in order, then confirm by asking for the next batch."""
    offset = 0
    failures = 0
    stopped = asyncio.ensure_future(stop.wait())
    try:
        while not stop.is_set():
            fetch = asyncio.ensure_future(_fetch(application, offset, timeout, limit))
            await asyncio.wait({fetch, stopped}, return_when=asyncio.FIRST_COMPLETED)
            if not fetch.done():
                fetch.cancel()
                with contextlib.suppress(asyncio.CancelledError, TelegramError):
                    await fetch
                break
            try:
                batch = fetch.result()
            except RetryAfter as exc:
                delay = exc.retry_after if isinstance(exc.retry_after, (int, float)) else exc.retry_after.total_seconds()
                await _sleep(stop, float(delay))
                continue
            except (Conflict, TelegramError) as exc:  # network trouble, another poller (409), …
                failures += 1
                log.warning("getUpdates failed (%s); retrying", type(exc).__name__)
                await _sleep(stop, min(2.0 ** min(failures, 5) / 4, MAX_BACKOFF))
                continue
            failures = 0
            offset = await handle_batch(application, batch, stop) or offset
    finally:
        stopped.cancel()
    if offset:
        # confirm what was handled, so a clean stop is not followed by re-sends
        with contextlib.suppress(TelegramError, asyncio.TimeoutError):
            await asyncio.wait_for(_fetch(application, offset, 0, 1), 5)


async def handle_batch(application: Application, batch: list[tuple[int, Update | None]],  # type: ignore[type-arg]
                       stop: asyncio.Event) -> int | None:
    """Handle one batch, a lane per chat (in order within it); returns the offset that confirms
    what was handled: past the whole batch, or, when ``stop`` cut it short, up to the first
    update left unhandled (Telegram sends that one and the rest again)."""
    lanes: dict[object, list[tuple[int, Update | None]]] = {}
    for update_id, update in batch:
        lanes.setdefault(_lane_of(update_id, update), []).append((update_id, update))
    handled: set[int] = set()
    queue = list(lanes.values())
    queue.reverse()  # popped from the end: lanes start in the order of their first update

    async def run_lanes() -> None:
        while queue:
            for update_id, update in queue.pop():
                if stop.is_set():
                    return
                if update is not None:
                    try:
                        await application.process_update(update)
                    except Exception as exc:  # process_update routes handler errors itself; a last resort
                        log.error("update processing failed: %s", type(exc).__name__)
                handled.add(update_id)

    await asyncio.gather(*(run_lanes() for _ in range(min(LANES, len(queue)))))
    offset = None
    for update_id, _update in batch:
        if update_id not in handled:
            break
        offset = update_id + 1
    return offset


def _lane_of(update_id: int, update: Update | None) -> object:
    """Updates of one chat (or, without a chat, of one person) share a lane; others get their own."""
    if update is not None:
        if update.effective_chat is not None:
            return ("chat", update.effective_chat.id)
        if update.effective_user is not None:
            return ("chat", update.effective_user.id)
    return ("update", update_id)


async def _fetch(application: Application, offset: int, timeout: int,  # type: ignore[type-arg]
                 limit: int) -> list[tuple[int, Update | None]]:
    """One getUpdates call, read update by update.

    ``Bot.get_updates`` parses the whole batch at once: one update it cannot read (a kind newer
    than this python-telegram-bot, a malformed field) raises, the batch is never confirmed, and
    the same batch comes back forever — the bot would stop hearing everyone. It also logs the raw
    batch, members' words included, at CRITICAL. Here an unreadable update is logged by id only
    and skipped (confirmed), and the rest are handled.
    """
    raw: Any = await application.bot.do_api_request(
        "getUpdates", api_kwargs={"offset": offset, "timeout": timeout, "limit": limit},
        read_timeout=timeout + 10,
    )
    batch: list[tuple[int, Update | None]] = []
    for item in raw or ():
        update_id = int(item["update_id"])
        try:
            update = Update.de_json(item, application.bot)
        except Exception as exc:
            log.error("skipping update %s that could not be read: %s", update_id, type(exc).__name__)
            update = None
        batch.append((update_id, update))
    return batch


async def _sleep(stop: asyncio.Event, seconds: float) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), seconds)


async def serve_polling(application: Application, *, timeout: int = 10) -> None:  # type: ignore[type-arg]
    """What ``run_polling`` does, with the confirming loop: start, poll until SIGINT/SIGTERM, stop."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stop.set)
    await application.initialize()
    try:
        if application.post_init is not None:
            await application.post_init(application)
        await application.bot.delete_webhook(drop_pending_updates=False)
        await application.start()
        try:
            log.info("polling for updates")
            await poll_confirming(application, stop, timeout=timeout)
        finally:
            await stop_application(application)
    finally:
        await application.shutdown()
        if application.post_shutdown is not None:
            await application.post_shutdown(application)


async def stop_application(application: Application) -> None:  # type: ignore[type-arg]
    """``Application.stop`` and then ``post_stop``, in the order ``run_polling`` uses (the sender
    stops in post_stop, while the bot's HTTP client is still open)."""
    await application.stop()
    if application.post_stop is not None:
        await application.post_stop(application)


def run_polling(application: Application) -> None:  # type: ignore[type-arg]
    asyncio.run(serve_polling(application))
