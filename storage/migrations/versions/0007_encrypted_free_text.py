"""Free text is encrypted at rest: widen its columns to TEXT

Ciphertext (Fernet, base64) is about 1.4 times longer than the text plus ~60 characters,
so the VARCHAR(n) columns that hold members' words become TEXT. This migration changes
column types only: it never needs the encryption key and leaves existing rows as they
are. Existing plaintext keeps reading (values that are not Fernet tokens are read as
legacy plaintext) until ``saathi keys rotate`` re-encrypts every row with the first key.
The JSON columns that become encrypted (``outboxmessage.payload``, ``escalation.reasons``,
``screeningfollowup.answers``) stay JSON: the ciphertext is stored as a JSON string.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-25
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: Union[str, None] = "0006"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

# table -> ((column, former VARCHAR length), ...)
COLUMNS: dict[str, tuple[tuple[str, int], ...]] = {
    "member": (("display_name", 200),),
    "checkin": (("note", 1000),),
    "escalation": (("excerpt", 600), ("resolution_note", 1000)),
    "screeningfollowup": (("source_excerpt", 600),),
    "circlemessage": (("text", 4096),),
    "sponsor": (("name", 120),),
    "sponsorlink": (("mentee_username", 64), ("sponsor_username", 64)),
}


def upgrade() -> None:
    for table, columns in COLUMNS.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            for column, length in columns:
                batch_op.alter_column(column, existing_type=sa.String(length=length), type_=sa.Text(),
                                      existing_nullable=True)


def downgrade() -> None:
    # Only safe on a database holding plaintext (decrypt first): ciphertext outgrows the old limits.
    for table, columns in COLUMNS.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            for column, length in columns:
                batch_op.alter_column(column, existing_type=sa.Text(), type_=sa.String(length=length),
                                      existing_nullable=True)
