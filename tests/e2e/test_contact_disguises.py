"""Contact details in disguise reach neither a circle nor a sponsor (issue 14, over the emulator):
zero-width characters inside a phone number or handle, spelled-out e-mails, spaced-out links."""

from __future__ import annotations

from tests.e2e.conftest import Harness
from tests.e2e.test_circles import A, B, C, _circle, _later, _risk_rules, _write  # noqa: F401  (fixture)
from tests.e2e.test_sponsors import MENTEE_ID, SPONSOR_ID, with_sponsor

DISGUISES = ("call me 98\u200b76\u200b54\u200b32\u200b10", "ping @zora\u200bwar_k",
             "zorawar [at] gmail [dot] com", "zorawar at gmail dot com", "t . me / zorawar", "@ z o r a",
             "98 76 54 32 10", "9876-543-210")


async def test_disguised_contact_details_stay_out_of_a_circle(harness: Harness) -> None:
    await _circle(harness)
    for text in DISGUISES:
        _write(harness, A, text)
        await _later(harness, 2)
    assert sum("didn't share that one" in text for text in harness.texts(A)) == len(DISGUISES)
    _write(harness, A, "90 days today, craving 7 at 7:30 and it passed")
    await harness.expect(B, "90 days today")
    for user_id in (B, C):
        received = "\n".join(harness.texts(user_id))
        assert "zora" not in received.lower() and "98" not in received and "54 32" not in received


async def test_disguised_contact_details_do_not_reach_a_sponsor(harness: Harness) -> None:
    await with_sponsor(harness)
    for text in DISGUISES:
        harness.send(MENTEE_ID, f"/reply {text}")
        await harness.settle()
    assert sum("aren't passed on" in text for text in harness.texts(MENTEE_ID)) == len(DISGUISES)
    received = "\n".join(harness.texts(SPONSOR_ID))
    assert "zora" not in received.lower() and "98" not in received
