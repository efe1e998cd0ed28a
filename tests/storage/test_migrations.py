"""Migrations: an existing database keeps its data, the tables match the models, big Telegram ids fit."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Integer, String, column, create_engine, inspect, table, text
from sqlmodel import SQLModel, select

import storage.schema  # noqa: F401  (registers every table)
from bot.services import admin
from bot.services.context import ServiceContext
from storage.crypto import EncryptedJSON
from storage.migrate import alembic_config, head_revisions, upgrade
from storage.people.tables import Member
from storage.types import UTCDateTime
from tests.storage.helpers import member, onboard, seed_centre


def test_upgrade_keeps_the_data_of_an_existing_database(database_url: str) -> None:
    upgrade(database_url, "0001")
    engine = create_engine(database_url)
    with engine.begin() as conn:
        conn.execute(
            text("INSERT INTO center (name, timezone, created_at) VALUES ('Old Kendra', 'Asia/Kolkata', '2026-01-01')")
        )
    upgrade(database_url)
    upgrade(database_url)  # a second upgrade is a no-op
    with engine.connect() as conn:
        assert conn.execute(text("SELECT name, ack_urgent_minutes FROM center")).all() == [("Old Kendra", 10)]
    engine.dispose()


def test_0013_fills_the_sponsor_thread_column_from_the_payloads_of_existing_rows(database_url: str) -> None:
    upgrade(database_url, "0012")
    engine = create_engine(database_url)
    old = table(
        "outboxmessage",
        column("id", Integer()),
        column("chat_id", Integer()),
        column("method", String()),
        column("payload", EncryptedJSON()),
        column("priority", Integer()),
        column("purpose", String()),
        column("status", String()),
        column("attempts", Integer()),
        column("due_at", UTCDateTime()),
        column("created_at", UTCDateTime()),
    )
    at = datetime(2026, 12, 1, tzinfo=UTC)
    rows = [
        ("sp_relay", {"text": "Hello from Asha", "sp_thread": "link:7"}),  # encrypted, as written before
        ("sp_talk", {"text": "A talk ended"}),  # a thread purpose without a thread
        ("checkin", {"text": "How are you?", "sp_thread": "link:8"}),
    ]  # not a thread purpose: not read
    with engine.begin() as conn:
        conn.execute(
            old.insert(),
            [
                {
                    "id": n,
                    "chat_id": 500 + n,
                    "method": "send",
                    "payload": payload,
                    "priority": 1,
                    "purpose": purpose,
                    "status": "sent",
                    "attempts": 1,
                    "due_at": at,
                    "created_at": at,
                }
                for n, (purpose, payload) in enumerate(rows, start=1)
            ],
        )
    upgrade(database_url)
    with engine.connect() as conn:
        threads = conn.execute(text("SELECT id, sponsor_thread_id FROM outboxmessage ORDER BY id")).all()
    engine.dispose()
    assert threads == [(1, "link:7"), (2, None), (3, None)]


def test_the_migrated_schema_matches_the_models(database_url: str) -> None:
    upgrade(database_url)
    engine = create_engine(database_url)
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), SQLModel.metadata)
    engine.dispose()
    assert diff == [], diff


def test_0019_adds_the_claim_by_channel_index_and_takes_it_away_again(database_url: str) -> None:
    def outbox_indexes() -> set[str]:
        engine = create_engine(database_url)
        names = {str(index["name"]) for index in inspect(engine).get_indexes("outboxmessage")}
        engine.dispose()
        return names

    upgrade(database_url)
    assert {"ix_outbox_due", "ix_outbox_channel_due"} <= outbox_indexes()
    command.downgrade(alembic_config(database_url), "0018")
    assert "ix_outbox_channel_due" not in outbox_indexes() and "ix_outbox_due" in outbox_indexes()
    upgrade(database_url)
    assert "ix_outbox_channel_due" in outbox_indexes()


def test_real_telegram_ids_beyond_32_bits_are_stored(services: ServiceContext) -> None:
    seed_centre(services)
    big = 7_123_456_789  # real user ids are larger than 2**31
    onboard(services, big)
    assert member(services, big).chat_id == big
    with services.uow() as session:
        assert session.exec(select(Member.telegram_user_id)).one() == big
    assert admin.status(services)["members"] == {"active": 1}


def test_the_heads_read_from_the_version_files_are_alembics() -> None:
    from alembic.script import ScriptDirectory

    from storage.migrate import alembic_config, head_revisions

    assert head_revisions() == frozenset(ScriptDirectory.from_config(alembic_config("sqlite://")).get_heads())


def test_upgrade_says_what_it_applied_and_nothing_when_at_the_newest(database_url: str) -> None:
    first = upgrade(database_url)
    assert first is not None and first[0] == frozenset() and first[1] == head_revisions()
    assert upgrade(database_url) is None


def test_an_admin_command_at_the_newest_revision_loads_no_alembic_and_prints_nothing_on_stderr(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Issue 15: every admin command printed Alembic's INFO lines and paid for loading it."""
    url = f"sqlite:///{tmp_path / 'saathi.db'}"
    upgrade(url)
    env = {**os.environ, "DATABASE_URL": url, "LOG_LEVEL": "INFO"}
    env.pop("TELEGRAM_BOT_TOKEN", None)
    probe = (
        "import sys; from bot.cli import main; code = main(['center', 'add', '--name', 'Asha Kendra', "
        "'--timezone', 'Asia/Kolkata']); print('alembic loaded' if 'alembic' in sys.modules else 'no alembic')"
    )
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120, env=env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["centre 'Asha Kendra' added (time zone Asia/Kolkata)", "no alembic"]
    assert result.stderr == ""


def test_a_pending_migration_from_the_command_line_is_applied_without_alembics_log_lines(tmp_path) -> None:  # type: ignore[no-untyped-def]
    url = f"sqlite:///{tmp_path / 'saathi.db'}"
    upgrade(url, "0008")
    env = {**os.environ, "DATABASE_URL": url, "LOG_LEVEL": "INFO"}
    result = subprocess.run(
        [sys.executable, "-m", "bot.cli", "db", "upgrade"], capture_output=True, text=True, timeout=120, env=env
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"database upgraded from 0008 to {', '.join(sorted(head_revisions()))}"
    assert "alembic" not in result.stderr and "Running upgrade" not in result.stderr


def test_members_paused_before_pause_history_get_an_open_pause(database_url: str) -> None:
    upgrade(database_url, "0009")
    engine = create_engine(database_url)
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO center (id, name, timezone, created_at) "
                "VALUES (1, 'Old Kendra', 'Asia/Kolkata', '2026-01-01')"
            )
        )
        for user_id, status, last in ((11, "paused", "2026-11-20"), (12, "paused", None), (13, "active", "2026-11-20")):
            conn.execute(
                text(
                    "INSERT INTO member (center_id, telegram_user_id, chat_id, pseudonym, language, timezone, "
                    "checkin_time, status, high_risk_windows, last_checkin_local_date, created_at) "
                    "VALUES (1, :uid, :uid, :name, 'en', 'Asia/Kolkata', '20:00', :status, '', :last, "
                    "'2026-11-01 10:00:00')"
                ),
                {"uid": user_id, "name": f"Lotus {user_id}", "status": status, "last": last},
            )
    upgrade(database_url)
    with engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT m.telegram_user_id, p.starts_on, p.ends_on FROM pauseperiod p "
                "JOIN member m ON m.id = p.member_id ORDER BY m.telegram_user_id"
            )
        ).all()
    engine.dispose()
    assert [(uid, str(start), end) for uid, start, end in rows] == [(11, "2026-11-20", None), (12, "2026-11-01", None)]
