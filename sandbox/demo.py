"""``saathi sandbox``: the whole bot, offline, playing one scripted day.

It starts the local Bot API emulator on 127.0.0.1, runs the real Application against
it with a clock that jumps through the day, seeds a demo centre with fake people, and
prints what each of them would see on their phone.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import tempfile
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlmodel import Session

from bot.app import build_application, running
from bot.clock import FakeClock, SystemClock
from bot.config import Settings, parse_settings
from bot.i18n import t
from bot.runtime import Saathi
from bot.services import admin
from bot.services import console as console_service
from bot.web.app import build_web_app
from bot.web.serve import WebServer
from sandbox.demo_whatsapp import LIMITS as WA_LIMITS
from sandbox.demo_whatsapp import WhatsAppSide
from sandbox.emulator import BotApiEmulator
from sandbox.phones import Match, Phones, wait_until
from storage import crypto, inbox
from storage.db import make_engine
from storage.keys import check as key_check
from storage.migrate import upgrade
from storage.outbox import queries as outbox_db

TOKEN = "1000000001:SANDBOX-demo-token-not-a-real-one"
CENTRE = "Asha Nasha Mukti Kendra (demo)"
TZ = "Asia/Kolkata"
CHANNELS = ("telegram", "whatsapp", "both")
COUNSELLOR = (9001, "Meera")
CONSOLE_ADMIN = "Director Asha (demo)"
RAVI, SUNITA, PRAKASH = 1001, 1002, 1003
# A step waits at most this long for the bot: only a stuck bot reaches it (a busy machine takes seconds).
STEP_DEADLINE = 120.0
NAMES = {
    RAVI: "Ravi (member, English)",
    SUNITA: "Sunita (member, हिन्दी)",
    PRAKASH: "Prakash (member, मराठी)",
    COUNSELLOR[0]: "Meera (counsellor)",
}


class Transcript:
    """Prints each phone's new messages, with their buttons, as the day goes on."""

    def __init__(self, emu: BotApiEmulator, clock: FakeClock, out: Callable[[str], None], quiet: bool) -> None:
        self.emu, self.clock, self.out, self.quiet = emu, clock, out, quiet
        self._shown: dict[int, int] = {}
        self.received = 0
        self.whatsapp: WhatsAppSide | None = None  # Kavita's phone, when the day plays WhatsApp too

    def user_action(self, chat_id: int, _direction: str, text: str) -> None:
        self.flush()
        if not self.quiet:
            self.out(f"  📱 {NAMES.get(chat_id, chat_id)} → {text}")

    def heading(self, text: str) -> None:
        self.flush()
        if not self.quiet:
            local = self.clock.now().astimezone(ZoneInfo(TZ)).strftime("%H:%M")
            self.out(f"\n── {local} · {text}")

    def flush(self) -> None:
        if self.whatsapp is not None:
            self.whatsapp.flush()
        for chat_id in NAMES:
            messages = self.emu.messages(chat_id)
            for message in messages[self._shown.get(chat_id, 0) :]:
                self.received += 1
                if self.quiet:
                    continue
                self.out(f"  📱 {NAMES[chat_id]} sees:")
                for line in (message.text or "").splitlines():
                    self.out(f"     │ {line}")
                buttons = [label for label, _ in message.buttons()]
                if buttons:
                    self.out("     │ " + " ".join(f"[{b}]" for b in buttons))
            self._shown[chat_id] = len(messages)


class DemoStuck(RuntimeError):
    """A step of the day waited past its deadline: the bot is truly stuck, not merely slow."""


async def play_demo_day(
    *,
    quiet: bool = False,
    out: Callable[[str], None] = print,
    deadline: float = STEP_DEADLINE,
    console: bool = False,
    console_open: Callable[[str], Awaitable[None]] | None = None,
    channel: str = "telegram",
) -> int:
    """Play the day. With ``console``, the web console of the demo centre is then served on
    WEB_LISTEN (127.0.0.1:8080) and a sign-in link printed; it stays open until Ctrl-C, or until
    ``console_open(link)`` returns (tests). ``channel``: the members on Telegram (the default), a
    member on WhatsApp (the WhatsApp Cloud API emulator; staff stay on Telegram), or both."""
    if channel not in CHANNELS:
        raise ValueError(f"channel is one of {', '.join(CHANNELS)}")
    today = SystemClock().now().astimezone(ZoneInfo(TZ)).date()
    clock = FakeClock(datetime.combine(today, time(7, 30), ZoneInfo(TZ)).astimezone(UTC))
    with tempfile.TemporaryDirectory(prefix="saathi-sandbox-") as folder:
        database_url = f"sqlite:///{Path(folder) / 'sandbox.db'}"
        wa_emulator = WhatsAppSide.emulator(clock) if channel != "telegram" else contextlib.nullcontext(None)
        async with BotApiEmulator(token=TOKEN) as emu, wa_emulator as wa_emu:
            wa = WhatsAppSide(wa_emu, out, quiet) if wa_emu is not None else None
            settings = parse_settings(
                {
                    "TELEGRAM_BOT_TOKEN": TOKEN,
                    "TELEGRAM_API_URL": emu.base_url,
                    "DATABASE_URL": database_url,
                    "DEFAULT_TIMEZONE": TZ,
                    # a throwaway key: the demo's texts are encrypted like a centre's
                    "SAATHI_ENCRYPTION_KEYS": crypto.generate_key(),
                    # where the demo's console listens and its links point (the defaults: 127.0.0.1:8080)
                    **{name: os.environ[name] for name in ("WEB_LISTEN", "WEB_BASE_URL") if name in os.environ},
                }
            )
            upgrade(database_url)
            crypto.configure(settings.encryption_keys)
            engine = make_engine(database_url, single_use=True)
            key_check.check_at_start(engine)  # a fresh database: writes the throwaway key's canary
            engine.dispose()
            application = build_application(
                settings,
                clock=clock,
                with_jobs=False,
                sender_poll=0.05,
                overall_rate=1000,  # the emulator enforces no limits; the day jumps
                whatsapp_session=wa.session_factory() if wa is not None else None,
                whatsapp_limits=WA_LIMITS,
            )
            transcript = Transcript(emu, clock, out, quiet)
            transcript.whatsapp = wa
            phones = Phones(emu, on_event=transcript.user_action)
            out(f"Saathi sandbox: a demo day at {CENTRE}, offline (Bot API emulator on {emu.base_url}).")
            if wa is not None:
                out(f"WhatsApp: the Cloud API emulator on {wa.emu.url} (pywa reaches it; Meta never does).")
            async with running(application) as saathi:
                try:
                    await _script(Day(saathi, phones, transcript, clock, deadline), wa, settings, channel)
                    if console:
                        transcript.flush()
                        await _open_console(saathi, settings, clock, out, console_open)
                finally:
                    if wa is not None:
                        await wa.stop()
            transcript.flush()
            telegram_phones = 4 if channel != "whatsapp" else 1
            wa_note = f" and {wa.received} to 1 WhatsApp phone" if wa is not None else ""
            out(
                f"\nDemo day over: {transcript.received} messages delivered to {telegram_phones} Telegram "
                f"phone{'s' if telegram_phones > 1 else ''}{wa_note}. "
                "Nothing left this machine. Put a real token in .env to run for real."
            )
    return 0


async def _open_console(
    saathi: Saathi,
    settings: Settings,
    clock: FakeClock,
    out: Callable[[str], None],
    console_open: Callable[[str], Awaitable[None]] | None,
) -> None:
    """The demo centre's console in the same loop as the bot (acknowledging there reaches the phones)."""
    if settings.web_listen is None:
        return
    ctx = saathi.services
    admin.add_counsellor(ctx, CENTRE, CONSOLE_ADMIN, role="admin")
    web = WebServer(build_web_app(ctx, settings, clock, on_change=saathi.kick), settings.web_listen)
    if not await web.start():
        out(f"\nThe console could not listen on {settings.web_listen} (is the port taken? set WEB_LISTEN).")
        return
    try:
        link = console_service.link_for(ctx, CONSOLE_ADMIN)
        out(f"\nThe demo centre's web console is open. Sign in as its director (works once):\n  {link}")
        if console_open is not None:
            await console_open(link)
        else:
            out("Press Ctrl-C to close it.")
            await asyncio.Event().wait()
    finally:
        await web.stop()


class Day:
    """The day's steps, each driven by events: a press waits for the message that shows its
    button, and every step waits for the bot's whole answer (the update handled, the outbox
    delivered) before the next, so no step acts on a screen that is about to change. Only a
    step that is truly stuck reaches ``deadline`` and stops the day with :class:`DemoStuck`."""

    def __init__(
        self, saathi: Saathi, phones: Phones, transcript: Transcript, clock: FakeClock, deadline: float
    ) -> None:
        self.saathi, self.phones, self.transcript, self.clock = saathi, phones, transcript, clock
        self.deadline = deadline
        self.steps = 0

    @contextlib.asynccontextmanager
    async def step(self, what: str) -> AsyncIterator[None]:
        self.steps += 1
        try:
            yield
        except (AssertionError, TimeoutError) as exc:
            raise DemoStuck(
                f"the demo day got stuck at step {self.steps} ({what}) after waiting up to "
                f"{self.deadline:g} s: {str(exc).splitlines()[0] if str(exc) else type(exc).__name__}"
            ) from exc

    async def send(self, user_id: int, text: str) -> None:
        async with self.step(f"{NAMES[user_id]} types {text!r}"):
            update_id = self.phones.send(user_id, text)
            await self.settled(lambda session: inbox.update_handled(session, update_id))

    async def press(self, user_id: int, label: str) -> None:
        async with self.step(f"{NAMES[user_id]} presses [{label}]"):
            await self.phones.press(user_id, label, timeout=self.deadline)  # returns once the press is answered
            await self.settled()

    async def expect(self, chat_id: int, contains: Match) -> None:
        shown = contains if isinstance(contains, str) else "the expected message"
        async with self.step(f"{NAMES[chat_id]} receives {shown!r}"):
            await self.phones.expect(chat_id, contains, timeout=self.deadline)

    async def at(self, hh: int, mm: int, what: str) -> None:
        """Jump the clock once everything in flight has gone (a lease must not run out under a
        message the sender is still delivering), then run what fell due."""
        async with self.step(f"{what} at {hh:02d}:{mm:02d}"):
            await self.settled()
            local = self.clock.now().astimezone(ZoneInfo(TZ))
            target = local.replace(hour=hh, minute=mm, second=0, microsecond=0)
            if target <= local:
                target += timedelta(days=1)
            self.clock.set(target.astimezone(UTC))
            self.transcript.heading(what)
            self.saathi.run_due_work()
            await self.settled()

    async def settle(self, what: str) -> None:
        async with self.step(what):
            self.saathi.run_due_work()
            await self.settled()

    async def settled(self, handled: Callable[[Session], bool] | None = None) -> None:
        """The bot's answer is complete: the update (if any) is handled and nothing due is left to send."""

        def idle() -> bool:
            with self.saathi.services.uow() as session:
                return (handled is None or handled(session)) and outbox_db.outbox_due_count(
                    session, self.clock.now()
                ) == 0

        await wait_until(idle, timeout=self.deadline, stable=2)


async def _join(day: Day, user_id: int, name: str, lang: str, code: str, when: str) -> None:
    day.phones.add(user_id, name, language_code=lang)
    await day.send(user_id, f"/start {code}")
    await day.press(user_id, t(lang, f"lang-name-{lang}"))
    await day.press(user_id, t(lang, "btn-consent-yes"))
    await day.press(user_id, t(lang, f"btn-time-{when}"))
    await day.expect(user_id, "01/10/2026")  # the recovery-date question shows an example date
    await day.send(user_id, "01/09/2026")
    await day.expect(user_id, lambda text: "🆘" in text or "/craving" in text)


async def _script(day: Day, wa: WhatsAppSide | None, settings: Settings, channel: str) -> None:
    ctx = day.saathi.services
    day.transcript.heading("The centre sets up (admin commands)")
    admin.add_center(ctx, CENTRE, TZ)
    day.phones.add(COUNSELLOR[0], COUNSELLOR[1])
    admin.add_counsellor(ctx, CENTRE, "Counsellor Meera", telegram_id=COUNSELLOR[0])
    admin.add_circle(ctx, CENTRE, "Evening Circle", kind="self_help")
    codes = [i.code for i in admin.create_invites(ctx, CENTRE, circle_name="Evening Circle", count=4)]
    if wa is not None:
        await wa.start(day.saathi, settings, CENTRE)
        day.transcript.heading("Kavita joins on WhatsApp with her invite link (wa.me)")
        await wa.join(day, codes[3])
    if channel == "whatsapp":
        await day.at(20, 0, "The daily check-in goes out on WhatsApp")
        await wa.checkin(day)  # type: ignore[union-attr]
        return

    day.transcript.heading("Three members join with their invite links")
    await _join(day, RAVI, "Ravi", "en", codes[0], "evening")
    await _join(day, SUNITA, "Sunita", "hi", codes[1], "evening")
    await _join(day, PRAKASH, "Prakash", "mr", codes[2], "evening")
    await day.settle("the circle welcomes its members")

    day.transcript.heading("Ravi marks evenings as a high-risk time")
    await day.send(RAVI, "/settings")
    await day.press(RAVI, "High-risk times")
    await day.press(RAVI, "Evenings")
    await day.press(RAVI, "Done")

    await day.at(18, 31, "A craving check at Ravi's high-risk time")
    await day.press(RAVI, "7")
    await day.press(RAVI, "Ask someone to reach out")
    await day.expect(COUNSELLOR[0], "reach out")

    await day.at(20, 0, "Daily check-ins go out")
    await day.press(RAVI, "4 🙂")
    # the check-in's craving question first: the toolkit's keyboard from 18:31 also has a "6"
    await day.expect(RAVI, "How strong is any craving today")
    for label in ("6", "Stress", "Done", "No", "Skip"):
        await day.press(RAVI, label)
    await day.expect(RAVI, "Thank you for checking in")
    if wa is not None:
        await wa.checkin(day)

    for answer in ("2", "8", "तनाव", "हाँ", "भाई से झगड़ा हुआ"):  # Sunita types her answers
        await day.send(SUNITA, answer)
    await day.expect(SUNITA, t("hi", "checkin-thanks"))

    day.transcript.heading("Meera sees Sunita's alert, acknowledges it and follows up")
    await day.expect(COUNSELLOR[0], "Concern")
    await day.press(COUNSELLOR[0], "Acknowledge")
    await day.expect(SUNITA, t("hi", "safety-acknowledged"))
    await day.send(COUNSELLOR[0], "/resolve 1 Called Sunita; she is safe at home, session booked for tomorrow")
    await day.expect(COUNSELLOR[0], "resolved")

    await day.at(22, 1, "Prakash hasn't answered: one gentle reminder")
    await day.at(0, 1, "Midnight: Prakash's check-in closes as missed (no nagging)")
