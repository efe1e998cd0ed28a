"""Column types shared by the tables."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, cast

from sqlalchemy import CursorResult, DateTime, Result, Table, inspect
from sqlalchemy.types import TypeDecorator
from sqlmodel import Field, SQLModel


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


def table_of(model: type[SQLModel]) -> Table:
    """The Core table of a table model, for statements that skip the ORM (bulk inserts, claims).

    SQLModel sets ``__table__`` only at runtime, so the type checker cannot see it; the mapper can.
    """
    table = inspect(model).local_table
    assert isinstance(table, Table)
    return table


def rowcount(result: Result[Any]) -> int:
    """Rows an UPDATE or DELETE matched (``Session.execute`` is typed as returning a plain Result;
    for these statements it is a CursorResult)."""
    return int(cast(CursorResult[Any], result).rowcount or 0)
