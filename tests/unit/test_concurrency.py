"""Handling updates side by side: a lane per chat in a batch, use cases in threads on PostgreSQL."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any

import pytest
from sqlalchemy.exc import OperationalError
from telegram import Update

from bot.inbox import HANDLED, LANES, Inbox, read_items
from bot.runtime import CALL_ATTEMPTS, Saathi


def _raw(update_id: int, chat_id: int, text: str) -> dict[str, Any]:
    return {
        "update_id": update_id,
        "message": {
            "message_id": update_id,
            "date": 0,
            "text": text,
            "chat": {"id": chat_id, "type": "private"},
            "from": {"id": chat_id, "is_bot": False, "first_name": "Asha"},
        },
    }


def _text(update_id: int, chat_id: int, text: str) -> Update:
    return Update.de_json(_raw(update_id, chat_id, text), None)


class _Recorder:
    """Stands in for the Application: records the order of starts and ends; chat 1's first update is slow."""

    bot = None

    def __init__(self, stop: asyncio.Event | None = None, stop_after: int | None = None) -> None:
        self.events: list[tuple[str, int]] = []
        self.running = 0
        self.most_at_once = 0
        self._stop, self._stop_after = stop, stop_after

    async def process_update(self, update: Update) -> None:
        self.events.append(("start", update.update_id))
        self.running += 1
        self.most_at_once = max(self.most_at_once, self.running)
        await asyncio.sleep(0.05 if update.update_id == 1 else 0.001)
        self.running -= 1
        self.events.append(("end", update.update_id))
        if self._stop is not None and update.update_id == self._stop_after:
            self._stop.set()


class _NoDatabase:
    """Services whose unit of work commits nothing (the updates here write nothing)."""

    clock = SimpleNamespace(now=lambda: datetime(2026, 11, 25, tzinfo=UTC))

    @contextmanager
    def uow(self) -> Iterator[Any]:
        yield SimpleNamespace(commit=lambda: None)


def _inbox(app: _Recorder) -> Inbox:
    return Inbox(app, _NoDatabase())  # type: ignore[arg-type]


async def test_a_chat_is_handled_in_order_while_other_chats_go_ahead() -> None:
    batch = [
        (1, _text(1, 11, "first of chat 11")),
        (2, _text(2, 22, "chat 22")),
        (3, _text(3, 11, "second of chat 11")),
        (5, _text(5, 33, "chat 33")),
    ]
    app = _Recorder()
    assert await _inbox(app).run_lanes(batch) == 4
    order = app.events
    assert order.index(("end", 1)) < order.index(("start", 3))  # chat 11 in order
    assert order.index(("end", 2)) < order.index(("end", 1))  # chat 22 did not wait for chat 11's slow update
    assert order.index(("end", 5)) < order.index(("end", 1))
    assert app.most_at_once >= 2


async def test_no_more_than_the_lanes_at_once() -> None:
    batch = [(i, _text(i, 1000 + i, "hello")) for i in range(10, 10 + 3 * LANES)]
    app = _Recorder()
    assert await _inbox(app).run_lanes(batch) == 3 * LANES
    assert app.most_at_once == LANES
    assert sorted(i for kind, i in app.events if kind == "end") == [i for i, _ in batch]


async def test_a_stop_leaves_the_rest_of_the_batch_to_the_inbox() -> None:
    stop = asyncio.Event()
    # chat 11's slow first update holds its lane; chat 22 stops the bot meanwhile
    batch = [
        (1, _text(1, 11, "slow")),
        (2, _text(2, 22, "stop here")),
        (3, _text(3, 11, "never started")),
        (4, _text(4, 22, "never started either")),
    ]
    app = _Recorder(stop, stop_after=2)
    assert await _inbox(app).run_lanes(batch, stop) == 2
    assert {i for kind, i in app.events if kind == "end"} == {1, 2}  # 3 and 4 stay pending in the inbox


def test_malformed_getupdates_items_are_skipped_and_confirmed_past() -> None:
    items = [
        _raw(7, 11, "fine"),
        {"message": {"text": "no update_id"}},
        "not an object",
        None,
        [1, 2],
        {"update_id": "8"},
        {"update_id": True},
        _raw(9, 12, "also fine"),
        {"update_id": 10, "message": {"chat": "not a chat"}},
    ]
    readable, offset = read_items(items, None)
    assert [received.update_id for received, _ in readable] == [7, 9]
    assert [received.chat_id for received, _ in readable] == [11, 12]
    assert offset == 11  # past the unreadable update 10 too: confirmed, never handled
    assert read_items([{"no": "id"}], None) == ([], None)


async def test_an_update_the_handlers_fail_on_is_not_handled() -> None:
    class Failing(_Recorder):
        async def process_update(self, update: Update) -> None:
            from bot.services import updates

            updates.failed(OperationalError("SELECT 1", {}, ConnectionRefusedError()))  # what the error handler does

    inbox = _inbox(Failing())
    assert await inbox.handle(1, _text(1, 11, "hello")) == "away"  # the database is away: retried, not counted
    assert inbox.pause() > 0
    assert await _inbox(_Recorder()).handle(2, _text(2, 11, "hello")) == HANDLED


class _Deadlock(Exception):
    sqlstate = "40P01"


class _Other(Exception):
    sqlstate = "23505"


def _use_case(failures: list[Exception], calls: list[Any]) -> Any:
    def use_case(services: object, value: int, *, twice: bool) -> int:
        calls.append((services, value, twice))
        if failures:
            raise OperationalError("UPDATE …", {}, failures.pop(0))
        return value * 2 if twice else value

    return use_case


async def test_on_postgresql_a_use_case_runs_on_the_loop_in_a_greenlet_and_again_after_a_deadlock() -> None:
    import threading

    import greenlet

    saathi = Saathi(services="services", loop_services="loop services")  # type: ignore[arg-type]
    calls: list[Any] = []
    where: list[tuple[str, bool]] = []

    def use_case(services: object, value: int, *, twice: bool) -> int:
        where.append((threading.current_thread().name, greenlet.getcurrent().parent is not None))
        return _use_case([_Deadlock()] if not calls else [], calls)(services, value, twice=twice)

    assert await saathi.call(use_case, 21, twice=True) == 42
    assert calls == [("loop services", 21, True)] * 2
    assert where == [(threading.main_thread().name, True)] * 2  # the loop's thread, not the main greenlet


async def test_a_use_case_whose_connection_was_dropped_runs_again_on_a_fresh_one() -> None:
    saathi = Saathi(services="services", loop_services="loop services")  # type: ignore[arg-type]
    calls: list[Any] = []

    def use_case(services: object) -> str:
        calls.append(services)
        if len(calls) == 1:  # PostgreSQL was restarted: the pooled connection is dead
            raise OperationalError("SELECT …", {}, _Other(), connection_invalidated=True)
        return "done"

    assert await saathi.call(use_case) == "done"
    assert len(calls) == 2


async def test_other_database_errors_and_endless_deadlocks_are_raised() -> None:
    saathi = Saathi(services="services", loop_services="loop services")  # type: ignore[arg-type]
    calls: list[Any] = []
    with pytest.raises(OperationalError):
        await saathi.call(_use_case([_Other()], calls), 1, twice=False)
    assert len(calls) == 1
    calls.clear()
    with pytest.raises(OperationalError):
        await saathi.call(_use_case([_Deadlock()] * (CALL_ATTEMPTS + 1), calls), 1, twice=False)
    assert len(calls) == CALL_ATTEMPTS


async def test_on_sqlite_a_use_case_runs_inline() -> None:
    import greenlet

    saathi = Saathi(services="services")  # type: ignore[arg-type]
    seen: list[object] = []
    assert (
        await saathi.call(lambda services, name: seen.append((services, greenlet.getcurrent().parent)) or name, "x")
        == "x"
    )
    assert seen == [("services", None)]


async def test_a_use_case_that_already_committed_part_of_the_update_is_not_run_again() -> None:
    from bot.services import updates

    saathi = Saathi(services="services", loop_services="loop services")  # type: ignore[arg-type]
    calls: list[Any] = []

    def commits_then_deadlocks(services: object) -> None:
        calls.append(services)
        updates._current.get().recorded = True  # type: ignore[union-attr]  # its first commit stood
        raise OperationalError("UPDATE …", {}, _Deadlock())

    with updates.handling(_NoDatabase(), 77), pytest.raises(OperationalError):  # type: ignore[arg-type]
        await saathi.call(commits_then_deadlocks)
    assert len(calls) == 1
