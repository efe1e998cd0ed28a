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
  mirrored as JSON endpoints under ``/_control/`` (see :mod:`sandbox.control`) and
  wrapped by :class:`sandbox.client.EmulatorClient` for bots running in a subprocess.

Everything lives on the instance; all state is touched only from the event loop thread, and
no Bot API step awaits between checking and changing state, so concurrent requests cannot
interleave inside one. Control methods are synchronous and must be called from that loop's
thread (or before :meth:`BotApiEmulator.start`). Logs carry method names, chat ids and
statuses, never message text. Only loopback addresses are ever contacted (webhooks included).

Layout: :mod:`.state` (the server's data), :mod:`.methods` (Bot API methods),
:mod:`.webhook` (delivery), :mod:`.updates` (the update queue), :mod:`.limiter`,
:mod:`.formatting` (parse_mode), :mod:`.params` (request decoding), :mod:`.control` and
:mod:`.client` (control API over HTTP). This module ties them into a server.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import contextlib
import copy
import logging
import os
import random
import re
import signal
import socket
import time
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from aiohttp import web

from .client import EmulatorClient
from .control import add_control_routes
from .limiter import FloodLimiter
from .methods import BotApiMethods, Handler, commands_key
from .models import BOT_USERNAME, ApiError, SentFile, SentMessage
from .params import read_params
from .state import GROUP_TYPES, ChatState, KillHook, ServerState, command_entities, strip_reply
from .updates import update_kind
from .webhook import LOOPBACK_HOSTS, WebhookDispatcher

__all__ = ["ApiError", "BotApiEmulator", "EmulatorClient", "SentFile", "SentMessage", "main"]

_log = logging.getLogger("sandbox.emulator")  # stable name, also under -m

_TOKEN_RE = re.compile(r"^\d+:[A-Za-z0-9_-]+$")
# Never fail these on purpose: a bot that cannot even start or poll tests nothing useful.
_NO_INJECTED_FAILURES = frozenset({"getupdates", "getme"})
_MESSAGE_UPDATE_KINDS = frozenset(
    {
        "message",
        "edited_message",
        "channel_post",
        "edited_channel_post",
        "business_message",
        "edited_business_message",
    }
)
_BAD_GATEWAY_HTML = (
    "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
    "<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"
)


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
        self._webhook_options = {
            "retry_delay": webhook_retry_delay,
            "max_retry_delay": webhook_max_retry_delay,
            "timeout": webhook_timeout,
        }
        self.bot_username = BOT_USERNAME
        self._identity: dict[str, Any] | None = None  # a second bot's own id and name (add_bot)
        self._server: BotApiEmulator | None = None  # the emulator whose server serves this bot (add_bot)
        self._bots: dict[str, BotApiEmulator] = {}  # other bots on this server, by token
        self._runner: web.AppRunner | None = None
        self._host = "127.0.0.1"
        self._port: int | None = None
        self._failure_rate = 0.0
        self._rng = random.Random()
        self._faults: dict[str, collections.deque[str]] = {}
        self._build_state()

    def _build_state(self) -> None:
        self._state = ServerState()
        self._state.known_elsewhere = self._known_elsewhere
        if self._identity is not None:
            self._state.bot_user.update(self._identity)
            self._state.bot_from.update(self._identity)
        self._webhooks = WebhookDispatcher(self._state, **self._webhook_options)
        self._api = BotApiMethods(self._state, self._webhooks)
        self._methods: dict[str, tuple[str, Handler]] = self._api.table()

    # ================================================================== lifecycle & addresses
    async def start(self, host: str = "127.0.0.1", port: int = 0) -> None:
        """Serve on ``host:port`` (port 0 picks a free one); loopback only, by design."""
        if self._runner is not None or self._server is not None:
            raise RuntimeError("emulator already started (a bot of add_bot is served by its server)")
        if host not in LOOPBACK_HOSTS:
            raise ValueError("the emulator only listens on loopback addresses")
        app = web.Application(client_max_size=60 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle_bot_api)
        app.router.add_get("/file/bot{token}/{path:.+}", self._handle_file)
        add_control_routes(app, self)
        # access_log=None: access lines would contain the bot token.
        runner = web.AppRunner(app, handle_signals=False, access_log=None, shutdown_timeout=2.0)
        await runner.setup()
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        sock = socket.socket(family, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        await web.SockSite(runner, sock).start()
        self._host = f"[{host}]" if ":" in host else host
        self._port = int(sock.getsockname()[1])
        self._runner = runner
        self._state.closing = False
        _log.info("Bot API emulator listening on port %s", self._port)

    def add_bot(self, token: str, *, username: str, first_name: str = "Saathi") -> BotApiEmulator:
        """Another bot on this server, as Telegram serves every bot from one host: requests with
        ``token`` reach it, and it has a world of its own (its users' chats, messages, updates,
        webhook, limits, faults and stats), like a second bot made with @BotFather. Its id is the
        token's number. The returned emulator is its control API (in process only: ``/_control/``
        stays this one's); it is served, reset and stopped with this one."""
        if not _TOKEN_RE.match(token) or token in self._bots or token == self._token:
            raise ValueError("a new bot needs a token of its own, like '123456:ABC-def'")
        options = self._webhook_options
        bot = BotApiEmulator(
            token=token,
            webhook_retry_delay=options["retry_delay"],
            webhook_max_retry_delay=options["max_retry_delay"],
            webhook_timeout=options["timeout"],
        )
        bot._server = self
        bot._identity = {"id": int(token.split(":", 1)[0]), "first_name": first_name, "username": username}
        bot.bot_username = username
        bot._build_state()
        self._bots[token] = bot
        return bot

    def _known_elsewhere(self, user_id: int) -> bool:
        """Whether a user has started another bot of this server (then Telegram knows them)."""
        server = self._server or self
        return any(user_id in bot._state.users for bot in (server, *server._bots.values()) if bot is not self)

    async def stop(self) -> None:
        """Stop serving; pending long polls and message waiters return at once."""
        for bot in self._bots.values():
            await bot.stop()
        self._state.closing = True
        self._state.updates.notify()
        self._state.notify_messages()
        await self._webhooks.close()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
        _log.info("Bot API emulator stopped")

    async def __aenter__(self) -> BotApiEmulator:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    async def reset(self) -> None:
        """Forget users, chats, messages, updates, webhook, limits, faults and stats.

        Keeps serving on the same port, so one emulator can serve many tests.
        """
        for bot in self._bots.values():
            await bot.reset()
        old = self._state
        await self._webhooks.close()
        self._build_state()
        self._failure_rate = 0.0
        self._faults.clear()
        self._state.closing = old.closing
        # Long polls still waiting on the old state answer [] now instead of ever handing
        # out an update from before the reset.
        old.closing = True
        old.updates.notify()
        old.notify_messages()

    @property
    def running(self) -> bool:
        server = self._server or self
        return server._runner is not None and not self._state.closing

    @property
    def _root(self) -> str:
        if self._server is not None:
            return self._server._root
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

    @property
    def bot_user(self) -> dict[str, Any]:
        return copy.deepcopy(self._state.bot_user)

    # ====================================================================== control: users
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
        state = self._state
        state.users[user_id] = user
        if user_id in state.chats:
            state.chats[user_id].data = chat
        else:
            state.chats[user_id] = ChatState(data=chat)
        return copy.deepcopy(user)

    def create_group(self, chat_id: int, title: str, *, type: str = "group") -> dict[str, Any]:
        """A group, supergroup or channel the bot is a member of; such ids are negative."""
        if type not in (*GROUP_TYPES, "channel"):
            raise ValueError("type must be 'group', 'supergroup' or 'channel'")
        if chat_id >= 0:
            raise ValueError("group and channel ids are negative")
        data = {"id": chat_id, "type": type, "title": title}
        existing = self._state.chats.get(chat_id)
        if existing is not None:
            existing.data = data
            existing.left = False
        else:
            self._state.chats[chat_id] = ChatState(data=data)
        return copy.deepcopy(data)

    def send_text(
        self,
        user_id: int,
        text: str,
        *,
        chat_id: int | None = None,
        reply_to_message_id: int | None = None,
    ) -> int:
        """The user sends ``text``; returns the update_id. "/cmd args" gets a bot_command entity.

        The message takes the next message_id of the chat (private chat by default).
        """
        user = self._control_user(user_id)
        chat = self._control_chat(chat_id if chat_id is not None else user_id)
        replied = None
        if reply_to_message_id is not None:
            replied = chat.alive(reply_to_message_id)
            if replied is None:
                raise ValueError(f"chat {chat.id} has no message {reply_to_message_id}")
        message = self._state.new_user_message(chat, user, text)
        if replied is not None:
            message["reply_to_message"] = strip_reply(replied)
        return self._state.updates.push({"message": message})

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
        refuses buttons the message does not show right now and deleted messages - a test
        pressing a button that is not there is almost always a test bug; ``strict=False``
        emulates a user tapping a stale keyboard. The press's time (``time.monotonic()``)
        comes back as ``pressed_at`` in the query's :attr:`callback_answers` entry.
        """
        user, chat, message = self._checked_press(user_id, message_id, callback_data, chat_id, strict)
        return self._queue_press(user, chat, message_id, message, callback_data)

    def press_buttons(self, presses: Iterable[Sequence[Any]], *, strict: bool = True) -> list[str]:
        """Many taps at once, each ``(user_id, message_id, callback_data)`` in the user's private
        chat; their callback query ids, in order.

        All or nothing: every press is checked (as :meth:`press_button` does) before any is
        queued, and all are queued without a pause, so a bot polling meanwhile receives them
        together (benchmarks: a burst of presses without a control call per press).
        """
        checked = []
        for press in presses:
            if len(press) != 3:
                raise ValueError("each press is (user_id, message_id, callback_data)")
            user_id, message_id, callback_data = press
            data = str(callback_data)
            user, chat, message = self._checked_press(int(user_id), int(message_id), data, None, strict)
            checked.append((user, chat, int(message_id), message, data))
        return [self._queue_press(*press) for press in checked]

    def _checked_press(
        self, user_id: int, message_id: int, callback_data: str, chat_id: int | None, strict: bool
    ) -> tuple[dict[str, Any], ChatState, dict[str, Any]]:
        """The user, chat and message of a press, or ValueError if it cannot be made."""
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
                    f"message {message_id} shows no button with callback_data {callback_data!r}; it shows {shown}"
                )
        return user, chat, message

    def _queue_press(
        self, user: dict[str, Any], chat: ChatState, message_id: int, message: dict[str, Any], callback_data: str
    ) -> str:
        state = self._state
        query_id = str(state.next_query_id)
        state.next_query_id += 1
        state.callback_queries[query_id] = {
            "user_id": user["id"],
            "chat_id": chat.id,
            "message_id": message_id,
            "data": callback_data,
            "answered": False,
            "pressed_at": time.monotonic(),
        }
        state.updates.push(
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

    def edit_user_message(self, user_id: int, message_id: int, new_text: str, *, chat_id: int | None = None) -> int:
        """The user edits a message they sent; returns the edited_message update's id."""
        self._control_user(user_id)
        chat = self._control_chat(chat_id if chat_id is not None else user_id)
        message = chat.alive(message_id)
        if message is None or message.get("from", {}).get("id") != user_id:
            raise ValueError(f"user {user_id} has no message {message_id} in chat {chat.id}")
        message["text"] = new_text
        message.pop("entities", None)
        if entities := command_entities(new_text):
            message["entities"] = entities
        message["edit_date"] = int(time.time())
        return self._state.updates.push({"edited_message": copy.deepcopy(message)})

    def send_update(self, update: dict[str, Any]) -> int:
        """Inject any update (sticker, voice, location, my_chat_member, ...) as given.

        ``update_id`` is filled in when missing. For message-like updates, missing
        ``date``/``message_id``/``chat`` are filled (chat: the sender's private chat),
        ``"from": {"id": N}`` is expanded to the known user, and the message is recorded so
        the bot can reply to it.
        """
        update = copy.deepcopy(update)
        kind = update_kind(update)
        if kind in _MESSAGE_UPDATE_KINDS and isinstance(update[kind], dict):
            self._complete_message(update[kind], edited=kind.startswith("edited"))
        return self._state.updates.push(update)

    def resend_update(self, update_id: int) -> int:
        """Deliver an already-delivered update again with the SAME update_id.

        Telegram does this when a bot stopped before confirming an update, so handlers must
        be idempotent. The update is re-sent even if the bot had confirmed it.
        """
        try:
            return self._state.updates.resend(update_id)
        except KeyError:
            raise ValueError(f"unknown update_id {update_id}") from None

    def _control_user(self, user_id: int) -> dict[str, Any]:
        user = self._state.users.get(user_id)
        if user is None:
            raise ValueError(f"unknown user {user_id}; call add_user() first")
        return user

    def _control_chat(self, chat_id: int) -> ChatState:
        chat = self._state.chats.get(chat_id)
        if chat is None:
            raise ValueError(f"unknown chat {chat_id}; call add_user()/create_group() first")
        return chat

    def _complete_message(self, message: dict[str, Any], *, edited: bool) -> None:
        state = self._state
        sender = message.get("from")
        if isinstance(sender, dict) and set(sender) == {"id"} and sender["id"] in state.users:
            message["from"] = sender = copy.deepcopy(state.users[sender["id"]])
        if "chat" not in message and isinstance(sender, dict) and sender.get("id") in state.chats:
            message["chat"] = copy.deepcopy(state.chats[sender["id"]].data)
        message.setdefault("date", int(time.time()))
        chat = state.chats.get(message.get("chat", {}).get("id"))
        if "message_id" not in message:
            if chat is None:
                raise ValueError("message_id is required for a message in an unknown chat")
            message["message_id"] = chat.allocate_id()
        if chat is not None and not edited:
            chat.messages[message["message_id"]] = copy.deepcopy(message)
            # later messages must not reuse an id the test chose explicitly
            chat.next_message_id = max(chat.next_message_id, int(message["message_id"]) + 1)

    # ================================================================= control: observation
    def messages(self, chat_id: int) -> list[SentMessage]:
        """Everything the bot sent to ``chat_id``, in order, deleted ones included.

        The items are live records: they reflect later edits and deletions.
        """
        chat = self._state.chats.get(chat_id)
        return list(chat.sent) if chat is not None else []

    def last_message(self, chat_id: int) -> SentMessage | None:
        sent = self.messages(chat_id)
        return sent[-1] if sent else None

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
            for message in self.messages(chat_id)[after:]:
                if predicate is None or predicate(message):
                    return message
            remaining = deadline - loop.time()
            if remaining <= 0 or self._state.closing:
                raise TimeoutError(describe_wait_failure(chat_id, self.messages(chat_id), after, timeout))
            await self._state.wait_messages_changed(remaining)

    def chat_version(self, chat_id: int) -> int:
        """Increases on every send/edit/delete/pin in the chat (for change long-polling)."""
        chat = self._state.chats.get(chat_id)
        return chat.version if chat is not None else 0

    async def wait_changed(self, timeout: float) -> None:
        """Wait until any bot message changes anywhere, or ``timeout`` seconds."""
        await self._state.wait_messages_changed(timeout)

    @property
    def callback_answers(self) -> list[dict[str, Any]]:
        """answerCallbackQuery calls in order (live list).

        Each has callback_query_id, text, show_alert, url, cache_time, the query's
        user_id, chat_id, message_id and data, and two ``time.monotonic()`` readings of
        this process: ``pressed_at`` (the press was queued) and ``answered_at`` (the answer
        arrived). CLOCK_MONOTONIC is system-wide on Linux, so another process on the same
        machine can compare them with its own readings.
        """
        return self._state.callback_answers

    @property
    def get_me_at(self) -> list[float]:
        """``time.monotonic()`` of every getMe call, in order. python-telegram-bot asks getMe only
        when a bot starts, so these split the request history into the lives of a restarted bot
        (crash tests: was a message sent twice by one life, or once by each of two?)."""
        return list(self._state.get_me_at)

    @property
    def last_update_id(self) -> int:
        """The id of the newest update queued (0 before any): ids count up from 1."""
        return self._state.updates.last_update_id

    @property
    def polls_waiting(self) -> int:
        """getUpdates long polls waiting right now: an update pushed now is answered to one of them."""
        return self._state.polls_waiting

    @property
    def chat_actions(self) -> list[dict[str, Any]]:
        """sendChatAction calls: chat_id, action, at (monotonic)."""
        return self._state.chat_actions

    def commands(self, scope: dict[str, Any] | None = None, language_code: str = "") -> list[dict[str, str]]:
        """The commands the bot registered for ``scope``/``language_code`` (setMyCommands)."""
        return copy.deepcopy(self._state.commands.get(commands_key(scope, language_code), []))

    def chat(self, chat_id: int) -> dict[str, Any] | None:
        chat = self._state.chats.get(chat_id)
        return copy.deepcopy(chat.data) if chat is not None else None

    @property
    def pending_updates(self) -> int:
        return self._state.updates.pending_count

    @property
    def webhook(self) -> dict[str, Any] | None:
        """The webhook the bot set (url, secret_token, allowed_updates, last_error_...)."""
        return self._webhooks.describe()

    @property
    def stats(self) -> dict[str, Any]:
        """A snapshot of the counters.

        ``requests`` (per Bot API method, failures included), ``sent_messages``,
        ``sent_per_chat`` (successful sends), ``paid_broadcasts`` (sends delivered with
        ``allow_paid_broadcast``), ``rate_limited`` (429s returned),
        ``rate_limited_per_chat``, ``forbidden`` (403s), ``bad_requests`` (400s),
        ``injected_failures`` (+ ``injected_failures_by_kind``: "500", "502",
        "disconnect"), ``webhook_deliveries``, ``webhook_failures``, ``pending_updates``.
        """
        snapshot = self._state.stats.snapshot()
        snapshot["pending_updates"] = self._state.updates.pending_count
        return snapshot

    def reset_stats(self) -> None:
        self._state.stats = type(self._state.stats)()

    # ====================================================================== control: faults
    def kill_on(self, method: str, nth: int, pid: int) -> None:
        """Crash tests: SIGKILL ``pid`` when the ``nth`` ``method`` request from now arrives, before
        acting on it (so a killed sendMessage was never delivered and a killed getUpdates confirmed
        nothing). Fires once; see :attr:`kill_hooks`."""
        if nth < 1 or pid <= 1:
            raise ValueError("kill_on needs nth >= 1 and a real pid")
        self._state.kill_hooks.append(KillHook(method.lower(), nth, pid))

    @property
    def kill_hooks(self) -> list[dict[str, Any]]:
        """Every hook set with :meth:`kill_on`: method, nth, pid, seen, fired_at (None while armed)."""
        return [hook.describe() for hook in self._state.kill_hooks]

    def clear_kill_hooks(self) -> None:
        self._state.kill_hooks.clear()

    def script_faults(self, method: str, faults: Sequence[str]) -> None:
        """The next requests of ``method`` (getUpdates included) meet these faults, one each, in order:

        * ``"500"``: refused with 500 before acting on it;
        * ``"429:S"``: flood control, ``retry_after`` S seconds, not acted on;
        * ``"slow:S"``: acted on after S seconds (a client whose read timeout is shorter gives up
          first: for a send, Telegram delivered what the bot thinks failed);
        * ``"accepted-then-500"``: acted on, then answered 500 (the bot cannot know it went);
        * ``"junk"`` (getUpdates): acted on, and the answer also carries items a bot cannot
          confirm: one without ``update_id``, a string, a null and a list.

        ``stats["scripted_faults"]`` counts those served."""
        for fault in faults:
            kind, _, arg = fault.partition(":")
            if kind not in ("500", "429", "slow", "accepted-then-500", "junk") or (kind in ("429", "slow") and not arg):
                raise ValueError(f"unknown fault {fault!r}")
        self._faults.setdefault(method.lower(), collections.deque()).extend(faults)

    async def _scripted(self, request: web.Request, name: str, entry: tuple[str, Handler]) -> web.StreamResponse | None:
        queue = self._faults.get(name.lower())
        if not queue:
            return None
        kind, _, arg = queue.popleft().partition(":")
        self._state.stats.scripted_faults += 1
        _log.info("%s -> scripted fault %s", name, kind)
        if kind == "500":
            return web.json_response(
                {"ok": False, "error_code": 500, "description": "Internal Server Error"}, status=500
            )
        if kind == "429":
            return web.json_response(
                {
                    "ok": False,
                    "error_code": 429,
                    "description": f"Too Many Requests: retry after {arg}",
                    "parameters": {"retry_after": int(arg)},
                },
                status=429,
            )
        params = await read_params(request)
        if kind == "slow":
            await asyncio.sleep(float(arg))
        result = await entry[1](params)
        if kind == "accepted-then-500":
            return web.json_response(
                {"ok": False, "error_code": 500, "description": "Internal Server Error"}, status=500
            )
        if kind == "junk" and isinstance(result, list):
            result = [*result, {"message": {"text": "no update_id"}}, "not an update", None, [1, 2]]
        return web.json_response({"ok": True, "result": result})

    def set_blocked(self, chat_id: int, blocked: bool = True) -> None:
        """While blocked, sends and edits to ``chat_id`` get 403 and deliver nothing."""
        if blocked:
            self._state.blocked.add(chat_id)
        else:
            self._state.blocked.discard(chat_id)

    def set_limits(
        self,
        *,
        overall_per_sec: float | None = 30,
        per_chat_per_sec: float | None = 1,
        per_group_per_min: float | None = 20,
        time_scale: float = 1.0,
        paid_per_sec: float | None = 1000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """Enforce Telegram's flood limits (the defaults are Telegram's; None disables one).

        A send with ``allow_paid_broadcast`` counts against ``paid_per_sec`` instead of
        ``overall_per_sec`` (and in ``stats["paid_broadcasts"]``).

        Applies to sendMessage/sendDocument/sendPhoto (edits are not limited), with a
        sliding window per limit; an over-limit send gets 429 with ``retry_after`` and is
        not delivered. ``time_scale`` > 1 runs the limiter's clock faster so benchmarks
        finish quickly with the same throttling shape; retry_after is then in scaled
        seconds (see :class:`~sandbox.limiter.FloodLimiter`). ``clock`` (seconds, in-process
        only): a test's own clock, so which sends fit a window does not depend on how fast a busy
        machine runs the test.
        """
        self._state.limiter = FloodLimiter(
            overall_per_sec=overall_per_sec,
            per_chat_per_sec=per_chat_per_sec,
            per_group_per_min=per_group_per_min,
            paid_per_sec=paid_per_sec,
            time_scale=time_scale,
            clock=clock,
        )

    def clear_limits(self) -> None:
        self._state.limiter = None

    @property
    def limits(self) -> dict[str, float | None] | None:
        limiter = self._state.limiter
        return limiter.describe() if limiter is not None else None

    def set_failure_rate(self, rate: float, *, seed: int | None = None) -> None:
        """Fail ``rate`` of Bot API requests (not getUpdates/getMe) *before* acting on them.

        A failure is a 500, a 502 with an HTML body (like Telegram's front proxy), or the
        connection closed without an answer, in equal shares. The action is never
        performed, so delivered-message counts stay exact while a client retries.
        """
        if not 0.0 <= rate <= 1.0:
            raise ValueError("rate must be within [0, 1]")
        self._failure_rate = rate
        self._rng = random.Random(seed)

    # ========================================================================= HTTP plumbing
    def _check_token(self, token: str) -> None:
        if not _TOKEN_RE.match(token) or (self._token is not None and token != self._token):
            raise ApiError(401, "Unauthorized")

    async def _handle_bot_api(self, request: web.Request) -> web.StreamResponse:
        if (bot := self._bots.get(request.match_info["token"])) is not None:
            return await bot._handle_bot_api(request)
        method = request.match_info["method"]
        entry = self._methods.get(method.lower())
        name = entry[0] if entry is not None else method
        stats = self._state.stats
        try:
            self._check_token(request.match_info["token"])
            stats.requests[name] += 1
            if entry is None:
                raise ApiError(404, "Not Found")
            if self._state.kill_hooks and (hook := self._state.kill_due(name)) is not None:
                return self._kill(request, hook)
            if self._faults and (scripted := await self._scripted(request, name, entry)) is not None:
                return scripted
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
                stats.bad_requests += 1
            elif err.error_code == 403:
                stats.forbidden += 1
            _log.debug("%s -> %s", name, err.error_code)
            return web.json_response(err.to_json(), status=err.error_code)
        return web.json_response({"ok": True, "result": result})

    def _kill(self, request: web.Request, hook: KillHook) -> web.StreamResponse:
        """The bot dies with this request in flight; the request is never acted on."""
        _log.info("%s #%s -> killing pid %s", hook.method, hook.seen, hook.pid)
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(hook.pid, signal.SIGKILL)
        if request.transport is not None:
            request.transport.abort()
        return web.Response(status=500)  # never written: the connection is gone

    def _inject_failure(self, request: web.Request, method: str) -> web.StreamResponse:
        kind = self._rng.choice(("500", "502", "disconnect"))
        stats = self._state.stats
        stats.injected_failures += 1
        stats.injected_failures_by_kind[kind] += 1
        _log.debug("%s -> injected failure %s", method, kind)
        if kind == "500":
            body = {"ok": False, "error_code": 500, "description": "Internal Server Error"}
            return web.json_response(body, status=500)
        if kind == "502":
            return web.Response(status=502, text=_BAD_GATEWAY_HTML, content_type="text/html")
        if request.transport is not None:
            request.transport.abort()
        return web.Response(status=500)  # never written: the connection is gone

    async def _handle_file(self, request: web.Request) -> web.StreamResponse:
        if (bot := self._bots.get(request.match_info["token"])) is not None:
            return await bot._handle_file(request)
        try:
            self._check_token(request.match_info["token"])
        except ApiError as err:
            return web.json_response(err.to_json(), status=err.error_code)
        file_id = self._state.file_paths.get(request.match_info["path"])
        if file_id is None:
            body = {"ok": False, "error_code": 404, "description": "Not Found"}
            return web.json_response(body, status=404)
        stored = self._state.files[file_id]
        return web.Response(body=stored.content, content_type=stored.mime_type or "application/octet-stream")


def describe_wait_failure(chat_id: int, messages: list[SentMessage], after: int, timeout: float) -> str:
    """The TimeoutError text of wait_for_message: what the chat did receive."""
    header = (
        f"no matching message in chat {chat_id} at index >= {after} within {timeout:g}s; "
        f"the chat received {len(messages)} message(s)"
    )
    if not messages:
        return header
    return header + ":\n" + "\n".join("  " + m.describe() for m in messages)


# ======================================================================================= CLI
async def _serve(args: argparse.Namespace) -> None:
    emulator = BotApiEmulator(token=args.token)
    await emulator.start(args.host, args.port)
    for spec in args.user:
        user_id, _, name = spec.partition(":")
        emulator.add_user(int(user_id), name or f"User {user_id}")
    for spec in args.users:
        first, count, name = (spec.split(":", 2) + [""])[:3]
        for user_id in range(int(first), int(first) + int(count)):
            emulator.add_user(user_id, name or f"User {user_id}")
    print(
        f"base_url={emulator.base_url}\nfile_url={emulator.file_url}\ncontrol_url={emulator.control_url}",
        flush=True,
    )
    try:
        await asyncio.Event().wait()
    finally:
        await emulator.stop()


def main(argv: list[str] | None = None) -> None:
    """``python -m sandbox.emulator``: a standalone emulator for demos and subprocess tests."""
    parser = argparse.ArgumentParser(description="Local Telegram Bot API emulator (loopback only)")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8081)
    parser.add_argument("--token", default=None, help="accept only this bot token")
    parser.add_argument("--user", action="append", default=[], metavar="ID:NAME", help="pre-add a user")
    parser.add_argument(
        "--users",
        action="append",
        default=[],
        metavar="FIRST:COUNT:NAME",
        help="pre-add COUNT users with ids from FIRST (benchmarks: thousands at once)",
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_serve(args))


if __name__ == "__main__":
    main()
