"""Long polling that confirms updates to Telegram only once they are stored in the inbox.

python-telegram-bot's own ``Updater`` asks for the next batch (which *confirms* the last one to
Telegram) as soon as it has queued a batch in memory. A bot killed at that moment loses every
queued update for good: Telegram never sends a confirmed update again. Here each batch is first
stored in the inbox (``bot/inbox.py``: one insert, one commit), then handled, and only then does
the next ``getUpdates`` confirm it. While the database refuses the batch nothing is confirmed:
the poller backs off and asks again from the same offset, and Telegram keeps the updates. A kill
at any moment leads to a re-send, which the inbox recognises (handled: dropped; stored but not
handled: handled now). At least once from Telegram + the dedupe in the handler's transaction =
each update's effects exactly once.

Within a batch, each chat's updates are handled in order, different chats' side by side
(``bot.inbox.LANES`` at a time).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import warnings
from collections.abc import AsyncIterator
from typing import Any

from telegram import Bot
from telegram.error import Conflict, RetryAfter, TelegramError
from telegram.ext import Application
from telegram.warnings import PTBUserWarning

from bot.inbox import Inbox, read_items

log = logging.getLogger(__name__)
# _fetch calls getUpdates through do_api_request on purpose (see its docstring); PTB warns about that.
warnings.filterwarnings("ignore", message=r"Please use 'Bot\.getUpdates'", category=PTBUserWarning)

MAX_BACKOFF = 30.0
STORE_BACKOFF = 2.0  # the longest wait between two tries to store a batch while the database is away


def inbox_of(application: Application) -> Inbox:
    return application.bot_data["saathi"].inbox


async def poll_all(application: Application, stop: asyncio.Event, *, timeout: int = 10) -> None:
    """:func:`poll_confirming` for the ``.env`` bot and, side by side, each centre's own bot."""
    bots = [None, *inbox_of(application).bots.values()]
    await asyncio.gather(*(poll_confirming(application, stop, timeout=timeout, bot=bot) for bot in bots))


async def poll_confirming(
    application: Application, stop: asyncio.Event, *, timeout: int = 10, limit: int = 100, bot: Bot | None = None
) -> None:
    """Fetch, store, handle, then confirm by asking for the next batch (of ``bot``'s updates: a
    centre's own bot; None: the ``.env`` bot)."""
    inbox = inbox_of(application)
    bot = bot or application.bot
    offset = 0
    failures = 0
    store_failures = 0
    stopped = asyncio.ensure_future(stop.wait())
    try:
        while not stop.is_set():
            fetch = asyncio.ensure_future(_fetch(bot, offset, timeout, limit))
            await asyncio.wait({fetch, stopped}, return_when=asyncio.FIRST_COMPLETED)
            if not fetch.done():
                fetch.cancel()
                with contextlib.suppress(asyncio.CancelledError, TelegramError):
                    await fetch
                break
            try:
                raw = fetch.result()
            except RetryAfter as exc:
                delay = (
                    exc.retry_after if isinstance(exc.retry_after, (int, float)) else exc.retry_after.total_seconds()
                )
                log.warning("getUpdates: flood control, retrying in %s s", delay)
                await _sleep(stop, float(delay))
                continue
            except (Conflict, TelegramError) as exc:  # network trouble, timeouts, another poller (409), …
                failures += 1
                log.warning("getUpdates failed (%s); retrying", type(exc).__name__)
                await _sleep(stop, min(2.0 ** min(failures, 5) / 4, MAX_BACKOFF))
                continue
            failures = 0
            batch, next_offset = read_items(raw, bot)
            if batch:
                try:
                    stored = await inbox.store_async([received for received, _ in batch])
                except Exception as exc:  # the database is away: confirm nothing, Telegram keeps them
                    store_failures += 1
                    log.warning(
                        "could not store %s updates (%s); not confirming them, retrying", len(batch), type(exc).__name__
                    )
                    await _sleep(stop, min(0.25 * 2 ** min(store_failures, 8), STORE_BACKOFF))
                    continue
                store_failures = 0
                await inbox.handle_stored(batch, stored, stop)
            elif raw and next_offset is None:
                await _sleep(stop, 1.0)  # only items without an update_id: nothing to confirm them by
            offset = next_offset or offset
    finally:
        stopped.cancel()
    if offset:
        # confirm what was stored, so a clean stop is not followed by re-sends
        with contextlib.suppress(TelegramError, asyncio.TimeoutError):
            await asyncio.wait_for(_fetch(bot, offset, 0, 1), 5)


async def _fetch(bot: Bot, offset: int, timeout: int, limit: int) -> list[Any]:
    """One getUpdates call, its items as Telegram sent them.

    ``Bot.get_updates`` parses the whole batch at once: one update it cannot read (a kind newer
    than this python-telegram-bot, a malformed field) raises, the batch is never confirmed, and
    the same batch comes back forever — the bot would stop hearing everyone. It also logs the raw
    batch, members' words included, at CRITICAL. Here each item is read on its own
    (:func:`bot.inbox.read_items`).
    """
    raw: Any = await bot.do_api_request(
        "getUpdates",
        api_kwargs={"offset": offset, "timeout": timeout, "limit": limit},
        read_timeout=timeout + 10,
    )
    return list(raw) if isinstance(raw, list) else []


async def _sleep(stop: asyncio.Event, seconds: float) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), seconds)


@contextlib.asynccontextmanager
async def serving(application: Application, stop: asyncio.Event, *, signals: bool = True) -> AsyncIterator[None]:
    """What ``run_polling``/``run_webhook`` do around receiving: SIGINT/SIGTERM set ``stop`` (unless
    ``signals`` is False: tests); initialize, post_init and start before; stop, post_stop, shutdown
    and post_shutdown after."""
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM) if signals else ():
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stop.set)
    await application.initialize()
    try:
        if application.post_init is not None:
            await application.post_init(application)
        await application.start()
        try:
            yield
        finally:
            await stop_application(application)
    finally:
        await application.shutdown()
        if application.post_shutdown is not None:
            await application.post_shutdown(application)


async def serve_polling(application: Application, *, timeout: int = 10) -> None:
    """What ``run_polling`` does, with the confirming loop: start, poll until SIGINT/SIGTERM, stop."""
    stop = asyncio.Event()
    async with serving(application, stop):
        for bot in [application.bot, *inbox_of(application).bots.values()]:
            await bot.delete_webhook(drop_pending_updates=False)
        log.info("polling for updates")
        await poll_all(application, stop, timeout=timeout)


async def stop_application(application: Application) -> None:
    """``Application.stop`` and then ``post_stop``, in the order ``run_polling`` uses (the sender
    stops in post_stop, while the bot's HTTP client is still open)."""
    await application.stop()
    if application.post_stop is not None:
        await application.post_stop(application)


def run_polling(application: Application) -> None:
    asyncio.run(serve_polling(application))
