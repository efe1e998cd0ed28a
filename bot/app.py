"""The composition root: builds the python-telegram-bot Application with everything wired."""

from __future__ import annotations

import asyncio
import functools
import gc
import logging
import os
import signal
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import replace

import httpx
from telegram import Bot, BotCommand
from telegram.error import TelegramError
from telegram.ext import Application, ApplicationBuilder, ContextTypes

from bot.accounts import AccountBot, open_account_bots
from bot.clock import Clock, OffsetClock, SystemClock
from bot.config import Settings
from bot.delivery.limiter import Limits, RateLimiter, build_limiter, memory_limiter, redis_limiter
from bot.delivery.sender import OutboxSender
from bot.delivery.whatsapp import WHATSAPP_LIMITS, WhatsAppSender, whatsapp_limiter_factory
from bot.domain.risk import load_rules, packaged_model
from bot.http import AiohttpRequest
from bot.i18n import LANGUAGES, t
from bot.inbox import Inbox
from bot.jobs import add_jobs
from bot.polling import poll_all, stop_application
from bot.runtime import Saathi
from bot.services import reachability, updates
from bot.services.context import ServiceContext
from bot.web.app import build_web_app
from bot.web.serve import WebServer
from bot.whatsapp_inbox import WhatsAppInbox
from handlers import add_handlers
from handlers.common import SaathiContext, apologise
from storage import crypto
from storage.db import SessionFactory, make_engine, make_loop_engine

log = logging.getLogger(__name__)

COMMANDS = ("craving", "talk", "settings", "help")


def build_application(
    settings: Settings,
    *,
    clock: Clock | None = None,
    with_jobs: bool = True,
    sender_poll: float = 0.5,
    overall_rate: float | None = None,
    limits: Limits | None = None,
    with_updater: bool = True,
    with_web: bool = False,
    whatsapp_session: Callable[[], httpx.AsyncClient] | None = None,
    whatsapp_limits: Limits = WHATSAPP_LIMITS,
) -> Application:
    """The outbox sender's limiter holds ``settings.rate_limit_per_second`` overall and Telegram's
    per-chat/per-group spacing (shared through Redis when ``RATE_LIMIT_REDIS_URL`` is set).
    ``overall_rate`` scales all of those limits so the overall one is this rate (tests against
    the emulator, which enforces nothing unless asked, raise it to run fast); ``limits`` sets
    them outright (benchmarks). ``with_updater=False``
    builds a dispatch-only worker (``saathi run --role dispatcher``): no polling, no webhook.
    ``with_web`` serves the console on ``settings.web_listen`` in the same loop (``saathi run``).
    ``whatsapp_session`` makes the httpx client each WhatsApp account's pywa client uses (the sandbox's
    transport to the emulator; None: Meta's host); ``whatsapp_limits`` its pacing (tests scale it)."""
    if settings.telegram_bot_token is None:
        raise ValueError("a bot token is needed to build the application")
    crypto.configure(settings.encryption_keys)
    updates.install()  # an update's first commit marks its inbox row handled
    if not settings.encryption_keys:
        log.warning("SAATHI_ENCRYPTION_KEYS is not set: members' texts are stored unencrypted (development only)")
    engine = make_engine(settings.database_url)
    services = ServiceContext(
        uow=SessionFactory(engine),
        clock=clock or clock_from_settings(settings),
        default_timezone=settings.default_timezone,
        reminder_delay_minutes=settings.reminder_delay_minutes,
        web_base_url=settings.web_base_url,
    )
    loop_engine = make_loop_engine(settings.database_url)
    saathi = Saathi(services=services)
    if limits is None:
        limits = Limits(overall_per_sec=settings.rate_limit_per_second)
        if settings.rate_scale != 1.0:  # tests and benchmarks against an emulator whose time runs faster
            limits = limits.scaled(settings.rate_scale)  # faster time, same burst sizes (see Limits.scaled)
        if overall_rate is not None:
            limits = limits.scaled(overall_rate / limits.overall_per_sec)
    limiter: RateLimiter | None = None
    web: WebServer | None = None
    account_bots: dict[int, AccountBot] = {}
    account_limiters: list[RateLimiter] = []

    async def post_init(application: Application) -> None:
        me = await application.bot.get_me()
        services.bot_username = me.username or services.bot_username
        if loop_engine is not None:  # the same services, bot name included, on the loop's engine
            saathi.loop_services = replace(services, uow=SessionFactory(loop_engine.sync_engine))
        await _set_commands(application.bot)
        load_rules()  # compiling the rules takes most of a second; not on a member's first message
        packaged_model()  # nor reading the model (about a second; an urgent first message must not wait)
        nonlocal limiter
        limiter = build_limiter(limits, settings.rate_limit_redis_url)
        # the centres' own Telegram bots: each polled beside the .env bot, each with its own sender and
        # limiter (Telegram's 30/s is per bot; in Redis under keys of its own when workers share it)
        opened, active = await open_account_bots(
            services, base_url=settings.telegram_api_url, base_file_url=settings.telegram_file_url
        )
        account_bots.update(opened)
        make_sender = functools.partial(
            OutboxSender,
            services.uow,
            services.clock,
            idle_poll=sender_poll,
            on_unreachable=reachability.recipient_unreachable,
            due_work=saathi.run_due_work,
            mark_uow=saathi.loop_services.uow if saathi.loop_services else None,
        )
        for account_id, bot in account_bots.items():
            await _set_commands(bot)
            account_limiter = _account_limiter(limits, settings.rate_limit_redis_url, account_id)
            account_limiters.append(account_limiter)
            saathi.account_senders.append(make_sender(bot, limiter=account_limiter, account=account_id))
        whatsapp = WhatsAppSender(
            services.uow,
            services.clock,
            session_factory=whatsapp_session,
            limits=whatsapp_limits,
            limiter_factory=whatsapp_limiter_factory(settings.rate_limit_redis_url),
        )
        saathi.sender = make_sender(application.bot, limiter=limiter, whatsapp=whatsapp, others=active)
        saathi.sender.start()
        for sender in saathi.account_senders:
            sender.start()
        if with_updater:  # the process that receives updates handles them, and retries what failed
            saathi.inbox = Inbox(application, services, on_given_up=lambda update: apologise(saathi, update))
            saathi.inbox.bots.update(account_bots)
            saathi.inbox.start()
            saathi.whatsapp = WhatsAppInbox(services, saathi.call, saathi.kick, due_work=saathi.run_due_work)
            saathi.whatsapp.start()
        if with_web and settings.web_listen is not None:  # reads in threads, changes through the same services
            nonlocal web
            routes = saathi.whatsapp.routes() if saathi.whatsapp is not None else []
            web = WebServer(
                build_web_app(
                    services,
                    settings,
                    services.clock,
                    on_change=saathi.kick,
                    extra_routes=routes,
                    members_waiting=saathi.members_waiting,
                ),
                settings.web_listen,
            )
            await web.start()
        settle_heap()
        log.info("Saathi started as @%s", services.bot_username)

    async def post_stop(application: Application) -> None:
        """Stop sending while the bot's HTTP client is still open: a call cut off by shutdown would
        cost its row an attempt (our loops call this after stop())."""
        if saathi.inbox is not None:
            await saathi.inbox.stop()
        if saathi.whatsapp is not None:
            await saathi.whatsapp.stop()
        if saathi.sender is not None:
            await saathi.sender.stop()
        for sender in saathi.account_senders:
            await sender.stop()

    async def post_shutdown(application: Application) -> None:
        if web is not None:
            await web.stop()
        if saathi.sender is not None:
            await saathi.sender.stop()  # already stopped by post_stop unless start failed half-way
        if limiter is not None:
            await limiter.aclose()
        for sender in saathi.account_senders:
            await sender.stop()  # already stopped by post_stop unless start failed half-way
        for account_limiter in account_limiters:
            await account_limiter.aclose()
        for bot in account_bots.values():
            await bot.shutdown()
        if saathi.sender is not None and saathi.sender.whatsapp is not None:
            await saathi.sender.whatsapp.aclose()
        engine.dispose()
        if loop_engine is not None:
            await loop_engine.dispose()
        gc.unfreeze()  # what settle_heap kept aside is the collector's again (tests start many bots in one process)

    application = (
        (ApplicationBuilder() if with_updater else ApplicationBuilder().updater(None))
        .token(settings.telegram_bot_token)
        .base_url(settings.telegram_api_url)
        .base_file_url(settings.telegram_file_url)
        .context_types(ContextTypes(context=SaathiContext))
        # aiohttp rather than httpx under python-telegram-bot (bot/http.py: less CPU a call).
        # 32 calls at once: the sender's 8 call slots and polling's 8 lanes, with room.
        .request(AiohttpRequest(connection_pool_size=32))
        .get_updates_request(AiohttpRequest(connection_pool_size=2))
        # No AIORateLimiter: the outbox sender's own limiter (bot/delivery/limiter/) holds the
        # overall, per-chat and group limits with priority lanes; a second limiter in series
        # would only add waits (see docs/architecture.md, "Rate limit").
        .post_init(post_init)
        .post_stop(post_stop)
        .post_shutdown(post_shutdown)
        .build()
    )
    application.bot_data["saathi"] = saathi
    add_handlers(application)
    if with_jobs:
        add_jobs(application, due_scan_seconds=settings.due_scan_seconds)
    return application


def settle_heap() -> None:
    """Set what start-up built aside from the garbage collector, once it is all built.

    The rules, the risk model (hundreds of thousands of terms), the modules and the console's templates live as
    long as the process. Left in the collector's oldest generation, every full collection walks all of
    them again while members wait: measured quiet, a reply cost about 15 % more CPU than before they were
    loaded at start (docs/performance.md, "Telegram not slower"). ``gc.freeze`` moves them out of its
    passes; what was already garbage is collected first.
    """
    gc.collect()
    gc.freeze()


def clock_from_settings(settings: Settings) -> Clock:
    """The system clock, or (tests only; config refuses it in production) a shifted, sped-up one."""
    if settings.clock_start is None:
        return SystemClock()
    return OffsetClock(settings.clock_start, speed=settings.clock_speed, anchor=settings.clock_anchor)


def _account_limiter(limits: Limits, redis_url: str | None, account_id: int) -> RateLimiter:
    """A centre's own bot's limiter: the same limits as the .env bot's, counted apart."""
    if redis_url is None:
        return memory_limiter(limits)
    return redis_limiter(redis_url, limits, prefix=f"saathi:rl:tg:{account_id}")


async def _set_commands(bot: Bot) -> None:
    try:
        for lang in LANGUAGES:
            commands = [BotCommand(name, t(lang, f"cmd-{name}")) for name in COMMANDS]
            await bot.set_my_commands(commands, language_code=None if lang == "en" else lang)
    except TelegramError as exc:  # the menu of commands is a nicety; never stop the start for it
        log.warning("could not set the command menu: %s", type(exc).__name__)


@asynccontextmanager
async def running(application: Application, *, poll_timeout: int = 1) -> AsyncIterator[Saathi]:
    """Run the application with long polling inside an ``async with`` (tests and the sandbox).

    Mirrors ``bot.polling.serve_polling`` (what ``saathi run`` uses): each update is handled before
    getUpdates confirms it.
    """
    await application.initialize()
    if application.post_init is not None:
        await application.post_init(application)
    try:
        await application.start()
        stop = asyncio.Event()
        poller = asyncio.create_task(poll_all(application, stop, timeout=poll_timeout), name="poller")
        try:
            yield application.bot_data["saathi"]
        finally:
            stop.set()
            await poller
            await stop_application(application)
    finally:
        await application.shutdown()
        if application.post_shutdown is not None:
            await application.post_shutdown(application)


async def serve_dispatcher(application: Application, stop: asyncio.Event | None = None) -> None:
    """A dispatch-only worker (``saathi run --role dispatcher``): the outbox sender and the due-scan
    jobs, no polling and no webhook, until SIGTERM or SIGINT (or ``stop`` is set)."""
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    signals = (signal.SIGTERM, signal.SIGINT)
    for sig in signals:
        loop.add_signal_handler(sig, stop.set)
    try:
        await application.initialize()
        if application.post_init is not None:
            await application.post_init(application)
        try:
            await application.start()  # starts the JobQueue: the due scan and housekeeping
            log.info("dispatcher worker running (pid %s)", os.getpid())
            try:
                await stop.wait()
            finally:
                log.info("dispatcher worker stopping (pid %s)", os.getpid())
                await stop_application(application)
        finally:
            await application.shutdown()
            if application.post_shutdown is not None:
                await application.post_shutdown(application)
    finally:
        for sig in signals:
            loop.remove_signal_handler(sig)


async def serve_console(settings: Settings, stop: asyncio.Event | None = None) -> None:
    """``saathi run --role web``: the console (and WhatsApp's webhook) alone, no polling and no sending
    (the messages its actions write wait in the outbox for the workers that send), until SIGTERM or SIGINT."""
    if settings.web_listen is None:
        raise ValueError("WEB_LISTEN is off: there is no console to serve")
    crypto.configure(settings.encryption_keys)
    engine = make_engine(settings.database_url)
    clock = clock_from_settings(settings)
    services = ServiceContext(
        uow=SessionFactory(engine),
        clock=clock,
        default_timezone=settings.default_timezone,
        reminder_delay_minutes=settings.reminder_delay_minutes,
        web_base_url=settings.web_base_url,
    )
    if settings.bot_username:
        services.bot_username = settings.bot_username
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    signals = (signal.SIGTERM, signal.SIGINT)
    for sig in signals:
        loop.add_signal_handler(sig, stop.set)
    # WhatsApp's webhook is on the console's server: this worker stores and handles its events too
    # (their answers wait in the outbox for the workers that send)
    updates.install()
    whatsapp = WhatsAppInbox(services, Saathi(services=services).call, lambda: None)
    web = WebServer(build_web_app(services, settings, clock, extra_routes=whatsapp.routes()), settings.web_listen)
    try:
        if await web.start():
            whatsapp.start()
            log.info("console worker running (pid %s)", os.getpid())
            await stop.wait()
    finally:
        await whatsapp.stop()
        await web.stop()
        for sig in signals:
            loop.remove_signal_handler(sig)
        engine.dispose()
