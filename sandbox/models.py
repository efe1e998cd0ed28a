"""Value types shared by the Bot API emulator, its HTTP control API and its client.

Kept apart from :mod:`sandbox.emulator` so that :mod:`sandbox.client` can rebuild
the same objects from JSON without importing the server (and aiohttp's web stack).
"""

from __future__ import annotations

import base64
import dataclasses
from collections.abc import Iterator
from typing import Any

# Telegram's own limits, see https://core.telegram.org/bots/api#sendmessage and
# https://core.telegram.org/bots/faq#my-bot-is-hitting-limits-how-do-i-avoid-this
MAX_TEXT_LENGTH = 4096
MAX_CAPTION_LENGTH = 1024
MAX_CALLBACK_DATA_BYTES = 64

BOT_USER_ID = 7000000001
BOT_FIRST_NAME = "Saathi"
BOT_USERNAME = "saathi_demo_bot"


class ApiError(Exception):
    """A Bot API error answer: raised inside method handlers, turned into the JSON envelope.

    ``description`` must be exactly what Telegram says, because bots (and PTB) match on it,
    e.g. "Bad Request: message is not modified" is routinely swallowed by handlers.
    """

    def __init__(self, error_code: int, description: str, parameters: dict[str, Any] | None = None) -> None:
        super().__init__(f"{error_code} {description}")
        self.error_code = error_code
        self.description = description
        self.parameters = parameters

    def to_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "ok": False,
            "error_code": self.error_code,
            "description": self.description,
        }
        if self.parameters:
            body["parameters"] = self.parameters
        return body


def bad_request(detail: str) -> ApiError:
    """400 with Telegram's "Bad Request: " prefix."""
    return ApiError(400, f"Bad Request: {detail}")


@dataclasses.dataclass(slots=True)
class SentFile:
    """A file the bot uploaded (or re-sent by file_id) with the bytes Telegram would store.

    Iterating yields ``(filename, content)`` so ``name, data = msg.document`` works too.
    """

    file_id: str
    file_unique_id: str
    filename: str | None
    content: bytes
    mime_type: str | None = None

    def __iter__(self) -> Iterator[Any]:
        return iter((self.filename, self.content))

    def to_dict(self) -> dict[str, Any]:
        return {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "filename": self.filename,
            "content_b64": base64.b64encode(self.content).decode("ascii"),
            "mime_type": self.mime_type,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SentFile:
        return cls(
            file_id=data["file_id"],
            file_unique_id=data["file_unique_id"],
            filename=data.get("filename"),
            content=base64.b64decode(data.get("content_b64") or ""),
            mime_type=data.get("mime_type"),
        )


@dataclasses.dataclass(slots=True)
class SentMessage:
    """One message the bot sent to a chat, as the emulator recorded it.

    ``text``/``caption`` are what the *user sees*: formatting markup (HTML/Markdown) has been
    parsed out exactly like Telegram does; ``raw_text`` keeps what the bot actually sent.
    ``edits`` lists the new text of every successful editMessageText/editMessageCaption in
    order, so ``edits[-1] == text`` whenever the message was edited and ``original_text``
    keeps the first version. Deleted messages stay in the list with ``deleted=True`` so
    tests can assert that a bot cleaned up after itself.
    """

    chat_id: int
    message_id: int
    method: str
    index: int
    text: str | None = None
    caption: str | None = None
    raw_text: str | None = None
    parse_mode: str | None = None
    entities: list[dict[str, Any]] = dataclasses.field(default_factory=list)
    reply_markup: dict[str, Any] | None = None
    reply_to_message_id: int | None = None
    protect_content: bool = False
    disable_notification: bool = False
    allow_paid_broadcast: bool = False
    document: SentFile | None = None
    photo: SentFile | None = None
    deleted: bool = False
    pinned: bool = False
    edits: list[str] = dataclasses.field(default_factory=list)
    markup_edits: int = 0
    original_text: str | None = None
    sent_at: float = 0.0
    date: int = 0

    def buttons(self) -> list[tuple[str, str]]:
        """(text, callback_data) of the inline keyboard's callback buttons, row by row.

        URL/web-app/other buttons carry no callback data and are left out; look at
        ``reply_markup`` directly for those.
        """
        markup = self.reply_markup or {}
        result: list[tuple[str, str]] = []
        for row in markup.get("inline_keyboard") or []:
            for button in row:
                data = button.get("callback_data")
                if data is not None:
                    result.append((str(button.get("text", "")), str(data)))
        return result

    def keyboard(self) -> list[str]:
        """Button texts of a ReplyKeyboardMarkup (the keyboard replacing the user's), in order."""
        markup = self.reply_markup or {}
        texts: list[str] = []
        for row in markup.get("keyboard") or []:
            for button in row:
                texts.append(button if isinstance(button, str) else str(button.get("text", "")))
        return texts

    def to_dict(self) -> dict[str, Any]:
        data = dataclasses.asdict(self)
        data["document"] = self.document.to_dict() if self.document else None
        data["photo"] = self.photo.to_dict() if self.photo else None
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SentMessage:
        known = {f.name for f in dataclasses.fields(cls)}
        kwargs = {k: v for k, v in data.items() if k in known}
        if kwargs.get("document"):
            kwargs["document"] = SentFile.from_dict(kwargs["document"])
        if kwargs.get("photo"):
            kwargs["photo"] = SentFile.from_dict(kwargs["photo"])
        return cls(**kwargs)

    def describe(self) -> str:
        """One line for assertion messages (test output, never logs: it contains text)."""
        body = self.text if self.text is not None else self.caption
        shown = (body or "")[:80].replace("\n", "\\n")
        flags = " deleted" if self.deleted else ""
        buttons = f" buttons={self.buttons()}" if self.buttons() else ""
        return f"[{self.index}] #{self.message_id} {self.method}{flags} {shown!r}{buttons}"
