"""A WhatsApp account's own number (E.164 digits, public: it is on every invite card), so invites can
carry a ``https://wa.me/<number>?text=START%20CODE`` link. Meta's phone number id (``phone_id``) is not
the number, and wa.me needs the number.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("channelaccount", sa.Column("number", sa.String(length=20), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("channelaccount", schema=None) as batch_op:
        batch_op.drop_column("number")
