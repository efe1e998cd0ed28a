"""Screenshots of the web console for the README: a fake centre, its console, and chromium.

Seeds a centre with fake people only (four weeks of evening check-ins answered through the same use
cases the Telegram buttons call, lapses whose alerts the counsellor resolved, a member's urgent words
still open, a circle with a message held for review), serves the console on a free loopback port,
signs the director in with a one-time link, and saves a PNG of the viewport of each main page at a
phone width (390 px) and a desktop width (1280 px) into docs/console/, plus a reduced page of the
printable invite sheet. Nothing leaves the machine; the database is a temporary file.

    .venv/bin/python scripts/console_screenshots.py [--out docs/console]

Needs Debian's chromium at /usr/bin/chromium and the dev extra (Playwright).
"""

from __future__ import annotations

import argparse
import asyncio
import io
import logging
import random
import socket
import sys
import tempfile
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from PIL import Image
from playwright.async_api import Page, async_playwright
from sqlmodel import col, select

from bot.clock import FakeClock
from bot.config import parse_settings
from bot.services import admin, attendance, checkins, circles, counsellor, inbound, onboarding, safety
from bot.services import console as console_service
from bot.services.context import Person, ServiceContext
from bot.web.app import build_web_app
from bot.web.serve import WebServer
from storage import crypto
from storage.checkins.tables import Checkin
from storage.db import SessionFactory, make_engine
from storage.keys import check as key_check
from storage.migrate import upgrade
from storage.people.tables import Member
from storage.safety.tables import Escalation

CHROMIUM = Path("/usr/bin/chromium")
CENTRE, TZ = "Asha Nasha Mukti Kendra (demo)", "Asia/Kolkata"
DIRECTOR, MEERA, ARJUN, KIRAN = "Director Asha", "Counsellor Meera", "Counsellor Arjun", "Facilitator Kiran"
MEERA_PHONE = Person(telegram_user_id=9001, chat_id=9001, display_name="Meera", language_code="en")
DAYS = 28
TODAY = date(2026, 11, 25)
FIRST = TODAY - timedelta(days=DAYS - 1)
# (Telegram id, fake name, language, circle): every name here is made up
PEOPLE = [
    (1001, "Ravi K", "en", "Evening Circle"),
    (1002, "Sunita P", "hi", "Evening Circle"),
    (1003, "Prakash M", "mr", "Evening Circle"),
    (1004, "Imran S", "hi", "Evening Circle"),
    (1005, "Deepak R", "en", "Evening Circle"),
    (1006, "Anil T", "mr", "Evening Circle"),
    (1007, "Farhan A", "hi", "Morning Circle"),
    (1008, "Manoj D", "en", "Morning Circle"),
    (1009, "Suresh B", "mr", "Morning Circle"),
    (1010, "Vikram J", "hi", None),
    (1011, "Rahul N", "en", None),
    (1012, "Kavita S", "hi", None),
]
AT_RISK = 1001  # mood sliding, craving rising, a lapse last week, urgent words tonight
VIEWPORTS = {"phone": (390, 844), "desktop": (1280, 800)}
PAGES = ["alerts", "caseload", "member", "circles", "setup", "invites", "reports"]
CIRCLE_WORDS = [
    "Day 12 for me. Evenings are still the hardest part.",
    "Went for a walk instead of meeting the old group. It helped.",
    "Thank you all for Saturday, I slept well after it.",
    "Work was stressful today but I called my brother.",
    "Does anyone else find Sundays long?",
]


def _at(day: date, hh: int, mm: int) -> datetime:
    """A local time in India on ``day`` as UTC (India keeps no summer time)."""
    return datetime(day.year, day.month, day.day, hh, mm, tzinfo=UTC) - timedelta(hours=5, minutes=30)


def _join(ctx: ServiceContext, user_id: int, name: str, lang: str, circle: str | None) -> Person:
    person = Person(telegram_user_id=user_id, chat_id=user_id, display_name=name, language_code=lang)
    (invite,) = admin.create_invites(ctx, CENTRE, circle_name=circle)
    onboarding.start(ctx, person, invite.code)
    onboarding.choose_language(ctx, person, lang)
    onboarding.answer_consent(ctx, person, True)
    onboarding.choose_time(ctx, person, preset="evening")
    onboarding.set_sobriety(ctx, person, None)
    return person


def _answers(rng: random.Random, user_id: int, n: int) -> list[tuple[str, str | None]] | None:
    """Day ``n``'s presses for a member, or None when they did not answer."""
    if user_id == AT_RISK:
        if n in (9, 16, 22):
            return None
        mood, craving = max(1, 4 - n // 8 - rng.randint(0, 1)), min(9, 2 + n // 4 + rng.randint(0, 1))
        used = "yes" if n == DAYS - 7 else "no"
        trigger = "loneliness" if n % 3 else "stress"
    else:
        if rng.random() < 0.12 + (user_id % 4) * 0.04:
            return None
        mood, craving = rng.randint(2, 5), rng.randint(0, 6)
        used = "yes" if rng.random() < 0.025 else "no"
        trigger = rng.choice(["stress", "people", "places", "boredom", "loneliness"])
    presses: list[tuple[str, str | None]] = [("mood", str(mood))]
    if rng.random() < 0.05:
        return presses  # answered the first question only
    presses += [("crav", str(craving))]
    if rng.random() < 0.6:
        presses += [("trg", trigger)]
    return presses + [("trgdone", None), ("use", used), ("note", None)]


def _resolve_older_alerts(ctx: ServiceContext, before: datetime) -> None:
    """The counsellor followed up every alert raised before ``before`` and resolved it, as /resolve does."""
    with ctx.uow() as session:
        ids = session.exec(
            select(Escalation.id).where(col(Escalation.resolved_at).is_(None), Escalation.created_at < before)
        ).all()
    for alert_id in ids:
        counsellor.resolve(ctx, MEERA_PHONE, alert_id or 0, "Called them; safe, session booked")


def _due_work(ctx: ServiceContext) -> None:
    """What ``saathi run`` does by the clock (bot/runtime.py), as far as the console shows it."""
    for step in (
        checkins.close_missed,
        checkins.run_due_checkins,
        checkins.run_reminders,
        safety.run_deadlines,
        circles.run_due_meetings,
        circles.run_welcomes,
        attendance.run_attendance_scan,
    ):
        step(ctx)


def seed(ctx: ServiceContext, clock: FakeClock) -> int:
    """The fake centre, four weeks of it; the id of the member whose page is shown."""
    rng = random.Random(17)
    clock.set(_at(FIRST, 9, 0))
    admin.add_center(ctx, CENTRE, TZ)
    admin.add_counsellor(ctx, CENTRE, MEERA, telegram_id=MEERA_PHONE.telegram_user_id)
    admin.add_counsellor(ctx, CENTRE, ARJUN, telegram_id=9002, backup=True)
    admin.add_counsellor(ctx, CENTRE, KIRAN, telegram_id=9003, role="facilitator")
    admin.add_counsellor(ctx, CENTRE, DIRECTOR, telegram_id=9004, role="admin")
    admin.add_circle(ctx, CENTRE, "Evening Circle", schedule="weekly sat 11:00 90", capacity=12)
    admin.add_circle(ctx, CENTRE, "Morning Circle", facilitator=KIRAN, schedule="weekly wed 08:00 60")
    people = {uid: _join(ctx, uid, name, lang, circle) for uid, name, lang, circle in PEOPLE}
    circle_people = [uid for uid, _n, _l, circle in PEOPLE if circle == "Evening Circle"]
    for n in range(DAYS):
        day = FIRST + timedelta(days=n)
        clock.set(_at(day, 11, 30))
        _due_work(ctx)
        _resolve_older_alerts(ctx, clock.now() - timedelta(hours=12))
        if n % 2 == 0:  # the circle talks after the morning, when no check-in is open
            inbound.handle_text(ctx, people[rng.choice(circle_people)], rng.choice(CIRCLE_WORDS), 10_000 + n)
        if day == TODAY:  # hurtful words: the circle does not see them until someone has looked
            clock.set(_at(day, 11, 45))
            inbound.handle_text(ctx, people[1004], "you are such a moron, nobody asked you", 20_001)
        clock.set(_at(day, 20, 1))
        _due_work(ctx)
        with ctx.uow() as session:
            open_ones = dict(
                session.exec(
                    select(Member.telegram_user_id, Checkin.id).join(Member).where(Checkin.local_date == day)
                ).all()
            )
        for uid, person in people.items():
            presses = _answers(rng, uid, n)
            if presses is None or uid not in open_ones:
                continue
            clock.set(_at(day, 20, 5 + uid % 50))
            for kind, value in presses:
                checkins.answer_button(ctx, person, open_ones[uid] or 0, kind, value, message_id=500)
    clock.set(_at(TODAY, 21, 10))
    inbound.handle_text(ctx, people[AT_RISK], "I can't do this anymore, I want to end my life", 20_002)
    clock.set(_at(TODAY, 21, 40))
    with ctx.uow() as session:
        member_id = session.exec(select(Member.id).where(Member.telegram_user_id == AT_RISK)).one()
    return member_id or 0


def _small_png(raw: bytes, path: Path, width: int | None = None) -> int:
    """A palette PNG (text and flat colours lose nothing visible), optionally scaled to ``width``."""
    image = Image.open(io.BytesIO(raw)).convert("RGB")
    if width is not None and image.width > width:
        image = image.resize((width, round(image.height * width / image.width)), Image.Resampling.LANCZOS)
    image.quantize(colors=128, method=Image.Quantize.MEDIANCUT).save(path, optimize=True)
    return path.stat().st_size


async def _show(page: Page, base: str, name: str, member_id: int) -> None:
    """Open a page as a director would and scroll to what the picture is about."""
    if name == "member":
        await page.goto(f"{base}/members/{member_id}")
        await page.locator("section h2").first.evaluate("heading => heading.scrollIntoView()")
    elif name == "invites":
        await page.goto(f"{base}/invites")
        await page.get_by_label("Circle").select_option(index=1)
        await page.get_by_label("How many").fill("3")
        await page.get_by_role("button", name="Create invites").click()
        await page.locator("#created").wait_for()
    elif name == "circles":  # the circles' health, down to the message held for review
        await page.goto(f"{base}/circles")
        await page.locator(".held-text").first.scroll_into_view_if_needed()
    else:
        await page.goto(f"{base}/{name}")


async def shoot(ctx: ServiceContext, clock: FakeClock, member_id: int, out: Path) -> list[tuple[str, int]]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    base = f"http://127.0.0.1:{port}"
    ctx.web_base_url = base
    server = WebServer(build_web_app(ctx, parse_settings({"WEB_BASE_URL": base}), clock), f"127.0.0.1:{port}")
    if not await server.start():
        raise SystemExit(f"the console could not listen on 127.0.0.1:{port}")
    saved: list[tuple[str, int]] = []
    try:
        async with async_playwright() as playwright:
            browser = await playwright.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
            try:
                for label, (width, height) in VIEWPORTS.items():
                    context = await browser.new_context(
                        viewport={"width": width, "height": height}, device_scale_factor=1, locale="en-IN"
                    )
                    page = await context.new_page()
                    await page.goto(console_service.link_for(ctx, DIRECTOR))  # one-time link, as printed
                    for name in PAGES:
                        await _show(page, base, name, member_id)
                        path = out / f"{name}-{label}.png"
                        saved.append((path.name, _small_png(await page.screenshot(), path)))
                        if name == "invites" and label == "desktop":  # the printable sheet it links to, reduced
                            href = await page.locator("#created a", has_text="PNG").first.get_attribute("href")
                            sheet = await page.request.get(base + (href or ""))
                            path = out / "invite-sheet.png"
                            saved.append((path.name, _small_png(await sheet.body(), path, width=700)))
                    await context.close()
            finally:
                await browser.close()
    finally:
        await server.stop()
    return saved


async def main(out: Path) -> int:
    if not CHROMIUM.exists():
        print("needs Debian's chromium at /usr/bin/chromium (apt-get install chromium)", file=sys.stderr)
        return 1
    out.mkdir(parents=True, exist_ok=True)
    logging.getLogger("bot").setLevel(logging.ERROR)  # the fake centre's alerts are expected, not news
    with tempfile.TemporaryDirectory(prefix="saathi-shots-") as folder:
        url = f"sqlite:///{Path(folder) / 'console.db'}"
        upgrade(url)
        settings = parse_settings({"DATABASE_URL": url, "SAATHI_ENCRYPTION_KEYS": crypto.generate_key()})
        crypto.configure(settings.encryption_keys)
        engine = make_engine(url)
        key_check.check_at_start(engine)
        clock = FakeClock(_at(FIRST, 9, 0))
        ctx = ServiceContext(
            uow=SessionFactory(engine), clock=clock, bot_username="saathi_demo_bot", rng=random.Random(7)
        )
        try:
            member_id = seed(ctx, clock)
            saved = await shoot(ctx, clock, member_id, out)
        finally:
            engine.dispose()
    for name, size in saved:
        print(f"{out / name}: {size // 1024} KB")
    print(f"total {sum(size for _n, size in saved) // 1024} KB")
    return 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parents[1] / "docs" / "console")
    sys.exit(asyncio.run(main(parser.parse_args().out)))
