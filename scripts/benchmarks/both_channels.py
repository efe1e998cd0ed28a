"""WhatsApp and Telegram together: one deployment dispatching on both channels at the same time.

One centre has the Telegram bot and a WhatsApp number. Its Telegram members and its WhatsApp
members are all due for their check-in in the same minute; the real due scan enqueues every
check-in, and each WhatsApp member also gets a second message (a reminder) due at once, so the
number has ``2 × --wa-users`` messages to send while the bot has ``--tg-members`` to send on
Telegram. The real Application (one outbox sender for both channels, pywa_async for WhatsApp, the
console's web app receiving WhatsApp's signed status webhooks) runs here; each emulator runs in
its own child process at the real limits, unscaled:

* Telegram's Bot API emulator: 30 messages/s overall, 1/s per chat; the bot's limiter at 29/s
  (the production default);
* the WhatsApp Cloud API emulator: 80 messages/s per number (130429 beyond), one message per 6 s
  to the same user (131056 sooner); the bot's WhatsApp limiter at 79/s and 6.05 s (bot/delivery/whatsapp.py).

Every WhatsApp member's 24-hour window is open (each wrote once before), so check-ins go as
free-form messages (a list of the mood scale), not as templates.

Reported, from the emulators' own records (the WhatsApp emulator's time of each accepted call;
the Telegram outbox's ``sent_at`` as in dispatch.py): WhatsApp's sustained rate (5 %–95 % of its
sends) as a share of 80/s (target ≥ 0.95), its refusals by code (130429 and 131056: target 0),
the shortest gap between two messages the emulator accepted for one user (target ≥ 6 s), and
Telegram's sustained rate as a share of 30/s over the same run (target ≥ 0.95) and its 429s (0).

    .venv/bin/python scripts/benchmarks/both_channels.py [--wa-users 1200] [--tg-members 900]
        [--no-statuses] [--database-url URL] [--append FILE]
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import socket
import sys
import tempfile
import time
from collections import Counter, defaultdict
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from sqlalchemy import insert
from sqlmodel import col, select

from bot.app import build_application, running
from bot.clock import SystemClock
from bot.config import parse_settings
from bot.delivery.limiter import Limits
from bot.domain import channels
from bot.domain.outgoing import Priority
from bot.services.context import ServiceContext
from bot.services.onboarding import CONSENT_VERSION
from bot.services.outbox import enqueue
from sandbox.client import EmulatorClient
from sandbox.whatsapp.transport import emulator_session
from scripts.benchmarks import dispatch
from scripts.benchmarks.common import (
    add_report_arguments,
    emulator_process,
    report_section,
    whatsapp_emulator_process,
)
from storage import crypto
from storage.channels import queries as channels_db
from storage.channels.tables import Channel, WhatsAppContact
from storage.db import SessionFactory, make_engine
from storage.migrate import upgrade
from storage.outbox.tables import OutboxMessage
from storage.people.tables import ConsentRecord, Member

TG_TOKEN = "1000000008:BENCH-both-channels-not-real"
TG_CEILING = 30.0
TG_RATE = 29.0
WA_CEILING = 80.0
WA_PAIR_SECONDS = 6.0
PHONE_ID = "106540352242999"
WA_TOKEN = "EAAbenchmarktoken"
APP_SECRET = "bench-app-secret"
ACCOUNT = "bench-wa"
FIRST_WA = 919_800_000_000
TZ = dispatch.TZ

log = logging.getLogger("bench.both")


@dataclass
class Result:
    wa_messages: int
    wa_users: int
    tg_messages: int
    wa_accepted: int
    wa_rate: float
    wa_refused: Counter[Any]
    wa_failed: Counter[Any]
    min_pair_gap: float
    users_under_gap: int
    tg_rate: float
    tg_429s: int
    overlap: float  # seconds both channels were sending
    bot_cpu: float  # the bot's process: CPU seconds per second while sending (1.0: a whole core)
    drain_seconds: float
    statuses: bool
    webhooks: int
    delivered_noted: int
    database: str


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def seed_whatsapp(ctx: ServiceContext, users: int, due: Any) -> list[int]:
    """The WhatsApp number of dispatch.py's centre and ``users`` active WhatsApp members due at
    ``due``, each with an open window (they wrote a minute ago); their conversation keys."""
    now = ctx.clock.now()
    with ctx.uow() as session:
        center_id = session.exec(select(Member.center_id)).first()
        assert center_id is not None
        account = channels_db.add_account(
            session,
            center_id=center_id,
            channel=Channel.WHATSAPP,
            name=ACCOUNT,
            token=WA_TOKEN,
            phone_id=PHONE_ID,
            app_secret=APP_SECRET,
            verify_token="bench-verify",
            now=now,
        )
        numbers = [str(FIRST_WA + i) for i in range(users)]
        session.execute(
            insert(WhatsAppContact),
            [
                {
                    "account_id": account.id,
                    "number_hash": channels_db.number_hash(APP_SECRET, number),
                    "number": number,
                    "last_inbound_at": now - timedelta(minutes=1),
                    "created_at": now,
                }
                for number in numbers
            ],
        )
        contact_ids = session.exec(
            select(WhatsAppContact.id).where(WhatsAppContact.account_id == account.id).order_by(col(WhatsAppContact.id))
        ).all()
        keys = [channels.whatsapp_key(contact_id or 0) for contact_id in contact_ids]
        session.execute(
            insert(Member),
            [
                {
                    "center_id": center_id,
                    "telegram_user_id": key,
                    "chat_id": key,
                    "display_name": None,
                    "pseudonym": f"WA Member {i}",
                    "language": "en",
                    "timezone": TZ,
                    "checkin_time": "21:00",
                    "status": "active",
                    "onboarding_step": None,
                    "high_risk_windows": "",
                    "next_checkin_due_at": due,
                    "created_at": now,
                }
                for i, key in enumerate(keys)
            ],
        )
        ids = session.exec(select(Member.id).where(col(Member.telegram_user_id).in_(keys))).all()
        session.execute(
            insert(ConsentRecord),
            [
                {"member_id": m, "version": CONSENT_VERSION, "accepted": True, "language": "en", "created_at": now}
                for m in ids
            ],
        )
        session.commit()
    return keys


def enqueue_reminders(ctx: ServiceContext, keys: list[int]) -> None:
    """Each WhatsApp member's second message, due now (after every check-in: the pair rate is
    the emulator's to check, the bot's pacing to keep)."""
    now = ctx.clock.now()
    with ctx.uow() as session:
        for key in keys:
            enqueue(
                session,
                chat_id=key,
                text="A gentle reminder: today's check-in is waiting for you.",
                now=now,
                priority=Priority.SCHEDULED,
                purpose="reminder",
            )
        session.commit()


def sustained(times: list[float]) -> tuple[float, float, float]:
    """Sends a second between the 5th and 95th percentile of ``times`` (sorted), and that span."""
    n = len(times)
    if n < 20:
        return float("nan"), float("nan"), float("nan")
    low, high = int(0.05 * (n - 1)), int(0.95 * (n - 1))
    span = times[high] - times[low]
    return (high - low) / span if span > 0 else float("nan"), times[low], times[high]


def pair_gaps(calls: list[list[Any]]) -> tuple[float, int]:
    """The shortest gap between two accepted calls to one user, and how many users had one < 6 s."""
    by_user: dict[str, list[float]] = defaultdict(list)
    for at, to, outcome, _ in calls:
        if outcome == "accepted":
            by_user[to].append(at)
    shortest = float("inf")
    under = 0
    for times in by_user.values():
        times.sort()
        gaps = [b - a for a, b in zip(times, times[1:], strict=False)]
        if gaps:
            shortest = min(shortest, min(gaps))
            under += any(gap < WA_PAIR_SECONDS for gap in gaps)
    return shortest, under


async def run(wa_users: int, tg_members: int, statuses: bool, url: str, timeline: bool = False) -> Result:
    upgrade(url)
    crypto.configure([k for k in os.environ.get("SAATHI_ENCRYPTION_KEYS", "").split(",") if k])  # as the bot will
    engine = make_engine(url)
    ctx = ServiceContext(uow=SessionFactory(engine), clock=SystemClock(), default_timezone=TZ)
    due = ctx.clock.now() - timedelta(seconds=30)
    print(f"seeding {tg_members} Telegram members and {wa_users} WhatsApp members …", flush=True)
    dispatch.seed(ctx, tg_members, due)
    keys = seed_whatsapp(ctx, wa_users, due)
    scanned, _ = dispatch.run_due_scan(ctx)
    assert scanned == tg_members + wa_users, f"the due scan enqueued {scanned}"
    enqueue_reminders(ctx, keys)
    wa_total, tg_total = 2 * wa_users, tg_members

    web = f"127.0.0.1:{free_port()}"
    webhook = f"http://{web}/whatsapp/{ACCOUNT}" if statuses else None
    tg_users = [f"{dispatch.FIRST_MEMBER}:{tg_members}:Member", f"{dispatch.FIRST_STAFF}:{dispatch.STAFF}:Counsellor"]
    with (
        emulator_process(TG_TOKEN, [arg for spec in tg_users for arg in ("--users", spec)]) as tg,
        whatsapp_emulator_process(PHONE_ID, WA_TOKEN, APP_SECRET, f"{FIRST_WA}:{wa_users}", webhook) as wa,
    ):
        client = EmulatorClient(tg.control_url)
        try:
            await client.set_limits(overall_per_sec=TG_CEILING, per_chat_per_sec=1, per_group_per_min=20)
            await client.reset_stats()
            values = {
                "TELEGRAM_BOT_TOKEN": TG_TOKEN,
                "TELEGRAM_API_URL": tg.base_url,
                "DATABASE_URL": url,
                "WEB_LISTEN": web,
                "WEB_BASE_URL": f"http://{web}",
                "LOG_LEVEL": "WARNING",
            }
            if os.environ.get("SAATHI_ENCRYPTION_KEYS"):
                values["SAATHI_ENCRYPTION_KEYS"] = os.environ["SAATHI_ENCRYPTION_KEYS"]
            application = build_application(
                parse_settings(values),
                with_jobs=False,
                with_web=True,
                sender_poll=0.05,
                limits=Limits(overall_per_sec=TG_RATE),
                whatsapp_session=lambda: emulator_session(wa.base_url),
            )
            print(f"sending {wa_total} on WhatsApp and {tg_total} on Telegram …", flush=True)
            async with running(application) as saathi:
                started, cpu_started = time.monotonic(), time.process_time()
                while saathi.sender.sent_count < wa_total + tg_total:
                    if time.monotonic() - started > 300:
                        raise TimeoutError(f"only {saathi.sender.sent_count} of {wa_total + tg_total} sent")
                    await asyncio.sleep(0.05)
                busy = (time.process_time() - cpu_started) / (time.monotonic() - started)
                await asyncio.sleep(0.5)  # the last marks commit
                record = await asyncio.get_running_loop().run_in_executor(None, wa.record)
                await asyncio.sleep(0.5)  # the last status webhooks commit
            stats = await client.stats()
        finally:
            await client.aclose()

    with ctx.uow() as session:
        tg_sent = sorted(
            at.timestamp()
            for at in session.exec(
                select(OutboxMessage.sent_at).where(
                    OutboxMessage.channel == channels.TELEGRAM, OutboxMessage.status == "sent"
                )
            ).all()
            if at is not None
        )
        delivered_noted = len(
            session.exec(select(OutboxMessage.id).where(OutboxMessage.delivery_status == "delivered")).all()
        )
    engine.dispose()
    calls = record["calls"]
    accepted = sorted(at for at, _, outcome, _ in calls if outcome == "accepted")
    wa_rate, wa_low, wa_high = sustained(accepted)
    tg_rate, tg_low, tg_high = sustained(tg_sent)
    shortest, under = pair_gaps(calls)
    if timeline:
        start = min(accepted[0], tg_sent[0])
        for name, times in (("WhatsApp", accepted), ("Telegram", tg_sent)):
            per = Counter(int(at - start) for at in times)
            print(f"{name} per second from the first send: {[per.get(i, 0) for i in range(max(per) + 1)]}")
    refused = Counter(outcome for _, _, outcome, _ in calls if outcome != "accepted")
    return Result(
        wa_messages=wa_total,
        wa_users=wa_users,
        tg_messages=tg_total,
        wa_accepted=len(accepted),
        wa_rate=wa_rate,
        wa_refused=refused,
        wa_failed=Counter(code for _, code in record["failed"]),
        min_pair_gap=shortest,
        users_under_gap=under,
        tg_rate=tg_rate,
        tg_429s=int(stats.get("rate_limited", 0)),
        overlap=max(0.0, min(wa_high, tg_high) - max(wa_low, tg_low)),
        bot_cpu=busy,
        drain_seconds=max(accepted[-1], tg_sent[-1]) - min(accepted[0], tg_sent[0]),
        statuses=statuses,
        webhooks=int(record["webhooks"]) - wa_users,
        delivered_noted=delivered_noted,
        database="PostgreSQL" if url.startswith("postgres") else "SQLite",
    )


def report(results: list[Result]) -> list[str]:
    r0 = results[0]
    lines = [
        f"One deployment, one outbox sender: {r0.tg_messages:,} Telegram check-ins (the Bot API emulator at 30/s "
        f"overall, 1/s per chat; the bot at {TG_RATE:g}/s) and {r0.wa_messages:,} WhatsApp messages to "
        f"{r0.wa_users:,} users (a check-in and a reminder each; the Cloud API emulator at 80/s per number and one "
        "message per 6 s per user; the bot at 79/s and 6.05 s), all due in the same minute, each emulator in its "
        "own process at the real, unscaled limits. WhatsApp figures from the emulator's record of every call; "
        "Telegram's from the outbox's sent_at.",
        "",
        "| database | statuses posted | WA msg/s (5–95 %) | of 80/s (≥ 0.95) | WA 130429 / 131056 (0) | shortest "
        "gap to one user s (≥ 6) | TG msg/s (5–95 %) | of 30/s (≥ 0.95) | TG 429s (0) | both sending s | drain s |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        wa_share, tg_share = r.wa_rate / WA_CEILING, r.tg_rate / TG_CEILING
        throughput, pair = r.wa_refused.get(130429, 0), r.wa_refused.get(131056, 0)
        lines.append(
            f"| {r.database} | {'yes' if r.statuses else 'no'} | {r.wa_rate:.1f} | {wa_share:.3f} "
            f"{'✓' if wa_share >= 0.95 else '✗'} | {throughput} / {pair} {'✓' if throughput + pair == 0 else '✗'} | "
            f"{r.min_pair_gap:.2f} ({r.users_under_gap} users < 6 s) {'✓' if r.users_under_gap == 0 else '✗'} | "
            f"{r.tg_rate:.1f} | {tg_share:.3f} {'✓' if tg_share >= 0.95 else '✗'} | {r.tg_429s} "
            f"{'✓' if r.tg_429s == 0 else '✗'} | {r.overlap:.1f} | {r.drain_seconds:.1f} |"
        )
    for r in results:
        other = {code: n for code, n in r.wa_refused.items() if code not in (130429, 131056)}
        lines.append(
            f"\n{r.database}: {r.wa_accepted:,} of {r.wa_messages:,} WhatsApp calls accepted; other refusals "
            f"{other or 'none'}; failed afterwards {dict(r.wa_failed) or 'none'}; {r.webhooks:,} status webhooks "
            f"posted, {r.delivered_noted:,} rows noted 'delivered'; the bot's process used {r.bot_cpu:.2f} of a "
            "core while sending."
        )
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--wa-users", type=int, default=1200, help="WhatsApp members, two messages each")
    parser.add_argument("--tg-members", type=int, default=900, help="Telegram members, one check-in each")
    parser.add_argument("--no-statuses", action="store_true", help="the emulator posts no status webhooks")
    parser.add_argument("--database-url", help="default: a temporary SQLite file")
    parser.add_argument("--timeline", action="store_true", help="also print each channel's sends per second")
    add_report_arguments(parser)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    with ExitStack() as stack:
        url = args.database_url or f"sqlite:///{stack.enter_context(tempfile.TemporaryDirectory())}/bench.db"
        result = asyncio.run(run(args.wa_users, args.tg_members, not args.no_statuses, url, args.timeline))
    title = "WhatsApp and Telegram together (scripts/benchmarks/both_channels.py)"
    report_section(title, report([result]), args.append)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
