"""Channel accounts and WhatsApp contacts.

A centre reaches people through accounts: the Telegram bot of ``.env`` (no row needed: it stays
the default) and, from migration 0017, any number of rows here. Every secret of an account (a bot
token, a WhatsApp access token, its app secret and verify token) is encrypted like member text.

A WhatsApp contact is the phone number behind a conversation. The number is encrypted; it is
found again through ``number_hash``, an HMAC of the number keyed with the account's app secret
(a blind index: equal numbers give equal hashes, and the hash alone tells nothing without the
secret). The contact's id makes its conversation key (``bot/domain/channels.py``), the integer the
rest of the bot knows as a chat id.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Column, UniqueConstraint
from sqlmodel import Field, SQLModel

from storage.crypto import EncryptedJSON, EncryptedText
from storage.types import utc_field


class Channel(StrEnum):
    """``ChannelAccount.channel`` and ``OutboxMessage.channel`` (stored as these strings)."""

    TELEGRAM = "telegram"
    WHATSAPP = "whatsapp"


class ChannelAccount(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    center_id: int = Field(foreign_key="center.id", index=True)
    channel: str = Field(max_length=20)  # a Channel
    # How the account appears in its webhook path (/whatsapp/<name>) and in ``saathi channel list``.
    name: str = Field(unique=True, max_length=60)
    # WhatsApp: Meta's phone number id (not the number itself); None for Telegram.
    phone_id: str | None = Field(default=None, max_length=40)
    # WhatsApp: the number itself, E.164 digits without "+" (public: invite cards and wa.me links carry
    # it; migration 0018). None until the admin gives it (``saathi channel add whatsapp --number``).
    number: str | None = Field(default=None, max_length=20)
    # Telegram: the bot's username, as getMe gave it at the application's last start (public: its invite
    # links carry it; migration 0020). None until the bot has run once.
    username: str | None = Field(default=None, max_length=64)
    token: str = Field(sa_type=EncryptedText)
    app_secret: str | None = Field(default=None, sa_type=EncryptedText)
    verify_token: str | None = Field(default=None, sa_type=EncryptedText)
    active: bool = True
    created_at: datetime = utc_field()


class WhatsAppContact(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("account_id", "number_hash"),)

    id: int | None = Field(default=None, primary_key=True)
    account_id: int = Field(foreign_key="channelaccount.id")
    # HMAC-SHA256 of the number with the account's app secret, hex: the lookup, never the number.
    number_hash: str = Field(max_length=64)
    number: str = Field(sa_type=EncryptedText)
    # The last time this person wrote: WhatsApp's 24-hour window for free-form messages runs from it.
    last_inbound_at: datetime | None = utc_field(default=None)
    # The choices of the last message with choices sent here (bot/domain/whatsapp/render.py: Offered,
    # as JSON): a typed "2" or label answers them as a tap would.
    offered: list[list[str]] | None = Field(default=None, sa_column=Column(EncryptedJSON, nullable=True))
    created_at: datetime = utc_field()
