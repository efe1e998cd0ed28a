"""Conversation keys: one integer per conversation, whatever the channel, so the core (Person, the
outbox's ``chat_id``, the sender's lanes, the inbox's order) works unchanged for a second channel.

Telegram's private chat ids are positive and below 2**52 (about 4.5 * 10**15), its group ids above
-10**13 (``-100`` and ten or so digits); a WhatsApp contact ``n`` is ``-(10**15) - n``, far below both
and inside 64 bits. A centre's own Telegram bot (channel account ``a``, not the ``.env`` bot) sees the
same person under the same Telegram id, but the conversation is another one (its own messages, its own
1/s): user ``u`` there is ``a * 10**16 + u``, above every Telegram id and inside 64 bits for accounts
up to 921. The ``.env`` bot's conversations keep Telegram's own ids, so a deployment without accounts
stores exactly what it did before.
The inbox's update id of a WhatsApp event is negative too, taken from a hash of its message id
(the wamid), so it never meets Telegram's positive update ids and a replayed event finds its row.
"""

from __future__ import annotations

import hashlib

from bot.domain.whatsapp.capabilities import TELEGRAM as TELEGRAM_CAPABILITIES
from bot.domain.whatsapp.capabilities import WHATSAPP as WHATSAPP_CAPABILITIES
from bot.domain.whatsapp.capabilities import Capabilities

WHATSAPP_BASE = 10**15
TELEGRAM_ACCOUNT_BASE = 10**16  # above Telegram's ids (at most 52 bits)
MAX_TELEGRAM_ACCOUNT = (2**63 - 1) // TELEGRAM_ACCOUNT_BASE - 1
TELEGRAM = "telegram"
WHATSAPP = "whatsapp"


def whatsapp_key(contact_id: int) -> int:
    """The chat id of the conversation with WhatsApp contact ``contact_id``."""
    if contact_id < 1:
        raise ValueError("a contact id is positive")
    return -WHATSAPP_BASE - contact_id


def is_whatsapp(chat_id: int) -> bool:
    return chat_id <= -WHATSAPP_BASE - 1


def contact_of(chat_id: int) -> int | None:
    """The WhatsApp contact behind a chat id, or None for a Telegram chat."""
    return -WHATSAPP_BASE - chat_id if is_whatsapp(chat_id) else None


def telegram_key(account_id: int | None, telegram_id: int) -> int:
    """The conversation key of Telegram chat (or user, or update) ``telegram_id`` on the bot of channel
    account ``account_id``; None: the ``.env`` bot, whose keys are Telegram's ids themselves. Only
    positive ids are keyed (a private chat, a user, an update); a group's negative id stays as it is."""
    if account_id is None or telegram_id <= 0:
        return telegram_id
    if not 1 <= account_id <= MAX_TELEGRAM_ACCOUNT or telegram_id >= TELEGRAM_ACCOUNT_BASE:
        raise ValueError("an account id from 1 to 921 and a Telegram id below 10**16")
    return account_id * TELEGRAM_ACCOUNT_BASE + telegram_id


def telegram_account_of(chat_id: int) -> int | None:
    """The channel account whose bot holds this conversation (None: the ``.env`` bot, or WhatsApp)."""
    return chat_id // TELEGRAM_ACCOUNT_BASE if chat_id >= TELEGRAM_ACCOUNT_BASE else None


def telegram_id(chat_id: int) -> int:
    """The id Telegram itself knows this conversation by (on whichever bot holds it)."""
    return chat_id % TELEGRAM_ACCOUNT_BASE if chat_id >= TELEGRAM_ACCOUNT_BASE else chat_id


def channel_of(chat_id: int) -> str:
    return WHATSAPP if is_whatsapp(chat_id) else TELEGRAM


def capabilities(chat_id: int) -> Capabilities:
    """What the channel of this conversation can do: services ask this, never which channel it is."""
    return WHATSAPP_CAPABILITIES if is_whatsapp(chat_id) else TELEGRAM_CAPABILITIES


def event_update_id(provider_message_id: str) -> int:
    """The inbox's id for a WhatsApp event: negative, 62 bits of SHA-256 of its wamid (a replay of the
    same event gets the same id; two events colliding would need about 2**31 events)."""
    digest = hashlib.sha256(provider_message_id.encode("utf-8")).digest()
    return -(int.from_bytes(digest[:8], "big") >> 2) - 1
