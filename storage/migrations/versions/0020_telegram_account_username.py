"""A centre's own Telegram bot's username (public: its invite links ``https://t.me/<username>?start=CODE``
carry it), recorded by the application from getMe at every start.

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0020"
down_revision: str | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("channelaccount", sa.Column("username", sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("channelaccount", schema=None) as batch_op:
        batch_op.drop_column("username")
