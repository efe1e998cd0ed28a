"""The composition root: builds the python-telegram-bot Application with everything wired."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from telegram import BotCommand
from telegram.error import TelegramError
from telegram.ext import AIORateLimiter, Application, ApplicationBuilder, ContextTypes

from bot.clock import Clock, SystemClock
from bot.config import Settings
from bot.delivery.sender import OutboxSender
from bot.domain.risk import load_rules
from bot.i18n import LANGUAGES, t
from bot.jobs import add_jobs
from bot.runtime import Saathi
from bot.services import safety
from bot.services.context import ServiceContext
from handlers import add_handlers
from handlers.common import SaathiContext
from storage.db import SessionFactory, make_engine

log = logging.getLogger(__name__)

COMMANDS = ("craving", "talk", "settings", "help")


def build_application(settings: Settings, *, clock: Clock | None = None, with_jobs: bool = True,
                      sender_poll: float = 0.5, overall_rate: float = 30) -> Application:  # type: ignore[type-arg]
    """``overall_rate`` is Telegram's ceiling of messages per second; only tests against the
    emulator (which enforces nothing unless asked) raise it to run fast."""
    if settings.telegram_bot_token is None:
        raise ValueError("a bot token is needed to build the application")
    engine = make_engine(settings.database_url)
    services = ServiceContext(
        uow=SessionFactory(engine),
        clock=clock or SystemClock(),
        default_timezone=settings.default_timezone,
        reminder_delay_minutes=settings.reminder_delay_minutes,
    )
    saathi = Saathi(services=services)

    async def post_init(application: Application) -> None:  # type: ignore[type-arg]
        me = await application.bot.get_me()
        services.bot_username = me.username or services.bot_username
        await _set_commands(application)
        load_rules()  # compiling the rules takes most of a second; not on a member's first message
        saathi.sender = OutboxSender(services.uow, services.clock, application.bot, idle_poll=sender_poll,
                                     on_unreachable=safety.recipient_unreachable, due_work=saathi.run_due_work)
        saathi.sender.start()
        log.info("Saathi started as @%s", services.bot_username)

    async def post_shutdown(application: Application) -> None:  # type: ignore[type-arg]
        if saathi.sender is not None:
            await saathi.sender.stop()
        engine.dispose()

    application = (
        ApplicationBuilder()
        .token(settings.telegram_bot_token)
        .base_url(settings.telegram_api_url)
        .base_file_url(settings.telegram_file_url)
        .context_types(ContextTypes(context=SaathiContext))
        # max_retries=0: a 429 comes back to the outbox, which reschedules that row instead of
        # holding every other send behind it.
        .rate_limiter(AIORateLimiter(overall_max_rate=overall_rate, max_retries=0))
        .post_init(post_init)
        .post_shutdown(post_shutdown)
        .build()
    )
    application.bot_data["saathi"] = saathi
    add_handlers(application)
    if with_jobs:
        add_jobs(application)
    return application


async def _set_commands(application: Application) -> None:  # type: ignore[type-arg]
    try:
        for lang in LANGUAGES:
            commands = [BotCommand(name, t(lang, f"cmd-{name}")) for name in COMMANDS]
            await application.bot.set_my_commands(commands, language_code=None if lang == "en" else lang)
    except TelegramError as exc:  # the menu of commands is a nicety; never stop the start for it
        log.warning("could not set the command menu: %s", type(exc).__name__)


@asynccontextmanager
async def running(application: Application, *, poll_timeout: int = 1) -> AsyncIterator[Saathi]:  # type: ignore[type-arg]
    """Run the application with long polling inside an ``async with`` (tests and the sandbox).

    Mirrors ``run_polling``, which is the only caller of post_init/post_shutdown in PTB.
    """
    await application.initialize()
    if application.post_init is not None:
        await application.post_init(application)
    try:
        await application.start()
        assert application.updater is not None
        await application.updater.start_polling(poll_interval=0, timeout=poll_timeout, drop_pending_updates=False)
        try:
            yield application.bot_data["saathi"]
        finally:
            await application.updater.stop()
            await application.stop()
    finally:
        await application.shutdown()
        if application.post_shutdown is not None:
            await application.post_shutdown(application)
