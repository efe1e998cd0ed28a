"""The web console's tables: one-time sign-in links and the sessions they open.

Neither keeps a secret in the clear: a link's token and a session's id are stored as SHA-256
hashes, so a copy of the database signs no one in. The CSRF token is not a credential on its own
(it is only accepted together with the session cookie), so it is stored as it is.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from storage.types import utc_field


class ConsoleSignin(SQLModel, table=True):
    """A one-time sign-in link: valid until ``expires_at``, spent by its first use."""

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(unique=True, max_length=64)
    staff_id: int = Field(foreign_key="staff.id", index=True)
    expires_at: datetime = utc_field()
    used_at: datetime | None = utc_field(default=None)
    created_at: datetime = utc_field()


class ConsoleSession(SQLModel, table=True):
    """A signed-in browser. Revoked by signing out (this one) or out everywhere (all of a staff member's)."""

    id: int | None = Field(default=None, primary_key=True)
    id_hash: str = Field(unique=True, max_length=64)
    staff_id: int = Field(foreign_key="staff.id", index=True)
    csrf: str = Field(max_length=64)
    created_at: datetime = utc_field()
    last_seen_at: datetime = utc_field()
    revoked_at: datetime | None = utc_field(default=None)
