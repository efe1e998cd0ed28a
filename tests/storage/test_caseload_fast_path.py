"""The caseload's ranking query against the straightforward computation: random members, check-ins (some
in the future of the centre's day, some partly answered), alerts and filters; every page in both orders
must hold the same members with the same figures in the same order as counting each member's rows by hand."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

from bot.services.context import ServiceContext
from storage.checkins.tables import Checkin, CheckinStatus
from storage.people.tables import Center, Member, MemberStatus, Staff
from storage.reports import caseload as caseload_db
from storage.safety.tables import Escalation, EscalationState
from tests.conftest import START

TODAY = date(2026, 11, 25)
WORDS = ("Lotus", "River", "Hill", "Oak", "Rain")
STATUSES = tuple(CheckinStatus)
ALERT_STATES = tuple(EscalationState)


@dataclass
class World:
    center_id: int
    other_center_id: int
    counsellors: list[int]
    members: list[Member]
    checkins: list[Checkin]
    escalations: list[Escalation]


def _seed(services: ServiceContext, rng: random.Random) -> World:
    with services.uow() as s:
        asha = Center(name="Asha", timezone="Asia/Kolkata", created_at=START)
        other = Center(name="Other", timezone="Asia/Kolkata", created_at=START)
        s.add_all([asha, other])
        s.flush()
        staff = [
            Staff(center_id=asha.id or 0, name=f"C{i}", telegram_user_id=9000 + i, created_at=START) for i in range(3)
        ]
        s.add_all(staff)
        s.flush()
        members = []
        for n in range(120):
            centre = other if n % 10 == 9 else asha
            members.append(
                Member(
                    center_id=centre.id or 0,
                    counsellor_id=rng.choice([None, *(c.id for c in staff)]),
                    telegram_user_id=1000 + n,
                    chat_id=1000 + n,
                    pseudonym=f"{rng.choice(WORDS)} {n:03d}",  # unique in a centre; the word shuffles name order
                    timezone="Asia/Kolkata",
                    status=rng.choice(tuple(MemberStatus)),
                    created_at=START,
                )
            )
        s.add_all(members)
        s.flush()
        checkins = []
        for m in members:
            for back in sorted(rng.sample(range(-2, 30), rng.randint(0, 25))):  # -2, -1: a day ahead of the centre
                day = TODAY - timedelta(days=back)
                at = START - timedelta(days=back)
                status = rng.choice(STATUSES)
                mood = rng.choice([None, rng.randint(1, 5)])
                checkins.append(
                    Checkin(member_id=m.id or 0, local_date=day, status=status, mood=mood, due_at=at, closes_at=at)
                )
        s.add_all(checkins)
        escalations = [
            Escalation(
                member_id=rng.choice(members).id or 0,
                center_id=asha.id or 0,
                level=rng.choice((1, 2, 3)),
                reasons=[],
                source="checkin",
                state=rng.choice(ALERT_STATES),
                created_at=START,
            )
            for _ in range(30)
        ]
        s.add_all(escalations)
        s.commit()
        world = World(asha.id or 0, other.id or 0, [c.id or 0 for c in staff], members, checkins, escalations)
        for row in [*members, *checkins, *escalations]:
            s.expunge(row)
    return world


def _by_hand(world: World, q: caseload_db.CaseloadQuery) -> list[caseload_db.RankedMember]:
    """Every matching member's figures from their rows, then sorted: the definition, spelled out."""
    since = q.today - timedelta(days=caseload_db.MISSED_WINDOW_DAYS - 1)
    rows = []
    for m in world.members:
        if m.center_id != q.center_id or (q.counsellor_id is not None and m.counsellor_id != q.counsellor_id):
            continue
        if (m.status != q.status) if q.status else (m.status == MemberStatus.LEFT):
            continue
        if q.search.casefold() not in m.pseudonym.casefold():
            continue
        window = [c for c in world.checkins if c.member_id == m.id and since <= c.local_date <= q.today]
        done = [c.local_date for c in window if c.status == CheckinStatus.COMPLETED]
        live = [
            e
            for e in world.escalations
            if e.member_id == m.id and e.center_id == q.center_id and e.state in caseload_db.LIVE_ALERT
        ]
        rows.append(
            caseload_db.RankedMember(
                member_id=m.id or 0,
                pseudonym=m.pseudonym,
                status=m.status,
                counsellor_id=m.counsellor_id,
                missed_14=sum(1 for c in window if c.status == CheckinStatus.MISSED and c.mood is None),
                last_done=max(done) if done else None,
                alert_level=max(e.level for e in live) if live else None,
                alert_open=any(e.state == EscalationState.OPEN for e in live),
            )
        )
    if q.order == "name":
        rows.sort(key=lambda r: (r.pseudonym, r.member_id))
    else:
        rows.sort(
            key=lambda r: (
                -(r.alert_level or 0),
                -int(r.alert_open),
                -r.missed_14,
                r.last_done or date.min,
                r.pseudonym,
                r.member_id,
            )
        )
    return rows


def test_rank_page_equals_the_straightforward_computation(services: ServiceContext) -> None:
    rng = random.Random(1717)
    world = _seed(services, rng)
    queries = [
        caseload_db.CaseloadQuery(center_id=world.center_id, today=TODAY, order=order, limit=limit, offset=offset)
        for order in ("risk", "name")
        for limit, offset in ((50, 0), (7, 0), (7, 7), (7, 70), (10, 200))
    ]
    queries += [
        caseload_db.CaseloadQuery(center_id=world.center_id, today=TODAY, order="risk", search="ri", limit=9),
        caseload_db.CaseloadQuery(center_id=world.center_id, today=TODAY, order="name", search="0", limit=9, offset=3),
        caseload_db.CaseloadQuery(center_id=world.center_id, today=TODAY, counsellor_id=world.counsellors[1], limit=8),
        caseload_db.CaseloadQuery(center_id=world.center_id, today=TODAY, status="paused", order="name", limit=5),
        caseload_db.CaseloadQuery(center_id=world.center_id, today=TODAY - timedelta(days=9), limit=100),
        caseload_db.CaseloadQuery(center_id=world.other_center_id, today=TODAY, limit=100),
    ]
    compared = 0
    with services.uow() as session:
        for q in queries:
            expected = _by_hand(world, q)
            page, total = caseload_db.rank_page(session, q)
            assert total == len(expected), q
            assert page == expected[q.offset : q.offset + q.limit], q
            compared += len(page)
    assert compared > 250  # the pages were not empty
    assert any(r.missed_14 > 2 for r in _by_hand(world, queries[0]))  # and the figures varied
