"""Backups a centre can restore: ``saathi backup create`` and ``saathi backup restore``.

* SQLite: SQLite's online backup API copies a consistent snapshot while the bot keeps running.
* PostgreSQL: ``pg_dump`` in its custom format, restored with ``pg_restore`` (both must be on PATH;
  the password goes to them in the environment, never on the command line).

A backup holds the database as it is: members' words stay encrypted (Fernet tokens), and the key,
which lives only in ``.env``, is never in it. Backup files are created owner-only (0600) in a folder
of the owner's (0700). A restore refuses to overwrite a database that holds data unless forced, and
migrates the restored database to this version afterwards.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import inspect, text
from sqlalchemy.engine import make_url

from storage.db import _sqlite_path, ensure_sqlite_dir, is_sqlite, make_engine, restrict_sqlite_file
from storage.migrate import upgrade

__all__ = ["BackupError", "Summary", "create_backup", "default_backup_path", "restore_backup", "summary"]

SQLITE_MAGIC = b"SQLite format 3\x00"
PG_DUMP_MAGIC = b"PGDMP"


class BackupError(RuntimeError):
    """A backup or restore that cannot be done; the message says why and what to do."""


@dataclass(frozen=True)
class Summary:
    """What a database holds, in counts (printed after a backup and a restore; never contents)."""

    members: int
    checkins: int
    open_escalations: int

    def __str__(self) -> str:
        return f"{self.members} members, {self.checkins} check-ins, {self.open_escalations} open escalations"


def default_backup_path(database_url: str, now: datetime) -> Path:
    return Path("backups") / f"saathi-{now:%Y%m%d-%H%M%S}.{'db' if is_sqlite(database_url) else 'dump'}"


def create_backup(database_url: str, path: Path) -> Path:
    """Write a backup of the database to ``path`` (which must not exist yet)."""
    if path.exists():
        raise BackupError(f"{path} already exists: give another path (a backup never overwrites one)")
    if not path.parent.exists():
        path.parent.mkdir(parents=True, mode=0o700)
        os.chmod(path.parent, 0o700)  # mkdir's mode is reduced by the umask
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))  # owner-only before any byte
    try:
        if is_sqlite(database_url):
            source = _sqlite_file(database_url)
            if not source.is_file():
                raise BackupError(f"there is no database at {source} to back up")
            _sqlite_copy(source, path)
            _check_sqlite(path)
        else:
            _run_pg("pg_dump", database_url, ["--format=custom", "--no-owner", "--no-privileges", f"--file={path}"])
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return path


def restore_backup(database_url: str, path: Path, *, force: bool = False) -> None:
    """Restore ``path`` into the configured database, then migrate it to this version.

    Refuses when the database already holds data, unless ``force`` (then it is replaced)."""
    if not path.is_file():
        raise BackupError(f"there is no backup file at {path}")
    with path.open("rb") as handle:
        head = handle.read(16)
    sqlite = is_sqlite(database_url)
    if sqlite and not head.startswith(SQLITE_MAGIC) or not sqlite and not head.startswith(PG_DUMP_MAGIC):
        raise BackupError(
            f"{path} is not a {'SQLite' if sqlite else 'pg_dump'} backup, which this "
            f"{'SQLite' if sqlite else 'PostgreSQL'} DATABASE_URL needs"
        )
    held = _rows_held(database_url)
    if held and not force:
        raise BackupError(
            f"the database in DATABASE_URL already holds data ({held}): restoring would replace it. "
            "Stop Saathi, make a backup of it first if it matters, then run again with --force"
        )
    if sqlite:
        _check_sqlite(path)
        ensure_sqlite_dir(database_url)
        _sqlite_copy(path, _sqlite_file(database_url))
        restrict_sqlite_file(database_url)
    else:
        if held:
            _drop_tables(database_url)
        _run_pg(
            "pg_restore",
            database_url,
            ["--no-owner", "--no-privileges", "--single-transaction", "--exit-on-error", str(path)],
        )
    upgrade(database_url)  # a backup made by an older version is brought up to this one


def summary(database_url: str) -> Summary:
    engine = make_engine(database_url, single_use=True)
    try:
        with engine.connect() as conn:

            def count(sql: str) -> int:
                return int(conn.execute(text(sql)).scalar() or 0)

            return Summary(
                count("SELECT count(*) FROM member"),
                count("SELECT count(*) FROM checkin"),
                count("SELECT count(*) FROM escalation WHERE state IN ('open', 'acknowledged')"),
            )
    finally:
        engine.dispose()


# --- helpers -------------------------------------------------------------------------------------


def _sqlite_file(database_url: str) -> Path:
    path = _sqlite_path(database_url)
    if path is None:
        raise BackupError("an in-memory SQLite database cannot be backed up or restored")
    return path


def _sqlite_copy(source: Path, target: Path) -> None:
    """SQLite's online backup API: a consistent copy even while the bot writes to ``source``."""
    src = sqlite3.connect(f"{source.resolve().as_uri()}?mode=ro", uri=True)
    dst = sqlite3.connect(str(target))
    try:
        src.backup(dst)
    finally:
        dst.close()
        src.close()


def _check_sqlite(path: Path) -> None:
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        result = conn.execute("PRAGMA integrity_check").fetchone()
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"{path} is not a usable SQLite database ({exc})") from None
    finally:
        conn.close()
    if not result or result[0] != "ok":
        raise BackupError(f"{path} failed SQLite's integrity check: {result[0] if result else 'no answer'}")


def _rows_held(database_url: str) -> str:
    """ "" for an empty (or new) database, else a short description of what it holds."""
    if is_sqlite(database_url) and not _sqlite_file(database_url).exists():
        return ""
    engine = make_engine(database_url, single_use=True)
    try:
        tables = [name for name in inspect(engine).get_table_names() if name != "alembic_version"]
        with engine.connect() as conn:
            busy = [name for name in tables if conn.execute(text(f'SELECT 1 FROM "{name}" LIMIT 1')).first()]
    finally:
        engine.dispose()
    return f"rows in {len(busy)} tables, e.g. {', '.join(sorted(busy)[:3])}" if busy else ""


def _drop_tables(database_url: str) -> None:
    engine = make_engine(database_url, single_use=True)
    try:
        with engine.begin() as conn:
            for name in inspect(engine).get_table_names():
                conn.execute(text(f'DROP TABLE IF EXISTS "{name}" CASCADE'))
    finally:
        engine.dispose()


def _run_pg(tool: str, database_url: str, args: list[str]) -> None:
    exe = shutil.which(tool)
    if exe is None:
        raise BackupError(
            f"{tool} is not on PATH: install PostgreSQL's client tools (for example "
            "`apt install postgresql-client`, the same major version as the server)"
        )
    dsn, env = _libpq(database_url)
    done = subprocess.run([exe, f"--dbname={dsn}", *args], env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        first = next((line for line in done.stderr.splitlines() if line.strip()), f"exit code {done.returncode}")
        raise BackupError(f"{tool} failed: {first}")


def _libpq(database_url: str) -> tuple[str, dict[str, Any]]:
    """A libpq URL without the password (it goes in PGPASSWORD, out of the process list)."""
    url = make_url(database_url)
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    dsn = url.set(drivername="postgresql", password=None).render_as_string(hide_password=False)
    return dsn, env
