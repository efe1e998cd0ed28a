"""Webhook mode: the real Application behind our webhook receiver (bot/webhook.py), in process,
with the emulator delivering updates to it the way Telegram does.

Only requests carrying the secret set with setWebhook are handled; anything else gets 403 and
never reaches a handler; the listener binds to WEBHOOK_LISTEN only; the secret is never logged.
"""

from __future__ import annotations

import asyncio
import json
import logging
import socket
import sys
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass

import aiohttp
import pytest
from sqlmodel import select

from bot.app import build_application
from bot.cli import configure_logging, webhook_options, webhook_secret
from bot.clock import FakeClock
from bot.config import Settings, parse_settings
from bot.polling import serving
from bot.webhook import WebhookReceiver
from sandbox.emulator import BotApiEmulator
from sandbox.phones import Phones
from storage import crypto
from storage.db import SessionFactory, make_engine
from storage.inbox import HANDLED, InboxUpdate
from storage.migrate import upgrade
from tests.e2e.conftest import TOKEN
from tests.e2e.processes import BotProcess, bot_env

SQLITE_ONLY = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # the database is not the subject
HONEST, FORGER = 7301, 7302
NOISY_LOGGERS = ("httpx", "httpcore", "apscheduler", "aiohttp.access", "telegram", "sqlalchemy.engine")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class WebhookBot:
    emu: BotApiEmulator
    settings: Settings
    url: str
    phones: Phones


@asynccontextmanager
async def webhook_served(
    emu: BotApiEmulator, database_url: str, clock: FakeClock
) -> AsyncIterator[tuple[Settings, str]]:
    """What ``saathi run --webhook-url`` does (bot.webhook.serve_webhook), in process: its settings and URL."""
    port = _free_port()
    settings = parse_settings(
        {
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "TELEGRAM_API_URL": emu.base_url,
            "DATABASE_URL": database_url,
            "WEBHOOK_LISTEN": f"127.0.0.1:{port}",
            "SAATHI_ENCRYPTION_KEYS": ",".join(crypto.current_keys()),  # the test's: stored texts stay readable
        }
    )
    upgrade(database_url)
    application = build_application(settings, clock=clock, with_jobs=False, sender_poll=0.05, overall_rate=1000)
    url = f"http://127.0.0.1:{port}/telegram-hook"
    async with serving(application, asyncio.Event(), signals=False):
        receiver = WebhookReceiver(application, application.bot_data["saathi"].inbox, **webhook_options(settings, url))
        await receiver.start()
        try:
            yield settings, url
        finally:
            await receiver.stop()


@pytest.fixture
async def webhook_bot(database_url: str, clock: FakeClock) -> AsyncIterator[WebhookBot]:
    emu = BotApiEmulator()
    await emu.start()
    try:
        async with webhook_served(emu, database_url, clock) as (settings, url):
            yield WebhookBot(emu, settings, url, Phones(emu))
    finally:
        await emu.stop()


def _update(update_id: int, user_id: int, text: str) -> dict[str, object]:
    return {
        "update_id": update_id,
        "message": {
            "message_id": 1,
            "date": 1764000000,
            "text": text,
            "entities": [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]
            if text.startswith("/")
            else [],
            "chat": {"id": user_id, "type": "private", "first_name": "Forged"},
            "from": {"id": user_id, "is_bot": False, "first_name": "Forged", "language_code": "en"},
        },
    }


async def _post(url: str, body: dict[str, object], headers: dict[str, str]) -> int:
    async with (
        aiohttp.ClientSession(trust_env=False) as session,
        session.post(url, data=json.dumps(body), headers={"Content-Type": "application/json", **headers}) as response,
    ):
        return response.status


@SQLITE_ONLY
async def test_only_requests_with_the_secret_are_handled(webhook_bot: WebhookBot, database_url: str) -> None:
    bot = webhook_bot
    hook = bot.emu.webhook
    assert hook is not None and hook["url"] == bot.url
    assert hook["secret_token"] == webhook_secret(TOKEN)  # the emulator posts with what setWebhook gave it

    bot.phones.add(FORGER, "Forger")
    assert await _post(bot.url, _update(990001, FORGER, "/start"), {}) == 403
    assert (
        await _post(bot.url, _update(990002, FORGER, "/start"), {"X-Telegram-Bot-Api-Secret-Token": "not-the-secret"})
        == 403
    )
    assert await _post(bot.url, _update(990003, FORGER, "/start"), {"X-Telegram-Bot-Api-Secret-Token": ""}) == 403

    # The emulator's own delivery carries the secret and is handled.
    bot.phones.add(HONEST, "Honest")
    bot.phones.send(HONEST, "/start")
    await bot.phones.expect(HONEST, "open the invite link")
    assert bot.emu.stats["webhook_deliveries"] >= 1

    # Updates are handled in order, so the refused ones would have been answered by now.
    assert bot.emu.messages(FORGER) == []
    engine = make_engine(database_url)
    try:
        with SessionFactory(engine)() as session:
            handled = {row.update_id for row in session.exec(select(InboxUpdate).where(InboxUpdate.status == HANDLED))}
    finally:
        engine.dispose()
    assert handled and not handled & {990001, 990002, 990003}


@SQLITE_ONLY
async def test_the_listener_binds_to_the_configured_address_only(webhook_bot: WebhookBot) -> None:
    host, _, port = webhook_bot.settings.webhook_listen.rpartition(":")
    assert host == "127.0.0.1"
    reader, writer = await asyncio.open_connection("127.0.0.1", int(port))
    writer.close()
    await writer.wait_closed()
    # On Linux all of 127.0.0.0/8 is this machine: a listener on 0.0.0.0 would answer 127.0.0.2 too.
    with pytest.raises(OSError):
        await asyncio.wait_for(asyncio.open_connection("127.0.0.2", int(port)), timeout=2)


@SQLITE_ONLY
async def test_the_secret_never_reaches_the_log(
    database_url: str, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    """At DEBUG, as ``saathi run`` configures it: python-telegram-bot's own DEBUG lines quote
    setWebhook's parameters (the secret among them), so the ``telegram`` loggers stay at INFO."""
    caplog.set_level(logging.DEBUG)
    noisy = {name: logging.getLogger(name).level for name in NOISY_LOGGERS}
    configure_logging("DEBUG")
    secret = webhook_secret(TOKEN)
    emu = BotApiEmulator()
    await emu.start()
    port = _free_port()
    settings = parse_settings(
        {
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "TELEGRAM_API_URL": emu.base_url,
            "DATABASE_URL": database_url,
            "WEBHOOK_LISTEN": f"127.0.0.1:{port}",
        }
    )
    upgrade(database_url)
    application = build_application(settings, clock=clock, with_jobs=False, sender_poll=0.05, overall_rate=1000)
    url = f"http://127.0.0.1:{port}/hook"
    try:
        async with serving(application, asyncio.Event(), signals=False):
            receiver = WebhookReceiver(
                application, application.bot_data["saathi"].inbox, **webhook_options(settings, url)
            )
            await receiver.start()
            try:
                assert (
                    await _post(url, _update(990010, FORGER, "/start"), {"X-Telegram-Bot-Api-Secret-Token": "wrong"})
                    == 403
                )
            finally:
                await receiver.stop()
    finally:
        await emu.stop()
        for name, level in noisy.items():
            logging.getLogger(name).setLevel(level)
    logged = "\n".join(record.getMessage() + str(record.args or "") for record in caplog.records)
    assert caplog.records and secret not in logged and TOKEN not in logged


def test_a_webhook_is_refused_on_a_clear_text_public_url() -> None:
    settings = parse_settings({"TELEGRAM_BOT_TOKEN": TOKEN, "WEBHOOK_LISTEN": "127.0.0.1:8443"})
    for url in ("http://bot.example.org/hook", "ftp://127.0.0.1/hook", "hook"):
        with pytest.raises(ValueError, match="https"):
            webhook_options(settings, url)
    options = webhook_options(settings, "https://bot.example.org/saathi/hook")
    assert options["listen"] == "127.0.0.1" and options["port"] == 8443 and options["url_path"] == "saathi/hook"
    assert len(options["secret_token"]) >= 32 and options["secret_token"] != TOKEN
    assert webhook_options(settings, "http://127.0.0.1:8443/hook")["webhook_url"] == "http://127.0.0.1:8443/hook"


@SQLITE_ONLY
async def test_saathi_run_with_a_webhook_url_answers_members(
    database_url: str, bot_processes: Callable[..., BotProcess]
) -> None:
    """The real ``saathi run --webhook-url`` in a child process (bot.webhook.serve_webhook)."""
    emu = BotApiEmulator()
    await emu.start()
    port = _free_port()
    try:
        bot = bot_processes(
            bot_env(emu, database_url, WEBHOOK_LISTEN=f"127.0.0.1:{port}"),
            argv=[sys.executable, "-m", "bot.cli", "run", "--webhook-url", f"http://127.0.0.1:{port}/hook"],
            ready_line="webhook listening",
        )
        bot.start()
        await bot.wait_ready()
        phones = Phones(emu)
        phones.add(HONEST, "Honest")
        phones.send(HONEST, "/start")
        await phones.expect(HONEST, "open the invite link", timeout=15)
        assert bot.stop() == 0
        assert "Traceback" not in bot.log()
    finally:
        await emu.stop()
