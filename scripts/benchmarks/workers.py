"""Two dispatcher workers on one PostgreSQL: 20,000 check-ins due at once, every one sent exactly once,
the two together under Telegram's ceiling.

Seeds ``--members`` active members whose check-in is due now, starts two ``saathi run --role
dispatcher`` processes (the real CLI, children of this script) against an in-process Bot API
emulator that enforces Telegram's limits scaled ×``--scale`` (30 messages/s overall and 1/s per chat
become 300/s and 10/s: the same shape, ten times sooner), with the bots' own limiter scaled the
same (``SAATHI_RATE_SCALE``) and shared through Redis (``RATE_LIMIT_REDIS_URL``, default
redis://127.0.0.1:6379/13) so that together they stay under the ceiling. Reports duplicates (target
0), lost check-ins (target 0), the combined send rate as a fraction of the ceiling, 429 answers
(target 0) and each worker's share.

Needs PostgreSQL (SAATHI_TEST_POSTGRES_URL, or CI=true for the local server); works in a scratch
database ``bench_workers`` that is dropped afterwards.

    .venv/bin/python scripts/benchmarks/workers.py [--members 20000] [--scale 10] [--no-redis] [--append FILE]
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import os
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from sqlalchemy import func, insert, select

from bot.domain.outgoing import Priority
from bot.services.onboarding import CONSENT_VERSION
from sandbox.emulator import BotApiEmulator
from sandbox.models import SentMessage
from scripts.benchmarks.common import add_report_arguments, postgres_url, report_section, scratch_postgres
from storage.checkins.tables import Checkin
from storage.db import make_engine
from storage.migrate import upgrade
from storage.outbox.tables import OutboxMessage
from storage.people.tables import Center, ConsentRecord, Member, Staff

# 20:00 in India: the evening check-in of every seeded member is due at this instant.
DUE = datetime(2026, 11, 25, 14, 30, tzinfo=UTC)
MEMBER_BASE = 3_000_000  # Telegram user ids of seeded members: MEMBER_BASE + i
BULK_BASE = 4_000_000  # chats that receive plain outbox rows
READY_LINE = "dispatcher worker running"
TIMEOUT_BUSY = 0.5


def seed(database_url: str, *, members: int, bulk_chats: int = 0, rows_per_chat: int = 2) -> None:
    """``members`` active members due for a check-in at DUE (consent given), and ``bulk_chats``
    chats with ``rows_per_chat`` pending outbox rows each (texts "Bulletin <chat>.<k>", to check order)."""
    engine = make_engine(database_url, single_use=True)
    created = DUE - timedelta(days=30)
    with engine.begin() as conn:
        center_id = conn.execute(
            insert(Center).values(name="Bench Kendra", timezone="Asia/Kolkata", created_at=created).returning(Center.id)
        ).scalar_one()
        staff_id = conn.execute(
            insert(Staff)
            .values(center_id=center_id, name="Counsellor Bench", role="counsellor", created_at=created)
            .returning(Staff.id)
        ).scalar_one()
        for chunk in _chunks(range(members), 5000):
            ids = (
                conn.execute(
                    insert(Member).returning(Member.id),
                    [
                        {
                            "center_id": center_id,
                            "counsellor_id": staff_id,
                            "telegram_user_id": MEMBER_BASE + i,
                            "chat_id": MEMBER_BASE + i,
                            "pseudonym": f"Lotus {i}",
                            "language": "en",
                            "timezone": "Asia/Kolkata",
                            "checkin_time": "20:00",
                            "status": "active",
                            "onboarding_step": None,
                            "next_checkin_due_at": DUE,
                            "created_at": created,
                        }
                        for i in chunk
                    ],
                )
                .scalars()
                .all()
            )
            conn.execute(
                insert(ConsentRecord),
                [
                    {
                        "member_id": member_id,
                        "version": CONSENT_VERSION,
                        "accepted": True,
                        "language": "en",
                        "created_at": created,
                    }
                    for member_id in ids
                ],
            )
        rows = [
            {
                "chat_id": BULK_BASE + j,
                "method": "send",
                "payload": {"text": f"Bulletin {j}.{k}"},
                "priority": int(Priority.BULK),
                "purpose": "bench_bulk",
                "dedupe_key": f"wbulk:{j}:{k}",
                "status": "pending",
                "attempts": 0,
                "due_at": DUE - timedelta(minutes=1),
                "created_at": DUE - timedelta(minutes=1),
            }
            for j in range(bulk_chats)
            for k in range(rows_per_chat)
        ]
        for chunk in _chunks(rows, 5000):
            conn.execute(insert(OutboxMessage), list(chunk))
    engine.dispose()


def _chunks(items: Iterable[Any], size: int) -> Iterable[list[Any]]:
    batch: list[Any] = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def add_phones(emu: BotApiEmulator, *, members: int, bulk_chats: int = 0) -> None:
    for i in range(members):
        emu.add_user(MEMBER_BASE + i, "Bench")
    for j in range(bulk_chats):
        emu.add_user(BULK_BASE + j, "Bench")


def worker_env(
    emu: BotApiEmulator, database_url: str, *, anchor: float, speed: float = 1.0, **extra: str
) -> dict[str, str]:
    """The environment of one ``saathi run --role dispatcher``: every worker gets the same clock
    (start, anchor and speed), so they share one timeline and a restarted worker carries on."""
    from tests.e2e.processes import bot_env

    settings = {
        "LOG_LEVEL": "INFO",
        "SAATHI_CLOCK_START": (DUE + timedelta(seconds=1)).isoformat(),
        "SAATHI_CLOCK_ANCHOR": repr(anchor),
        "SAATHI_CLOCK_SPEED": repr(speed),
        "SAATHI_DUE_SCAN_SECONDS": "1",
    }
    return bot_env(emu, database_url, **{**settings, **extra})


def dispatcher_argv() -> list[str]:
    return [sys.executable, "-m", "bot.cli", "run", "--role", "dispatcher"]


def is_checkin(message: SentMessage) -> bool:
    """The day's first check-in question (its mood buttons carry ``ci:`` callback data)."""
    return any(data.startswith("ci:") for _, data in message.buttons())


def checkin_counts(emu: BotApiEmulator, members: int) -> Counter[int]:
    """How many check-in questions each seeded member's chat received."""
    return Counter(
        {MEMBER_BASE + i: sum(1 for m in emu.messages(MEMBER_BASE + i) if is_checkin(m)) for i in range(members)}
    )


def outbox_state(database_url: str) -> dict[str, int]:
    engine = make_engine(database_url, single_use=True)
    with engine.connect() as conn:
        rows = conn.execute(select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)).all()
        checkins = conn.execute(select(func.count()).select_from(Checkin)).scalar_one()
    engine.dispose()
    return {**{status: int(n) for status, n in rows}, "checkins": int(checkins)}


async def wait_delivered(
    database_url: str, expected: int, timeout: float, arrived: Callable[[], int] | None = None
) -> float:
    """Until ``expected`` outbox rows are sent; returns the seconds it took.

    This event loop is the emulator's, standing in for Telegram, and it stamps each request's arrival
    when it gets to it: a loop held up (a query, a new connection each time: tens, at worst hundreds,
    of milliseconds) stamps the requests queued meanwhile as arriving together, a burst over the
    window that the bots never sent. So ``arrived`` (the emulator's own count) is watched while
    messages still come in, and the database is asked, from a thread, only after that."""
    started = time.monotonic()
    while True:
        if time.monotonic() - started > timeout:
            raise TimeoutError(f"not all sent after {timeout:g}s: {outbox_state(database_url)}")
        if arrived is None or arrived() >= expected:
            state = await asyncio.to_thread(outbox_state, database_url)
            if state.get("sent", 0) >= expected and not state.get("pending") and not state.get("sending"):
                return time.monotonic() - started
        await asyncio.sleep(TIMEOUT_BUSY)


async def run_bench(
    database_url: str, members: int, scale: float, redis_url: str | None, kill_after: float | None = None
) -> dict[str, Any]:
    from tests.e2e.processes import BotProcess

    upgrade(database_url)
    seed(database_url, members=members)
    overall, per_chat = 30.0, 1.0
    async with BotApiEmulator() as emu:
        add_phones(emu, members=members)
        emu.set_limits(overall_per_sec=overall, per_chat_per_sec=per_chat, per_group_per_min=20, time_scale=scale)
        extra = {"SAATHI_RATE_SCALE": repr(scale), "LOG_LEVEL": "WARNING"}
        if redis_url:
            extra["RATE_LIMIT_REDIS_URL"] = redis_url
            _clear_redis(redis_url)
        anchor = time.time()
        with tempfile.TemporaryDirectory() as folder:
            workers = [
                BotProcess(
                    worker_env(emu, database_url, anchor=anchor, **extra),
                    Path(folder) / f"w{n}",
                    argv=dispatcher_argv(),
                    ready_line=READY_LINE,
                )
                for n in (1, 2)
            ]
            try:
                no_gc_pauses()
                for worker in workers:
                    worker.start()
                if kill_after is not None:  # a crash at an arbitrary instant, then a restart
                    await asyncio.sleep(kill_after)
                    workers[0].kill()
                    workers[0].start()
                elapsed = await wait_delivered(
                    database_url,
                    members,
                    timeout=max(180.0, members / 20),
                    arrived=lambda: int(emu.stats.get("sent_messages", 0)),
                )
            finally:
                gc.unfreeze()
                gc.enable()
                for worker in workers:
                    worker.stop()
            logs = [worker.log() for worker in workers]
        counts = checkin_counts(emu, members)
        sends = sorted(m.sent_at for i in range(members) for m in emu.messages(MEMBER_BASE + i))
        stats = emu.stats
    span = sends[-1] - sends[0] if len(sends) > 1 else float("nan")
    rate = (len(sends) - 1) / span if span and span > 0 else float("nan")
    # the steady part: the middle 90 % of the sends (start-up and the last stragglers left out)
    lo, hi = int(len(sends) * 0.05), int(len(sends) * 0.95)
    steady = (hi - lo) / (sends[hi] - sends[lo]) if hi > lo and sends[hi] > sends[lo] else float("nan")
    return {
        "members": members,
        "delivered": sum(1 for n in counts.values() if n >= 1),
        "duplicates": sum(n - 1 for n in counts.values() if n > 1),
        "lost": sum(1 for n in counts.values() if n == 0),
        "rate": rate,
        "steady_rate": steady,
        "ceiling": overall * scale,
        "rate_limited": int(stats.get("rate_limited", 0)),
        "elapsed": elapsed,
        "errors": sum(log.count("Traceback") for log in logs),
        "redis": bool(redis_url),
        "killed": kill_after is not None,
    }


def no_gc_pauses() -> None:
    """No garbage-collection pauses in this process while the bots send (``gc.unfreeze()`` and
    ``gc.enable()`` after).

    The emulator, standing in for Telegram, holds every member and every message: a full collection
    of that heap froze its event loop for 80–180 ms, and the requests queued meanwhile were stamped as
    arriving together, more than Telegram's window holds, though the bots sent them evenly spaced
    (counted: the one 429 of a 5,000 run came 80 ms after a 177 ms collection). What the run leaves
    for the collector is small; reference counting frees the rest as usual."""
    gc.collect()
    gc.freeze()
    gc.disable()


def _clear_redis(url: str) -> None:
    import redis

    client = redis.Redis.from_url(url)
    try:
        for key in client.scan_iter("saathi:*"):
            client.delete(key)
    finally:
        client.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=20_000)
    parser.add_argument(
        "--scale", type=float, default=10.0, help="Telegram's limits ×this, in the emulator and the bots"
    )
    parser.add_argument("--redis-url", default=os.environ.get("RATE_LIMIT_REDIS_URL", "redis://127.0.0.1:6379/13"))
    parser.add_argument("--no-redis", action="store_true", help="each worker limits itself (expect 429s)")
    add_report_arguments(parser)
    parser.add_argument(
        "--kill-after",
        type=float,
        metavar="SECONDS",
        help="SIGKILL one worker this long after the start (then restart it) and count what a crash "
        "at an arbitrary instant sends twice; its leases run out after 60 s",
    )
    args = parser.parse_args()
    pg = postgres_url()
    if pg is None:
        print("workers: skipped, needs PostgreSQL (set SAATHI_TEST_POSTGRES_URL or CI=true)", file=sys.stderr)
        return 0  # ./scripts/bench goes on with the others
    redis_url = None if args.no_redis else args.redis_url
    with scratch_postgres(pg, "bench_workers") as url:
        result = asyncio.run(run_bench(url, args.members, args.scale, redis_url, args.kill_after))
    fraction = result["rate"] / result["ceiling"]
    steady = result["steady_rate"] / result["ceiling"]
    print(
        f"workers: {result['members']} check-ins by 2 dispatchers in {result['elapsed']:.1f}s: "
        f"{result['duplicates']} duplicates, {result['lost']} lost, {result['rate']:.1f}/s combined "
        f"({fraction:.2f} of the {result['ceiling']:.0f}/s ceiling; steady {steady:.2f}), "
        f"{result['rate_limited']} × 429, {result['errors']} tracebacks, shared limiter: "
        f"{'Redis' if result['redis'] else 'none'}"
        + (f"; one worker SIGKILLed after {args.kill_after:g}s and restarted" if result["killed"] else "")
    )
    lines = [
        f"{result['members']:,} members due at the same minute, two `saathi run --role dispatcher` processes on one "
        f"PostgreSQL, the emulator enforcing Telegram's limits ×{args.scale:g} (30/s overall and 1/s per chat → "
        f"{result['ceiling']:.0f}/s and {args.scale:g}/s; the bots' limiter scaled the same with SAATHI_RATE_SCALE), "
        f"limiter shared through {'Redis' if result['redis'] else 'nothing (each process on its own)'}.",
        "",
        "| check-ins | duplicates | lost | combined rate | of ceiling (steady) | 429s | wall time |",
        "|---|---|---|---|---|---|---|",
        f"| {result['members']:,} | {result['duplicates']} (target 0) | {result['lost']} | {result['rate']:.1f}/s | "
        f"{fraction:.2f} ({steady:.2f}) | {result['rate_limited']} (target 0) | {result['elapsed']:.1f} s |",
    ]
    if result["killed"]:
        lines.append(
            f"\nOne worker was SIGKILLed {args.kill_after:g} s in, at an arbitrary instant, and restarted: "
            f"{result['duplicates']} check-in(s) arrived twice (sent by Telegram, not yet marked sent)."
        )
    report_section("Two workers on PostgreSQL (scripts/benchmarks/workers.py)", lines, args.append)
    return 0 if (result["duplicates"] == 0 or result["killed"]) and result["lost"] == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
