"""Alembic, driven from code so that ``saathi db upgrade`` and ``saathi run`` share it."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config

from storage.db import ensure_sqlite_dir, is_sqlite, restrict_sqlite_file

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


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
