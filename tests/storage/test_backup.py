"""Backups a centre can restore (issue 14): ``saathi backup create`` then ``saathi backup restore`` into
an empty database finds every member, check-in and open escalation; texts stay encrypted, the key is
never in the file, and a database that holds data is replaced only with --force."""

from __future__ import annotations

import stat
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlmodel import select

from bot.cli import main
from bot.services.context import ServiceContext
from storage import crypto
from storage.checkins.tables import Checkin
from storage.people.tables import Member
from storage.safety.tables import Escalation
from tests.postgres import postgres_url, scratch_postgres
from tests.storage.test_encryption_at_rest import K1, NOTE, _cli_env, _raw_text, _services, _write_through_services


@contextmanager
def _empty_database_like(database_url: str, tmp_path: Path) -> Iterator[str]:
    if database_url.startswith("sqlite"):
        yield f"sqlite:///{tmp_path}/restored/saathi.db"
        return
    base = postgres_url()
    assert base is not None
    with scratch_postgres(base, f"saathi_restore_{uuid.uuid4().hex[:8]}") as url:
        yield url


def _contents(services: ServiceContext) -> dict[str, object]:
    with services.uow() as session:
        return {
            "members": sorted(
                (m.telegram_user_id, m.pseudonym, m.display_name, m.status) for m in session.exec(select(Member))
            ),
            "checkins": sorted(
                (c.member_id, c.local_date, c.status, c.mood, c.note) for c in session.exec(select(Checkin))
            ),
            "open": sorted(
                (e.member_id, e.level, e.excerpt)
                for e in session.exec(select(Escalation))
                if e.state in ("open", "acknowledged")
            ),
        }


def test_a_backup_restores_into_an_empty_database(
    database_url: str,
    clock,
    monkeypatch,  # type: ignore[no-untyped-def]
    tmp_path,
    capsys,
) -> None:
    crypto.configure([K1])
    services = _services(database_url, clock)
    _write_through_services(services, clock)
    before = _contents(services)
    assert len(before["members"]) == 2 and before["checkins"] and len(before["open"]) == 1  # type: ignore[arg-type]
    services.uow.engine.dispose()

    _cli_env(monkeypatch, tmp_path, database_url, K1)
    path = tmp_path / "backups" / "centre.backup"
    assert main(["backup", "create", str(path)]) == 0
    assert "2 members" in capsys.readouterr().out
    assert stat.S_IMODE(path.stat().st_mode) == 0o600 and stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert K1.encode() not in path.read_bytes()
    assert main(["backup", "create", str(path)]) == 1  # never overwrites a backup
    assert "already exists" in capsys.readouterr().err

    with _empty_database_like(database_url, tmp_path) as target:
        monkeypatch.setenv("DATABASE_URL", target)
        assert main(["backup", "restore", str(path)]) == 0
        assert "2 members" in capsys.readouterr().out
        restored = _services(target, clock)
        assert _contents(restored) == before
        raw = _raw_text(target)
        assert NOTE not in raw and "gAAAAA" in raw  # the texts arrived encrypted, as they were

        assert main(["backup", "restore", str(path)]) == 1  # now it holds data
        assert "--force" in capsys.readouterr().err
        assert main(["backup", "restore", "--force", str(path)]) == 0
        assert _contents(restored) == before
        restored.uow.engine.dispose()


def test_a_restore_refuses_a_file_that_is_not_a_backup(tmp_path, monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    bogus = tmp_path / "notes.txt"
    bogus.write_text("not a database")
    _cli_env(monkeypatch, tmp_path, f"sqlite:///{tmp_path}/saathi.db", K1)
    assert main(["backup", "restore", str(bogus)]) == 1
    assert "is not a SQLite backup" in capsys.readouterr().err
