"""Shared fixtures: a fresh database (SQLite always, PostgreSQL when asked), a fake clock."""

from __future__ import annotations

import os
import random
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from bot.clock import FakeClock
from bot.services.context import ServiceContext
from storage import crypto
from storage.db import SessionFactory, make_engine
from storage.migrate import upgrade
from tests.postgres import postgres_url, reset_postgres, scratch_postgres

PG_SKIP_REASON = (
    "PostgreSQL tests run when CI=true or SAATHI_TEST_POSTGRES_URL is set, "
    "e.g. SAATHI_TEST_POSTGRES_URL=postgresql+psycopg://postgres@127.0.0.1:5432/test ./scripts/test"
)
# 08:30 in India: before an evening check-in.
START = datetime(2026, 11, 25, 3, 0, tzinfo=UTC)
# The whole suite runs with members' texts encrypted at rest (a fixed key of the tests' own).
TEST_ENCRYPTION_KEY = "c2FhdGhpLXRlc3Qta2V5LW5vdC1mb3ItcmVhbC11c2U="


@pytest.fixture(scope="session", autouse=True)
def encrypted_at_rest() -> Iterator[str]:
    """Every engine of the run encrypts: this process's keyring, and (through the environment)
    ``saathi`` run by ``bot.cli.main`` or as a child process."""
    previous = os.environ.get("SAATHI_ENCRYPTION_KEYS")
    os.environ["SAATHI_ENCRYPTION_KEYS"] = TEST_ENCRYPTION_KEY
    crypto.configure([TEST_ENCRYPTION_KEY])
    yield TEST_ENCRYPTION_KEY
    if previous is None:
        os.environ.pop("SAATHI_ENCRYPTION_KEYS", None)
    else:
        os.environ["SAATHI_ENCRYPTION_KEYS"] = previous


@pytest.fixture(autouse=True)
def _test_key_restored(encrypted_at_rest: str) -> Iterator[None]:
    """A test that changes the keys (rotation tests) leaves the next one with the suite's key."""
    yield
    if crypto.current_keys() != (encrypted_at_rest,):
        crypto.configure([encrypted_at_rest])
    os.environ["SAATHI_ENCRYPTION_KEYS"] = encrypted_at_rest


@pytest.fixture(scope="session")
def postgres_database() -> Iterator[str | None]:
    """A database of this test run's own on the PostgreSQL server, dropped at the end.

    Runs that share a server (two terminals, two CI jobs) never reset each other's tables.
    """
    base = postgres_url()
    if base is None:
        yield None
        return
    with scratch_postgres(base, f"saathi_test_{os.getpid()}_{uuid.uuid4().hex[:8]}") as url:
        yield url


@pytest.fixture
def one_database_url(tmp_path, postgres_database: str | None) -> str:  # type: ignore[no-untyped-def]
    """For the slowest tests (process kills): PostgreSQL when it is available, else SQLite — one
    run, not two, so the suite stays within CI's time."""
    if postgres_database is None:
        return f"sqlite:///{tmp_path}/saathi.db"
    reset_postgres(postgres_database)
    return postgres_database


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request: pytest.FixtureRequest, tmp_path, postgres_database: str | None) -> str:  # type: ignore[no-untyped-def]
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path}/saathi.db"
    if postgres_database is None:
        pytest.skip(PG_SKIP_REASON)
    reset_postgres(postgres_database)
    return postgres_database


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(START)


@pytest.fixture
def services(database_url: str, clock: FakeClock):  # type: ignore[no-untyped-def]
    upgrade(database_url)
    engine = make_engine(database_url)
    yield ServiceContext(uow=SessionFactory(engine), clock=clock, bot_username="saathi_demo_bot", rng=random.Random(7))
    engine.dispose()
