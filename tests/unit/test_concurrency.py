"""Handling updates side by side: a lane per chat in a batch, use cases in threads on PostgreSQL."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from sqlalchemy.exc import OperationalError
from telegram import Update

from bot.polling import LANES, handle_batch
from bot.runtime import CALL_ATTEMPTS, Saathi


def _text(update_id: int, chat_id: int, text: str) -> Update:
    return Update.de_json({"update_id": update_id, "message": {
        "message_id": update_id, "date": 0, "text": text,
        "chat": {"id": chat_id, "type": "private"}, "from": {"id": chat_id, "is_bot": False, "first_name": "Asha"}}},
        None)


class _Recorder:
    """Stands in for the Application: records the order of starts and ends; chat 1's first update is slow."""

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


async def test_a_chat_is_handled_in_order_while_other_chats_go_ahead() -> None:
    batch: list[tuple[int, Update | None]] = [
        (1, _text(1, 11, "first of chat 11")), (2, _text(2, 22, "chat 22")), (3, _text(3, 11, "second of chat 11")),
        (4, None),  # an update that could not be read: confirmed, nothing to handle
        (5, _text(5, 33, "chat 33"))]
    app = _Recorder()
    offset = await handle_batch(app, batch, asyncio.Event())  # type: ignore[arg-type]
    assert offset == 6  # the whole batch is confirmed
    order = app.events
    assert order.index(("end", 1)) < order.index(("start", 3))  # chat 11 in order
    assert order.index(("end", 2)) < order.index(("end", 1))  # chat 22 did not wait for chat 11's slow update
    assert order.index(("end", 5)) < order.index(("end", 1))
    assert app.most_at_once >= 2


async def test_no_more_than_the_lanes_at_once() -> None:
    batch: list[tuple[int, Update | None]] = [(i, _text(i, 1000 + i, "hello")) for i in range(10, 10 + 3 * LANES)]
    app = _Recorder()
    assert await handle_batch(app, batch, asyncio.Event()) == 10 + 3 * LANES  # type: ignore[arg-type]
    assert app.most_at_once == LANES
    assert sorted(i for kind, i in app.events if kind == "end") == [i for i, _ in batch]


async def test_a_stop_confirms_only_up_to_the_first_update_left_unhandled() -> None:
    stop = asyncio.Event()
    # chat 11's slow first update holds its lane; chat 22 stops the bot meanwhile
    batch: list[tuple[int, Update | None]] = [
        (1, _text(1, 11, "slow")), (2, _text(2, 22, "stop here")), (3, _text(3, 11, "never started")),
        (4, _text(4, 22, "never started either"))]
    app = _Recorder(stop, stop_after=2)
    offset = await handle_batch(app, batch, stop)  # type: ignore[arg-type]
    handled = {i for kind, i in app.events if kind == "end"}
    assert handled == {1, 2}
    assert offset == 3  # Telegram sends 3 and 4 again


class _Deadlock(Exception):
    sqlstate = "40P01"


class _Other(Exception):
    sqlstate = "23505"


def _use_case(failures: list[Exception], calls: list[Any]) -> Any:  # noqa: ANN401
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
    assert await saathi.call(lambda services, name: seen.append((services, greenlet.getcurrent().parent)) or name,
                             "x") == "x"
    assert seen == [("services", None)]


async def test_a_use_case_that_already_committed_part_of_the_update_is_not_run_again() -> None:
    from datetime import UTC, datetime
    from types import SimpleNamespace

    from bot.services import updates

    saathi = Saathi(services="services", loop_services="loop services")  # type: ignore[arg-type]
    updates.begin(SimpleNamespace(clock=SimpleNamespace(now=lambda: datetime(2026, 11, 25, tzinfo=UTC))), 77)  # type: ignore[arg-type]
    calls: list[Any] = []

    def commits_then_deadlocks(services: object) -> None:
        calls.append(services)
        updates._current.get().recorded = True  # type: ignore[union-attr]  # its first commit stood
        raise OperationalError("UPDATE …", {}, _Deadlock())

    try:
        with pytest.raises(OperationalError):
            await saathi.call(commits_then_deadlocks)
    finally:
        updates.end()
    assert len(calls) == 1
