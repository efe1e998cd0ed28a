"""The console's caseload and member pages at 10,000 members and a year of check-ins: p50/p95 through the
real app (Starlette's TestClient, the same ASGI app uvicorn serves), SQLite.

Seeds with bulk Core inserts: one centre, 20 counsellors and an admin, members (85 % active, 8 % paused,
5 % left, 2 % unreachable) each with a check-in every day of ``--days`` (75 % completed with mood,
craving, triggers and a lapse now and then, 10 % partly answered, 15 % missed), open and resolved
escalations, circles and volunteer sponsors. Then signs an admin in through a one-time link and times
GET /caseload (risk order, a search, page 20 by name) and /members/<id> (30 and 90 days) for random
members. Prints markdown; the figures go into docs/performance.md by hand.

    .venv/bin/python scripts/benchmarks/console.py [--members 10000] [--days 365] [--requests 200]
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from sqlalchemy import Engine, insert
from starlette.testclient import TestClient

from bot.clock import FakeClock
from bot.config import parse_settings
from bot.services import console as console_service
from bot.services.context import ServiceContext
from bot.web.app import build_web_app
from scripts.benchmarks.common import machine, median, percentile
from storage.checkins.tables import Checkin
from storage.circles.tables import Circle, CircleMembership
from storage.db import SessionFactory, make_engine
from storage.migrate import upgrade
from storage.people.tables import Center, Member, Staff
from storage.safety.tables import Escalation
from storage.sponsors.tables import Sponsor, SponsorLink
from storage.types import table_of

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
TODAY = date(2026, 11, 25)
TRIGGERS = ("stress", "people", "places", "boredom", "loneliness", "anger", "celebration", "pain")
CHUNK = 20_000


def _bulk(engine: Engine, model: type, rows: list[dict[str, object]]) -> None:
    table = table_of(model)
    with engine.begin() as conn:
        for i in range(0, len(rows), CHUNK):
            conn.execute(insert(table), rows[i : i + CHUNK])


def seed(engine: Engine, members: int, days: int, rng: random.Random) -> list[int]:
    _bulk(engine, Center, [{"id": 1, "name": "Asha Kendra", "timezone": "Asia/Kolkata", "created_at": NOW}])
    staff = [
        {"id": i, "center_id": 1, "name": f"Counsellor {i}", "role": "counsellor", "telegram_user_id": 9000 + i}
        for i in range(1, 21)
    ]
    staff.append({"id": 21, "center_id": 1, "name": "Director", "role": "admin", "telegram_user_id": 9100})
    _bulk(
        engine,
        Staff,
        [
            {**s, "is_backup": False, "language": "en", "active": True, "reachable": True, "created_at": NOW}
            for s in staff
        ],
    )
    statuses = ["active"] * 85 + ["paused"] * 8 + ["left"] * 5 + ["unreachable"] * 2
    member_rows = [
        {
            "id": m,
            "center_id": 1,
            "counsellor_id": 1 + m % 20,
            "telegram_user_id": 100_000 + m,
            "chat_id": 100_000 + m,
            "display_name": f"Test Person {m}",
            "pseudonym": f"Member {m}",
            "language": "en",
            "timezone": "Asia/Kolkata",
            "checkin_time": "20:00",
            "status": rng.choice(statuses),
            "high_risk_windows": "",
            "created_at": NOW - timedelta(days=days),
        }
        for m in range(1, members + 1)
    ]
    _bulk(engine, Member, member_rows)
    table = table_of(Checkin)
    with engine.begin() as conn:
        batch: list[dict[str, object]] = []
        for m in range(1, members + 1):
            for back in range(days):
                day = TODAY - timedelta(days=back)
                due = datetime(day.year, day.month, day.day, 14, 30, tzinfo=UTC)
                roll = rng.random()
                row: dict[str, object] = {
                    "member_id": m,
                    "local_date": day,
                    "due_at": due,
                    "closes_at": due + timedelta(hours=4),
                    "status": "completed" if roll < 0.75 else "missed",
                    "step": None,
                    "mood": None,
                    "craving": None,
                    "triggers": None,
                    "used": None,
                }
                if roll < 0.85:
                    row["mood"] = rng.randint(1, 5)
                    row["craving"] = rng.randint(0, 10)
                    row["triggers"] = ",".join(sorted(rng.sample(TRIGGERS, rng.randint(0, 2)))) or None
                    row["used"] = "yes" if rng.random() < 0.03 else "no"
                batch.append(row)
                if len(batch) >= CHUNK:
                    conn.execute(insert(table), batch)
                    batch = []
        if batch:
            conn.execute(insert(table), batch)
    escalations = []
    for i in range(members // 5):
        raised = NOW - timedelta(days=rng.randint(0, days - 1), minutes=rng.randint(0, 600))
        open_one = i < members // 30
        escalations.append(
            {
                "member_id": rng.randint(1, members),
                "center_id": 1,
                "level": rng.choice((2, 2, 3)),
                "reasons": [],
                "source": "checkin",
                "state": "open" if open_one and i % 2 else ("acknowledged" if open_one else "resolved"),
                "step": 0,
                "created_at": raised,
                "acknowledged_at": None if open_one and i % 2 else raised + timedelta(minutes=rng.randint(2, 90)),
            }
        )
    _bulk(engine, Escalation, escalations)
    circles = members // 10
    _bulk(
        engine,
        Circle,
        [
            {
                "id": c,
                "center_id": 1,
                "name": f"Circle {c}",
                "kind": "self_help",
                "language": "en",
                "capacity": 12,
                "created_at": NOW,
            }
            for c in range(1, circles + 1)
        ],
    )
    _bulk(
        engine,
        CircleMembership,
        [{"circle_id": 1 + m % circles, "member_id": m, "joined_at": NOW} for m in range(1, members + 1) if m % 3],
    )
    sponsors = members // 20
    _bulk(
        engine,
        Sponsor,
        [
            {
                "id": s,
                "center_id": 1,
                "kind": "volunteer",
                "pseudonym": f"Guide {s}",
                "language": "en",
                "active": True,
                "created_at": NOW,
            }
            for s in range(1, sponsors + 1)
        ],
    )
    _bulk(
        engine,
        SponsorLink,
        [
            {"center_id": 1, "sponsor_id": 1 + m % sponsors, "mentee_id": m, "state": "active", "created_at": NOW}
            for m in range(1, members + 1, 4)
        ],
    )
    return [r["id"] for r in member_rows]  # type: ignore[misc]


def _time(client: TestClient, path: str) -> float:
    started = time.perf_counter()
    response = client.get(path)
    elapsed = (time.perf_counter() - started) * 1000
    assert response.status_code == 200, (path, response.status_code)
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=10_000)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()
    rng = random.Random(17)
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{folder}/console.db"
        upgrade(url)
        engine = make_engine(url)
        started = time.perf_counter()
        member_ids = seed(engine, args.members, args.days, rng)
        seeded = time.perf_counter() - started
        clock = FakeClock(NOW)
        ctx = ServiceContext(uow=SessionFactory(engine), clock=clock, rng=random.Random(3))
        app = build_web_app(ctx, parse_settings({}), clock)
        client = TestClient(app, base_url="http://127.0.0.1:8080")
        link = console_service.link_for(ctx, "Director", "Asha Kendra")
        assert client.get(link.removeprefix("http://127.0.0.1:8080"), follow_redirects=False).status_code == 303
        pages = {
            "GET /caseload (risk order)": lambda: "/caseload",
            "GET /caseload?q=… (search)": lambda: f"/caseload?q=Member+{rng.randint(1, args.members // 10)}",
            "GET /caseload?order=name&page=20": lambda: "/caseload?order=name&page=20",
            "GET /members/<id> (30 days)": lambda: f"/members/{rng.choice(member_ids)}",
            "GET /members/<id>?days=90": lambda: f"/members/{rng.choice(member_ids)}?days=90",
        }
        lines = [
            f"Console pages, {args.members:,} members × {args.days} days of check-ins "
            f"({args.members * args.days:,} rows), SQLite, {machine()}; seeded in {seeded:.0f} s; "
            f"{args.requests} requests each through the ASGI app (TestClient), after 10 warm-up requests.",
            "",
            "| page | p50 ms | p95 ms | max ms |",
            "| --- | ---: | ---: | ---: |",
        ]
        for name, path in pages.items():
            for _ in range(10):
                _time(client, path())
            times = sorted(_time(client, path()) for _ in range(args.requests))
            lines.append(f"| {name} | {median(times):.1f} | {percentile(times, 95):.1f} | {times[-1]:.1f} |")
        engine.dispose()
    print("\n".join(lines))


if __name__ == "__main__":
    main()
