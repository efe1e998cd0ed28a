"""Circle relay fan-out: our own cost, and delivery against Telegram's limits.

Two scenarios, each through the real services (risk screening, moderation, fan-out into the
outbox) and the real outbox sender with python-telegram-bot's AIORateLimiter, against the
local Bot API emulator enforcing Telegram's limits (30 messages/s overall, 1/s per chat):

* one circle of 12 where every member writes at once (12 × 11 = 132 copies), in real time: the
  per-chat pacing binds (each chat gets a copy every 1.5 s), so the circle drains at about 8 copies/s;
* 500 circles of 12 active at once, one message each (500 × 11 = 5,500 copies): the 30/s
  overall ceiling binds.

For the 500 circles the emulator's limiter, the rate limiter and the bot's clock all run
``--time-scale`` times faster than real time, so the run takes seconds instead of minutes with
the same throttling shape; rates are reported in Telegram seconds (real seconds × scale).

    .venv/bin/python scripts/benchmarks/relay.py [--circles 500] [--time-scale 5] [--database-url URL] [--append FILE]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from sqlalchemy import func
from sqlmodel import col, select
from telegram.ext import AIORateLimiter, ExtBot

from bot.delivery.sender import OutboxSender
from bot.domain.risk import RiskLevel
from bot.services import circles, safety
from bot.services.context import ServiceContext
from sandbox.emulator import BotApiEmulator
from scripts.benchmarks.common import (
    add_report_arguments,
    median,
    percentile,
    report_section,
    reset_postgres,
)
from storage.circles.tables import Circle, CircleMembership
from storage.db import SessionFactory, make_engine
from storage.migrate import upgrade
from storage.outbox.tables import OutboxMessage
from storage.people.tables import Center, Member, Staff

TOKEN = "1000000003:BENCH-relay-token-not-real"
CEILING = 30.0
MEMBERS = 12
TEXTS = (
    "Day 12 today. The evening was hard but I went for a walk.",
    "Thank you all, reading this helps.",
    "Cravings came at 7, I called my sponsor and it passed.",
    "Small win: slept eight hours.",
)


class ScaledClock:
    """Real time, ``scale`` times faster, so due times and retry_after match the scaled limits."""

    def __init__(self, scale: float) -> None:
        self.scale = scale
        self._start = datetime.now(UTC)
        self._t0 = time.monotonic()

    def now(self) -> datetime:
        return self._start + timedelta(seconds=(time.monotonic() - self._t0) * self.scale)


@dataclass
class Result:
    name: str
    messages: int
    copies: int
    service_ms: list[float]
    delivery_seconds: float  # Telegram seconds
    rate_limited: int
    max_per_chat_per_second: int

    @property
    def per_second(self) -> float:
        return self.copies / self.delivery_seconds if self.delivery_seconds else float("nan")


def _seed(ctx: ServiceContext, emu: BotApiEmulator, circle_count: int, first_user: int) -> list[list[int]]:
    """``circle_count`` circles of 12 active members; returns each circle's member ids."""
    now = ctx.clock.now()
    groups: list[list[int]] = []
    with ctx.uow() as session:
        center = session.exec(select(Center)).first()
        if center is None:
            center = Center(name="Bench Kendra", timezone="Asia/Kolkata", created_at=now)
            session.add(center)
            session.flush()
            session.add(Staff(center_id=center.id or 0, name="Counsellor Bench", created_at=now))
        offset = session.exec(select(func.count()).select_from(Circle)).one()
        for c in range(circle_count):
            circle = Circle(center_id=center.id or 0, name=f"Circle {offset + c}", capacity=MEMBERS, created_at=now)
            session.add(circle)
            session.flush()
            ids = []
            for m in range(MEMBERS):
                user_id = first_user + c * MEMBERS + m
                member = Member(
                    center_id=center.id or 0,
                    telegram_user_id=user_id,
                    chat_id=user_id,
                    display_name=f"Bench {user_id}",
                    pseudonym=f"Bench {user_id}",
                    language="en",
                    timezone="Asia/Kolkata",
                    status="active",
                    onboarding_step=None,
                    created_at=now,
                )
                session.add(member)
                session.flush()
                session.add(CircleMembership(circle_id=circle.id or 0, member_id=member.id or 0, joined_at=now))
                emu.add_user(user_id, "Bench")
                ids.append(user_id)
            groups.append(ids)
        session.commit()
    return groups


def _post(ctx: ServiceContext, user_id: int, text: str, message_id: int) -> float:
    """What a member's message costs us: screening, the circle checks and the fan-out, one transaction."""
    started = time.perf_counter()
    now = ctx.clock.now()
    with ctx.uow() as session:
        member = session.exec(select(Member).where(Member.telegram_user_id == user_id)).one()
        result = safety.screen(session, member, now, text=text, source="message", source_message_id=message_id)
        assert result.level < RiskLevel.CONCERN and not result.needs_followup
        assert circles.relay_screened_text(session, member, text, now, message_id=message_id)
        session.commit()
    return (time.perf_counter() - started) * 1000


def _warm_up(ctx: ServiceContext) -> None:
    """Load the risk rules and moderation lists once, as a running bot already has."""
    with ctx.uow() as session:
        member = session.exec(select(Member)).first()
        if member is not None:
            safety.screen(session, member, ctx.clock.now(), text=TEXTS[0], source="message")
        session.rollback()


def _pending(ctx: ServiceContext) -> int:
    with ctx.uow() as session:
        return int(
            session.exec(
                select(func.count())
                .select_from(OutboxMessage)
                .where(col(OutboxMessage.status).in_(("pending", "sending")))
            ).one()
        )


async def _drain(ctx: ServiceContext, sender: OutboxSender, timeout: float) -> None:
    """Wait until nothing is left to send."""
    started = time.monotonic()
    sender.kick()
    while _pending(ctx):
        if time.monotonic() - started > timeout:
            raise TimeoutError(f"{_pending(ctx)} copies still unsent after {timeout:.0f} s")
        await asyncio.sleep(0.02)


def _max_per_chat_per_second(emu: BotApiEmulator, chats: list[int], scale: float) -> int:
    worst = 0
    for chat in chats:
        buckets: dict[int, int] = defaultdict(int)
        for message in emu.messages(chat):
            buckets[int(message.sent_at * scale)] += 1
        worst = max(worst, max(buckets.values(), default=0))
    return worst


async def _scenario(
    name: str,
    ctx: ServiceContext,
    emu: BotApiEmulator,
    sender: OutboxSender,
    groups: list[list[int]],
    writers_per_circle: int,
    scale: float,
) -> Result:
    _warm_up(ctx)
    emu.reset_stats()
    timings: list[float] = []
    message_id = 10
    started = time.monotonic()
    for group in groups:
        for writer in group[:writers_per_circle]:
            message_id += 1
            timings.append(_post(ctx, writer, TEXTS[message_id % len(TEXTS)], message_id))
            sender.kick()
            await asyncio.sleep(0)  # messages arrive one update at a time; the sender runs in between
    await _drain(ctx, sender, timeout=600)
    real = time.monotonic() - started  # from the first message in to the last copy out
    chats = [user for group in groups for user in group]
    copies = sum(len(emu.messages(chat)) for chat in chats)
    return Result(
        name=name,
        messages=len(timings),
        copies=copies,
        service_ms=timings,
        delivery_seconds=real * scale,
        rate_limited=int(emu.stats.get("rate_limited", 0)),
        max_per_chat_per_second=_max_per_chat_per_second(emu, chats, scale),
    )


async def _run_one(name: str, circle_count: int, writers: int, scale: float, url: str) -> Result:
    """A fresh database, emulator, bot and sender per scenario, all on one (scaled) clock."""
    upgrade(url)
    engine = make_engine(url)
    clock = ScaledClock(scale)
    ctx = ServiceContext(uow=SessionFactory(engine), clock=clock)
    emu = BotApiEmulator(token=TOKEN)
    await emu.start()
    emu.set_limits(overall_per_sec=CEILING, per_chat_per_sec=1, per_group_per_min=20, time_scale=scale)
    bot = ExtBot(
        TOKEN,
        base_url=emu.base_url,
        rate_limiter=AIORateLimiter(overall_max_rate=CEILING, overall_time_period=1 / scale, max_retries=0),
    )
    await bot.initialize()
    # the production sender polls every 0.5 s when idle; scaled like everything else
    sender = OutboxSender(ctx.uow, clock, bot, idle_poll=0.5 / scale)
    sender.start()
    try:
        groups = _seed(ctx, emu, circle_count, first_user=1_000_000)
        return await _scenario(name, ctx, emu, sender, groups, writers, scale)
    finally:
        await sender.stop()
        await bot.shutdown()
        await emu.stop()
        engine.dispose()


async def run(circle_count: int, scale: float, database_url: str | None) -> list[Result]:
    results = []
    for name, circles_, writers, speed in (
        ("1 circle of 12, everyone writes at once (real time)", 1, MEMBERS, 1.0),
        (f"{circle_count} circles of 12 active at once, one message each", circle_count, 1, scale),
    ):
        with tempfile.TemporaryDirectory() as folder:
            if database_url and database_url.startswith("postgres"):
                reset_postgres(database_url)
            results.append(
                await _run_one(name, circles_, writers, speed, database_url or f"sqlite:///{folder}/bench.db")
            )
    return results


def _uname() -> str:
    return subprocess.run(["uname", "-a"], capture_output=True, text=True).stdout.strip()


def _report(results: list[Result], scale: float, database: str) -> list[str]:
    lines = [
        f"`uname -a`: {_uname()} · CPUs: {os.cpu_count()} · Python {platform.python_version()}",
        "",
        f"Real services (risk screening, moderation, fan-out to the outbox) and the real outbox sender with "
        f"AIORateLimiter, against the emulator enforcing 30 msg/s overall and 1 msg/s per chat. The lone circle runs "
        f"in real time; for the many circles the emulator's limiter, the rate limiter and the bot's clock run "
        f"{scale:g}× real time, and rates are per Telegram second. Database: {database}.",
        "",
        "| scenario | messages | copies delivered | our cost per message p50 / p99 ms | copies our side could "
        "enqueue per s | delivered per s (ceiling 30) | 429s retried | most copies into one chat in one second |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        capacity = r.copies / (sum(r.service_ms) / 1000) if r.service_ms else float("nan")
        lines.append(
            f"| {r.name} | {r.messages} | {r.copies} | {median(r.service_ms):.1f} / "
            f"{percentile(r.service_ms, 99):.1f} | {capacity:.0f} | {r.per_second:.1f} "
            f"({r.per_second / CEILING:.0%}) | {r.rate_limited} | {r.max_per_chat_per_second} |"
        )
    lines += [
        "",
        "Our own cost is the screening and the fan-out inserts of one message (11 copies and their "
        "relay records) in one transaction; Telegram's limits, not the bot, set the delivery rate. A lone circle is "
        "held to about 8 copies/s by the per-chat pacing (each member receives the other 11 a "
        "second and a half apart, a margin under Telegram's 1/s per chat); many circles together run close to the 30/s "
        "ceiling. The 429s in the many-circle run come from the overall limit: python-telegram-bot's "
        "AIORateLimiter (a leaky bucket) lets short bursts through that a strict sliding window refuses; the "
        "outbox reschedules each one and nothing is lost.",
    ]
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--circles", type=int, default=500)
    parser.add_argument("--time-scale", type=float, default=5.0)
    parser.add_argument("--database-url", help="default: a temporary SQLite file")
    add_report_arguments(parser)
    args = parser.parse_args()
    results = asyncio.run(run(args.circles, args.time_scale, args.database_url))
    database = "PostgreSQL" if args.database_url and args.database_url.startswith("postgres") else "SQLite"
    lines = _report(results, args.time_scale, database)
    report_section("Circle relay fan-out (scripts/benchmarks/relay.py)", lines, args.append)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
