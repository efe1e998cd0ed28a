"""End-to-end harness: the real Application, long-polling the local Bot API emulator over HTTP.

Nothing of python-telegram-bot is mocked; tests play people on phones through the
emulator's control API and read what each phone received.
"""

from __future__ import annotations

import copy
import logging
import os
import socket
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import AsyncExitStack
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from bot.app import build_application, running
from bot.cli import configure_logging
from bot.clock import FakeClock
from bot.config import parse_settings
from bot.domain import channels
from bot.runtime import Saathi
from bot.services import admin, inbound
from bot.web.app import build_web_app
from bot.web.serve import WebServer
from sandbox.emulator import BotApiEmulator
from sandbox.models import SentMessage
from sandbox.phones import DEADLINE, Match, Phones, wait_until
from storage import crypto, inbox
from storage.migrate import upgrade
from storage.outbox import queries as outbox_db
from tests.e2e.processes import TOKEN, BotProcess

# 20:00 in India on the test day: when an evening member's check-in is due.
EVENING_DUE = datetime(2026, 11, 25, 14, 30, tzinfo=UTC)
COUNSELLOR_ID = 9001


class Harness:
    def __init__(self, emu: BotApiEmulator, database_url: str, clock: FakeClock) -> None:
        self.emu = emu
        self.database_url = database_url
        self.clock = clock
        self.saathi: Saathi | None = None
        self._stack: AsyncExitStack | None = None
        self.phones = Phones(emu)
        self.account: int | None = None  # the channel account whose bot ``emu`` is (None: the .env bot)
        self._unhandled: set[int] = set()  # updates sent through send() not yet recorded as handled

    # --- lifecycle ------------------------------------------------------------------------
    async def start_bot(self) -> Saathi:
        settings = parse_settings(
            {
                "TELEGRAM_BOT_TOKEN": TOKEN,
                "TELEGRAM_API_URL": self.emu.base_url,
                "DATABASE_URL": self.database_url,
                # the keys the test configured (tests/conftest.py): texts stay encrypted
                "SAATHI_ENCRYPTION_KEYS": ",".join(crypto.current_keys()),
            }
        )
        upgrade(self.database_url)
        application = build_application(
            settings, clock=self.clock, with_jobs=False, sender_poll=0.05, overall_rate=1000
        )
        self._stack = AsyncExitStack()
        self.saathi = await self._stack.enter_async_context(running(application))
        return self.saathi

    async def stop_bot(self) -> None:
        if self._stack is not None:
            await self._stack.aclose()
            self._stack = None
            self.saathi = None

    async def restart_bot(self) -> Saathi:
        await self.stop_bot()
        return await self.start_bot()

    @property
    def services(self):  # type: ignore[no-untyped-def]
        assert self.saathi is not None
        return self.saathi.services

    # --- a centre -------------------------------------------------------------------------
    def seed_centre(self, name: str = "Asha Kendra", *, counsellor_chat: bool = True) -> None:
        admin.add_center(self.services, name, "Asia/Kolkata")
        self.emu.add_user(COUNSELLOR_ID, "Meera", language_code="en")
        admin.add_counsellor(
            self.services, name, "Counsellor Meera", telegram_id=COUNSELLOR_ID if counsellor_chat else None
        )

    def invite(self, name: str = "Asha Kendra", **kwargs) -> str:  # type: ignore[no-untyped-def]
        return admin.create_invites(self.services, name, **kwargs)[0].code

    def through(self, emu: BotApiEmulator, account: int) -> Harness:
        """The same running bot, its people on phones talking to a centre's own bot (``emu``, a bot of
        ``self.emu.add_bot``, run as channel account ``account``); ``settle`` waits for both."""
        other = copy.copy(self)
        other.emu, other.phones, other.account = emu, Phones(emu), account
        return other

    # --- phones (driven the way the sandbox drives them) ------------------------------------
    def phone(self, user_id: int, first_name: str = "Test", language_code: str = "en") -> int:
        return self.phones.add(user_id, first_name, language_code)

    def send(self, user_id: int, text: str) -> int:
        update_id = self.phones.send(user_id, text)
        self._unhandled.add(channels.telegram_key(self.account, update_id))  # as the inbox stores it
        return update_id

    async def expect(self, chat_id: int, contains: Match, *, timeout: float = DEADLINE) -> SentMessage:
        return await self.phones.expect(chat_id, contains, timeout=timeout)

    async def press(self, user_id: int, label: str, *, chat_id: int | None = None) -> str:
        """As a person would: once the bot has answered what came before (an older message may show the
        same label as the question still on its way), the newest message showing the button."""
        if self.saathi is not None:
            await self.settle()
        return await self.phones.press(user_id, label, chat_id=chat_id)

    def texts(self, chat_id: int) -> list[str]:
        return self.phones.texts(chat_id)

    async def onboard(
        self, user_id: int, *, at: str = "Evening", name: str = "Test", centre: str = "Asha Kendra"
    ) -> None:
        """A member joins in English by buttons, skipping the recovery date."""
        self.phone(user_id, name)
        self.send(user_id, f"/start {self.invite(centre)}")
        await self.expect(user_id, "Which language")
        await self.press(user_id, "English")
        await self.expect(user_id, "Who sees what")
        await self.press(user_id, "I agree")
        await self.expect(user_id, "What time")
        await self.press(user_id, at)
        await self.expect(user_id, "recovery began")
        await self.press(user_id, "Skip")
        await self.expect(user_id, "All set")

    async def check_in_to_note(self, user_id: int, *, used: str = "No") -> None:
        """An evening member's check-in, answered by buttons up to the question that asks for a note."""
        self.clock.set(EVENING_DUE)
        await self.tick()
        await self.press(user_id, "3 😐")
        await self.press(user_id, "5")
        await self.press(user_id, "None today")
        await self.press(user_id, used)
        await self.expect(user_id, "Anything else")

    # --- time -----------------------------------------------------------------------------
    async def tick(self) -> dict[str, int]:
        assert self.saathi is not None
        done = self.saathi.run_due_work()
        await self.settle()
        return done

    async def settle(self, timeout: float = DEADLINE) -> None:
        """Wait until every update sent through ``send`` is handled and nothing due is left in the outbox."""

        def idle() -> bool:
            with self.services.uow() as session:
                self._unhandled -= {u for u in self._unhandled if inbox.update_handled(session, u)}
                return not self._unhandled and outbox_db.outbox_due_count(session, self.clock.now()) == 0

        await wait_until(idle, timeout=timeout, stable=3)

    def inbox_row(self, update_id: int) -> tuple[str, int] | None:
        """(status, attempts) of a stored update or WhatsApp event."""
        with self.services.uow() as session:
            row = session.get(inbox.InboxUpdate, update_id)
            return None if row is None else (row.status, row.attempts)


def break_typed_text_on(monkeypatch: pytest.MonkeyPatch, word: str) -> None:
    """A bug in a use case: typed text holding ``word`` makes it raise (inbound.handle_text, the router
    both channels call); everything else goes through."""
    handle_text = inbound.handle_text

    def breaks_on_one_word(ctx, person, text, *args, **kwargs):  # type: ignore[no-untyped-def]
        if word in text:
            raise ValueError("a bug in a use case")
        return handle_text(ctx, person, text, *args, **kwargs)

    monkeypatch.setattr(inbound, "handle_text", breaks_on_one_word)


@pytest.fixture
async def harness(database_url: str, clock: FakeClock) -> AsyncIterator[Harness]:
    emu = BotApiEmulator()
    await emu.start()
    h = Harness(emu, database_url, clock)
    await h.start_bot()
    try:
        yield h
    finally:
        await h.stop_bot()
        await emu.stop()


@pytest.fixture
def debug_logging(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    """Every log line at DEBUG, the way ``saathi run`` configures logging (tests scan it for secrets)."""
    names = ("httpx", "httpcore", "apscheduler", "aiohttp.access", "telegram", "sqlalchemy.engine")
    before = {name: logging.getLogger(name).level for name in names}
    configure_logging("DEBUG")
    caplog.set_level(logging.DEBUG)
    yield caplog
    for name, level in before.items():
        logging.getLogger(name).setLevel(level)


@pytest.fixture
def bot_processes(tmp_path: Path) -> Iterator[Callable[..., BotProcess]]:
    """``make(env, name="bot")`` → a BotProcess in ``tmp_path/name``; every child is killed at teardown."""
    made: list[BotProcess] = []

    def make(env: dict[str, str], name: str = "bot", **kwargs: Any) -> BotProcess:
        bot = BotProcess(env, tmp_path / name, **kwargs)
        made.append(bot)
        return bot

    try:
        yield make
    finally:
        for bot in made:
            if bot.alive:
                bot.kill()


CHROMIUM = Path("/usr/bin/chromium")


@pytest.fixture
def chromium() -> Path:
    """Debian's chromium for the console's browser tests: skipped where it is missing and cannot be installed,
    but never in CI, which must run them (``./scripts/test`` installs it there as root)."""
    if CHROMIUM.exists():
        return CHROMIUM
    why = "needs Debian's chromium at /usr/bin/chromium (./scripts/test installs it when run as root)"
    if os.environ.get("CI") == "true":
        pytest.fail(f"CI must run the browser tests: {why}")
    pytest.skip(why)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
async def console_url(harness: Harness) -> AsyncIterator[str]:
    """The console served on a free loopback port inside the bot's loop, as ``saathi run`` serves it."""
    assert harness.saathi is not None
    base = f"http://127.0.0.1:{free_port()}"
    for services in (harness.saathi.services, harness.saathi.loop_services):
        if services is not None:  # the links /console sends start with this address
            services.web_base_url = base
    settings = parse_settings({"WEB_BASE_URL": base})
    app = build_web_app(harness.services, settings, harness.clock, on_change=harness.saathi.kick)
    server = WebServer(app, base.removeprefix("http://"))
    assert await server.start()
    try:
        yield base
    finally:
        await server.stop()
