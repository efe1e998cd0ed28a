"""Pause history, and retention limits for escalations, craving logs and the audit log

``pauseperiod``: each pause a member chose, as local dates, so a day paused after its check-in was
sent is not a missed day once the pause is over. Members paused now get an open period from their
last check-in's day. ``center.retention_escalation_days`` / ``retention_craving_days`` /
``retention_audit_days``: how long resolved escalations, craving logs and audit entries are kept.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07
"""
from datetime import UTC, datetime
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

import storage.types

revision: str = "0012"
down_revision: Union[str, None] = "0011"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    pauses = op.create_table(
        "pauseperiod",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=True),
        sa.Column("created_at", storage.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["member_id"], ["member.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_pauseperiod_member", "pauseperiod", ["member_id", "starts_on"], unique=False)
    with op.batch_alter_table("center", schema=None) as batch_op:
        batch_op.add_column(sa.Column("retention_escalation_days", sa.Integer(), server_default="730", nullable=False))
        batch_op.add_column(sa.Column("retention_craving_days", sa.Integer(), server_default="365", nullable=False))
        batch_op.add_column(sa.Column("retention_audit_days", sa.Integer(), server_default="730", nullable=False))
    # Members paused now: their pause began at the latest on the day of their last check-in.
    member = sa.table("member", sa.column("id", sa.Integer()), sa.column("status", sa.String()),
                      sa.column("last_checkin_local_date", sa.Date()), sa.column("created_at", sa.DateTime()))
    bind = op.get_bind()
    rows = bind.execute(sa.select(member.c.id, member.c.last_checkin_local_date, member.c.created_at)
                        .where(member.c.status == "paused")).all()
    now = datetime.now(UTC)
    if rows:
        op.bulk_insert(pauses, [
            {"member_id": row.id, "starts_on": row.last_checkin_local_date or _as_date(row.created_at),
             "ends_on": None, "created_at": now} for row in rows])


def _as_date(value: object) -> object:
    return value.date() if isinstance(value, datetime) else datetime.fromisoformat(str(value)).date()


def downgrade() -> None:
    with op.batch_alter_table("center", schema=None) as batch_op:
        batch_op.drop_column("retention_audit_days")
        batch_op.drop_column("retention_craving_days")
        batch_op.drop_column("retention_escalation_days")
    op.drop_index("ix_pauseperiod_member", table_name="pauseperiod")
    op.drop_table("pauseperiod")
