"""``saathi sandbox``: the whole bot, offline, playing one scripted day.

It starts the local Bot API emulator on 127.0.0.1, runs the real Application against
it with a clock that jumps through the day, seeds a demo centre with fake people, and
prints what each of them would see on their phone.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.app import build_application, running
from bot.clock import FakeClock, SystemClock
from bot.config import parse_settings
from bot.i18n import t
from bot.runtime import Saathi
from bot.sandbox.emulator import BotApiEmulator
from bot.sandbox.phones import Phones, wait_until
from bot.services import admin
from storage import crypto
from storage import repositories as repo
from storage.migrate import upgrade

TOKEN = "1000000001:SANDBOX-demo-token-not-a-real-one"
CENTRE = "Asha Nasha Mukti Kendra (demo)"
TZ = "Asia/Kolkata"
COUNSELLOR = (9001, "Meera")
RAVI, SUNITA, PRAKASH = 1001, 1002, 1003
NAMES = {RAVI: "Ravi (member, English)", SUNITA: "Sunita (member, हिन्दी)", PRAKASH: "Prakash (member, मराठी)",
         COUNSELLOR[0]: "Meera (counsellor)"}


class Transcript:
    """Prints each phone's new messages, with their buttons, as the day goes on."""

    def __init__(self, emu: BotApiEmulator, clock: FakeClock, out: Callable[[str], None], quiet: bool) -> None:
        self.emu, self.clock, self.out, self.quiet = emu, clock, out, quiet
        self._shown: dict[int, int] = {}
        self.received = 0

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
        for chat_id in NAMES:
            messages = self.emu.messages(chat_id)
            for message in messages[self._shown.get(chat_id, 0):]:
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


async def play_demo_day(*, quiet: bool = False, out: Callable[[str], None] = print) -> int:
    today = SystemClock().now().astimezone(ZoneInfo(TZ)).date()
    clock = FakeClock(datetime.combine(today, time(7, 30), ZoneInfo(TZ)).astimezone(UTC))
    with tempfile.TemporaryDirectory(prefix="saathi-sandbox-") as folder:
        database_url = f"sqlite:///{Path(folder) / 'sandbox.db'}"
        async with BotApiEmulator(token=TOKEN) as emu:
            settings = parse_settings({"TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_URL": emu.base_url,
                                       "DATABASE_URL": database_url, "DEFAULT_TIMEZONE": TZ,
                                       # a throwaway key: the demo's texts are encrypted like a centre's
                                       "SAATHI_ENCRYPTION_KEYS": crypto.generate_key()})
            upgrade(database_url)
            application = build_application(settings, clock=clock, with_jobs=False, sender_poll=0.05,
                                            overall_rate=1000)  # the emulator enforces no limits; the day jumps
            transcript = Transcript(emu, clock, out, quiet)
            phones = Phones(emu, on_event=transcript.user_action)
            out(f"Saathi sandbox: a demo day at {CENTRE}, offline (Bot API emulator on {emu.base_url}).")
            async with running(application) as saathi:
                await _script(saathi, phones, transcript, clock)
            transcript.flush()
            out(f"\nDemo day over: {transcript.received} messages delivered to 4 phones. "
                "Nothing left this machine. Put a real token in .env to run for real.")
    return 0


async def _settle(saathi: Saathi, clock: FakeClock) -> None:
    saathi.run_due_work()
    await wait_until(lambda: _outbox_idle(saathi, clock), timeout=10, stable=3)


def _outbox_idle(saathi: Saathi, clock: FakeClock) -> bool:
    with saathi.services.uow() as session:
        return repo.outbox_due_count(session, clock.now()) == 0


async def _at(saathi: Saathi, clock: FakeClock, transcript: Transcript, hh: int, mm: int, what: str) -> None:
    local = clock.now().astimezone(ZoneInfo(TZ))
    target = local.replace(hour=hh, minute=mm, second=0, microsecond=0)
    if target <= local:
        target += timedelta(days=1)
    clock.set(target.astimezone(UTC))
    transcript.heading(what)
    await _settle(saathi, clock)


async def _join(phones: Phones, saathi: Saathi, user_id: int, name: str, lang: str, code: str,
                when: str) -> None:
    phones.add(user_id, name, language_code=lang)
    phones.send(user_id, f"/start {code}")
    await phones.press(user_id, t(lang, f"lang-name-{lang}"))
    await phones.press(user_id, t(lang, "btn-consent-yes"))
    await phones.press(user_id, t(lang, f"btn-time-{when}"))
    await phones.expect(user_id, "01/10/2026")  # the recovery-date question shows an example date
    phones.send(user_id, "01/09/2026")
    await phones.expect(user_id, lambda text: "🆘" in text or "/craving" in text)


async def _script(saathi: Saathi, phones: Phones, transcript: Transcript, clock: FakeClock) -> None:
    ctx = saathi.services
    transcript.heading("The centre sets up (admin commands)")
    admin.add_center(ctx, CENTRE, TZ)
    phones.add(COUNSELLOR[0], COUNSELLOR[1])
    admin.add_counsellor(ctx, CENTRE, "Counsellor Meera", telegram_id=COUNSELLOR[0])
    admin.add_circle(ctx, CENTRE, "Evening Circle", kind="self_help")
    codes = [i.code for i in admin.create_invites(ctx, CENTRE, circle_name="Evening Circle", count=3)]

    transcript.heading("Three members join with their invite links")
    await _join(phones, saathi, RAVI, "Ravi", "en", codes[0], "evening")
    await _join(phones, saathi, SUNITA, "Sunita", "hi", codes[1], "evening")
    await _join(phones, saathi, PRAKASH, "Prakash", "mr", codes[2], "evening")
    await _settle(saathi, clock)

    transcript.heading("Ravi marks evenings as a high-risk time")
    phones.send(RAVI, "/settings")
    await phones.press(RAVI, "High-risk times")
    await phones.press(RAVI, "Evenings")
    await phones.press(RAVI, "Done")
    await _settle(saathi, clock)

    await _at(saathi, clock, transcript, 18, 31, "A craving check at Ravi's high-risk time")
    await phones.press(RAVI, "7")
    await phones.press(RAVI, "Ask someone to reach out")
    await phones.expect(COUNSELLOR[0], "reach out")

    await _at(saathi, clock, transcript, 20, 0, "Daily check-ins go out")
    await phones.press(RAVI, "4 🙂")
    # The check-in's craving question first: until it arrives, the newest keyboard with a "6" is the toolkit's
    # from 18:31 (the mood keyboard's edit lands a moment before the next question).
    await phones.expect(RAVI, "How strong is any craving today")
    await phones.press(RAVI, "6")
    await phones.press(RAVI, "Stress")
    await phones.press(RAVI, "Done")
    await phones.press(RAVI, "No")
    await phones.press(RAVI, "Skip")
    await phones.expect(RAVI, "Thank you for checking in")

    for answer in ("2", "8", "तनाव", "हाँ", "भाई से झगड़ा हुआ"):  # Sunita types her answers
        phones.send(SUNITA, answer)
        await _settle(saathi, clock)
    await phones.expect(SUNITA, t("hi", "checkin-thanks"))

    transcript.heading("Meera sees Sunita's alert, acknowledges it and follows up")
    await phones.expect(COUNSELLOR[0], "Concern")
    await phones.press(COUNSELLOR[0], "Acknowledge")
    await phones.expect(SUNITA, t("hi", "safety-acknowledged"))
    phones.send(COUNSELLOR[0], "/resolve 1 Called Sunita; she is safe at home, session booked for tomorrow")
    await phones.expect(COUNSELLOR[0], "resolved")

    await _at(saathi, clock, transcript, 22, 1, "Prakash hasn't answered: one gentle reminder")
    await _at(saathi, clock, transcript, 0, 1, "Midnight: Prakash's check-in closes as missed (no nagging)")
