"""The console's route tests: a centre with staff and members, and browsers signed in as them.

Fixtures: ``console`` (a :class:`ConsoleWorld`: the services, clock, app and people), and
TestClients signed in as ``counsellor`` (Counsellor Meera of Asha Kendra), ``admin_client``
(Director Asha of Asha Kendra) and ``other_centre`` (Counsellor Ravi of Disha Kendra, who must
never see Asha Kendra's members). ``console.client_for(name)`` signs in anyone else;
``csrf_of(client)`` reads a signed-in page's CSRF token for a POST.
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient

from bot.clock import FakeClock
from bot.config import parse_settings
from bot.services import admin, inbound
from bot.services import console as console_service
from bot.services.context import Person, ServiceContext
from bot.web.app import build_web_app
from storage.db import SessionFactory, make_engine
from storage.migrate import upgrade
from tests.storage.helpers import member, onboard

CENTRE, OTHER_CENTRE = "Asha Kendra", "Disha Kendra"
COUNSELLOR, ADMIN, OTHER_COUNSELLOR = "Counsellor Meera", "Director Asha", "Counsellor Ravi"
# Telegram ids: staff 9001.., members 1001.. (Asha Kendra) and 2001.. (Disha Kendra)
URGENT_WORDS = "I want to end my life tonight"


@dataclass
class ConsoleWorld:
    ctx: ServiceContext
    clock: FakeClock
    app: Starlette
    members: list[Person] = field(default_factory=list)  # Asha Kendra's, all Counsellor Meera's
    other_members: list[Person] = field(default_factory=list)  # Disha Kendra's
    kicks: list[int] = field(default_factory=list)  # on_change calls (the sender's kick in the bot)

    def client_for(self, staff_name: str, centre: str | None = None) -> TestClient:
        """A browser signed in as ``staff_name`` through a one-time link, as a person would."""
        link = console_service.link_for(self.ctx, staff_name, centre)
        client = TestClient(self.app, base_url="http://127.0.0.1:8080")
        response = client.get(link.removeprefix("http://127.0.0.1:8080"), follow_redirects=False)
        assert response.status_code == 303, response.text
        return client

    def raise_alert(self, person: Person, text: str = URGENT_WORDS) -> None:
        """The member writes something worrying: an escalation opens, as it would from Telegram."""
        inbound.handle_text(self.ctx, person, text, 700 + len(text))

    def member_id(self, person: Person) -> int:
        return member(self.ctx, person.telegram_user_id).id or 0


def csrf_of(client: TestClient, path: str = "/alerts") -> str:
    """The CSRF token on a signed-in page (every page's sign-out form carries it)."""
    found = re.search(r'name="csrf" value="([^"]+)"', client.get(path).text)
    assert found is not None, "no CSRF token on the page: is the client signed in?"
    return found.group(1)


@pytest.fixture
def console_world(tmp_path, clock: FakeClock) -> Iterator[ConsoleWorld]:  # type: ignore[no-untyped-def]
    url = f"sqlite:///{tmp_path}/console.db"
    upgrade(url)
    engine = make_engine(url)
    ctx = ServiceContext(uow=SessionFactory(engine), clock=clock, bot_username="saathi_demo_bot", rng=random.Random(7))
    admin.add_center(ctx, CENTRE, "Asia/Kolkata")
    admin.add_counsellor(ctx, CENTRE, COUNSELLOR, telegram_id=9001)
    admin.add_counsellor(ctx, CENTRE, ADMIN, telegram_id=9002, role="admin")
    admin.add_center(ctx, OTHER_CENTRE, "Asia/Kolkata")
    admin.add_counsellor(ctx, OTHER_CENTRE, OTHER_COUNSELLOR, telegram_id=9003)
    world = ConsoleWorld(ctx=ctx, clock=clock, app=build_web_app(ctx, parse_settings({}), clock))
    world.app.state.on_change = lambda: world.kicks.append(1)
    world.members = [onboard(ctx, 1001 + i) for i in range(3)]
    world.other_members = [onboard(ctx, 2001 + i, centre=OTHER_CENTRE) for i in range(2)]
    yield world
    engine.dispose()


@pytest.fixture
def console(console_world: ConsoleWorld) -> ConsoleWorld:
    return console_world


@pytest.fixture
def counsellor(console_world: ConsoleWorld) -> TestClient:
    return console_world.client_for(COUNSELLOR)


@pytest.fixture
def admin_client(console_world: ConsoleWorld) -> TestClient:
    return console_world.client_for(ADMIN)


@pytest.fixture
def other_centre(console_world: ConsoleWorld) -> TestClient:
    return console_world.client_for(OTHER_COUNSELLOR)
