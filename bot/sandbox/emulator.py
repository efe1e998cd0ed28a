"""A local Telegram Bot API server for tests, benchmarks and offline demos.

Why it exists: Saathi must be testable end to end without Telegram - CI has no network, and a
de-addiction centre's data must never reach a real chat from a test. The emulator speaks the
real Bot API wire protocol over HTTP on 127.0.0.1, so the *unchanged* python-telegram-bot
stack (request encoding, error mapping, polling, webhooks, rate limiting) runs against it::

    emu = BotApiEmulator()
    await emu.start()
    app = (
        ApplicationBuilder().token("123:ABC")
        .base_url(emu.base_url).base_file_url(emu.file_url).build()
    )
    emu.add_user(42, "Asha")
    emu.send_text(42, "/start welcome")
    reply = await emu.wait_for_message(42)

Two faces:

* the **Bot API** under ``/bot<token>/<method>`` (what the bot calls), with Telegram's
  answers and error texts, flood limits (:meth:`BotApiEmulator.set_limits`), blocked users
  and injected network failures;
* the **control API** (what a test calls): Python methods on :class:`BotApiEmulator`,
  mirrored as JSON endpoints under ``/_control/`` (see :mod:`bot.sandbox.control`) and
  wrapped by :class:`bot.sandbox.client.EmulatorClient` for bots running in a subprocess.

Everything lives on the instance; all state is touched only from the event loop thread, and
no Bot API step awaits between checking and changing state, so concurrent requests cannot
interleave inside one. Control methods are synchronous and must be called from that loop's
thread (or before :meth:`BotApiEmulator.start`). Logs carry method names, chat ids and
statuses, never message text. Only loopback addresses are ever contacted (webhooks included).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import copy
import dataclasses
import hashlib
import json
import logging
import mimetypes
import random
import re
import socket
import struct
import time
import urllib.parse
from collections import Counter
from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp
from aiohttp import web

from .client import EmulatorClient
from .control import add_control_routes
from .formatting import EntityParseError, parse_text, utf16_len
from .limiter import FloodLimiter
from .models import (
    BOT_FIRST_NAME,
    BOT_USER_ID,
    BOT_USERNAME,
    MAX_CALLBACK_DATA_BYTES,
    MAX_CAPTION_LENGTH,
    MAX_TEXT_LENGTH,
    ApiError,
    SentFile,
    SentMessage,
    bad_request,
)
from .params import Params, read_params
from .updates import UpdateQueue, update_kind

__all__ = ["BotApiEmulator", "EmulatorClient", "SentFile", "SentMessage", "ApiError"]

_log = logging.getLogger(__name__)

_TOKEN_RE = re.compile(r"^\d+:[A-Za-z0-9_-]+$")
_COMMAND_RE = re.compile(r"(?<!\S)/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]{3,32})?")
_BOT_COMMAND_NAME_RE = re.compile(r"^[a-z0-9_]{1,32}$")
_LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
# Never fail these on purpose: a bot that cannot even start or poll tests nothing useful.
_NO_INJECTED_FAILURES = frozenset({"getupdates", "getme"})
_GROUP_TYPES = frozenset({"group", "supergroup"})
_CHAT_ACTIONS = frozenset(
    {
        "typing", "upload_photo", "record_video", "upload_video", "record_voice",
        "upload_voice", "upload_document", "choose_sticker", "find_location",
        "record_video_note", "upload_video_note",
    }
)
_MESSAGE_UPDATE_KINDS = frozenset(
    {"message", "edited_message", "channel_post", "edited_channel_post", "business_message",
     "edited_business_message"}
)
_NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly "
    "the same as a current content and reply markup of the message"
)
_QUERY_INVALID = "query is too old and response timeout expired or query ID is invalid"
_CONFLICT_WEBHOOK = (
    "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to "
    "delete the webhook first"
)
_CONFLICT_POLLING = (
    "Conflict: terminated by other getUpdates request; make sure that only one bot instance "
    "is running"
)
_MAX_POLL_TIMEOUT = 50.0

Handler = Callable[[Params], Awaitable[Any]]


@dataclasses.dataclass(slots=True)
class _Chat:
    """One chat as the server sees it; ``messages`` keeps every message ever, by id."""

    data: dict[str, Any]
    next_message_id: int = 1
    messages: dict[int, dict[str, Any]] = dataclasses.field(default_factory=dict)
    deleted: set[int] = dataclasses.field(default_factory=set)
    sent: list[SentMessage] = dataclasses.field(default_factory=list)
    sent_by_id: dict[int, SentMessage] = dataclasses.field(default_factory=dict)
    members: set[int] = dataclasses.field(default_factory=set)
    left: bool = False
    version: int = 0

    @property
    def id(self) -> int:
        return int(self.data["id"])

    @property
    def is_group(self) -> bool:
        return self.data["type"] in _GROUP_TYPES

    def allocate_id(self) -> int:
        message_id = self.next_message_id
        self.next_message_id += 1
        return message_id

    def alive(self, message_id: int | None) -> dict[str, Any] | None:
        if message_id is None or message_id in self.deleted:
            return None
        return self.messages.get(message_id)


@dataclasses.dataclass(slots=True)
class _Webhook:
    url: str
    secret_token: str | None
    max_connections: int
    ip_address: str | None
    last_error_date: int | None = None
    last_error_message: str | None = None


@dataclasses.dataclass(slots=True)
class _Stats:
    requests: Counter[str] = dataclasses.field(default_factory=Counter)
    sent_messages: int = 0
    sent_per_chat: Counter[int] = dataclasses.field(default_factory=Counter)
    rate_limited: int = 0
    rate_limited_per_chat: Counter[int] = dataclasses.field(default_factory=Counter)
    forbidden: int = 0
    bad_requests: int = 0
    injected_failures: int = 0
    injected_failures_by_kind: Counter[str] = dataclasses.field(default_factory=Counter)
    webhook_deliveries: int = 0
    webhook_failures: int = 0

    def snapshot(self) -> dict[str, Any]:
        data = dataclasses.asdict(self)
        return {k: dict(v) if isinstance(v, Counter) else v for k, v in data.items()}


def _utf16_offset(text: str, index: int) -> int:
    return utf16_len(text[:index])


def _command_entities(text: str) -> list[dict[str, Any]]:
    """bot_command entities the way Telegram marks them in a user's message."""
    return [
        {
            "type": "bot_command",
            "offset": _utf16_offset(text, m.start()),
            "length": utf16_len(m.group(0)),
        }
        for m in _COMMAND_RE.finditer(text)
    ]


def _image_size(data: bytes) -> tuple[int, int]:
    """Width and height of a PNG, GIF or JPEG; (0, 0) when unknown (kept lenient on purpose)."""
    if data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) >= 24:
        width, height = struct.unpack(">II", data[16:24])
        return int(width), int(height)
    if data[:6] in (b"GIF87a", b"GIF89a") and len(data) >= 10:
        width, height = struct.unpack("<HH", data[6:10])
        return int(width), int(height)
    if data[:2] == b"\xff\xd8":
        i = 2
        while i + 9 < len(data):
            if data[i] != 0xFF:
                i += 1
                continue
            marker = data[i + 1]
            length = struct.unpack(">H", data[i + 2 : i + 4])[0]
            if marker in (0xC0, 0xC1, 0xC2):
                height, width = struct.unpack(">HH", data[i + 5 : i + 9])
                return int(width), int(height)
            i += 2 + length
    return 0, 0


def _strip_reply(message: dict[str, Any]) -> dict[str, Any]:
    """Telegram nests replies one level deep only."""
    inner = copy.deepcopy(message)
    inner.pop("reply_to_message", None)
    return inner


class BotApiEmulator:
    """An in-process Telegram Bot API server with a control API for tests.

    ``token``: when given, only requests with exactly this token are served (others get
    401), which catches a bot wired to the wrong token; otherwise any well-formed token
    ("digits:chars") is accepted. The bot user is always id 7000000001, "Saathi",
    @saathi_demo_bot, whatever the token says.

    ``webhook_retry_delay``/``webhook_max_retry_delay``: backoff between webhook delivery
    attempts after a failure. Telegram's own backoff is much longer; short defaults keep
    tests fast while still exercising retries.
    """

    def __init__(
        self,
        *,
        token: str | None = None,
        webhook_retry_delay: float = 0.05,
        webhook_max_retry_delay: float = 1.0,
        webhook_timeout: float = 10.0,
    ) -> None:
        if token is not None and not _TOKEN_RE.match(token):
            raise ValueError("token must look like '123456:ABC-def'")
        self._token = token
        self.webhook_retry_delay = webhook_retry_delay
        self.webhook_max_retry_delay = webhook_max_retry_delay
        self.webhook_timeout = webhook_timeout
        self.bot_username = BOT_USERNAME
        self.bot_user: dict[str, Any] = {
            "id": BOT_USER_ID,
            "is_bot": True,
            "first_name": BOT_FIRST_NAME,
            "username": BOT_USERNAME,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }
        self._bot_from = {k: self.bot_user[k] for k in ("id", "is_bot", "first_name", "username")}
        self.callback_answers: list[dict[str, Any]] = []
        self.chat_actions: list[dict[str, Any]] = []
        self._methods: dict[str, tuple[str, Handler]] = {}
        self._register_methods()
        self._runner: web.AppRunner | None = None
        self._session: aiohttp.ClientSession | None = None
        self._port: int | None = None
        self._closing = False
        self._reset_state()

    def _reset_state(self) -> None:
        self._users: dict[int, dict[str, Any]] = {}
        self._chats: dict[int, _Chat] = {}
        self._blocked: set[int] = set()
        self._updates = UpdateQueue()
        self._messages_changed = asyncio.Event()
        self._poll_generation = 0
        self._webhook: _Webhook | None = None
        self._webhook_task: asyncio.Task[None] | None = None
        self._files: dict[str, SentFile] = {}
        self._file_paths: dict[str, str] = {}
        self._file_counter = 0
        self._callback_queries: dict[str, dict[str, Any]] = {}
        self._next_query_id = 4_000_000_000_000_000_001
        self._commands: dict[tuple[str, str], list[dict[str, str]]] = {}
        self._bot_settings: dict[str, Any] = {}
        self._limiter: FloodLimiter | None = None
        self._failure_rate = 0.0
        self._rng = random.Random()
        self._stats = _Stats()
        self.callback_answers.clear()
        self.chat_actions.clear()

    # ================================================================== lifecycle & addresses
    async def start(self, host: str = "127.0.0.1", port: int = 0) -> None:
        """Serve on ``host:port`` (port 0 picks a free one); loopback only, by design."""
        if self._runner is not None:
            raise RuntimeError("emulator already started")
        if host not in _LOOPBACK_HOSTS:
            raise ValueError("the emulator only listens on loopback addresses")
        app = web.Application(client_max_size=60 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle_bot_api)
        app.router.add_get("/file/bot{token}/{path:.+}", self._handle_file)
        add_control_routes(app, self)
        runner = web.AppRunner(app, handle_signals=False, access_log=None, shutdown_timeout=2.0)
        await runner.setup()
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        sock = socket.socket(family, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        site = web.SockSite(runner, sock)
        await site.start()
        self._host = f"[{host}]" if ":" in host else host
        self._port = int(sock.getsockname()[1])
        self._runner = runner
        self._session = aiohttp.ClientSession()
        self._closing = False
        _log.info("Bot API emulator listening on %s", self.base_url)

    async def stop(self) -> None:
        """Stop serving; pending long polls and waiters return at once."""
        self._closing = True
        self._updates.notify()
        self._notify_messages()
        await self._stop_webhook_task()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
        if self._session is not None:
            await self._session.close()
            self._session = None
        _log.info("Bot API emulator stopped")

    async def __aenter__(self) -> BotApiEmulator:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    def reset(self) -> None:
        """Forget users, chats, messages, updates, limits, faults and stats (keeps serving)."""
        if self._webhook_task is not None:
            self._webhook_task.cancel()
        old_updates = self._updates
        self._reset_state()
        old_updates.notify()

    @property
    def running(self) -> bool:
        return self._runner is not None and not self._closing

    @property
    def _root(self) -> str:
        if self._port is None:
            raise RuntimeError("emulator not started")
        return f"http://{self._host}:{self._port}"

    @property
    def base_url(self) -> str:
        """For ``ApplicationBuilder().base_url()``: PTB appends the token to it."""
        return f"{self._root}/bot"

    @property
    def file_url(self) -> str:
        """For ``ApplicationBuilder().base_file_url()``."""
        return f"{self._root}/file/bot"

    @property
    def control_url(self) -> str:
        """Root of the JSON control API, for :class:`EmulatorClient`."""
        return f"{self._root}/_control"

    # ============================================================================ control API
    def add_user(
        self,
        user_id: int,
        first_name: str,
        *,
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = "en",
    ) -> dict[str, Any]:
        """A user who has started the bot: creates their private chat (id == user_id)."""
        if user_id <= 0:
            raise ValueError("user ids are positive")
        user: dict[str, Any] = {"id": user_id, "is_bot": False, "first_name": first_name}
        chat: dict[str, Any] = {"id": user_id, "type": "private", "first_name": first_name}
        for key, value in (("last_name", last_name), ("username", username)):
            if value:
                user[key] = chat[key] = value
        if language_code:
            user["language_code"] = language_code
        self._users[user_id] = user
        if user_id in self._chats:
            self._chats[user_id].data = chat
        else:
            self._chats[user_id] = _Chat(data=chat, members={user_id})
        return copy.deepcopy(user)

    def create_group(self, chat_id: int, title: str, *, type: str = "group") -> dict[str, Any]:
        """A group (or supergroup/channel) the bot is a member of; ids are negative."""
        if type not in (*_GROUP_TYPES, "channel"):
            raise ValueError("type must be 'group', 'supergroup' or 'channel'")
        if chat_id >= 0:
            raise ValueError("group and channel ids are negative")
        data = {"id": chat_id, "type": type, "title": title}
        if chat_id in self._chats:
            self._chats[chat_id].data = data
            self._chats[chat_id].left = False
        else:
            self._chats[chat_id] = _Chat(data=data)
        return copy.deepcopy(data)

    def send_text(
        self,
        user_id: int,
        text: str,
        *,
        chat_id: int | None = None,
        reply_to_message_id: int | None = None,
    ) -> int:
        """The user sends ``text``; returns the update_id. "/cmd" gets a bot_command entity."""
        user = self._control_user(user_id)
        chat = self._control_chat(chat_id if chat_id is not None else user_id)
        chat.members.add(user_id)
        message: dict[str, Any] = {
            "message_id": chat.allocate_id(),
            "from": copy.deepcopy(user),
            "chat": copy.deepcopy(chat.data),
            "date": int(time.time()),
            "text": text,
        }
        if entities := _command_entities(text):
            message["entities"] = entities
        if reply_to_message_id is not None:
            replied = chat.alive(reply_to_message_id)
            if replied is None:
                raise ValueError(f"chat {chat.id} has no message {reply_to_message_id}")
            message["reply_to_message"] = _strip_reply(replied)
        chat.messages[message["message_id"]] = message
        return self._updates.push({"message": message})

    def press_button(
        self,
        user_id: int,
        message_id: int,
        callback_data: str,
        *,
        chat_id: int | None = None,
        strict: bool = True,
    ) -> str:
        """The user taps an inline button; returns the callback query id.

        The update carries the message as the bot last rendered it. ``strict`` (default)
        refuses buttons the message does not currently show and deleted messages - a test
        pressing a button that is not there is almost always a test bug; pass
        ``strict=False`` to emulate a user tapping a stale keyboard.
        """
        user = self._control_user(user_id)
        chat = self._control_chat(chat_id if chat_id is not None else user_id)
        message = chat.messages.get(message_id)
        if message is None:
            raise ValueError(f"chat {chat.id} has no message {message_id}")
        if strict:
            if message_id in chat.deleted:
                raise ValueError(f"message {message_id} was deleted (strict=False to press anyway)")
            sent = chat.sent_by_id.get(message_id)
            shown = sent.buttons() if sent is not None else []
            if callback_data not in [data for _, data in shown]:
                raise ValueError(
                    f"message {message_id} shows no button with callback_data {callback_data!r}; "
                    f"it shows {shown}"
                )
        query_id = str(self._next_query_id)
        self._next_query_id += 1
        self._callback_queries[query_id] = {
            "user_id": user_id, "chat_id": chat.id, "message_id": message_id,
            "data": callback_data, "answered": False,
        }
        self._updates.push(
            {
                "callback_query": {
                    "id": query_id,
                    "from": copy.deepcopy(user),
                    "message": copy.deepcopy(message),
                    "chat_instance": str(abs(chat.id) * 1000 + 17),
                    "data": callback_data,
                }
            }
        )
        return query_id

    def edit_user_message(
        self, user_id: int, message_id: int, new_text: str, *, chat_id: int | None = None
    ) -> int:
        """The user edits a message they sent; returns the edited_message update's id."""
        self._control_user(user_id)
        chat = self._control_chat(chat_id if chat_id is not None else user_id)
        message = chat.alive(message_id)
        if message is None or message.get("from", {}).get("id") != user_id:
            raise ValueError(f"user {user_id} has no message {message_id} in chat {chat.id}")
        message["text"] = new_text
        message.pop("entities", None)
        if entities := _command_entities(new_text):
            message["entities"] = entities
        message["edit_date"] = int(time.time())
        return self._updates.push({"edited_message": copy.deepcopy(message)})

    def send_update(self, update: dict[str, Any]) -> int:
        """Inject any update (sticker, voice, location, my_chat_member, ...) as given.

        ``update_id`` is filled in when missing. For message-like updates, missing
        ``date``/``message_id``/``chat`` are filled (chat from the sender's private chat),
        ``"from": {"id": N}`` is expanded to the known user, and the message is recorded so
        the bot can reply to it.
        """
        update = copy.deepcopy(update)
        kind = update_kind(update)
        if kind in _MESSAGE_UPDATE_KINDS and isinstance(update[kind], dict):
            self._complete_message(update[kind], edited=kind.startswith("edited"))
        return self._updates.push(update)

    def resend_update(self, update_id: int) -> int:
        """Deliver an already-delivered update again with the SAME update_id.

        Telegram does this when a bot stopped before confirming an update; bots must
        de-duplicate. The update is re-sent even if the bot had confirmed it.
        """
        try:
            return self._updates.resend(update_id)
        except KeyError:
            raise ValueError(f"unknown update_id {update_id}") from None

    def messages(self, chat_id: int) -> list[SentMessage]:
        """Everything the bot sent to ``chat_id``, in order, deleted ones included.

        The items are live records: they reflect later edits and deletions.
        """
        chat = self._chats.get(chat_id)
        return list(chat.sent) if chat is not None else []

    def last_message(self, chat_id: int) -> SentMessage | None:
        sent = self.messages(chat_id)
        return sent[-1] if sent else None

    def chat_version(self, chat_id: int) -> int:
        """Increases on every send/edit/delete in the chat (for change long-polling)."""
        chat = self._chats.get(chat_id)
        return chat.version if chat is not None else 0

    async def wait_changed(self, timeout: float) -> None:
        """Wait until any bot message changes anywhere, or ``timeout`` seconds."""
        event = self._messages_changed
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(event.wait(), timeout)

    async def wait_for_message(
        self,
        chat_id: int,
        predicate: Callable[[SentMessage], bool] | None = None,
        *,
        timeout: float = 5.0,
        after: int = 0,
    ) -> SentMessage:
        """First message at index >= ``after`` in ``chat_id`` matching ``predicate``.

        Re-checked after every send *and* edit, so "wait until the keyboard says Done"
        works. Raises TimeoutError listing what the chat did receive.
        """
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            event = self._messages_changed
            for message in self.messages(chat_id)[after:]:
                if predicate is None or predicate(message):
                    return message
            remaining = deadline - loop.time()
            if remaining <= 0 or self._closing:
                raise TimeoutError(
                    _describe_wait_failure(chat_id, self.messages(chat_id), after, timeout)
                )
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(event.wait(), remaining)

    def set_blocked(self, chat_id: int, blocked: bool = True) -> None:
        """While blocked, sends and edits to ``chat_id`` get 403 (and nothing is delivered)."""
        (self._blocked.add if blocked else self._blocked.discard)(chat_id)

    def set_limits(
        self,
        *,
        overall_per_sec: float | None = 30,
        per_chat_per_sec: float | None = 1,
        per_group_per_min: float | None = 20,
        time_scale: float = 1.0,
    ) -> None:
        """Enforce Telegram's flood limits on sends (defaults are Telegram's; None disables one).

        Applies to sendMessage/sendDocument/sendPhoto; edits are not limited. ``time_scale``
        speeds the limiter's clock for benchmarks (see :class:`FloodLimiter`); retry_after
        answers are then in scaled seconds.
        """
        self._limiter = FloodLimiter(
            overall_per_sec=overall_per_sec,
            per_chat_per_sec=per_chat_per_sec,
            per_group_per_min=per_group_per_min,
            time_scale=time_scale,
        )

    def clear_limits(self) -> None:
        self._limiter = None

    @property
    def limits(self) -> dict[str, float | None] | None:
        return self._limiter.describe() if self._limiter is not None else None

    def set_failure_rate(self, rate: float, *, seed: int | None = None) -> None:
        """Fail ``rate`` of Bot API requests (not getUpdates/getMe) *before* acting on them.

        A failure is a 500, a 502 with an HTML body (like Telegram's front proxy), or the
        connection closed without an answer, in equal shares. The action is never
        performed, so "messages delivered" stays exact while a client retries.
        """
        if not 0.0 <= rate <= 1.0:
            raise ValueError("rate must be within [0, 1]")
        self._failure_rate = rate
        self._rng = random.Random(seed)

    @property
    def stats(self) -> dict[str, Any]:
        """Snapshot: requests per method, sent_messages, sent_per_chat, rate_limited (429s),
        rate_limited_per_chat, forbidden (403s), bad_requests (400s), injected_failures
        (+ _by_kind: "500", "502", "disconnect"), webhook_deliveries, webhook_failures,
        pending_updates."""
        snapshot = self._stats.snapshot()
        snapshot["pending_updates"] = self._updates.pending_count
        return snapshot

    def reset_stats(self) -> None:
        self._stats = _Stats()

    @property
    def webhook(self) -> dict[str, Any] | None:
        hook = self._webhook
        if hook is None:
            return None
        return {
            "url": hook.url,
            "secret_token": hook.secret_token,
            "allowed_updates": self._updates.allowed_updates,
            "max_connections": hook.max_connections,
            "pending_update_count": self._updates.pending_count,
            "last_error_date": hook.last_error_date,
            "last_error_message": hook.last_error_message,
        }

    def commands(self, scope: dict[str, Any] | None = None, language_code: str = "") -> list[dict[str, str]]:
        """The command list the bot registered for ``scope``/``language_code`` (setMyCommands)."""
        return copy.deepcopy(self._commands.get(_commands_key(scope, language_code), []))

    def chat(self, chat_id: int) -> dict[str, Any] | None:
        chat = self._chats.get(chat_id)
        return copy.deepcopy(chat.data) if chat is not None else None

    def _control_user(self, user_id: int) -> dict[str, Any]:
        user = self._users.get(user_id)
        if user is None:
            raise ValueError(f"unknown user {user_id}; call add_user() first")
        return user

    def _control_chat(self, chat_id: int) -> _Chat:
        chat = self._chats.get(chat_id)
        if chat is None:
            raise ValueError(f"unknown chat {chat_id}; call add_user()/create_group() first")
        return chat

    def _complete_message(self, message: dict[str, Any], *, edited: bool) -> None:
        sender = message.get("from")
        if isinstance(sender, dict) and set(sender) == {"id"} and sender["id"] in self._users:
            message["from"] = copy.deepcopy(self._users[sender["id"]])
        if "chat" not in message and isinstance(sender, dict) and sender.get("id") in self._chats:
            message["chat"] = copy.deepcopy(self._chats[sender["id"]].data)
        message.setdefault("date", int(time.time()))
        chat = self._chats.get(message.get("chat", {}).get("id"))
        if "message_id" not in message:
            if chat is None:
                raise ValueError("message_id is required for a message in an unknown chat")
            message["message_id"] = chat.allocate_id()
        if chat is not None and not edited:
            chat.messages[message["message_id"]] = copy.deepcopy(message)

    def _notify_messages(self, chat: _Chat | None = None) -> None:
        if chat is not None:
            chat.version += 1
        event, self._messages_changed = self._messages_changed, asyncio.Event()
        event.set()

    # ============================================================================ HTTP plumbing
    def _register_methods(self) -> None:
        for name in (
            "getMe", "getUpdates", "setWebhook", "deleteWebhook", "getWebhookInfo",
            "sendMessage", "editMessageText", "editMessageCaption", "editMessageReplyMarkup",
            "deleteMessage", "deleteMessages", "answerCallbackQuery", "sendDocument",
            "sendPhoto", "getFile", "setMyCommands", "getMyCommands", "deleteMyCommands",
            "sendChatAction", "getChat", "leaveChat", "pinChatMessage", "unpinChatMessage",
            "unpinAllChatMessages", "close", "logOut", "setMyDescription", "getMyDescription",
            "setMyShortDescription", "getMyShortDescription", "setMyName", "getMyName",
            "setChatMenuButton", "getChatMenuButton",
        ):
            handler = getattr(self, "_api_" + re.sub(r"(?<!^)([A-Z])", r"_\1", name).lower())
            self._methods[name.lower()] = (name, handler)

    def _check_token(self, token: str) -> None:
        if not _TOKEN_RE.match(token) or (self._token is not None and token != self._token):
            raise ApiError(401, "Unauthorized")

    async def _handle_bot_api(self, request: web.Request) -> web.StreamResponse:
        method = request.match_info["method"]
        entry = self._methods.get(method.lower())
        name = entry[0] if entry is not None else method
        try:
            self._check_token(request.match_info["token"])
            self._stats.requests[name] += 1
            if entry is None:
                raise ApiError(404, "Not Found")
            if (
                self._failure_rate > 0
                and method.lower() not in _NO_INJECTED_FAILURES
                and self._rng.random() < self._failure_rate
            ):
                return self._inject_failure(request, name)
            params = await read_params(request)
            result = await entry[1](params)
        except ApiError as err:
            if err.error_code == 400:
                self._stats.bad_requests += 1
            elif err.error_code == 403:
                self._stats.forbidden += 1
            _log.debug("%s -> %s", name, err.error_code)
            return web.json_response(err.to_json(), status=err.error_code)
        return web.json_response({"ok": True, "result": result})

    def _inject_failure(self, request: web.Request, method: str) -> web.StreamResponse:
        kind = self._rng.choice(("500", "502", "disconnect"))
        self._stats.injected_failures += 1
        self._stats.injected_failures_by_kind[kind] += 1
        _log.debug("%s -> injected failure %s", method, kind)
        if kind == "500":
            return web.json_response(
                {"ok": False, "error_code": 500, "description": "Internal Server Error"}, status=500
            )
        if kind == "502":
            html = "<html><head><title>502 Bad Gateway</title></head><body>502 Bad Gateway</body></html>"
            return web.Response(status=502, text=html, content_type="text/html")
        if request.transport is not None:
            request.transport.abort()
        return web.Response(status=500)  # never written: the connection is gone

    async def _handle_file(self, request: web.Request) -> web.StreamResponse:
        try:
            self._check_token(request.match_info["token"])
        except ApiError as err:
            return web.json_response(err.to_json(), status=err.error_code)
        file_id = self._file_paths.get(request.match_info["path"])
        if file_id is None:
            return web.json_response({"ok": False, "error_code": 404, "description": "Not Found"}, status=404)
        stored = self._files[file_id]
        return web.Response(body=stored.content, content_type=stored.mime_type or "application/octet-stream")

    # ===================================================================== Bot API: helpers
    def _chat_param(self, p: Params, name: str = "chat_id") -> _Chat:
        chat_id = p.chat_id(name)
        if isinstance(chat_id, str):
            wanted = chat_id[1:].lower()
            chat = next(
                (c for c in self._chats.values() if str(c.data.get("username", "")).lower() == wanted),
                None,
            )
        else:
            chat = self._chats.get(chat_id)
        if chat is None:
            raise bad_request("chat not found")
        return chat

    def _check_reachable(self, chat: _Chat) -> None:
        if chat.id in self._blocked:
            if chat.is_group:
                raise ApiError(403, "Forbidden: bot was kicked from the group chat")
            raise ApiError(403, "Forbidden: bot was blocked by the user")
        if chat.left:
            raise ApiError(403, "Forbidden: bot is not a member of the group chat")

    def _admit(self, chat: _Chat, p: Params) -> None:
        """Last gate before delivery: reachability, then flood limits."""
        self._check_reachable(chat)
        if self._limiter is None:
            return
        retry_after = self._limiter.acquire(
            chat.id, is_group=chat.is_group, paid_broadcast=p.get_bool("allow_paid_broadcast")
        )
        if retry_after:
            self._stats.rate_limited += 1
            self._stats.rate_limited_per_chat[chat.id] += 1
            raise ApiError(
                429, f"Too Many Requests: retry after {retry_after}", {"retry_after": retry_after}
            )

    def _render(
        self, raw: str | None, parse_mode: str | None, entities: Any, *, caption: bool
    ) -> tuple[str | None, list[dict[str, Any]]]:
        """Parse markup like Telegram, enforcing emptiness and length rules."""
        if raw is None or (caption and raw == ""):
            if caption:
                return None, []
            raise bad_request("message text is empty")
        try:
            text, parsed = parse_text(raw, parse_mode)
        except EntityParseError as err:
            raise bad_request(f"can't parse entities: {err}") from None
        if not parse_mode and isinstance(entities, list):
            parsed = entities
        if not text.strip():
            if caption:
                return None, []
            raise bad_request("message text is empty")
        if len(text) > (MAX_CAPTION_LENGTH if caption else MAX_TEXT_LENGTH):
            raise bad_request("message caption is too long" if caption else "message is too long")
        return text, parsed

    def _markup(self, p: Params, *, inline_only: bool = False) -> dict[str, Any] | None:
        markup = p.get_json("reply_markup", error="can't parse reply keyboard markup JSON object")
        if markup is None:
            return None
        if not isinstance(markup, dict):
            raise bad_request("can't parse reply keyboard markup JSON object")
        if "inline_keyboard" in markup:
            rows = markup["inline_keyboard"]
            if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
                raise bad_request("can't parse inline keyboard markup")
            for row in rows:
                for button in row:
                    _validate_inline_button(button)
        elif inline_only:
            raise bad_request("inline keyboard expected")
        return markup

    def _reply_target(self, chat: _Chat, p: Params) -> dict[str, Any] | None:
        params = p.get_json("reply_parameters")
        if isinstance(params, dict):
            message_id = params.get("message_id")
            allow_missing = bool(params.get("allow_sending_without_reply"))
        else:
            message_id = p.get_int("reply_to_message_id")
            allow_missing = p.get_bool("allow_sending_without_reply")
        if message_id is None:
            return None
        replied = chat.alive(int(message_id))
        if replied is None and not allow_missing:
            raise bad_request("message to be replied not found")
        return replied

    def _record_bot_message(
        self,
        chat: _Chat,
        method: str,
        p: Params,
        *,
        text: str | None = None,
        entities: list[dict[str, Any]] | None = None,
        caption: str | None = None,
        markup: dict[str, Any] | None = None,
        reply_to: dict[str, Any] | None = None,
        document: SentFile | None = None,
        photo: SentFile | None = None,
        extra: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        message_id = chat.allocate_id()
        date = int(time.time())
        message: dict[str, Any] = {
            "message_id": message_id,
            "from": copy.deepcopy(self._bot_from),
            "chat": copy.deepcopy(chat.data),
            "date": date,
        }
        if text is not None:
            message["text"] = text
        if caption is not None:
            message["caption"] = caption
        if entities:
            message["caption_entities" if text is None else "entities"] = entities
        if extra:
            message.update(extra)
        if markup is not None and "inline_keyboard" in markup:
            message["reply_markup"] = markup
        if reply_to is not None:
            message["reply_to_message"] = _strip_reply(reply_to)
        protect = p.get_bool("protect_content")
        if protect:
            message["has_protected_content"] = True
        chat.messages[message_id] = message
        sent = SentMessage(
            chat_id=chat.id,
            message_id=message_id,
            method=method,
            index=len(chat.sent),
            text=text,
            caption=caption,
            raw_text=p.get_str("text" if text is not None else "caption"),
            parse_mode=p.get_str("parse_mode"),
            entities=list(entities or []),
            reply_markup=markup,
            reply_to_message_id=reply_to["message_id"] if reply_to is not None else None,
            protect_content=protect,
            disable_notification=p.get_bool("disable_notification"),
            allow_paid_broadcast=p.get_bool("allow_paid_broadcast"),
            document=document,
            photo=photo,
            original_text=text if text is not None else caption,
            sent_at=time.monotonic(),
            date=date,
        )
        chat.sent.append(sent)
        chat.sent_by_id[message_id] = sent
        self._stats.sent_messages += 1
        self._stats.sent_per_chat[chat.id] += 1
        self._notify_messages(chat)
        _log.debug("%s delivered to chat %s as message %s", method, chat.id, message_id)
        return copy.deepcopy(message)

    def _editable(self, p: Params) -> tuple[_Chat, dict[str, Any], SentMessage]:
        if p.has("inline_message_id"):
            raise bad_request("message to edit not found")  # inline mode is not emulated
        chat = self._chat_param(p)
        message = chat.alive(p.get_int("message_id"))
        if message is None:
            raise bad_request("message to edit not found")
        sent = chat.sent_by_id.get(message["message_id"])
        if sent is None:
            raise bad_request("message can't be edited")
        return chat, message, sent

    def _apply_edit(
        self, chat: _Chat, message: dict[str, Any], sent: SentMessage, changes: dict[str, Any]
    ) -> dict[str, Any]:
        """Apply ``changes`` (None removes a field) or answer "message is not modified"."""
        if all(message.get(key) == (value or None) for key, value in changes.items()):
            raise bad_request(_NOT_MODIFIED)
        self._check_reachable(chat)
        for key, value in changes.items():
            if value:
                message[key] = value
            else:
                message.pop(key, None)
        message["edit_date"] = int(time.time())
        self._notify_messages(chat)
        _log.debug("message %s in chat %s edited", sent.message_id, chat.id)
        return copy.deepcopy(message)

    # ============================================================== Bot API: updates/webhook
    async def _api_get_me(self, p: Params) -> Any:
        return copy.deepcopy(self.bot_user)

    async def _api_get_updates(self, p: Params) -> Any:
        if self._webhook is not None:
            raise ApiError(409, _CONFLICT_WEBHOOK)
        offset = p.get_int("offset") or 0
        limit = min(max(p.get_int("limit") or 100, 1), 100)
        timeout = min(max(p.get_float("timeout") or 0.0, 0.0), _MAX_POLL_TIMEOUT)
        allowed = p.get_json("allowed_updates")
        if isinstance(allowed, list):
            self._updates.set_allowed(str(kind) for kind in allowed)
        self._updates.confirm(offset)
        # A newer long poll ends an older one, as on Telegram: it is how two running
        # instances of the bot show up (409 Conflict) instead of silently sharing updates.
        self._poll_generation += 1
        generation = self._poll_generation
        self._updates.notify()
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            if self._webhook is not None:
                raise ApiError(409, _CONFLICT_WEBHOOK)
            if generation != self._poll_generation:
                raise ApiError(409, _CONFLICT_POLLING)
            batch = [] if self._closing else self._updates.take(limit)
            remaining = deadline - loop.time()
            if batch or remaining <= 0 or self._closing:
                return batch
            await self._updates.wait_changed(remaining)

    async def _api_set_webhook(self, p: Params) -> Any:
        url = p.get_str("url") or ""
        if not url:
            await self._remove_webhook(drop_pending=p.get_bool("drop_pending_updates"))
            return True
        parsed = urllib.parse.urlsplit(url)
        if parsed.scheme not in ("http", "https") or parsed.hostname not in _LOOPBACK_HOSTS:
            raise bad_request("bad webhook: the sandbox delivers only to http(s) loopback URLs")
        secret = p.get_str("secret_token")
        if secret is not None and not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", secret):
            raise bad_request("secret token contains unallowed characters")
        allowed = p.get_json("allowed_updates")
        if isinstance(allowed, list):
            self._updates.set_allowed(str(kind) for kind in allowed)
        if p.get_bool("drop_pending_updates"):
            self._updates.drop_pending()
        await self._stop_webhook_task()
        hook = _Webhook(
            url=url,
            secret_token=secret,
            max_connections=p.get_int("max_connections") or 40,
            ip_address=p.get_str("ip_address"),
        )
        self._webhook = hook
        self._webhook_task = asyncio.get_running_loop().create_task(
            self._webhook_loop(hook), name="bot-api-emulator-webhook"
        )
        self._updates.notify()  # pending long polls answer 409 now
        _log.info("webhook set (secret token %s)", "set" if secret else "not set")
        return True

    async def _api_delete_webhook(self, p: Params) -> Any:
        await self._remove_webhook(drop_pending=p.get_bool("drop_pending_updates"))
        return True

    async def _remove_webhook(self, *, drop_pending: bool) -> None:
        self._webhook = None
        await self._stop_webhook_task()
        if drop_pending:
            self._updates.drop_pending()

    async def _stop_webhook_task(self) -> None:
        task, self._webhook_task = self._webhook_task, None
        if task is not None and task is not asyncio.current_task():
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _api_get_webhook_info(self, p: Params) -> Any:
        info: dict[str, Any] = {
            "url": "",
            "has_custom_certificate": False,
            "pending_update_count": self._updates.pending_count,
        }
        hook = self._webhook
        if hook is not None:
            info.update(url=hook.url, max_connections=hook.max_connections)
            if hook.ip_address:
                info["ip_address"] = hook.ip_address
            if hook.last_error_date is not None:
                info["last_error_date"] = hook.last_error_date
                info["last_error_message"] = hook.last_error_message
        if self._updates.allowed_updates is not None:
            info["allowed_updates"] = list(self._updates.allowed_updates)
        return info

    async def _webhook_loop(self, hook: _Webhook) -> None:
        """Deliver pending updates one at a time, in order, retrying with backoff."""
        delay = self.webhook_retry_delay
        while self._webhook is hook and not self._closing:
            update = self._updates.peek()
            if update is None:
                await self._updates.wait_changed(30.0)
                continue
            error = await self._post_update(hook, update)
            if self._webhook is not hook:
                return
            if error is None:
                self._updates.remove(update["update_id"])
                self._stats.webhook_deliveries += 1
                delay = self.webhook_retry_delay
                continue
            hook.last_error_date = int(time.time())
            hook.last_error_message = error
            self._stats.webhook_failures += 1
            _log.warning("webhook delivery of update %s failed: %s", update["update_id"], error)
            await asyncio.sleep(delay)
            delay = min(delay * 2, self.webhook_max_retry_delay)

    async def _post_update(self, hook: _Webhook, update: dict[str, Any]) -> str | None:
        assert self._session is not None
        headers = {"Content-Type": "application/json"}
        if hook.secret_token:
            headers["X-Telegram-Bot-Api-Secret-Token"] = hook.secret_token
        try:
            async with self._session.post(
                hook.url,
                data=json.dumps(update),
                headers=headers,
                timeout=aiohttp.ClientTimeout(total=self.webhook_timeout),
            ) as response:
                await response.read()
                if 200 <= response.status < 300:
                    return None
                return f"Wrong response from the webhook: {response.status} {response.reason}"
        except (aiohttp.ClientError, TimeoutError, OSError) as exc:
            return f"Connection error: {type(exc).__name__}"

    # ========================================================================= Bot API: sending
    async def _api_send_message(self, p: Params) -> Any:
        chat = self._chat_param(p)
        text, entities = self._render(
            p.get_str("text"), p.get_str("parse_mode"), p.get_json("entities"), caption=False
        )
        markup = self._markup(p)
        reply_to = self._reply_target(chat, p)
        self._admit(chat, p)
        return self._record_bot_message(
            chat, "sendMessage", p, text=text, entities=entities, markup=markup, reply_to=reply_to
        )

    async def _api_send_document(self, p: Params) -> Any:
        return self._send_file(p, "document")

    async def _api_send_photo(self, p: Params) -> Any:
        return self._send_file(p, "photo")

    def _send_file(self, p: Params, kind: str) -> Any:
        chat = self._chat_param(p)
        stored, is_new = self._input_file(p, kind)
        caption, entities = self._render(
            p.get_str("caption"), p.get_str("parse_mode"), p.get_json("caption_entities"), caption=True
        )
        markup = self._markup(p)
        reply_to = self._reply_target(chat, p)
        self._admit(chat, p)
        if is_new:
            self._store_file(stored, kind)
        if kind == "document":
            extra: dict[str, Any] = {
                "document": {
                    "file_id": stored.file_id,
                    "file_unique_id": stored.file_unique_id,
                    "file_size": len(stored.content),
                    **({"file_name": stored.filename} if stored.filename else {}),
                    **({"mime_type": stored.mime_type} if stored.mime_type else {}),
                }
            }
        else:
            width, height = _image_size(stored.content)
            extra = {
                "photo": [
                    {
                        "file_id": stored.file_id,
                        "file_unique_id": stored.file_unique_id,
                        "file_size": len(stored.content),
                        "width": width,
                        "height": height,
                    }
                ]
            }
        return self._record_bot_message(
            chat,
            "sendDocument" if kind == "document" else "sendPhoto",
            p,
            caption=caption,
            entities=entities,
            markup=markup,
            reply_to=reply_to,
            document=stored if kind == "document" else None,
            photo=stored if kind == "photo" else None,
            extra=extra,
        )

    def _input_file(self, p: Params, field: str) -> tuple[SentFile, bool]:
        """An uploaded part (new file) or a known file_id; URLs are refused (no internet)."""
        value = p.get_str(field)
        upload = p.files.get(field)
        if upload is None and value and value.startswith("attach://"):
            upload = p.files.get(value[len("attach://") :])
        if upload is not None:
            mime = upload.content_type
            if not mime or mime == "application/octet-stream":
                mime = mimetypes.guess_type(upload.filename or "")[0] or mime
            self._file_counter += 1
            prefix = "BQACAgIAAx" if field == "document" else "AgACAgIAAx"
            return (
                SentFile(
                    file_id=f"{prefix}{self._file_counter:010d}",
                    file_unique_id=hashlib.sha1(upload.content).hexdigest()[:16],
                    filename=upload.filename,
                    content=upload.content,
                    mime_type=mime,
                ),
                True,
            )
        if not value:
            raise bad_request(f"there is no {field} in the request")
        stored = self._files.get(value)
        if stored is None:
            raise bad_request("wrong file identifier/HTTP URL specified")
        return stored, False

    def _store_file(self, stored: SentFile, kind: str) -> None:
        suffix = ""
        if stored.filename and "." in stored.filename:
            suffix = "." + stored.filename.rsplit(".", 1)[1]
        path = f"{kind}s/file_{self._file_counter}{suffix}"
        self._files[stored.file_id] = stored
        self._file_paths[path] = stored.file_id

    async def _api_get_file(self, p: Params) -> Any:
        file_id = p.get_str("file_id") or ""
        stored = self._files.get(file_id)
        if stored is None:
            raise bad_request("invalid file_id")
        path = next(path for path, fid in self._file_paths.items() if fid == file_id)
        return {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": len(stored.content),
            "file_path": path,
        }

    # ===================================================================== Bot API: editing
    async def _api_edit_message_text(self, p: Params) -> Any:
        """Like Telegram, omitting reply_markup removes the inline keyboard."""
        chat, message, sent = self._editable(p)
        if "text" not in message:
            raise bad_request("there is no text in the message to edit")
        text, entities = self._render(
            p.get_str("text"), p.get_str("parse_mode"), p.get_json("entities"), caption=False
        )
        markup = self._markup(p, inline_only=True)
        result = self._apply_edit(
            chat, message, sent, {"text": text, "entities": entities, "reply_markup": markup}
        )
        sent.text, sent.entities, sent.reply_markup = text, entities, markup
        sent.raw_text, sent.parse_mode = p.get_str("text"), p.get_str("parse_mode")
        sent.edits.append(text or "")
        return result

    async def _api_edit_message_caption(self, p: Params) -> Any:
        chat, message, sent = self._editable(p)
        if sent.document is None and sent.photo is None:
            raise bad_request("there is no caption in the message to edit")
        caption, entities = self._render(
            p.get_str("caption"), p.get_str("parse_mode"), p.get_json("caption_entities"), caption=True
        )
        markup = self._markup(p, inline_only=True)
        result = self._apply_edit(
            chat, message, sent,
            {"caption": caption, "caption_entities": entities, "reply_markup": markup},
        )
        sent.caption, sent.entities, sent.reply_markup = caption, entities, markup
        sent.edits.append(caption or "")
        return result

    async def _api_edit_message_reply_markup(self, p: Params) -> Any:
        chat, message, sent = self._editable(p)
        markup = self._markup(p, inline_only=True)
        result = self._apply_edit(chat, message, sent, {"reply_markup": markup})
        sent.reply_markup = markup
        sent.markup_edits += 1
        return result

    async def _api_delete_message(self, p: Params) -> Any:
        chat = self._chat_param(p)
        self._delete(chat, p.get_int("message_id"))
        return True

    async def _api_delete_messages(self, p: Params) -> Any:
        chat = self._chat_param(p)
        ids = p.get_json("message_ids")
        if not isinstance(ids, list) or not 1 <= len(ids) <= 100:
            raise bad_request("message_ids must contain 1-100 message identifiers")
        for message_id in ids:
            with contextlib.suppress(ApiError):  # Telegram skips ids it cannot delete
                self._delete(chat, int(message_id))
        return True

    def _delete(self, chat: _Chat, message_id: int | None) -> None:
        message = chat.alive(message_id)
        if message is None or message_id is None:
            raise bad_request("message to delete not found")
        sent = chat.sent_by_id.get(message_id)
        if sent is None and chat.is_group:
            raise bad_request("message can't be deleted")  # the bot is no admin here
        chat.deleted.add(message_id)
        if sent is not None:
            sent.deleted = True
        self._notify_messages(chat)
        _log.debug("message %s in chat %s deleted", message_id, chat.id)

    async def _api_answer_callback_query(self, p: Params) -> Any:
        query_id = p.get_str("callback_query_id") or ""
        query = self._callback_queries.get(query_id)
        if query is None or query["answered"]:
            raise bad_request(_QUERY_INVALID)
        text = p.get_str("text")
        if text is not None and len(text) > 200:
            raise bad_request("MESSAGE_TOO_LONG")
        query["answered"] = True
        self.callback_answers.append(
            {
                "callback_query_id": query_id,
                "text": text,
                "show_alert": p.get_bool("show_alert"),
                "url": p.get_str("url"),
                "cache_time": p.get_int("cache_time"),
                "user_id": query["user_id"],
                "chat_id": query["chat_id"],
                "message_id": query["message_id"],
                "data": query["data"],
            }
        )
        return True

    # ============================================================ Bot API: chats and commands
    async def _api_send_chat_action(self, p: Params) -> Any:
        chat = self._chat_param(p)
        action = p.get_str("action")
        if action not in _CHAT_ACTIONS:
            raise bad_request("wrong parameter action in request")
        self._check_reachable(chat)
        self.chat_actions.append({"chat_id": chat.id, "action": action, "at": time.monotonic()})
        return True

    async def _api_get_chat(self, p: Params) -> Any:
        chat = self._chat_param(p)
        info = copy.deepcopy(chat.data)
        info.update(
            accent_color_id=0,
            max_reaction_count=11,
            accepted_gift_types={
                "unlimited_gifts": False, "limited_gifts": False, "unique_gifts": False,
                "premium_subscription": False, "gifts_from_channels": False,
            },
        )
        pinned = [s for s in chat.sent if s.pinned and not s.deleted]
        if pinned:
            info["pinned_message"] = copy.deepcopy(chat.messages[pinned[-1].message_id])
        return info

    async def _api_leave_chat(self, p: Params) -> Any:
        chat = self._chat_param(p)
        if not chat.is_group and chat.data["type"] != "channel":
            raise bad_request("chat member status can't be changed in private chats")
        chat.left = True
        return True

    async def _api_pin_chat_message(self, p: Params) -> Any:
        chat = self._chat_param(p)
        message_id = p.get_int("message_id")
        if chat.alive(message_id) is None:
            raise bad_request("message to pin not found")
        self._check_reachable(chat)
        sent = chat.sent_by_id.get(message_id or 0)
        if sent is not None:
            sent.pinned = True
            self._notify_messages(chat)
        return True

    async def _api_unpin_chat_message(self, p: Params) -> Any:
        chat = self._chat_param(p)
        message_id = p.get_int("message_id")
        pinned = [s for s in chat.sent if s.pinned]
        targets = [s for s in pinned if s.message_id == message_id] if message_id else pinned[-1:]
        for sent in targets:
            sent.pinned = False
        self._notify_messages(chat)
        return True

    async def _api_unpin_all_chat_messages(self, p: Params) -> Any:
        chat = self._chat_param(p)
        for sent in chat.sent:
            sent.pinned = False
        self._notify_messages(chat)
        return True

    async def _api_set_my_commands(self, p: Params) -> Any:
        commands = p.get_json("commands")
        if not isinstance(commands, list):
            raise bad_request("can't parse commands JSON object")
        if len(commands) > 100:
            raise bad_request("too many commands specified")
        cleaned: list[dict[str, str]] = []
        for command in commands:
            if not isinstance(command, dict):
                raise bad_request("can't parse BotCommand")
            name = str(command.get("command", "")).lstrip("/")
            description = str(command.get("description", ""))
            if not _BOT_COMMAND_NAME_RE.match(name):
                raise bad_request("BOT_COMMAND_INVALID")
            if not 1 <= len(description) <= 256:
                raise bad_request("command description is empty" if not description else "BOT_COMMAND_DESCRIPTION_INVALID")
            cleaned.append({"command": name, "description": description})
        self._commands[_commands_key(p.get_json("scope"), p.get_str("language_code") or "")] = cleaned
        return True

    async def _api_get_my_commands(self, p: Params) -> Any:
        return self.commands(p.get_json("scope"), p.get_str("language_code") or "")

    async def _api_delete_my_commands(self, p: Params) -> Any:
        self._commands.pop(_commands_key(p.get_json("scope"), p.get_str("language_code") or ""), None)
        return True

    async def _api_close(self, p: Params) -> Any:
        return True

    async def _api_log_out(self, p: Params) -> Any:
        return True

    # Profile settings bots commonly set in post_init: stored, returned, otherwise inert.
    def _setting(self, p: Params, key: str, field: str) -> bool:
        self._bot_settings[f"{key}:{p.get_str('language_code') or ''}"] = p.get_str(field) or ""
        return True

    def _get_setting(self, p: Params, key: str, field: str) -> dict[str, str]:
        return {field: self._bot_settings.get(f"{key}:{p.get_str('language_code') or ''}", "")}

    async def _api_set_my_description(self, p: Params) -> Any:
        return self._setting(p, "description", "description")

    async def _api_get_my_description(self, p: Params) -> Any:
        return self._get_setting(p, "description", "description")

    async def _api_set_my_short_description(self, p: Params) -> Any:
        return self._setting(p, "short_description", "short_description")

    async def _api_get_my_short_description(self, p: Params) -> Any:
        return self._get_setting(p, "short_description", "short_description")

    async def _api_set_my_name(self, p: Params) -> Any:
        return self._setting(p, "name", "name")

    async def _api_get_my_name(self, p: Params) -> Any:
        return self._get_setting(p, "name", "name")

    async def _api_set_chat_menu_button(self, p: Params) -> Any:
        self._bot_settings[f"menu_button:{p.get_int('chat_id') or ''}"] = p.get_json("menu_button")
        return True

    async def _api_get_chat_menu_button(self, p: Params) -> Any:
        stored = self._bot_settings.get(f"menu_button:{p.get_int('chat_id') or ''}")
        return stored or {"type": "default"}


def _commands_key(scope: Any, language_code: str) -> tuple[str, str]:
    scope = scope if isinstance(scope, dict) else {"type": "default"}
    return json.dumps(scope, sort_keys=True), language_code


def _validate_inline_button(button: Any) -> None:
    if not isinstance(button, dict) or not str(button.get("text", "")):
        raise bad_request("can't parse inline keyboard button: Text must be non-empty")
    actions = set(button) - {"text"}
    if not actions:
        raise bad_request(
            "can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard"
        )
    if "callback_data" in button:
        size = len(str(button["callback_data"]).encode("utf-8"))
        if not 1 <= size <= MAX_CALLBACK_DATA_BYTES:
            raise bad_request("BUTTON_DATA_INVALID")


def _describe_wait_failure(
    chat_id: int, messages: list[SentMessage], after: int, timeout: float
) -> str:
    header = (
        f"no matching message in chat {chat_id} at index >= {after} within {timeout:g}s; "
        f"the chat received {len(messages)} message(s)"
    )
    if not messages:
        return header
    return header + ":\n" + "\n".join("  " + m.describe() for m in messages)


# ================================================================================== CLI
async def _serve(args: argparse.Namespace) -> None:
    emulator = BotApiEmulator(token=args.token)
    await emulator.start(args.host, args.port)
    for spec in args.user:
        user_id, _, name = spec.partition(":")
        emulator.add_user(int(user_id), name or f"User {user_id}")
    print(f"base_url={emulator.base_url}\nfile_url={emulator.file_url}\ncontrol_url={emulator.control_url}", flush=True)
    try:
        await asyncio.Event().wait()
    finally:
        await emulator.stop()


def main(argv: list[str] | None = None) -> None:
    """``python -m bot.sandbox.emulator``: a standalone emulator for demos and subprocess tests."""
    parser = argparse.ArgumentParser(description="Local Telegram Bot API emulator (loopback only)")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8081)
    parser.add_argument("--token", default=None, help="accept only this bot token")
    parser.add_argument("--user", action="append", default=[], metavar="ID:NAME", help="pre-add a user")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_serve(args))


if __name__ == "__main__":
    main()
