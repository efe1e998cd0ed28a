"""The key canary's table."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Text
from sqlmodel import Field, SQLModel

from storage.types import utc_field


class KeyCanary(SQLModel, table=True):
    """A known text encrypted with the centre's key when the first key was set up: at start, the
    configured keys must read it, or ``saathi run`` refuses (storage/keys/check.py). The column is
    plain text holding the token itself (not an encrypted column type: the check must see the token)."""

    id: int | None = Field(default=None, primary_key=True)
    token: str = Field(sa_type=Text)
    created_at: datetime = utc_field()
