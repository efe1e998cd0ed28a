"""Webhook mode: our own small receiver, so Telegram's 200 means "stored in the inbox".

python-telegram-bot's webhook listener answers 200 as soon as it has queued an update in memory,
before any handler ran: a crash (or a handler failing on a database that is away) lost the
update for good. Here a POST is answered only after the update is committed to the inbox
(``bot/inbox.py``); when the database refuses it, the answer is 503 and Telegram delivers it
again later. Handling starts after the answer, from the stored row, and what fails is retried
by the inbox's retry loop.

Every request must carry the secret given to ``setWebhook`` (``X-Telegram-Bot-Api-Secret-Token``,
compared in constant time); anything else is 403 and is never read. The listener binds to
``WEBHOOK_LISTEN`` only. Logs carry update ids and error kinds, never text or the secret.

A centre's own bot (bot/accounts.py) gets a webhook of its own on the same listener: the path and URL
with ``/<account name>`` added, and a secret derived from its own token, so a post for one bot is
never read as another's.
"""

from __future__ import annotations

import asyncio
import functools
import hashlib
import hmac
import json
import logging
from dataclasses import dataclass
from typing import Any

from aiohttp import web
from telegram import Bot
from telegram.ext import Application

from bot.accounts import AccountBot
from bot.inbox import Inbox, read_items

log = logging.getLogger(__name__)
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
MAX_BODY = 1 << 20  # Telegram's updates are far smaller; a bigger body is not Telegram


def webhook_secret(token: str) -> str:
    """The webhook's secret header, derived from the bot token: every worker behind one address
    sets the same value (a random one per start would lock out all but the last worker started)."""
    return hmac.new(token.encode(), b"saathi-webhook-secret", hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class Hook:
    """One bot's webhook: where Telegram posts its updates, and the secret they must carry."""

    bot: Bot
    path: str
    url: str
    secret: bytes


class WebhookReceiver:
    """``start`` binds and calls setWebhook; ``stop`` closes the listener and waits for handling."""

    def __init__(
        self,
        application: Application,
        inbox: Inbox,
        *,
        listen: str,
        port: int,
        url_path: str,
        webhook_url: str,
        secret_token: str,
    ) -> None:
        self._application = application
        self._inbox = inbox
        self._listen, self._port = listen, port
        path = "/" + url_path.lstrip("/")
        self._hooks = [Hook(application.bot, path, webhook_url, secret_token.encode())]
        self._hooks += [_account_hook(bot, path, webhook_url) for bot in inbox.bots.values()]
        self._runner: web.AppRunner | None = None
        self._handling: set[asyncio.Task[None]] = set()

    async def start(self) -> None:
        app = web.Application(client_max_size=MAX_BODY)
        for hook in self._hooks:
            app.router.add_post(hook.path, functools.partial(self._receive, hook))
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, self._listen, self._port).start()
        for hook in self._hooks:
            await hook.bot.set_webhook(
                hook.url, secret_token=hook.secret.decode(), allowed_updates=None, drop_pending_updates=False
            )
        log.info("webhook listening (%s bots)", len(self._hooks))

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
        if self._handling:
            await asyncio.gather(*self._handling, return_exceptions=True)

    async def _receive(self, hook: Hook, request: web.Request) -> web.Response:
        given = request.headers.get(SECRET_HEADER, "").encode()
        if not given or not hmac.compare_digest(given, hook.secret):
            log.warning("webhook request without the right secret refused")
            return web.Response(status=403)
        try:
            item: Any = json.loads(await request.read())
        except (ValueError, UnicodeDecodeError):
            log.error("webhook body is not JSON; skipped")
            return web.Response(status=200)  # Telegram would send the same body forever
        batch, _offset = read_items([item], hook.bot)
        if not batch:
            return web.Response(status=200)  # logged by read_items: nothing we could ever handle
        try:
            stored = await self._inbox.store_async([received for received, _ in batch])
        except Exception as exc:  # the database is away: Telegram delivers it again later
            log.warning("could not store update %s (%s); answering 503", batch[0][0].update_id, type(exc).__name__)
            return web.Response(status=503)
        task = asyncio.create_task(self._inbox.handle_stored(batch, stored))
        self._handling.add(task)
        task.add_done_callback(self._handling.discard)
        return web.Response(status=200)


def _account_hook(bot: AccountBot, path: str, url: str) -> Hook:
    """A centre's own bot's webhook: ``/<account name>`` after the .env bot's path and URL."""
    name = bot.account_name
    return Hook(bot, f"{path.rstrip('/')}/{name}", f"{url.rstrip('/')}/{name}", webhook_secret(bot.token).encode())


async def serve_webhook(application: Application, options: dict[str, Any], stop: asyncio.Event | None = None) -> None:
    """``saathi run --webhook-url``: start, receive until SIGINT/SIGTERM (or ``stop``), stop."""
    from bot.polling import serving

    stop = stop or asyncio.Event()
    async with serving(application, stop):
        receiver = WebhookReceiver(application, application.bot_data["saathi"].inbox, **options)
        try:
            await receiver.start()
            await stop.wait()
        finally:
            await receiver.stop()
