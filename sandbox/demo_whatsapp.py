"""The demo day's WhatsApp side (``saathi sandbox --channel whatsapp|both``), offline.

The demo centre gets a WhatsApp number on the local Cloud API emulator (:mod:`sandbox.whatsapp`);
pywa_async reaches it through the emulator transport, and the emulator posts its signed webhooks to
the bot's ``/whatsapp/{account}`` on a loopback port. Kavita, a fake member on WhatsApp, joins with
her invite code (``START CODE``, as a wa.me link would type it), taps through consent and her
check-in time, then answers the evening check-in by tapping a list row and typing the rest.

The emulator runs on the demo's FakeClock, so its pair rate (one message per 6 s to a person) is
off, and the bot's WhatsApp pacing is scaled down to match (as in tests/e2e/test_whatsapp_member.py).
"""

from __future__ import annotations

import socket
from collections.abc import Callable
from typing import TYPE_CHECKING

from bot.delivery.whatsapp import WHATSAPP_LIMITS
from bot.domain import channels
from bot.i18n import t
from bot.runtime import Saathi
from bot.services import channels as channel_admin
from bot.web.app import build_web_app
from bot.web.serve import WebServer
from sandbox.whatsapp import CloudApiEmulator, WhatsAppPhones
from sandbox.whatsapp.transport import emulator_session
from storage import inbox
from storage.channels.tables import Channel

if TYPE_CHECKING:
    import httpx

    from bot.config import Settings
    from bot.delivery.limiter import Limits
    from sandbox.demo import Day

PHONE_ID = "106540352240001"
DISPLAY = "15550100200"
TOKEN = "EAAsandboxdemotoken"  # the emulator's; Meta never sees it
APP_SECRET = "sandbox-demo-app-secret"
VERIFY_TOKEN = "sandbox-demo-verify"
ACCOUNT = "demo-whatsapp"
KAVITA = "919800000011"
NAME = "Kavita (member on WhatsApp, English)"
# the demo's clock jumps, the emulator's pair rate is off: the bot's 6.05 s per person scaled to match
LIMITS: Limits = WHATSAPP_LIMITS.scaled(100)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class WhatsAppSide:
    """The emulator, the webhook's web server, Kavita's phone and her part of the transcript."""

    def __init__(self, emu: CloudApiEmulator, out: Callable[[str], None], quiet: bool) -> None:
        self.emu, self.out, self.quiet = emu, out, quiet
        self.phones = WhatsAppPhones(emu)
        self.received = 0
        self._shown = 0
        self._web: WebServer | None = None
        self._listen = f"127.0.0.1:{_free_port()}"
        self._joined = False

    @staticmethod
    def emulator(clock: object) -> CloudApiEmulator:
        return CloudApiEmulator(clock=clock, pair_interval=None, webhook_retry_delay=0.01)  # type: ignore[arg-type]

    def session_factory(self) -> Callable[[], httpx.AsyncClient]:
        url = self.emu.url
        return lambda: emulator_session(url)

    async def start(self, saathi: Saathi, settings: Settings, centre: str) -> None:
        """The centre's WhatsApp number (in the database and on the emulator) and its webhook served."""
        assert saathi.whatsapp is not None, "the WhatsApp inbox starts with the bot"
        ctx = saathi.services
        channel_admin.add_account(
            ctx,
            Channel.WHATSAPP,
            centre,
            name=ACCOUNT,
            token=TOKEN,
            phone_id=PHONE_ID,
            app_secret=APP_SECRET,
            verify_token=VERIFY_TOKEN,
        )
        app = build_web_app(ctx, settings, ctx.clock, on_change=saathi.kick, extra_routes=saathi.whatsapp.routes())
        self._web = WebServer(app, self._listen)
        if not await self._web.start():
            raise RuntimeError(f"the WhatsApp webhook could not listen on {self._listen}")
        webhook = f"http://{self._listen}/whatsapp/{ACCOUNT}"
        self.emu.add_number(PHONE_ID, DISPLAY, token=TOKEN, app_secret=APP_SECRET, webhook_url=webhook)

    async def stop(self) -> None:
        if self._web is not None:
            await self._web.stop()
            self._web = None

    def flush(self) -> None:
        messages = self.emu.messages(KAVITA) if self._joined else []
        for message in messages[self._shown :]:
            if message.kind == "reaction":
                continue
            self.received += 1
            if self.quiet:
                continue
            self.out(f"  📱 {NAME} sees on WhatsApp:")
            for line in (message.text or "").splitlines():
                self.out(f"     │ {line}")
            choices = [title for _, title in message.choices()]
            if choices:
                shape = "list" if message.rows else "buttons"
                self.out(f"     │ ({shape}) " + " ".join(f"[{c}]" for c in choices))
        self._shown = len(messages)

    def _said(self, text: str) -> None:
        self.flush()
        if not self.quiet:
            self.out(f"  📱 {NAME} → {text}")

    async def send(self, day: Day, text: str) -> None:
        async with day.step(f"{NAME} types {text!r}"):
            self._said(text)
            await self._handled(day, self.phones.send(KAVITA, text))

    async def tap(self, day: Day, title: str) -> None:
        async with day.step(f"{NAME} taps [{title}]"):
            await self._settled(day)
            self._said(f"[{title}]")
            await self._handled(day, self.phones.press(KAVITA, title))

    async def expect(self, day: Day, contains: str) -> None:
        async with day.step(f"{NAME} receives {contains!r}"):
            await self.phones.expect(KAVITA, contains, timeout=day.deadline)

    async def _handled(self, day: Day, wamid: str) -> None:
        update_id = channels.event_update_id(wamid)
        await self.emu.settle(timeout=day.deadline)
        await day.settled(lambda session: inbox.update_handled(session, update_id))
        await self._settled(day)

    async def _settled(self, day: Day) -> None:
        await self.emu.settle(timeout=day.deadline)  # the statuses of what went, posted back
        await day.settled()

    async def join(self, day: Day, code: str) -> None:
        """Kavita opens the centre's wa.me link: WhatsApp types ``START CODE`` for her."""
        self.phones.add(KAVITA, "Kavita")
        self._joined = True
        await self.send(day, f"START {code}")
        await self.expect(day, "Which language")
        for title in ("English", t("en", "btn-consent-yes"), t("en", "btn-time-evening"), t("en", "btn-skip")):
            await self.tap(day, title)
        await self.expect(day, "All set")

    async def checkin(self, day: Day) -> None:
        """The evening check-in inside her 24-hour window: a list to tap, then typed answers."""
        await self.expect(day, "How is your mood")
        await self.tap(day, "4 🙂")
        await self.expect(day, "How strong is any craving today")
        for answer in ("3", "1", "Done"):  # a numbered list (more than 10 choices) answered by typing
            await self.send(day, answer)
        await self.tap(day, "No")
        await self.tap(day, "Skip")
        await self.expect(day, "Thank you for checking in")
