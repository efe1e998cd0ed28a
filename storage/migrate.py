"""Alembic, driven from code so that ``saathi db upgrade`` and ``saathi run`` share it.

Every admin command upgrades first, and nearly always there is nothing to do: the database's
revision is read with one query and compared with the newest revisions named in the version files,
and Alembic (its import, its script directory, its environment) is loaded only when they differ.
"""

from __future__ import annotations

import ast
import re
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import inspect, text

from storage.db import ensure_sqlite_dir, is_sqlite, make_engine, restrict_sqlite_file

if TYPE_CHECKING:
    from alembic.config import Config
    from sqlalchemy.engine import Connection

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
MIGRATION_LOCK = 0x5AA7_0001  # pg_advisory_lock key: one migrating worker at a time
_ASSIGNMENT = re.compile(r"^(revision|down_revision)\s*(?::[^=]*)?=\s*(.+?)\s*$", re.MULTILINE)


def alembic_config(database_url: str) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    # ConfigParser interpolation: a literal % in a password must be doubled.
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


@cache
def head_revisions() -> frozenset[str]:
    """The revisions no other revision builds on, read from the version files' ``revision`` and
    ``down_revision`` lines (as Alembic would find them, without importing it)."""
    revisions: set[str] = set()
    parents: set[str] = set()
    for path in (MIGRATIONS / "versions").glob("*.py"):
        found = {name: ast.literal_eval(value) for name, value in _ASSIGNMENT.findall(path.read_text("utf-8"))}
        revisions.add(found["revision"])
        down = found.get("down_revision")
        parents.update((down,) if isinstance(down, str) else down or ())
    return frozenset(revisions - parents)


def current_revisions(conn: Connection) -> frozenset[str]:
    """What ``alembic_version`` holds (nothing for a new database)."""
    if not inspect(conn).has_table("alembic_version"):
        return frozenset()
    return frozenset(conn.execute(text("SELECT version_num FROM alembic_version")).scalars())


def upgrade(database_url: str, revision: str = "head") -> tuple[frozenset[str], frozenset[str]] | None:
    """Migrate to ``revision``. Returns (before, after) revisions when something was applied, None
    when the database was already at the newest revision."""
    if is_sqlite(database_url):
        ensure_sqlite_dir(database_url)
        try:
            return _upgrade_unless_current(database_url, revision)
        finally:
            restrict_sqlite_file(database_url)
    # Several workers starting together on PostgreSQL: one migrates, the others wait and then
    # find nothing left to do (Alembic itself takes no lock).
    engine = make_engine(database_url, single_use=True)
    try:
        with engine.connect() as conn:
            if revision == "head" and current_revisions(conn) == head_revisions():
                return None  # the usual case: no lock, no Alembic
            conn.execute(text("SELECT pg_advisory_lock(:key)"), {"key": MIGRATION_LOCK})
            try:
                return _upgrade_unless_current(database_url, revision)
            finally:
                conn.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": MIGRATION_LOCK})
    finally:
        engine.dispose()


def _upgrade_unless_current(database_url: str, revision: str) -> tuple[frozenset[str], frozenset[str]] | None:
    engine = make_engine(database_url, single_use=True)
    try:
        with engine.connect() as conn:
            before = current_revisions(conn)
        if revision == "head" and before == head_revisions():
            return None
        from alembic import command

        command.upgrade(alembic_config(database_url), revision)
        with engine.connect() as conn:
            after = current_revisions(conn)
    finally:
        engine.dispose()
    return (before, after) if after != before else None
