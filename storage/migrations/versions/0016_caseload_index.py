"""The console's caseload: an index over check-ins by member, status and day, so a member's missed days and
last completed day in the last 14 are each one seek read from the index alone, and the caseload costs the
same per member whatever the centre's size.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-10
"""
from typing import Sequence, Union

from alembic import op

revision: str = "0016"
down_revision: Union[str, None] = "0015"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_index("ix_checkin_member_status_day", "checkin", ["member_id", "status", "local_date", "mood"])


def downgrade() -> None:
    op.drop_index("ix_checkin_member_status_day", table_name="checkin")
