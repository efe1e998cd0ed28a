"""Sponsors on the console's setup page: an admin adds a volunteer sponsor (who connects with the
one-time /volunteer code, as from ``saathi sponsor volunteer add``), links a sponsor to a member and
ends it, through the same use cases as the terminal; refusals in the staff member's language."""

from __future__ import annotations

import html
import re

from sqlmodel import select
from starlette.testclient import TestClient

from bot.i18n import t
from bot.services import admin
from storage.people.tables import Staff
from storage.safety.tables import AuditEntry
from storage.sponsors.tables import Sponsor, SponsorLink
from tests.storage.helpers import member
from tests.web.conftest import ADMIN, OTHER_CENTRE, ConsoleWorld, csrf_of

OTHER_ADMIN = "Director Disha"
VOLUNTEER = "Volunteer Vikram"


def _links(world: ConsoleWorld) -> list[tuple[int, int, str]]:
    with world.ctx.uow() as session:
        return [(k.sponsor_id, k.mentee_id, k.state) for k in session.exec(select(SponsorLink)).all()]


def _audit(world: ConsoleWorld) -> list[tuple[str, int | None, int | None]]:
    with world.ctx.uow() as session:
        return [(a.action, a.staff_id, a.member_id) for a in session.exec(select(AuditEntry)).all()]


def _sponsor_audit(world: ConsoleWorld) -> list[tuple[str, int | None, int | None]]:
    return [entry for entry in _audit(world) if "sponsor" in entry[0]]


def _staff_id(world: ConsoleWorld, name: str) -> int:
    with world.ctx.uow() as session:
        return session.exec(select(Staff).where(Staff.name == name)).one().id or 0


def _add_volunteer(world: ConsoleWorld, client: TestClient) -> str:
    response = client.post(
        "/setup/sponsors/volunteer", data={"csrf": csrf_of(client), "name": VOLUNTEER, "language": "hi"}
    )
    assert response.status_code == 200
    code = re.search(r"/volunteer (vol-[\w-]+)", response.text)
    assert code is not None, "the one-time code is shown to the admin"
    with world.ctx.uow() as session:
        volunteer = session.exec(select(Sponsor).where(Sponsor.kind == "volunteer")).one()
    assert volunteer.name == VOLUNTEER and volunteer.language == "hi" and volunteer.telegram_user_id is None
    assert volunteer.link_code == code.group(1) and volunteer.pseudonym and volunteer.pseudonym in response.text
    return volunteer.pseudonym


def test_the_admin_adds_a_volunteer_links_and_unlinks(console: ConsoleWorld, admin_client: TestClient) -> None:
    sponsor = _add_volunteer(console, admin_client)
    asha = _staff_id(console, ADMIN)
    assert ("console:sponsor_volunteer_add", asha, None) in _audit(console)
    mentee = member(console.ctx, console.members[0].telegram_user_id)
    csrf = csrf_of(admin_client)
    form = {"csrf": csrf, "sponsor": sponsor, "mentee": mentee.pseudonym or ""}

    response = admin_client.post("/setup/sponsors/link", data=form)
    assert response.status_code == 200 and t("en", "console-setup-sponsor-asked") in response.text
    assert [(state, mentee_id) for _, mentee_id, state in _links(console)] == [("proposed", mentee.id)]
    assert ("console:sponsor_link", asha, mentee.id) in _audit(console)
    with console.ctx.uow() as session:
        assert session.exec(select(SponsorLink)).one().proposed_by == asha
    # the page lists the sponsor, a volunteer not connected yet, with the member asked
    page = admin_client.get("/setup").text
    assert sponsor in page and mentee.pseudonym in page and VOLUNTEER in page
    for key in ("console-setup-sponsor-volunteer", "console-setup-sponsor-not-connected", "console-setup-mentee-asked"):
        assert t("en", key) in page, key

    # a second sponsor for the same member is refused with the bot's own words
    again = admin_client.post("/setup/sponsors/link", data=form)
    assert again.status_code == 400 and "already has a sponsor" in again.text
    assert len(_links(console)) == 1

    response = admin_client.post("/setup/sponsors/unlink", data={"csrf": csrf, "mentee": mentee.pseudonym})
    assert response.status_code == 200 and t("en", "console-setup-sponsor-ended") in response.text
    assert [state for _, _, state in _links(console)] == ["declined"]  # ended before the member agreed
    assert ("console:sponsor_unlink", asha, mentee.id) in _audit(console)
    # nothing left to end
    response = admin_client.post("/setup/sponsors/unlink", data={"csrf": csrf, "mentee": mentee.pseudonym})
    assert response.status_code == 400 and "has no sponsor" in response.text


def test_a_counsellor_cannot_manage_sponsors(
    console: ConsoleWorld, admin_client: TestClient, counsellor: TestClient
) -> None:
    sponsor = _add_volunteer(console, admin_client)
    pseudonym = member(console.ctx, console.members[0].telegram_user_id).pseudonym
    csrf = csrf_of(counsellor)
    for path, data in [
        ("/setup/sponsors/volunteer", {"name": "Volunteer Kiran"}),
        ("/setup/sponsors/link", {"sponsor": sponsor, "mentee": pseudonym}),
        ("/setup/sponsors/unlink", {"mentee": pseudonym}),
    ]:
        assert counsellor.post(path, data={"csrf": csrf, **data}).status_code == 403, path
    with console.ctx.uow() as session:
        assert len(session.exec(select(Sponsor)).all()) == 1
    assert _links(console) == []


def test_another_centres_admin_cannot_link_or_unlink_this_centres_member(
    console: ConsoleWorld, admin_client: TestClient
) -> None:
    sponsor = _add_volunteer(console, admin_client)
    pseudonym = member(console.ctx, console.members[0].telegram_user_id).pseudonym
    admin_client.post(
        "/setup/sponsors/link", data={"csrf": csrf_of(admin_client), "sponsor": sponsor, "mentee": pseudonym}
    )
    before, audit_before = _links(console), _sponsor_audit(console)
    admin.add_counsellor(console.ctx, OTHER_CENTRE, OTHER_ADMIN, telegram_id=9005, role="admin")
    other = console.client_for(OTHER_ADMIN)
    csrf = csrf_of(other)
    other_pseudonym = member(console.ctx, console.other_members[0].telegram_user_id).pseudonym
    for path, data in [
        ("/setup/sponsors/link", {"sponsor": sponsor, "mentee": pseudonym}),  # Asha Kendra's both
        ("/setup/sponsors/link", {"sponsor": sponsor, "mentee": other_pseudonym}),  # Asha Kendra's volunteer
        ("/setup/sponsors/unlink", {"mentee": pseudonym}),
    ]:
        response = other.post(path, data={"csrf": csrf, **data})
        assert response.status_code == 400, path
        assert "at this centre" in response.text and VOLUNTEER not in response.text, path
    assert _links(console) == before and _sponsor_audit(console) == audit_before


def test_a_bad_pseudonym_is_refused_in_hindi(console: ConsoleWorld) -> None:
    with console.ctx.uow() as session:
        staff = session.exec(select(Staff).where(Staff.name == ADMIN)).one()
        staff.language = "hi"
        session.commit()
    client = console.client_for(ADMIN)
    csrf = csrf_of(client)
    response = client.post("/setup/sponsors/link", data={"csrf": csrf, "sponsor": "Lotus 7", "mentee": "not a name"})
    assert response.status_code == 400
    assert t("hi", "console-refused-pseudonym", text="not a name") in html.unescape(response.text)
    assert t("hi", "console-setup-refused") in response.text and "is not a pseudonym like" not in response.text
    # a volunteer without a name, and a member who has no sponsor: in Hindi too
    response = client.post("/setup/sponsors/volunteer", data={"csrf": csrf, "name": "  "})
    assert response.status_code == 400 and t("hi", "console-refused-volunteer-name") in response.text
    pseudonym = member(console.ctx, console.members[0].telegram_user_id).pseudonym
    response = client.post("/setup/sponsors/unlink", data={"csrf": csrf, "mentee": pseudonym})
    assert response.status_code == 400
    assert t("hi", "console-refused-no-sponsor", pseudonym=pseudonym) in response.text
    assert _links(console) == []
