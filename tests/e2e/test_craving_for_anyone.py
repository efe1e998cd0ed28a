"""/craving answers anyone with coping help (issue 14): someone with no invite, someone halfway
through joining, in their phone's language; joining then carries on where it was."""

from __future__ import annotations

from bot.i18n import t
from tests.e2e.conftest import Harness


async def test_craving_helps_a_newcomer_and_someone_still_joining(harness: Harness) -> None:
    harness.seed_centre()
    harness.phone(951, "Guest", language_code="hi")
    harness.send(951, "/craving")
    help_text = await harness.expect(951, t("hi", "craving-toolkit"))
    assert "14416" in help_text.text and not help_text.buttons()  # nothing to log for someone unknown

    harness.phone(952, "Joining")
    harness.send(952, f"/start {harness.invite()}")
    await harness.expect(952, "Which language")
    harness.send(952, "/craving")
    await harness.expect(952, "Cravings rise and fall")
    await harness.press(952, "English")
    await harness.expect(952, "Who sees what")
    await harness.press(952, "I agree")
    await harness.expect(952, "What time")
