"""The inbox: updates stored before they are confirmed to Telegram, handled from there

``inbox`` replaces ``processedupdate``: a row per update_id, written (raw update, encrypted, in a
TEXT column: PostgreSQL's jsonb refuses the ``\\u0000`` an update may quote) before the polling
offset or the webhook's 200 confirms it, and marked ``handled`` by the handler's own transaction.
The processed ids of the last two days become handled inbox rows, so a re-send of an update
handled before the upgrade is still recognised.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: Union[str, None] = "0009"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table(
        "inbox",
        sa.Column("update_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("chat_id", sa.BigInteger(), nullable=True),
        sa.Column("payload", sa.Text(), nullable=True),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(), nullable=False),
        sa.Column("received_at", sa.DateTime(), nullable=False),
        sa.Column("handled_at", sa.DateTime(), nullable=True),
        sa.Column("last_error", sa.String(length=100), nullable=True),
        sa.PrimaryKeyConstraint("update_id"),
    )
    op.create_index("ix_inbox_status_chat", "inbox", ["status", "chat_id", "update_id"], unique=False)
    op.create_index("ix_inbox_received", "inbox", ["received_at"], unique=False)
    op.execute("INSERT INTO inbox (update_id, chat_id, payload, status, attempts, next_attempt_at, received_at,"
               " handled_at) SELECT update_id, NULL, NULL, 'handled', 0, processed_at, processed_at, processed_at"
               " FROM processedupdate")
    op.drop_table("processedupdate")


def downgrade() -> None:
    op.create_table(
        "processedupdate",
        sa.Column("update_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("processed_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("update_id"),
    )
    op.execute("INSERT INTO processedupdate (update_id, processed_at) SELECT update_id, received_at FROM inbox"
               " WHERE status <> 'pending'")
    op.drop_index("ix_inbox_received", table_name="inbox")
    op.drop_index("ix_inbox_status_chat", table_name="inbox")
    op.drop_table("inbox")
