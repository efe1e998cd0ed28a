"""One sender, two channels: a Telegram backlog waiting for Telegram's rate does not hold WhatsApp's
rows back (bot/delivery/sender.py claims each channel against its own budget once a WhatsApp number
exists; docs/performance.md, "WhatsApp and Telegram together")."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace
from typing import Any

from bot.clock import FakeClock
from bot.delivery.limiter import Limits, memory_limiter
from bot.delivery.sender import OutboxSender
from bot.delivery.whatsapp import Outcome
from bot.domain import channels
from bot.domain.outgoing import Priority
from bot.services.context import ServiceContext
from bot.services.outbox import enqueue
from storage.outbox.tables import OutboxMessage

TELEGRAM_ROWS = 200
WHATSAPP_ROWS = 5


class Telegram:
    def __init__(self) -> None:
        self.sent: list[int] = []

    async def send_message(self, **kwargs: Any) -> SimpleNamespace:
        self.sent.append(kwargs["chat_id"])
        return SimpleNamespace(message_id=len(self.sent))


class WhatsApp:
    """The WhatsApp sender's face toward the outbox sender: one number, every call accepted."""

    rate = 79.0

    def __init__(self) -> None:
        self.sent: list[int] = []

    def has_accounts(self) -> bool:
        return True

    async def deliver(self, row: OutboxMessage) -> Outcome:
        self.sent.append(row.chat_id)
        return Outcome("sent")

    async def aclose(self) -> None:
        return None


async def test_whatsapp_rows_go_while_an_earlier_telegram_backlog_waits_for_its_rate(
    services: ServiceContext, clock: FakeClock
) -> None:
    whatsapp_chats = [channels.whatsapp_key(n) for n in range(1, WHATSAPP_ROWS + 1)]
    with services.uow() as session:
        for chat in range(1000, 1000 + TELEGRAM_ROWS):  # due first, in the same lane
            enqueue(session, chat_id=chat, text="check-in", now=clock.now(), priority=Priority.SCHEDULED)
        for chat in whatsapp_chats:
            enqueue(session, chat_id=chat, text="check-in", now=clock.now(), priority=Priority.SCHEDULED)
        session.commit()
    telegram, whatsapp = Telegram(), WhatsApp()
    # Telegram at 2 messages a second: its 200 rows would take 100 s, and one shared claim (50 rows,
    # in due order) would reach WhatsApp's rows only once every Telegram row had been claimed
    sender = OutboxSender(
        services.uow,
        clock,
        telegram,  # type: ignore[arg-type]
        limiter=memory_limiter(Limits(overall_per_sec=2.0)),
        whatsapp=whatsapp,  # type: ignore[arg-type]
        idle_poll=0.05,
    )
    sender.start()
    try:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 60  # a generous bound for a loaded machine; it takes milliseconds
        while len(whatsapp.sent) < WHATSAPP_ROWS and loop.time() < deadline:
            await asyncio.sleep(0.01)
        telegram_by_then = len(telegram.sent)
    finally:
        await sender.stop()
    assert sorted(whatsapp.sent) == sorted(whatsapp_chats)
    # WhatsApp's rows did not wait for the Telegram backlog: most of it was still waiting for tokens
    assert telegram_by_then < TELEGRAM_ROWS // 2
