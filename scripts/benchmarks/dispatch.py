"""Dispatch at Telegram's ceiling: 100,000 check-ins due in one minute, urgent alerts in between.

The real Application (its outbox sender and rate limiter, long polling) runs in this process
against the Bot API emulator in a child process (so the emulator's own work does not count
against the bot's core). Members are seeded with bulk inserts; the real due scan
(``checkins.run_due_checkins``) then enqueues every member's check-in before the bot starts, so
the outbox holds the whole broadcast; the bot drains it while ``--urgent`` escalation alerts are
enqueued (and the sender kicked, as a handler does) at even steps of the broadcast.

**Scaling.** Telegram allows about 30 messages/s overall and 1/s per chat; the emulator enforces
those limits ``--scale`` times higher (300/s and 10/s per chat at the default 10, 200 a minute
per group) and the bot's limiter is scaled the same way (``Limits(overall_per_sec=--rate)
.scaled(--scale)``: 290/s, 0.105 s between two messages to one chat), so 100,000 messages take
about six minutes instead of an hour with the same shape: the rate as a fraction of the ceiling,
the 429s and the urgent delays mean the same at either scale (an urgent alert waits for a free
call slot and the next token: at most a quarter second's window, plus the claim and the call).

Reported: sustained send rate (from 5 % to 95 % of the broadcast, by the outbox's ``sent_at``) as a
fraction of the ceiling (target ≥ 0.95), 429s from the emulator (target 0), p50/p99/max delay of
the urgent alerts from enqueue to Telegram's answer (target p99 < 2 s), peak RSS of this process
(target < 300 MB; it includes seeding).

``--headroom`` (or scripts/benchmarks/headroom.py): the same with every limit off, on both sides:
how many messages a second the bot can push (target ≥ 300/s, ten times the ceiling).

    .venv/bin/python scripts/benchmarks/dispatch.py [--members 100000] [--scale 10] [--rate 29]
        [--urgent 20] [--headroom] [--database-url URL] [--append FILE]

SQLite by default; PostgreSQL when SAATHI_TEST_POSTGRES_URL or CI=true (a scratch database
``bench_dispatch`` on that server, dropped afterwards).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import os
import resource
import sys
import tempfile
import time
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from sqlalchemy import insert
from sqlmodel import col, select

from bot.app import build_application, running
from bot.config import parse_settings
from bot.delivery.limiter import Limits
from bot.domain.outgoing import Priority
from bot.services import checkins
from bot.services.context import ServiceContext
from bot.services.onboarding import CONSENT_VERSION
from bot.services.outbox import enqueue
from sandbox.client import EmulatorClient
from scripts.benchmarks.common import (
    ConsoleLoad,
    EmulatorProcess,
    add_report_arguments,
    emulator_process,
    median,
    percentile,
    postgres_url,
    report_section,
    scratch_postgres,
)
from storage.db import SessionFactory, make_engine
from storage.migrate import upgrade
from storage.outbox.tables import OutboxMessage
from storage.people.tables import Center, ConsentRecord, Member, Staff

TOKEN = "1000000007:BENCH-dispatch-token-not-real"
CEILING = 30.0  # Telegram's messages per second, before scaling
FIRST_MEMBER = 1_000_000_000
FIRST_STAFF = 900_000_000
STAFF = 20  # urgent alerts go to different counsellors (one chat's 1/s would otherwise set the pace)
TZ = "Asia/Kolkata"
UNLIMITED = Limits(
    overall_per_sec=1e9, burst=1e9, per_chat_interval=0.0, per_group_interval=0.0, paid_per_sec=1e9, paid_burst=1e9
)

log = logging.getLogger("bench.dispatch")


@dataclass
class Result:
    mode: str
    members: int
    database: str
    scale: float
    bot_rate: float  # per second, scaled
    ceiling: float  # per second, scaled (0: none)
    scan_seconds: float
    sent: int
    sustained_rate: float
    drain_seconds: float
    rate_limited: int
    urgent_delays_ms: list[float]
    peak_rss_mb: float


# --- seeding -----------------------------------------------------------------------------------


def seed(ctx: ServiceContext, members: int, due: datetime) -> None:
    """A centre, counsellors and ``members`` active members due at ``due``, in bulk inserts."""
    now = ctx.clock.now()
    with ctx.uow() as session:
        center = Center(name="Bench Kendra", timezone=TZ, created_at=now)
        session.add(center)
        session.flush()
        for index in range(STAFF):
            session.add(
                Staff(
                    center_id=center.id or 0,
                    name=f"Counsellor {index}",
                    telegram_user_id=FIRST_STAFF + index,
                    chat_id=FIRST_STAFF + index,
                    created_at=now,
                )
            )
        session.commit()
        center_id = center.id or 0
    step = 5000
    for start in range(0, members, step):
        rows = [
            {
                "center_id": center_id,
                "telegram_user_id": FIRST_MEMBER + i,
                "chat_id": FIRST_MEMBER + i,
                "display_name": None,
                "pseudonym": f"Member {i}",
                "language": "en",
                "timezone": TZ,
                "checkin_time": "21:00",
                "status": "active",
                "onboarding_step": None,
                "high_risk_windows": "",
                "next_checkin_due_at": due,
                "created_at": now,
            }
            for i in range(start, min(members, start + step))
        ]
        with ctx.uow() as session:
            session.execute(insert(Member), rows)
            ids = session.exec(
                select(Member.id).where(
                    col(Member.telegram_user_id) >= FIRST_MEMBER + start,
                    col(Member.telegram_user_id) < FIRST_MEMBER + start + step,
                )
            ).all()
            session.execute(
                insert(ConsentRecord),
                [
                    {
                        "member_id": member_id,
                        "version": CONSENT_VERSION,
                        "accepted": True,
                        "language": "en",
                        "created_at": now,
                    }
                    for member_id in ids
                ],
            )
            session.commit()


def run_due_scan(ctx: ServiceContext) -> tuple[int, float]:
    """The real due scan, batch after batch, until nobody is due: every check-in in the outbox."""
    started = time.monotonic()
    total = 0
    while (count := checkins.run_due_checkins(ctx)) > 0:
        total += count
    return total, time.monotonic() - started


# --- the run -----------------------------------------------------------------------------------


async def drain(ctx: ServiceContext, saathi: Any, members: int, urgent: int, timeout: float) -> list[int]:
    """Wait for the broadcast to go out, enqueueing an urgent alert at every 1/(urgent+1) of it."""
    sender = saathi.sender
    marks = [members * (k + 1) // (urgent + 1) for k in range(urgent)]
    alert_ids: list[int] = []
    started = time.monotonic()
    last_report = started
    while sender.sent_count < members + len(alert_ids) or len(alert_ids) < urgent:
        if marks and sender.sent_count >= marks[0]:
            marks.pop(0)
            staff = len(alert_ids) % STAFF
            with ctx.uow() as session:
                alert_id = enqueue(
                    session,
                    chat_id=FIRST_STAFF + staff,
                    text="Urgent: a member needs a call now",
                    now=ctx.clock.now(),
                    priority=Priority.URGENT,
                    purpose="escalation",
                )
                session.commit()
                alert_ids.append(alert_id or 0)
            saathi.kick()  # as the handler that enqueued it would
        now = time.monotonic()
        if now - last_report >= 30:
            last_report = now
            print(f"  … {sender.sent_count} sent after {now - started:.0f} s", flush=True)
        if now - started > timeout:
            raise TimeoutError(f"only {sender.sent_count} of {members} sent after {timeout:.0f} s")
        await asyncio.sleep(0.01)
    return alert_ids


def measure(ctx: ServiceContext, members: int, alert_ids: list[int]) -> tuple[float, float, list[float]]:
    with ctx.uow() as session:
        sent_at = sorted(
            session.exec(
                select(OutboxMessage.sent_at).where(OutboxMessage.purpose == "checkin", OutboxMessage.status == "sent")
            ).all()
        )
        alerts = (
            session.exec(
                select(OutboxMessage.created_at, OutboxMessage.sent_at).where(col(OutboxMessage.id).in_(alert_ids))
            ).all()
            if alert_ids
            else []
        )
    assert len(sent_at) == members, f"{len(sent_at)} of {members} check-ins sent"
    low, high = sent_at[int(0.05 * (members - 1))], sent_at[int(0.95 * (members - 1))]
    span = (high - low).total_seconds()
    sustained = (int(0.95 * (members - 1)) - int(0.05 * (members - 1))) / span if span > 0 else float("nan")
    drain_seconds = (sent_at[-1] - sent_at[0]).total_seconds()
    delays = [(sent - created).total_seconds() * 1000 for created, sent in alerts if sent is not None]
    return sustained, drain_seconds, delays


async def run(
    members: int, scale: float, rate: float, urgent: int, headroom: bool, url: str, console: ConsoleLoad | None = None
) -> Result:
    """Seed, scan, then send through the bot; with ``console``, the bot serves the console meanwhile and
    its users refresh pages while the outbox drains."""
    upgrade(url)
    engine = make_engine(url)
    from bot.clock import SystemClock

    ctx = ServiceContext(uow=SessionFactory(engine), clock=SystemClock(), default_timezone=TZ)
    due = ctx.clock.now() - timedelta(seconds=30)  # everyone due in the same minute
    print(f"seeding {members} members …", flush=True)
    seed(ctx, members, due)
    print("due scan …", flush=True)
    scanned, scan_seconds = run_due_scan(ctx)
    assert scanned == members, f"the due scan enqueued {scanned} of {members}"
    print(f"  {scanned} check-ins enqueued in {scan_seconds:.1f} s", flush=True)

    users = [f"{FIRST_MEMBER}:{members}:Member", f"{FIRST_STAFF}:{STAFF}:Counsellor"]
    with emulator_process(TOKEN, [arg for spec in users for arg in ("--users", spec)]) as child:
        return await _send_through(
            child, ctx, engine, url, members, scale, rate, urgent, headroom, scan_seconds, console
        )


async def _send_through(
    child: EmulatorProcess,
    ctx: ServiceContext,
    engine: Any,
    url: str,
    members: int,
    scale: float,
    rate: float,
    urgent: int,
    headroom: bool,
    scan_seconds: float,
    console: ConsoleLoad | None = None,
) -> Result:
    base_url = child.base_url
    client = EmulatorClient(child.control_url)
    try:
        if headroom:
            await client.clear_limits()
            limits = UNLIMITED
        else:
            await client.set_limits(
                overall_per_sec=CEILING * scale, per_chat_per_sec=scale, per_group_per_min=20 * scale
            )
            limits = Limits(overall_per_sec=rate).scaled(scale)
        await client.reset_stats()
        values = {"TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_URL": base_url, "DATABASE_URL": url}
        if os.environ.get("SAATHI_ENCRYPTION_KEYS"):  # as bot_settings: after another benchmark in this
            values["SAATHI_ENCRYPTION_KEYS"] = os.environ["SAATHI_ENCRYPTION_KEYS"]  # process, its key is set
        if console is not None:
            values |= {"WEB_LISTEN": console.listen, "WEB_BASE_URL": f"http://{console.listen}"}
        settings = parse_settings(values)
        application = build_application(settings, with_jobs=False, limits=limits, with_web=console is not None)
        print("sending …", flush=True)
        async with running(application) as saathi, contextlib.AsyncExitStack() as browsing:
            if console is not None:
                await browsing.enter_async_context(console.users(saathi.services, "Counsellor 0", "Bench Kendra"))
            expected_seconds = members / (limits.overall_per_sec if not headroom else 100)
            alert_ids = await drain(
                saathi.services, saathi, members, 0 if headroom else urgent, timeout=max(120.0, 3 * expected_seconds)
            )
            await asyncio.sleep(0.5)  # the last marks commit
        stats = await client.stats()
    finally:
        await client.aclose()
    sustained, drain_seconds, delays = measure(ctx, members, alert_ids)
    engine.dispose()
    return Result(
        mode="headroom" if headroom else "ceiling",
        members=members,
        database="PostgreSQL" if url.startswith("postgres") else "SQLite",
        scale=scale,
        bot_rate=0.0 if headroom else limits.overall_per_sec,
        ceiling=0.0 if headroom else CEILING * scale,
        scan_seconds=scan_seconds,
        sent=int(stats.get("sent_messages", 0)),
        sustained_rate=sustained,
        drain_seconds=drain_seconds,
        rate_limited=int(stats.get("rate_limited", 0)),
        urgent_delays_ms=delays,
        peak_rss_mb=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    )


def report(results: list[Result]) -> list[str]:
    lines: list[str] = []
    ceiling_runs = [r for r in results if r.mode == "ceiling"]
    headroom_runs = [r for r in results if r.mode == "headroom"]
    if ceiling_runs:
        r0 = ceiling_runs[0]
        lines += [
            f"{r0.members:,} members due in the same minute; the real Application against the emulator (a child "
            f"process) enforcing Telegram's limits ×{r0.scale:g} ({CEILING * r0.scale:g}/s overall, {r0.scale:g}/s "
            f"per chat), the bot's limiter scaled the same way ({r0.bot_rate:g}/s, i.e. {r0.bot_rate / r0.scale:g}/s "
            "unscaled). The real due scan enqueues every check-in first; urgent alerts are enqueued at even steps "
            "of the broadcast. Rates are per real second at the scaled limits.",
            "",
            "| database | due scan s | sent | sustained msg/s | of ceiling (≥ 0.95) | 429s (0) | urgent p50 / p99 / "
            "max ms (p99 < 2000) | peak RSS MB (< 300) |",
            "|---|---|---|---|---|---|---|---|",
        ]
        for r in ceiling_runs:
            fraction = r.sustained_rate / r.ceiling
            p99 = percentile(r.urgent_delays_ms, 99)
            lines.append(
                f"| {r.database} | {r.scan_seconds:.1f} | {r.sent:,} | {r.sustained_rate:.1f} | {fraction:.3f} "
                f"{'✓' if fraction >= 0.95 else '✗'} | {r.rate_limited} {'✓' if r.rate_limited == 0 else '✗'} | "
                f"{median(r.urgent_delays_ms):.0f} / {p99:.0f} / {max(r.urgent_delays_ms, default=float('nan')):.0f} "
                f"({len(r.urgent_delays_ms)} alerts) {'✓' if p99 < 2000 else '✗'} | {r.peak_rss_mb:.0f} "
                f"{'✓' if r.peak_rss_mb < 300 else '✗'} |"
            )
        lines += [
            "",
            "The production default is RATE_LIMIT_PER_SECOND=29 (0.967 of the ceiling at most): one "
            "message a second of margin for network jitter against a strict sliding window; this run "
            f"used {r0.bot_rate / r0.scale:g}/s.",
        ]
    if headroom_runs:
        if lines:
            lines.append("")
        r0 = headroom_runs[0]
        lines += [
            f"Raw headroom: every limit off on both sides, {r0.members:,} check-ins, the emulator in a child "
            "process; what the bot (outbox claim, Bot API call, marking each row sent) can push.",
            "",
            "| database | sent | msg/s (5–95 %) | × Telegram's 30/s (≥ 10) | peak RSS MB |",
            "|---|---|---|---|---|",
        ]
        for r in headroom_runs:
            lines.append(
                f"| {r.database} | {r.sent:,} | {r.sustained_rate:.0f} | {r.sustained_rate / CEILING:.1f} "
                f"{'✓' if r.sustained_rate >= 10 * CEILING else '✗'} | {r.peak_rss_mb:.0f} |"
            )
    return lines


def main(argv: list[str] | None = None, *, headroom_default: bool = False, default_members: int = 100_000) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=default_members)
    parser.add_argument("--scale", type=float, default=10.0, help="Telegram's limits ×this on both sides (10)")
    parser.add_argument(
        "--rate", type=float, default=29.0, help="the bot's limit before scaling (29, the production default)"
    )
    parser.add_argument("--urgent", type=int, default=20, help="urgent alerts injected during the broadcast")
    parser.add_argument("--headroom", action="store_true", default=headroom_default, help="all limits off")
    parser.add_argument("--database-url", help="default: a temporary SQLite file (or PostgreSQL, see above)")
    add_report_arguments(parser)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    logging.getLogger("bot.delivery.sender").setLevel(logging.INFO)  # the backlog lines

    results = []
    with ExitStack() as stack:
        urls = []
        if args.database_url:
            urls.append(args.database_url)
        else:
            folder = stack.enter_context(tempfile.TemporaryDirectory())
            urls.append(f"sqlite:///{folder}/bench.db")
            pg = postgres_url()
            if pg:
                urls.append(stack.enter_context(scratch_postgres(pg, "bench_dispatch")))
        for url in urls:
            results.append(asyncio.run(run(args.members, args.scale, args.rate, args.urgent, args.headroom, url)))
    lines = report(results)
    title = (
        "Raw send headroom (scripts/benchmarks/headroom.py)"
        if args.headroom
        else "Dispatch at the ceiling (scripts/benchmarks/dispatch.py)"
    )
    report_section(title, lines, args.append)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
