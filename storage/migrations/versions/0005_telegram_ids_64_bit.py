"""Telegram user and chat ids need 64 bits

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: Union[str, None] = "0004"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

COLUMNS = {
    "staff": ("telegram_user_id", "chat_id"),
    "member": ("telegram_user_id", "chat_id"),
    "outboxmessage": ("chat_id",),
    "processedupdate": ("update_id",),
    "auditentry": ("actor_telegram_id",),
}


def upgrade() -> None:
    for table, columns in COLUMNS.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            for column in columns:
                batch_op.alter_column(column, existing_type=sa.Integer(), type_=sa.BigInteger())


def downgrade() -> None:
    for table, columns in COLUMNS.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            for column in columns:
                batch_op.alter_column(column, existing_type=sa.BigInteger(), type_=sa.Integer())
