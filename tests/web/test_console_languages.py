"""Every console page in Hindi and Marathi: a staff member whose language is hi or mr sees no English
from the console's catalogs (bot/i18n/locales/en/console*.ftl), nor the terminal's English reasons,
nor English made by code (ids, stored codes, formatted rows), on the pages, their empty states,
refusals, errors, outcomes of every action and the audit log.

How: every run of words (10 characters or more) of an English console message that the same message
in hi or mr does not also carry (a command such as "weekly sat 11:00 90" may be in both) must be absent
from each page rendered for a hi or mr staff member; and, on a centre with a week of check-ins and
every console action done, no Latin-script word may be left on a page once the data people typed
(names, pseudonyms, codes, members' words) is taken out, but for a short list of names of things."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from html.parser import HTMLParser

import pytest
from fluent.syntax import ast as fluent_ast
from sqlmodel import select
from starlette.testclient import TestClient

from bot.i18n import LOCALES, bundle
from bot.services import access, admin, attendance, checkins, inbound, sponsor_admin
from bot.services.context import Person
from bot.services.sponsors import links
from storage.checkins.tables import Checkin
from storage.circles.tables import Circle, CircleMessage, CircleMessageStatus
from storage.outbox.tables import OutboxMessage
from storage.people.tables import Center, InviteCode, Member, Staff
from storage.safety.tables import Escalation
from storage.sponsors.tables import Sponsor, SponsorLink
from tests.storage.helpers import member
from tests.web.conftest import ADMIN, CENTRE, COUNSELLOR, OTHER_COUNSELLOR, URGENT_WORDS, ConsoleWorld, csrf_of

CONSOLE_FILES = ("console.ftl", "console-members.ftl", "console-setup.ftl")
HURTFUL = "you are such a moron"
HURTFUL_TOO = "you are such a moron too"
VOLUNTEER = "Volunteer Vikram"
NOTE = "Called; safe at home"
HELPLINE = "Call 14416"
DAILY = "daily 7:00 45"  # the console's new circle meets; the seeded one: "weekly sun 10:30 60"
REFUSED_INPUTS = ("Nobody 0", "No Such Circle")  # what the refusals name back as it was typed
MEERA = Person(telegram_user_id=9001, chat_id=9001, display_name="Meera", language_code="en")


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
    not connected yet, a member asked, a member sponsor agreed to), audit entries; before them, a week of
    check-ins."""
    _a_week_of_checkins(console)
    admin.add_circle(console.ctx, CENTRE, "Evening Circle", schedule="weekly sun 10:30 60")
    for person in console.members:
        admin.assign_to_circle(
            console.ctx, CENTRE, member(console.ctx, person.telegram_user_id).pseudonym, "Evening Circle"
        )
    inbound.handle_text(console.ctx, console.members[0], HURTFUL, 501)
    inbound.handle_text(console.ctx, console.members[1], HURTFUL_TOO, 502)
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


def _a_week_of_checkins(world: ConsoleWorld) -> None:
    """Seven evenings: the first two members answer, naming a trigger (the second says they used on the
    fourth evening: an alert); the third stops answering after the second evening (a watch notice)."""
    first = date(2026, 11, 25)  # the clock fixture's day; members check in at 20:00 in India
    for n in range(7):
        day = first + timedelta(days=n)
        world.clock.set(datetime(day.year, day.month, day.day, 14, 31, tzinfo=UTC))
        checkins.close_missed(world.ctx)
        checkins.run_due_checkins(world.ctx)
        attendance.run_attendance_scan(world.ctx)
        with world.ctx.uow() as session:
            for row in session.exec(select(OutboxMessage).where(OutboxMessage.status == "pending")):
                row.status = "sent"  # what the sender does: the questions arrived
            session.commit()
            open_ones = dict(
                session.exec(
                    select(Member.telegram_user_id, Checkin.id).join(Member).where(Checkin.local_date == day)
                ).all()
            )
        for i, person in enumerate(world.members):
            if i == 2 and n >= 2:
                continue
            presses = [("mood", str(2 + (n + i) % 4)), ("crav", str((n * 3 + i) % 8))]
            presses += [("trg", ("stress", "loneliness", "people")[(n + i) % 3]), ("trgdone", None)]
            presses += [("use", "yes" if (i, n) == (1, 3) else "no"), ("note", None)]
            for kind, value in presses:
                checkins.answer_button(world.ctx, person, open_ones[person.telegram_user_id] or 0, kind, value, 500)
    morning = first + timedelta(days=7)  # the morning scan tells the counsellor of the third member's gap
    world.clock.set(datetime(morning.year, morning.month, morning.day, 4, 0, tzinfo=UTC))
    checkins.close_missed(world.ctx)
    attendance.run_attendance_scan(world.ctx)


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
        ("/setup/reassign", {"pseudonym": REFUSED_INPUTS[0], "counsellor_id": "1"}),
        ("/setup/circles/capacity", {"circle_id": "1", "capacity": "1"}),
        ("/setup/settings", {"ack_urgent_minutes": "500"}),
        ("/setup/staff", {"name": ""}),
        ("/invites", {"count": "many", "expires": "14"}),
        ("/invites", {"count": "600", "expires": "14"}),
        ("/invites", {"count": "2", "expires": "14", "circle": REFUSED_INPUTS[1]}),
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
def test_a_counsellor_is_refused_in_their_language(console: ConsoleWorld, lang: str) -> None:
    """The refusal page shows no data: the centre as it starts will do."""
    _speak(console, COUNSELLOR, lang)
    client = console.client_for(COUNSELLOR)
    page = client.get("/audit")
    assert page.status_code == 403
    assert f'<html lang="{lang}"' in page.text
    assert not [run for run in english_runs(lang) if run in _without_names(page.text)]


# Latin-script words a hi or mr page may hold: names of things
LATIN_ALLOWED = {"Saathi", "Telegram", "WhatsApp", "PDF", "PNG", "CSV", "UTC", "English"}  # English: in language menus
# what an input reads, typed as is (a pseudonym, a schedule), shown as examples; no seeded data looks like them
EXAMPLES = ["weekly sat 11:00 90", "Lotus 12", "Lotus 7"]


class _VisibleText(HTMLParser):
    """The words a person reads on a page: text (not scripts or styles) and the titles, placeholders,
    labels and alternative texts of elements."""

    READ = {"title", "placeholder", "aria-label", "alt"}

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._hidden += tag in ("script", "style")
        self.parts += [value for name, value in attrs if name in self.READ and value]

    def handle_endtag(self, tag: str) -> None:
        self._hidden -= tag in ("script", "style")

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self.parts.append(data)


def _typed(world: ConsoleWorld) -> list[str]:
    """What people typed or the bot made up for them (names, pseudonyms, codes, members' words): data shown
    as it is, longest first."""
    with world.ctx.uow() as session:
        found = [
            *session.exec(select(Staff.name)).all(),
            *session.exec(select(Center.name)).all(),
            *session.exec(select(Circle.name)).all(),
            *session.exec(select(Member.pseudonym)).all(),
            *session.exec(select(Sponsor.pseudonym)).all(),
            *session.exec(select(Sponsor.name)).all(),
            *session.exec(select(InviteCode.code)).all(),
        ]
    words = [HURTFUL, HURTFUL_TOO, URGENT_WORDS, NOTE, HELPLINE, world.ctx.bot_username, *REFUSED_INPUTS, *EXAMPLES]
    return sorted({w for w in [*found, *words] if w}, key=len, reverse=True)


def latin_words(page: str, typed: list[str]) -> set[str]:
    """The Latin-script words a person reads on ``page`` besides ``typed`` data, addresses and times."""
    parser = _VisibleText()
    parser.feed(page)
    text = " ".join(parser.parts)
    # addresses, the one-time code, a Telegram command (typed as is in every language), revealed names, times
    text = re.sub(r"https?://\S+|/volunteer \S+|(?<!\w)/[a-z_]+|Test User \d+|\d{4}-\d\d-\d\dT[\d:+]+", " ", text)
    for data in typed:
        text = text.replace(data, " ")
    return {word for word in re.findall(r"[A-Za-z][A-Za-z_'-]*", text)} - LATIN_ALLOWED


def _acted(world: ConsoleWorld, client: TestClient) -> Iterator[tuple[str, str]]:
    """Every console action an admin takes, and the page each leaves them on; then the audit log of it
    all, with a counsellor refused a member's command in Telegram."""
    csrf = csrf_of(client)
    with world.ctx.uow() as session:
        alerts = session.exec(select(Escalation.id).order_by(Escalation.id)).all()
        held = session.exec(select(CircleMessage.id).where(CircleMessage.status == CircleMessageStatus.HELD)).all()
        meera = session.exec(select(Staff.id).where(Staff.name == COUNSELLOR)).one()
    pseudonyms = [member(world.ctx, person.telegram_user_id).pseudonym or "" for person in world.members]
    actions: list[tuple[str, dict[str, str], int]] = [  # path, form, the status of the page it leaves them on
        (f"/alerts/{alerts[-1]}/ack", {}, 200),
        (f"/alerts/{alerts[-1]}/ack", {}, 200),  # already acknowledged
        (f"/alerts/{alerts[0]}/resolve", {"note": NOTE}, 200),
        (f"/circles/held/{held[0]}/release", {}, 200),
        (f"/circles/held/{held[1]}/discard", {}, 200),
        (f"/circles/held/{held[1]}/release", {}, 200),  # already reviewed
        ("/setup/staff", {"name": "Counsellor Kiran", "role": "counsellor", "backup": "on"}, 200),
        ("/setup/staff/backup", {"staff_id": str(meera), "backup": "on"}, 200),
        ("/setup/reassign", {"pseudonym": pseudonyms[0], "counsellor_id": str(meera)}, 200),
        ("/setup/circles", {"name": "Morning Circle", "kind": "12_step", "language": "hi", "schedule": DAILY}, 200),
        ("/setup/circles/capacity", {"circle_id": "1", "capacity": "10"}, 200),
        ("/setup/settings", {"helpline": HELPLINE, "ack_urgent_minutes": "10", "own_members_only": "no"}, 200),
        ("/setup/sponsors/volunteer", {"name": "Volunteer Farah", "language": "mr"}, 200),
        ("/setup/sponsors/unlink", {"mentee": pseudonyms[2]}, 200),
        ("/setup/sponsors/link", {"sponsor": pseudonyms[0], "mentee": pseudonyms[2]}, 200),
        ("/setup/sponsors/link", {"sponsor": pseudonyms[0], "mentee": pseudonyms[2]}, 400),  # already has one
        ("/invites", {"count": "3", "expires": "14", "circle": "Evening Circle", "lang": "hi"}, 200),
    ]
    for path, form, status in actions:
        response = client.post(path, data={**form, "csrf": csrf})
        assert response.status_code == status, (path, form, response.status_code)
        yield f"{path} {form}", response.text
    member_id = world.member_id(world.members[0])
    assert client.get(f"/members/{member_id}/case-review.csv").status_code == 200
    assert client.get("/reports/attendance.csv", params={"from": "2026-11-25", "to": "2026-12-01"}).status_code == 200
    assert not access.check_command(world.ctx, MEERA, "settings")  # a member's command: refused, audited
    for path in ("/audit", "/alerts", "/circles", "/setup"):
        yield f"{path} after every action", client.get(path).text


@pytest.mark.parametrize("lang", ["hi", "mr"])
def test_no_english_made_by_code_on_any_page(busy: ConsoleWorld, lang: str) -> None:
    _speak(busy, ADMIN, lang)
    client = busy.client_for(ADMIN)
    pages = [*_pages(busy, client), *_acted(busy, client)]
    typed = _typed(busy)  # after the actions: the staff, circle and volunteer they added are data too
    found = {name: sorted(left) for name, page in pages if (left := latin_words(page, typed))}
    assert not found, f"English on {lang} pages: {found}"
