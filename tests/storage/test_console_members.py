"""The console's member views against real tables: the caseload's figures and order, centre and
counsellor scoping, the audited reveal and case review, the weekly figures and pseudonymous attendance."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlmodel import select

from bot.services import console_members as cm
from bot.services.context import ServiceContext
from storage.checkins.tables import Checkin, CheckinStatus
from storage.circles.tables import Circle, CircleMembership
from storage.people.tables import Center, Member, MemberStatus, PausePeriod, Staff
from storage.safety.tables import AuditEntry, Escalation, EscalationState
from storage.sponsors.tables import LinkState, Sponsor, SponsorLink
from tests.conftest import START

TODAY = date(2026, 11, 25)  # START in Asia/Kolkata


def _checkin(member_id: int, day: date, status: str, mood: int | None = None, **kw: object) -> Checkin:
    at = START - timedelta(days=(TODAY - day).days)
    return Checkin(member_id=member_id, local_date=day, status=status, mood=mood, due_at=at, closes_at=at, **kw)


@pytest.fixture
def centre(services: ServiceContext) -> dict[str, int]:
    """Two centres; in the first, two counsellors and four members with a story each."""
    with services.uow() as s:
        asha, other = (
            Center(name="Asha", timezone="Asia/Kolkata", created_at=START),
            Center(name="Other", timezone="Asia/Kolkata", created_at=START),
        )
        s.add_all([asha, other])
        s.flush()
        meera = Staff(center_id=asha.id or 0, name="Meera", telegram_user_id=9001, created_at=START)
        ravi = Staff(center_id=asha.id or 0, name="Ravi", telegram_user_id=9002, created_at=START)
        s.add_all([meera, ravi])
        s.flush()
        ids: dict[str, int] = {"asha": asha.id or 0, "other": other.id or 0, "meera": meera.id or 0}
        ids["ravi"] = ravi.id or 0
        for n, (name, centre_id, counsellor) in enumerate(
            [
                ("Lotus 1", asha.id, meera.id),
                ("River 2", asha.id, meera.id),
                ("Hill 3", asha.id, ravi.id),
                ("Gone 4", asha.id, ravi.id),
                ("Far 5", other.id, None),
            ]
        ):
            m = Member(
                center_id=centre_id or 0,
                counsellor_id=counsellor,
                telegram_user_id=100 + n,
                chat_id=100 + n,
                display_name=f"Test Person {n}",
                pseudonym=name,
                timezone="Asia/Kolkata",
                status=MemberStatus.LEFT if name == "Gone 4" else MemberStatus.ACTIVE,
                created_at=START,
            )
            s.add(m)
            s.flush()
            ids[name] = m.id or 0
        # Lotus: five completed days up to today, one lapse, a note
        for i in range(5):
            s.add(
                _checkin(
                    ids["Lotus 1"],
                    TODAY - timedelta(days=i),
                    CheckinStatus.COMPLETED,
                    mood=3,
                    craving=4,
                    triggers="stress,people" if i % 2 else "stress",
                    used="yes" if i == 2 else "no",
                    note="felt shaky at the market" if i == 1 else None,
                )
            )
        # River: three missed in the last fortnight, one partly answered (not a miss), one done 20 days ago
        for i in (1, 2, 3):
            s.add(_checkin(ids["River 2"], TODAY - timedelta(days=i), CheckinStatus.MISSED))
        s.add(_checkin(ids["River 2"], TODAY - timedelta(days=4), CheckinStatus.MISSED, mood=2))
        s.add(_checkin(ids["River 2"], TODAY - timedelta(days=20), CheckinStatus.COMPLETED, mood=4, craving=2))
        s.add(
            PausePeriod(
                member_id=ids["River 2"],
                starts_on=TODAY - timedelta(days=10),
                ends_on=TODAY - timedelta(days=7),
                created_at=START,
            )
        )
        # Hill: an open urgent alert
        s.add(
            Escalation(
                member_id=ids["Hill 3"],
                center_id=asha.id or 0,
                level=3,
                reasons=[],
                source="checkin",
                excerpt="words that matched",
                state=EscalationState.OPEN,
                created_at=START - timedelta(hours=2),
            )
        )
        sponsor = Sponsor(
            center_id=asha.id or 0, kind="volunteer", pseudonym="Guide 9", name="Volunteer Name", created_at=START
        )
        circle = Circle(center_id=asha.id or 0, name="Evening circle", created_at=START)
        s.add_all([sponsor, circle])
        s.flush()
        s.add(
            SponsorLink(
                center_id=asha.id or 0,
                sponsor_id=sponsor.id or 0,
                mentee_id=ids["Lotus 1"],
                state=LinkState.ACTIVE,
                created_at=START,
            )
        )
        s.add(CircleMembership(circle_id=circle.id or 0, member_id=ids["Lotus 1"], joined_at=START))
        s.commit()
    return ids


def _scope(ids: dict[str, int], *, own: bool = False) -> cm.Scope:
    return cm.Scope(staff_id=ids["meera"], center_id=ids["asha"], counsellor_id=ids["meera"] if own else None)


def test_caseload_figures_and_risk_order(services: ServiceContext, centre: dict[str, int]) -> None:
    page = cm.caseload(services, _scope(centre))
    assert [r.pseudonym for r in page.rows] == ["Hill 3", "River 2", "Lotus 1"]  # no one who left, no other centre
    assert page.total == 3 and page.today == TODAY
    hill, river, lotus = page.rows
    assert (hill.alert_level, hill.alert_state) == (3, "open")
    assert river.missed_14 == 3 and river.last_checkin == TODAY - timedelta(days=20) and river.streak == 0
    assert lotus.streak == 5 and lotus.last_checkin == TODAY and lotus.missed_14 == 0
    assert (lotus.sponsor, lotus.circle) == ("Guide 9", "Evening circle")
    by_name = cm.caseload(services, _scope(centre), order="name")
    assert [r.pseudonym for r in by_name.rows] == ["Hill 3", "Lotus 1", "River 2"]
    assert [r.pseudonym for r in cm.caseload(services, _scope(centre), search="riv").rows] == ["River 2"]
    assert cm.caseload(services, _scope(centre), search="%").rows == []
    assert [r.pseudonym for r in cm.caseload(services, _scope(centre), status="left").rows] == ["Gone 4"]


def test_own_members_only(services: ServiceContext, centre: dict[str, int]) -> None:
    page = cm.caseload(services, _scope(centre, own=True))
    assert {r.pseudonym for r in page.rows} == {"River 2", "Lotus 1"}
    assert (
        cm.member_view(services, _scope(centre, own=True), centre["Hill 3"], days=30, lang="en", role="counsellor")
        is None
    )
    assert cm.reveal(services, _scope(centre, own=True), centre["Hill 3"]) is None


def test_member_view(services: ServiceContext, centre: dict[str, int]) -> None:
    view = cm.member_view(services, _scope(centre), centre["Lotus 1"], days=30, lang="en", role="counsellor")
    assert view is not None
    assert view.chart_svg.count('class="mood-point"') == 5
    assert view.chart_svg.count('class="lapse-mark"') == 1
    assert view.calendar_svg.count('class="day done"') == 5
    assert view.triggers == [("stress", 5), ("people", 2)]
    assert view.sponsor == "Guide 9" and view.counsellor == "Meera" and view.may_export
    assert "Test Person" not in view.chart_svg + view.calendar_svg + view.summary  # pseudonymous
    river = cm.member_view(services, _scope(centre), centre["River 2"], days=90, lang="hi", role="counsellor")
    assert river is not None and river.days == 90
    assert river.calendar_svg.count('class="day missed"') == 3
    assert river.calendar_svg.count('class="day partial"') == 1
    assert river.calendar_svg.count('class="day paused"') == 3
    hill = cm.member_view(services, _scope(centre), centre["Hill 3"], days=30, lang="en", role="counsellor")
    assert hill is not None and hill.chart_svg.count("alert-mark urgent") == 1 and not hill.may_export


def test_another_centre_is_not_found(services: ServiceContext, centre: dict[str, int]) -> None:
    far = centre["Far 5"]
    assert cm.member_view(services, _scope(centre), far, days=30, lang="en", role="admin") is None
    assert cm.reveal(services, _scope(centre), far) is None
    assert cm.case_review(services, _scope(centre), far, role="admin") is None
    with services.uow() as s:
        assert s.exec(select(AuditEntry)).all() == []


def test_reveal_is_audited(services: ServiceContext, centre: dict[str, int]) -> None:
    revealed = cm.reveal(services, _scope(centre), centre["Lotus 1"])
    assert revealed is not None and revealed.name == "Test Person 0"
    assert revealed.checkin_notes == [(TODAY - timedelta(days=1), "felt shaky at the market")]
    hill = cm.reveal(services, _scope(centre), centre["Hill 3"])
    assert hill is not None and hill.escalation_notes[0][1] == "words that matched"
    with services.uow() as s:
        entries = s.exec(select(AuditEntry).order_by(AuditEntry.id)).all()
    assert [(e.action, e.staff_id, e.member_id) for e in entries] == [
        ("console:reveal", centre["meera"], centre["Lotus 1"]),
        ("console:reveal", centre["meera"], centre["Hill 3"]),
    ]


def test_case_review_for_the_members_counsellor(services: ServiceContext, centre: dict[str, int]) -> None:
    review = cm.case_review(services, _scope(centre), centre["Lotus 1"], role="counsellor")
    assert review is not None and len(review.days) == 5 and review.counsellor == "Meera"
    assert cm.case_review(services, _scope(centre), centre["Hill 3"], role="counsellor") is None  # Ravi's member
    assert cm.case_review(services, _scope(centre), centre["Hill 3"], role="admin") is not None
    with services.uow() as s:
        actions = [e.action for e in s.exec(select(AuditEntry)).all()]
    assert actions == ["console:export-case", "console:export-case"]


def test_weekly_summary_and_attendance(services: ServiceContext, centre: dict[str, int]) -> None:
    figures = cm.weekly_summary(services, centre["asha"], TODAY - timedelta(days=6))
    assert figures.checkins_sent == 9 and figures.checkins_completed == 5
    assert figures.members_active == 3 and figures.members_dropped == 1
    assert figures.alerts == 1 and figures.alerts_urgent == 1 and figures.acknowledged == 0
    rows = list(cm.attendance(services, _scope(centre), TODAY - timedelta(days=30), TODAY))
    assert len(rows) == 10
    assert {r[0] for r in rows} == {"Lotus 1", "River 2"}
    assert ("River 2", TODAY - timedelta(days=4), "partial") in rows
    assert ("River 2", TODAY - timedelta(days=1), "missed") in rows
    flat = repr(rows)
    assert "Test Person" not in flat and "shaky" not in flat
