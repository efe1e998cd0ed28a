"""A member's chart in a real browser (Debian's chromium, driven by Playwright): six weeks of check-ins
answered through the same use cases the Telegram buttons call, then the member page drawn by chromium
holds one mood point and one craving point per answered day of its window, a mark per lapse and per
alert, and nothing from the days before the window."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta

import pytest
from playwright.async_api import Page, async_playwright
from sqlmodel import col, select

from bot.clock import FakeClock
from bot.config import parse_settings
from bot.services import admin, checkins, counsellor, inbound
from bot.services import console as console_service
from bot.services.context import Person, ServiceContext
from bot.web.app import build_web_app
from bot.web.serve import WebServer
from storage.checkins.tables import Checkin
from storage.safety.tables import Escalation
from tests.e2e.conftest import CHROMIUM, free_port
from tests.storage.helpers import member, onboard

CENTRE, COUNSELLOR = "Asha Kendra", "Counsellor Meera"
MEMBER = 1001
MEERA = Person(telegram_user_id=9001, chat_id=9001, display_name="Meera", language_code="en")
DAYS = 42  # six weeks of check-ins, the last one today
FIRST = date(2026, 11, 25)  # the first check-in's local day (the clock fixture's day)
TODAY = FIRST + timedelta(days=DAYS - 1)
MISSED = {3, 10, 17, 31, 38}  # days (counted from FIRST) left unanswered
MOOD_ONLY = {5, 33}  # answered the mood question and stopped there
LAPSES = {8, 36}  # said they used

pytestmark = pytest.mark.usefixtures("chromium")  # skips, or fails in CI, without it


def _six_weeks(services: ServiceContext, clock: FakeClock) -> int:
    """A member who checks in at 20:00 IST every day for six weeks, pressing the buttons the bot sends;
    their counsellor resolves the alert each lapse raises; on the last day they write something urgent.
    Their member id."""
    admin.add_center(services, CENTRE, "Asia/Kolkata")
    admin.add_counsellor(services, CENTRE, COUNSELLOR, telegram_id=9001)
    person = onboard(services, MEMBER, centre=CENTRE)
    for n in range(DAYS):
        day = FIRST + timedelta(days=n)
        clock.set(datetime(day.year, day.month, day.day, 14, 31, tzinfo=UTC))  # 20:01 in India
        checkins.close_missed(services)
        assert checkins.run_due_checkins(services) == 1
        if n in MISSED:
            continue
        with services.uow() as session:
            checkin_id = session.exec(select(Checkin.id).where(Checkin.local_date == day)).one()
        presses: list[tuple[str, str | None]] = [("mood", str(1 + n % 5))]
        if n not in MOOD_ONLY:
            presses += [("crav", str(n % 7)), ("trgdone", None), ("use", "yes" if n in LAPSES else "no")]
            presses += [("note", None)]
        for kind, value in presses:
            assert checkins.answer_button(services, person, checkin_id or 0, kind, value, message_id=500) is None
        if n in LAPSES:  # the counsellor follows the lapse's alert up and resolves it, as /resolve does
            with services.uow() as session:
                (alert_id,) = session.exec(select(Escalation.id).where(col(Escalation.resolved_at).is_(None))).all()
            counsellor.resolve(services, MEERA, alert_id or 0, "Called; safe at home")
    inbound.handle_text(services, person, "I want to end my life tonight", 900)
    return member(services, MEMBER).id or 0


@pytest.fixture
async def console_url(services: ServiceContext, clock: FakeClock) -> AsyncIterator[str]:
    """The console on a free loopback port, as ``saathi run`` serves it."""
    base = f"http://127.0.0.1:{free_port()}"
    services.web_base_url = base
    server = WebServer(build_web_app(services, parse_settings({"WEB_BASE_URL": base}), clock), base[len("http://") :])
    assert await server.start()
    try:
        yield base
    finally:
        await server.stop()


async def _marks(page: Page) -> dict[str, int]:
    chart = page.locator("svg.trend-chart")
    await chart.wait_for()
    box = await chart.bounding_box()
    assert box is not None and box["width"] > 300 and box["height"] > 100  # drawn, not just in the markup
    return {
        name: await chart.locator(selector).count()
        for name, selector in (
            ("mood", "circle.mood-point"),
            ("craving", "rect.craving-point"),
            ("lapse", "path.lapse-mark"),
            ("alert", "path.alert-mark"),
            ("urgent", "path.alert-mark.urgent"),
        )
    }


def _expected(window: int, alerts: list[date]) -> dict[str, int]:
    first = (TODAY - FIRST).days - (window - 1)  # the window's first day, counted from FIRST
    inside = [n for n in range(DAYS) if n >= first]
    answered = [n for n in inside if n not in MISSED]
    return {
        "mood": len(answered),
        "craving": len([n for n in answered if n not in MOOD_ONLY]),
        "lapse": len([n for n in answered if n in LAPSES]),
        "alert": len([d for d in alerts if (d - FIRST).days >= first]),
        "urgent": 1,
    }


async def test_the_member_chart_has_a_point_per_answered_day_and_a_mark_per_lapse_and_alert(
    services: ServiceContext, clock: FakeClock, console_url: str
) -> None:
    member_id = _six_weeks(services, clock)
    with services.uow() as session:
        raised = session.exec(select(Escalation).where(Escalation.member_id == member_id)).all()
    # each lapse raised an alert, and the urgent words one more (all in India's evening: same local day)
    alerts = [e.created_at.replace(tzinfo=UTC).date() for e in raised]
    assert sorted(alerts) == sorted([FIRST + timedelta(days=n) for n in LAPSES] + [TODAY]), alerts
    path = console_service.link_for(services, COUNSELLOR).removeprefix(console_url)
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        try:
            page = await browser.new_page()
            errors: list[str] = []
            page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
            await page.goto(console_url + path)
            await page.goto(f"{console_url}/members/{member_id}")
            thirty = await _marks(page)
            await page.get_by_role("link", name="Show 90 days").click()
            await page.wait_for_url(f"{console_url}/members/{member_id}?days=90")
            ninety = await _marks(page)
            assert not errors, errors  # no CSP violation
        finally:
            await browser.close()
    assert thirty == _expected(30, alerts) == {"mood": 27, "craving": 26, "lapse": 1, "alert": 2, "urgent": 1}
    assert ninety == _expected(90, alerts) == {"mood": 37, "craving": 35, "lapse": 2, "alert": 3, "urgent": 1}
