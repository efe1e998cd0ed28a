"""A lost key degrades, never silences (issue 14): the real ``saathi run`` with a wrong key refuses to
start with one paragraph naming the problem; with the operator's override, a member who joined under
the old key still gets answers and check-ins and their alerts reach the counsellor (their name shows
as [unreadable]); a member who joins under the new key gets everything as usual."""

from __future__ import annotations

import sys
from collections.abc import Callable

import pytest
from cryptography.fernet import Fernet
from sqlmodel import select

from storage import crypto
from storage.checkins.tables import Checkin
from storage.db import make_engine
from storage.keys import check as key_check
from storage.outbox.tables import OutboxMessage
from tests.e2e.conftest import COUNSELLOR_ID, EVENING_DUE, Harness
from tests.e2e.processes import BotProcess, bot_env

OLD_KEY, NEW_KEY = Fernet.generate_key().decode(), Fernet.generate_key().decode()


async def test_with_the_override_old_and_new_members_get_answers_checkins_and_alerts(harness: Harness) -> None:
    crypto.configure([OLD_KEY])
    await harness.restart_bot()  # the centre's first key
    harness.seed_centre()
    await harness.onboard(801, name="Ravi")

    crypto.configure([NEW_KEY])  # the old key is lost; the operator started with the override
    await harness.restart_bot()
    await harness.onboard(802, name="Sunil")  # joins under the new key

    harness.send(801, "/craving")
    await harness.expect(801, "Cravings rise and fall")
    harness.send(801, "I want to kill myself tonight")
    await harness.expect(801, "You are not alone")
    alert = await harness.expect(COUNSELLOR_ID, "URGENT")
    assert "[unreadable]" in alert.text  # the old member's name, which the lost key wrote
    assert "kill myself" in alert.text  # what they wrote now, under the new key

    harness.clock.set(EVENING_DUE)
    await harness.tick()
    for user_id in (801, 802):
        await harness.expect(user_id, "How is your mood")
    with harness.services.uow() as session:
        assert len(session.exec(select(Checkin)).all()) == 2
        unreadable = [row for row in session.exec(select(OutboxMessage)) if row.payload.get("unreadable")]
    assert unreadable  # rows from before still exist, unchanged
    assert not any("[unreadable]" in text for user_id in (801, 802) for text in harness.texts(user_id))


# Two start-ups of the real process: on SQLite only (the refusal and the override on PostgreSQL are
# tests/storage/test_key_check.py's, and the in-process test above runs on both databases).
@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_saathi_run_with_a_wrong_key_refuses_then_runs_with_the_override(
    harness: Harness, bot_processes: Callable[..., BotProcess]
) -> None:
    crypto.configure([OLD_KEY])
    await harness.restart_bot()
    harness.seed_centre()
    await harness.onboard(811, name="Ravi")
    engine = make_engine(harness.database_url, single_use=True)
    assert key_check.check_at_start(engine).canary == "created"  # what the first `saathi run` wrote
    engine.dispose()
    await harness.stop_bot()

    env = bot_env(harness.emu, harness.database_url, SAATHI_ENCRYPTION_KEYS=NEW_KEY)
    refused = bot_processes(env, "refused")
    refused.start()
    assert await refused.wait_exit(timeout=60) == 3
    message = refused.log()
    assert "refusing to start" in message and "saathi keys check" in message and "--allow-unreadable-data" in message
    assert OLD_KEY not in message and NEW_KEY not in message and "Traceback" not in message

    bot = bot_processes(env, "override", argv=[sys.executable, "-m", "bot.cli", "run", "--allow-unreadable-data"])
    bot.start()
    await bot.wait_ready(timeout=60)
    harness.send(811, "/craving")
    await harness.expect(811, "Cravings rise and fall", timeout=30)
    harness.send(811, "I want to end my life")
    await harness.expect(811, "You are not alone", timeout=30)
    alert = await harness.expect(COUNSELLOR_ID, "URGENT", timeout=30)
    assert "[unreadable]" in alert.text and "end my life" in alert.text
    assert "running anyway" in bot.log() and "Traceback" not in bot.log()
