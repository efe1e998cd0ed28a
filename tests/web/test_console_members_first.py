"""Members first: a signed-in staff request waits while the bot in the same process has members' updates
in hand (``members_waiting``), then is served; other requests never wait (bot/web/app.py, MembersFirst)."""

from __future__ import annotations

from typing import Any, cast

from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Route
from starlette.testclient import TestClient

from bot.config import parse_settings
from bot.runtime import Saathi
from bot.web.app import MembersFirst, build_web_app
from bot.whatsapp_inbox import WhatsAppInbox
from tests.web.conftest import COUNSELLOR, ConsoleWorld


class Busy:
    """Says "busy" for the first ``times`` questions, then "free"; counts the questions."""

    def __init__(self, times: int) -> None:
        self.times, self.asked = times, 0

    def __call__(self) -> bool:
        self.asked += 1
        return self.asked <= self.times


def test_a_staff_page_waits_until_the_members_updates_are_handled(console: ConsoleWorld) -> None:
    busy = Busy(0)
    console.app = build_web_app(console.ctx, parse_settings({}), console.clock, members_waiting=busy)
    client = console.client_for(COUNSELLOR)
    assert busy.asked == 0  # the sign-in link carries no session yet: it never waits
    busy.times = 3
    response = client.get("/caseload")
    assert response.status_code == 200
    assert busy.asked > 4  # three times busy, then free (and still free a moment later): served


def test_requests_without_a_session_never_wait(console: ConsoleWorld) -> None:
    busy = Busy(10**9)
    console.app = build_web_app(console.ctx, parse_settings({}), console.clock, members_waiting=busy)
    client = TestClient(console.app, base_url="http://127.0.0.1:8080")
    assert client.get("/signin").status_code == 200
    assert client.get("/static/console.css").status_code == 200
    assert busy.asked == 0


def test_a_staff_request_goes_on_after_the_limit() -> None:
    async def page(request: object) -> PlainTextResponse:
        return PlainTextResponse("ok")

    busy = Busy(10**9)
    app = MembersFirst(Starlette(routes=[Route("/", page)]), busy, limit=0.0)
    client = TestClient(app)
    client.cookies.set("saathi_console", "a-session")
    assert client.get("/").text == "ok"
    assert busy.asked == 1


def test_the_bot_is_busy_while_whatsapp_events_are_in_hand(console: ConsoleWorld) -> None:
    saathi = Saathi(services=console.ctx)
    assert not saathi.members_waiting()
    saathi.whatsapp = WhatsAppInbox(console.ctx, cast(Any, None), lambda: None)
    assert not saathi.members_waiting()
    saathi.whatsapp.in_hand = 2
    assert saathi.members_waiting()
