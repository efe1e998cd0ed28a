"""Column types shared by the tables."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import DateTime
from sqlalchemy.types import TypeDecorator
from sqlmodel import Field


class UTCDateTime(TypeDecorator[datetime]):
    """Stores instants as naive UTC and hands them back timezone-aware.

    SQLite has no time zones and PostgreSQL's ``timestamp`` neither; keeping one
    convention in one place avoids comparing aware and naive datetimes.
    """

    impl = DateTime(timezone=False)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: object) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: object) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC)


def utc_field(**kwargs: Any) -> Any:  # SQLModel's Field is typed Any
    """A table field stored as :class:`UTCDateTime`."""
    return Field(sa_type=UTCDateTime, **kwargs)
