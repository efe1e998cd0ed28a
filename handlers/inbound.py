"""A person's words, whatever they are: typed text, a swipe-reply, an edit, a photo or sticker. The
handlers only read the update; the inbound router (bot.services.inbound) decides where they go."""

from __future__ import annotations

from telegram import Message, Update

from bot.services import inbound
from handlers.common import SaathiContext, person_of


async def text_msg(update: Update, context: SaathiContext) -> None:
    person = person_of(update)
    message = update.effective_message
    if person is None or message is None or message.text is None:
        return
    await context.saathi.call(inbound.handle_text, person, message.text, message.message_id)
    context.saathi.kick()


async def reply_msg(update: Update, context: SaathiContext) -> None:
    """A text sent as a reply: the router finds the sponsor or talk chat, or the circle message, it answers."""
    person, message = person_of(update), update.effective_message
    replied = message.reply_to_message if message is not None else None
    if person is not None and message is not None and message.text is not None and replied is not None:
        await context.saathi.call(inbound.handle_text, person, message.text, message.message_id, replied.message_id)
        context.saathi.kick()


async def media_msg(update: Update, context: SaathiContext) -> None:
    """Anything but text: in a circle, a kind word on why it is not relayed (or a sticker, where allowed)."""
    person, message = person_of(update), update.effective_message
    if person is not None and message is not None:
        sticker = message.sticker
        await context.saathi.call(
            inbound.handle_media,
            person,
            _media_kind(message),
            emoji=sticker.emoji if sticker is not None else None,
            message_id=message.message_id,
        )
        context.saathi.kick()


def _media_kind(message: Message) -> str:
    for kind, attributes in (
        ("photo", ("photo",)),
        ("voice", ("voice", "audio", "video_note")),
        ("video", ("video", "animation")),
        ("sticker", ("sticker",)),
        ("contact", ("contact",)),
        ("location", ("location", "venue")),
        ("document", ("document",)),
    ):
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
