"""The Bot API methods the emulator implements, with Telegram's answers and error texts.

Each public coroutine of :class:`BotApiMethods` is one Bot API method, named in snake_case
(``send_message`` serves ``sendMessage``; method names are case-insensitive on Telegram too).
A method validates everything *before* changing state, so a 400/403/429 never leaves a
half-delivered message behind - tests count deliveries exactly.

Unknown parameters are ignored, as Telegram does. Not emulated: inline mode, payments,
media groups, forwarding/copying, chat administration beyond leave/pin.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import hashlib
import json
import mimetypes
import re
import struct
import time
from collections.abc import Awaitable, Callable
from typing import Any

from .formatting import EntityParseError, parse_text
from .models import (
    MAX_CALLBACK_DATA_BYTES,
    MAX_CAPTION_LENGTH,
    MAX_TEXT_LENGTH,
    ApiError,
    SentFile,
    SentMessage,
    bad_request,
)
from .params import Params
from .state import ChatState, ServerState
from .webhook import WebhookDispatcher

Handler = Callable[[Params], Awaitable[Any]]

METHOD_NAMES = (
    "getMe",
    "getUpdates",
    "setWebhook",
    "deleteWebhook",
    "getWebhookInfo",
    "sendMessage",
    "editMessageText",
    "editMessageCaption",
    "editMessageReplyMarkup",
    "deleteMessage",
    "deleteMessages",
    "answerCallbackQuery",
    "sendDocument",
    "sendPhoto",
    "getFile",
    "setMyCommands",
    "getMyCommands",
    "deleteMyCommands",
    "sendChatAction",
    "getChat",
    "leaveChat",
    "pinChatMessage",
    "unpinChatMessage",
    "unpinAllChatMessages",
    "close",
    "logOut",
    "setMyDescription",
    "getMyDescription",
    "setMyShortDescription",
    "getMyShortDescription",
    "setMyName",
    "getMyName",
    "setChatMenuButton",
    "getChatMenuButton",
)

_BOT_COMMAND_NAME_RE = re.compile(r"^[a-z0-9_]{1,32}$")
_CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)
_NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly "
    "the same as a current content and reply markup of the message"
)
_QUERY_INVALID = "query is too old and response timeout expired or query ID is invalid"
_CONFLICT_WEBHOOK = (
    "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first"
)
_CONFLICT_POLLING = "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running"
_MAX_POLL_TIMEOUT = 50.0


def snake_case(method: str) -> str:
    return re.sub(r"(?<!^)([A-Z])", r"_\1", method).lower()


class BotApiMethods:
    """Bot API method implementations over one :class:`ServerState`."""

    def __init__(self, state: ServerState, webhooks: WebhookDispatcher) -> None:
        self.state = state
        self.webhooks = webhooks
        self._poll_generation = 0

    def table(self) -> dict[str, tuple[str, Handler]]:
        """lower-cased method name -> (canonical name, handler)."""
        return {name.lower(): (name, getattr(self, snake_case(name))) for name in METHOD_NAMES}

    # ------------------------------------------------------------------------------ helpers
    def _chat(self, p: Params, name: str = "chat_id") -> ChatState:
        chat_id = p.chat_id(name)
        if isinstance(chat_id, str):
            wanted = chat_id[1:].lower()
            chat = next(
                (c for c in self.state.chats.values() if str(c.data.get("username", "")).lower() == wanted),
                None,
            )
        else:
            chat = self.state.chats.get(chat_id)
        if chat is None and isinstance(chat_id, int) and self.state.known_elsewhere(chat_id):
            raise ApiError(403, "Forbidden: bot can't initiate conversation with a user")
        if chat is None:
            raise bad_request("chat not found")
        return chat

    @staticmethod
    def _render(
        raw: str | None, parse_mode: str | None, entities: Any, *, caption: bool
    ) -> tuple[str | None, list[dict[str, Any]]]:
        """Parse markup like Telegram and enforce its emptiness and length rules.

        Lengths are counted after parsing, as Telegram does ("1-4096 characters after
        entities parsing"); an empty caption just means "no caption".
        """
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

    @staticmethod
    def _markup(p: Params, *, inline_only: bool = False) -> dict[str, Any] | None:
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

    @staticmethod
    def _reply_target(chat: ChatState, p: Params) -> dict[str, Any] | None:
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

    def _editable(self, p: Params) -> tuple[ChatState, dict[str, Any], SentMessage]:
        if p.has("inline_message_id"):
            raise bad_request("message to edit not found")  # inline mode is not emulated
        chat = self._chat(p)
        message = chat.alive(p.get_int("message_id"))
        if message is None:
            raise bad_request("message to edit not found")
        sent = chat.sent_by_id.get(message["message_id"])
        if sent is None:
            raise bad_request("message can't be edited")
        return chat, message, sent

    def _apply_edit(self, chat: ChatState, message: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
        """Apply ``changes`` (a falsy value removes the field) or answer "not modified"."""
        if all(message.get(key) == (value or None) for key, value in changes.items()):
            raise bad_request(_NOT_MODIFIED)
        self.state.check_reachable(chat)
        for key, value in changes.items():
            if value:
                message[key] = value
            else:
                message.pop(key, None)
        message["edit_date"] = int(time.time())
        self.state.notify_messages(chat)
        return copy.deepcopy(message)

    # ---------------------------------------------------------------------- bot and updates
    async def get_me(self, p: Params) -> Any:
        self.state.get_me_at.append(time.monotonic())
        return copy.deepcopy(self.state.bot_user)

    async def get_updates(self, p: Params) -> Any:
        """Long polling: waits up to ``timeout`` s, answering as soon as an update arrives."""
        updates = self.state.updates
        if self.webhooks.current is not None:
            raise ApiError(409, _CONFLICT_WEBHOOK)
        offset = p.get_int("offset") or 0
        limit = min(max(p.get_int("limit") or 100, 1), 100)
        timeout = min(max(p.get_float("timeout") or 0.0, 0.0), _MAX_POLL_TIMEOUT)
        allowed = p.get_json("allowed_updates")
        if isinstance(allowed, list):
            updates.set_allowed(str(kind) for kind in allowed)
        updates.confirm(offset)
        # A newer poll ends an older one with 409, as on Telegram: that is how two running
        # instances of a bot show up, instead of silently splitting the updates.
        self._poll_generation += 1
        generation = self._poll_generation
        updates.notify()
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            if self.webhooks.current is not None:
                raise ApiError(409, _CONFLICT_WEBHOOK)
            if generation != self._poll_generation:
                raise ApiError(409, _CONFLICT_POLLING)
            if self.state.closing:
                return []
            batch = updates.take(limit)
            remaining = deadline - loop.time()
            if batch or remaining <= 0:
                return batch
            self.state.polls_waiting += 1
            try:
                await updates.wait_changed(remaining)
            finally:
                self.state.polls_waiting -= 1

    async def set_webhook(self, p: Params) -> Any:
        url = p.get_str("url") or ""
        if not url:
            return await self.delete_webhook(p)
        self.webhooks.validate_url(url)
        secret = p.get_str("secret_token")
        if secret is not None and not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", secret):
            raise bad_request("secret token contains unallowed characters")
        allowed = p.get_json("allowed_updates")
        if isinstance(allowed, list):
            self.state.updates.set_allowed(str(kind) for kind in allowed)
        if p.get_bool("drop_pending_updates"):
            self.state.updates.drop_pending()
        await self.webhooks.set(
            url,
            secret_token=secret,
            max_connections=p.get_int("max_connections") or 40,
            ip_address=p.get_str("ip_address"),
        )
        return True

    async def delete_webhook(self, p: Params) -> Any:
        await self.webhooks.remove()
        if p.get_bool("drop_pending_updates"):
            self.state.updates.drop_pending()
        return True

    async def get_webhook_info(self, p: Params) -> Any:
        updates = self.state.updates
        info: dict[str, Any] = {
            "url": "",
            "has_custom_certificate": False,
            "pending_update_count": updates.pending_count,
        }
        hook = self.webhooks.current
        if hook is not None:
            info.update(url=hook.url, max_connections=hook.max_connections)
            if hook.ip_address:
                info["ip_address"] = hook.ip_address
            if hook.last_error_date is not None:
                info["last_error_date"] = hook.last_error_date
                info["last_error_message"] = hook.last_error_message
        if updates.allowed_updates is not None:
            info["allowed_updates"] = list(updates.allowed_updates)
        return info

    # ------------------------------------------------------------------------------ sending
    async def send_message(self, p: Params) -> Any:
        chat = self._chat(p)
        text, entities = self._render(p.get_str("text"), p.get_str("parse_mode"), p.get_json("entities"), caption=False)
        markup = self._markup(p)
        reply_to = self._reply_target(chat, p)
        self.state.admit(chat, p)
        return self.state.record_bot_message(
            chat, "sendMessage", p, text=text, entities=entities, markup=markup, reply_to=reply_to
        )

    async def send_document(self, p: Params) -> Any:
        return self._send_file(p, "document")

    async def send_photo(self, p: Params) -> Any:
        return self._send_file(p, "photo")

    def _send_file(self, p: Params, kind: str) -> Any:
        chat = self._chat(p)
        stored, is_new = self._input_file(p, kind)
        caption, entities = self._render(
            p.get_str("caption"), p.get_str("parse_mode"), p.get_json("caption_entities"), caption=True
        )
        markup = self._markup(p)
        reply_to = self._reply_target(chat, p)
        self.state.admit(chat, p)
        if is_new:
            self._store_file(stored, kind)
        described: dict[str, Any] = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": len(stored.content),
        }
        if kind == "document":
            if stored.filename:
                described["file_name"] = stored.filename
            if stored.mime_type:
                described["mime_type"] = stored.mime_type
            extra: dict[str, Any] = {"document": described}
        else:
            width, height = _image_size(stored.content)
            extra = {"photo": [{**described, "width": width, "height": height}]}
        return self.state.record_bot_message(
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
        """An uploaded part (a new file) or a known file_id; URLs are refused (no internet)."""
        value = p.get_str(field)
        upload = p.files.get(field)
        if upload is None and value and value.startswith("attach://"):
            upload = p.files.get(value[len("attach://") :])
        if upload is not None:
            mime = upload.content_type
            if not mime or mime == "application/octet-stream":
                mime = mimetypes.guess_type(upload.filename or "")[0] or mime
            state = self.state
            state.file_counter += 1
            prefix = "BQACAgIAAx" if field == "document" else "AgACAgIAAx"
            stored = SentFile(
                file_id=f"{prefix}{state.file_counter:010d}",
                file_unique_id=hashlib.sha1(upload.content).hexdigest()[:16],
                filename=upload.filename,
                content=upload.content,
                mime_type=mime,
            )
            return stored, True
        if not value:
            raise bad_request(f"there is no {field} in the request")
        stored_file = self.state.files.get(value)
        if stored_file is None:
            raise bad_request("wrong file identifier/HTTP URL specified")
        return stored_file, False

    def _store_file(self, stored: SentFile, kind: str) -> None:
        suffix = ""
        if stored.filename and "." in stored.filename:
            suffix = "." + stored.filename.rsplit(".", 1)[1]
        path = f"{kind}s/file_{self.state.file_counter}{suffix}"
        self.state.files[stored.file_id] = stored
        self.state.file_paths[path] = stored.file_id

    async def get_file(self, p: Params) -> Any:
        file_id = p.get_str("file_id") or ""
        stored = self.state.files.get(file_id)
        if stored is None:
            raise bad_request("invalid file_id")
        path = next(path for path, fid in self.state.file_paths.items() if fid == file_id)
        return {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": len(stored.content),
            "file_path": path,
        }

    # ------------------------------------------------------------------------------ editing
    async def edit_message_text(self, p: Params) -> Any:
        """Like Telegram, omitting reply_markup removes the inline keyboard."""
        chat, message, sent = self._editable(p)
        if "text" not in message:
            raise bad_request("there is no text in the message to edit")
        text, entities = self._render(p.get_str("text"), p.get_str("parse_mode"), p.get_json("entities"), caption=False)
        markup = self._markup(p, inline_only=True)
        result = self._apply_edit(chat, message, {"text": text, "entities": entities, "reply_markup": markup})
        sent.text, sent.entities, sent.reply_markup = text, entities, markup
        sent.raw_text, sent.parse_mode = p.get_str("text"), p.get_str("parse_mode")
        sent.edits.append(text or "")
        return result

    async def edit_message_caption(self, p: Params) -> Any:
        chat, message, sent = self._editable(p)
        if sent.document is None and sent.photo is None:
            raise bad_request("there is no caption in the message to edit")
        caption, entities = self._render(
            p.get_str("caption"), p.get_str("parse_mode"), p.get_json("caption_entities"), caption=True
        )
        markup = self._markup(p, inline_only=True)
        result = self._apply_edit(
            chat, message, {"caption": caption, "caption_entities": entities, "reply_markup": markup}
        )
        sent.caption, sent.entities, sent.reply_markup = caption, entities, markup
        sent.edits.append(caption or "")
        return result

    async def edit_message_reply_markup(self, p: Params) -> Any:
        chat, message, sent = self._editable(p)
        markup = self._markup(p, inline_only=True)
        result = self._apply_edit(chat, message, {"reply_markup": markup})
        sent.reply_markup = markup
        sent.markup_edits += 1
        return result

    async def delete_message(self, p: Params) -> Any:
        self._delete(self._chat(p), p.get_int("message_id"))
        return True

    async def delete_messages(self, p: Params) -> Any:
        chat = self._chat(p)
        ids = p.get_json("message_ids")
        if not isinstance(ids, list) or not 1 <= len(ids) <= 100:
            raise bad_request("message_ids must contain 1-100 message identifiers")
        for message_id in ids:
            with contextlib.suppress(ApiError):  # Telegram skips ids it cannot delete
                self._delete(chat, int(message_id))
        return True

    def _delete(self, chat: ChatState, message_id: int | None) -> None:
        if message_id is None or chat.alive(message_id) is None:
            raise bad_request("message to delete not found")
        sent = chat.sent_by_id.get(message_id)
        if sent is None and chat.is_group:
            raise bad_request("message can't be deleted")  # the bot is no admin there
        chat.deleted.add(message_id)
        if sent is not None:
            sent.deleted = True
        self.state.notify_messages(chat)

    async def answer_callback_query(self, p: Params) -> Any:
        query_id = p.get_str("callback_query_id") or ""
        query = self.state.callback_queries.get(query_id)
        if query is None or query["answered"]:
            raise bad_request(_QUERY_INVALID)
        text = p.get_str("text")
        if text is not None and len(text) > 200:
            raise bad_request("MESSAGE_TOO_LONG")
        query["answered"] = True
        self.state.callback_answers.append(
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
                "pressed_at": query["pressed_at"],
                "answered_at": time.monotonic(),
            }
        )
        return True

    # ------------------------------------------------------------------- chats and commands
    async def send_chat_action(self, p: Params) -> Any:
        chat = self._chat(p)
        action = p.get_str("action")
        if action not in _CHAT_ACTIONS:
            raise bad_request("wrong parameter action in request")
        self.state.check_reachable(chat)
        self.state.chat_actions.append({"chat_id": chat.id, "action": action, "at": time.monotonic()})
        return True

    async def get_chat(self, p: Params) -> Any:
        chat = self._chat(p)
        info = copy.deepcopy(chat.data)
        info.update(  # required by PTB's ChatFullInfo
            accent_color_id=0,
            max_reaction_count=11,
            accepted_gift_types={
                "unlimited_gifts": False,
                "limited_gifts": False,
                "unique_gifts": False,
                "premium_subscription": False,
                "gifts_from_channels": False,
            },
        )
        pinned = [s for s in chat.sent if s.pinned and not s.deleted]
        if pinned:
            info["pinned_message"] = copy.deepcopy(chat.messages[pinned[-1].message_id])
        return info

    async def leave_chat(self, p: Params) -> Any:
        chat = self._chat(p)
        if chat.data["type"] == "private":
            raise bad_request("chat member status can't be changed in private chats")
        chat.left = True
        return True

    async def pin_chat_message(self, p: Params) -> Any:
        chat = self._chat(p)
        message_id = p.get_int("message_id")
        if chat.alive(message_id) is None:
            raise bad_request("message to pin not found")
        self.state.check_reachable(chat)
        sent = chat.sent_by_id.get(message_id or 0)
        if sent is not None:
            sent.pinned = True
            self.state.notify_messages(chat)
        return True

    async def unpin_chat_message(self, p: Params) -> Any:
        chat = self._chat(p)
        message_id = p.get_int("message_id")
        pinned = [s for s in chat.sent if s.pinned]
        targets = [s for s in pinned if s.message_id == message_id] if message_id else pinned[-1:]
        for sent in targets:
            sent.pinned = False
        self.state.notify_messages(chat)
        return True

    async def unpin_all_chat_messages(self, p: Params) -> Any:
        chat = self._chat(p)
        for sent in chat.sent:
            sent.pinned = False
        self.state.notify_messages(chat)
        return True

    async def set_my_commands(self, p: Params) -> Any:
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
            if not description:
                raise bad_request("command description is empty")
            if len(description) > 256:
                raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
            cleaned.append({"command": name, "description": description})
        self.state.commands[commands_key(p.get_json("scope"), p.get_str("language_code"))] = cleaned
        return True

    async def get_my_commands(self, p: Params) -> Any:
        key = commands_key(p.get_json("scope"), p.get_str("language_code"))
        return copy.deepcopy(self.state.commands.get(key, []))

    async def delete_my_commands(self, p: Params) -> Any:
        self.state.commands.pop(commands_key(p.get_json("scope"), p.get_str("language_code")), None)
        return True

    async def close(self, p: Params) -> Any:
        return True

    async def log_out(self, p: Params) -> Any:
        return True

    # Profile settings bots often set in post_init: stored and returned, otherwise inert.
    def _set_setting(self, p: Params, field: str) -> bool:
        self.state.bot_settings[f"{field}:{p.get_str('language_code') or ''}"] = p.get_str(field) or ""
        return True

    def _get_setting(self, p: Params, field: str) -> dict[str, str]:
        return {field: self.state.bot_settings.get(f"{field}:{p.get_str('language_code') or ''}", "")}

    async def set_my_description(self, p: Params) -> Any:
        return self._set_setting(p, "description")

    async def get_my_description(self, p: Params) -> Any:
        return self._get_setting(p, "description")

    async def set_my_short_description(self, p: Params) -> Any:
        return self._set_setting(p, "short_description")

    async def get_my_short_description(self, p: Params) -> Any:
        return self._get_setting(p, "short_description")

    async def set_my_name(self, p: Params) -> Any:
        return self._set_setting(p, "name")

    async def get_my_name(self, p: Params) -> Any:
        return self._get_setting(p, "name")

    async def set_chat_menu_button(self, p: Params) -> Any:
        self.state.bot_settings[f"menu_button:{p.get_str('chat_id') or ''}"] = p.get_json("menu_button")
        return True

    async def get_chat_menu_button(self, p: Params) -> Any:
        stored = self.state.bot_settings.get(f"menu_button:{p.get_str('chat_id') or ''}")
        return stored or {"type": "default"}


def commands_key(scope: Any, language_code: str | None) -> tuple[str, str]:
    """setMyCommands stores one list per (scope, language); the default scope if none."""
    scope = scope if isinstance(scope, dict) else {"type": "default"}
    return json.dumps(scope, sort_keys=True), language_code or ""


def _validate_inline_button(button: Any) -> None:
    if not isinstance(button, dict) or not str(button.get("text", "")):
        raise bad_request("can't parse inline keyboard button: Text must be non-empty")
    if not set(button) - {"text"}:
        raise bad_request("can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard")
    if "callback_data" in button:
        size = len(str(button["callback_data"]).encode("utf-8"))
        if not 1 <= size <= MAX_CALLBACK_DATA_BYTES:
            raise bad_request("BUTTON_DATA_INVALID")


def _image_size(data: bytes) -> tuple[int, int]:
    """Width and height of a PNG, GIF or JPEG; (0, 0) if unknown (lenient, unlike Telegram)."""
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
            if marker in (0xC0, 0xC1, 0xC2):
                height, width = struct.unpack(">HH", data[i + 5 : i + 9])
                return int(width), int(height)
            i += 2 + struct.unpack(">H", data[i + 2 : i + 4])[0]
    return 0, 0
