"""The engine and sessions: SQLite (WAL, foreign keys on) by default, PostgreSQL for scale."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.pool import NullPool
from sqlmodel import Session, create_engine


def is_sqlite(url: str) -> bool:
    return url.startswith("sqlite")


def _sqlite_path(url: str) -> Path | None:
    database = make_url(url).database
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    return Path(database).expanduser()


def ensure_sqlite_dir(url: str) -> None:
    """Create the folder (0700) and the empty database file (0600) of a SQLite URL on demand.

    The file exists, owner-only, before SQLite first opens it: SQLite would create it 0644
    (less the umask), and gives its -wal and -shm files the database file's permissions.
    """
    path = _sqlite_path(url)
    if path is None:
        return
    folder = path.resolve().parent
    if not folder.exists():
        folder.mkdir(parents=True, mode=0o700)
        os.chmod(folder, 0o700)  # mkdir's mode is reduced by the umask
    with contextlib.suppress(FileExistsError):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))


def make_engine(url: str, *, echo: bool = False, single_use: bool = False) -> Engine:
    """``single_use`` gives a pool-less engine for short jobs such as migrations."""
    if is_sqlite(url):
        ensure_sqlite_dir(url)
        restrict_sqlite_file(url)
        extra = {"poolclass": NullPool} if single_use else {}
        engine = create_engine(
            url, echo=echo, hide_parameters=True, connect_args={"check_same_thread": False, "timeout": 30}, **extra
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    if single_use:
        return create_engine(url, echo=echo, hide_parameters=True, poolclass=NullPool)
    # hide_parameters: an error's traceback must not carry a member's words into the log.
    return create_engine(url, echo=echo, hide_parameters=True, pool_pre_ping=True, pool_size=10, max_overflow=10)


def make_loop_engine(url: str) -> AsyncEngine | None:
    """PostgreSQL: an engine whose connections wait on the asyncio event loop, for use cases run
    there in a greenlet (``Saathi.call``); its ``sync_engine`` is what their sessions bind to. None
    on SQLite, whose use cases run inline.

    The driver is asyncpg, whatever ``DATABASE_URL`` names (psycopg for everything else): a button
    press's statements cost less CPU through it than through psycopg's asyncio connection
    (docs/performance.md), and a press is the busiest path there is. asyncpg keeps each
    connection's prepared statements: behind PgBouncer, use its session pooling.

    No ping before each checkout (a round trip per unit of work, a noticeable share of a press's
    CPU): a connection PostgreSQL dropped fails its first statement instead, the pool then drops every
    connection older than that failure, and ``Saathi.call`` runs the use case again."""
    if is_sqlite(url):
        return None
    return create_async_engine(
        make_url(url).set(drivername="postgresql+asyncpg"), hide_parameters=True, pool_size=10, max_overflow=10
    )


def _sqlite_pragmas(dbapi_connection: Any, _record: object) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def restrict_sqlite_file(url: str) -> None:
    """The database holds health data: owner read/write only (also its -wal and -shm files)."""
    if not is_sqlite(url):
        return
    path = _sqlite_path(url)
    if path is None:
        return
    for candidate in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        try:
            if candidate.stat().st_mode & 0o077:
                os.chmod(candidate, 0o600)
        except FileNotFoundError:
            pass


class SessionFactory:
    """A unit of work: ``with uow() as session: …; session.commit()``."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    @contextmanager
    def __call__(self) -> Iterator[Session]:
        with Session(self.engine, expire_on_commit=False) as session:
            yield session
