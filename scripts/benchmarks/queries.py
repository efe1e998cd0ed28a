"""Due scans and the outbox claim at 10,000 and 100,000 members: time per query and its plan.

Seeds a realistic database with bulk inserts (members with check-in times spread over the
day in five time zones, most of them active; yesterday's and today's check-ins; an outbox
of mostly sent rows with some due; escalations, attendance watches, sponsors, talk
requests, circles with meetings) at a peak minute, 21:00 in India, when about one member
in ten is due. Then times the exact repository calls the per-minute due work makes
(bot/runtime.py ``run_due_work``, with the services' own limits) and the sender's outbox
claim: each the median of ``--runs`` runs, in a transaction that is rolled back, so every
run sees the same due rows. EXPLAIN QUERY PLAN (SQLite) / EXPLAIN ANALYZE (PostgreSQL)
shows whether each one reads an index and how many rows it touches.

SQLite always; PostgreSQL when SAATHI_TEST_POSTGRES_URL (or CI=true) is set, in a scratch
database ``bench_queries`` that is dropped afterwards.

    .venv/bin/python scripts/benchmarks/queries.py [--sizes 10000,100000] [--runs 15] [--plans] [--append FILE]
"""

from __future__ import annotations

import argparse
import inspect
import random
import re
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock_time
from functools import cache
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from sqlalchemy import Engine, event, text
from sqlmodel import Session, SQLModel

from bot.delivery.sender import LEASE, OutboxSender
from bot.domain.scheduling import end_of_local_day, local_date, local_to_utc
from bot.services import attendance, checkins, circles, cravings, member_settings, safety, talk
from bot.services.onboarding import CONSENT_VERSION
from scripts.benchmarks.common import (
    add_report_arguments,
    median,
    postgres_url,
    report_section,
    scratch_postgres,
)
from storage.checkins import queries as checkins_db
from storage.checkins.tables import Checkin
from storage.circles import queries as circles_db
from storage.circles.tables import (
    Circle,
    CircleMeeting,
    CircleMembership,
    CircleParticipant,
    UnreachableNotice,
)
from storage.db import make_engine
from storage.migrate import upgrade
from storage.outbox import queries as outbox_db
from storage.outbox.tables import OutboxMessage
from storage.people import queries as people_db
from storage.people.tables import Center, ConsentRecord, Member, Staff
from storage.safety import queries as safety_db
from storage.safety.tables import Escalation
from storage.sponsors import queries as sponsors_db
from storage.sponsors.tables import AttendanceWatch, Sponsor, TalkRequest

TARGET_MS = 50.0
# 21:00 in India: the evening peak the issue describes.
NOW = datetime.now(UTC).replace(hour=15, minute=30, second=20, microsecond=0)
ZONES = (
    ("Asia/Kolkata", 0.70),
    ("Asia/Dubai", 0.10),
    ("Europe/London", 0.08),
    ("America/New_York", 0.07),
    ("Australia/Sydney", 0.05),
)
STATUSES = (("active", 0.88), ("paused", 0.05), ("onboarding", 0.03), ("unreachable", 0.02), ("left", 0.02))
WINDOWS = ("evenings", "nights", "weekends", "evenings,nights")
CIRCLE_SIZE = 8


def _limit(function: Callable[..., Any], name: str = "limit") -> int:
    """The limit a service passes to its query, read from the service itself."""
    return int(inspect.signature(function).parameters[name].default)


# The per-minute due work (Saathi.run_due_work) and the sender's claim, as the services call them.
QUERIES: list[tuple[str, Callable[[Session, datetime], Any]]] = [
    (
        "resumes: paused_members_until",
        lambda s, now: people_db.paused_members_until(
            s, now.date() + timedelta(days=1), _limit(member_settings.run_resumes)
        ),
    ),
    (
        "check-ins: claim_due_members",
        lambda s, now: checkins_db.claim_due_members(s, now, _limit(checkins.run_due_checkins)),
    ),
    (
        "craving prompts: claim_due_craving_prompts",
        lambda s, now: checkins_db.claim_due_craving_prompts(s, now, _limit(cravings.run_craving_prompts)),
    ),
    (
        "reminders: checkins_to_remind",
        lambda s, now: checkins_db.checkins_to_remind(s, now, _limit(checkins.run_reminders)),
    ),
    ("missed: checkins_to_close", lambda s, now: checkins_db.checkins_to_close(s, now, _limit(checkins.close_missed))),
    (
        "safety deadlines: escalations_past_deadline",
        lambda s, now: safety_db.escalations_past_deadline(s, now, _limit(safety.run_deadlines)),
    ),
    (
        "circle meetings: claim_meetings_to_remind",
        lambda s, now: circles_db.claim_meetings_to_remind(s, now, _limit(circles.run_due_meetings)),
    ),
    (
        "circle meetings: claim_meetings_to_start",
        lambda s, now: circles_db.claim_meetings_to_start(s, now, _limit(circles.run_due_meetings)),
    ),
    (
        "circle welcomes: unwelcomed_memberships",
        lambda s, now: circles_db.unwelcomed_memberships(s, _limit(circles.run_welcomes)),
    ),
    (
        "circle invitations: quiet_memberships",
        lambda s, now: circles_db.quiet_memberships(
            s, now - timedelta(days=circles.QUIET_DAYS), _limit(circles.run_quiet_invitations)
        ),
    ),
    (
        "unreachable: unreachable_without_notice",
        lambda s, now: circles_db.unreachable_without_notice(s, _limit(circles.run_unreachable_notices)),
    ),
    (
        "hourly, not per minute: claim_unwatched_members",
        lambda s, now: sponsors_db.claim_unwatched_members(s, _limit(attendance.watch_unwatched)),
    ),
    (
        "attendance: claim_due_watches",
        lambda s, now: sponsors_db.claim_due_watches(s, now, _limit(attendance.run_attendance_scan)),
    ),
    (
        "sponsor summaries: sponsors_due_summary",
        lambda s, now: sponsors_db.sponsors_due_summary(s, now, _limit(attendance.run_weekly_summaries)),
    ),
    ("talk timeouts: talks_past_wait", lambda s, now: sponsors_db.talks_past_wait(s, now, _limit(talk.run_timeouts))),
    (
        "sender: claim_outbox",
        lambda s, now: outbox_db.claim_outbox(s, now, _limit(OutboxSender.__init__, "batch_size"), now + LEASE),
    ),
    (  # with a WhatsApp number that has rows, the sender claims each channel by its own budget
        "sender: claim_outbox, Telegram's rows",
        lambda s, now: outbox_db.claim_outbox(
            s, now, _limit(OutboxSender.__init__, "batch_size"), now + LEASE, channel="telegram"
        ),
    ),
]


# --- seeding -----------------------------------------------------------------------------------------


def _pick(rng: random.Random, choices: tuple[tuple[str, float], ...]) -> str:
    return rng.choices([c for c, _ in choices], weights=[w for _, w in choices])[0]


def _checkin_time(rng: random.Random) -> str:
    roll = rng.random()
    if roll < 0.35:
        return "20:00"
    if roll < 0.50:
        return "21:00"
    if roll < 0.60:
        return "08:00"
    if roll < 0.65:
        return "14:00"
    minutes = rng.randrange(6 * 60, 24 * 60, 15)
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


@cache
def _at(day: date, hhmm: str, tz: str) -> datetime:
    return local_to_utc(day, clock_time.fromisoformat(hhmm), tz)


@cache
def _day_end(day: date, tz: str) -> datetime:
    return end_of_local_day(day, tz)


@dataclass
class Seeder:
    """Rows by table, inserted in bulk at the end (Core executemany, chunked)."""

    members: int
    rng: random.Random = field(default_factory=lambda: random.Random(7))
    rows: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)
    _ids: dict[str, int] = field(default_factory=dict)

    def add(self, table: type[SQLModel], **values: Any) -> int:
        name = table.__tablename__  # type: ignore[attr-defined]
        if "id" in table.__table__.c and "id" not in values:  # type: ignore[attr-defined]
            self._ids[name] = values["id"] = self._ids.get(name, 0) + 1
        self.rows.setdefault(name, []).append(values)
        return int(values.get("id", 0))

    def build(self) -> None:
        rng, now = self.rng, NOW
        centers = max(1, self.members // 5000)
        for c in range(centers):
            tz = ZONES[c % len(ZONES)][0]
            self.add(Center, name=f"Bench Kendra {c}", timezone=tz, created_at=now)
            self.add(
                Staff,
                center_id=c + 1,
                name=f"Counsellor {c}",
                telegram_user_id=9_000_000 + c,
                chat_id=9_000_000 + c,
                created_at=now,
            )
        outbox_key = 0

        def outbox(member_id: int, chat_id: int, due: datetime, status: str, priority: int = 2) -> None:
            nonlocal outbox_key
            outbox_key += 1
            sent = status == "sent"
            self.add(
                OutboxMessage,
                chat_id=chat_id,
                member_id=member_id,
                payload={"text": "bench"},
                priority=priority,
                purpose="checkin",
                dedupe_key=f"bench:{outbox_key}",
                status=status,
                attempts=1 if sent else 0,
                due_at=due,
                sent_at=due + timedelta(seconds=2) if sent else None,
                claimed_until=due + timedelta(minutes=1) if status == "sending" else None,
                created_at=due,
            )

        circle_members: list[int] = []
        for m in range(1, self.members + 1):
            tz = _pick(rng, ZONES)
            status = _pick(rng, STATUSES)
            at = _checkin_time(rng)
            today = local_date(now, tz)
            yesterday = today - timedelta(days=1)
            due_today = _at(today, at, tz)
            windows = rng.choice(WINDOWS) if rng.random() < 0.3 else ""
            member = dict(
                center_id=(m - 1) % centers + 1,
                counsellor_id=(m - 1) % centers + 1,
                telegram_user_id=1_000_000_000 + m,
                chat_id=1_000_000_000 + m,
                display_name=f"Bench Member {m}",
                pseudonym=f"Bench {m}",
                language="en",
                timezone=tz,
                checkin_time=at,
                status=status,
                onboarding_step=None,
                high_risk_windows=windows,
                created_at=now - timedelta(days=rng.randrange(1, 365)),
            )
            started_today = False
            if status == "onboarding":
                member["onboarding_step"] = "consent"
            elif status == "active":
                # due now: their time is this very minute and today's check-in has not gone out yet
                if due_today <= now and now - due_today < timedelta(minutes=1):
                    member.update(next_checkin_due_at=due_today, last_checkin_local_date=yesterday)
                elif due_today <= now:
                    started_today = True
                    member.update(
                        next_checkin_due_at=_at(today + timedelta(days=1), at, tz), last_checkin_local_date=today
                    )
                else:
                    member.update(next_checkin_due_at=due_today, last_checkin_local_date=yesterday)
                if windows:
                    # a few whose prompt fell due this minute, the rest later today or tomorrow
                    ahead = (
                        timedelta(seconds=-rng.randrange(60))
                        if rng.random() < 0.01
                        else timedelta(minutes=rng.randrange(1, 36 * 60))
                    )
                    member["next_craving_prompt_at"] = now + ahead
            elif status == "paused":
                member["paused_until"] = today + timedelta(days=rng.randrange(0, 15))
            member_id = self.add(Member, **member)
            if status == "onboarding":
                continue
            self.add(
                ConsentRecord,
                member_id=member_id,
                version=CONSENT_VERSION,
                accepted=True,
                language="en",
                created_at=member["created_at"],
            )
            # yesterday's check-in, closed
            due_y = _at(yesterday, at, tz)
            done = rng.random() < 0.65
            self.add(
                Checkin,
                member_id=member_id,
                local_date=yesterday,
                status="completed" if done else "missed",
                step=None,
                due_at=due_y,
                reminder_due_at=due_y + timedelta(hours=2),
                reminded_at=None if done else due_y + timedelta(hours=2),
                closes_at=_day_end(yesterday, tz),
                completed_at=due_y + timedelta(minutes=5) if done else None,
                mood=3 if done else None,
            )
            outbox(member_id, member["chat_id"], due_y, "sent")
            if done:
                outbox(member_id, member["chat_id"], due_y + timedelta(minutes=5), "sent", 1)
                outbox(member_id, member["chat_id"], due_y + timedelta(minutes=5), "sent", 1)
            if started_today:
                reminder = due_today + timedelta(hours=2)
                if reminder >= _day_end(today, tz):
                    reminder = None
                roll = rng.random()
                state = "completed" if roll < 0.5 else "in_progress" if roll < 0.6 else "pending"
                reminded = (
                    reminder
                    if (state == "pending" and reminder is not None and reminder <= now - timedelta(minutes=1))
                    else None
                )
                self.add(
                    Checkin,
                    member_id=member_id,
                    local_date=today,
                    status=state,
                    step=None if state == "completed" else "mood",
                    due_at=due_today,
                    reminder_due_at=reminder,
                    reminded_at=reminded,
                    closes_at=_day_end(today, tz),
                    completed_at=due_today + timedelta(minutes=3) if state == "completed" else None,
                )
                outbox(member_id, member["chat_id"], due_today, "sent")
            # the attendance watch: tomorrow 07:00 local, a few stragglers due now
            if status in sponsors_db.WATCHED_STATUSES and rng.random() > 0.001:
                scan = (
                    now - timedelta(seconds=30) if rng.random() < 0.002 else _at(today + timedelta(days=1), "07:00", tz)
                )
                self.add(AttendanceWatch, member_id=member_id, next_scan_at=scan)
            if status == "unreachable" and rng.random() < 0.995:  # their counsellor was told, all but the newest
                self.add(UnreachableNotice, member_id=member_id, staff_id=member["center_id"], told_at=now)
            if rng.random() < 0.02:  # an escalation: mostly resolved long ago
                roll = rng.random()
                state = "resolved" if roll < 0.95 else "acknowledged" if roll < 0.98 else "open"
                deadline = now + timedelta(minutes=rng.randrange(-2, 240))
                self.add(
                    Escalation,
                    member_id=member_id,
                    center_id=member["center_id"],
                    level=2,
                    reasons=[{"rule_id": "BENCH"}],
                    source="checkin",
                    state=state,
                    ack_deadline_at=deadline,
                    created_at=now - timedelta(days=rng.randrange(0, 60)),
                )
            if status == "active" and rng.random() < 0.01:
                self.add(
                    Sponsor,
                    center_id=member["center_id"],
                    kind="member",
                    member_id=member_id,
                    next_summary_at=now + timedelta(minutes=rng.randrange(-1, 7 * 24 * 60)),
                    created_at=now,
                )
            if status == "active" and rng.random() < 0.002:
                roll = rng.random()
                self.add(
                    TalkRequest,
                    member_id=member_id,
                    center_id=member["center_id"],
                    target="sponsor",
                    state="waiting" if roll < 0.3 else "ended",
                    ping_due_at=now - timedelta(minutes=20),
                    respond_by=now + timedelta(minutes=rng.randrange(-1, 30)),
                    created_at=now,
                )
            if status == "active" and rng.random() < 0.3:
                circle_members.append(member_id)
        self._circles(circle_members, centers)
        # the outbox's live part: some due now (priorities mixed), some waiting for quiet hours, a few in flight
        for k in range(max(1, self.members // 200)):
            m = rng.randrange(1, self.members + 1)
            outbox(
                m, 1_000_000_000 + m, now - timedelta(seconds=rng.randrange(0, 120)), "pending", rng.choice((0, 1, 2))
            )
            outbox(m, 1_000_000_000 + m, now + timedelta(hours=rng.randrange(1, 10)), "pending", 2)
            if k % 10 == 0:
                outbox(m, 1_000_000_000 + m, now - timedelta(seconds=5), "sending", 2)
                outbox(m, 1_000_000_000 + m, now - timedelta(days=1), "dead", 2)

    def _circles(self, members: list[int], centers: int) -> None:
        rng, now = self.rng, NOW
        for index in range(0, len(members), CIRCLE_SIZE):
            circle_id = self.add(
                Circle,
                center_id=index // CIRCLE_SIZE % centers + 1,
                name=f"Bench circle {index // CIRCLE_SIZE}",
                created_at=now,
            )
            for member_id in members[index : index + CIRCLE_SIZE]:
                joined = now - timedelta(days=rng.randrange(1, 120))
                left = now - timedelta(days=1) if rng.random() < 0.1 else None
                membership = self.add(
                    CircleMembership, circle_id=circle_id, member_id=member_id, joined_at=joined, left_at=left
                )
                if rng.random() < 0.999:  # welcomed, all but the newest
                    posted = now - timedelta(days=rng.randrange(0, 30)) if rng.random() < 0.8 else None
                    quiet_since = posted or joined
                    # quiet for two weeks: invited back once then (a few just now, due this minute)
                    invited = (
                        quiet_since + timedelta(days=circles.QUIET_DAYS, hours=1)
                        if now - quiet_since >= timedelta(days=circles.QUIET_DAYS) and rng.random() > 0.002
                        else None
                    )
                    self.add(
                        CircleParticipant,
                        membership_id=membership,
                        circle_id=circle_id,
                        member_id=member_id,
                        welcomed_at=joined,
                        last_posted_at=posted,
                        invited_at=invited,
                    )
            # eight weekly meetings held, the next one at 21:00 IST for a few circles (due now)
            starts = now + timedelta(days=rng.randrange(0, 7), hours=rng.randrange(0, 24))
            if rng.random() < 0.02:
                starts = now - timedelta(seconds=10)
            for week in range(8, -1, -1):
                at = starts - timedelta(weeks=week)
                held = week > 0
                self.add(
                    CircleMeeting,
                    circle_id=circle_id,
                    sequence=8 - week,
                    starts_at=at,
                    ends_at=at + timedelta(minutes=60),
                    remind_at=at - timedelta(minutes=15),
                    goal="share",
                    reminded_at=at - timedelta(minutes=15) if held else None,
                    started_at=at if held else None,
                    created_at=at - timedelta(weeks=1),
                )

    def insert(self, engine: Engine) -> None:
        order = [
            t.__tablename__
            for t in (
                Center,
                Staff,
                Member,
                ConsentRecord,
                Checkin,
                OutboxMessage,  # type: ignore[attr-defined]
                AttendanceWatch,
                UnreachableNotice,
                Escalation,
                Sponsor,
                TalkRequest,
                Circle,
                CircleMembership,
                CircleParticipant,
                CircleMeeting,
            )
        ]
        tables = SQLModel.metadata.tables
        with engine.begin() as conn:
            for name in order:
                rows = self.rows.get(name, [])
                self.counts[name] = len(rows)
                # executemany needs one set of keys: fill the missing ones with the column defaults
                keys = sorted({key for row in rows for key in row})
                for start in range(0, len(rows), 5000):
                    chunk = [
                        {key: row.get(key, _default(tables[name], key)) for key in keys}
                        for row in rows[start : start + 5000]
                    ]
                    conn.execute(tables[name].insert(), chunk)
            if engine.dialect.name == "postgresql":
                for name in order:
                    if "id" in tables[name].c and tables[name].c.id.autoincrement is not False and self.rows.get(name):
                        conn.execute(
                            text(f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), (SELECT max(id) FROM {name}))")
                        )
        with engine.connect() as conn:
            conn.execute(text("ANALYZE"))
            conn.commit()


def _default(table: Any, key: str) -> Any:
    column = table.c[key]
    if column.default is not None and column.default.is_scalar:
        return column.default.arg
    return None


# --- measuring ---------------------------------------------------------------------------------------


@dataclass
class Measured:
    ms: float
    rows: int
    plan: str
    full_scan: bool
    touched: int | None = None


class Capture:
    """The last statement the engine sent, to EXPLAIN it with the same parameters."""

    def __init__(self, engine: Engine) -> None:
        self.statements: list[tuple[str, Any]] = []
        self.on = False
        event.listen(engine, "before_cursor_execute", self._seen)

    def _seen(self, conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, executemany: bool) -> None:
        if self.on and not statement.lstrip().upper().startswith(("EXPLAIN", "SAVEPOINT", "RELEASE")):
            self.statements.append((statement, parameters))

    def take(self) -> Iterator[tuple[str, Any]]:
        yield from self.statements
        self.statements = []


BIG_TABLES = (
    "member",
    "checkin",
    "outboxmessage",
    "attendancewatch",
    "circlemembership",
    "circleparticipant",
    "circlemeeting",
    "escalation",
    "consentrecord",
)


def _explain(engine: Engine, statement: str, parameters: Any) -> tuple[str, bool, int | None]:
    """A one-line plan, whether it reads a big table in full, and (PostgreSQL) the rows it touched."""
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            rows = conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters).all()
            details = [str(row[-1]) for row in rows]
            full = any(re.match(rf"SCAN ({'|'.join(BIG_TABLES)})\b(?! USING (COVERING )?INDEX)", d) for d in details)
            conn.rollback()
            return "; ".join(details), full, None
        rows = conn.exec_driver_sql("EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF) " + statement, parameters).all()
        conn.rollback()
    lines = [str(row[0]) for row in rows]
    nodes, full, touched = [], False, 0
    for line in lines:
        scan = re.search(
            r"(Seq Scan|Index Only Scan|Index Scan|Bitmap Index Scan|Bitmap Heap Scan)"
            r"(?: Backward)?(?: using (\S+))?(?: on (\S+))?.*rows=(\d+) loops=(\d+)",
            line,
        )
        if scan:
            kind, index, table, found, loops = scan.groups()
            nodes.append(f"{kind} {index or ''}{' on ' if index and table else ''}{table or ''}".replace("  ", " "))
            if kind in ("Seq Scan", "Index Scan", "Index Only Scan", "Bitmap Heap Scan"):
                touched += int(found) * int(loops)
            if kind == "Seq Scan" and table in BIG_TABLES and int(found) * int(loops) > 1000:
                full = True
        removed = re.search(r"Rows Removed by (?:Filter|Index Recheck): (\d+)", line)
        if removed:
            touched += int(removed.group(1))
    return "; ".join(nodes), full, touched


def measure(engine: Engine, runs: int) -> dict[str, Measured]:
    capture = Capture(engine)
    results: dict[str, Measured] = {}
    for name, query in QUERIES:
        times, found = [], 0
        for run in range(runs + 2):  # two warm-up runs
            with Session(engine, expire_on_commit=False) as session:
                session.connection()  # the connection and BEGIN are not the query's cost
                capture.on = run == 0
                started = time.perf_counter()
                found = len(list(query(session, NOW)))
                elapsed = (time.perf_counter() - started) * 1000
                capture.on = False
                session.rollback()
            if run >= 2:
                times.append(elapsed)
        statements = [s for s in capture.take() if s[0].lstrip().upper().startswith("SELECT")]
        plans = [_explain(engine, statement, parameters) for statement, parameters in statements]
        touched = [p[2] for p in plans if p[2] is not None]
        # an index walked in full (in ORDER BY order, say) reads as much as a scan of the table
        many = bool(touched) and sum(touched) > max(5000, 10 * found)
        results[name] = Measured(
            ms=median(times),
            rows=found,
            plan=" | ".join(p[0] for p in plans),
            full_scan=many or any(p[1] for p in plans),
            touched=sum(touched) if touched else None,
        )
    return results


def run_database(label: str, url: str, size: int, runs: int, plans: bool) -> dict[str, Measured]:
    upgrade(url)
    engine = make_engine(url)
    seeder = Seeder(size)
    started = time.monotonic()
    seeder.build()
    seeder.insert(engine)
    print(
        f"{label} {size:,} members: seeded in {time.monotonic() - started:.0f} s "
        f"({', '.join(f'{k} {v:,}' for k, v in seeder.counts.items() if v)})",
        flush=True,
    )
    results = measure(engine, runs)
    engine.dispose()
    for name, m in results.items():
        flag = "FULL SCAN" if m.full_scan else ""
        touched = f", touched {m.touched:,}" if m.touched is not None else ""
        print(f"  {name:46s} {m.ms:8.2f} ms  rows {m.rows:5d}{touched} {flag}", flush=True)
        if plans or m.full_scan:
            print(f"      plan: {m.plan}")
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000", help="member counts, comma-separated")
    parser.add_argument("--runs", type=int, default=15, help="timed runs per query (median reported)")
    parser.add_argument("--database", choices=("both", "sqlite", "postgres"), default="both")
    parser.add_argument("--plans", action="store_true", help="print every query's plan")
    add_report_arguments(parser)
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    results: dict[tuple[str, int], dict[str, Measured]] = {}
    if args.database in ("both", "sqlite"):
        for size in sizes:
            with tempfile.TemporaryDirectory() as folder:
                results[("SQLite", size)] = run_database(
                    "SQLite", f"sqlite:///{folder}/bench.db", size, args.runs, args.plans
                )
    pg = postgres_url() if args.database in ("both", "postgres") else None
    if pg:
        for size in sizes:
            with scratch_postgres(pg, "bench_queries") as url:
                results[("PostgreSQL", size)] = run_database("PostgreSQL", url, size, args.runs, args.plans)
    if not results:
        print("nothing measured (PostgreSQL needs SAATHI_TEST_POSTGRES_URL or CI=true)")
        return 1
    lines = report(results, args.runs, measured_pg=bool(pg))
    worst = max(m.ms for r in results.values() for name, m in r.items() if not name.startswith("hourly"))
    print(f"slowest per-minute query: {worst:.2f} ms (target < {TARGET_MS:.0f} ms)")
    report_section("Due scans and outbox claim (scripts/benchmarks/queries.py)", lines, args.append)
    return 0


def report(results: dict[tuple[str, int], dict[str, Measured]], runs: int, *, measured_pg: bool) -> list[str]:
    columns = list(results)
    lines = [
        "Median of "
        f"{runs} runs per query, in ms (target < {TARGET_MS:.0f} ms each), at 21:00 in India with about "
        "one member in ten due that minute. Each is the repository call the per-minute due work (or the outbox "
        "sender) makes, with the service's own limit, in a transaction rolled back after each run. Seed: members "
        "in five time zones (88% active), yesterday's and today's check-ins, about three outbox rows per member "
        "(mostly sent, 0.5% due), escalations, attendance watches, sponsors, talk requests, circles of 8 with "
        "nine meetings each. ✗ marks a per-minute query over target; “full scan” one that reads a whole large "
        "table (or many more rows than it returns). claim_unwatched_members runs hourly (housekeeping), not in "
        "the per-minute scan.",
        "",
        "| query | " + " | ".join(f"{db} {size // 1000}k" for db, size in columns) + " |",
        "|---|" + "---|" * len(columns),
    ]
    for name, _ in QUERIES:
        cells = []
        for key in columns:
            m = results[key][name]
            mark = "" if m.ms < TARGET_MS or name.startswith("hourly") else " ✗"
            cells.append(f"{m.ms:.2f}{mark}{' (full scan)' if m.full_scan else ''}")
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    totals = [sum(m.ms for name, m in results[key].items() if not name.startswith("hourly")) for key in columns]
    lines.append("| **the per-minute ones, one after another** | " + " | ".join(f"{t:.1f}" for t in totals) + " |")
    biggest = [key for key in columns if key[1] == max(size for _, size in columns)]
    for key in biggest:
        lines += ["", f"Plans on {key[0]} at {key[1]:,} members (rows returned; PostgreSQL: rows touched):", ""]
        for name, _ in QUERIES:
            m = results[key][name]
            touched = f", touched {m.touched:,}" if m.touched is not None else ""
            lines.append(f"- {name} (returned {m.rows}{touched}): `{m.plan}`")
    if not measured_pg:
        lines.append("\nPostgreSQL not measured in this run (set SAATHI_TEST_POSTGRES_URL).")
    return lines


if __name__ == "__main__":
    raise SystemExit(main())
