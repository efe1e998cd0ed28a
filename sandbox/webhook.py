"""Webhook delivery for the emulator: POST each pending update to the bot, in order.

Mirrors Telegram's behaviour that matters to a bot: updates are posted as JSON with the
``X-Telegram-Bot-Api-Secret-Token`` header, an update leaves the queue only when the bot
answers 2xx, failures are retried with backoff and show up in getWebhookInfo's
``last_error_message``. Deliveries are sequential (``max_connections`` is recorded, not
used), which keeps order deterministic for tests.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import json
import logging
import time
import urllib.parse
from typing import Any

import aiohttp

from .models import bad_request
from .state import ServerState

_log = logging.getLogger("sandbox.emulator")

LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})


@dataclasses.dataclass(slots=True)
class Webhook:
    url: str
    secret_token: str | None
    max_connections: int
    ip_address: str | None
    last_error_date: int | None = None
    last_error_message: str | None = None


class WebhookDispatcher:
    """Owns the current webhook (if any) and its delivery task."""

    def __init__(
        self,
        state: ServerState,
        *,
        retry_delay: float = 0.05,
        max_retry_delay: float = 1.0,
        timeout: float = 10.0,
    ) -> None:
        self.state = state
        self.retry_delay = retry_delay
        self.max_retry_delay = max_retry_delay
        self.timeout = timeout
        self.current: Webhook | None = None
        self._task: asyncio.Task[None] | None = None
        self._session: aiohttp.ClientSession | None = None

    @staticmethod
    def validate_url(url: str) -> None:
        """Only loopback targets: a sandbox must never post user data anywhere else."""
        parsed = urllib.parse.urlsplit(url)
        if parsed.scheme not in ("http", "https") or parsed.hostname not in LOOPBACK_HOSTS:
            raise bad_request("bad webhook: the sandbox delivers only to http(s) loopback URLs")

    async def set(self, url: str, *, secret_token: str | None, max_connections: int, ip_address: str | None) -> None:
        self.validate_url(url)
        await self._stop_task()
        hook = Webhook(url, secret_token, max_connections, ip_address)
        self.current = hook
        if self._session is None:
            self._session = aiohttp.ClientSession(trust_env=False)
        self._task = asyncio.get_running_loop().create_task(self._deliver_loop(hook), name="bot-api-emulator-webhook")
        self.state.updates.notify()  # long polls in flight now answer 409
        _log.info("webhook set (secret token %s)", "set" if secret_token else "not set")

    async def remove(self) -> None:
        self.current = None
        await self._stop_task()

    async def close(self) -> None:
        await self.remove()
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def _stop_task(self) -> None:
        task, self._task = self._task, None
        if task is not None and task is not asyncio.current_task():
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    def describe(self) -> dict[str, Any] | None:
        hook = self.current
        if hook is None:
            return None
        return {
            "url": hook.url,
            "secret_token": hook.secret_token,
            "allowed_updates": self.state.updates.allowed_updates,
            "max_connections": hook.max_connections,
            "pending_update_count": self.state.updates.pending_count,
            "last_error_date": hook.last_error_date,
            "last_error_message": hook.last_error_message,
        }

    async def _deliver_loop(self, hook: Webhook) -> None:
        """Deliver pending updates one at a time, oldest first, retrying with backoff."""
        updates = self.state.updates
        delay = self.retry_delay
        while self.current is hook and not self.state.closing:
            update = updates.peek()
            if update is None:
                await updates.wait_changed(30.0)
                continue
            error = await self._post(hook, update)
            if self.current is not hook:
                return
            if error is None:
                updates.remove(update["update_id"])
                self.state.stats.webhook_deliveries += 1
                delay = self.retry_delay
                continue
            hook.last_error_date = int(time.time())
            hook.last_error_message = error
            self.state.stats.webhook_failures += 1
            _log.warning("webhook delivery of update %s failed: %s", update["update_id"], error)
            await asyncio.sleep(delay)
            delay = min(delay * 2, self.max_retry_delay)

    async def _post(self, hook: Webhook, update: dict[str, Any]) -> str | None:
        """None on 2xx, else Telegram-style error text for getWebhookInfo."""
        assert self._session is not None
        headers = {"Content-Type": "application/json"}
        if hook.secret_token:
            headers["X-Telegram-Bot-Api-Secret-Token"] = hook.secret_token
        try:
            async with self._session.post(
                hook.url,
                data=json.dumps(update),
                headers=headers,
                timeout=aiohttp.ClientTimeout(total=self.timeout),
            ) as response:
                await response.read()
                if 200 <= response.status < 300:
                    return None
                return f"Wrong response from the webhook: {response.status} {response.reason}"
        except (aiohttp.ClientError, TimeoutError, OSError) as exc:
            return f"Connection error: {type(exc).__name__}"
