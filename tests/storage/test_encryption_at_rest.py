"""Members' words are encrypted in the database (SQLite and PostgreSQL), old plaintext is
encrypted by ``saathi keys rotate``, keys rotate, and the SQLite files are owner-only."""

from __future__ import annotations

import os
import stat
from datetime import UTC, datetime

from cryptography.fernet import Fernet
from sqlalchemy import create_engine, text
from sqlmodel import select

from bot.cli import main
from bot.services import admin, checkins, inbound, privacy, privacy_export
from bot.services.context import ServiceContext
from storage import crypto
from storage.checkins.tables import Checkin
from storage.circles.tables import CircleMessage
from storage.db import make_engine
from storage.migrate import upgrade
from storage.outbox.tables import OutboxMessage
from storage.people.tables import Member
from storage.safety.tables import Escalation
from tests.storage.helpers import member, onboard, seed_centre

NOTE = "Talked to my sister, felt lighter"
SHARE = "Walking by the river helped me today"
WORRY = "I want to kill myself tonight"
K1, K2 = Fernet.generate_key().decode(), Fernet.generate_key().decode()


def _write_through_services(services: ServiceContext, clock) -> None:  # type: ignore[no-untyped-def]
    """A circle share (relayed to another member), a check-in note, and an alert with its excerpt."""
    seed_centre(services)
    admin.add_circle(services, "Asha Kendra", "Evening Circle")
    first, second = onboard(services, 4242), onboard(services, 4343)
    for user_id in (4242, 4343):
        admin.assign_to_circle(services, "Asha Kendra", member(services, user_id).pseudonym, "Evening Circle")
    inbound.handle_text(services, first, SHARE, message_id=11)
    inbound.handle_text(services, second, WORRY, message_id=12)
    clock.set(datetime(2026, 11, 25, 14, 31, tzinfo=UTC))  # 20:01 in India: the check-in is due
    assert checkins.run_due_checkins(services) == 2
    for answer in ("3", "2", "done", "no", NOTE):
        inbound.handle_text(services, first, answer)


def _raw_text(database_url: str) -> str:
    """Every stored value of the encrypted columns, as the database holds them."""
    engine = create_engine(database_url)
    queries = (
        "SELECT note FROM checkin",
        "SELECT text FROM circlemessage",
        "SELECT excerpt FROM escalation",
        "SELECT CAST(payload AS TEXT) FROM outboxmessage",
        "SELECT CAST(reasons AS TEXT) FROM escalation",
        "SELECT display_name FROM member",
    )
    with engine.connect() as conn:
        values = [str(value) for query in queries for (value,) in conn.execute(text(query))]
    engine.dispose()
    return "\n".join(values)


def test_the_database_holds_no_plaintext_of_members_words(
    services: ServiceContext,
    clock,  # type: ignore[no-untyped-def]
    database_url: str,
) -> None:
    _write_through_services(services, clock)
    with services.uow() as session:  # the application reads them back as written
        assert session.exec(select(Checkin.note).where(Checkin.note.is_not(None))).one() == NOTE  # type: ignore[union-attr]
        assert session.exec(select(CircleMessage.text).where(CircleMessage.kind == "text")).one() == SHARE
        escalation = session.exec(select(Escalation)).one()
        assert escalation.excerpt is not None and "kill myself" in escalation.excerpt
        payloads = [row.payload.get("text", "") for row in session.exec(select(OutboxMessage))]
        assert any(SHARE in p for p in payloads) and any("kill myself" in p for p in payloads)
    raw = _raw_text(database_url)
    for words in (NOTE, SHARE, "kill myself", "river", "Test User 4242"):
        assert words not in raw
    assert raw.count("gAAAAA") >= 6


def test_mydata_and_forget_still_work_on_encrypted_rows(services: ServiceContext, clock) -> None:  # type: ignore[no-untyped-def]
    _write_through_services(services, clock)
    with services.uow() as session:
        row = session.exec(select(Member).where(Member.telegram_user_id == 4242)).one()
        pseudonym = row.pseudonym
        export = str(privacy_export.collect(session, row, clock.now()))
        assert NOTE in export and SHARE in export and "Test User 4242" in export
        others = [r for r in session.exec(select(OutboxMessage)) if r.chat_id != 4242]
        assert any(pseudonym in str(r.payload) for r in others)  # the circle heard their pseudonym
        privacy.forget(session, row, clock.now(), services)
        session.commit()
    with services.uow() as session:  # the search for their name now happens on decrypted payloads
        assert session.exec(select(Checkin.note).where(Checkin.note.is_not(None))).all() == []  # type: ignore[union-attr]
        rows = [
            r for r in session.exec(select(OutboxMessage)) if r.purpose != "privacy_staff"
        ]  # "X asked to be forgotten"
        assert rows and all(pseudonym not in str(r.payload) and SHARE not in str(r.payload) for r in rows)


def test_legacy_plaintext_reads_then_rotate_encrypts_it(
    database_url: str,
    clock,
    monkeypatch,  # type: ignore[no-untyped-def]
    tmp_path,
    capsys,
) -> None:
    crypto.configure([])  # a database from before encryption
    services = _services(database_url, clock)
    _write_through_services(services, clock)
    assert NOTE in _raw_text(database_url)
    crypto.configure([K1])
    with services.uow() as session:  # still readable with a key configured
        assert session.exec(select(Checkin.note).where(Checkin.note.is_not(None))).one() == NOTE  # type: ignore[union-attr]

    _cli_env(monkeypatch, tmp_path, database_url, K1)
    assert main(["keys", "rotate"]) == 0
    output = capsys.readouterr().out
    assert "checkin.note: 1 encrypted" in output and NOTE not in output
    raw = _raw_text(database_url)
    assert NOTE not in raw and SHARE not in raw and "kill myself" not in raw
    assert main(["keys", "rotate"]) == 0  # idempotent
    assert "done: 0 values rewritten" in capsys.readouterr().out
    with services.uow() as session:
        assert session.exec(select(Checkin.note).where(Checkin.note.is_not(None))).one() == NOTE  # type: ignore[union-attr]
        assert any(SHARE in r.payload.get("text", "") for r in session.exec(select(OutboxMessage)))
    services.uow.engine.dispose()


def test_rotation_to_a_new_key_then_the_old_one_can_go(
    database_url: str,
    clock,
    monkeypatch,  # type: ignore[no-untyped-def]
    tmp_path,
    capsys,
) -> None:
    crypto.configure([K1])
    services = _services(database_url, clock)
    _write_through_services(services, clock)
    crypto.configure([K2])  # the old key forgotten too early: a placeholder, never garbage, never a crash
    with services.uow() as session:
        assert session.exec(select(Checkin.note).where(Checkin.note.is_not(None))).one() == "[unreadable]"  # type: ignore[union-attr]

    _cli_env(monkeypatch, tmp_path, database_url, K2)
    assert main(["keys", "rotate"]) == 1  # rotating without the old key stops, saying why
    assert "missing or wrong" in capsys.readouterr().err
    _cli_env(monkeypatch, tmp_path, database_url, f"{K2},{K1}")
    assert main(["keys", "rotate"]) == 0
    assert "re-encrypted" in capsys.readouterr().out
    crypto.configure([K2])
    with services.uow() as session:
        assert session.exec(select(Checkin.note).where(Checkin.note.is_not(None))).one() == NOTE  # type: ignore[union-attr]
        assert session.exec(select(CircleMessage.text).where(CircleMessage.kind == "text")).one() == SHARE
        assert "kill myself" in (session.exec(select(Escalation)).one().excerpt or "")
        assert all(isinstance(r.payload, dict) for r in session.exec(select(OutboxMessage)))
        assert (
            session.exec(select(Member.display_name).where(Member.telegram_user_id == 4242)).one() == "Test User 4242"
        )
    services.uow.engine.dispose()


def test_cli_generates_a_key_even_before_settings_are_valid(monkeypatch, tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SAATHI_ENV", "production")
    monkeypatch.delenv("SAATHI_ENCRYPTION_KEYS")
    assert main(["keys", "generate"]) == 0
    (key,) = capsys.readouterr().out.split()
    assert crypto.parse_keys(key) == (key,)
    assert main(["status"]) == 2  # production without a key does not start
    assert "SAATHI_ENCRYPTION_KEYS is not set" in capsys.readouterr().err
    monkeypatch.setenv("SAATHI_ENV", "development")
    assert main(["keys", "rotate"]) == 2  # nothing to encrypt with


def test_sqlite_folder_and_files_are_owner_only(tmp_path) -> None:  # type: ignore[no-untyped-def]
    folder = tmp_path / "data"
    url = f"sqlite:///{folder}/saathi.db"
    old = os.umask(0o022)
    try:
        upgrade(url)
        engine = make_engine(url)
        with engine.begin() as conn:
            conn.execute(
                text("INSERT INTO center (name, timezone, created_at) VALUES ('Asha', 'Asia/Kolkata', '2026-01-01')")
            )
            modes = {p.name: stat.S_IMODE(p.stat().st_mode) for p in folder.iterdir()}
        engine.dispose()
    finally:
        os.umask(old)
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert modes["saathi.db"] == 0o600 and modes.get("saathi.db-wal", 0o600) == 0o600
    assert set(modes.values()) == {0o600}
    # an older database file that was readable by others is tightened when opened
    os.chmod(folder / "saathi.db", 0o644)
    make_engine(url).dispose()
    assert stat.S_IMODE((folder / "saathi.db").stat().st_mode) == 0o600


def _services(database_url: str, clock) -> ServiceContext:  # type: ignore[no-untyped-def]
    import random

    from storage.db import SessionFactory

    upgrade(database_url)
    return ServiceContext(
        uow=SessionFactory(make_engine(database_url)), clock=clock, bot_username="saathi_demo_bot", rng=random.Random(7)
    )


def _cli_env(monkeypatch, tmp_path, database_url: str, keys: str) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.chdir(tmp_path)  # no .env of the working copy
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("SAATHI_ENCRYPTION_KEYS", keys)


def test_development_without_a_key_starts_with_a_warning(tmp_path, caplog) -> None:  # type: ignore[no-untyped-def]
    from bot.app import build_application
    from bot.config import parse_settings

    settings = parse_settings(
        {
            "TELEGRAM_BOT_TOKEN": "123456789:AAE-abcdefghijklmnopqrstuvwxyz012",
            "DATABASE_URL": f"sqlite:///{tmp_path}/saathi.db",
        }
    )
    with caplog.at_level("WARNING"):
        build_application(settings, with_jobs=False)
    assert not crypto.is_configured()
    assert any("stored unencrypted" in r.getMessage() for r in caplog.records)
    with caplog.at_level("WARNING"):
        build_application(
            parse_settings(
                {
                    **{"TELEGRAM_BOT_TOKEN": settings.telegram_bot_token or ""},
                    "DATABASE_URL": settings.database_url,
                    "SAATHI_ENCRYPTION_KEYS": K1,
                }
            ),
            with_jobs=False,
        )
    assert crypto.current_keys() == (K1,)
