"""The outbox's table."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import BigInteger, Column, Index
from sqlmodel import Field, SQLModel

from storage.crypto import EncryptedJSON
from storage.outbox.payload import OutboxPayload
from storage.types import utc_field


class OutboxStatus(StrEnum):
    """``OutboxMessage.status`` (stored as these strings)."""

    PENDING = "pending"  # waiting for its due time and a claim
    SENDING = "sending"  # claimed under a lease (``claimed_until``)
    SENT = "sent"
    FAILED = "failed"  # given up after its attempts
    DEAD = "dead"  # not deliverable (blocked, chat gone, unreadable): never sent
    CANCELLED = "cancelled"  # withdrawn before it went (an unsent circle message, an erasure)


class OutboxMessage(SQLModel, table=True):
    """Everything a person must receive, written in the same transaction as the state it reports.

    The sender claims rows (a lease in ``claimed_until``), calls Telegram and marks them
    sent; a crash before marking leaves the lease to expire and the row is sent again.
    """

    # The claim reads one lane's due rows in (due_at, id) order straight off these indexes: every channel's,
    # or one channel's (the sender claims each channel by its own budget once WhatsApp has rows).
    __table_args__ = (
        Index("ix_outbox_due", "status", "priority", "due_at", "id"),
        Index("ix_outbox_channel_due", "status", "channel", "priority", "due_at", "id"),
        Index("ix_outbox_provider_message_id", "provider_message_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    chat_id: int = Field(index=True, sa_type=BigInteger)
    member_id: int | None = Field(default=None, foreign_key="member.id")
    staff_id: int | None = Field(default=None, foreign_key="staff.id")
    method: str = Field(default="send", max_length=20)
    # Encrypted: relayed members' words and alert excerpts travel in it.
    payload: OutboxPayload = Field(sa_column=Column(EncryptedJSON, nullable=False))
    # 0 urgent alerts, 1 replies to a person's own action, 2 scheduled, 3 bulk.
    priority: int = 2
    purpose: str = Field(default="reply", max_length=30)
    dedupe_key: str | None = Field(default=None, unique=True, max_length=80)
    status: str = Field(default=OutboxStatus.PENDING, max_length=20)  # an OutboxStatus
    attempts: int = 0
    due_at: datetime = utc_field()
    claimed_until: datetime | None = utc_field(default=None)
    sent_at: datetime | None = utc_field(default=None)
    # The recipient's message id (Telegram's); for a WhatsApp message the row's own id, which a swipe-reply's
    # wamid is turned back into (bot/whatsapp_inbox.py)
    telegram_message_id: int | None = None
    last_error: str | None = Field(default=None, max_length=200)
    created_at: datetime = utc_field()
    # The sponsor or talk thread ("link:12", "talk:3") a swipe-reply or /reply to this message answers.
    # Looked up by chat (indexed) and Telegram's message id, never searched by itself: no index of its own.
    sponsor_thread_id: str | None = Field(default=None, max_length=40)
    # Set when retention removed the text of a delivered message.
    purged_at: datetime | None = utc_field(default=None)
    # The channel the row goes through ("telegram", "whatsapp": storage.channels.tables.Channel), set by
    # the outbox from the chat id (bot/domain/channels.py). A WhatsApp row names its account and its
    # address, the contact's id (the number itself stays encrypted in ``whatsappcontact``).
    channel: str = Field(default="telegram", max_length=20, sa_column_kwargs={"server_default": "telegram"})
    account_id: int | None = None
    address: str | None = Field(default=None, max_length=40)
    # WhatsApp: the wamid Meta gave the message, and the last status its webhook reported for it
    # (sent, delivered, read, failed).
    provider_message_id: str | None = Field(default=None, max_length=128)
    delivery_status: str | None = Field(default=None, max_length=20)
