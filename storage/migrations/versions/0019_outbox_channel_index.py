"""The outbox claim by channel: ``ix_outbox_channel_due`` (status, channel, priority, due_at, id), so a
claim of one channel's rows (the sender's, once a WhatsApp number has rows) is one index range scan per
lane in (due_at, id) order, as ``ix_outbox_due`` gives the claim of every channel at once. Without it
PostgreSQL read every due row of the lane, both channels', and sorted them; SQLite walked the other
channel's due rows one table lookup at a time.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-07
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_outbox_channel_due", "outboxmessage", ["status", "channel", "priority", "due_at", "id"])


def downgrade() -> None:
    op.drop_index("ix_outbox_channel_due", table_name="outboxmessage")
