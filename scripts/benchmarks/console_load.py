"""The console does not slow the bot: the reply and dispatch benchmarks with and without 20 console users.

Each round runs the replies benchmark (``replies.run_once``: a burst of mood-button presses) and then the
dispatch benchmark (``dispatch.run``: a broadcast drained at Telegram's ceiling, urgent alerts in between),
each on a fresh SQLite database, alternately without and with the console in use: without, with, without,
with… in one run, so whatever else loads the machine falls on both arms alike.

"With": the bot serves the console in its own process and event loop, as ``saathi run`` does
(``build_application(with_web=True)`` on a free loopback port), and ``--users`` people, each signed in
through a one-time link as a counsellor of the benchmark's centre, refresh a page (the caseload, the
alerts, a member's page, in turn) every ``--interval`` seconds, evenly staggered. The browsers are a child
process (a centre's phones and PCs are not on the bot's CPU); each user comes from its own loopback address,
as each device would, so the sign-in limiter (10 a minute per address) sees 20 devices.

Reported: the replies' p95 latency (all presses of an arm pooled) and the dispatch's sustained rate (mean of
the arm's rounds), with / without (target: within 5 %), and what the console users saw (pages served, p95).

    .venv/bin/python scripts/benchmarks/console_load.py [--rounds 6] [--replies-members 300]
        [--dispatch-members 5000] [--users 20] [--interval 5] [--append FILE]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging
import socket
import statistics
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

import httpx
from sqlmodel import col, select

from bot.services import console as console_service
from bot.services.context import ServiceContext
from scripts.benchmarks import dispatch, replies
from scripts.benchmarks.common import add_report_arguments, median, percentile, report_section
from storage.people.tables import Member

TARGET = 0.05  # with / without within 5 %
PAGES = ("/caseload", "/alerts", "/members/{member}")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# --- the browsers: a child process, each user a client from its own loopback address ---------------


@dataclass
class Seen:
    """What the console users saw over one or more rounds."""

    latencies_ms: list[float] = field(default_factory=list)
    ok: int = 0
    refused: int = 0  # no console listening (the bare bot's turn in the replies benchmark), retried
    bad: list[int] = field(default_factory=list)  # statuses other than 200

    def add(self, other: dict[str, Any]) -> None:
        self.latencies_ms += other["latencies_ms"]
        self.ok += other["ok"]
        self.refused += other["refused"]
        self.bad += other["bad"]


async def _user(index: int, users: int, base: str, link: str, members: list[int], interval: float, seen: Seen) -> None:
    transport = httpx.AsyncHTTPTransport(local_address=f"127.0.0.{10 + index}")
    async with httpx.AsyncClient(base_url=base, transport=transport, timeout=30) as client:
        while True:  # sign in once the console listens
            try:
                response = await client.get(link, follow_redirects=False)
                if response.status_code != 303:
                    seen.bad.append(response.status_code)
                break
            except httpx.TransportError:
                seen.refused += 1
                await asyncio.sleep(0.5)
        started = time.monotonic() + interval * index / users
        for n in range(1_000_000):
            await asyncio.sleep(max(0.0, started + n * interval - time.monotonic()))
            path = PAGES[(index + n) % len(PAGES)].format(member=members[(index + n) % len(members)])
            begun = time.perf_counter()
            try:
                response = await client.get(path, follow_redirects=False)
            except httpx.TransportError:
                seen.refused += 1
                continue
            if response.status_code == 200:
                seen.ok += 1
                seen.latencies_ms.append((time.perf_counter() - begun) * 1000)
            else:
                seen.bad.append(response.status_code)


async def browse(base: str) -> None:
    """Child: read {"links", "members", "interval"} from stdin, browse until stdin closes, print what was seen."""
    loop = asyncio.get_running_loop()
    order = json.loads(await loop.run_in_executor(None, sys.stdin.readline))
    seen = Seen()
    links: list[str] = order["links"]
    tasks = [
        asyncio.create_task(_user(i, len(links), base, link, order["members"], order["interval"], seen))
        for i, link in enumerate(links)
    ]
    await loop.run_in_executor(None, sys.stdin.readline)  # EOF: the round is over
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    print(json.dumps(seen.__dict__), flush=True)


class Browsers:
    """The :class:`~scripts.benchmarks.common.ConsoleLoad` the benchmarks take: a port for the console and
    ``users`` people refreshing it, in a child process, while the context is entered."""

    def __init__(self, users: int, interval: float) -> None:
        self.listen = f"127.0.0.1:{free_port()}"
        self.count, self.interval = users, interval
        self.seen = Seen()

    def _links(self, ctx: ServiceContext, staff: str, centre: str) -> tuple[list[str], list[int]]:
        links = [
            console_service.link_for(ctx, staff, centre).removeprefix(f"http://{self.listen}")
            for _ in range(self.count)
        ]
        with ctx.uow() as session:
            members = list(session.exec(select(Member.id).order_by(col(Member.id)).limit(200)).all())
        return links, [m for m in members if m is not None]

    @contextlib.asynccontextmanager
    async def users(self, ctx: ServiceContext, staff: str, centre: str) -> AsyncIterator[None]:
        links, members = await asyncio.to_thread(self._links, ctx, staff, centre)
        child = await asyncio.create_subprocess_exec(
            sys.executable,
            str(Path(__file__).resolve()),
            "--browse",
            f"http://{self.listen}",
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            cwd=ROOT,
        )
        assert child.stdin is not None and child.stdout is not None
        child.stdin.write((json.dumps({"links": links, "members": members, "interval": self.interval}) + "\n").encode())
        await child.stdin.drain()
        try:
            yield
        finally:
            child.stdin.close()
            line = await asyncio.wait_for(child.stdout.readline(), timeout=60)
            await child.wait()
            self.seen.add(json.loads(line))


# --- the rounds ------------------------------------------------------------------------------------


@dataclass
class Arm:
    reply_latencies_ms: list[float] = field(default_factory=list)
    reply_rates: list[float] = field(default_factory=list)
    dispatch_rates: list[float] = field(default_factory=list)
    urgent_ms: list[float] = field(default_factory=list)
    rows: list[str] = field(default_factory=list)


def round_once(number: int, args: argparse.Namespace, arm: Arm, browsers: Browsers | None) -> None:
    label = "with" if browsers else "without"
    with tempfile.TemporaryDirectory() as folder:
        print(f"round {number} ({label} the console): replies …", flush=True)
        ours, _bare = asyncio.run(
            replies.run_once(f"sqlite:///{folder}/replies.db", args.replies_members, console=browsers)
        )
        print(f"round {number} ({label} the console): dispatch …", flush=True)
        sent = asyncio.run(
            dispatch.run(
                args.dispatch_members,
                args.scale,
                args.rate,
                args.urgent,
                args.headroom,
                f"sqlite:///{folder}/dispatch.db",
                console=browsers,
            )
        )
    arm.reply_latencies_ms += ours.latencies_ms
    arm.reply_rates.append(ours.per_second)
    arm.dispatch_rates.append(sent.sustained_rate)
    arm.urgent_ms += sent.urgent_delays_ms
    p95 = percentile(ours.latencies_ms, 95)
    row = (
        f"| {number} | {label} | {ours.per_second:.0f} | {median(ours.latencies_ms):.0f} | {p95:.0f} | "
        f"{sent.sustained_rate:.1f} | {percentile(sent.urgent_delays_ms, 99):.0f} |"
    )
    arm.rows.append(row)
    print(row, flush=True)


def _ratio_line(name: str, without: float, with_: float, higher_is_better: bool) -> tuple[str, bool]:
    ratio = with_ / without
    slower = (1 - ratio) if higher_is_better else (ratio - 1)
    ok = slower <= TARGET
    return f"{name}: {with_:.1f} with / {without:.1f} without = {ratio:.3f} {'✓' if ok else '✗'}", ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--browse", metavar="URL", help=argparse.SUPPRESS)  # the child: the console's users
    parser.add_argument("--rounds", type=int, default=6, help="rounds, alternately without and with (6)")
    parser.add_argument("--replies-members", type=int, default=300)
    parser.add_argument("--dispatch-members", type=int, default=5000)
    parser.add_argument("--scale", type=float, default=10.0, help="the dispatch benchmark's --scale")
    parser.add_argument("--rate", type=float, default=29.0, help="the dispatch benchmark's --rate")
    parser.add_argument("--urgent", type=int, default=10, help="urgent alerts during each broadcast")
    parser.add_argument("--headroom", action="store_true", help="dispatch with every limit off (raw throughput)")
    parser.add_argument("--users", type=int, default=20, help="console users (20)")
    parser.add_argument("--interval", type=float, default=5.0, help="seconds between a user's refreshes (5)")
    add_report_arguments(parser)
    args = parser.parse_args()
    if args.browse:
        asyncio.run(browse(args.browse))
        return 0
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    started = time.monotonic()
    arms = {False: Arm(), True: Arm()}
    browsers = Browsers(args.users, args.interval)
    for number in range(1, args.rounds + 1):
        with_console = number % 2 == 0
        round_once(number, args, arms[with_console], browsers if with_console else None)
    without, with_ = arms[False], arms[True]
    replies_line, replies_ok = _ratio_line(
        "replies p95 ms",
        percentile(without.reply_latencies_ms, 95),
        percentile(with_.reply_latencies_ms, 95),
        higher_is_better=False,
    )
    dispatch_line, dispatch_ok = _ratio_line(
        "dispatch msg/s",
        statistics.mean(without.dispatch_rates),
        statistics.mean(with_.dispatch_rates),
        higher_is_better=True,
    )
    seen = browsers.seen
    mode = "every limit off (--headroom)" if args.headroom else f"at the ceiling ({args.rate:g}/s ×{args.scale:g})"
    lines = [
        f"{args.rounds} rounds, alternately without and with {args.users} console users each refreshing a page "
        f"(caseload, alerts, a member, in turn) every {args.interval:g} s, served by the bot's own process and "
        f"event loop; each round: the replies benchmark ({args.replies_members} presses at once) then the dispatch "
        f"benchmark ({args.dispatch_members:,} check-ins {mode}, {args.urgent} urgent alerts), SQLite, "
        f"{time.monotonic() - started:.0f} s in all.",
        "",
        "| round | console | replies /s | replies p50 ms | replies p95 ms | dispatch msg/s | urgent p99 ms |",
        "|---|---|---|---|---|---|---|",
        *sorted(without.rows + with_.rows, key=lambda row: int(row.split("|")[1])),
        "",
        f"- {replies_line} (all presses of an arm pooled; target ≤ {1 + TARGET:.2f})",
        f"- {dispatch_line} (mean of an arm's rounds; target ≥ {1 - TARGET:.2f})",
        f"- replies /s, mean: {statistics.mean(with_.reply_rates):.0f} with, "
        f"{statistics.mean(without.reply_rates):.0f} without",
        f"- the console users: {seen.ok} pages served, p50 {median(seen.latencies_ms):.0f} ms, "
        f"p95 {percentile(seen.latencies_ms, 95):.0f} ms; {len(seen.bad)} other answers "
        f"{sorted(set(seen.bad)) if seen.bad else ''}; {seen.refused} refused while no console listened "
        "(the bare bot's turn in the replies benchmark, between two rounds' bots)",
    ]
    report_section("The console beside the bot (scripts/benchmarks/console_load.py)", lines, args.append)
    return 0 if replies_ok and dispatch_ok and not seen.bad else 1


if __name__ == "__main__":
    raise SystemExit(main())
