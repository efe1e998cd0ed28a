"""WhatsApp's webhook: signature first, the event stored in the inbox before the 200, then handled.

``GET /whatsapp/{account}`` answers Meta's verify handshake (``hub.mode=subscribe`` and the
account's verify token, compared in constant time). ``POST /whatsapp/{account}`` checks
``X-Hub-Signature-256`` (HMAC-SHA256 of the raw body with the account's app secret,
bot/domain/whatsapp/signature.py) before reading anything: a forged or unsigned post gets 403 and nothing is stored.
A signed post's messages are stored in the inbox (``storage/inbox.py``: the raw message encrypted,
its row id a hash of the wamid, its lane the contact's conversation key) and its statuses are
recorded on the outbox rows they name, all in one commit; only then is it answered 200 (503 while
the database is away: Meta delivers it again). A replayed post finds its rows: each event is
handled once, its inbox row marked ``handled`` by the handler's own commit
(``bot/services/updates.py``), exactly as for Telegram.

Handling is one loop (:meth:`WhatsAppInbox.run`): pending WhatsApp rows in the order received,
each chat's one at a time, ``LANES`` chats side by side; a failure goes through the Telegram
inbox's own rule (``bot.inbox.record_failure``: retried after a backoff, given up after
``MAX_ATTEMPTS`` and the person told kindly), its database work off the loop as all of it is. The contact's
``last_inbound_at`` (the 24-hour window) is set when the message is stored. Logs carry row ids
and error kinds, never numbers, text or secrets.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Callable
from dataclasses import asdict, dataclass, replace
from datetime import datetime
from typing import Any

from sqlmodel import Session
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from bot import inbox
from bot import whatsapp_events as events
from bot.blocking import run_blocking
from bot.domain import channels
from bot.domain.whatsapp import signature
from bot.inbox import LANES, MAX_ATTEMPTS, RETRY_POLL
from bot.services import conversation, reachability, updates
from bot.services.context import Person, ServiceContext
from storage import inbox as inbox_db
from storage.channels import queries as channels_db
from storage.channels.tables import Channel
from storage.outbox.tables import OutboxStatus

log = logging.getLogger(__name__)
MAX_BODY = 1 << 20  # Meta's webhooks are far smaller
WINDOW_CLOSED, UNDELIVERABLE = 131047, 131026  # Meta's codes in a "failed" status
STATUS_ATTEMPTS = 30  # passes (RETRY_POLL apart) a status waits for the sender to mark its row


@dataclass(frozen=True)
class AccountKeys:
    id: int
    name: str
    phone_id: str | None
    app_secret: str
    verify_token: str


class WhatsAppInbox:
    """The webhook's routes (for the console's Starlette app) and the loop that handles stored events."""

    def __init__(
        self,
        services: ServiceContext,
        call: events.Call,
        kick: Callable[[], None],
        *,
        due_work: Callable[[], object] | None = None,
        retry_poll: float = RETRY_POLL,
        max_attempts: int = MAX_ATTEMPTS,
    ) -> None:
        self._services = services
        self._call = call  # Saathi.call: the use case on the right engine
        self._kick_sender = kick
        self._due_work = due_work  # Saathi.run_due_work: an alert's next step when its recipient is unreachable
        self._retry_poll = retry_poll
        self._max_attempts = max_attempts
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self.handled = 0
        self.given_up = 0
        self.refused = 0
        self.needs_due_work = False  # an unreachable recipient's alert needs its next step
        self.in_hand = 0  # events being handled now (while there are, the console's pages wait)

    # --- the webhook --------------------------------------------------------------------------
    def routes(self) -> list[Route]:
        return [
            Route("/whatsapp/{account}", self.verify, methods=["GET"]),
            Route("/whatsapp/{account}", self.receive, methods=["POST"]),
        ]

    def account(self, name: str) -> AccountKeys | None:
        with self._services.uow() as session:
            row = channels_db.account_by_name(session, name)
            if row is None or row.id is None or row.channel != Channel.WHATSAPP or not row.active:
                return None
            return AccountKeys(row.id, row.name, row.phone_id, row.app_secret or "", row.verify_token or "")

    async def verify(self, request: Request) -> Response:
        keys = await run_blocking(self._services.uow, self.account, request.path_params["account"])
        challenge = signature.handshake_challenge(request.query_params, keys.verify_token) if keys else None
        if challenge is None:
            return Response(status_code=403)
        return PlainTextResponse(challenge)

    async def receive(self, request: Request) -> Response:
        keys = await run_blocking(self._services.uow, self.account, request.path_params["account"])
        body = await request.body()
        header = request.headers.get(signature.SIGNATURE_HEADER)
        if (
            keys is None
            or not keys.app_secret
            or len(body) > MAX_BODY
            or not signature.verify_signature(keys.app_secret, body, header)
        ):
            self.refused += 1
            log.warning("WhatsApp webhook post refused (unknown account or bad signature)")
            return Response(status_code=403)
        try:
            parsed: Any = json.loads(body)
        except (ValueError, UnicodeDecodeError):
            log.error("WhatsApp webhook body is not JSON; skipped")
            return Response(status_code=200)  # signed but unreadable: Meta would send it forever
        messages, statuses = events.read_webhook(parsed)
        if not messages and not statuses:
            return Response(status_code=200)
        try:
            await run_blocking(self._services.uow, self.store, keys, messages, statuses)
        except Exception as exc:  # the database is away: Meta delivers it again later
            log.warning("could not store a WhatsApp webhook post (%s); answering 503", type(exc).__name__)
            return Response(status_code=503)
        self._wake.set()
        if self.needs_due_work and self._due_work is not None:
            self.needs_due_work = False
            await run_blocking(self._services.uow, self._due_work)
        return Response(status_code=200)

    def store(
        self, keys: AccountKeys, messages: list[tuple[str, events.WaMessage]], statuses: list[events.WaStatus]
    ) -> None:
        """Messages into the inbox, statuses onto the outbox rows, the window opened: one commit."""
        now = self._services.clock.now()
        with self._services.uow() as session:
            account = channels_db.account_by_name(session, keys.name)
            assert account is not None
            received: list[inbox_db.Received] = []
            for phone_id, message in messages:
                if keys.phone_id and phone_id and phone_id != keys.phone_id:
                    log.warning("a WhatsApp event for another number on account %s; ignored", keys.id)
                    continue
                contact = channels_db.contact_for(session, account, message.number, now)
                contact.last_inbound_at = now  # the 24-hour window runs from the member's last message
                assert contact.id is not None
                key = channels.whatsapp_key(contact.id)
                channels_db.release_held(session, key, now)  # what waited for the window goes now
                if message.reply_to is not None:  # a swipe-reply: which of our messages, as the services know it
                    replied = channels_db.row_id_of(session, key, message.reply_to)
                    message = replace(message, reply_to_message_id=replied)
                # the choices last offered here: a typed answer to them is read as the tap it stands for
                raw = {"whatsapp": keys.name, "key": key, "message": asdict(message), "offered": contact.offered}
                received.append(inbox_db.Received(channels.event_update_id(message.wamid), key, raw))
            for status in statuses:
                if status.status == "failed" and not channels_db.provider_id_known(session, status.wamid):
                    # Meta's failure came before the sender's commit of the wamid: kept in the inbox and
                    # applied once the row carries it (lost, the message would be too). A sent, delivered
                    # or read that races its row is only news, and a later one overtakes it.
                    update_id = channels.event_update_id(f"status:{status.wamid}:{status.status}")
                    received.append(
                        inbox_db.Received(update_id, None, {"whatsapp": keys.name, "status": asdict(status)})
                    )
                    continue
                self._status(session, status, now)
            inbox_db.store(session, received, now)
            session.commit()

    def _status(self, session: Session, status: events.WaStatus, now: datetime) -> None:
        """sent, delivered, read or failed, on the row by its wamid; a failure Meta reports after
        accepting the message is acted on: 131047 (outside the window) sends it again as Meta allows,
        131026 (undeliverable: not on WhatsApp, or blocked us) is what a Telegram 403 is."""
        row = channels_db.record_status(session, status.wamid, status.status)
        if row is None or status.status != "failed":
            return
        if status.error_code == WINDOW_CLOSED:
            channels_db.window_closed(session, row, now)
        elif status.error_code == UNDELIVERABLE:
            row.status = OutboxStatus.DEAD
            row.last_error = "wa_131026"
            if reachability.recipient_unreachable(session, row, now):
                self.needs_due_work = True
        else:
            row.last_error = f"wa_{status.error_code}"
        log.warning("WhatsApp reported outbox row %s failed (%s)", row.id, status.error_code)

    # --- handling -----------------------------------------------------------------------------
    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self.run(), name="whatsapp-inbox")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    def kick(self) -> None:
        self._wake.set()

    async def run(self) -> None:
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self._retry_poll)
            self._wake.clear()
            try:
                while await self.handle_due():
                    pass
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # the loop must survive anything: log and carry on
                log.warning("WhatsApp inbox pass failed (%s)", type(exc).__name__)

    async def handle_due(self) -> int:
        """Handle the pending WhatsApp rows that are due, each chat's in order; how many were handled."""
        rows = await run_blocking(self._services.uow, inbox.read_due, self._services, whatsapp=True)
        lanes: dict[int, list[tuple[int, dict[str, Any]]]] = {}
        for row in rows:
            raw = json.loads(row.payload or "null")
            lanes.setdefault(row.chat_id or row.update_id, []).append((row.update_id, raw))
        queue = list(lanes.values())
        handled = 0

        async def worker() -> None:
            nonlocal handled
            while queue:
                for update_id, raw in queue.pop(0):
                    if not await self.handle(update_id, raw):
                        break
                    handled += 1

        self.in_hand = len(rows)
        try:
            await asyncio.gather(*(worker() for _ in range(min(LANES, len(queue)))))
        finally:
            self.in_hand = 0
        if handled:
            self._kick_sender()
        return handled

    async def handle(self, update_id: int, raw: Any) -> bool:
        """One stored event; True when done with it (handled, or given up), False to retry later."""
        if isinstance(raw, dict) and "status" in raw:
            return await self._late_status(update_id, raw["status"])
        key = raw.get("key") if isinstance(raw, dict) else None
        try:  # the message as read at the webhook: its kind, text or choice
            message = events.WaMessage(**raw["message"])
        except (TypeError, KeyError):
            message = None
        if message is None or not isinstance(key, int):
            log.error("WhatsApp inbox row %s could not be read; marked handled", update_id)
            with updates.handling(self._services, update_id):
                updates.mark_handled(self._services)
            return True
        person = Person(telegram_user_id=key, chat_id=key, display_name=message.name)
        with updates.handling(self._services, update_id) as handling:
            handling.user_id = key  # the first commit says they are reachable again
            try:
                await events.handle(self._call, person, message, raw.get("offered"))
            except updates.UpdateAlreadyHandled:
                pass  # handling.already_handled is set: a replay, done before
            except Exception as exc:
                updates.failed(exc)
            if handling.error is None and not handling.recorded and not handling.already_handled:
                try:
                    updates.mark_handled(self._services)
                except Exception as exc:
                    updates.failed(exc)
        if handling.error is None:
            self.handled += 1
            return True
        return await self._failed(update_id, person, handling.error)

    async def _late_status(self, update_id: int, raw: Any) -> bool:
        """A status stored before its row carried the wamid: applied now, or looked for again at the
        next pass, up to ``STATUS_ATTEMPTS`` passes (then it was not ours, and is dropped). In a thread:
        the row may be locked by the sender's "sent" mark, which commits on this event loop."""
        done = await run_blocking(self._services.uow, self._apply_late_status, update_id, raw)
        if done and self.needs_due_work and self._due_work is not None:
            self.needs_due_work = False
            await run_blocking(self._services.uow, self._due_work)
        return done

    def _apply_late_status(self, update_id: int, raw: Any) -> bool:
        now = self._services.clock.now()
        try:
            status: events.WaStatus | None = events.WaStatus(**raw)
        except TypeError:
            status = None
        with self._services.uow() as session:
            if status is not None and not channels_db.provider_id_known(session, status.wamid):
                row = inbox_db.record_failure(
                    session, update_id, now, error="status_before_row", retry_at=now, max_attempts=STATUS_ATTEMPTS
                )
                session.commit()
                return row is None or row.status != inbox_db.PENDING
            if status is not None:
                self._status(session, status, now)
            inbox_db.mark_handled(session, update_id, now)
            session.commit()
        return True

    async def _failed(self, update_id: int, person: Person, error: BaseException) -> bool:
        outcome = await inbox.record_failure(self._services, update_id, error, max_attempts=self._max_attempts)
        if outcome != inbox.GIVEN_UP:
            return False  # retried later (after a backoff, or once the database is back)
        self.given_up += 1
        await inbox.tell_given_up(update_id, self._call(conversation.reply_plain, person, "error-generic"))
        return True
