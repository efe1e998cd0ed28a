"""Bursts of button presses and their timing: ``press_buttons`` / ``POST /_control/press_many`` and
the ``pressed_at``/``answered_at`` of each callback answer (what the replies benchmark measures with,
from another process)."""

from __future__ import annotations

import asyncio
import contextlib
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup

from sandbox import BotApiEmulator, ControlError, EmulatorClient

TOKEN = "123456:TESTTOKEN"
USERS = (5101, 5102, 5103)
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
async def emu() -> AsyncIterator[BotApiEmulator]:
    emulator = BotApiEmulator()
    await emulator.start()
    for user_id in USERS:
        emulator.add_user(user_id, "Member")
    try:
        yield emulator
    finally:
        await emulator.stop()


def mood_keyboard() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton("Good", callback_data="mood:good"),
                InlineKeyboardButton("Low", callback_data="mood:low"),
            ]
        ]
    )


async def test_a_burst_of_presses_reaches_the_bot_together_and_answers_are_timed(emu: BotApiEmulator) -> None:
    async with Bot(TOKEN, base_url=emu.base_url) as bot:
        sent = {
            user_id: await bot.send_message(user_id, "How are you?", reply_markup=mood_keyboard()) for user_id in USERS
        }
        before = time.monotonic()
        ids = emu.press_buttons([(user_id, sent[user_id].message_id, "mood:good") for user_id in USERS])
        updates = await bot.get_updates(timeout=1)
        assert [u.callback_query.id for u in updates if u.callback_query is not None] == ids
        for query_id in reversed(ids):
            await bot.answer_callback_query(query_id)
        after = time.monotonic()
    answers = emu.callback_answers
    assert [a["callback_query_id"] for a in answers] == list(reversed(ids))
    assert all(before <= a["pressed_at"] <= a["answered_at"] <= after for a in answers)
    assert [a["user_id"] for a in answers] == list(reversed(USERS))


async def test_a_burst_is_all_or_nothing(emu: BotApiEmulator) -> None:
    async with Bot(TOKEN, base_url=emu.base_url) as bot:
        message = await bot.send_message(USERS[0], "How are you?", reply_markup=mood_keyboard())
    with pytest.raises(ValueError, match=r"(?i)shows no button"):
        emu.press_buttons([(USERS[0], message.message_id, "mood:good"), (USERS[0], message.message_id, "gone")])
    with pytest.raises(ValueError, match=r"(?i)unknown user"):
        emu.press_buttons([(USERS[0], message.message_id, "mood:good"), (999, message.message_id, "mood:good")])
    assert emu.pending_updates == 0
    assert len(emu.press_buttons([(USERS[0], message.message_id, "gone")], strict=False)) == 1  # a stale tap


async def test_the_control_api_presses_many_and_pages_the_answers(emu: BotApiEmulator) -> None:
    async with Bot(TOKEN, base_url=emu.base_url) as bot, EmulatorClient(emu.control_url) as client:
        messages = [await bot.send_message(user_id, "How are you?", reply_markup=mood_keyboard()) for user_id in USERS]
        ids = await client.press_buttons([(m.chat.id, m.message_id, "mood:low") for m in messages])
        assert len(set(ids)) == 3 and emu.pending_updates == 3
        await bot.answer_callback_query(ids[0], text="Noted")
        await bot.answer_callback_query(ids[1])
        assert [a["text"] for a in await client.callback_answers()] == ["Noted", None]
        assert [a["callback_query_id"] for a in await client.callback_answers(after=1)] == [ids[1]]
        assert await client.callback_answers(after=2) == []
        with pytest.raises(ControlError, match=r"(?i)shows no button"):
            await client.press_buttons([(USERS[0], messages[0].message_id, "nope")])
        assert emu.pending_updates == 3


async def test_a_standalone_emulator_times_answers_on_the_machine_s_monotonic_clock() -> None:
    """``python -m sandbox.emulator --port 0`` picks a free port; its times compare with ours."""
    child = subprocess.Popen(
        [sys.executable, "-m", "sandbox.emulator", "--port", "0", "--token", TOKEN],
        cwd=ROOT,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert child.stdout is not None
        lines = dict(child.stdout.readline().strip().partition("=")[::2] for _ in range(3))
        async with Bot(TOKEN, base_url=lines["base_url"]) as bot, EmulatorClient(lines["control_url"]) as client:
            await client.add_user(USERS[0], "Member")
            message = await bot.send_message(USERS[0], "How are you?", reply_markup=mood_keyboard())
            before = time.monotonic()
            (query_id,) = await client.press_buttons([(USERS[0], message.message_id, "mood:good")])
            await asyncio.sleep(0.01)
            await bot.answer_callback_query(query_id)
            after = time.monotonic()
            (answer,) = await client.callback_answers()
        assert before <= answer["pressed_at"] < answer["answered_at"] <= after
    finally:
        child.terminate()
        with contextlib.suppress(subprocess.TimeoutExpired):
            child.wait(timeout=10)
        if child.poll() is None:
            child.kill()
