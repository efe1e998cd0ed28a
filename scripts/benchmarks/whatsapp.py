"""WhatsApp and Telegram dispatch side by side, each at its own ceiling (issue 18).

One deployment, two accounts: a WhatsApp number (the Cloud API emulator in this process, on the real
clock, enforcing Meta's 80 messages/s and one message per 6 s to the same person with the real error
codes) and the Telegram bot (the Bot API emulator in a child process, Telegram's limits ×``--scale``).
``--wa-users`` WhatsApp users get two messages each (their window open: free-form), so every second
message waits for that person's 6 s; ``--tg-members`` Telegram members get their check-in from the
real due scan. Everything is enqueued first; the real Application drains both at once.

Reported: for each channel the sustained rate (5 % to 95 % of its messages, by the outbox's
``sent_at``) as a fraction of its ceiling (target ≥ 0.95 for both), WhatsApp's throughput and pair-rate
refusals (130429, 131056; target 0) and the shortest gap between two messages to one WhatsApp user
(target ≥ 6 s), Telegram's 429s (target 0).

    .venv/bin/python scripts/benchmarks/whatsapp.py [--wa-users 1000] [--tg-members 3000] [--scale 10]

SQLite, a scratch file; no encryption key (as dispatch.py).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from sqlalchemy import insert
from sqlmodel import col, select

from bot.app import build_application, running
from bot.clock import SystemClock
from bot.config import parse_settings
from bot.delivery.limiter import Limits
from bot.domain import channels
from bot.services.context import ServiceContext
from bot.services.outbox import batched, enqueue
from sandbox.client import EmulatorClient
from sandbox.whatsapp import CloudApiEmulator
from sandbox.whatsapp import SystemClock as EmulatorClock
from sandbox.whatsapp.transport import emulator_session
from scripts.benchmarks.common import add_report_arguments, emulator_process, report_section
from scripts.benchmarks.dispatch import CEILING, FIRST_MEMBER, FIRST_STAFF, STAFF, TOKEN, TZ, run_due_scan, seed
from storage.channels import queries as channels_db
from storage.channels.tables import Channel, WhatsAppContact
from storage.db import SessionFactory, make_engine
from storage.migrate import upgrade
from storage.outbox.tables import OutboxMessage
from storage.people import queries as people_db

PHONE_ID, DISPLAY, WA_TOKEN, APP_SECRET = "106540352242922", "15550783881", "EAAbench", "bench-app-secret"
META_CEILING = 80.0
PAIR_SECONDS = 6.0


def seed_whatsapp(ctx: ServiceContext, users: int) -> list[str]:
    """An account, ``users`` contacts whose window is open, two messages each in the outbox."""
    now = ctx.clock.now()
    numbers = [f"9197{i:08d}" for i in range(users)]
    with ctx.uow() as session:
        center = people_db.center_by_name(session, "Bench Kendra")
        assert center is not None and center.id is not None
        account = channels_db.add_account(
            session,
            center_id=center.id,
            channel=Channel.WHATSAPP,
            name="bench-wa",
            token=WA_TOKEN,
            phone_id=PHONE_ID,
            app_secret=APP_SECRET,
            verify_token="bench",
            now=now,
        )
        session.execute(
            insert(WhatsAppContact),
            [
                {
                    "account_id": account.id,
                    "number_hash": channels_db.number_hash(APP_SECRET, number),
                    "number": number,
                    "last_inbound_at": now,
                    "created_at": now,
                }
                for number in numbers
            ],
        )
        ids = session.exec(select(WhatsAppContact.id).order_by(col(WhatsAppContact.id))).all()
        with batched(session):
            for turn in ("Good evening 🌿", "How is your day going?"):
                for contact_id in ids:
                    enqueue(session, chat_id=channels.whatsapp_key(contact_id or 0), text=turn, now=now)
        session.commit()
    return numbers


def sustained(sent_at: list, ceiling: float) -> float:  # type: ignore[type-arg]
    sent_at = sorted(sent_at)
    low, high = sent_at[int(0.05 * (len(sent_at) - 1))], sent_at[int(0.95 * (len(sent_at) - 1))]
    span = (high - low).total_seconds()
    return (int(0.95 * (len(sent_at) - 1)) - int(0.05 * (len(sent_at) - 1))) / span / ceiling if span else 0.0


async def run(wa_users: int, tg_members: int, scale: float, url: str) -> list[str]:
    upgrade(url)
    engine = make_engine(url)
    ctx = ServiceContext(uow=SessionFactory(engine), clock=SystemClock(), default_timezone=TZ)
    seed(ctx, tg_members, ctx.clock.now() - timedelta(seconds=30))
    scanned, _ = run_due_scan(ctx)
    numbers = seed_whatsapp(ctx, wa_users)
    wa = CloudApiEmulator(clock=EmulatorClock(), throughput_per_sec=META_CEILING, pair_interval=PAIR_SECONDS)
    await wa.start()
    wa.add_number(PHONE_ID, DISPLAY, token=WA_TOKEN, app_secret=APP_SECRET)
    for number in numbers:
        wa.add_user(number, "Bench")
    users = [f"{FIRST_MEMBER}:{tg_members}:Member", f"{FIRST_STAFF}:{STAFF}:Counsellor"]
    total = scanned + 2 * wa_users
    try:
        with emulator_process(TOKEN, [arg for spec in users for arg in ("--users", spec)]) as child:
            client = EmulatorClient(child.control_url)
            await client.set_limits(
                overall_per_sec=CEILING * scale, per_chat_per_sec=scale, per_group_per_min=20 * scale
            )
            await client.reset_stats()
            settings = parse_settings(
                {"TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_URL": child.base_url, "DATABASE_URL": url}
            )
            application = build_application(
                settings,
                with_jobs=False,
                limits=Limits(overall_per_sec=29).scaled(scale),
                whatsapp_session=lambda: emulator_session(wa.url),
            )
            started = time.monotonic()
            async with running(application) as saathi:
                assert saathi.sender is not None
                while saathi.sender.sent_count < total:
                    if time.monotonic() - started > 60 + 3 * total / 79:
                        raise TimeoutError(f"{saathi.sender.sent_count} of {total} sent")
                    await asyncio.sleep(0.05)
                await asyncio.sleep(0.5)
            stats = await client.stats()
            await client.aclose()
    finally:
        await wa.stop()
    with ctx.uow() as session:
        rows = session.exec(select(OutboxMessage.channel, OutboxMessage.sent_at)).all()
    engine.dispose()
    wa_sent = [at for channel, at in rows if channel == "whatsapp" and at is not None]
    tg_sent = [at for channel, at in rows if channel == "telegram" and at is not None]
    refusals = {code: sum(1 for call in wa.calls if call.outcome == code) for code in (130429, 131056)}
    gaps = []
    by_user: dict[str, list] = {}  # type: ignore[type-arg]
    for message in wa.sent:
        by_user.setdefault(message.wa_id, []).append(message.accepted_at)
    for times in by_user.values():
        times.sort()
        gaps.extend((b - a).total_seconds() for a, b in zip(times, times[1:], strict=False))
    return [
        f"WhatsApp: {len(wa_sent)} messages to {wa_users} users (two each), Meta's 80/s and 6 s per person "
        "enforced by the emulator on the real clock; Telegram: "
        f"{len(tg_sent)} check-ins, its limits ×{scale:g} ({CEILING * scale:g}/s), both drained at once.",
        "",
        "| channel | sent | of its ceiling | refusals | shortest gap to one person |",
        "|---|---|---|---|---|",
        f"| WhatsApp | {len(wa_sent)} | {sustained(wa_sent, META_CEILING):.3f} | 130429: {refusals[130429]}, "
        f"131056: {refusals[131056]} | {min(gaps) if gaps else float('nan'):.2f} s |",
        f"| Telegram | {len(tg_sent)} | {sustained(tg_sent, CEILING * scale):.3f} | 429: "
        f"{stats.get('rate_limited', stats)} | — |",
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--wa-users", type=int, default=1000)
    parser.add_argument("--tg-members", type=int, default=3000)
    parser.add_argument("--scale", type=float, default=10.0)
    add_report_arguments(parser)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        lines = asyncio.run(run(args.wa_users, args.tg_members, args.scale, f"sqlite:///{scratch}/bench.db"))
    report_section("WhatsApp beside Telegram", lines, args.append)


if __name__ == "__main__":
    main()
