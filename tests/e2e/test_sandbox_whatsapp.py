"""``saathi sandbox --channel whatsapp|both``: the demo day over the WhatsApp Cloud API emulator, offline.

The day itself stops with DemoStuck when a step's message never comes; these tests read the
printed transcript (what each phone showed) and the summary, as a director trying the sandbox would.
"""

from __future__ import annotations

import pytest

from bot.cli import main
from sandbox.demo import play_demo_day

KAVITA = "Kavita (member on WhatsApp, English)"


def whatsapp_screens(transcript: list[str]) -> list[str]:
    """The text of each message Kavita's WhatsApp showed, in order."""
    screens: list[str] = []
    reading = False
    for line in transcript:
        if line.startswith(f"  📱 {KAVITA} sees on WhatsApp:"):
            screens.append("")
            reading = True
        elif reading and line.startswith("     │ "):
            screens[-1] += line.removeprefix("     │ ") + "\n"
        else:
            reading = False
    return screens


def test_saathi_sandbox_on_whatsapp_onboards_a_member_who_checks_in(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)
    assert main(["sandbox", "--channel", "whatsapp", "--no-console"]) == 0
    lines = capsys.readouterr().out.splitlines()
    screens = whatsapp_screens(lines)
    # onboarding: language, consent, time, then the welcome with her pseudonym
    assert screens[0].startswith("Namaste") and "[English]" in screens[0]
    assert any("Who sees what" in s and "[I agree]" in s for s in screens)
    welcome = next(s for s in screens if s.startswith("All set"))
    assert "only your counsellor knows your name" in welcome
    # the evening check-in inside her window: the mood scale as a list, answered to the end
    checkin = next(i for i, s in enumerate(screens) if "Time for today's check-in" in s)
    assert "(list) [1 😞] [2 🙁] [3 😐] [4 🙂] [5 😄]" in screens[checkin]
    assert f"  📱 {KAVITA} → [4 🙂]" in lines
    assert any("Reply with the number" in s for s in screens[checkin:])  # more than 10 choices: typed
    assert screens[-1].startswith("Thank you for checking in")
    assert "to 1 WhatsApp phone" in lines[-1] and "Nothing left this machine" in lines[-1]


async def test_the_demo_day_on_both_channels_plays_telegram_and_whatsapp_members() -> None:
    lines: list[str] = []
    assert await play_demo_day(out=lines.append, channel="both") == 0
    screens = whatsapp_screens(lines)
    assert screens and screens[-1].startswith("Thank you for checking in")
    transcript = "\n".join(lines)
    for seen in ("Ravi (member, English) sees", "Sunita (member, हिन्दी) sees", "Meera (counsellor) sees"):
        assert seen in transcript
    assert "4 Telegram phones and" in lines[-1]
