"""Telegram misbehaving for a whole simulated day: every check-in and every escalation still arrives, once."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import COUNSELLOR_ID, Harness

MEMBERS = [901, 902, 903, 904, 905]


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_thirty_percent_failures_for_a_day_lose_and_double_nothing(harness: Harness) -> None:
    harness.seed_centre()
    for user_id in MEMBERS:
        await harness.onboard(user_id)
    harness.emu.set_failure_rate(0.3, seed=2026)
    for step in range(24 * 4):  # a day in quarter hours, from 08:30 India time
        harness.clock.advance(minutes=15)
        if step == 40:  # 18:45: someone in danger while Telegram is flaky
            harness.send(MEMBERS[0], "I want to end my life")
        await harness.tick()
    harness.emu.set_failure_rate(0.0)
    for _ in range(12):  # let the last backoffs (up to 5 minutes) come due
        harness.clock.advance(minutes=5)
        await harness.tick()
    assert harness.emu.stats["injected_failures"] > 10
    for user_id in MEMBERS:
        assert sum("Time for today's check-in" in t for t in harness.texts(user_id)) == 1, user_id
    alerts = [t for t in harness.texts(COUNSELLOR_ID) if "URGENT" in t]
    # the first alert exactly once; later ones are the deliberate re-alerts nobody acknowledged
    assert sum("Nobody has acknowledged" not in t for t in alerts) == 1
    assert len(alerts) >= 2
    assert sum("You are not alone" in t for t in harness.texts(MEMBERS[0])) == 1
