"""Logs never hold message text, names or tokens — scanned over a real end-to-end run at DEBUG."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import COUNSELLOR_ID, EVENING_DUE, TOKEN, Harness

SECRET_NAME = "Zorawar"
SECRET_NOTE = "purple elephant under the banyan"
SECRET_DANGER = "I want to end my life near the old water tank"


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_a_day_at_debug_level_logs_no_text_names_or_token(
    harness: Harness, debug_logging: pytest.LogCaptureFixture
) -> None:
    harness.seed_centre()
    await harness.onboard(951, name=SECRET_NAME)
    harness.clock.set(EVENING_DUE)
    await harness.tick()
    await harness.press(951, "2 🙁")
    await harness.press(951, "4")
    await harness.press(951, "None today")
    await harness.press(951, "No")
    harness.send(951, SECRET_NOTE)
    await harness.expect(951, "Thank you for checking in")
    harness.send(951, SECRET_DANGER)
    await harness.expect(COUNSELLOR_ID, "URGENT")
    logged = "\n".join(f"{r.name} {r.getMessage()} {r.exc_text or ''}" for r in debug_logging.records)
    assert len(debug_logging.records) > 10  # the run did log
    for secret in (TOKEN, TOKEN.split(":")[1], SECRET_NAME, SECRET_NOTE, "water tank", "end my life"):
        assert secret not in logged, secret
