"""*Please call me* (issue 14): one urgent request per escalation per 10 minutes, however often it is
pressed; the member is told kindly that it arrived and what happens next."""

from __future__ import annotations

from datetime import timedelta

from sandbox.phones import wait_until
from tests.e2e.conftest import COUNSELLOR_ID, Harness


def _requests(harness: Harness) -> int:
    return sum("asks for a call now" in text for text in harness.texts(COUNSELLOR_ID))


async def test_fifteen_presses_send_one_request_and_the_member_hears_it_arrived(harness: Harness) -> None:
    harness.seed_centre()
    await harness.onboard(901, name="Ravi")
    harness.send(901, "I want to kill myself tonight")
    await harness.expect(901, "You are not alone")
    await harness.expect(COUNSELLOR_ID, "URGENT")
    toasts = []
    for _ in range(15):
        toasts.append(await harness.press(901, "call me"))
        await harness.settle()
    await harness.expect(COUNSELLOR_ID, "asks for a call now")
    await harness.expect(901, "I have it")
    await harness.settle()
    assert _requests(harness) == 1
    texts = harness.texts(901)
    assert sum("I've asked your counsellor to call you" in text for text in texts) == 1
    (again,) = [text for text in texts if "I have it" in text]  # once; the presses after it get a toast
    assert "within 10 minutes" in again and "14416" in again
    assert toasts.count("Received — your counsellor knows you asked for a call 🌿") == 13

    harness.clock.advance(timedelta(minutes=10, seconds=1))  # the cooldown is over: a new request goes
    await harness.press(901, "call me")
    await wait_until(lambda: _requests(harness) == 2, timeout=30)
