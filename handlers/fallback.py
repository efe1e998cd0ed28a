"""Typed text, /help, and a kind answer for everything else (stickers, photos, unknown commands)."""

from __future__ import annotations

from telegram import Message, Update

from bot.services import conversation, inbound
from handlers.common import SaathiContext, answer_button, person_of


async def text_msg(update: Update, context: SaathiContext) -> None:
    person = person_of(update)
    message = update.effective_message
    if person is None or message is None or message.text is None:
        return
    await context.saathi.call(inbound.handle_text, person, message.text, message.message_id)
    context.saathi.kick()


async def help_cmd(update: Update, context: SaathiContext) -> None:
    person = person_of(update)
    if person is not None:
        await context.saathi.call(conversation.show_help, person)
        context.saathi.kick()


async def unknown_cmd(update: Update, context: SaathiContext) -> None:
    await _reply(update, context, "fallback-unknown-command")


async def unsupported_msg(update: Update, context: SaathiContext) -> None:
    """Anything but text: in a circle, a kind word on why it is not relayed (or a sticker, where allowed)."""
    person, message = person_of(update), update.effective_message
    if person is not None and message is not None:
        sticker = message.sticker
        await context.saathi.call(inbound.handle_media, person, _media_kind(message),
                             emoji=sticker.emoji if sticker is not None else None, message_id=message.message_id)
        context.saathi.kick()


def _media_kind(message: Message) -> str:
    for kind, attributes in (("photo", ("photo",)), ("voice", ("voice", "audio", "video_note")),
                             ("video", ("video", "animation")), ("sticker", ("sticker",)), ("contact", ("contact",)),
                             ("location", ("location", "venue")), ("document", ("document",))):
        if any(getattr(message, name, None) for name in attributes):
            return kind
    return "other"


async def edited_msg(update: Update, context: SaathiContext) -> None:
    """Edited text is screened again; an edited circle message reaches every copy (the service decides)."""
    person = person_of(update)
    message = update.edited_message
    if person is not None and message is not None and message.text:
        await context.saathi.call(inbound.handle_edit, person, message.text, message.message_id)
        context.saathi.kick()


async def unknown_cb(update: Update, context: SaathiContext) -> None:
    await answer_button(update, context, "button-expired")


async def _reply(update: Update, context: SaathiContext, key: str) -> None:
    person = person_of(update)
    if person is not None:
        await context.saathi.call(conversation.reply_plain, person, key)
        context.saathi.kick()
