"""Caseload, member and reports pages through the real app: what a counsellor sees, what another centre's
staff never see (a 404 on every member route), the audited reveal, downloads."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from sqlmodel import select
from starlette.testclient import TestClient

from storage.people.tables import Member
from storage.safety.tables import AuditEntry
from tests.storage.helpers import member
from tests.web.conftest import ConsoleWorld, csrf_of

MEMBER_ACTIONS = ("console:reveal", "console:export-case", "console:export-attendance")


def _audit(console: ConsoleWorld) -> list[tuple[str, int | None]]:
    """The audit entries of member views and exports (sign-ins have their own)."""
    with console.ctx.uow() as session:
        entries = session.exec(select(AuditEntry).order_by(AuditEntry.id)).all()
    return [(e.action, e.member_id) for e in entries if e.action in MEMBER_ACTIONS]


def _pseudonyms(console: ConsoleWorld, people: list) -> list[str]:  # type: ignore[type-arg]
    with console.ctx.uow() as session:
        return [
            session.exec(select(Member).where(Member.telegram_user_id == p.telegram_user_id)).one().pseudonym
            for p in people
        ]


def test_caseload_lists_the_centres_members_only(console: ConsoleWorld, counsellor: TestClient) -> None:
    mine, theirs = _pseudonyms(console, console.members), _pseudonyms(console, console.other_members)
    console.raise_alert(console.members[1])
    page = counsellor.get("/caseload")
    assert page.status_code == 200
    for name in mine:
        assert name in page.text
    for name in theirs:
        assert name not in page.text
    # the member with an open alert comes first
    assert page.text.index(mine[1]) < min(page.text.index(mine[0]), page.text.index(mine[2]))
    rows = counsellor.get("/caseload", params={"q": mine[2]}, headers={"HX-Request": "true"})
    assert rows.status_code == 200 and "<html" not in rows.text
    assert mine[2] in rows.text and mine[0] not in rows.text


def test_member_page_shows_charts(console: ConsoleWorld, counsellor: TestClient) -> None:
    member_id = console.member_id(console.members[0])
    page = counsellor.get(f"/members/{member_id}")
    assert page.status_code == 200
    assert 'class="trend-chart"' in page.text and 'class="checkin-calendar"' in page.text
    assert "Test User" not in page.text  # the real name only after a click
    ninety = counsellor.get(f"/members/{member_id}", params={"days": "90"})
    start = ninety.text.index('<svg xmlns="http://www.w3.org/2000/svg" class="checkin-calendar"')
    svg = ninety.text[start : ninety.text.index("</svg>", start) + 6]
    assert len([e for e in ET.fromstring(svg).iter() if "day" in (e.get("class") or "").split()]) == 90


def test_reveal_needs_csrf_and_is_audited(console: ConsoleWorld, counsellor: TestClient) -> None:
    member_id = console.member_id(console.members[0])
    assert counsellor.post(f"/members/{member_id}/reveal", data={"csrf": "wrong"}).status_code == 403
    assert _audit(console) == []
    token = csrf_of(counsellor)
    shown = counsellor.post(f"/members/{member_id}/reveal", data={"csrf": token}, headers={"HX-Request": "true"})
    assert shown.status_code == 200 and "Test User 1001" in shown.text
    assert _audit(console) == [("console:reveal", member_id)]


def test_case_review_downloads(console: ConsoleWorld, counsellor: TestClient) -> None:
    member_id = console.member_id(console.members[0])
    csv = counsellor.get(f"/members/{member_id}/case-review.csv")
    pseudonym = member(console.ctx, console.members[0].telegram_user_id).pseudonym
    assert csv.status_code == 200 and csv.text.startswith(f"Case review: {pseudonym},")
    assert "Date,Status,Mood,Craving,Triggers,Used" in csv.text
    assert "attachment" in csv.headers["content-disposition"]
    pdf = counsellor.get(f"/members/{member_id}/case-review.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert [a for a, _m in _audit(console)] == ["console:export-case", "console:export-case"]


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/members/{id}"),
        ("get", "/members/{id}?days=90"),
        ("post", "/members/{id}/reveal"),
        ("get", "/members/{id}/case-review.csv"),
        ("get", "/members/{id}/case-review.pdf"),
    ],
)
def test_another_centres_member_is_not_found(
    console: ConsoleWorld, other_centre: TestClient, method: str, path: str
) -> None:
    member_id = console.member_id(console.members[0])
    kwargs = {"data": {"csrf": csrf_of(other_centre)}} if method == "post" else {}
    response = getattr(other_centre, method)(path.format(id=member_id), **kwargs)
    assert response.status_code == 404
    assert _pseudonyms(console, console.members[:1])[0] not in response.text
    assert _audit(console) == []


def test_another_centres_caseload_and_reports_hold_none_of_ours(
    console: ConsoleWorld, other_centre: TestClient
) -> None:
    mine = _pseudonyms(console, console.members)
    for path in ("/caseload", "/caseload?order=name", "/reports"):
        page = other_centre.get(path)
        assert page.status_code == 200
        assert not [name for name in mine if name in page.text]


def test_reports_and_attendance(console: ConsoleWorld, counsellor: TestClient, admin_client: TestClient) -> None:
    assert counsellor.get("/reports").status_code == 200
    params = {"from": "2026-10-01", "to": "2026-11-30"}
    assert counsellor.get("/reports/attendance.csv", params=params).status_code == 403
    assert (
        admin_client.get("/reports/attendance.csv", params={"from": "2026-11-30", "to": "2026-10-01"}).status_code
        == 400
    )
    csv = admin_client.get("/reports/attendance.csv", params=params)
    assert csv.status_code == 200 and csv.text.splitlines()[0] == "pseudonym,date,outcome"
    assert "Test User" not in csv.text


def test_pages_need_a_session(console: ConsoleWorld) -> None:
    client = TestClient(console.app, base_url="http://127.0.0.1:8080")
    member_id = console.member_id(console.members[0])
    for path in ("/caseload", "/reports", f"/members/{member_id}", f"/members/{member_id}/case-review.csv"):
        response = client.get(path, follow_redirects=False)
        assert response.status_code == 303 and response.headers["location"] == "/signin"
