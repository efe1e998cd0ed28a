"""Blocking database work from the event loop: the one place that decides "inline or in a thread".

The jobs, the inbox and the outbox sender run plain (blocking) units of work from the event loop.
On SQLite they run inline: there is one writer at a time anyway, and inline they never race the
loop's own commits for SQLite's lock. On PostgreSQL they run in a worker thread: a due scan of a
thousand members or a claim of a few hundred rows is a long stretch of database work
(docs/performance.md), and on the loop that would be as long without a send or an answer to anyone.

Handlers' use cases take the other road, :meth:`bot.runtime.Saathi.call` (inline on SQLite too; on
PostgreSQL a greenlet on the loop's asyncpg engine, which waits cooperatively and retries deadlocks).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any, TypeVar

from storage.db import SessionFactory

T = TypeVar("T")


def in_thread(uow: SessionFactory) -> bool:
    """True when blocking work on this database goes to a worker thread (PostgreSQL), False inline (SQLite)."""
    return uow.engine.dialect.name != "sqlite"


async def run_blocking(
    uow: SessionFactory,
    work: Callable[..., T],
    /,
    *args: Any,
    on_cancel: Callable[[T], object] | None = None,
    **kwargs: Any,
) -> T:
    """``work(*args, **kwargs)``, inline or in a worker thread (see the module docstring).

    A thread cannot be stopped: when the caller is cancelled meanwhile the work still finishes, and
    ``on_cancel`` (if given) receives what it returned, to undo it (the sender puts claimed rows back)."""
    if not in_thread(uow):
        return work(*args, **kwargs)
    if on_cancel is None:
        return await asyncio.to_thread(work, *args, **kwargs)
    running = asyncio.ensure_future(asyncio.to_thread(work, *args, **kwargs))
    try:
        return await asyncio.shield(running)
    except asyncio.CancelledError:
        on_cancel(await running)
        raise
