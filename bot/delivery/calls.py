"""One outbox row as one call to Telegram, and a content-free name for what Telegram refused."""

from __future__ import annotations

import base64

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, InputFile, ReplyKeyboardMarkup
from telegram.error import TelegramError

from bot.domain.channels import telegram_id
from storage.outbox.payload import OutboxPayload
from storage.outbox.tables import OutboxMessage


def reply_markup(payload: OutboxPayload) -> InlineKeyboardMarkup | ReplyKeyboardMarkup | None:
    if payload.get("buttons"):
        return InlineKeyboardMarkup(
            [[InlineKeyboardButton(text, callback_data=data) for text, data in row] for row in payload["buttons"]]
        )
    if payload.get("keyboard"):
        return ReplyKeyboardMarkup(payload["keyboard"], resize_keyboard=True, is_persistent=True)
    return None


async def call_telegram(bot: Bot, row: OutboxMessage, *, paid: bool = False) -> int | None:
    """Send, edit or delete what the row says; the message id Telegram gave (None for a deletion).
    ``paid``: the limiter gave a paid-broadcast token."""
    payload = row.payload
    markup = reply_markup(payload)
    chat_id = telegram_id(row.chat_id)  # a centre's own bot: the row's chat id is its conversation key
    if row.method == "send":
        message = await bot.send_message(
            allow_paid_broadcast=True if paid else None,
            chat_id=chat_id,
            text=payload["text"],
            reply_markup=markup,
            protect_content=bool(payload.get("protect")),
            reply_to_message_id=payload.get("reply_to"),
            # the original may have been unsent: deliver the reply anyway, unthreaded
            allow_sending_without_reply=True if payload.get("reply_to") else None,
        )
        return message.message_id
    if row.method == "edit":
        await bot.edit_message_text(
            chat_id=chat_id,
            message_id=payload["message_id"],
            text=payload["text"],
            reply_markup=markup if isinstance(markup, InlineKeyboardMarkup) else None,
        )
        return payload["message_id"]
    if row.method == "delete":
        await bot.delete_message(chat_id=chat_id, message_id=payload["message_id"])
        return None
    if row.method == "document":
        message = await bot.send_document(
            chat_id=chat_id,
            document=InputFile(base64.b64decode(payload["data"]), filename=payload.get("filename") or "file"),
            caption=payload.get("text") or None,
            protect_content=bool(payload.get("protect")),
        )
        return message.message_id
    raise ValueError(f"unknown outbox method {row.method!r}")


def error_kind(exc: TelegramError) -> str:
    """A short, content-free label for the log (Telegram's text can quote the message)."""
    text = str(exc).lower()
    for kind in (
        "chat not found",
        "message to edit not found",
        "message is too long",
        "text is empty",
        "can't parse",
        "button_data_invalid",
    ):
        if kind in text:
            return kind.replace(" ", "_")
    return "other"
