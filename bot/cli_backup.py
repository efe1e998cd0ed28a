"""``saathi backup create|restore``: the arguments and the output (the work is in storage/backup.py)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from bot.clock import SystemClock
from bot.config import Settings
from storage import backup


def add_parser(sub: argparse._SubParsersAction) -> None:
    parsers = sub.add_parser("backup", help="back the database up, or restore a backup").add_subparsers(
        dest="action", required=True
    )
    create = parsers.add_parser(
        "create",
        help="write a backup file (the key is never in it)",
        description="Back the database up: SQLite's online backup (safe while Saathi runs) or pg_dump for "
        "PostgreSQL. Members' words stay encrypted in the file and the key is never in it: keep "
        "the key (in .env) apart from the backups.",
    )
    create.add_argument(
        "path", nargs="?", type=Path, help="where to write it (default: backups/saathi-YYYYMMDD-HHMMSS.db or .dump)"
    )
    restore = parsers.add_parser(
        "restore",
        help="restore a backup into the configured database",
        description="Restore a backup made by `saathi backup create` into DATABASE_URL, then migrate it. Stop "
        "Saathi first. Refuses a database that already holds data unless --force.",
    )
    restore.add_argument("path", type=Path)
    restore.add_argument("--force", action="store_true", help="replace a database that already holds data")


def run(settings: Settings, args: argparse.Namespace) -> int:
    try:
        if args.action == "create":
            path = args.path or backup.default_backup_path(settings.database_url, SystemClock().now())
            backup.create_backup(settings.database_url, path)
            print(f"backup written to {path} (owner-only): {backup.summary(settings.database_url)}")
            print("the encryption key is not in it: keep a copy of SAATHI_ENCRYPTION_KEYS apart from your backups")
        else:
            backup.restore_backup(settings.database_url, args.path, force=args.force)
            print(f"restored {args.path}: {backup.summary(settings.database_url)}")
            print("start Saathi with the key that was in use when the backup was made (saathi keys check tells)")
    except backup.BackupError as exc:
        print(f"saathi: {exc}", file=sys.stderr)
        return 1
    return 0
