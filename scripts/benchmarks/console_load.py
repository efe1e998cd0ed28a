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

Reported per round: the replies' p95 latency and the dispatch's sustained rate, and the CPU this process (the
bot, and the console when it is served) used. Each round with the console is set against the mean of the
rounds without it just before and after, and the median of those ratios is the figure (target: within 5 %):
on a shared machine the load drifts within minutes, and neighbours in time see the same drift. Also what the
console users saw (pages served, p50/p95).

A small round with the console comes first and is not counted: a process's first bot and console import
modules, compile templates and risk rules and fill caches, which a running bot has long done.

    .venv/bin/python scripts/benchmarks/console_load.py [--rounds 5] [--replies-members 200]
        [--dispatch-members 3000] [--users 20] [--interval 5] [--append FILE]
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
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from sqlmodel import col, select

from bot.services import console as console_service
from bot.services.context import ServiceContext
from scripts.benchmarks import dispatch, replies
from scripts.benchmarks.common import add_report_arguments, median, percentile, report_section
from scripts.benchmarks.console_browsers import Seen
from storage.people.tables import Member

TARGET = 0.05  # with / without within 5 %


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# --- the browsers: a child process (scripts/benchmarks/console_browsers.py) -------------------------


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
            str(Path(__file__).resolve().parent / "console_browsers.py"),
            f"http://{self.listen}",
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            cwd=ROOT,
        )
        assert child.stdin is not None and child.stdout is not None
        child.stdin.write((json.dumps({"links": links, "members": members, "interval": self.interval}) + "\n").encode())
        await child.stdin.drain()
        await asyncio.wait_for(child.stdout.readline(), timeout=60)  # "ready": its imports are done
        try:
            yield
        finally:
            child.stdin.close()
            line = await asyncio.wait_for(child.stdout.readline(), timeout=60)
            await child.wait()
            self.seen.add(json.loads(line))


# --- the rounds ------------------------------------------------------------------------------------


@dataclass
class Round:
    number: int
    console: bool
    reply_p95_ms: float
    reply_rate: float
    dispatch_rate: float
    urgent_p99_ms: float
    cpu_seconds: float  # this process (the bot, and the console when served) over the round

    def arm(self) -> str:
        return "with" if self.console else "without"

    def row(self) -> str:
        return (
            f"| {self.number} | {self.arm()} | {self.reply_rate:.0f} | "
            f"{self.reply_p95_ms:.0f} | {self.dispatch_rate:.1f} | {self.urgent_p99_ms:.0f} | {self.cpu_seconds:.1f} |"
        )


def round_once(number: int, args: argparse.Namespace, browsers: Browsers | None) -> Round:
    label = "with" if browsers else "without"
    cpu = time.process_time()
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
    done = Round(
        number,
        browsers is not None,
        percentile(ours.latencies_ms, 95),
        ours.per_second,
        sent.sustained_rate,
        percentile(sent.urgent_delays_ms, 99),
        time.process_time() - cpu,
    )
    print(done.row(), flush=True)
    return done


def paired(rounds: list[Round], value: Callable[[Round], float], arm: str) -> list[float]:
    """Each round of ``arm`` over the mean of the rounds without the console just before and after."""
    ratios = []
    for i, r in enumerate(rounds):
        if r.console and r.arm() == arm:
            beside = [value(rounds[j]) for j in (i - 1, i + 1) if 0 <= j < len(rounds) and not rounds[j].console]
            ratios.append(value(r) / statistics.mean(beside))
    return ratios


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5, help="rounds, alternately without and with (5)")
    parser.add_argument("--replies-members", type=int, default=200)
    parser.add_argument("--dispatch-members", type=int, default=3000)
    parser.add_argument("--scale", type=float, default=10.0, help="the dispatch benchmark's --scale")
    parser.add_argument("--rate", type=float, default=29.0, help="the dispatch benchmark's --rate")
    parser.add_argument("--urgent", type=int, default=10, help="urgent alerts during each broadcast")
    parser.add_argument("--headroom", action="store_true", help="dispatch with every limit off (raw throughput)")
    parser.add_argument("--users", type=int, default=20, help="console users (20)")
    parser.add_argument("--interval", type=float, default=5.0, help="seconds between a user's refreshes (5)")
    add_report_arguments(parser)
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    started = time.monotonic()
    browsers = Browsers(args.users, args.interval)
    # a small round first, not counted: the first bot and console of a process import, compile their
    # templates and risk rules, and warm their caches, which later rounds (and a running bot) do not pay
    warm = argparse.Namespace(**{**vars(args), "replies_members": 20, "dispatch_members": 300, "urgent": 2})
    round_once(0, warm, browsers)
    browsers.seen = Seen()
    rounds = []
    for n in range(1, args.rounds + 1):
        with_console = n % 2 == 0
        rounds.append(round_once(n, args, browsers if with_console else None))
    arms = list(dict.fromkeys(r.arm() for r in rounds if r.console))
    summary: list[str] = []
    replies_ok = dispatch_ok = True
    for arm in arms:
        p95 = paired(rounds, lambda r: r.reply_p95_ms, arm)
        rate = paired(rounds, lambda r: r.dispatch_rate, arm)
        cpu = paired(rounds, lambda r: r.cpu_seconds, arm)
        p95_ok, rate_ok = median(p95) <= 1 + TARGET, median(rate) >= 1 - TARGET
        replies_ok, dispatch_ok = p95_ok, rate_ok
        summary += [
            f"- {arm}: replies p95 ×{median(p95):.3f} {'✓' if p95_ok else '✗'} (target ≤ {1 + TARGET:.2f}; each: "
            f"{', '.join(f'{x:.3f}' for x in p95)}); dispatch msg/s ×{median(rate):.3f} {'✓' if rate_ok else '✗'} "
            f"(target ≥ {1 - TARGET:.2f}; each: {', '.join(f'{x:.3f}' for x in rate)}); the bot process's CPU "
            f"×{median(cpu):.3f}",
        ]
    seen = browsers.seen
    mode = "every limit off (--headroom)" if args.headroom else f"at the ceiling ({args.rate:g}/s ×{args.scale:g})"
    lines = [
        f"{args.rounds} rounds, alternately without and with {args.users} console users each refreshing a page "
        f"(caseload, alerts, a member, in turn) every {args.interval:g} s, served by the bot's own process and "
        f"event loop; each round: the replies benchmark ({args.replies_members} presses at once) then the dispatch "
        f"benchmark ({args.dispatch_members:,} check-ins {mode}, {args.urgent} urgent alerts), SQLite, "
        f"{time.monotonic() - started:.0f} s in all.",
        "",
        "| round | console | replies /s | replies p95 ms | dispatch msg/s | urgent p99 ms | bot process CPU s |",
        "|---|---|---|---|---|---|---|",
        *(r.row() for r in rounds),
        "",
        "Each round with the console against the mean of the rounds without it just before and after "
        "(median over the rounds with it):",
        "",
        *summary,
        f"- the console users: {seen.ok} pages served, p50 {median(seen.latencies_ms):.0f} ms, "
        f"p95 {percentile(seen.latencies_ms, 95):.0f} ms; {len(seen.bad)} other answers "
        f"{sorted(set(seen.bad)) if seen.bad else ''}; {seen.refused} refused while no console listened "
        "(the bare bot's turn in the replies benchmark, between two rounds' bots)",
    ]
    report_section("The console beside the bot (scripts/benchmarks/console_load.py)", lines, args.append)
    return 0 if replies_ok and dispatch_ok and not seen.bad else 1


if __name__ == "__main__":
    raise SystemExit(main())
