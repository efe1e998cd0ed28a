"""A row whose send raises something that is not Telegram's answer is tried a few times, then set
aside, and its chat's later rows go on (bot/delivery/sender.py, MAX_UNKNOWN_ATTEMPTS)."""

from __future__ import annotations

import logging
from types import SimpleNamespace
from typing import Any

import pytest
from sqlmodel import select

from bot.clock import FakeClock
from bot.delivery.sender import MAX_UNKNOWN_ATTEMPTS, OutboxSender
from bot.services.context import ServiceContext
from bot.services.outbox import enqueue
from storage.outbox import queries as outbox_db
from storage.outbox.tables import OutboxMessage


class AcceptsButCannotBeRead:
    """A bot whose send of "poison" reaches the phone, and then the answer cannot be read."""

    def __init__(self) -> None:
        self.delivered: list[str] = []

    async def send_message(self, **kwargs: Any) -> SimpleNamespace:
        self.delivered.append(kwargs["text"])
        if kwargs["text"] == "poison":
            raise ValueError("the answer could not be read")
        return SimpleNamespace(message_id=len(self.delivered))


async def test_a_row_that_breaks_after_the_call_is_failed_after_a_few_attempts_and_its_chat_moves_on(
    services: ServiceContext, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    with services.uow() as session:
        enqueue(session, chat_id=901, text="poison", now=clock.now())
        enqueue(session, chat_id=901, text="after", now=clock.now())
        session.commit()
    bot = AcceptsButCannotBeRead()
    sender = OutboxSender(services.uow, clock, bot)  # type: ignore[arg-type]
    for _ in range(MAX_UNKNOWN_ATTEMPTS + 2):
        await sender.pump_once()
        clock.advance(minutes=5)  # past any backoff
    assert bot.delivered == ["poison"] * MAX_UNKNOWN_ATTEMPTS + ["after"]
    with services.uow() as session:
        rows = session.exec(select(OutboxMessage).order_by(OutboxMessage.id)).all()
        assert [(r.status, r.attempts, r.last_error) for r in rows] == [
            ("failed", MAX_UNKNOWN_ATTEMPTS, "ValueError"),
            ("sent", 0, None),
        ]
        assert outbox_db.outbox_backlog(session, clock.now())["failed"] == 1  # saathi status shows it
    assert f"failed after {MAX_UNKNOWN_ATTEMPTS} attempts (ValueError)" in caplog.text
    assert "poison" not in caplog.text
