"""The sender commits each "sent" mark as Telegram's answer arrives; a refused mark waits for the next try;
what that means for a row in flight and for /forget."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlmodel import select

from bot.clock import FakeClock
from bot.delivery.sender import LEASE, OutboxSender
from bot.services import privacy
from bot.services.context import ServiceContext
from bot.services.outbox import enqueue
from storage.outbox import queries as outbox_db
from storage.outbox.tables import OutboxMessage
from tests.storage.helpers import member, onboard, seed_centre


def _claimed(ctx: ServiceContext, chat_id: int, texts: list[str]) -> list[OutboxMessage]:
    now = ctx.clock.now()
    with ctx.uow() as session:
        for text in texts:
            enqueue(session, chat_id=chat_id, text=text, now=now)
        session.commit()
    with ctx.uow() as session:
        rows = outbox_db.claim_outbox(session, now, 100, now + LEASE)
        session.commit()
        return [row for row in rows if row.chat_id == chat_id and row.payload.get("text") in texts]


def _statuses(ctx: ServiceContext, ids: list[int | None]) -> list[tuple[str, Any]]:
    with ctx.uow() as session:
        rows = {row.id: row for row in session.exec(select(OutboxMessage)).all()}
    return [(rows[i].status, rows[i].telegram_message_id) for i in ids]


async def test_each_mark_is_committed_as_its_answer_arrives(services: ServiceContext) -> None:
    sender = OutboxSender(services.uow, services.clock, bot=None)  # type: ignore[arg-type]
    rows = _claimed(services, 501, ["one", "two", "three"])
    for number, row in enumerate(rows, start=100):
        await sender.outcomes.sent(row, number)  # Telegram accepted it
        # a kill right now repeats nothing that was marked before
        assert _statuses(services, [row.id]) == [("sent", number)]
    assert _statuses(services, [r.id for r in rows]) == [("sent", 100), ("sent", 101), ("sent", 102)]
    assert sender.sent_count == 3
    sender.flush_marks()  # nothing waiting: nothing happens
    assert sender.sent_count == 3


async def test_a_refused_flush_keeps_its_marks_for_the_next(services: ServiceContext) -> None:
    calls = {"n": 0}

    def failing_once() -> Any:
        calls["n"] += 1
        if calls["n"] == 1:
            raise RuntimeError("database unavailable")
        return services.uow()

    sender = OutboxSender(failing_once, services.clock, bot=None)  # type: ignore[arg-type]
    (row,) = _claimed(services, 502, ["hello"])
    await sender.outcomes.sent(row, 7)  # the database refuses this one
    assert _statuses(services, [row.id]) == [("sending", None)]  # still under its lease: nobody sends it again
    sender.flush_marks()  # the sender's next claim begins with this
    assert _statuses(services, [row.id]) == [("sent", 7)]
    await sender.stop()


async def test_forget_while_a_message_is_in_flight_leaves_no_words_or_address(
    services: ServiceContext, clock: FakeClock
) -> None:
    seed_centre(services)
    onboard(services, 801)
    asha = member(services, 801)
    (in_flight,) = _claimed(services, 801, ["Asha, here is your note: rough evening"])
    with services.uow() as session:
        stored = session.get(type(asha), asha.id)
        assert stored is not None
        privacy.forget(session, stored, clock.now(), services)
        session.commit()
    with services.uow() as session:
        row = session.get(OutboxMessage, in_flight.id)
        assert row is not None
        assert row.status == "cancelled" and row.chat_id != 801 and "rough evening" not in str(row.payload)
    sender = OutboxSender(services.uow, services.clock, bot=None)  # type: ignore[arg-type]
    # if Telegram had it, the mark records that it went; if not, the row is never sent again
    failed_copy = in_flight.model_copy()
    assert sender.outcomes.retry(failed_copy, timedelta(seconds=5), "NetworkError", count_attempt=True)
    with services.uow() as session:
        row = session.get(OutboxMessage, in_flight.id)
        assert row is not None and row.status == "cancelled"
    await sender.outcomes.sent(in_flight, 55)
    sender.flush_marks()
    with services.uow() as session:
        row = session.get(OutboxMessage, in_flight.id)
        assert row is not None and row.status == "sent" and row.chat_id != 801
        assert "rough evening" not in str(row.payload)
