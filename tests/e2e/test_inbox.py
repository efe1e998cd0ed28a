"""The transactional inbox against Telegram and database faults: nothing a member writes is lost,
and nothing is answered twice except a send Telegram accepted and answered with an error.

The real Application polls the emulator over HTTP (tests/e2e/conftest.py). Faults come from the
emulator (``script_faults``) and, for PostgreSQL, from a TCP proxy the test puts in front of the
database and cuts (tests/e2e/db_proxy.py).
"""

from __future__ import annotations

import asyncio
import logging
import socket
from collections.abc import AsyncIterator
from datetime import time as dtime

import pytest
from sqlmodel import select

from bot.app import build_application
from bot.cli import webhook_options
from bot.clock import FakeClock
from bot.config import parse_settings
from bot.domain.scheduling import next_checkin_due
from bot.polling import serving
from bot.services import admin
from bot.services.onboarding import CONSENT_VERSION
from bot.webhook import WebhookReceiver
from sandbox.emulator import BotApiEmulator
from sandbox.phones import wait_until
from storage import crypto, inbox
from storage.inbox import InboxUpdate
from storage.migrate import upgrade
from storage.outbox.tables import OutboxMessage
from storage.people import queries as people_db
from storage.people.tables import Center, ConsentRecord, Member
from tests.e2e.conftest import COUNSELLOR_ID, TOKEN, Harness, break_typed_text_on
from tests.e2e.db_proxy import DatabaseProxy

SQLITE_ONLY = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
HERE = "I'm here"  # the answer to ordinary words from an active member
SORRY = "something went wrong on my side"
CRISIS = "I want to end my life"


def seed_members(harness: Harness, ids: list[int]) -> None:
    """Active members who consented (as onboarding leaves them), straight into the database."""
    ctx = harness.services
    now = ctx.clock.now()
    with ctx.uow() as session:
        center = session.exec(select(Center)).one()
        counsellor = people_db.default_counsellor(session, center.id or 0)
        for number, user_id in enumerate(ids):
            harness.phone(user_id, f"Member {number}")
            member = Member(
                center_id=center.id or 0,
                counsellor_id=counsellor.id if counsellor else None,
                telegram_user_id=user_id,
                chat_id=user_id,
                display_name=f"Member {number}",
                pseudonym=f"Lotus {number}",
                language="en",
                timezone=center.timezone,
                checkin_time="21:00",
                status="active",
                onboarding_step=None,
                created_at=now,
                next_checkin_due_at=next_checkin_due(now, center.timezone, dtime(21, 0), None),
            )
            session.add(member)
            session.flush()
            session.add(
                ConsentRecord(
                    member_id=member.id or 0, version=CONSENT_VERSION, accepted=True, language="en", created_at=now
                )
            )
        session.commit()


def count(harness: Harness, chat_id: int, needle: str) -> int:
    return sum(needle in (m.text or "") for m in harness.emu.messages(chat_id) if m.method == "sendMessage")


async def until(condition, timeout: float = 20.0) -> None:  # type: ignore[no-untyped-def]
    await wait_until(condition, timeout=timeout)


# --- Telegram's faults ----------------------------------------------------------------------------


@SQLITE_ONLY
async def test_getupdates_errors_flood_control_and_junk_items_lose_nothing(
    harness: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    harness.seed_centre()
    ids = [6101, 6102, 6103]
    seed_members(harness, ids)
    faults = ["500", "429:1", "junk", "500", "junk"]
    harness.emu.script_faults("getUpdates", faults)
    for user_id in ids:
        harness.send(user_id, "hello")
    await until(lambda: harness.emu.stats["scripted_faults"] == len(faults))
    for user_id in ids:  # and after the faults, polling goes on
        harness.send(user_id, "still there?")
    await until(lambda: all(count(harness, user_id, HERE) == 2 for user_id in ids))
    await harness.settle()
    assert all(count(harness, user_id, HERE) == 2 for user_id in ids)  # each message answered once
    logged = caplog.text
    assert logged.count("skipping a getUpdates item without an update_id") == 8  # 4 junk items, twice
    assert "getUpdates: flood control, retrying in 1 s" in logged
    assert "hello" not in logged and "still there" not in logged
    with harness.services.uow() as session:
        assert inbox.counts(session) == {"pending": 0, "failed": 0}


@SQLITE_ONLY
@pytest.mark.parametrize("fault", ["accepted-then-500", "slow:6"])
async def test_a_send_telegram_accepted_but_answered_with_an_error_is_sent_again_once(
    harness: Harness, fault: str
) -> None:
    """The one source of duplicates besides a kill: Telegram delivered the message and answered 5xx
    (or answered after the bot's 5 s read timeout). The bot cannot know it arrived, so it sends it
    again after its backoff: the member sees it twice, never more (docs/security.md)."""
    harness.seed_centre()
    seed_members(harness, [6201])
    harness.emu.script_faults("sendMessage", [fault])
    harness.send(6201, "hello")
    await until(lambda: count(harness, 6201, HERE) == 1)
    await until(lambda: _outbox(harness, 6201)[0] == ("pending", 1))  # a failed attempt, not a send
    harness.clock.advance(seconds=5)  # past the backoff (2 s for a first failure)
    assert harness.saathi is not None
    harness.saathi.kick()
    await until(lambda: _outbox(harness, 6201)[0][0] == "sent")
    await harness.settle()
    assert count(harness, 6201, HERE) == 2
    assert _outbox(harness, 6201) == [("sent", 1)]


def _outbox(harness: Harness, chat_id: int) -> list[tuple[str, int]]:
    with harness.services.uow() as session:
        rows = session.exec(
            select(OutboxMessage).where(OutboxMessage.chat_id == chat_id).order_by(OutboxMessage.id)
        ).all()
        return [(row.status, row.attempts) for row in rows]


# --- a handler that keeps failing ---------------------------------------------------------------------


@SQLITE_ONLY
async def test_a_handler_that_keeps_failing_is_given_up_the_member_told_and_the_chat_moves_on(
    harness: Harness, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    harness.seed_centre()
    seed_members(harness, [6301])
    break_typed_text_on(monkeypatch, "sunflower")
    first = harness.send(6301, "sunflower")
    await until(lambda: harness.inbox_row(first) == ("pending", 1))
    second = harness.send(6301, "hello again")  # waits behind the failed one: order within a chat
    await until(lambda: harness.inbox_row(second) == ("pending", 0))
    assert harness.saathi is not None and harness.saathi.inbox is not None
    for attempt in range(2, 6):  # backoff 2, 4, 8, 16 s on the bot's clock
        harness.clock.advance(seconds=20)
        harness.saathi.inbox.kick()
        expected = ("failed", 5) if attempt == 5 else ("pending", attempt)
        await until(lambda expected=expected: harness.inbox_row(first) == expected)
        if attempt < 5:
            assert harness.inbox_row(second)[0] == "pending" and count(harness, 6301, HERE) == 0
    await until(lambda: count(harness, 6301, HERE) == 1 and count(harness, 6301, SORRY) == 1)
    await harness.settle()
    assert harness.inbox_row(second)[0] == "handled"
    sorry = [m.message_id for m in harness.emu.messages(6301) if SORRY in (m.text or "")]
    here = [m.message_id for m in harness.emu.messages(6301) if HERE in (m.text or "")]
    assert sorry < here  # the apology for the first message, then the answer to the second
    assert admin.status(harness.services)["inbox"] == {"pending": 0, "failed": 1}
    assert f"update {first} given up after 5 attempts (ValueError)" in caplog.text
    assert "sunflower" not in caplog.text  # ids and kinds, never words


# --- the database away (PostgreSQL behind a proxy the test cuts) ----------------------------------------


@pytest.fixture
async def proxied(one_database_url: str, clock: FakeClock) -> AsyncIterator[tuple[Harness, DatabaseProxy]]:
    if not one_database_url.startswith("postgresql"):
        pytest.skip("needs PostgreSQL (CI=true or SAATHI_TEST_POSTGRES_URL)")
    emu = BotApiEmulator()
    await emu.start()
    with DatabaseProxy.for_url(one_database_url) as proxy:
        harness = Harness(emu, proxy.url, clock)
        await harness.start_bot()
        try:
            yield harness, proxy
        finally:
            proxy.restore()
            await harness.stop_bot()
            await emu.stop()


@pytest.mark.postgres
async def test_ten_seconds_without_the_database_fifty_members_write_everyone_answered_once(
    proxied: tuple[Harness, DatabaseProxy],
) -> None:
    """Issue 14's "done when": every message answered and the alert delivered, exactly once."""
    harness, proxy = proxied
    harness.seed_centre()
    ids = list(range(6401, 6451))
    seed_members(harness, ids)
    urgent = ids[17]
    for user_id in ids[:10]:  # before the outage: the bot answers
        harness.send(user_id, "good morning")
    await until(lambda: all(count(harness, user_id, HERE) == 1 for user_id in ids[:10]))

    proxy.cut()
    sent_during = []
    for user_id in ids:
        sent_during.append(harness.send(user_id, CRISIS if user_id == urgent else "how is everyone today"))
        await asyncio.sleep(0.1)  # fifty members over five seconds of the outage
    await asyncio.sleep(10 - 0.1 * len(ids))
    # nothing was confirmed while the database was away: Telegram still holds what was written
    assert harness.emu.pending_updates >= 1
    with_proxy_refusals = proxy.refused
    proxy.restore()

    def expected(user_id: int) -> int:
        """Ordinary answers: one per message, the first ten wrote twice; the crisis message gets the safety answer."""
        return (2 if user_id in ids[:10] else 1) - (user_id == urgent)

    def everyone_answered() -> bool:
        return (
            all(count(harness, user_id, HERE) == expected(user_id) for user_id in ids)
            and count(harness, COUNSELLOR_ID, "URGENT") >= 1
            and count(harness, urgent, "You are not alone") >= 1
        )

    try:
        await until(everyone_answered, timeout=90)
    except TimeoutError:
        raise AssertionError(
            f"not answered: {[(u, count(harness, u, HERE)) for u in ids if count(harness, u, HERE) != expected(u)]}"
            f" urgent {count(harness, urgent, 'You are not alone')}, alert "
            f"{count(harness, COUNSELLOR_ID, 'URGENT')}, outbox {_statuses(harness)}, "
            f"inbox {_inbox_statuses(harness)}"
        ) from None
    await harness.settle(timeout=30)
    assert with_proxy_refusals > 0  # the bot did try the database during the outage
    for user_id in ids:
        assert count(harness, user_id, HERE) == expected(user_id), user_id
    assert count(harness, urgent, "You are not alone") == 1
    assert count(harness, COUNSELLOR_ID, "URGENT") == 1  # the alert, once
    with harness.services.uow() as session:
        statuses = dict(inbox.ids(session, sent_during))
        assert set(statuses.values()) == {"handled"} and len(statuses) == len(ids)
        assert inbox.counts(session) == {"pending": 0, "failed": 0}
        assert {row.status for row in session.exec(select(OutboxMessage))} == {"sent"}


def _statuses(harness: Harness) -> dict[str, int]:
    with harness.services.uow() as session:
        rows = session.exec(select(OutboxMessage.status)).all()
    return {status: rows.count(status) for status in set(rows)}


def _inbox_statuses(harness: Harness) -> dict[str, int]:
    with harness.services.uow() as session:
        rows = session.exec(select(InboxUpdate.status)).all()
    return {status: rows.count(status) for status in set(rows)}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.mark.postgres
async def test_the_webhook_answers_503_while_the_database_is_away_and_telegram_delivers_again(
    one_database_url: str, clock: FakeClock
) -> None:
    if not one_database_url.startswith("postgresql"):
        pytest.skip("needs PostgreSQL (CI=true or SAATHI_TEST_POSTGRES_URL)")
    emu = BotApiEmulator()
    await emu.start()
    with DatabaseProxy.for_url(one_database_url) as proxy:
        port = _free_port()
        settings = parse_settings(
            {
                "TELEGRAM_BOT_TOKEN": TOKEN,
                "TELEGRAM_API_URL": emu.base_url,
                "DATABASE_URL": proxy.url,
                "WEBHOOK_LISTEN": f"127.0.0.1:{port}",
                "SAATHI_ENCRYPTION_KEYS": ",".join(crypto.current_keys()),
            }
        )
        upgrade(proxy.url)
        application = build_application(settings, clock=clock, with_jobs=False, sender_poll=0.05, overall_rate=1000)
        try:
            async with serving(application, asyncio.Event(), signals=False):
                saathi = application.bot_data["saathi"]
                receiver = WebhookReceiver(
                    application, saathi.inbox, **webhook_options(settings, f"http://127.0.0.1:{port}/hook")
                )
                await receiver.start()
                try:
                    admin.add_center(saathi.services, "Asha Kendra", "Asia/Kolkata")
                    harness = Harness(emu, proxy.url, clock)
                    harness.saathi = saathi
                    seed_members(harness, [6501])
                    proxy.cut()
                    harness.send(6501, "hello while the database is away")
                    await until(lambda: emu.stats["webhook_failures"] >= 3)
                    assert emu.messages(6501) == [] and emu.pending_updates == 1  # refused: Telegram keeps it
                    proxy.restore()
                    await until(lambda: count(harness, 6501, HERE) == 1)
                    await until(lambda: emu.pending_updates == 0)
                    await harness.settle()
                    assert count(harness, 6501, HERE) == 1
                finally:
                    proxy.restore()
                    await receiver.stop()
        finally:
            await emu.stop()
