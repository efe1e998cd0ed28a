"""Replies: 1,000 members answer their check-in by button at once; our bot beside a bare one.

The real Application runs against the in-process Bot API emulator over HTTP. Members are
seeded active with today's check-in due; the real due scan and outbox deliver each one its
mood keyboard. Then one mood press per member is queued in the emulator as fast as it can
take them, and we measure until every press has been answered.

Handling latency of a press: from the moment it is queued in the emulator (the update
Telegram would hold for us) to the bot's answerCallbackQuery reaching the emulator. Our
handler answers only after the answer is stored and the replies (the ticked keyboard, the
next question) are committed to the outbox in the same transaction, so this is the whole
handling; sending those replies is the outbox's job at Telegram's 30/s ceiling (the
dispatch benchmark), not part of this figure. Throughput: presses / (last answer - first
press).

The floor, in the same run and against the same emulator: a bare python-telegram-bot
Application with only a CallbackQueryHandler that answers the callback, polled the same
way, pressed on the same messages. Our throughput is reported as a ratio of the bare bot's
(target >= 0.5).

SQLite always; PostgreSQL when SAATHI_TEST_POSTGRES_URL (or CI=true) is set, in a scratch
database ``bench_replies`` dropped afterwards.

    .venv/bin/python scripts/benchmarks/replies.py [--members 1000] [--no-append]
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from telegram import Update  # noqa: E402
from telegram.ext import Application, ApplicationBuilder, CallbackQueryHandler, ContextTypes  # noqa: E402

from bot.app import build_application, running  # noqa: E402
from bot.clock import SystemClock  # noqa: E402
from bot.config import parse_settings  # noqa: E402
from bot.sandbox.emulator import BotApiEmulator  # noqa: E402
from bot.services import admin, checkins  # noqa: E402
from bot.services.onboarding import CONSENT_VERSION  # noqa: E402
from scripts.benchmarks.common import append_section, median, percentile, postgres_url, scratch_postgres  # noqa: E402
from storage.migrate import upgrade  # noqa: E402
from storage.models import ConsentRecord, Member  # noqa: E402

TOKEN = "1000000003:BENCH-replies-token-not-real"
FIRST_USER = 200_000
TARGET_RATIO = 0.5


@dataclass
class Run:
    presses: int
    seconds: float
    latencies_ms: list[float]
    refused: int

    @property
    def per_second(self) -> float:
        return self.presses / self.seconds if self.seconds > 0 else float("nan")


def _time_answers(emu: BotApiEmulator) -> dict[str, float]:
    """When each answerCallbackQuery reached the emulator (its list of answers carries no time)."""
    answered: dict[str, float] = {}
    name, handler = emu._methods["answercallbackquery"]

    async def timed(params: Any) -> Any:
        result = await handler(params)
        answered[str(params.get_str("callback_query_id"))] = time.monotonic()
        return result

    emu._methods["answercallbackquery"] = (name, timed)
    return answered


async def _press_all(emu: BotApiEmulator, answered: dict[str, float], presses: list[tuple[int, int, str]],
                     *, strict: bool, timeout: float = 300) -> Run:
    """Queue every press at once, then wait until each one has been answered."""
    answered.clear()
    queued: dict[str, float] = {}
    for user_id, message_id, data in presses:
        query_id = emu.press_button(user_id, message_id, data, strict=strict)
        queued[query_id] = time.monotonic()
    first = min(queued.values())
    deadline = first + timeout
    while len(answered.keys() & queued.keys()) < len(queued):
        if time.monotonic() > deadline:
            raise TimeoutError(f"only {len(answered)} of {len(queued)} presses answered in {timeout:.0f} s")
        await asyncio.sleep(0.01)
    latencies = [(answered[q] - queued[q]) * 1000 for q in queued]
    ids = set(queued)
    refused = sum(1 for a in emu.callback_answers if a["callback_query_id"] in ids and a.get("text"))
    return Run(len(queued), max(answered[q] for q in queued) - first, latencies, refused)


def _seed(saathi: Any, members: int) -> list[int]:  # noqa: ANN401
    """Active members whose check-in is due now (consent given, so the due scan sends it)."""
    ctx = saathi.services
    admin.add_center(ctx, "Bench Kendra", "Asia/Kolkata")
    admin.add_counsellor(ctx, "Bench Kendra", "Counsellor Bench", telegram_id=9002)
    now = datetime.now(UTC)
    ids = [FIRST_USER + i for i in range(members)]
    with ctx.uow() as session:
        rows = [Member(center_id=1, counsellor_id=1, telegram_user_id=user_id, chat_id=user_id,
                       display_name=f"Bench Member {i}", pseudonym=f"Bench {i}", language="en",
                       timezone="Asia/Kolkata", status="active", onboarding_step=None, checkin_time="20:00",
                       next_checkin_due_at=now, created_at=now) for i, user_id in enumerate(ids)]
        session.add_all(rows)
        session.flush()
        session.add_all([ConsentRecord(member_id=row.id or 0, version=CONSENT_VERSION, accepted=True, language="en",
                                       created_at=now) for row in rows])
        session.commit()
    return ids


async def _keyboards(emu: BotApiEmulator, ids: list[int], timeout: float = 240) -> dict[int, tuple[int, str]]:
    """Wait for every member's mood keyboard; returns chat → (message id, a mood button's data)."""
    found: dict[int, tuple[int, str]] = {}
    deadline = time.monotonic() + timeout
    while len(found) < len(ids):
        for user_id in ids:
            if user_id in found:
                continue
            for message in emu.messages(user_id):
                moods = [data for _, data in message.buttons() if ":mood:" in data]
                if moods:
                    found[user_id] = (message.message_id, moods[3])
        if len(found) < len(ids):
            if time.monotonic() > deadline:
                raise TimeoutError(f"only {len(found)} of {len(ids)} keyboards delivered")
            await asyncio.sleep(0.5)
    return found


async def _bare_answer(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    if update.callback_query is not None:
        await update.callback_query.answer()


async def _run_bare(emu: BotApiEmulator, answered: dict[str, float], presses: list[tuple[int, int, str]]) -> Run:
    """The floor: nothing but python-telegram-bot polling the same emulator and answering."""
    bare: Application = ApplicationBuilder().token(TOKEN).base_url(emu.base_url).build()  # type: ignore[type-arg]
    bare.add_handler(CallbackQueryHandler(_bare_answer))
    await bare.initialize()
    await bare.start()
    assert bare.updater is not None
    await bare.updater.start_polling(poll_interval=0, timeout=1, drop_pending_updates=False)
    try:
        # the buttons were since replaced by our bot's replies: a bare bot answers whatever it is pressed
        return await _press_all(emu, answered, presses, strict=False)
    finally:
        await bare.updater.stop()
        await bare.stop()
        await bare.shutdown()


async def _run_ours(settings: Any, emu: BotApiEmulator, answered: dict[str, float],  # noqa: ANN401
                    presses: list[tuple[int, int, str]], profile: str | None, pause_sender: bool) -> Run:
    application = build_application(settings, clock=SystemClock(), with_jobs=False, sender_poll=0.05)
    async with running(application) as saathi:
        if pause_sender and saathi.sender is not None:  # diagnosis: the handlers alone, replies left queued
            await saathi.sender.stop()
        profiler = cProfile.Profile() if profile else None
        if profiler is not None:
            profiler.enable()
        ours = await _press_all(emu, answered, presses, strict=True)
        if profiler is not None:
            profiler.disable()
            profiler.dump_stats(profile)
    return ours


async def run_once(database_url: str, members: int, profile: str | None = None,
                   pause_sender: bool = False) -> tuple[Run, Run]:
    """Deliver the keyboards, then: bare bot, our bot, bare bot again (the floor brackets ours in time)."""
    async with BotApiEmulator(token=TOKEN) as emu:
        answered = _time_answers(emu)
        settings = parse_settings({"TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_URL": emu.base_url,
                                   "DATABASE_URL": database_url, "LOG_LEVEL": "WARNING"})
        upgrade(database_url)
        application = build_application(settings, clock=SystemClock(), with_jobs=False, sender_poll=0.05)
        async with running(application) as saathi:
            ids = _seed(saathi, members)
            for user_id in ids:
                emu.add_user(user_id, "Bench")
            started = time.monotonic()
            while checkins.run_due_checkins(saathi.services):
                pass
            saathi.kick()
            keyboards = await _keyboards(emu, ids)
            print(f"  {members} keyboards delivered in {time.monotonic() - started:.0f} s", flush=True)
        presses = [(user_id, *keyboards[user_id]) for user_id in ids]
        before = await _run_bare(emu, answered, presses)
        ours = await _run_ours(settings, emu, answered, presses, profile, pause_sender)
        after = await _run_bare(emu, answered, presses)
        bare = Run(before.presses + after.presses, before.seconds + after.seconds,
                   before.latencies_ms + after.latencies_ms, before.refused + after.refused)
        print(f"  bare bot before ours {before.per_second:.0f}/s, after {after.per_second:.0f}/s", flush=True)
        return ours, bare


def _row(label: str, run: Run) -> str:
    return (f"| {label} | {run.presses} | {run.per_second:.0f} | {median(run.latencies_ms):.0f} | "
            f"{percentile(run.latencies_ms, 99):.0f} | {run.refused} |")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=1000, help="members pressing at once")
    parser.add_argument("--database", choices=("both", "sqlite", "postgres"), default="both")
    parser.add_argument("--profile", metavar="FILE", help="cProfile our bot's pressing phase (SQLite) into FILE")
    parser.add_argument("--pause-sender", action="store_true",
                        help="diagnosis: stop our outbox sender during the burst (the handlers alone)")
    parser.add_argument("--no-append", action="store_true", help="print only; leave docs/performance.md alone")
    args = parser.parse_args()
    results: dict[str, tuple[Run, Run]] = {}
    if args.database in ("both", "sqlite"):
        with tempfile.TemporaryDirectory() as folder:
            print("SQLite", flush=True)
            results["SQLite"] = asyncio.run(run_once(f"sqlite:///{folder}/bench.db", args.members,
                                                          args.profile, args.pause_sender))
    pg = postgres_url() if args.database in ("both", "postgres") else None
    if pg:
        with scratch_postgres(pg, "bench_replies") as url:
            print("PostgreSQL", flush=True)
            results["PostgreSQL"] = asyncio.run(run_once(url, args.members, pause_sender=args.pause_sender))
    if not results:
        print("nothing measured (PostgreSQL needs SAATHI_TEST_POSTGRES_URL or CI=true)")
        return 1
    lines = [f"{args.members} members press a mood button on their check-in at once (all presses queued in the "
             "emulator before the first is answered). Latency: press queued → answerCallbackQuery at the emulator; "
             "ours answers after the answer and its replies are committed to the outbox. The bare bot is "
             "python-telegram-bot with one CallbackQueryHandler that only answers, polled the same way, in the same "
             "run against the same emulator. Refused: presses answered with a toast (stale or failed).", "",
             "| database | bot | presses | answered per s | p50 ms | p99 ms | refused |", "|---|---|---|---|---|---|---|"]
    if args.pause_sender:
        lines[0] += (" Diagnosis run (--pause-sender): our outbox sender was stopped during the burst, so these "
                     "figures are the handlers alone, without the replies being sent.")
    ratios = []
    for name, (ours, bare) in results.items():
        ratio = ours.per_second / bare.per_second
        ratios.append(ratio)
        lines.append(_row(f"{name} | Saathi", ours))
        lines.append(_row(f"{name} | bare PTB (floor)", bare))
        print(f"{name}: ours {ours.per_second:.0f}/s (p50 {median(ours.latencies_ms):.0f} ms, p99 "
              f"{percentile(ours.latencies_ms, 99):.0f} ms, refused {ours.refused}); bare {bare.per_second:.0f}/s "
              f"(p50 {median(bare.latencies_ms):.0f} ms, p99 {percentile(bare.latencies_ms, 99):.0f} ms); "
              f"ratio {ratio:.2f} (target ≥ {TARGET_RATIO})")
    lines.append("")
    lines.append("Our throughput as a share of the bare bot's: " + ", ".join(
        f"{name} {r:.2f} {'✓' if r >= TARGET_RATIO else '✗'}" for name, r in zip(results, ratios, strict=True))
        + f" (target ≥ {TARGET_RATIO}).")
    lines.append("\nPer press our bot reads the update id (dedupe), then stores the answer, the ticked keyboard, the "
                 "next question and the update id in one transaction; its outbox sender shares the event loop and "
                 "claims, sends and marks those replies meanwhile (run with --pause-sender to see the handlers "
                 "alone).")
    if not pg:
        lines.append("\nPostgreSQL not measured in this run (set SAATHI_TEST_POSTGRES_URL).")
    if not args.no_append:
        append_section("Replies by button (scripts/benchmarks/replies.py)", lines)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
