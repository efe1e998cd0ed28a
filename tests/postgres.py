"""Where the tests and the benchmarks find PostgreSQL, and how they empty it: one convention for both.

PostgreSQL is used when CI=true (the CI server) or SAATHI_TEST_POSTGRES_URL is set; elsewhere the
tests that need it skip and the benchmarks measure SQLite only.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

PG_DEFAULT = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def postgres_url() -> str | None:
    """SAATHI_TEST_POSTGRES_URL, or the CI server when CI=true, else None."""
    url = os.environ.get("SAATHI_TEST_POSTGRES_URL")
    if url:
        return url
    if os.environ.get("CI", "").lower() == "true":
        return PG_DEFAULT
    return None


def reset_postgres(url: str) -> None:
    """An empty public schema (point it only at a throw-away database)."""
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


@contextmanager
def scratch_postgres(url: str, name: str) -> Iterator[str]:
    """A fresh database ``name`` on the server of ``url`` (created, yielded as a URL, dropped after).

    Each test run and each benchmark has its own, so runs that share a server never reset each
    other's tables.
    """
    if not name.replace("_", "").isalnum():
        raise ValueError("database name: letters, digits and underscores only")
    admin = create_engine(make_url(url).set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        yield make_url(url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
