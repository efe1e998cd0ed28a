"""A swipe-reply (Telegram's reply-to) may answer a sponsor/talk chat, a circle message, or nothing of ours.

Only one handler sees a reply, so the chain lives here: a sponsor or talk thread first, then
the circles (which pass anything else on as ordinary typed text).
"""

from __future__ import annotations

from bot.services import circles, sponsors
from bot.services.context import Person, ServiceContext


def handle_reply(ctx: ServiceContext, person: Person, text: str, message_id: int, reply_to_message_id: int) -> None:
    if not sponsors.reply_to_message(ctx, person, text, reply_to_message_id, message_id):
        circles.handle_reply(ctx, person, text, message_id, reply_to_message_id)
