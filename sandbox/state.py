"""The emulated Telegram server's state: users, chats, messages, files, counters.

One :class:`ServerState` per emulator instance, shared by the Bot API methods
(:mod:`sandbox.methods`), webhook delivery (:mod:`sandbox.webhook`) and the
control API (:mod:`sandbox.emulator`). It is only touched from the event loop thread
and none of its methods await, so every mutation is atomic with respect to other requests.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import dataclasses
import logging
import re
import time
from collections import Counter
from collections.abc import Callable
from typing import Any

from .formatting import utf16_len
from .limiter import FloodLimiter
from .models import BOT_FIRST_NAME, BOT_USER_ID, BOT_USERNAME, ApiError, SentFile, SentMessage
from .params import Params
from .updates import UpdateQueue

_log = logging.getLogger("sandbox.emulator")

GROUP_TYPES = frozenset({"group", "supergroup"})
_COMMAND_RE = re.compile(r"(?<!\S)/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]{3,32})?")


@dataclasses.dataclass(slots=True)
class ChatState:
    """One chat as the server sees it; ``messages`` keeps every message ever, by id."""

    data: dict[str, Any]
    next_message_id: int = 1
    messages: dict[int, dict[str, Any]] = dataclasses.field(default_factory=dict)
    deleted: set[int] = dataclasses.field(default_factory=set)
    sent: list[SentMessage] = dataclasses.field(default_factory=list)
    sent_by_id: dict[int, SentMessage] = dataclasses.field(default_factory=dict)
    left: bool = False
    version: int = 0

    @property
    def id(self) -> int:
        return int(self.data["id"])

    @property
    def is_group(self) -> bool:
        return self.data["type"] in GROUP_TYPES

    def allocate_id(self) -> int:
        """Message ids increase per chat, shared by the user's and the bot's messages."""
        message_id = self.next_message_id
        self.next_message_id += 1
        return message_id

    def alive(self, message_id: int | None) -> dict[str, Any] | None:
        """The message if it exists and was not deleted."""
        if message_id is None or message_id in self.deleted:
            return None
        return self.messages.get(message_id)


@dataclasses.dataclass(slots=True)
class KillHook:
    """Crash tests: SIGKILL process ``pid`` when the ``nth`` request of ``method`` (counted from when
    the hook was set) arrives, *before* the emulator acts on it - Telegram never saw that request."""

    method: str  # lower-case Bot API method name
    nth: int
    pid: int
    seen: int = 0
    fired_at: float | None = None

    def describe(self) -> dict[str, Any]:
        return {"method": self.method, "nth": self.nth, "pid": self.pid, "seen": self.seen, "fired_at": self.fired_at}


@dataclasses.dataclass(slots=True)
class Stats:
    """Counters behind ``BotApiEmulator.stats``; see there for their meaning."""

    requests: Counter[str] = dataclasses.field(default_factory=Counter)
    sent_messages: int = 0
    sent_per_chat: Counter[int] = dataclasses.field(default_factory=Counter)
    paid_broadcasts: int = 0
    rate_limited: int = 0
    rate_limited_per_chat: Counter[int] = dataclasses.field(default_factory=Counter)
    forbidden: int = 0
    bad_requests: int = 0
    injected_failures: int = 0
    injected_failures_by_kind: Counter[str] = dataclasses.field(default_factory=Counter)
    webhook_deliveries: int = 0
    webhook_failures: int = 0
    scripted_faults: int = 0

    def snapshot(self) -> dict[str, Any]:
        return {
            field.name: (dict(value) if isinstance(value := getattr(self, field.name), Counter) else value)
            for field in dataclasses.fields(self)
        }


def command_entities(text: str) -> list[dict[str, Any]]:
    """bot_command entities the way Telegram marks them in a user's message (UTF-16 units)."""
    return [
        {"type": "bot_command", "offset": utf16_len(text[: m.start()]), "length": utf16_len(m.group(0))}
        for m in _COMMAND_RE.finditer(text)
    ]


def strip_reply(message: dict[str, Any]) -> dict[str, Any]:
    """A copy fit for ``reply_to_message``: Telegram nests replies one level deep only."""
    inner = copy.deepcopy(message)
    inner.pop("reply_to_message", None)
    return inner


class ServerState:
    """Everything the emulated server knows. Reset by building a new instance."""

    def __init__(self) -> None:
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
        self.bot_from = {k: self.bot_user[k] for k in ("id", "is_bot", "first_name", "username")}
        self.users: dict[int, dict[str, Any]] = {}
        self.chats: dict[int, ChatState] = {}
        self.blocked: set[int] = set()
        self.updates = UpdateQueue()
        self.files: dict[str, SentFile] = {}
        self.file_paths: dict[str, str] = {}
        self.file_counter = 0
        self.callback_queries: dict[str, dict[str, Any]] = {}
        self.next_query_id = 4_000_000_000_000_000_001
        self.callback_answers: list[dict[str, Any]] = []
        self.chat_actions: list[dict[str, Any]] = []
        self.commands: dict[tuple[str, str], list[dict[str, str]]] = {}
        self.bot_settings: dict[str, Any] = {}
        self.limiter: FloodLimiter | None = None
        self.stats = Stats()
        self.closing = False
        self._messages_changed = asyncio.Event()
        self.kill_hooks: list[KillHook] = []
        self.get_me_at: list[float] = []  # time.monotonic() of every getMe: a bot starting up asks it
        self.polls_waiting = 0  # getUpdates long polls waiting for an update right now
        # Telegram's users exist apart from any bot: someone who started another bot on this server
        # but never this one gets 403 "can't initiate conversation", not 400 (BotApiEmulator.add_bot)
        self.known_elsewhere: Callable[[int], bool] = lambda _user_id: False

    # -------------------------------------------------------------------- change signalling
    def kill_due(self, method: str) -> KillHook | None:
        """Count a request of ``method``; the armed hook it completes, if any (fired once)."""
        for hook in self.kill_hooks:
            if hook.fired_at is None and hook.method == method.lower():
                hook.seen += 1
                if hook.seen >= hook.nth:
                    hook.fired_at = time.time()
                    return hook
        return None

    def notify_messages(self, chat: ChatState | None = None) -> None:
        """Wake message waiters; bump the chat's version for HTTP change polling."""
        if chat is not None:
            chat.version += 1
        event, self._messages_changed = self._messages_changed, asyncio.Event()
        event.set()

    async def wait_messages_changed(self, timeout: float) -> None:
        event = self._messages_changed
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(event.wait(), timeout)

    # ----------------------------------------------------------------------- delivery gates
    def check_reachable(self, chat: ChatState) -> None:
        """403 when the user blocked the bot or the bot is no longer in the group."""
        if chat.id in self.blocked:
            if chat.is_group:
                raise ApiError(403, "Forbidden: bot was kicked from the group chat")
            raise ApiError(403, "Forbidden: bot was blocked by the user")
        if chat.left:
            raise ApiError(403, "Forbidden: bot is not a member of the group chat")

    def admit(self, chat: ChatState, p: Params) -> None:
        """Last gate before a send is delivered: reachability, then the flood limits."""
        self.check_reachable(chat)
        if self.limiter is None:
            return
        retry_after = self.limiter.acquire(
            chat.id, is_group=chat.is_group, paid_broadcast=p.get_bool("allow_paid_broadcast")
        )
        if retry_after:
            self.stats.rate_limited += 1
            self.stats.rate_limited_per_chat[chat.id] += 1
            raise ApiError(429, f"Too Many Requests: retry after {retry_after}", {"retry_after": retry_after})

    # ----------------------------------------------------------------------------- messages
    def record_bot_message(
        self,
        chat: ChatState,
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
        """Create the bot's message in ``chat``; returns the Bot API Message object."""
        message_id = chat.allocate_id()
        date = int(time.time())
        message: dict[str, Any] = {
            "message_id": message_id,
            "from": copy.deepcopy(self.bot_from),
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
            message["reply_markup"] = markup  # Telegram echoes inline keyboards only
        if reply_to is not None:
            message["reply_to_message"] = strip_reply(reply_to)
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
        self.stats.sent_messages += 1
        self.stats.sent_per_chat[chat.id] += 1
        if sent.allow_paid_broadcast:
            self.stats.paid_broadcasts += 1
        self.notify_messages(chat)
        _log.debug("%s delivered to chat %s as message %s", method, chat.id, message_id)
        return copy.deepcopy(message)

    def new_user_message(self, chat: ChatState, user: dict[str, Any], text: str) -> dict[str, Any]:
        """Record a text message from ``user`` in ``chat`` (not queued as an update)."""
        message: dict[str, Any] = {
            "message_id": chat.allocate_id(),
            "from": copy.deepcopy(user),
            "chat": copy.deepcopy(chat.data),
            "date": int(time.time()),
            "text": text,
        }
        if entities := command_entities(text):
            message["entities"] = entities
        chat.messages[message["message_id"]] = message
        return message
