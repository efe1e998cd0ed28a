"""The update id is stored in the same transaction as the handler's work (bot/services/updates.py)."""

from __future__ import annotations

import asyncio
import contextvars
import pytest
from sqlmodel import select

from bot.services import updates
from bot.services.outbox import enqueue
from storage.models import OutboxMessage, ProcessedUpdate


def _reply(services, text: str) -> None:  # type: ignore[no-untyped-def]
    """A use case: one outbox row, one commit."""
    with services.uow() as session:
        enqueue(session, chat_id=42, text=text, now=services.clock.now())
        session.commit()


def _state(services) -> tuple[list[int], list[str]]:  # type: ignore[no-untyped-def]
    with services.uow() as session:
        ids = list(session.exec(select(ProcessedUpdate.update_id)).all())
        texts = [row.payload["text"] for row in session.exec(select(OutboxMessage))]
    return ids, texts


def _in_update(fn, *args):  # type: ignore[no-untyped-def]
    """Run ``fn`` the way a handler runs: in a context of its own (python-telegram-bot's update task)."""
    return contextvars.copy_context().run(fn, *args)


def test_the_first_commit_of_an_update_carries_its_id(services) -> None:  # type: ignore[no-untyped-def]
    def handle() -> None:
        updates.begin(services, 501)
        _reply(services, "first")
        assert updates.recorded()
        _reply(services, "second")  # later commits do not insert it again
        updates.mark_handled(services, 501)  # group 1: nothing left to do
        updates.end()

    _in_update(handle)
    assert _state(services) == ([501], ["first", "second"])


def test_work_that_rolls_back_leaves_the_update_unhandled(services) -> None:  # type: ignore[no-untyped-def]
    def handle() -> None:
        updates.begin(services, 502)
        with services.uow() as session:
            enqueue(session, chat_id=42, text="lost with the crash", now=services.clock.now())
            session.flush()
            session.rollback()  # the process died before its commit: neither is stored
        assert not updates.recorded()

    _in_update(handle)
    assert _state(services) == ([], [])
    assert 502 not in _state(services)[0]  # a re-send of 502 is handled as new


def test_a_second_handling_of_the_same_update_rolls_back_whole(services) -> None:  # type: ignore[no-untyped-def]
    def first() -> None:
        updates.begin(services, 503)
        _reply(services, "once")

    def second() -> None:  # another worker, or a re-send racing past the guard
        updates.begin(services, 503)
        with pytest.raises(updates.UpdateAlreadyHandled):
            _reply(services, "twice")
        assert not updates.recorded()
        updates.mark_handled(services, 503)  # harmless

    _in_update(first)
    _in_update(second)
    assert _state(services) == ([503], ["once"])


def test_work_outside_an_update_records_nothing(services) -> None:  # type: ignore[no-untyped-def]
    _reply(services, "due scan")
    assert _state(services) == ([], ["due scan"])
    updates.mark_handled(services, 504)  # the guard dropping a group's update: its own short transaction
    updates.mark_handled(services, 504)
    assert _state(services)[0] == [504]


async def test_tasks_started_elsewhere_do_not_inherit_an_update(services) -> None:  # type: ignore[no-untyped-def]
    """The outbox sender and the jobs run in tasks of their own: their commits carry no update id."""
    async def sender_like() -> None:
        await asyncio.sleep(0)
        _reply(services, "sent by the sender")

    task = asyncio.create_task(sender_like())  # created before the update began, like the sender
    updates.begin(services, 505)
    await task
    updates.end()
    assert _state(services) == ([], ["sent by the sender"])

