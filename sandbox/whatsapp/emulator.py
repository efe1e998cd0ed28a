"""A local WhatsApp Cloud API for tests, benchmarks and offline demos.

Why: Saathi's WhatsApp adapter (pywa_async) must be testable end to end without Meta, and a
centre's members must never be messaged by a test. The emulator speaks the Graph API's message
endpoint over HTTP on 127.0.0.1, so the *unchanged* pywa stack talks to it through
:mod:`sandbox.whatsapp.transport`::

    emu = CloudApiEmulator(clock=fake_clock)
    await emu.start()
    emu.add_number("1111", "15550001111", token="TOKEN", app_secret="SECRET", webhook_url=bot_url)
    emu.add_user("919800000001", "Asha")
    wa = WhatsApp(phone_id="1111", token="TOKEN", session=emulator_session(emu.url))

What it enforces, with Meta's codes (see :mod:`.errors`):

* the token of the number (190) and the message shapes (100, 131008, 131009: :mod:`.validation`);
* templates by (name, language), approved only (132001), with the right parameter count (132000);
* throughput per number, 80 messages/s by default (130429), and the pair rate, one message per
  ``pair_interval`` (6 s) to the same user (131056), both answered on the request, refused sends
  not counted, like Telegram's emulator;
* the 24-hour customer-service window from the user's last message: a free-form message outside it
  is accepted and then fails with a ``failed`` status webhook carrying 131047, as Meta does;
  templates go through. A recipient who is not on WhatsApp (or set unreachable) fails with 131026.

Accepted messages reach the phone and produce ``sent`` and ``delivered`` status webhooks; ``read``
follows :meth:`CloudApiEmulator.read`. Time comes from ``clock`` (``now() -> datetime``; a test
passes its FakeClock and advances it), so windows and rates never depend on how fast a machine is.
All state is touched from the event loop's thread only; control methods are synchronous Python
(no HTTP control API yet). Logs carry codes and ids, never message text or tokens.
"""

from __future__ import annotations

import itertools
import json
import logging
import socket
from datetime import datetime, timedelta
from typing import Any

from aiohttp import web

from ..limiter import SlidingWindow
from ..webhook import LOOPBACK_HOSTS
from .errors import GraphError, bad_token, invalid, status_error, unknown_object
from .models import ApiCall, BusinessNumber, Clock, InboundMessage, SystemClock, WaMessage, WaUser, make_bsuid
from .templates import Template, TemplateRegistry
from .validation import check_message
from .webhooks import WebhookDelivery, WebhookDispatcher, check_loopback, inbound_payload, status_payload

_log = logging.getLogger("sandbox.whatsapp")
WINDOW = timedelta(hours=24)


class CloudApiEmulator:
    def __init__(
        self,
        *,
        clock: Clock | None = None,
        throughput_per_sec: float | None = 80,
        pair_interval: float | None = 6.0,
        pair_burst: int = 1,
        auto_deliver: bool = True,
        webhook_retry_delay: float = 0.05,
        webhook_max_attempts: int = 5,
    ) -> None:
        """``pair_interval``/``pair_burst``: at most ``pair_burst`` messages in any
        ``pair_interval * pair_burst`` seconds to one user (Meta documents ~1 per 6 s and tolerates
        short bursts; 1 keeps the emulator strict). None disables a limit.
        ``auto_deliver``: accepted messages are delivered (and their statuses queued) at once;
        False leaves them ``sent`` until :meth:`deliver`."""
        self.clock: Clock = clock or SystemClock()
        self.auto_deliver = auto_deliver
        self.templates = TemplateRegistry()
        self.webhooks = WebhookDispatcher(
            self.clock, retry_delay=webhook_retry_delay, max_attempts=webhook_max_attempts
        )
        self.calls: list[ApiCall] = []
        self.sent: list[WaMessage] = []
        self.inbound: list[InboundMessage] = []
        self.read_by_business: set[str] = set()
        self._numbers: dict[str, BusinessNumber] = {}
        self._users: dict[str, WaUser] = {}
        self._by_bsuid: dict[str, WaUser] = {}
        self._by_id: dict[str, WaMessage] = {}
        self._last_inbound: dict[tuple[str, str], datetime] = {}
        self._ids = itertools.count(1)
        self.set_limits(throughput_per_sec=throughput_per_sec, pair_interval=pair_interval, pair_burst=pair_burst)
        self._runner: web.AppRunner | None = None
        self._port: int | None = None

    # ================================================================== lifecycle
    async def start(self, host: str = "127.0.0.1", port: int = 0) -> None:
        if self._runner is not None:
            raise RuntimeError("emulator already started")
        if host not in LOOPBACK_HOSTS:
            raise ValueError("the emulator only listens on loopback addresses")
        app = web.Application()
        app.router.add_post(r"/{version:v\d+\.\d+}/{phone_id}/messages", self._handle_messages)
        app.router.add_route("*", "/{path:.*}", self._handle_unknown)
        runner = web.AppRunner(app, handle_signals=False, access_log=None, shutdown_timeout=2.0)
        await runner.setup()
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        await web.SockSite(runner, sock).start()
        self._port = int(sock.getsockname()[1])
        self._runner = runner
        _log.info("WhatsApp Cloud API emulator listening on port %s", self._port)

    async def stop(self) -> None:
        await self.webhooks.close()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> CloudApiEmulator:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    @property
    def url(self) -> str:
        """``http://127.0.0.1:<port>``: what :func:`sandbox.whatsapp.transport.emulator_session` takes."""
        if self._port is None:
            raise RuntimeError("emulator not started")
        return f"http://127.0.0.1:{self._port}"

    # ================================================================== control: setup
    def add_number(
        self,
        phone_number_id: str,
        display_phone_number: str,
        *,
        token: str,
        app_secret: str,
        webhook_url: str | None = None,
        waba_id: str = "102290129340398",
    ) -> BusinessNumber:
        """A business number the bot sends from; ``webhook_url`` (loopback) receives its webhooks."""
        if webhook_url is not None:
            check_loopback(webhook_url)
        number = BusinessNumber(phone_number_id, display_phone_number, token, app_secret, waba_id, webhook_url)
        self._numbers[phone_number_id] = number
        return number

    def set_webhook(self, phone_number_id: str, url: str | None) -> None:
        if url is not None:
            check_loopback(url)
        self._number(phone_number_id).webhook_url = url

    def add_user(self, wa_id: str, name: str, *, bsuid: str | None = None) -> WaUser:
        """A WhatsApp user; ``wa_id`` is the phone number in digits (country code first)."""
        if not wa_id.isdigit():
            raise ValueError("wa_id is the phone number in digits, e.g. 919800000001")
        user = WaUser(wa_id, name, bsuid or make_bsuid(wa_id))
        self._users[wa_id] = user
        self._by_bsuid[user.bsuid] = user
        return user

    def user(self, wa_id: str) -> WaUser:
        try:
            return self._users[wa_id]
        except KeyError:
            raise ValueError(f"unknown user {wa_id}; call add_user() first") from None

    def set_reachable(self, wa_id: str, reachable: bool = True) -> None:
        """An unreachable user's messages are accepted and then fail with 131026."""
        self.user(wa_id).reachable = reachable

    def add_template(
        self,
        name: str,
        language: str,
        body: str,
        *,
        category: str = "utility",
        status: str = "APPROVED",
        quick_replies: tuple[str, ...] = (),
    ) -> Template:
        return self.templates.add(Template(name, language, body, category, status, tuple(quick_replies)))

    def set_limits(
        self, *, throughput_per_sec: float | None = 80, pair_interval: float | None = 6.0, pair_burst: int = 1
    ) -> None:
        self.throughput_per_sec = throughput_per_sec
        self.pair_interval = pair_interval
        self.pair_burst = pair_burst
        self._throughput = SlidingWindow(throughput_per_sec, 1.0) if throughput_per_sec else None
        self._pair = SlidingWindow(pair_burst, pair_interval * pair_burst) if pair_interval else None

    # ================================================================== control: the user's phone
    def send_text(self, wa_id: str, text: str, *, to: str | None = None, reply_to: str | None = None) -> str:
        """The user sends ``text`` to business number ``to`` (the only one if omitted); its wamid."""
        message: dict[str, Any] = {"type": "text", "text": {"body": text}}
        record = InboundMessage("", "", wa_id, "text", self.clock.now(), text=text)
        return self._inbound(wa_id, to, message, record, reply_to)

    def press_button(self, wa_id: str, message_id: str, title: str) -> str:
        """The user taps the reply button (or template quick reply) titled ``title`` on ``message_id``."""
        sent = self._shown(wa_id, message_id)
        match = next(((i, t) for i, t in sent.buttons if t == title), None)
        if match is None:
            raise ValueError(f"{message_id} shows no button {title!r}; it shows {[t for _, t in sent.buttons]}")
        choice_id, _ = match
        record = InboundMessage("", "", wa_id, "", self.clock.now(), choice_id=choice_id, choice_title=title)
        if sent.kind == "template":
            record.kind = "button"
            message: dict[str, Any] = {"type": "button", "button": {"payload": choice_id, "text": title}}
        else:
            record.kind = "interactive"
            message = {
                "type": "interactive",
                "interactive": {"type": "button_reply", "button_reply": {"id": choice_id, "title": title}},
            }
        return self._inbound(wa_id, sent.phone_number_id, message, record, message_id)

    def choose_row(self, wa_id: str, message_id: str, title: str) -> str:
        """The user opens the list on ``message_id`` and picks the row titled ``title``."""
        sent = self._shown(wa_id, message_id)
        row = next((r for r in sent.rows if r[1] == title), None)
        if row is None:
            raise ValueError(f"{message_id} lists no row {title!r}; it lists {[r[1] for r in sent.rows]}")
        reply: dict[str, Any] = {"id": row[0], "title": row[1]}
        if row[2]:
            reply["description"] = row[2]
        message = {"type": "interactive", "interactive": {"type": "list_reply", "list_reply": reply}}
        record = InboundMessage("", "", wa_id, "interactive", self.clock.now(), choice_id=row[0], choice_title=title)
        return self._inbound(wa_id, sent.phone_number_id, message, record, message_id)

    def read(self, wa_id: str) -> list[str]:
        """The user opens the chat: every delivered, unread message turns ``read`` (webhooks queued)."""
        user = self.user(wa_id)
        read = []
        for message in self.sent:
            if message.wa_id == wa_id and message.status == "delivered":
                self._status(message, user, "read")
                read.append(message.id)
        return read

    def deliver(self, message_id: str) -> None:
        """With ``auto_deliver=False``: the phone comes online and receives ``message_id``."""
        message = self._by_id[message_id]
        if message.status == "sent":
            self._status(message, self.user(message.wa_id), "delivered")

    def _shown(self, wa_id: str, message_id: str) -> WaMessage:
        sent = self._by_id.get(message_id)
        if sent is None or sent.wa_id != wa_id or not sent.delivered:
            raise ValueError(f"{wa_id}'s phone shows no message {message_id}")
        return sent

    def _inbound(
        self, wa_id: str, to: str | None, message: dict[str, Any], record: InboundMessage, reply_to: str | None
    ) -> str:
        user = self.user(wa_id)
        number = self._number(to) if to is not None else self._only_number()
        now = self.clock.now()
        record.id = self._new_id()
        record.phone_number_id = number.phone_number_id
        record.reply_to = reply_to
        message = {
            "from": wa_id,
            "from_user_id": user.bsuid,
            "id": record.id,
            "timestamp": str(int(now.timestamp())),
            **message,
        }
        if reply_to is not None:
            message["context"] = {"from": number.display_phone_number, "id": reply_to}
        self.inbound.append(record)
        self._last_inbound[(number.phone_number_id, wa_id)] = now
        self.webhooks.queue(number, "message", inbound_payload(number, user, message))
        return record.id

    # ================================================================== control: observation
    def window_open(self, wa_id: str, phone_number_id: str | None = None) -> bool:
        number = self._number(phone_number_id) if phone_number_id else self._only_number()
        last = self._last_inbound.get((number.phone_number_id, wa_id))
        return last is not None and self.clock.now() - last < WINDOW

    def messages(self, wa_id: str) -> list[WaMessage]:
        """What ``wa_id``'s phone shows, in order: delivered messages (reactions included)."""
        return [m for m in self.sent if m.wa_id == wa_id and m.delivered]

    def message(self, message_id: str) -> WaMessage:
        return self._by_id[message_id]

    def failed(self, wa_id: str | None = None) -> list[WaMessage]:
        """Accepted messages that failed afterwards (``error_code`` 131047 or 131026)."""
        return [m for m in self.sent if m.status == "failed" and (wa_id is None or m.wa_id == wa_id)]

    @property
    def deliveries(self) -> list[WebhookDelivery]:
        return self.webhooks.deliveries

    def replay(self, seq: int) -> WebhookDelivery:
        """Post webhook delivery ``seq`` again, byte for byte (Meta's redelivery)."""
        original = self.webhooks.deliveries[seq - 1]
        return self.webhooks.replay(self._number(original.phone_number_id), seq)

    async def settle(self, timeout: float = 10.0) -> None:
        """Wait until every queued webhook was answered (or given up on)."""
        await self.webhooks.drain(timeout)

    # ================================================================== the Graph API
    async def _handle_unknown(self, request: web.Request) -> web.Response:
        error = GraphError(2500, None, message=f"Unknown path components: /{request.match_info['path']}")
        return web.json_response(error.to_json(), status=400)

    async def _handle_messages(self, request: web.Request) -> web.Response:
        phone_id = request.match_info["phone_id"]
        call = ApiCall(self.clock.now(), phone_id, None, "unknown", "accepted", 200)
        try:
            answer = await self._messages(request, phone_id, call)
        except GraphError as error:
            call.outcome, call.http_status = error.code, error.http_status
            self.calls.append(call)
            _log.debug("messages on %s -> %s", phone_id, error.code)
            return web.json_response(error.to_json(), status=error.http_status)
        self.calls.append(call)
        return web.json_response(answer)

    async def _messages(self, request: web.Request, phone_id: str, call: ApiCall) -> dict[str, Any]:
        # a token no number knows is refused first; a good token on an id it does not own finds nothing
        auth = request.headers.get("Authorization")
        if auth not in {f"Bearer {n.token}" for n in self._numbers.values()}:
            raise bad_token()
        number = self._numbers.get(phone_id)
        if number is None or auth != f"Bearer {number.token}":
            raise unknown_object(phone_id)
        try:
            body = json.loads(await request.read())
        except ValueError:
            raise invalid("The request body is not valid JSON.") from None
        if not isinstance(body, dict) or body.get("messaging_product") != "whatsapp":
            raise invalid("The parameter messaging_product is required.")
        if body.get("status") == "read":
            call.kind = "read"
            return self._mark_read(number, body)
        recipient = body.get("to") or body.get("recipient")
        if not isinstance(recipient, str) or not recipient:
            raise invalid("The parameter to is required.")
        call.to = recipient
        fields = check_message(body, self.templates)
        call.kind = fields["kind"]
        user = self._recipient(recipient)
        self._check_limits(number, user.wa_id, call.at)
        message = WaMessage(
            id=self._new_id(), phone_number_id=phone_id, wa_id=user.wa_id, accepted_at=call.at, **fields
        )
        call.message_id = message.id
        self.sent.append(message)
        self._by_id[message.id] = message
        self._after_accept(number, user, message)
        contact = {"input": recipient, "wa_id": user.wa_id}
        answer: dict[str, Any] = {
            "messaging_product": "whatsapp",
            "contacts": [contact],
            "messages": [{"id": message.id}],
        }
        if message.kind == "template":
            answer["messages"][0]["message_status"] = "accepted"
        return answer

    def _mark_read(self, number: BusinessNumber, body: dict[str, Any]) -> dict[str, Any]:
        message_id = body.get("message_id")
        if not any(m.id == message_id and m.phone_number_id == number.phone_number_id for m in self.inbound):
            raise invalid(f"Invalid parameter message_id: {message_id!r} is not a message this number received.")
        self.read_by_business.add(str(message_id))
        return {"success": True}

    def _recipient(self, recipient: str) -> WaUser:
        if "." in recipient:
            user = self._by_bsuid.get(recipient)
            return user or WaUser("", "", recipient, reachable=False)
        digits = "".join(c for c in recipient if c.isdigit())
        user = self._users.get(digits)
        return user or WaUser(digits, "", make_bsuid(digits), reachable=False)

    def _check_limits(self, number: BusinessNumber, wa_id: str, at: datetime) -> None:
        now = at.timestamp()
        pair_key = (number.phone_number_id, wa_id)
        if self._throughput is not None and self._throughput.wait_time(number.phone_number_id, now) > 0:
            raise GraphError(130429)
        if self._pair is not None and self._pair.wait_time(pair_key, now) > 0:
            raise GraphError(131056)
        if self._throughput is not None:
            self._throughput.record(number.phone_number_id, now)
        if self._pair is not None:
            self._pair.record(pair_key, now)

    def _after_accept(self, number: BusinessNumber, user: WaUser, message: WaMessage) -> None:
        window = self.window_open(user.wa_id, number.phone_number_id) if user.wa_id else False
        if not user.reachable:
            self._fail(message, user, 131026)
        elif message.kind != "template" and not window:
            self._fail(message, user, 131047)
        else:
            self._status(message, user, "sent", window)
            if self.auto_deliver:
                self._status(message, user, "delivered", window)

    def _fail(self, message: WaMessage, user: WaUser, code: int) -> None:
        message.error_code = code
        self._status(message, user, "failed", error=status_error(code))

    def _status(
        self,
        message: WaMessage,
        user: WaUser,
        status: str,
        window: bool | None = None,
        *,
        error: dict[str, Any] | None = None,
    ) -> None:
        now = self.clock.now()
        message.statuses.append((status, now))
        number = self._number(message.phone_number_id)
        pricing = None if error is not None or status == "read" else _pricing(message, window)
        payload = status_payload(
            number,
            user,
            message_id=message.id,
            status=status,
            at=now,
            pricing=pricing,
            error=error,
            tracker=message.tracker,
        )
        self.webhooks.queue(number, "status", payload)

    def _number(self, phone_number_id: str) -> BusinessNumber:
        try:
            return self._numbers[phone_number_id]
        except KeyError:
            raise ValueError(f"unknown business number {phone_number_id}; call add_number() first") from None

    def _only_number(self) -> BusinessNumber:
        if len(self._numbers) != 1:
            raise ValueError("say which business number (several are configured, or none)")
        return next(iter(self._numbers.values()))

    def _new_id(self) -> str:
        return f"wamid.EMU{next(self._ids):016d}"


def _pricing(message: WaMessage, window: bool | None) -> dict[str, Any]:
    """Per-message pricing: free-form replies in the window are free; so are utility templates there."""
    if message.kind != "template":
        return {"billable": False, "pricing_model": "PMP", "category": "service", "type": "free_customer_service"}
    free = bool(window) and message.category == "utility"
    return {
        "billable": not free,
        "pricing_model": "PMP",
        "category": message.category,
        "type": "free_customer_service" if free else "regular",
    }
