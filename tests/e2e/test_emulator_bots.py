"""Several bots on one emulator, as Telegram serves every bot from one host: each token reaches a bot
with a world of its own (sandbox/emulator.py: ``add_bot``), driven by real python-telegram-bot objects."""

from __future__ import annotations

import pytest
from telegram import Bot
from telegram.error import BadRequest, Forbidden

from sandbox import BotApiEmulator

FIRST, SECOND = "123456:FIRSTTOKEN", "777001:SECONDTOKEN"
ASHA = 4242


async def test_two_tokens_reach_two_bots_that_share_nothing() -> None:
    async with BotApiEmulator() as emu:
        await _two_bots(emu)


async def _two_bots(emu: BotApiEmulator) -> None:
    second = emu.add_bot(SECOND, username="disha_kendra_bot", first_name="Disha")
    assert second.base_url == emu.base_url  # one host, the token tells the bots apart
    second.add_user(ASHA, "Asha")  # Asha started the second bot only
    async with (
        Bot(FIRST, base_url=emu.base_url) as first_bot,
        Bot(SECOND, base_url=second.base_url) as second_bot,
    ):
        assert (first_bot.username, second_bot.username) == ("saathi_demo_bot", "disha_kendra_bot")
        assert second_bot.id == 777001
        with pytest.raises(Forbidden, match="can't initiate conversation"):
            await first_bot.send_message(ASHA, "hello")  # she never started the first bot
        with pytest.raises(BadRequest, match="(?i)chat not found"):
            await second_bot.send_message(999, "hello")  # nobody Telegram knows
        sent = await second_bot.send_message(ASHA, "hello")
        assert sent.from_user is not None and sent.from_user.username == "disha_kendra_bot"
        second.send_text(ASHA, "/start")
        assert await first_bot.get_updates(timeout=0) == ()
        (update,) = await second_bot.get_updates(timeout=0)
        assert update.effective_message is not None and update.effective_message.text == "/start"
    assert [m.text for m in second.messages(ASHA)] == ["hello"] and emu.messages(ASHA) == []
    assert second.stats["sent_messages"] == 1 and emu.stats["sent_messages"] == 0
    with pytest.raises(ValueError):
        emu.add_bot(SECOND, username="again")
    await emu.reset()  # the second bot keeps its name, forgets its world
    assert second.bot_user["username"] == "disha_kendra_bot" and second.messages(ASHA) == []
