"""Paid broadcast per centre; the outbox claim index reads one lane's due rows in order

``center.allow_paid_broadcast`` (off by default) lets scheduled check-ins and reminders of that
centre go out with Telegram's ``allow_paid_broadcast`` when the free ceiling is full.

``ix_outbox_claim`` (status, priority, due_at) becomes ``ix_outbox_due`` (status, priority,
due_at, id): the claim asks for ``status = 'pending' AND priority = :lane AND due_at <= :now
ORDER BY due_at, id LIMIT n`` per lane, which is a range scan that stops after n rows even
when 100,000 rows share one due minute (without ``id`` in the index, ties would be sorted).

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-25
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: Union[str, None] = "0007"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table("center", schema=None) as batch_op:
        batch_op.add_column(sa.Column("allow_paid_broadcast", sa.Boolean(), server_default=sa.false(), nullable=False))
    with op.batch_alter_table("outboxmessage", schema=None) as batch_op:
        batch_op.drop_index("ix_outbox_claim")
        batch_op.create_index("ix_outbox_due", ["status", "priority", "due_at", "id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("outboxmessage", schema=None) as batch_op:
        batch_op.drop_index("ix_outbox_due")
        batch_op.create_index("ix_outbox_claim", ["status", "priority", "due_at"], unique=False)
    with op.batch_alter_table("center", schema=None) as batch_op:
        batch_op.drop_column("allow_paid_broadcast")
