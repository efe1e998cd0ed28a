"""The sponsor or talk thread a relayed message belongs to, as a column

``outboxmessage.sponsor_thread_id`` ("link:12", "talk:3"): a swipe-reply or ``/reply`` to one of
these messages answers that thread. Until now it was the ``sp_thread`` key of the encrypted payload;
rows written before are filled in from there (read with the process's keys; a row no key opens
keeps no thread, as it had none that could be read).

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-08
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

from storage.crypto import EncryptedJSON

revision: str = "0013"
down_revision: Union[str, None] = "0012"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

# The purposes whose rows carried a thread when this revision was written (storage/sponsors/queries.py).
_THREAD_PURPOSES = ("sp_relay", "sp_gap", "sp_linked", "sp_talk")


def upgrade() -> None:
    with op.batch_alter_table("outboxmessage", schema=None) as batch_op:
        batch_op.add_column(sa.Column("sponsor_thread_id", sa.String(length=40), nullable=True))
    outbox = sa.table("outboxmessage", sa.column("id", sa.Integer()), sa.column("purpose", sa.String()),
                      sa.column("payload", EncryptedJSON()), sa.column("sponsor_thread_id", sa.String()))
    bind = op.get_bind()
    rows = bind.execute(sa.select(outbox.c.id, outbox.c.payload)
                        .where(outbox.c.purpose.in_(_THREAD_PURPOSES))).all()
    threads = [{"b_id": row.id, "b_thread": row.payload.get("sp_thread")} for row in rows
               if isinstance(row.payload, dict) and isinstance(row.payload.get("sp_thread"), str)]
    if threads:
        bind.execute(sa.update(outbox).where(outbox.c.id == sa.bindparam("b_id"))
                     .values(sponsor_thread_id=sa.bindparam("b_thread")), threads)


def downgrade() -> None:
    with op.batch_alter_table("outboxmessage", schema=None) as batch_op:
        batch_op.drop_column("sponsor_thread_id")
