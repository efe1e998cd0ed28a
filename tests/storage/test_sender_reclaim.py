"""A row the sender has delivered is never delivered again by the same sender, even when its lease runs
out before its "sent" mark is committed and a claim takes it back (the sandbox's clock jumps hours at
once; a slow database does the same to a real lease)."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace
from typing import Any

from bot.clock import FakeClock
from bot.delivery.sender import LEASE, OutboxSender
from bot.services.context import ServiceContext
from bot.services.outbox import enqueue
from tests.storage.helpers import outbox


class FakeBot:
    """Telegram accepting every message and remembering what it was asked to send."""

    def __init__(self) -> None:
        self.sent: list[str] = []

    async def send_message(self, *, chat_id: int, text: str, **_: Any) -> SimpleNamespace:
        self.sent.append(text)
        return SimpleNamespace(message_id=len(self.sent))


async def _deliver_claimed(sender: OutboxSender) -> None:
    """One claim, delivered, with the "sent" marks left uncommitted (as they are for MARK_DELAY)."""
    sender._dispatch(sender.claim())
    while sender._workers:
        await asyncio.gather(*list(sender._workers.values()))


async def test_a_delivered_row_claimed_again_before_its_mark_is_not_sent_twice(
    services: ServiceContext, clock: FakeClock
) -> None:
    bot = FakeBot()
    sender = OutboxSender(services.uow, clock, bot)  # type: ignore[arg-type]
    with services.uow() as session:
        enqueue(session, chat_id=501, text="I've asked your counsellor to reach out", now=clock.now())
        session.commit()
    await _deliver_claimed(sender)
    assert bot.sent == ["I've asked your counsellor to reach out"]
    clock.advance(seconds=LEASE.total_seconds() + 60)  # the lease ran out while the mark waited
    await _deliver_claimed(sender)
    sender.flush_marks()
    assert bot.sent == ["I've asked your counsellor to reach out"]
    assert [(row.status, row.telegram_message_id) for row in outbox(services, 501)] == [("sent", 1)]
