"""Every console page in Hindi and Marathi: a staff member whose language is hi or mr sees no English
from the console's catalogs (bot/i18n/locales/en/console*.ftl), nor the terminal's English reasons,
on the pages, their empty states, refusals, errors and the audit log.

How: every run of words (10 characters or more) of an English console message that the same message
in hi or mr does not also carry (a command such as "weekly sat 11:00 90" may be in both) must be absent
from each page rendered for a hi or mr staff member."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fluent.syntax import ast as fluent_ast
from sqlmodel import select
from starlette.testclient import TestClient

from bot.i18n import LOCALES, bundle
from bot.services import admin, inbound, sponsor_admin
from bot.services.sponsors import links
from storage.people.tables import Staff
from storage.sponsors.tables import SponsorLink
from tests.storage.helpers import member
from tests.web.conftest import ADMIN, CENTRE, COUNSELLOR, OTHER_COUNSELLOR, ConsoleWorld, csrf_of

CONSOLE_FILES = ("console.ftl", "console-members.ftl", "console-setup.ftl")
HURTFUL = "you are such a moron"
VOLUNTEER = "Volunteer Vikram"


def _console_ids() -> set[str]:
    root = LOCALES / "en"
    ids: set[str] = set()
    for name in CONSOLE_FILES:
        ids.update(re.findall(r"^([a-z][a-z0-9-]*) =", (root / name).read_text(), re.M))
    return ids


def _texts(lang: str, key: str) -> list[str]:
    """The literal text runs of a message (its placeables left out)."""
    message = bundle(lang)._messages[key]
    if message.value is None:
        return []
    return [e.value for e in message.value.elements if isinstance(e, fluent_ast.TextElement)]


def english_runs(lang: str) -> set[str]:
    runs: set[str] = set()
    for key in _console_ids():
        own = " ".join(_texts(lang, key))
        for text in _texts("en", key):
            for run in re.split(r"[\n:;()]", text):
                run = run.strip(" .,")
                if len(run) >= 10 and run not in own:
                    runs.add(run)
    return runs


def _speak(world: ConsoleWorld, name: str, lang: str) -> None:
    with world.ctx.uow() as session:
        staff = session.exec(select(Staff).where(Staff.name == name)).one()
        staff.language = lang
        session.commit()


def _without_names(page: str) -> str:
    """The page less the people's and circles' names (data, in whatever language they were typed) and the
    attributes nobody reads (form values, ids, classes, addresses); titles, labels and placeholders stay."""
    page = re.sub(r'\s(?:value|name|class|id|href|action|for|hx-[a-z-]+)="[^"]*"', "", page)
    for name in (COUNSELLOR, ADMIN, OTHER_COUNSELLOR, VOLUNTEER, "Evening Circle"):
        page = page.replace(name, "")
    return page


@pytest.fixture
def busy(console: ConsoleWorld) -> ConsoleWorld:
    """Something on every page: an alert, a held message, a circle, an invite, sponsors (a volunteer who has
    not connected yet, a member asked, a member sponsor agreed to), audit entries."""
    admin.add_circle(console.ctx, CENTRE, "Evening Circle", schedule="weekly sat 11:00 90")
    for person in console.members:
        admin.assign_to_circle(
            console.ctx, CENTRE, member(console.ctx, person.telegram_user_id).pseudonym, "Evening Circle"
        )
    inbound.handle_text(console.ctx, console.members[0], HURTFUL, 501)
    console.raise_alert(console.members[1])
    admin.create_invites(console.ctx, CENTRE, circle_name="Evening Circle")
    pseudonyms = [member(console.ctx, person.telegram_user_id).pseudonym or "" for person in console.members]
    sponsor_admin.configure(console.ctx, CENTRE, min_sponsor_days=0)
    volunteer = sponsor_admin.add_volunteer(console.ctx, CENTRE, VOLUNTEER)
    sponsor_admin.link(console.ctx, volunteer.pseudonym, pseudonyms[2])
    sponsor_admin.link(console.ctx, pseudonyms[0], pseudonyms[1])
    with console.ctx.uow() as session:
        agreed = session.exec(select(SponsorLink).where(SponsorLink.mentee_id == console.member_id(console.members[1])))
        link_id = agreed.one().id or 0
    assert links.answer_proposal(console.ctx, console.members[1], link_id, True) is None
    return console


def _pages(world: ConsoleWorld, client: TestClient) -> Iterator[tuple[str, str]]:
    member_id = world.member_id(world.members[1])
    for path in (
        "/alerts",
        "/alerts/list",
        "/caseload",
        "/caseload?q=nobody-by-this-name",  # the empty search
        f"/members/{member_id}",
        f"/members/{member_id}?days=90",
        "/circles",
        "/reports",
        "/setup",
        "/invites",
        "/audit",
        "/audit?member=nobody-by-this-name",  # the empty filter
        "/members/999999",  # not found
    ):
        yield path, client.get(path).text
    yield "case review CSV", client.get(f"/members/{member_id}/case-review.csv").text
    pdf = client.get(f"/members/{member_id}/case-review.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF") and b"NotoSansDevanagari" in pdf.content
    csrf = csrf_of(client)
    reveal = client.post(f"/members/{member_id}/reveal", data={"csrf": csrf})
    yield "reveal", reveal.text
    # refusals: each a different reason a form is turned down
    with world.ctx.uow() as session:
        me = session.exec(select(Staff).where(Staff.name == ADMIN)).one()
    for path, form in [
        ("/setup/staff/deactivate", {"staff_id": str(me.id)}),
        ("/setup/reassign", {"pseudonym": "Nobody 0", "counsellor_id": "1"}),
        ("/setup/circles/capacity", {"circle_id": "1", "capacity": "1"}),
        ("/setup/settings", {"ack_urgent_minutes": "500"}),
        ("/setup/staff", {"name": ""}),
        ("/invites", {"count": "many", "expires": "14"}),
        ("/invites", {"count": "600", "expires": "14"}),
        ("/invites", {"count": "2", "expires": "14", "circle": "No Such Circle"}),
    ]:
        response = client.post(path, data={**form, "csrf": csrf})
        assert response.status_code == 400, (path, response.status_code)
        yield f"refused {path} {form}", response.text
    yield "bad csrf", client.post("/setup/staff", data={"csrf": "wrong", "name": "X"}).text


@pytest.mark.parametrize("lang", ["hi", "mr"])
def test_every_page_speaks_the_staff_members_language(busy: ConsoleWorld, lang: str) -> None:
    _speak(busy, ADMIN, lang)
    client = busy.client_for(ADMIN)
    english = english_runs(lang)
    assert len(english) > 100  # the check has something to look for
    # the terminal's reasons, and the audit log's action ids (console:signin, staff_add …) shown as they are stored
    terminal = ["at this centre", "must be between", "whole numbers", "cannot deactivate", "console:", "staff_add"]
    # the terminal's sponsor list (sponsor_admin.listing): "volunteer NAME [not connected yet]", "member", "(asked)"
    terminal += ["volunteer", "not connected", ">member<", "(asked)"]
    found: dict[str, list[str]] = {}
    for name, page in _pages(busy, client):
        assert "<html" not in page or f'<html lang="{lang}"' in page, name
        page = _without_names(page)
        left = [run for run in english if run in page] + [word for word in terminal if word in page]
        if left:
            found[name] = left
    assert not found, f"English on {lang} pages: {found}"


@pytest.mark.parametrize("lang", ["hi", "mr"])
def test_a_counsellor_is_refused_in_their_language(busy: ConsoleWorld, lang: str) -> None:
    _speak(busy, COUNSELLOR, lang)
    client = busy.client_for(COUNSELLOR)
    page = client.get("/audit")
    assert page.status_code == 403
    assert f'<html lang="{lang}"' in page.text
    assert not [run for run in english_runs(lang) if run in _without_names(page.text)]
