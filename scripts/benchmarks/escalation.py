"""Escalation latency: from a member's message arriving at the emulator to the counsellor's alert being sent.

500 urgent messages from 200 active members (with ordinary chatter from the others in
between), against the real Application over HTTP, one after another, each after the counsellor's
chat spacing has passed (``CHAT_SPACING``). Reports p50/p99 in milliseconds for SQLite, and for
PostgreSQL when SAATHI_TEST_POSTGRES_URL (or CI=true) is set, in a scratch database
``bench_escalation`` dropped afterwards.

    .venv/bin/python scripts/benchmarks/escalation.py [--messages 500] [--members 200] [--append FILE]
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from sqlmodel import select

from bot.app import running
from bot.services import admin
from sandbox.emulator import BotApiEmulator
from scripts.benchmarks.common import (
    add_report_arguments,
    bot_application,
    bot_settings,
    median,
    percentile,
    postgres_url,
    report_section,
    scratch_postgres,
)
from storage.migrate import upgrade
from storage.people.tables import Member
from storage.safety.tables import Escalation

TOKEN = "1000000002:BENCH-escalation-token-not-real"
COUNSELLOR = 9001
URGENT = "I don't want to live anymore"
CHATTER = "feeling okay today, went for a walk"
CHAT_SPACING = 1.1  # seconds between two urgent messages: past the sender's 1.05 s per chat


def _seed_members(saathi, count: int) -> list[int]:  # type: ignore[no-untyped-def]
    ctx = saathi.services
    admin.add_center(ctx, "Bench Kendra", "Asia/Kolkata")
    admin.add_counsellor(ctx, "Bench Kendra", "Counsellor Bench", telegram_id=COUNSELLOR)
    now = datetime.now(UTC)
    ids = []
    with ctx.uow() as session:
        for i in range(count):
            user_id = 100_000 + i
            session.add(
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
                    created_at=now,
                )
            )
            ids.append(user_id)
        session.commit()
    return ids


async def _resolve_open(saathi) -> None:  # type: ignore[no-untyped-def]
    """Close alerts as they are sent, so each member's next urgent message opens a new one."""
    with saathi.services.uow() as session:
        for escalation in session.exec(select(Escalation).where(Escalation.state == "open")):
            escalation.state = "resolved"
        session.commit()


async def run_once(database_url: str, messages: int, members: int) -> list[float]:
    async with BotApiEmulator(token=TOKEN) as emu:
        upgrade(database_url)
        async with running(bot_application(bot_settings(TOKEN, emu.base_url, database_url))) as saathi:
            user_ids = _seed_members(saathi, members)
            emu.add_user(COUNSELLOR, "Bench")
            for user_id in user_ids:
                emu.add_user(user_id, "Bench")
            latencies: list[float] = []
            for k in range(messages):
                sender = user_ids[k % members]
                before = len(emu.messages(COUNSELLOR))
                emu.send_text(user_ids[(k * 7 + 3) % members], CHATTER)  # someone else is chatting
                started = time.monotonic()
                emu.send_text(sender, URGENT)
                alert = await emu.wait_for_message(
                    COUNSELLOR, lambda m: "URGENT" in (m.text or ""), after=before, timeout=10
                )
                latencies.append((alert.sent_at - started) * 1000)
                await _resolve_open(saathi)
                # Every alert goes to the one counsellor, and the sender spaces messages to one chat
                # 1.05 s apart (Telegram's limit per chat): without this pause each alert would wait
                # for the last one and the figure would be that spacing, not the path to the alert.
                await asyncio.sleep(CHAT_SPACING)
            return latencies


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=500)
    parser.add_argument("--members", type=int, default=200)
    add_report_arguments(parser)
    args = parser.parse_args()
    results: dict[str, list[float]] = {}
    with tempfile.TemporaryDirectory() as folder:
        results["SQLite"] = asyncio.run(run_once(f"sqlite:///{folder}/bench.db", args.messages, args.members))
    pg = postgres_url()
    if pg:
        with scratch_postgres(pg, "bench_escalation") as url:
            results["PostgreSQL"] = asyncio.run(run_once(url, args.messages, args.members))
    lines = [
        f"{args.messages} urgent messages from {args.members} active members, each with other members' "
        "chatter in between, sent one after another with a pause past the counsellor's 1.05 s chat spacing; time "
        "from the message reaching the emulator to the alert being sent.",
        "",
        "| database | p50 ms | p99 ms | max ms | target p99 |",
        "|---|---|---|---|---|",
    ]
    for name, values in results.items():
        row = (
            f"| {name} | {median(values):.1f} | {percentile(values, 99):.1f} | {max(values):.1f} | < 1000 ms "
            f"{'✓' if percentile(values, 99) < 1000 else '✗'} |"
        )
        lines.append(row)
        print(f"{name}: p50 {median(values):.1f} ms, p99 {percentile(values, 99):.1f} ms, max {max(values):.1f} ms")
    if not pg:
        lines.append("\nPostgreSQL not measured in this run (set SAATHI_TEST_POSTGRES_URL).")
    report_section("Escalation latency (scripts/benchmarks/escalation.py)", lines, args.append)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
