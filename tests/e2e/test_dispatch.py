"""Dispatch against Telegram's limits: the real Application and its outbox sender, the emulator
enforcing the limits, and nothing throttled.

Most tests run the limits ten times faster on both sides (emulator 300/s overall and 10/s per
chat, the bot's limiter ``Limits().scaled(10)``), so a broadcast of hundreds takes a second or two;
the per-chat test runs at Telegram's real 1 message/s.
"""

from __future__ import annotations

import asyncio
import logging
import time
from contextlib import AsyncExitStack
from itertools import pairwise

import pytest
from sqlmodel import select

from bot.app import build_application, running
from bot.config import parse_settings
from bot.delivery.limiter import Limits
from bot.domain.outgoing import Priority
from bot.runtime import Saathi
from bot.services import admin, checkins
from bot.services.outbox import enqueue
from sandbox.phones import DEADLINE
from storage.migrate import upgrade
from storage.outbox.tables import OutboxMessage
from storage.people.tables import ConsentRecord, Member
from tests.e2e.conftest import COUNSELLOR_ID, EVENING_DUE, TOKEN, Harness

SCALE = 10


class DispatchHarness(Harness):
    """The e2e harness with the bot's own limiter set, not raised out of the way."""

    limits = Limits().scaled(SCALE)

    async def start_bot(self) -> Saathi:
        settings = parse_settings(
            {"TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_URL": self.emu.base_url, "DATABASE_URL": self.database_url}
        )
        upgrade(self.database_url)
        application = build_application(
            settings, clock=self.clock, with_jobs=False, sender_poll=0.05, limits=self.limits
        )
        self._stack = AsyncExitStack()
        self.saathi = await self._stack.enter_async_context(running(application))
        return self.saathi


@pytest.fixture
async def dispatch(database_url: str, clock) -> DispatchHarness:  # type: ignore[no-untyped-def]
    from sandbox.emulator import BotApiEmulator

    emu = BotApiEmulator()
    await emu.start()
    h = DispatchHarness(emu, database_url, clock)
    yield h  # type: ignore[misc]
    await h.stop_bot()
    await emu.stop()


def _broadcast(h: Harness, first_chat: int, count: int, *, priority: Priority = Priority.SCHEDULED) -> None:
    now = h.clock.now()
    for chat_id in range(first_chat, first_chat + count):
        h.emu.add_user(chat_id, "Member")
    with h.services.uow() as session:
        for chat_id in range(first_chat, first_chat + count):
            enqueue(
                session, chat_id=chat_id, text="How is your mood today?", now=now, priority=priority, purpose="checkin"
            )
        session.commit()


def _all_sent(h: Harness, count: int) -> bool:
    """Telegram has them all and the outbox has marked them."""
    if h.emu.stats["sent_messages"] < count:
        return False
    with h.services.uow() as session:
        return not session.exec(
            select(OutboxMessage.id).where(OutboxMessage.status.in_(("pending", "sending")))
        ).first()  # type: ignore[attr-defined]


async def _wait(predicate, timeout: float) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise TimeoutError("not done in time")
        await asyncio.sleep(0.02)


async def test_a_broadcast_at_the_ceiling_is_never_throttled(dispatch: DispatchHarness) -> None:
    h = dispatch
    h.emu.set_limits(overall_per_sec=30 * SCALE, per_chat_per_sec=SCALE, per_group_per_min=20 * SCALE)
    await h.start_bot()
    _broadcast(h, 20_000, 300)
    started = time.monotonic()
    assert h.saathi is not None
    h.saathi.kick()
    await _wait(lambda: _all_sent(h, 300), timeout=DEADLINE)
    took = time.monotonic() - started
    stats = h.emu.stats
    assert stats["rate_limited"] == 0
    assert stats["sent_messages"] == 300
    assert took >= 300 / (30 * SCALE)  # never faster than Telegram allows
    with h.services.uow() as session:
        assert all(row.status == "sent" for row in session.exec(select(OutboxMessage)))


async def test_an_urgent_alert_enqueued_mid_broadcast_goes_before_the_rest(dispatch: DispatchHarness) -> None:
    h = dispatch
    h.emu.set_limits(overall_per_sec=30 * SCALE, per_chat_per_sec=SCALE, per_group_per_min=20 * SCALE)
    await h.start_bot()
    h.emu.add_user(COUNSELLOR_ID, "Meera")
    _broadcast(h, 30_000, 600)  # two seconds at 280/s
    assert h.saathi is not None
    h.saathi.kick()
    await _wait(lambda: h.emu.stats["sent_messages"] >= 100, timeout=DEADLINE)
    with h.services.uow() as session:
        enqueue(
            session,
            chat_id=COUNSELLOR_ID,
            text="Urgent: please check on a member",
            now=h.clock.now(),
            priority=Priority.URGENT,
            purpose="escalation",
        )
        session.commit()
    waiting = 600 - h.emu.stats["sent_messages"]  # the broadcast still to go when the alert was enqueued
    h.saathi.kick()
    alert = await h.expect(COUNSELLOR_ID, "Urgent", timeout=DEADLINE)
    await _wait(lambda: _all_sent(h, 601), timeout=DEADLINE)
    # Decided in the order the emulator accepted the messages, however fast the machine is: the alert
    # takes the next free slot and token, ahead of the rest of the broadcast.
    overtaken = sum(1 for chat in range(30_000, 30_600) for m in h.emu.messages(chat) if m.sent_at > alert.sent_at)
    assert overtaken >= waiting // 2, (overtaken, waiting)
    assert h.emu.stats["rate_limited"] == 0


async def test_one_chat_gets_at_most_one_message_a_second(dispatch: DispatchHarness) -> None:
    h = dispatch
    h.limits = Limits()  # Telegram's real limits on both sides
    h.emu.set_limits()
    await h.start_bot()
    h.emu.add_user(40_001, "Member")
    now = h.clock.now()
    with h.services.uow() as session:
        for index in range(4):
            enqueue(session, chat_id=40_001, text=f"part {index + 1}", now=now, priority=Priority.REPLY)
        session.commit()
    assert h.saathi is not None
    h.saathi.kick()
    await _wait(lambda: _all_sent(h, 4), timeout=DEADLINE)
    sent = h.emu.messages(40_001)
    assert [m.text for m in sent] == ["part 1", "part 2", "part 3", "part 4"]  # in order
    assert all(b.sent_at - a.sent_at >= 1.0 for a, b in pairwise(sent))
    assert h.emu.stats["rate_limited"] == 0


async def test_paid_broadcast_check_ins_reach_telegram_flagged_and_above_the_free_rate(
    dispatch: DispatchHarness,
) -> None:
    h = dispatch
    h.limits = Limits(overall_per_sec=5)  # a small free ceiling, so the paid lane shows
    h.emu.set_limits(overall_per_sec=6, per_chat_per_sec=1, per_group_per_min=20, paid_per_sec=1000)
    await h.start_bot()
    h.seed_centre()
    admin.add_center(h.services, "Free Kendra", "Asia/Kolkata")
    admin.configure_center(h.services, "Asha Kendra", allow_paid_broadcast=True)
    await _seed_due_members(h, "Asha Kendra", range(50_000, 50_060))
    await _seed_due_members(h, "Free Kendra", range(51_000, 51_003))
    h.clock.set(EVENING_DUE)
    h.emu.reset_stats()
    assert checkins.run_due_checkins(h.services) == 63
    assert h.saathi is not None
    h.saathi.kick()
    await _wait(lambda: _all_sent(h, 63), timeout=DEADLINE)
    stats = h.emu.stats
    assert stats["rate_limited"] == 0
    assert stats["paid_broadcasts"] >= 50
    # faster than the free ceiling alone allows: some second of the emulator's own record holds more than 6
    accepted = sorted(
        m.sent_at for chat in [*range(50_000, 50_060), *range(51_000, 51_003)] for m in h.emu.messages(chat)
    )
    assert max(sum(1 for later in accepted if 0 <= later - at < 1.0) for at in accepted) > 6
    assert not any(m.allow_paid_broadcast for chat in range(51_000, 51_003) for m in h.emu.messages(chat))
    assert any(m.allow_paid_broadcast for chat in range(50_000, 50_060) for m in h.emu.messages(chat))


async def test_the_sender_logs_its_backlog(dispatch: DispatchHarness, caplog: pytest.LogCaptureFixture) -> None:
    h = dispatch
    h.limits = Limits(overall_per_sec=50)
    await h.start_bot()
    with caplog.at_level(logging.INFO, logger="bot.delivery.sender"):
        _broadcast(h, 60_000, 300)
        assert h.saathi is not None
        h.saathi.kick()
        await _wait(lambda: any("outbox backlog" in r.getMessage() for r in caplog.records), timeout=DEADLINE)
    line = next(r.getMessage() for r in caplog.records if "outbox backlog" in r.getMessage())
    assert "300 due" in line and "about 6 s to drain at 50/s" in line


async def _seed_due_members(h: Harness, centre: str, user_ids: range) -> None:
    """Active members with an evening check-in, written directly (onboarding each is not the point here)."""
    from datetime import time as dtime

    from bot.domain.scheduling import next_checkin_due
    from bot.services.onboarding import CONSENT_VERSION

    now = h.clock.now()
    with h.services.uow() as session:
        center = admin._center(session, centre)
        for user_id in user_ids:
            h.emu.add_user(user_id, "Member")
            member = Member(
                center_id=center.id or 0,
                telegram_user_id=user_id,
                chat_id=user_id,
                display_name="Member",
                pseudonym=f"Member {user_id}",
                language="en",
                timezone="Asia/Kolkata",
                status="active",
                onboarding_step=None,
                checkin_time="20:00",
                created_at=now,
                next_checkin_due_at=next_checkin_due(now, "Asia/Kolkata", dtime(20, 0), None),
            )
            session.add(member)
            session.flush()
            session.add(
                ConsentRecord(
                    member_id=member.id or 0, version=CONSENT_VERSION, accepted=True, language="en", created_at=now
                )
            )
        session.commit()
