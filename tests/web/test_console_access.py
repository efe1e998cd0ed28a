"""Every route of the console, checked for sign-in, role and centre (issue 17: "a test per route").

``ROUTES`` names each route ``build_web_app`` serves with who may use it and a request that reaches
Asha Kendra's own things (its member, alert, held circle message, circle, staff, invite). The first
test fails when a route is added without a row here. Then, for each route, on a fresh centre:

- nobody signed in: sent to sign in (303 to /signin, or 401/403), nothing of the centre in the body;
- a counsellor on an admin's route: 403;
- the admin of ANOTHER centre (who passes every role check) asking for Asha Kendra's ids: 403, 404 or,
  for a setup form, 400 "not at this centre"; never a name, pseudonym, circle, code or word of Asha
  Kendra in the body, and nothing of Asha Kendra changed;
- and, so those refusals mean something, Asha Kendra's own staff reach the same request (below 400);
- through all of it, no name, pseudonym or word of Asha Kendra's in the logs (DEBUG and up).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from sqlmodel import select
from starlette.routing import Mount, Route
from starlette.testclient import TestClient

from bot.services import admin, inbound, sponsor_admin
from storage.circles.tables import Circle, CircleMessage
from storage.people.tables import Member, Staff
from storage.safety.tables import Escalation
from storage.sponsors.tables import SponsorLink
from tests.storage.helpers import member
from tests.web.conftest import ADMIN, CENTRE, COUNSELLOR, OTHER_CENTRE, ConsoleWorld, csrf_of

OTHER_ADMIN = "Director Disha"
SECOND_COUNSELLOR = "Counsellor Neha"
HURTFUL = "you are such a moron"


@dataclass
class Asha:
    """Asha Kendra's things that another centre's staff must never reach."""

    member_id: int
    pseudonyms: list[str]
    pseudonym0: str  # the first member's, typed into the reassign form
    escalation_id: int
    held_id: int
    circle_id: int
    meera_id: int
    neha_id: int
    invite: str
    volunteer: str  # a volunteer sponsor's pseudonym
    pseudonym2: str  # the third member's, asked to agree to the volunteer as their sponsor

    def markers(self) -> list[str]:
        """Words that appear in no page of another centre."""
        return [*self.pseudonyms, COUNSELLOR, SECOND_COUNSELLOR, ADMIN, CENTRE, "Evening Circle", HURTFUL, self.invite]


@dataclass(frozen=True)
class Rule:
    role: str  # "public", "signed-in" (anyone signed in), "staff" (counsellor or facilitator), "counsellor", "admin"
    request: Callable[[Asha], tuple[str, dict[str, str]]]  # path with query, form fields (POST)
    other_statuses: frozenset[int] = frozenset({403, 404})  # another centre's admin asking for this


def get(path: str) -> Callable[[Asha], tuple[str, dict[str, str]]]:
    return lambda a: (path.format(**a.__dict__), {})


def post(path: str, **form: str) -> Callable[[Asha], tuple[str, dict[str, str]]]:
    return lambda a: (path.format(**a.__dict__), {k: v.format(**a.__dict__) for k, v in form.items()})


OWN_PAGE = frozenset({200})  # a page without ids: the asker's own centre's page, none of ours on it
FORM_REFUSED = frozenset({400, 403, 404})  # a setup form naming our staff or circle: "not at this centre"
OWN_CHANGE = frozenset({200, 303})  # a setup form changing the asker's own centre

ROUTES: dict[tuple[str, str], Rule] = {
    ("GET", "/"): Rule("signed-in", get("/"), frozenset({303})),
    ("GET", "/signin"): Rule("public", get("/signin"), OWN_PAGE),
    ("GET", "/signin/{token}"): Rule("public", get("/signin/not-a-token"), frozenset({303, 404})),
    ("POST", "/signout"): Rule("signed-in", post("/signout"), frozenset({303})),
    ("POST", "/signout/everywhere"): Rule("signed-in", post("/signout/everywhere"), frozenset({303})),
    ("GET", "/alerts"): Rule("counsellor", get("/alerts"), OWN_PAGE),
    ("GET", "/alerts/list"): Rule("counsellor", get("/alerts/list"), OWN_PAGE),
    ("POST", "/alerts/{id:int}/{action:str}"): Rule("counsellor", post("/alerts/{escalation_id}/ack")),
    ("GET", "/caseload"): Rule("counsellor", get("/caseload?q=a"), OWN_PAGE),
    ("GET", "/members/{member_id:int}"): Rule("counsellor", get("/members/{member_id}?days=90")),
    ("POST", "/members/{member_id:int}/reveal"): Rule("counsellor", post("/members/{member_id}/reveal")),
    ("GET", "/members/{member_id:int}/case-review.csv"): Rule(
        "counsellor", get("/members/{member_id}/case-review.csv")
    ),
    ("GET", "/members/{member_id:int}/case-review.pdf"): Rule(
        "counsellor", get("/members/{member_id}/case-review.pdf")
    ),
    ("GET", "/circles"): Rule("staff", get("/circles"), OWN_PAGE),
    ("POST", "/circles/held/{message_id:int}/{action:str}"): Rule("staff", post("/circles/held/{held_id}/release")),
    ("GET", "/reports"): Rule("counsellor", get("/reports"), OWN_PAGE),
    ("GET", "/reports/attendance.csv"): Rule(
        "admin", get("/reports/attendance.csv?from=2026-01-01&to=2026-12-31"), OWN_PAGE
    ),
    ("GET", "/setup"): Rule("admin", get("/setup"), OWN_PAGE),
    ("POST", "/setup/settings"): Rule("admin", post("/setup/settings", helpline="Call 1800 000 000"), OWN_CHANGE),
    ("POST", "/setup/staff"): Rule("admin", post("/setup/staff", name="Counsellor Farah"), OWN_CHANGE),
    ("POST", "/setup/staff/backup"): Rule(
        "admin", post("/setup/staff/backup", staff_id="{meera_id}", backup="on"), FORM_REFUSED
    ),
    ("POST", "/setup/staff/deactivate"): Rule(
        "admin", post("/setup/staff/deactivate", staff_id="{meera_id}", move_to="{neha_id}"), FORM_REFUSED
    ),
    ("POST", "/setup/reassign"): Rule(
        "admin", post("/setup/reassign", pseudonym="{pseudonym0}", counsellor_id="{meera_id}"), FORM_REFUSED
    ),
    ("POST", "/setup/circles"): Rule("admin", post("/setup/circles", name="Weekend Circle"), OWN_CHANGE),
    ("POST", "/setup/circles/capacity"): Rule(
        "admin", post("/setup/circles/capacity", circle_id="{circle_id}", capacity="12"), FORM_REFUSED
    ),
    ("GET", "/invites"): Rule("admin", get("/invites"), OWN_PAGE),
    ("POST", "/invites"): Rule(
        "admin", post("/invites", circle="Evening Circle", count="2", expires="14"), FORM_REFUSED
    ),
    ("GET", "/invites/sheet.pdf"): Rule("admin", get("/invites/sheet.pdf?code={invite}")),
    ("GET", "/invites/sheet.png"): Rule("admin", get("/invites/sheet.png?code={invite}&page=1")),
    ("POST", "/setup/sponsors/volunteer"): Rule(
        "admin", post("/setup/sponsors/volunteer", name="Volunteer Kiran"), OWN_CHANGE
    ),
    ("POST", "/setup/sponsors/link"): Rule(
        "admin", post("/setup/sponsors/link", sponsor="{volunteer}", mentee="{pseudonym0}"), FORM_REFUSED
    ),
    ("POST", "/setup/sponsors/unlink"): Rule(
        "admin", post("/setup/sponsors/unlink", mentee="{pseudonym2}"), FORM_REFUSED
    ),
    ("GET", "/audit"): Rule("admin", get("/audit"), OWN_PAGE),
    ("GET", "/static"): Rule("public", get("/static/htmx.min.js"), OWN_PAGE),
}


def served_routes(world: ConsoleWorld) -> set[tuple[str, str]]:
    served: set[tuple[str, str]] = set()
    for route in world.app.routes:
        if isinstance(route, Mount):
            served.add(("GET", route.path))
        elif isinstance(route, Route):
            served.update((method, route.path) for method in route.methods or () if method != "HEAD")
        else:
            raise AssertionError(f"a route of a kind this test does not know: {route!r}")
    return served


def _asha(world: ConsoleWorld) -> Asha:
    ctx = world.ctx
    admin.add_counsellor(ctx, CENTRE, SECOND_COUNSELLOR, telegram_id=9006)  # who takes Meera's members
    admin.add_circle(ctx, CENTRE, "Evening Circle", schedule="weekly sat 11:00 90")
    pseudonyms = [member(ctx, p.telegram_user_id).pseudonym for p in world.members]
    for pseudonym in pseudonyms:
        admin.assign_to_circle(ctx, CENTRE, pseudonym, "Evening Circle")
    inbound.handle_text(ctx, world.members[0], HURTFUL, 501)  # held for review
    world.raise_alert(world.members[1])
    invite = admin.create_invites(ctx, CENTRE, circle_name="Evening Circle")[0].code
    volunteer = sponsor_admin.add_volunteer(ctx, CENTRE, "Volunteer Vikram").pseudonym
    sponsor_admin.link(ctx, volunteer, pseudonyms[2], center_name=CENTRE)
    member_id = world.member_id(world.members[1])
    with ctx.uow() as session:
        escalation = session.exec(select(Escalation).where(Escalation.member_id == member_id)).one()
        held = session.exec(
            select(CircleMessage).where(
                CircleMessage.member_id == world.member_id(world.members[0]), CircleMessage.kind == "text"
            )
        ).one()
        circle = session.exec(select(Circle).where(Circle.name == "Evening Circle")).one()
        meera = session.exec(select(Staff).where(Staff.name == COUNSELLOR)).one()
        neha = session.exec(select(Staff).where(Staff.name == SECOND_COUNSELLOR)).one()
    return Asha(
        member_id=member_id,
        pseudonyms=pseudonyms,
        pseudonym0=pseudonyms[0],
        escalation_id=escalation.id or 0,
        held_id=held.id or 0,
        circle_id=circle.id or 0,
        meera_id=meera.id or 0,
        neha_id=neha.id or 0,
        invite=invite,
        volunteer=volunteer,
        pseudonym2=pseudonyms[2],
    )


def _state(world: ConsoleWorld) -> tuple[list[tuple[Any, ...]], ...]:
    """What a refused request must leave as it was."""
    with world.ctx.uow() as session:
        staff = sorted((s.name, s.active, s.is_backup, s.role) for s in session.exec(select(Staff)).all())
        members = sorted((m.id, m.counsellor_id, m.status) for m in session.exec(select(Member)).all())
        escalations = sorted((e.id, e.state, e.acknowledged_at) for e in session.exec(select(Escalation)).all())
        held = sorted((c.id, c.status) for c in session.exec(select(CircleMessage)).all())
        circles = sorted((c.name, c.center_id, c.capacity) for c in session.exec(select(Circle)).all())
        links = sorted((k.id, k.sponsor_id, k.mentee_id, k.state) for k in session.exec(select(SponsorLink)).all())
    return staff, members, escalations, held, circles, links


def _ask(client: TestClient, rule: Rule, asha: Asha, method: str, csrf: str = "") -> httpx.Response:
    path, form = rule.request(asha)
    if method == "GET":
        return client.get(path, follow_redirects=False)
    return client.post(path, data={**form, "csrf": csrf}, follow_redirects=False)


def test_every_served_route_has_a_rule(console: ConsoleWorld) -> None:
    served = served_routes(console)
    assert served == set(ROUTES), (
        f"routes without a rule here: {sorted(served - set(ROUTES))}; "
        f"rules for no route: {sorted(set(ROUTES) - served)}"
    )


@pytest.mark.parametrize(("method", "path"), sorted(ROUTES), ids=[f"{m} {p}" for m, p in sorted(ROUTES)])
def test_route_checks_sign_in_role_and_centre(
    console: ConsoleWorld, method: str, path: str, caplog: pytest.LogCaptureFixture
) -> None:
    rule = ROUTES[(method, path)]
    asha = _asha(console)
    caplog.set_level(logging.DEBUG)
    markers = asha.markers()

    # nobody signed in
    anonymous = TestClient(console.app, base_url="http://127.0.0.1:8080")
    response = _ask(anonymous, rule, asha, method)
    if rule.role != "public":
        assert response.status_code in (303, 401, 403), response.status_code
        if response.status_code == 303:
            assert response.headers["location"] == "/signin"
    assert not any(word in response.text for word in markers)

    # a counsellor of this centre on an admin's route
    if rule.role == "admin":
        counsellor = console.client_for(COUNSELLOR)
        assert _ask(counsellor, rule, asha, method, csrf_of(counsellor)).status_code == 403

    # the admin of another centre, asking for this centre's things
    admin.add_counsellor(console.ctx, OTHER_CENTRE, OTHER_ADMIN, telegram_id=9005, role="admin")
    other = console.client_for(OTHER_ADMIN)
    before = _state(console)
    response = _ask(other, rule, asha, method, csrf_of(other))
    if rule.role != "public":
        assert response.status_code in rule.other_statuses, (response.status_code, response.text[:300])
    body = response.content.decode("utf-8", errors="replace")
    typed = " ".join([*rule.request(asha)[1].values(), rule.request(asha)[0]])  # echoed back, not leaked
    leaked = [word for word in markers if word in body and word not in typed]
    assert not leaked, f"another centre's admin saw {leaked}"
    after = _state(console)
    if rule.other_statuses != OWN_CHANGE:
        assert after == before, "another centre's admin changed something of this centre"
    else:  # their own centre changed, never ours
        assert [row for row in after[0] if "Disha" not in row[0] and "Farah" not in row[0]] == [
            row for row in before[0] if "Disha" not in row[0]
        ]
        assert after[1:4] == before[1:4] and after[5:] == before[5:]

    # and this centre's own staff reach it (so the refusals above are not a broken request)
    if rule.role != "public":
        own = console.client_for(ADMIN if rule.role in ("admin", "signed-in") else COUNSELLOR)
        response = _ask(own, rule, asha, method, csrf_of(own))
        assert response.status_code < 400, (response.status_code, response.text[:300])

    # and nothing of anyone's name or words went into the logs on the way
    server_side = "\n".join(r.getMessage() for r in caplog.records if not r.name.startswith("httpx"))  # not the test's
    logged = [word for word in markers if word in server_side]
    assert not logged, f"the logs hold {logged}"
