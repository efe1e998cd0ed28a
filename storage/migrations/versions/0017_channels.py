"""Channels: a centre's accounts (Telegram bots, WhatsApp numbers; secrets encrypted), WhatsApp contacts
(the number encrypted, found by an HMAC blind index), and on each outbox row its channel, account,
address, the provider's message id (WhatsApp's wamid) and its delivery status. Existing rows are
Telegram's: ``channel`` defaults to 'telegram' and everything else stays empty.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-11
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from storage.crypto import EncryptedJSON, EncryptedText
from storage.types import UTCDateTime

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "channelaccount",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("center_id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.Column("name", sa.String(length=60), nullable=False),
        sa.Column("phone_id", sa.String(length=40), nullable=True),
        sa.Column("token", EncryptedText(), nullable=False),
        sa.Column("app_secret", EncryptedText(), nullable=True),
        sa.Column("verify_token", EncryptedText(), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["center_id"], ["center.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name"),
    )
    op.create_index(op.f("ix_channelaccount_center_id"), "channelaccount", ["center_id"], unique=False)
    op.create_table(
        "whatsappcontact",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("number_hash", sa.String(length=64), nullable=False),
        sa.Column("number", EncryptedText(), nullable=False),
        sa.Column("last_inbound_at", UTCDateTime(), nullable=True),
        sa.Column("offered", EncryptedJSON(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["account_id"], ["channelaccount.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("account_id", "number_hash"),
    )
    # plain ADD COLUMNs (SQLite can, with a default): a batch copy of the outbox would rewrite it whole
    op.add_column(
        "outboxmessage", sa.Column("channel", sa.String(length=20), server_default="telegram", nullable=False)
    )
    op.add_column("outboxmessage", sa.Column("account_id", sa.Integer(), nullable=True))
    op.add_column("outboxmessage", sa.Column("address", sa.String(length=40), nullable=True))
    op.add_column("outboxmessage", sa.Column("provider_message_id", sa.String(length=128), nullable=True))
    op.add_column("outboxmessage", sa.Column("delivery_status", sa.String(length=20), nullable=True))
    # statuses arrive by wamid
    op.create_index("ix_outbox_provider_message_id", "outboxmessage", ["provider_message_id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_outbox_provider_message_id", table_name="outboxmessage")
    with op.batch_alter_table("outboxmessage", schema=None) as batch_op:
        for name in ("delivery_status", "provider_message_id", "address", "account_id", "channel"):
            batch_op.drop_column(name)
    op.drop_table("whatsappcontact")
    op.drop_index(op.f("ix_channelaccount_center_id"), table_name="channelaccount")
    op.drop_table("channelaccount")
