"""The console's caseload: an index over check-ins by day, so the last 14 days of a centre's members
are read from the index alone (missed days and last check-in per member) instead of the table.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-09
"""
from typing import Sequence, Union

from alembic import op

revision: str = "0015"
down_revision: Union[str, None] = "0014"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_index("ix_checkin_day_member", "checkin", ["local_date", "member_id", "status", "mood"])


def downgrade() -> None:
    op.drop_index("ix_checkin_day_member", table_name="checkin")
