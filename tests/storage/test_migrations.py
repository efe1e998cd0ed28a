"""Migrations: an existing database keeps its data, the tables match the models, big Telegram ids fit."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, text
from sqlmodel import SQLModel, select

import storage.models  # noqa: F401  (registers every table)
from bot.services import admin
from bot.services.context import ServiceContext
from storage.migrate import upgrade
from storage.models import Member
from tests.storage.helpers import member, onboard, seed_centre


def test_upgrade_keeps_the_data_of_an_existing_database(database_url: str) -> None:
    upgrade(database_url, "0001")
    engine = create_engine(database_url)
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO center (name, timezone, created_at) VALUES ('Old Kendra', 'Asia/Kolkata', '2026-01-01')"))
    upgrade(database_url)
    upgrade(database_url)  # a second upgrade is a no-op
    with engine.connect() as conn:
        assert conn.execute(text("SELECT name, ack_urgent_minutes FROM center")).all() == [("Old Kendra", 10)]
    engine.dispose()


def test_the_migrated_schema_matches_the_models(database_url: str) -> None:
    upgrade(database_url)
    engine = create_engine(database_url)
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), SQLModel.metadata)
    engine.dispose()
    assert diff == [], diff


def test_real_telegram_ids_beyond_32_bits_are_stored(services: ServiceContext) -> None:
    seed_centre(services)
    big = 7_123_456_789  # real user ids are larger than 2**31
    onboard(services, big)
    assert member(services, big).chat_id == big
    with services.uow() as session:
        assert session.exec(select(Member.telegram_user_id)).one() == big
    assert admin.status(services)["members"] == {"active": 1}
