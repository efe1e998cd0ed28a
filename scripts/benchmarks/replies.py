"""Replies: 1,000 members answer their check-in by button at once; our bot beside a bare one.

The real Application runs in this process against the Bot API emulator in a child process
(``python -m sandbox.emulator`` on a free loopback port), over HTTP: Telegram's servers
are never on the bot's CPU, and our bot makes about three requests per press (the answer, the
edit, the next question) to the bare bot's one, so serving them on the bots' own core and event
loop would tilt the ratio. Members are seeded active with today's check-in due; the real due
scan and outbox deliver each one its mood keyboard. Then one mood press per member is queued
in the emulator in one control call (``POST /_control/press_many``: all are queued before the
bot's next getUpdates returns), and we measure until every press has been answered.

Handling latency of a press: from the moment it is queued in the emulator (the update
Telegram would hold for us) to the bot's answerCallbackQuery reaching the emulator; both
times are the emulator's own (``pressed_at``/``answered_at`` of its callback answers), so the
control call's transit is not in them. Our handler answers only after the answer is stored
and the replies (the ticked keyboard, the next question) are committed to the outbox in the
same transaction, so this is the whole handling; sending those replies is the outbox's job at
Telegram's 30/s ceiling (the dispatch benchmark), not part of this figure. Throughput:
presses / (last answer - first press).

The floor, in the same run and against the same emulator: a bare python-telegram-bot
Application with only a CallbackQueryHandler that answers the callback, polled the same way,
pressed on the same messages. Our throughput is reported as a ratio of the bare bot's
(target >= 0.5).

SQLite always; PostgreSQL when SAATHI_TEST_POSTGRES_URL (or CI=true) is set, in a scratch
database ``bench_replies`` dropped afterwards.

    .venv/bin/python scripts/benchmarks/replies.py [--members 1000] [--append FILE]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import cProfile
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from telegram import Update
from telegram.ext import Application, ApplicationBuilder, CallbackQueryHandler, ContextTypes

from bot.app import running
from bot.services import admin, checkins
from bot.services.onboarding import CONSENT_VERSION
from sandbox.client import EmulatorClient
from scripts.benchmarks.common import (
    ConsoleLoad,
    EmulatorProcess,
    add_report_arguments,
    bot_application,
    bot_settings,
    emulator_process,
    median,
    percentile,
    postgres_url,
    report_section,
    scratch_postgres,
)
from storage.migrate import upgrade
from storage.people.tables import ConsentRecord, Member

TOKEN = "1000000003:BENCH-replies-token-not-real"
FIRST_USER = 200_000
TARGET_RATIO = 0.5
POLL_ANSWERS = 0.1  # seconds between two reads of new answers (the times are the emulator's, not ours)


@dataclass
class Run:
    presses: int
    seconds: float
    latencies_ms: list[float]
    refused: int
    cpu_seconds: float = 0.0  # this process (the bot under test) during the run
    emulator_cpu_seconds: float = 0.0

    @property
    def per_second(self) -> float:
        return self.presses / self.seconds if self.seconds > 0 else float("nan")

    def cpu_per_press(self) -> str:
        return (
            f"{self.cpu_seconds / self.presses * 1000:.1f} ms "
            f"(emulator {self.emulator_cpu_seconds / self.presses * 1000:.1f} ms)"
        )


class AnswerLog:
    """The emulator's callback answers, each read once (``?after=`` the ones already read)."""

    def __init__(self, emu: EmulatorClient, process: EmulatorProcess) -> None:
        self.emu = emu
        self.process = process
        self.read = 0

    async def new(self) -> list[dict[str, Any]]:
        answers = await self.emu.callback_answers(after=self.read)
        self.read += len(answers)
        return answers


async def _press_all(
    answers: AnswerLog, presses: list[tuple[int, int, str]], *, strict: bool, timeout: float = 300
) -> Run:
    """Queue every press in one control call, then wait until each one has been answered."""
    await answers.new()  # anything answered before this run is not ours
    started = time.monotonic()
    cpu, emulator_cpu = time.process_time(), answers.process.cpu_seconds()
    ids = set(await answers.emu.press_buttons(presses, strict=strict))
    mine: dict[str, dict[str, Any]] = {}
    while len(mine) < len(ids):
        await asyncio.sleep(POLL_ANSWERS)
        mine.update((a["callback_query_id"], a) for a in await answers.new() if a["callback_query_id"] in ids)
        if time.monotonic() - started > timeout:
            raise TimeoutError(f"only {len(mine)} of {len(ids)} presses answered in {timeout:.0f} s")
    cpu, emulator_cpu = time.process_time() - cpu, answers.process.cpu_seconds() - emulator_cpu
    runs = list(mine.values())
    latencies = [(a["answered_at"] - a["pressed_at"]) * 1000 for a in runs]
    seconds = max(a["answered_at"] for a in runs) - min(a["pressed_at"] for a in runs)
    return Run(len(runs), seconds, latencies, sum(1 for a in runs if a.get("text")), cpu, emulator_cpu)


def _seed(saathi: Any, members: int) -> list[int]:
    """Active members whose check-in is due now (consent given, so the due scan sends it)."""
    ctx = saathi.services
    admin.add_center(ctx, "Bench Kendra", "Asia/Kolkata")
    admin.add_counsellor(ctx, "Bench Kendra", "Counsellor Bench", telegram_id=9002)
    now = datetime.now(UTC)
    ids = [FIRST_USER + i for i in range(members)]
    with ctx.uow() as session:
        rows = [
            Member(
                center_id=1,
                counsellor_id=1,
                telegram_user_id=user_id,
                chat_id=user_id,
                display_name=f"Bench Member {i}",
                pseudonym=f"Bench {i}",
                language="en",
                timezone="Asia/Kolkata",
                status="active",
                onboarding_step=None,
                checkin_time="20:00",
                next_checkin_due_at=now,
                created_at=now,
            )
            for i, user_id in enumerate(ids)
        ]
        session.add_all(rows)
        session.flush()
        session.add_all(
            [
                ConsentRecord(
                    member_id=row.id or 0, version=CONSENT_VERSION, accepted=True, language="en", created_at=now
                )
                for row in rows
            ]
        )
        session.commit()
    return ids


def _chunks(items: list[int], size: int = 50) -> Iterator[list[int]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


async def _add_users(emu: EmulatorClient, ids: list[int]) -> None:
    for chunk in _chunks(ids):
        await asyncio.gather(*(emu.add_user(user_id, "Bench") for user_id in chunk))


async def _keyboards(emu: EmulatorClient, ids: list[int], timeout: float = 240) -> dict[int, tuple[int, str]]:
    """Wait for every member's mood keyboard; returns chat → (message id, a mood button's data)."""
    found: dict[int, tuple[int, str]] = {}
    deadline = time.monotonic() + timeout
    while True:
        reached = (await emu.stats())["sent_per_chat"]  # read a chat's messages once something reached it
        for chunk in _chunks([user_id for user_id in ids if user_id not in found and user_id in reached]):
            for user_id, messages in zip(chunk, await asyncio.gather(*(emu.messages(u) for u in chunk)), strict=True):
                for message in messages:
                    moods = [data for _, data in message.buttons() if ":mood:" in data]
                    if moods:
                        found[user_id] = (message.message_id, moods[3])
        if len(found) == len(ids):
            return found
        if time.monotonic() > deadline:
            raise TimeoutError(f"only {len(found)} of {len(ids)} keyboards delivered")
        await asyncio.sleep(0.5)


async def _bare_answer(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    if update.callback_query is not None:
        await update.callback_query.answer()


async def _run_bare(base_url: str, answers: AnswerLog, presses: list[tuple[int, int, str]]) -> Run:
    """The floor: nothing but python-telegram-bot polling the same emulator and answering."""
    bare: Application = ApplicationBuilder().token(TOKEN).base_url(base_url).build()  # type: ignore[type-arg]
    bare.add_handler(CallbackQueryHandler(_bare_answer))
    await bare.initialize()
    await bare.start()
    assert bare.updater is not None
    await bare.updater.start_polling(poll_interval=0, timeout=1, drop_pending_updates=False)
    try:
        # the buttons were since replaced by our bot's replies: a bare bot answers whatever it is pressed
        return await _press_all(answers, presses, strict=False)
    finally:
        await bare.updater.stop()
        await bare.stop()
        await bare.shutdown()


async def _run_ours(
    settings: Any, answers: AnswerLog, presses: list[tuple[int, int, str]], profile: str | None, pause_sender: bool
) -> Run:
    async with running(bot_application(settings)) as saathi:
        if pause_sender and saathi.sender is not None:  # diagnosis: the handlers alone, replies left queued
            await saathi.sender.stop()
        profiler = cProfile.Profile() if profile else None
        if profiler is not None:
            profiler.enable()
        ours = await _press_all(answers, presses, strict=True)
        if profiler is not None:
            profiler.disable()
            profiler.dump_stats(profile)
    return ours


async def run_once(
    database_url: str,
    members: int,
    profile: str | None = None,
    pause_sender: bool = False,
    console: ConsoleLoad | None = None,
) -> tuple[Run, Run]:
    """Deliver the keyboards, then: bare bot, our bot, bare bot again (the floor brackets ours in time).
    With ``console``, our bot serves the console and its users refresh pages from the seeding on
    (while the bare bot runs there is no console: their requests fail and are retried)."""
    with emulator_process(TOKEN) as process:
        async with EmulatorClient(process.control_url) as emu, contextlib.AsyncExitStack() as browsing:
            answers = AnswerLog(emu, process)
            settings = bot_settings(TOKEN, process.base_url, database_url, console.listen if console else None)
            upgrade(database_url)
            async with running(bot_application(settings)) as saathi:
                ids = _seed(saathi, members)
                if console is not None:
                    await browsing.enter_async_context(
                        console.users(saathi.services, "Counsellor Bench", "Bench Kendra")
                    )
                await _add_users(emu, ids)
                started = time.monotonic()
                while checkins.run_due_checkins(saathi.services):
                    pass
                saathi.kick()
                keyboards = await _keyboards(emu, ids)
                print(f"  {members} keyboards delivered in {time.monotonic() - started:.0f} s", flush=True)
            presses = [(user_id, *keyboards[user_id]) for user_id in ids]
            before = await _run_bare(process.base_url, answers, presses)
            ours = await _run_ours(settings, answers, presses, profile, pause_sender)
            after = await _run_bare(process.base_url, answers, presses)
    bare = Run(
        before.presses + after.presses,
        before.seconds + after.seconds,
        before.latencies_ms + after.latencies_ms,
        before.refused + after.refused,
        before.cpu_seconds + after.cpu_seconds,
        before.emulator_cpu_seconds + after.emulator_cpu_seconds,
    )
    print(f"  bare bot before ours {before.per_second:.0f}/s, after {after.per_second:.0f}/s", flush=True)
    print(f"  CPU per press: ours {ours.cpu_per_press()}, bare {bare.cpu_per_press()}", flush=True)
    return ours, bare


def _row(label: str, run: Run) -> str:
    return (
        f"| {label} | {run.presses} | {run.per_second:.0f} | {median(run.latencies_ms):.0f} | "
        f"{percentile(run.latencies_ms, 99):.0f} | {run.refused} |"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=1000, help="members pressing at once")
    parser.add_argument("--database", choices=("both", "sqlite", "postgres"), default="both")
    parser.add_argument("--profile", metavar="FILE", help="cProfile our bot's pressing phase (SQLite) into FILE")
    parser.add_argument(
        "--pause-sender",
        action="store_true",
        help="diagnosis: stop our outbox sender during the burst (the handlers alone)",
    )
    add_report_arguments(parser)
    args = parser.parse_args()
    results: dict[str, tuple[Run, Run]] = {}
    if args.database in ("both", "sqlite"):
        with tempfile.TemporaryDirectory() as folder:
            print("SQLite", flush=True)
            results["SQLite"] = asyncio.run(
                run_once(f"sqlite:///{folder}/bench.db", args.members, args.profile, args.pause_sender)
            )
    pg = postgres_url() if args.database in ("both", "postgres") else None
    if pg:
        with scratch_postgres(pg, "bench_replies") as url:
            print("PostgreSQL", flush=True)
            results["PostgreSQL"] = asyncio.run(run_once(url, args.members, pause_sender=args.pause_sender))
    if not results:
        print("nothing measured (PostgreSQL needs SAATHI_TEST_POSTGRES_URL or CI=true)")
        return 1
    lines = [
        f"{args.members} members press a mood button on their check-in at once (all presses queued in the "
        "emulator in one control call, before the first is answered). The Bot API emulator runs in its own "
        "process (as Telegram's servers are never on the bot's CPU), the bots in the benchmark's. Latency: "
        "press queued → answerCallbackQuery at the emulator, both timed by the emulator; ours answers after "
        "the answer and its replies are committed to the outbox. The bare bot is python-telegram-bot with one "
        "CallbackQueryHandler that only answers, polled the same way, in the same run against the same "
        "emulator. Refused: presses answered with a toast (stale or failed).",
        "",
        "| database | bot | presses | answered per s | p50 ms | p99 ms | refused |",
        "|---|---|---|---|---|---|---|",
    ]
    if args.pause_sender:
        lines[0] += (
            " Diagnosis run (--pause-sender): our outbox sender was stopped during the burst, so these "
            "figures are the handlers alone, without the replies being sent."
        )
    ratios = []
    for name, (ours, bare) in results.items():
        ratio = ours.per_second / bare.per_second
        ratios.append(ratio)
        lines.append(_row(f"{name} | Saathi", ours))
        lines.append(_row(f"{name} | bare PTB (floor)", bare))
        print(
            f"{name}: ours {ours.per_second:.0f}/s (p50 {median(ours.latencies_ms):.0f} ms, p99 "
            f"{percentile(ours.latencies_ms, 99):.0f} ms, refused {ours.refused}); bare {bare.per_second:.0f}/s "
            f"(p50 {median(bare.latencies_ms):.0f} ms, p99 {percentile(bare.latencies_ms, 99):.0f} ms); "
            f"ratio {ratio:.2f} (target ≥ {TARGET_RATIO})"
        )
    lines.append("")
    lines.append(
        "Our throughput as a share of the bare bot's: "
        + ", ".join(
            f"{name} {r:.2f} {'✓' if r >= TARGET_RATIO else '✗'}" for name, r in zip(results, ratios, strict=True)
        )
        + f" (target ≥ {TARGET_RATIO})."
    )
    lines.append(
        "CPU per press (the benchmark's process, which runs the bot, and the emulator's): "
        + "; ".join(
            f"{name} ours {ours.cpu_per_press()}, bare {bare.cpu_per_press()}" for name, (ours, bare) in results.items()
        )
        + "."
    )
    lines.append(
        "\nPer press our bot stores the answer, the ticked keyboard, the next question and the update id in "
        "one transaction, then answers; its outbox sender shares the process and claims, sends and marks "
        "those replies meanwhile (run with --pause-sender to see the handlers alone). The two bots differ "
        "in how they are built, not only in what they do: the bare bot is python-telegram-bot as it comes "
        "(httpx, one update after another); ours talks HTTP through aiohttp (bot/http.py), handles a "
        "batch a lane per chat, 8 at a time (bot/polling.py), and on PostgreSQL runs each use case on the "
        'event loop in a greenlet, over asyncpg (Saathi.call). "CPU per press" is the process\'s CPU over '
        "the presses."
    )
    if not pg:
        lines.append("\nPostgreSQL not measured in this run (set SAATHI_TEST_POSTGRES_URL).")
    report_section("Replies by button (scripts/benchmarks/replies.py)", lines, args.append)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
