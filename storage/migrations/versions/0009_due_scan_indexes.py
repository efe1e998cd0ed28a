"""Due scans sized for 100,000 members: each per-minute query reads only the rows that are due

Measured by scripts/benchmarks/queries.py (docs/performance.md):

- ``ix_checkin_to_remind`` (status, reminded_at, reminder_due_at) replaces ``ix_checkin_open_reminder``
  (status, reminder_due_at): the reminder scan asks for ``status = 'pending' AND reminded_at IS NULL AND
  reminder_due_at <= now``, a range of exactly the due rows (SQLite reads only those; PostgreSQL's
  planner, misled by yesterday's rows, still prefers ``ix_checkin_open_close`` and reads the day's
  pending check-ins, still under the 50 ms target).
- ``ix_member_paused`` (status, paused_until): the resume scan reads the pauses that end today, not
  every paused member.
- ``ix_member_status_id`` (status, id): "unreachable members without a notice, by id" reads the
  unreachable members only, instead of walking the whole member table in id order.
- ``checkins_to_close`` orders by ``closes_at`` (a query change, no index): without it PostgreSQL
  chose a sequential scan of every check-in.

The attendance watch's "members without a watch" is an anti-join over every watched member that no
index can narrow; it moved from the per-minute scan to the hourly housekeeping, and onboarding now
starts each member's watch itself.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-25
"""
from typing import Sequence, Union

from alembic import op

revision: str = "0009"
down_revision: Union[str, None] = "0008"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.drop_index("ix_checkin_open_reminder", table_name="checkin")
    op.create_index("ix_checkin_to_remind", "checkin", ["status", "reminded_at", "reminder_due_at"], unique=False)
    op.create_index("ix_member_paused", "member", ["status", "paused_until"], unique=False)
    op.create_index("ix_member_status_id", "member", ["status", "id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_member_status_id", table_name="member")
    op.drop_index("ix_member_paused", table_name="member")
    op.drop_index("ix_checkin_to_remind", table_name="checkin")
    op.create_index("ix_checkin_open_reminder", "checkin", ["status", "reminder_due_at"], unique=False)
