"""Contact details in disguise reach neither a circle nor a sponsor (issue 14, over the emulator):
zero-width characters inside a phone number or handle, spelled-out e-mails, spaced-out links."""

from __future__ import annotations

import re

from sandbox.phones import wait_until
from tests.e2e.conftest import Harness
from tests.e2e.test_circles import A, B, C, _circle, _later, _risk_rules, _write  # noqa: F401  (fixture)
from tests.e2e.test_sponsors import MENTEE_ID, SPONSOR_ID, with_sponsor

DISGUISES = (
    "call me 98\u200b76\u200b54\u200b32\u200b10",
    "ping @zora\u200bwar_k",
    "zorawar [at] gmail [dot] com",
    "zorawar at gmail dot com",
    "t . me / zorawar",
    "@ z o r a",
    "98 76 54 32 10",
    "9876-543-210",
)


async def test_disguised_contact_details_stay_out_of_a_circle(harness: Harness) -> None:
    await _circle(harness)
    for number, text in enumerate(DISGUISES, start=1):
        _write(harness, A, text)
        await _refusals(harness, A, "didn't share that one", number)
    await _later(harness, 2)
    _write(harness, A, "90 days today, craving 7 at 7:30 and it passed")
    await harness.expect(B, "90 days today")
    for user_id in (B, C):
        assert not _leaked(harness.texts(user_id))


async def test_disguised_contact_details_do_not_reach_a_sponsor(harness: Harness) -> None:
    await with_sponsor(harness)
    for number, text in enumerate(DISGUISES, start=1):
        harness.send(MENTEE_ID, f"/reply {text}")
        await _refusals(harness, MENTEE_ID, "aren't passed on", number)
    await harness.settle()
    assert not _leaked(harness.texts(SPONSOR_ID))


def _leaked(texts: list[str]) -> list[str]:
    """Texts holding the handle or the phone number's digits in any spacing (a pseudonym's two-digit
    number, such as "Kingfisher 98", is not a leak)."""
    return [text for text in texts if "zora" in text.lower() or "76543" in re.sub(r"\D", "", text)]


async def _refusals(harness: Harness, user_id: int, words: str, count: int) -> None:
    """Until the ``count``-th refusal reached the author (decided by what arrived, not by a delay)."""
    await wait_until(lambda: sum(words in text for text in harness.texts(user_id)) == count, timeout=30)
