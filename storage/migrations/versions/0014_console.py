"""The web console: one-time sign-in links, browser sessions, and the centre's setting
"counsellors see only their own members" (off).

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-09
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

from storage.types import UTCDateTime

revision: str = "0014"
down_revision: Union[str, None] = "0013"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    # a plain ADD COLUMN (SQLite can, with a default): a batch copy of ``center`` would drop the table
    # that every member row points to
    op.add_column("center", sa.Column("console_own_members_only", sa.Boolean(), server_default=sa.false(), nullable=False))
    op.create_table(
        "consolesignin",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=False),
        sa.Column("expires_at", UTCDateTime(), nullable=False),
        sa.Column("used_at", UTCDateTime(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["staff_id"], ["staff.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("token_hash"),
    )
    op.create_index(op.f("ix_consolesignin_staff_id"), "consolesignin", ["staff_id"], unique=False)
    op.create_table(
        "consolesession",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("id_hash", sa.String(length=64), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=False),
        sa.Column("csrf", sa.String(length=64), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("last_seen_at", UTCDateTime(), nullable=False),
        sa.Column("revoked_at", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["staff_id"], ["staff.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("id_hash"),
    )
    op.create_index(op.f("ix_consolesession_staff_id"), "consolesession", ["staff_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_consolesession_staff_id"), table_name="consolesession")
    op.drop_table("consolesession")
    op.drop_index(op.f("ix_consolesignin_staff_id"), table_name="consolesignin")
    op.drop_table("consolesignin")
    with op.batch_alter_table("center", schema=None) as batch_op:
        batch_op.drop_column("console_own_members_only")
