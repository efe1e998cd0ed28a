"""Webhook payloads as Meta posts them, signed, delivered in order, and replayed on demand.

Every POST carries ``X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the raw body, keyed with the
app secret>``, the header pywa's ``utils.webhook_updates_validator`` checks. A delivery leaves the
queue when the bot answers 2xx; otherwise it is retried with backoff (Meta retries for days; the
emulator a few times, quickly). :meth:`WebhookDispatcher.replay` posts a delivered body again, byte
for byte, as Meta does when it did not see the answer: the bot must handle it once.

Payload shapes follow Meta's ``messages`` webhook reference (inbound messages, statuses), with the
business-scoped user id (``user_id``) pywa 4.x reads from ``contacts``. Only loopback URLs are ever
contacted.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import hashlib
import hmac
import json
import logging
import urllib.parse
from datetime import datetime
from typing import Any

import aiohttp

from ..webhook import LOOPBACK_HOSTS
from .models import BusinessNumber, Clock, WaUser

_log = logging.getLogger("sandbox.whatsapp")
SIGNATURE_HEADER = "X-Hub-Signature-256"


def sign(app_secret: str, body: bytes) -> str:
    """The ``X-Hub-Signature-256`` value Meta sends with ``body``."""
    return "sha256=" + hmac.new(app_secret.encode(), body, hashlib.sha256).hexdigest()


def check_loopback(url: str) -> None:
    parsed = urllib.parse.urlsplit(url)
    if parsed.scheme not in ("http", "https") or parsed.hostname not in LOOPBACK_HOSTS:
        raise ValueError("the sandbox delivers webhooks only to http(s) loopback URLs")


def envelope(number: BusinessNumber, value: dict[str, Any]) -> dict[str, Any]:
    return {
        "object": "whatsapp_business_account",
        "entry": [
            {
                "id": number.waba_id,
                "changes": [
                    {
                        "value": {
                            "messaging_product": "whatsapp",
                            "metadata": {
                                "display_phone_number": number.display_phone_number,
                                "phone_number_id": number.phone_number_id,
                            },
                            **value,
                        },
                        "field": "messages",
                    }
                ],
            }
        ],
    }


def inbound_payload(number: BusinessNumber, user: WaUser, message: dict[str, Any]) -> dict[str, Any]:
    return envelope(number, {"contacts": [user.contact()], "messages": [message]})


def status_payload(
    number: BusinessNumber,
    user: WaUser,
    *,
    message_id: str,
    status: str,
    at: datetime,
    pricing: dict[str, Any] | None = None,
    error: dict[str, Any] | None = None,
    tracker: str | None = None,
) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "id": message_id,
        "status": status,
        "timestamp": str(int(at.timestamp())),
        "recipient_id": user.wa_id,
        "recipient_user_id": user.bsuid,
    }
    if tracker is not None:
        entry["biz_opaque_callback_data"] = tracker
    if pricing is not None:
        entry["pricing"] = pricing
    if error is not None:
        entry["errors"] = [error]
    return envelope(number, {"contacts": [user.contact()], "statuses": [entry]})


@dataclasses.dataclass(slots=True)
class WebhookDelivery:
    """One POST the emulator owes the bot. ``attempts``: (time, HTTP status or error name) each."""

    seq: int
    phone_number_id: str
    kind: str  # message | status
    body: bytes
    signature: str
    queued_at: datetime
    replay_of: int | None = None
    attempts: list[tuple[datetime, int | str]] = dataclasses.field(default_factory=list)
    delivered: bool = False
    gave_up: bool = False

    @property
    def payload(self) -> dict[str, Any]:
        result: dict[str, Any] = json.loads(self.body)
        return result

    @property
    def value(self) -> dict[str, Any]:
        value: dict[str, Any] = self.payload["entry"][0]["changes"][0]["value"]
        return value


class WebhookDispatcher:
    """Queues signed deliveries and posts them one at a time, in order, to each number's URL."""

    def __init__(self, clock: Clock, *, retry_delay: float = 0.05, max_attempts: int = 5, timeout: float = 10.0):
        self._clock = clock
        self.retry_delay = retry_delay
        self.max_attempts = max_attempts
        self.timeout = timeout
        self.deliveries: list[WebhookDelivery] = []
        self._urls: dict[str, str | None] = {}
        self._queue: asyncio.Queue[WebhookDelivery] | None = None
        self._task: asyncio.Task[None] | None = None
        self._session: aiohttp.ClientSession | None = None
        self._idle = asyncio.Event()
        self._idle.set()

    def queue(self, number: BusinessNumber, kind: str, payload: dict[str, Any]) -> WebhookDelivery:
        body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
        delivery = WebhookDelivery(
            seq=len(self.deliveries) + 1,
            phone_number_id=number.phone_number_id,
            kind=kind,
            body=body,
            signature=sign(number.app_secret, body),
            queued_at=self._clock.now(),
        )
        self._enqueue(number, delivery)
        return delivery

    def replay(self, number: BusinessNumber, seq: int) -> WebhookDelivery:
        """Post delivery ``seq`` again with the same body and signature (a new record, ``replay_of=seq``)."""
        original = self.deliveries[seq - 1]
        again = dataclasses.replace(
            original,
            seq=len(self.deliveries) + 1,
            queued_at=self._clock.now(),
            replay_of=seq,
            attempts=[],
            delivered=False,
            gave_up=False,
        )
        self._enqueue(number, again)
        return again

    def _enqueue(self, number: BusinessNumber, delivery: WebhookDelivery) -> None:
        self.deliveries.append(delivery)
        self._urls[number.phone_number_id] = number.webhook_url
        if number.webhook_url is None:
            return  # recorded for the test to read; no bot listens
        if self._queue is None:
            self._queue = asyncio.Queue()
            self._task = asyncio.get_running_loop().create_task(self._run(), name="whatsapp-emulator-webhooks")
        self._idle.clear()
        self._queue.put_nowait(delivery)

    async def drain(self, timeout: float = 10.0) -> None:
        """Wait until every queued delivery was answered 2xx or given up on."""
        await asyncio.wait_for(self._idle.wait(), timeout)

    async def _run(self) -> None:
        assert self._queue is not None
        self._session = aiohttp.ClientSession(trust_env=False, timeout=aiohttp.ClientTimeout(total=self.timeout))
        while True:
            delivery = await self._queue.get()
            try:
                await self._deliver(delivery)
            finally:
                self._queue.task_done()
                if self._queue.empty():
                    self._idle.set()

    async def _deliver(self, delivery: WebhookDelivery) -> None:
        assert self._session is not None
        delay = self.retry_delay
        for _ in range(self.max_attempts):
            url = self._urls.get(delivery.phone_number_id)
            if url is None:
                return
            outcome: int | str
            try:
                async with self._session.post(
                    url,
                    data=delivery.body,
                    headers={"Content-Type": "application/json", SIGNATURE_HEADER: delivery.signature},
                ) as response:
                    await response.read()
                    outcome = response.status
            except (aiohttp.ClientError, TimeoutError) as error:
                outcome = type(error).__name__
            delivery.attempts.append((self._clock.now(), outcome))
            if isinstance(outcome, int) and 200 <= outcome < 300:
                delivery.delivered = True
                return
            _log.info("webhook delivery %s failed (%s); retrying", delivery.seq, outcome)
            await asyncio.sleep(delay)
            delay = min(delay * 2, 1.0)
        delivery.gave_up = True

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        self._queue = None
        self._idle.set()
        if self._session is not None:
            await self._session.close()
            self._session = None


async def verify_handshake(url: str, verify_token: str, challenge: str = "1158201444") -> tuple[int, str]:
    """Meta's GET when a webhook URL is registered: the bot must answer 200 with ``challenge`` exactly
    when ``verify_token`` is its own, 403 otherwise. Returns (status, body)."""
    check_loopback(url)
    params = {"hub.mode": "subscribe", "hub.verify_token": verify_token, "hub.challenge": challenge}
    async with (
        aiohttp.ClientSession(trust_env=False) as session,
        session.get(url, params=params) as response,
    ):
        return response.status, await response.text()
