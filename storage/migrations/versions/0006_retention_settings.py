"""Per-centre retention: circle message bodies and check-in notes

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-25
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

import storage.types

revision: str = "0006"
down_revision: Union[str, None] = "0005"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table("center", schema=None) as batch_op:
        batch_op.add_column(sa.Column("retention_circle_days", sa.Integer(), server_default="30", nullable=False))
        batch_op.add_column(sa.Column("retention_note_days", sa.Integer(), server_default="180", nullable=False))
    with op.batch_alter_table("outboxmessage", schema=None) as batch_op:
        batch_op.add_column(sa.Column("purged_at", storage.types.UTCDateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("outboxmessage", schema=None) as batch_op:
        batch_op.drop_column("purged_at")
    with op.batch_alter_table("center", schema=None) as batch_op:
        batch_op.drop_column("retention_note_days")
        batch_op.drop_column("retention_circle_days")
