"""A WhatsApp member end to end, over BOTH emulators with the real app.

The bot is the real Application (Telegram side: the Bot API emulator) with the console's Starlette
app serving WhatsApp's webhook; WhatsApp's side is the Cloud API emulator, reached by pywa_async
through the emulator transport and posting signed webhooks back. Nothing of pywa is mocked. The
emulator's pair rate (one message per 6 s to a person) is off in the flow tests, where the clock is
a FakeClock that only moves when a test moves it; the bot's own pacing is scaled down to match.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from datetime import timedelta

import httpx
import pytest
from sqlmodel import select

from bot.app import build_application, running, serve_console
from bot.clock import FakeClock
from bot.config import parse_settings
from bot.delivery.whatsapp import WHATSAPP_LIMITS
from bot.domain import channels
from bot.domain.whatsapp import templates
from bot.i18n import t
from bot.runtime import Saathi
from bot.services import admin
from bot.services import channels as channel_admin
from bot.services.context import ServiceContext
from bot.services.outbox import enqueue
from bot.web.app import build_web_app
from bot.web.serve import WebServer
from sandbox.emulator import BotApiEmulator
from sandbox.phones import wait_until
from sandbox.whatsapp import SIGNATURE_HEADER, CloudApiEmulator, WhatsAppPhones, sign
from sandbox.whatsapp.transport import emulator_session
from storage import crypto, inbox
from storage.channels.tables import Channel, WhatsAppContact
from storage.checkins.tables import Checkin
from storage.migrate import upgrade
from storage.outbox import queries as outbox_db
from storage.outbox.tables import OutboxMessage
from storage.people.tables import ConsentRecord, Member, Staff
from tests.e2e.conftest import COUNSELLOR_ID, EVENING_DUE, Harness, break_typed_text_on, free_port
from tests.e2e.processes import TOKEN

PHONE_ID = "106540352242922"
DISPLAY = "15550783881"
WA_TOKEN = "EAAemulatortoken"
APP_SECRET = "emulator-app-secret"
VERIFY_TOKEN = "saathi-verify"
ACCOUNT = "asha-wa"
ASHA = "919800000001"
RAVI = "919800000002"
POOJA = "919800000003"
HI_SKIP = "आगे बढ़ें"


def _add_whatsapp_account(services: ServiceContext) -> None:
    """Asha Kendra's WhatsApp number, added as `saathi channel add whatsapp` adds it."""
    channel_admin.add_account(
        services,
        Channel.WHATSAPP,
        "Asha Kendra",
        name=ACCOUNT,
        token=WA_TOKEN,
        phone_id=PHONE_ID,
        app_secret=APP_SECRET,
        verify_token=VERIFY_TOKEN,
    )


class WaHarness(Harness):
    """The Telegram harness, with WhatsApp: the emulator, the account, the webhook on the console app."""

    def __init__(self, emu: BotApiEmulator, wa: CloudApiEmulator, database_url: str, clock: FakeClock) -> None:
        super().__init__(emu, database_url, clock)
        self.wa = wa
        self.wa_phones = WhatsAppPhones(wa)
        self.base = ""
        self._web: WebServer | None = None
        self._wamids: set[int] = set()

    async def start_bot(self) -> Saathi:
        settings = parse_settings(
            {
                "TELEGRAM_BOT_TOKEN": TOKEN,
                "TELEGRAM_API_URL": self.emu.base_url,
                "DATABASE_URL": self.database_url,
                "SAATHI_ENCRYPTION_KEYS": ",".join(crypto.current_keys()),
            }
        )
        upgrade(self.database_url)
        application = build_application(
            settings,
            clock=self.clock,
            with_jobs=False,
            sender_poll=0.05,
            overall_rate=1000,
            whatsapp_session=lambda: emulator_session(self.wa.url),
            whatsapp_limits=WHATSAPP_LIMITS.scaled(100),  # 6.05 s between two messages to a person → 60 ms
        )
        self._stack = AsyncExitStack()
        self.saathi = await self._stack.enter_async_context(running(application))
        assert self.saathi.whatsapp is not None
        self.base = f"http://127.0.0.1:{free_port()}"
        app = build_web_app(
            self.services,
            parse_settings({"WEB_BASE_URL": self.base}),
            self.clock,
            on_change=self.saathi.kick,
            extra_routes=self.saathi.whatsapp.routes(),
        )
        self._web = WebServer(app, self.base.removeprefix("http://"))
        assert await self._web.start()
        return self.saathi

    async def stop_bot(self) -> None:
        if self._web is not None:
            await self._web.stop()
            self._web = None
        await super().stop_bot()

    @property
    def webhook_url(self) -> str:
        return f"{self.base}/whatsapp/{ACCOUNT}"

    def add_account(self) -> None:
        _add_whatsapp_account(self.services)
        self.wa.add_number(PHONE_ID, DISPLAY, token=WA_TOKEN, app_secret=APP_SECRET, webhook_url=self.webhook_url)

    def approve_templates(self) -> None:
        """Meta approved every template of the catalogue (``saathi whatsapp templates`` prints them)."""
        for text in templates.catalogue(t):
            self.wa.add_template(
                text.name, text.language, text.body, category=text.category, quick_replies=text.quick_replies
            )

    def wa_send(self, wa_id: str, text: str) -> str:
        wamid = self.wa_phones.send(wa_id, text)
        self._wamids.add(channels.event_update_id(wamid))
        return wamid

    async def wa_press(self, wa_id: str, title: str) -> str:
        await self.wa_settle()
        wamid = self.wa_phones.press(wa_id, title)
        self._wamids.add(channels.event_update_id(wamid))
        return wamid

    async def wa_settle(self) -> None:
        """Every webhook delivered, every WhatsApp event handled, nothing due in the outbox."""
        await self.wa.settle()

        def idle() -> bool:
            with self.services.uow() as session:
                self._wamids -= {u for u in self._wamids if inbox.update_handled(session, u)}
                return (
                    not self._wamids
                    and outbox_db.outbox_due_count(session, self.clock.now()) == 0
                    and not inbox.due(session, self.clock.now(), 1, whatsapp=True)  # a status waiting for its row
                )

        await wait_until(idle, stable=3)
        await self.wa.settle()

    def member(self, wa_id: str) -> Member:
        with self.services.uow() as session:
            members = [m for m in session.exec(select(Member)).all() if channels.is_whatsapp(m.chat_id)]
            contacts = {c.id: c for c in session.exec(select(WhatsAppContact)).all()}
            for member in members:
                contact = contacts[channels.contact_of(member.chat_id)]
                if contact.number == wa_id:
                    session.expunge(member)
                    return member
        raise AssertionError(f"no WhatsApp member for {wa_id}")

    async def wa_onboard(self, wa_id: str, name: str, *, language: str = "English") -> None:
        self.wa_phones.add(wa_id, name)
        self.wa_send(wa_id, f"START {self.invite()}")
        await self.wa_phones.expect(wa_id, "language")
        await self.wa_press(wa_id, language)
        await self.wa_phones.expect(wa_id, lambda text: True)  # consent (in their language)
        await self.wa_settle()


@pytest.fixture
async def wa_harness(database_url: str, clock: FakeClock) -> AsyncIterator[WaHarness]:
    telegram = BotApiEmulator()
    await telegram.start()
    whatsapp = CloudApiEmulator(clock=clock, pair_interval=None, webhook_retry_delay=0.01, webhook_max_attempts=3)
    await whatsapp.start()
    h = WaHarness(telegram, whatsapp, database_url, clock)
    await h.start_bot()
    try:
        h.seed_centre()
        h.add_account()
        yield h
    finally:
        await h.stop_bot()
        await whatsapp.stop()
        await telegram.stop()


async def test_a_whatsapp_member_onboards_with_start_code(wa_harness: WaHarness) -> None:
    h = wa_harness
    h.wa_phones.add(ASHA, "Asha")
    h.wa_send(ASHA, f"START {h.invite()}")
    question = await h.wa_phones.expect(ASHA, "Which language")
    assert [title for _, title in question.choices()][0] == "English"
    await h.wa_press(ASHA, "English")
    consent = await h.wa_phones.expect(ASHA, "Who sees what")
    assert "I agree" in [title for _, title in consent.choices()]
    await h.wa_press(ASHA, "I agree")
    await h.wa_phones.expect(ASHA, "What time")
    await h.wa_press(ASHA, "Evening 20:00")
    await h.wa_phones.expect(ASHA, "recovery began")
    await h.wa_press(ASHA, "Skip")
    done = await h.wa_phones.expect(ASHA, "All set")
    member = h.member(ASHA)
    assert member.status == "active" and member.checkin_time == "20:00" and member.language == "en"
    assert member.pseudonym in done.text and "Asha" not in member.pseudonym
    with h.services.uow() as session:
        consent_row = session.exec(select(ConsentRecord)).one()
        assert consent_row.accepted
        # the number is stored encrypted and found by its blind index, never in plain text
        raw = session.connection().exec_driver_sql("SELECT number, number_hash FROM whatsappcontact").one()
        assert ASHA not in raw[0] and ASHA not in raw[1]
        sent = session.exec(select(OutboxMessage).where(OutboxMessage.chat_id == member.chat_id)).all()
        assert sent and all(row.channel == "whatsapp" for row in sent)
        assert any(row.delivery_status in ("delivered", "read") for row in sent)  # statuses came back by wamid
    # nothing of hers went to Telegram
    assert h.emu.messages(member.chat_id) == []


async def _onboard(
    h: WaHarness, wa_id: str, name: str, *, language: str = "English", code: str | None = None
) -> Member:
    """A WhatsApp member joins by taps: language, consent, evening, no recovery date."""
    labels = {
        "English": ("I agree", "Evening 20:00", "Skip"),
        "हिन्दी": ("मैं सहमत हूँ", "शाम 20:00", HI_SKIP),
    }[language]
    h.wa_phones.add(wa_id, name)
    h.wa_send(wa_id, f"START {code or h.invite()}")
    await h.wa_phones.expect(wa_id, "Which language")
    for label in (language, *labels):
        await h.wa_press(wa_id, label)
    await h.wa_settle()
    member = h.member(wa_id)
    assert member.status == "active"
    return member


async def test_an_urgent_message_on_whatsapp_reaches_the_telegram_counsellor_who_acknowledges(
    wa_harness: WaHarness,
) -> None:
    h = wa_harness
    member = await _onboard(h, RAVI, "Ravi")
    h.wa_send(RAVI, "I want to kill myself tonight")
    reply = await h.wa_phones.expect(RAVI, "You are not alone")
    assert "14416" in reply.text
    alert = await h.expect(COUNSELLOR_ID, "URGENT")  # on Telegram
    assert member.pseudonym in alert.text or "Ravi" in alert.text
    await h.press(COUNSELLOR_ID, "Acknowledge")
    await h.expect(COUNSELLOR_ID, "acknowledged by Counsellor Meera")
    told = await h.wa_phones.expect(RAVI, "Your counsellor has seen your message")
    assert told.kind in ("text", "interactive")  # inside the window: a normal message
    await h.wa_press(RAVI, "Please call me")  # the button under the safety reply, tapped on WhatsApp
    await h.expect(COUNSELLOR_ID, "asks for a call now")
    # the member's number never reached Telegram
    assert not any(RAVI in text for text in h.texts(COUNSELLOR_ID))


async def _due(h: WaHarness) -> None:
    """The next 20:00 in India comes, and the due scan runs."""
    due = EVENING_DUE
    while due <= h.clock.now():
        due += timedelta(days=1)
    h.clock.set(due)
    assert h.saathi is not None
    h.saathi.run_due_work()  # after a day away the first scan closes the missed day, the next one asks
    h.saathi.run_due_work()
    await h.wa_settle()


async def test_a_check_in_inside_the_window_by_list_buttons_and_typing(wa_harness: WaHarness) -> None:
    h = wa_harness
    await _onboard(h, ASHA, "Asha")  # she wrote this morning: the window is open at 20:00
    await _due(h)
    mood = await h.wa_phones.expect(ASHA, "How is your mood")
    assert mood.kind == "interactive" and mood.interactive_type == "list" and len(mood.rows) == 5
    await h.wa_press(ASHA, "3 😐")  # a list row
    craving = await h.wa_phones.expect(ASHA, "How strong is any craving")
    assert craving.kind == "text" and "0 · 1 · 2" in craving.text  # 11 choices: typed
    h.wa_send(ASHA, "5")  # typed
    triggers = await h.wa_phones.expect(ASHA, "Did any of these make today harder")
    assert triggers.kind == "text" and "12. None today" in triggers.text  # 12 choices: numbered
    h.wa_send(ASHA, "12")  # typed by its number
    use = await h.wa_phones.expect(ASHA, "Have you used")
    assert use.interactive_type == "button" and len(use.buttons) == 3
    await h.wa_press(ASHA, "No")  # a reply button
    await h.wa_phones.expect(ASHA, "Anything else")
    await h.wa_press(ASHA, "Skip")
    await h.wa_phones.expect(ASHA, "Thank you for checking in")
    with h.services.uow() as session:
        checkin = session.exec(select(Checkin)).one()
    assert (checkin.status, checkin.mood, checkin.craving) == ("completed", 3, 5)


async def test_a_hindi_member_answers_by_typing_devanagari_digits(wa_harness: WaHarness) -> None:
    h = wa_harness
    await _onboard(h, POOJA, "Pooja", language="हिन्दी")
    await _due(h)
    mood = h.wa.messages(POOJA)[-1]
    assert len(mood.rows) == 5  # the mood list, in Hindi
    h.wa_send(POOJA, "४")  # typed, in Devanagari digits
    await h.wa_settle()
    h.wa_send(POOJA, "२")
    await h.wa_settle()
    with h.services.uow() as session:
        checkin = session.exec(select(Checkin)).one()
    assert (checkin.mood, checkin.craving) == (4, 2)


async def test_outside_the_window_the_check_in_goes_as_a_template_and_its_button_continues(
    wa_harness: WaHarness,
) -> None:
    h = wa_harness
    h.approve_templates()
    await _onboard(h, RAVI, "Ravi")
    h.clock.advance(timedelta(hours=25))  # a day and more since he last wrote
    await _due(h)
    (template,) = [m for m in h.wa.messages(RAVI) if m.kind == "template"]
    assert template.template == "saathi_checkin" and template.language == "en"
    assert h.member(RAVI).pseudonym in template.text
    assert not [m for m in h.wa.failed(RAVI)]  # nothing free-form was tried outside the window
    await h.wa_press(RAVI, template.buttons[0][1])  # "Check in now": reopens the window
    question = await h.wa_phones.expect(RAVI, "How is your mood")  # the held question, now free-form
    assert question.kind == "interactive"
    await h.wa_press(RAVI, "4 🙂")
    await h.wa_phones.expect(RAVI, "How strong is any craving")


async def test_a_template_not_approved_yet_holds_the_check_in_kindly(wa_harness: WaHarness) -> None:
    h = wa_harness  # no template approved at Meta
    await _onboard(h, ASHA, "Asha")
    h.clock.advance(timedelta(hours=25))
    await _due(h)
    assert not [m for m in h.wa.messages(ASHA) if m.kind == "template"]
    with h.services.uow() as session:
        row = session.exec(select(OutboxMessage).where(OutboxMessage.purpose == "checkin")).one()
    assert (row.status, row.delivery_status, row.last_error) == ("pending", "held", "wa_template_not_approved")
    assert h.saathi is not None and h.saathi.sender is not None and h.saathi.sender.whatsapp is not None
    assert h.saathi.sender.whatsapp.templates_missing == 1
    assert admin.status(h.services)["whatsapp"] == {"held": 1, "template_not_approved": 1}
    h.wa_send(ASHA, "hi")  # she writes: the window opens and the held question goes
    await h.wa_phones.expect(ASHA, "How is your mood")


def _counts(h: WaHarness) -> tuple[int, int, int, int]:
    with h.services.uow() as session:
        return (
            len(session.exec(select(Member)).all()),
            len(session.exec(select(WhatsAppContact)).all()),
            len(session.exec(select(OutboxMessage)).all()),
            len(session.exec(select(inbox.InboxUpdate)).all()),
        )


async def test_forged_or_unsigned_posts_get_403_and_change_nothing(wa_harness: WaHarness) -> None:
    h = wa_harness
    h.wa_phones.add(ASHA, "Asha")
    h.wa_send(ASHA, f"START {h.invite()}")  # a real, signed post: the body to forge from
    await h.wa_phones.expect(ASHA, "Which language")
    await h.wa_settle()
    before = _counts(h)
    genuine = h.wa.deliveries[0]
    assert genuine.kind == "message"
    forged_body = genuine.body.replace(ASHA.encode(), RAVI.encode())
    async with httpx.AsyncClient() as client:
        forged = await client.post(
            h.webhook_url, content=forged_body, headers={SIGNATURE_HEADER: sign("not-the-app-secret", forged_body)}
        )
        unsigned = await client.post(h.webhook_url, content=forged_body)
        stale = await client.post(h.webhook_url, content=forged_body, headers={SIGNATURE_HEADER: genuine.signature})
        unknown = await client.post(
            f"{h.base}/whatsapp/no-such-account", content=genuine.body, headers={SIGNATURE_HEADER: genuine.signature}
        )
    assert [r.status_code for r in (forged, unsigned, stale, unknown)] == [403, 403, 403, 403]
    assert _counts(h) == before
    assert h.saathi is not None and h.saathi.whatsapp is not None and h.saathi.whatsapp.refused == 4


async def test_the_same_signed_post_twice_is_handled_once(wa_harness: WaHarness) -> None:
    h = wa_harness
    h.wa_phones.add(ASHA, "Asha")
    h.wa_send(ASHA, f"START {h.invite()}")
    await h.wa_phones.expect(ASHA, "Which language")
    await h.wa_settle()
    before, shown = _counts(h), len(h.wa.messages(ASHA))
    first = h.wa.deliveries[0]
    replayed = h.wa.replay(first.seq)  # Meta redelivers the same bytes
    await h.wa_settle()
    assert replayed.delivered and replayed.attempts[-1][1] == 200
    assert _counts(h) == before and len(h.wa.messages(ASHA)) == shown  # one member, one question, one row


async def test_a_use_case_that_keeps_failing_on_a_whatsapp_message_is_given_up_and_the_member_told(
    wa_harness: WaHarness, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """The Telegram inbox's failure rule (bot/inbox.py: record_failure), on WhatsApp's loop: each failure
    counted and retried after 2, 4, 8, 16 s, the fifth gives up, the member is told, their next message goes."""
    h = wa_harness
    caplog.set_level(logging.INFO)
    await _onboard(h, ASHA, "Asha")
    break_typed_text_on(monkeypatch, "sunflower")
    first = channels.event_update_id(h.wa_phones.send(ASHA, "sunflower"))
    await wait_until(lambda: h.inbox_row(first) == ("pending", 1))
    h.clock.advance(seconds=1)  # received after it (rows of one moment go in the order of their ids' hashes)
    second = h.wa_send(ASHA, "hello again")  # waits behind the failed one: order within a chat
    await wait_until(lambda: h.inbox_row(channels.event_update_id(second)) == ("pending", 0))
    assert h.saathi is not None and h.saathi.whatsapp is not None
    for attempt in range(2, 6):  # backoff 2, 4, 8, 16 s on the bot's clock
        h.clock.advance(seconds=20)
        h.saathi.whatsapp.kick()
        expected = ("failed", 5) if attempt == 5 else ("pending", attempt)
        await wait_until(lambda expected=expected: h.inbox_row(first) == expected)
    await h.wa_phones.expect(ASHA, "something went wrong on my side")
    await h.wa_settle()
    assert h.inbox_row(channels.event_update_id(second)) == ("handled", 0)
    assert h.saathi.whatsapp.given_up == 1
    assert admin.status(h.services)["inbox"] == {"pending": 0, "failed": 1}
    assert f"update {first} given up after 5 attempts (ValueError)" in caplog.text
    assert "sunflower" not in caplog.text and ASHA not in caplog.text  # ids and kinds, never words or numbers


async def test_the_verify_handshake_answers_only_the_right_token(wa_harness: WaHarness) -> None:
    h = wa_harness
    async with httpx.AsyncClient() as client:
        good = await client.get(
            h.webhook_url, params={"hub.mode": "subscribe", "hub.verify_token": VERIFY_TOKEN, "hub.challenge": "42"}
        )
        bad = await client.get(
            h.webhook_url, params={"hub.mode": "subscribe", "hub.verify_token": "guess", "hub.challenge": "42"}
        )
    assert (good.status_code, good.text) == (200, "42")
    assert bad.status_code == 403


async def test_meta_reporting_undeliverable_marks_the_member_unreachable(wa_harness: WaHarness) -> None:
    h = wa_harness
    await _onboard(h, ASHA, "Asha")
    h.wa.set_reachable(ASHA, False)  # she left WhatsApp: Meta accepts, then reports 131026
    await _due(h)
    (failed,) = h.wa.failed(ASHA)
    assert failed.error_code == 131026
    assert h.member(ASHA).status == "unreachable"
    with h.services.uow() as session:
        row = session.exec(select(OutboxMessage).where(OutboxMessage.purpose == "checkin")).one()
    assert (row.status, row.delivery_status, row.last_error) == ("dead", "failed", "wa_131026")


async def test_a_free_form_message_meta_refuses_as_outside_the_window_goes_again_as_its_template(
    wa_harness: WaHarness,
) -> None:
    h = wa_harness
    h.approve_templates()
    await _onboard(h, RAVI, "Ravi")
    h.clock.advance(timedelta(hours=25))
    with h.services.uow() as session:  # our note of his last message is wrong (as after a lost webhook)
        for contact in session.exec(select(WhatsAppContact)).all():
            contact.last_inbound_at = h.clock.now()
        session.commit()
    await _due(h)
    await h.wa_settle()  # Meta's 131047 came back: the bot closes its window and sends the template
    kinds = [m.kind for m in h.wa.messages(RAVI)][-2:]
    assert kinds == ["interactive", "template"]
    assert h.wa.failed(RAVI)[0].error_code == 131047


async def test_metas_pair_rate_refusal_is_retried_after_the_pause_without_counting_an_attempt(
    wa_harness: WaHarness,
) -> None:
    h = wa_harness
    member = await _onboard(h, ASHA, "Asha")
    h.wa.set_limits(pair_interval=6.0)  # Meta's one message per 6 s to the same person, on the test's clock
    h.clock.advance(timedelta(seconds=10))
    with h.services.uow() as session:
        for text in ("first of two", "second of two"):
            enqueue(session, chat_id=member.chat_id, text=text, now=h.clock.now(), member_id=member.id)
        session.commit()
    assert h.saathi is not None
    h.saathi.kick()
    await h.wa_phones.expect(ASHA, "first of two")

    def second() -> OutboxMessage:
        with h.services.uow() as session:
            return session.exec(select(OutboxMessage).where(OutboxMessage.last_error == "wa_131056")).one()

    await wait_until(lambda: len(h.wa.calls) and h.wa.calls[-1].outcome == 131056)
    refused = await _eventually(second)
    assert refused.status == "pending" and refused.attempts == 0  # Meta's pacing is not our failure
    assert refused.due_at - h.clock.now() >= timedelta(seconds=6)
    h.clock.advance(timedelta(seconds=7))
    h.saathi.kick()
    await h.wa_phones.expect(ASHA, "second of two")


async def _eventually(read):  # type: ignore[no-untyped-def]
    found = []

    def ready() -> bool:
        try:
            found.append(read())
        except Exception:
            return False
        return True

    await wait_until(ready)
    return found[-1]


async def test_forget_me_on_whatsapp_erases_the_member_and_the_number_after_the_goodbye(wa_harness: WaHarness) -> None:
    h = wa_harness
    member = await _onboard(h, ASHA, "Asha")
    h.wa_send(ASHA, "/forget")
    ask = await h.wa_phones.expect(ASHA, "forget")
    (yes,) = [title for choice_id, title in ask.choices() if choice_id.startswith("prv:v1:forget")]
    await h.wa_press(ASHA, yes)
    await h.wa_settle()
    with h.services.uow() as session:
        gone = session.get(Member, member.id)
        assert gone is not None and gone.status == "left" and not channels.is_whatsapp(gone.chat_id)
        assert session.exec(select(WhatsAppContact)).all() == []  # the number went with the goodbye
    assert h.wa.messages(ASHA)[-1].delivered  # the goodbye reached her first


async def test_the_web_worker_alone_stores_and_handles_whatsapp_posts(
    database_url: str, services: ServiceContext
) -> None:
    """``saathi run --role web``: the webhook lives on the console's server; its answers wait in the
    outbox for the workers that send."""
    upgrade(database_url)
    admin.add_center(services, "Asha Kendra", "Asia/Kolkata")
    code = admin.create_invites(services, "Asha Kendra")[0].code
    _add_whatsapp_account(services)
    port = free_port()
    settings = parse_settings(
        {
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "DATABASE_URL": database_url,
            "SAATHI_ENCRYPTION_KEYS": ",".join(crypto.current_keys()),
            "WEB_LISTEN": f"127.0.0.1:{port}",
        }
    )
    stop = asyncio.Event()
    worker = asyncio.create_task(serve_console(settings, stop))
    message = {"from": ASHA, "id": "wamid.WEB1", "type": "text", "text": {"body": f"START {code}"}}
    value = {"metadata": {"phone_number_id": PHONE_ID}, "contacts": [{"wa_id": ASHA}], "messages": [message]}
    body = json.dumps({"object": "whatsapp_business_account", "entry": [{"changes": [{"value": value}]}]}).encode()
    try:
        async with httpx.AsyncClient() as client:
            url = f"http://127.0.0.1:{port}/whatsapp/{ACCOUNT}"

            async def post() -> int:
                try:
                    answer = await client.post(url, content=body, headers={SIGNATURE_HEADER: sign(APP_SECRET, body)})
                except httpx.ConnectError:
                    return 0  # not listening yet
                return answer.status_code

            status = 0
            for _ in range(200):
                status = await post()
                if status:
                    break
                await asyncio.sleep(0.05)
            assert status == 200

        def asked() -> bool:
            with services.uow() as session:
                rows = session.exec(select(OutboxMessage).where(OutboxMessage.channel == "whatsapp")).all()
                return [row.purpose for row in rows] == ["ob_language"]

        await wait_until(asked)
    finally:
        stop.set()
        await worker


async def test_the_menu_list_and_the_talk_buttons_work_on_whatsapp(wa_harness: WaHarness) -> None:
    h = wa_harness
    await _onboard(h, ASHA, "Asha")
    menu = h.wa.messages(ASHA)[-1]  # "All set", with the main menu as a list (no keyboard on WhatsApp)
    assert [title for _, title in menu.choices()] == ["🆘 Craving help", "💬 I need to talk", "⚙️ Settings", "❓ Help"]
    await h.wa_press(ASHA, "💬 I need to talk")  # a menu row answers as its label typed
    await h.wa_phones.expect(ASHA, "Who would you like to talk to?")
    await h.wa_press(ASHA, "🧑‍⚕️ My counsellor")
    await h.wa_phones.expect(ASHA, "I've asked Counsellor Meera")
    await h.expect(COUNSELLOR_ID, "would like to talk with you")  # on Telegram
    await h.press(COUNSELLOR_ID, "Start chat")
    connected = await h.wa_phones.expect(ASHA, "is here for you")
    h.wa_phones.send(ASHA, "Thank you, I am scared about tonight", reply_to=connected.id)  # a swipe-reply
    await h.expect(COUNSELLOR_ID, "scared about tonight")  # relayed to the counsellor on Telegram


async def test_a_circle_mixing_telegram_and_whatsapp_relays_both_ways_without_identities(
    wa_harness: WaHarness,
) -> None:
    h = wa_harness
    admin.add_circle(h.services, "Asha Kendra", "Evening Circle", facilitator="Counsellor Meera")
    telegram_member = 81234501
    h.emu.add_user(telegram_member, "Sunita", last_name="Deshpande", username="sunita_d")
    h.send(telegram_member, f"/start {h.invite(circle_name='Evening Circle')}")
    for label in ("English", "I agree", "Evening"):
        await h.press(telegram_member, label)
    await h.expect(telegram_member, "recovery began")
    await h.press(telegram_member, "Skip")
    await h.expect(telegram_member, "All set")
    whatsapp_member = await _onboard(h, ASHA, "Asha Verma", code=h.invite(circle_name="Evening Circle"))
    assert h.saathi is not None
    h.saathi.run_due_work()  # the circle's welcome, once both are active
    welcome = await h.expect(telegram_member, "Welcome to Evening Circle")
    assert "cannot stop a message being forwarded" in welcome.text  # said honestly, on both channels
    welcome_wa = await h.wa_phones.expect(ASHA, "Welcome to Evening Circle")
    assert "cannot stop a message being forwarded" in welcome_wa.text

    async def later() -> None:  # relayed copies are paced per chat: let (fake) time pass
        for _ in range(4):
            h.clock.advance(timedelta(seconds=2))
            await h.wa_settle()
            await h.settle()

    h.wa_send(ASHA, "Feeling hopeful today, one day at a time")
    await later()
    copy = await h.expect(telegram_member, "Feeling hopeful today")
    assert whatsapp_member.pseudonym in copy.text
    h.send(telegram_member, "Glad to hear it, keep going")
    await later()
    back = await h.wa_phones.expect(ASHA, "Glad to hear it")
    with h.services.uow() as session:
        sunita = session.exec(select(Member).where(Member.telegram_user_id == telegram_member)).one()
    assert sunita.pseudonym in back.text
    seen_on_telegram = " ".join(h.texts(telegram_member))
    seen_on_whatsapp = " ".join(h.wa_phones.texts(ASHA))
    for secret in (ASHA, "Asha", "Verma", str(whatsapp_member.chat_id)):
        assert secret not in seen_on_telegram
    for secret in ("Sunita", "Deshpande", "sunita_d", str(telegram_member)):
        assert secret not in seen_on_whatsapp


async def test_a_counsellor_reached_on_whatsapp_gets_the_alert_of_a_telegram_member_and_acknowledges(
    wa_harness: WaHarness,
) -> None:
    h = wa_harness
    admin.add_center(h.services, "Sahara Kendra", "Asia/Kolkata")
    admin.add_counsellor(h.services, "Sahara Kendra", "Counsellor Farah")  # no Telegram: a link code
    with h.services.uow() as session:
        farah = session.exec(select(Staff).where(Staff.name == "Counsellor Farah")).one()
    h.wa_phones.add(RAVI, "Farah")
    h.wa_send(RAVI, f"START {farah.link_code}")  # she links on WhatsApp
    await h.wa_phones.expect(RAVI, "Counsellor Farah")
    member = 81234509
    h.emu.add_user(member, "Imran")
    h.send(member, f"/start {h.invite('Sahara Kendra')}")
    for label in ("English", "I agree", "Evening"):
        await h.press(member, label)
    await h.expect(member, "recovery began")
    await h.press(member, "Skip")
    await h.expect(member, "All set")
    h.send(member, "I want to kill myself tonight")
    await h.expect(member, "You are not alone")
    alert = await h.wa_phones.expect(RAVI, "URGENT")  # on WhatsApp, her window open: free-form with buttons
    assert "Acknowledge" in [title for _, title in alert.choices()]
    await h.wa_press(RAVI, "Acknowledge")
    await h.wa_phones.expect(RAVI, "acknowledged by Counsellor Farah")
    await h.expect(member, "Your counsellor has seen your message")  # the Telegram member is told
