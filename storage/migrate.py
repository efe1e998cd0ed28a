"""Alembic, driven from code so that ``saathi db upgrade`` and ``saathi run`` share it."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config

from sqlalchemy import text

from storage.db import ensure_sqlite_dir, is_sqlite, make_engine, restrict_sqlite_file

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
MIGRATION_LOCK = 0x5AA7_0001  # pg_advisory_lock key: one migrating worker at a time


def alembic_config(database_url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    # ConfigParser interpolation: a literal % in a password must be doubled.
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


def upgrade(database_url: str, revision: str = "head") -> None:
    if is_sqlite(database_url):
        ensure_sqlite_dir(database_url)
        command.upgrade(alembic_config(database_url), revision)
        restrict_sqlite_file(database_url)
        return
    # Several workers starting together on PostgreSQL: one migrates, the others wait and then
    # find nothing left to do (Alembic itself takes no lock).
    engine = make_engine(database_url, single_use=True)
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT pg_advisory_lock(:key)"), {"key": MIGRATION_LOCK})
            try:
                command.upgrade(alembic_config(database_url), revision)
            finally:
                conn.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": MIGRATION_LOCK})
    finally:
        engine.dispose()
