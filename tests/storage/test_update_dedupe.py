"""An update's inbox row is marked handled in the same transaction as the handler's work
(bot/services/updates.py, storage/inbox.py)."""

from __future__ import annotations

import asyncio
import contextvars

import pytest
from sqlmodel import select

from bot.services import updates
from bot.services.outbox import enqueue
from storage import inbox
from storage.inbox import InboxUpdate, Received
from storage.outbox.tables import OutboxMessage


@pytest.fixture(autouse=True)
def _dedupe_registered() -> None:
    """What bot/app.py does when it builds the application (idempotent)."""
    updates.install()


def _reply(services, text: str) -> None:  # type: ignore[no-untyped-def]
    """A use case: one outbox row, one commit."""
    with services.uow() as session:
        enqueue(session, chat_id=42, text=text, now=services.clock.now())
        session.commit()


def _store(services, *update_ids: int, text: str = "hello") -> inbox.Stored:  # type: ignore[no-untyped-def]
    with services.uow() as session:
        stored = inbox.store(
            session,
            [Received(i, 42, {"update_id": i, "message": {"text": text}}) for i in update_ids],
            services.clock.now(),
        )
        session.commit()
    return stored


def _state(services) -> tuple[list[int], list[str]]:  # type: ignore[no-untyped-def]
    """(handled update ids, outbox texts)"""
    with services.uow() as session:
        ids = list(session.exec(select(InboxUpdate.update_id).where(InboxUpdate.status == inbox.HANDLED)).all())
        texts = [row.payload["text"] for row in session.exec(select(OutboxMessage))]
    return ids, texts


def _in_update(fn, *args):  # type: ignore[no-untyped-def]
    """Run ``fn`` the way a handler runs: in a context of its own (python-telegram-bot's update task)."""
    return contextvars.copy_context().run(fn, *args)


def test_the_first_commit_of_an_update_marks_it_handled(services) -> None:  # type: ignore[no-untyped-def]
    _store(services, 501)

    def handle() -> None:
        with updates.handling(services, 501):
            _reply(services, "first")
            assert updates.recorded()
            _reply(services, "second")  # later commits do not mark it again
            assert updates.mark_handled(services)  # nothing left to do

    _in_update(handle)
    assert _state(services) == ([501], ["first", "second"])
    with services.uow() as session:
        row = session.get(InboxUpdate, 501)
        assert row is not None and row.payload is None  # the member's words do not stay in the inbox


def test_work_that_rolls_back_leaves_the_update_pending(services) -> None:  # type: ignore[no-untyped-def]
    _store(services, 502)

    def handle() -> None:
        with updates.handling(services, 502), services.uow() as session:
            enqueue(session, chat_id=42, text="lost with the crash", now=services.clock.now())
            session.flush()
            session.rollback()  # the process died before its commit: neither is stored
            assert not updates.recorded()

    _in_update(handle)
    assert _state(services) == ([], [])
    with services.uow() as session:
        assert inbox.due(session, services.clock.now(), 10)[0].update_id == 502  # handled again later


def test_a_second_handling_of_the_same_update_rolls_back_whole(services) -> None:  # type: ignore[no-untyped-def]
    _store(services, 503)

    def first() -> None:
        with updates.handling(services, 503):
            _reply(services, "once")

    def second() -> None:  # another worker, or a re-send racing past the inbox
        with updates.handling(services, 503) as handling:
            with pytest.raises(updates.UpdateAlreadyHandled):
                _reply(services, "twice")
            assert not updates.recorded() and handling.already_handled
            assert not updates.mark_handled(services)

    _in_update(first)
    _in_update(second)
    assert _state(services) == ([503], ["once"])
    assert _store(services, 503).status == {503: inbox.HANDLED}  # a re-send finds it handled


def test_a_failed_handler_marks_nothing_even_when_something_commits_after_it(services) -> None:  # type: ignore[no-untyped-def]
    _store(services, 506)

    def handle() -> None:
        with updates.handling(services, 506):
            updates.failed(RuntimeError("the handler broke"))
            _reply(services, "an error handler's own commit")

    _in_update(handle)
    assert _state(services) == ([], ["an error handler's own commit"])


def test_work_outside_an_update_marks_nothing(services) -> None:  # type: ignore[no-untyped-def]
    _store(services, 504)
    _reply(services, "due scan")
    assert _state(services) == ([], ["due scan"])


def test_a_stored_batch_reports_chats_waiting_behind_an_older_pending_row(services) -> None:  # type: ignore[no-untyped-def]
    _store(services, 600)  # chat 42's update, not handled yet
    with services.uow() as session:
        stored = inbox.store(
            session,
            [Received(601, 42, {"update_id": 601}), Received(602, 43, {"update_id": 602})],
            services.clock.now(),
        )
        session.commit()
    assert stored.status == {601: inbox.PENDING, 602: inbox.PENDING}
    assert stored.waiting_chats == {42}


def test_text_with_a_nul_byte_is_stored(services) -> None:  # type: ignore[no-untyped-def]
    _store(services, 700, text="before\x00after")
    with services.uow() as session:
        (row,) = inbox.due(session, services.clock.now(), 10)
        assert '"before\\u0000after"' in (row.payload or "")


async def test_tasks_started_elsewhere_do_not_inherit_an_update(services) -> None:  # type: ignore[no-untyped-def]
    """The outbox sender and the jobs run in tasks of their own: their commits carry no update id."""
    _store(services, 505)

    async def sender_like() -> None:
        await asyncio.sleep(0)
        _reply(services, "sent by the sender")

    task = asyncio.create_task(sender_like())  # created before the update began, like the sender
    with updates.handling(services, 505):
        await task
    assert _state(services) == ([], ["sent by the sender"])


def test_housekeeping_forgets_done_updates_after_two_days_and_keeps_pending_ones(services, clock) -> None:  # type: ignore[no-untyped-def]
    def handle(update_id: int) -> None:
        with updates.handling(services, update_id):
            _reply(services, f"answer to {update_id}")

    _store(services, 801, 802)
    _in_update(handle, 801)
    clock.advance(days=2, minutes=1)
    _store(services, 803)  # a fresh one, handled: it stays for its own two days
    _in_update(handle, 803)
    assert updates.forget_old(services) == 1
    with services.uow() as session:
        assert {row.update_id: row.status for row in session.exec(select(InboxUpdate))} == {
            802: "pending",
            803: "handled",
        }
