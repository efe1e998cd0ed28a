"""A kill in the middle of a burst of check-ins repeats at most the one send truly in flight.

Each "sent" mark is committed as soon as Telegram's answer arrives (bot/delivery/sender.py); with
marks batched every 20 ms, one kill right after a burst re-sent 7 of 8 check-ins. The real
``saathi run`` in a child process sends thirty check-ins due at the same minute, paced at ten a
second, and is SIGKILLed once a third of them were delivered; the restarted bot sends the rest.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime

import pytest
from sqlmodel import select

from sandbox.emulator import BotApiEmulator
from storage.outbox.tables import OutboxMessage
from tests.e2e.processes import BotProcess, bot_env
from tests.e2e.test_crash import Centre

START = datetime(2026, 11, 25, 14, 29, 50, tzinfo=UTC)  # 19:59:50 in India; check-ins at 20:00
SPEED = 10.0  # the sender's 60 s lease is 6 real seconds: rows the killed bot held are sent soon after
MEMBERS = list(range(840001, 840031))
KILL_AFTER = 10  # delivered check-ins
QUESTION = "How is your mood"


@pytest.fixture
async def emu() -> AsyncIterator[BotApiEmulator]:
    emulator = BotApiEmulator()
    await emulator.start()
    try:
        yield emulator
    finally:
        await emulator.stop()


def _delivered(emu: BotApiEmulator) -> int:
    return sum(any(QUESTION in (m.text or "") for m in emu.messages(user_id)) for user_id in MEMBERS)


async def _until(predicate, timeout: float, what: str) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:g}s waiting for {what}")
        await asyncio.sleep(0.005)


async def test_a_kill_mid_burst_repeats_at_most_the_send_in_flight(
    one_database_url: str, emu: BotApiEmulator, bot_processes: Callable[..., BotProcess]
) -> None:
    centre = Centre(one_database_url, START)
    centre.members(emu, MEMBERS, ["20:00"] * len(MEMBERS))
    env = bot_env(
        emu,
        one_database_url,
        SAATHI_CLOCK_START=START.isoformat(),
        SAATHI_CLOCK_SPEED=str(SPEED),
        SAATHI_CLOCK_ANCHOR=repr(time.time()),
        SAATHI_DUE_SCAN_SECONDS="1",
        RATE_LIMIT_PER_SECOND="10",
    )  # real seconds: a send every 100 ms, one in flight at a time
    bot: BotProcess = bot_processes(env)
    bot.start()
    await bot.wait_ready()
    await _until(lambda: _delivered(emu) >= KILL_AFTER, 30, f"{KILL_AFTER} check-ins")
    bot.kill()
    at_kill = _delivered(emu)
    assert at_kill < len(MEMBERS)  # the kill came in the middle of the burst

    await bot.restart()
    await _until(lambda: _delivered(emu) == len(MEMBERS), 40, "every check-in")

    def drained() -> bool:
        with centre.ctx.uow() as session:
            return not session.exec(
                select(OutboxMessage).where(OutboxMessage.status.in_(("pending", "sending")))
            ).first()  # type: ignore[attr-defined]

    await _until(drained, 30, "the outbox to drain")
    bot.stop()
    copies = Counter(user_id for user_id in MEMBERS for m in emu.messages(user_id) if QUESTION in (m.text or ""))
    repeated = {user_id: n for user_id, n in copies.items() if n > 1}
    print(f"\nkill after {at_kill} of {len(MEMBERS)} check-ins; repeated after the restart: {repeated}")
    assert set(copies) == set(MEMBERS)
    assert sum(n - 1 for n in repeated.values()) <= 1, repeated
    assert "Traceback" not in bot.log()
    centre.dispose()
