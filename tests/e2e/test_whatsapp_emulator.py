"""End-to-end tests of the WhatsApp Cloud API emulator, driven by the real pywa_async client.

Nothing of pywa is mocked: ``pywa_async.WhatsApp`` sends over HTTP through the emulator transport,
its own error classes read the emulator's answers, its own parsers read the webhooks, and its own
validator checks their signatures. Time is a FakeClock the tests advance; every "when" is read
from the emulator's records.
"""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from aiohttp import web
from pywa import utils as pywa_utils
from pywa_async import WhatsApp
from pywa_async.errors import (
    RateLimitHit,
    ReEngagementMessage,
    TemplateNotExists,
    TemplateParamCountMismatch,
    TooManyMessages,
    WhatsAppError,
)
from pywa_async.types import (
    Button,
    CallbackButton,
    CallbackSelection,
    Message,
    MessageStatus,
    Section,
    SectionList,
    SectionRow,
)
from pywa_async.types.templates import BodyText, QuickReplyButton, TemplateLanguage

from bot.clock import FakeClock
from sandbox.whatsapp import SIGNATURE_HEADER, CloudApiEmulator, WhatsAppPhones, verify_handshake
from sandbox.whatsapp.transport import EmulatorTransport, emulator_session

PHONE_ID = "106540352242922"
DISPLAY = "15550783881"
TOKEN = "EAAemulatortoken"
APP_SECRET = "emulator-app-secret"
VERIFY_TOKEN = "saathi-verify"
ASHA = "919800000001"
RAVI = "919800000002"
START = datetime(2026, 11, 25, 3, 0, tzinfo=UTC)


class WebhookSink:
    """The bot's side of the webhook, as small as can be: checks the signature with pywa's own
    validator (403 when it fails), answers the verify handshake, records every body it accepted."""

    def __init__(self) -> None:
        self.bodies: list[bytes] = []
        self.refused = 0
        self._runner: web.AppRunner | None = None
        self.url = ""

    async def start(self) -> None:
        app = web.Application()
        app.router.add_post("/whatsapp", self._post)
        app.router.add_get("/whatsapp", self._get)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.url = f"http://127.0.0.1:{port}/whatsapp"

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    async def _post(self, request: web.Request) -> web.Response:
        body = await request.read()
        signature = request.headers.get(SIGNATURE_HEADER, "")
        if not pywa_utils.webhook_updates_validator(APP_SECRET, body, signature):
            self.refused += 1
            return web.Response(status=403)
        self.bodies.append(body)
        return web.Response(text="ok")

    async def _get(self, request: web.Request) -> web.Response:
        query = request.query
        if query.get("hub.mode") == "subscribe" and query.get("hub.verify_token") == VERIFY_TOKEN:
            return web.Response(text=query.get("hub.challenge", ""))
        return web.Response(status=403)

    def payloads(self) -> list[dict[str, Any]]:
        return [json.loads(body) for body in self.bodies]

    def statuses(self) -> list[dict[str, Any]]:
        return [s for p in self.payloads() for s in p["entry"][0]["changes"][0]["value"].get("statuses", [])]


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(START)


@pytest.fixture
async def sink() -> AsyncIterator[WebhookSink]:
    receiver = WebhookSink()
    await receiver.start()
    try:
        yield receiver
    finally:
        await receiver.stop()


@pytest.fixture
async def emu(clock: FakeClock, sink: WebhookSink) -> AsyncIterator[CloudApiEmulator]:
    emulator = CloudApiEmulator(clock=clock, webhook_retry_delay=0.01, webhook_max_attempts=3)
    await emulator.start()
    emulator.add_number(PHONE_ID, DISPLAY, token=TOKEN, app_secret=APP_SECRET, webhook_url=sink.url)
    emulator.add_user(ASHA, "Asha")
    emulator.add_user(RAVI, "Ravi")
    emulator.add_template(
        "daily_checkin", "en", "Hello {{1}}, how is your day going? Reply to check in.", quick_replies=("Check in now",)
    )
    emulator.add_template("daily_checkin", "hi", "नमस्ते {{1}}, आज का दिन कैसा रहा?")
    emulator.add_template("sponsor_ping", "en", "{{1}} would like to talk.", status="PENDING")
    try:
        yield emulator
    finally:
        await emulator.stop()


@pytest.fixture
async def wa(emu: CloudApiEmulator) -> AsyncIterator[WhatsApp]:
    session = emulator_session(emu.url)
    async with session:
        yield WhatsApp(phone_id=PHONE_ID, token=TOKEN, session=session)


@pytest.fixture
async def graph(emu: CloudApiEmulator) -> AsyncIterator[httpx.AsyncClient]:
    """Raw Graph API requests (shapes pywa would never build), through the same transport."""
    async with emulator_session(emu.url, headers={"Authorization": f"Bearer {TOKEN}"}) as client:
        yield client


def messages_url(phone_id: str = PHONE_ID) -> str:
    return f"https://graph.facebook.com/v26.0/{phone_id}/messages"


def text_body(to: str, text: str = "hello") -> dict[str, Any]:
    return {"messaging_product": "whatsapp", "to": to, "type": "text", "text": {"body": text}}


def interactive_body(to: str, interactive: dict[str, Any]) -> dict[str, Any]:
    return {"messaging_product": "whatsapp", "to": to, "type": "interactive", "interactive": interactive}


def buttons(*titles: str) -> dict[str, Any]:
    return {
        "type": "button",
        "body": {"text": "How are you feeling?"},
        "action": {"buttons": [{"type": "reply", "reply": {"id": f"b{i}", "title": t}} for i, t in enumerate(titles)]},
    }


def a_list(*row_titles: str, sections: int = 1) -> dict[str, Any]:
    rows = [{"id": f"r{i}", "title": t} for i, t in enumerate(row_titles)]
    per = max(1, len(rows) // sections)
    parts = [rows[i * per : (i + 1) * per] if i < sections - 1 else rows[i * per :] for i in range(sections)]
    return {
        "type": "list",
        "body": {"text": "Your craving, 0 to 10?"},
        "action": {"button": "Choose", "sections": [{"title": f"Part {i}", "rows": p} for i, p in enumerate(parts)]},
    }


def mood_list() -> SectionList:
    moods = ["Very low", "Low", "Okay", "Good", "Very good"]
    rows = [SectionRow(title=m, callback_data=f"mood:{i + 1}") for i, m in enumerate(moods)]
    return SectionList(button_title="Mood", sections=[Section(title="Today", rows=rows)])


# ============================================================ reaching the emulator through pywa


async def test_pywa_sends_text_buttons_and_list_through_the_transport(
    emu: CloudApiEmulator, wa: WhatsApp, clock: FakeClock
) -> None:
    emu.send_text(ASHA, "hi")  # opens the window
    sent = await wa.send_message(to=ASHA, text="Welcome back, Asha.")
    clock.advance(seconds=6)  # the pair rate: one message per 6 s to the same person
    question = await wa.send_message(to=ASHA, text="How is your mood today?", buttons=mood_list())
    clock.advance(seconds=6)
    pressed = await wa.send_message(
        to=ASHA, text="Did you attend?", buttons=[Button("Yes", "att:yes"), Button("Not today", "att:no")]
    )

    inbox = emu.messages(ASHA)
    assert [m.id for m in inbox] == [sent.id, question.id, pressed.id]
    assert inbox[0].text == "Welcome back, Asha." and inbox[0].kind == "text"
    assert inbox[1].interactive_type == "list" and inbox[1].list_button == "Mood"
    assert [(r[0], r[1]) for r in inbox[1].rows][:2] == [("mood:1", "Very low"), ("mood:2", "Low")]
    assert inbox[2].buttons == [("att:yes", "Yes"), ("att:no", "Not today")]
    assert sent.chat.id == ASHA
    assert [(c.outcome, c.kind, c.at - START) for c in emu.calls] == [
        ("accepted", "text", timedelta(0)),
        ("accepted", "interactive", timedelta(seconds=6)),
        ("accepted", "interactive", timedelta(seconds=12)),
    ]


async def test_without_the_transport_pywa_targets_meta() -> None:
    """Production passes pywa no emulator transport: the URL pywa builds is Meta's own host."""
    seen: list[str] = []

    class Refuse(httpx.AsyncBaseTransport):
        async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
            seen.append(str(request.url))
            raise httpx.ConnectError("no network in tests", request=request)

    async with httpx.AsyncClient(transport=Refuse()) as session:
        wa = WhatsApp(phone_id="123456", token="EAAprod", session=session)
        with pytest.raises(httpx.ConnectError):
            await wa.send_message(to=ASHA, text="hello")
    assert len(seen) == 1
    assert re.fullmatch(r"https://graph\.facebook\.com/v\d+\.\d+/123456/messages", seen[0]), seen


async def test_the_transport_refuses_every_other_host(emu: CloudApiEmulator) -> None:
    async with httpx.AsyncClient(transport=EmulatorTransport(emu.url)) as client:
        with pytest.raises(httpx.ConnectError):
            await client.get("https://lookaside.fbsbx.com/whatsapp_business/attachments/")
    with pytest.raises(ValueError):
        EmulatorTransport("http://10.0.0.1:8080")


# ============================================================ the 24-hour window and templates


async def test_a_free_form_message_outside_the_window_fails_with_131047_as_a_status(
    emu: CloudApiEmulator, wa: WhatsApp, sink: WebhookSink
) -> None:
    sent = await wa.send_message(to=RAVI, text="Time for your check-in")  # Meta accepts it first
    await emu.settle()
    assert emu.messages(RAVI) == []
    assert [m.id for m in emu.failed(RAVI)] == [sent.id]
    (failed,) = sink.statuses()
    assert failed["status"] == "failed" and failed["errors"][0]["code"] == 131047
    status = MessageStatus.from_update(client=wa, update=sink.payloads()[-1])
    assert isinstance(status.error, ReEngagementMessage) and status.id == sent.id


async def test_the_window_is_24_hours_from_the_last_inbound_message(
    emu: CloudApiEmulator, wa: WhatsApp, clock: FakeClock
) -> None:
    emu.send_text(ASHA, "hi")
    clock.advance(hours=23, minutes=59, seconds=54)
    assert emu.window_open(ASHA)
    inside = await wa.send_message(to=ASHA, text="still inside")
    clock.advance(seconds=6)
    assert not emu.window_open(ASHA)
    outside = await wa.send_message(to=ASHA, text="too late")
    assert emu.message(inside.id).delivered
    assert emu.message(outside.id).error_code == 131047
    inbound_at = emu.inbound[0].sent_at
    assert emu.message(outside.id).accepted_at - inbound_at == timedelta(hours=24)


async def test_a_template_goes_outside_the_window_and_its_quick_reply_opens_it(
    emu: CloudApiEmulator, wa: WhatsApp, sink: WebhookSink
) -> None:
    template = await wa.send_template(
        to=RAVI,
        name="daily_checkin",
        language=TemplateLanguage.ENGLISH,
        params=[BodyText.params("Ravi"), QuickReplyButton.params(callback_data="checkin:start", index=0)],
    )
    (shown,) = emu.messages(RAVI)
    assert shown.id == template.id and shown.template == "daily_checkin" and shown.category == "utility"
    assert shown.text == "Hello Ravi, how is your day going? Reply to check in."
    assert not emu.window_open(RAVI)

    reply_id = WhatsAppPhones(emu).press(RAVI, "Check in now")
    assert emu.window_open(RAVI)
    await emu.settle()
    pressed = CallbackButton.from_update(client=wa, update=sink.payloads()[-1])
    assert pressed.id == reply_id and pressed.data == "checkin:start" and pressed.is_quick_reply
    assert pressed.reply_to_message is not None and pressed.reply_to_message.id == template.id

    emu.clock.advance(seconds=6)  # type: ignore[attr-defined]  # the pair rate, after the template
    follow_up = await wa.send_message(to=RAVI, text="How is your mood?", buttons=mood_list())
    assert emu.message(follow_up.id).delivered
    pricing = [s["pricing"] for s in sink.statuses() if s["id"] == template.id and s["status"] == "delivered"]
    assert pricing == [{"billable": True, "pricing_model": "PMP", "category": "utility", "type": "regular"}]


async def test_template_errors_unknown_pending_and_wrong_parameter_count(
    emu: CloudApiEmulator, wa: WhatsApp, graph: httpx.AsyncClient
) -> None:
    with pytest.raises(TemplateNotExists):
        await wa.send_template(to=RAVI, name="no_such", language=TemplateLanguage.ENGLISH, params=[])
    with pytest.raises(TemplateNotExists):  # exists but is not approved yet
        await wa.send_template(
            to=RAVI, name="sponsor_ping", language=TemplateLanguage.ENGLISH, params=[BodyText.params("Meera")]
        )
    with pytest.raises(TemplateNotExists):  # approved in en and hi, not in mr
        await wa.send_template(
            to=RAVI, name="daily_checkin", language=TemplateLanguage.MARATHI, params=[BodyText.params("Ravi")]
        )
    with pytest.raises(TemplateParamCountMismatch) as mismatch:
        await wa.send_template(
            to=RAVI, name="daily_checkin", language=TemplateLanguage.HINDI, params=[BodyText.params("a", "b")]
        )
    assert (
        mismatch.value.details
        == "body: number of localizable_params (2) does not match the expected number of params (1)"
    )

    answer = await graph.post(
        messages_url(),
        json={
            "messaging_product": "whatsapp",
            "to": RAVI,
            "type": "template",
            "template": {"name": "x", "language": {"code": "en"}},
        },
    )
    assert answer.status_code == 404
    assert answer.json()["error"]["message"] == "(#132001) Template name does not exist in the translation"
    assert answer.json()["error"]["error_data"]["details"] == "template name (x) does not exist in en"
    assert [c.outcome for c in emu.calls] == [132001, 132001, 132001, 132000, 132001]
    assert emu.messages(RAVI) == []

    emu.templates.set_status("sponsor_ping", "en", "APPROVED")
    approved = await wa.send_template(
        to=RAVI, name="sponsor_ping", language=TemplateLanguage.ENGLISH, params=[BodyText.params("Meera")]
    )
    assert emu.message(approved.id).text == "Meera would like to talk."


# ============================================================ pacing: pair rate and throughput


async def test_the_pair_rate_is_one_message_per_6_seconds_to_the_same_user(
    emu: CloudApiEmulator, wa: WhatsApp, clock: FakeClock
) -> None:
    emu.send_text(ASHA, "hi")
    await wa.send_message(to=ASHA, text="one")
    with pytest.raises(TooManyMessages) as refused:
        await wa.send_message(to=ASHA, text="two, at once")
    assert refused.value.code == 131056
    await wa.send_message(to=RAVI, text="another user is not paced by Asha's rate")  # fails later: no window
    clock.advance(seconds=5.999)
    with pytest.raises(TooManyMessages):
        await wa.send_message(to=ASHA, text="two, a little early")
    clock.advance(seconds=0.001)
    await wa.send_message(to=ASHA, text="two, on time")

    to_asha = [c for c in emu.calls if c.to == ASHA]
    assert [c.outcome for c in to_asha] == ["accepted", 131056, 131056, "accepted"]
    accepted = [c.at for c in to_asha if c.accepted]
    assert accepted[1] - accepted[0] == timedelta(seconds=6)
    assert [m.text for m in emu.messages(ASHA)] == ["one", "two, on time"]


async def test_a_configured_pair_rate_and_burst(clock: FakeClock) -> None:
    async with CloudApiEmulator(clock=clock, pair_interval=2.0, pair_burst=3) as emu:
        emu.add_number(PHONE_ID, DISPLAY, token=TOKEN, app_secret=APP_SECRET)
        emu.add_user(ASHA, "Asha")
        emu.send_text(ASHA, "hi")
        async with emulator_session(emu.url, headers={"Authorization": f"Bearer {TOKEN}"}) as graph:
            codes = [(await graph.post(messages_url(), json=text_body(ASHA))).status_code for _ in range(4)]
            clock.advance(seconds=5.999)  # a burst of 3 takes the time of 3 paced messages: 6 s
            codes.append((await graph.post(messages_url(), json=text_body(ASHA))).status_code)
            clock.advance(seconds=0.001)
            codes.append((await graph.post(messages_url(), json=text_body(ASHA))).status_code)
    assert codes == [200, 200, 200, 400, 400, 200]
    assert [c.outcome for c in emu.calls] == ["accepted"] * 3 + [131056, 131056, "accepted"]


async def test_throughput_is_80_messages_per_second_per_number(clock: FakeClock) -> None:
    async with CloudApiEmulator(clock=clock) as emu:
        emu.add_number(PHONE_ID, DISPLAY, token=TOKEN, app_secret=APP_SECRET)  # no webhook: records only
        users = [f"9198{n:08d}" for n in range(82)]
        for wa_id in users:
            emu.add_user(wa_id, "Member")
            emu.send_text(wa_id, "hi")
        async with emulator_session(emu.url) as session:
            wa = WhatsApp(phone_id=PHONE_ID, token=TOKEN, session=session)
            for wa_id in users[:80]:
                await wa.send_message(to=wa_id, text="Good morning")
            with pytest.raises(RateLimitHit) as refused:
                await wa.send_message(to=users[80], text="Good morning")
            clock.advance(seconds=0.999)
            with pytest.raises(RateLimitHit):
                await wa.send_message(to=users[80], text="Good morning")
            clock.advance(seconds=0.001)
            await wa.send_message(to=users[80], text="Good morning")
            await wa.send_message(to=users[81], text="Good morning")
    assert refused.value.code == 130429 and refused.value.status_code == 400
    outcomes = [c.outcome for c in emu.calls]
    assert outcomes == ["accepted"] * 80 + [130429, 130429, "accepted", "accepted"]
    first = emu.calls[0].at
    assert all(c.at == first for c in emu.calls[:81]) and emu.calls[-1].at - first == timedelta(seconds=1)


# ============================================================ Meta's checks on shapes


@pytest.mark.parametrize(
    ("interactive", "code", "details"),
    [
        (buttons("A", "B", "C", "D"), 131009, "Invalid buttons count. Min allowed buttons: 1, Max allowed buttons: 3"),
        (buttons(), 131009, "Invalid buttons count. Min allowed buttons: 1, Max allowed buttons: 3"),
        (buttons("x" * 21), 131009, "Button title length invalid. Min length: 1, Max length: 20"),
        (buttons("Same", "Same"), 131009, "Button titles must be unique."),
        (a_list(*(f"{n}" for n in range(11))), 131009, "Total row count exceed max allowed count: 10"),
        (a_list(*(f"{n}" for n in range(11)), sections=2), 131009, "Total row count exceed max allowed count: 10"),
        (a_list("y" * 25), 131009, "Row title length invalid. Min length: 1, Max length: 24"),
        ({**a_list("a"), "body": {}}, 131008, "The parameter interactive['body']['text'] is required."),
        ({**buttons("A"), "type": "carousel"}, 100, None),
    ],
    ids=[
        "4-buttons",
        "0-buttons",
        "long-title",
        "same-titles",
        "11-rows",
        "11-rows-2-sections",
        "long-row",
        "no-body",
        "type",
    ],
)
async def test_bad_buttons_and_lists_are_refused_as_meta_does(
    emu: CloudApiEmulator, graph: httpx.AsyncClient, interactive: dict[str, Any], code: int, details: str | None
) -> None:
    emu.send_text(ASHA, "hi")
    answer = await graph.post(messages_url(), json=interactive_body(ASHA, interactive))
    assert answer.status_code == 400
    error = answer.json()["error"]
    assert error["code"] == code and error["type"] == "OAuthException"
    assert error["message"].startswith(f"(#{code}) ")
    if details is not None:
        assert error["error_data"] == {"messaging_product": "whatsapp", "details": details}
    assert emu.messages(ASHA) == [] and emu.calls[-1].outcome == code


async def test_ten_rows_in_two_sections_and_three_buttons_are_fine(
    emu: CloudApiEmulator, graph: httpx.AsyncClient
) -> None:
    emu.send_text(ASHA, "hi")
    rows = [f"{n}" for n in range(10)]
    assert (await graph.post(messages_url(), json=interactive_body(ASHA, a_list(*rows, sections=2)))).status_code == 200
    emu.clock.advance(seconds=6)  # type: ignore[attr-defined]
    ok = await graph.post(messages_url(), json=interactive_body(ASHA, buttons("A" * 20, "B", "C")))
    assert ok.status_code == 200
    assert [len(m.choices()) for m in emu.messages(ASHA)] == [10, 3]


async def test_a_bad_token_gets_190_and_an_unknown_number_100(emu: CloudApiEmulator) -> None:
    async with emulator_session(emu.url, headers={"Authorization": "Bearer wrong"}) as client:
        answer = await client.post(messages_url(), json=text_body(ASHA))
    assert answer.status_code == 401 and answer.json()["error"]["code"] == 190
    async with emulator_session(emu.url) as session:
        wa = WhatsApp(phone_id="999", token=TOKEN, session=session)
        with pytest.raises(WhatsAppError) as unknown:
            await wa.send_message(to=ASHA, text="hi")
    assert unknown.value.code == 100 and unknown.value.raw["error_subcode"] == 33
    assert [c.outcome for c in emu.calls] == [190, 100]


# ============================================================ webhooks: signed, statuses, replay


async def test_statuses_sent_delivered_read_reach_the_bot_signed_and_parse_in_pywa(
    emu: CloudApiEmulator, wa: WhatsApp, sink: WebhookSink, clock: FakeClock
) -> None:
    emu.send_text(ASHA, "hi")
    sent = await wa.send_message(to=ASHA, text="Thank you for checking in.", tracker="outbox:42")
    clock.advance(minutes=3)
    assert emu.read(ASHA) == [sent.id]
    await emu.settle()

    assert sink.refused == 0 and len(sink.bodies) == len(emu.deliveries) == 4
    assert all(d.delivered and d.attempts[0][1] == 200 for d in emu.deliveries)
    statuses = [MessageStatus.from_update(client=wa, update=p) for p in sink.payloads()[1:]]
    assert [(s.id, s.status.value) for s in statuses] == [(sent.id, "sent"), (sent.id, "delivered"), (sent.id, "read")]
    assert all(s.tracker == "outbox:42" and s.from_user.wa_id == ASHA for s in statuses)
    assert statuses[2].timestamp - statuses[1].timestamp == timedelta(minutes=3)
    assert [(s, at - START) for s, at in emu.message(sent.id).statuses] == [
        ("sent", timedelta(0)),
        ("delivered", timedelta(0)),
        ("read", timedelta(minutes=3)),
    ]


async def test_inbound_text_replies_buttons_and_list_rows_parse_in_pywa(
    emu: CloudApiEmulator, wa: WhatsApp, sink: WebhookSink, clock: FakeClock
) -> None:
    phones = WhatsAppPhones(emu)
    first = phones.send(ASHA, "START CODE42")
    question = await wa.send_message(to=ASHA, text="Your mood?", buttons=mood_list())
    clock.advance(seconds=6)
    yes_no = await wa.send_message(to=ASHA, text="Meeting today?", buttons=[Button("Yes", "m:y"), Button("No", "m:n")])
    chose = phones.press(ASHA, "Good")
    pressed = phones.press(ASHA, "No")
    replied = phones.send(ASHA, "It was hard", reply_to=question.id)
    await emu.settle()

    inbound = [p for p in sink.payloads() if "messages" in p["entry"][0]["changes"][0]["value"]]
    text = Message.from_update(client=wa, update=inbound[0])
    assert (text.id, text.text, text.from_user.wa_id, text.from_user.name) == (first, "START CODE42", ASHA, "Asha")
    selection = CallbackSelection.from_update(client=wa, update=inbound[1])
    assert (selection.id, selection.data, selection.title) == (chose, "mood:4", "Good")
    assert selection.reply_to_message is not None and selection.reply_to_message.id == question.id
    button = CallbackButton.from_update(client=wa, update=inbound[2])
    assert (button.id, button.data, button.reply_to_message.id) == (pressed, "m:n", yes_no.id)  # type: ignore[union-attr]
    reply = Message.from_update(client=wa, update=inbound[3])
    assert reply.id == replied and reply.reply_to_message is not None
    assert reply.reply_to_message.id == question.id

    marked = await wa.mark_message_as_read(message_id=replied)
    assert marked and replied in emu.read_by_business
    with pytest.raises(WhatsAppError) as unknown:
        await wa.mark_message_as_read(message_id="wamid.nothing")
    assert unknown.value.code == 100


async def test_a_replayed_webhook_is_the_same_bytes_and_signature(emu: CloudApiEmulator, sink: WebhookSink) -> None:
    emu.send_text(ASHA, "I need to talk")
    await emu.settle()
    again = emu.replay(1)
    await emu.settle()
    assert again.replay_of == 1 and again.delivered
    assert sink.bodies[0] == sink.bodies[1] and again.signature == emu.deliveries[0].signature
    assert len(emu.inbound) == 1


async def test_a_webhook_signed_with_another_secret_is_refused_retried_and_given_up(
    emu: CloudApiEmulator, sink: WebhookSink
) -> None:
    emu.add_number("2222", "15550002222", token="EAAother", app_secret="not-the-bots-secret", webhook_url=sink.url)
    emu.send_text(ASHA, "hi", to="2222")
    emu.send_text(ASHA, "hi", to=PHONE_ID)
    await emu.settle()
    forged, good = emu.deliveries
    assert [status for _, status in forged.attempts] == [403, 403, 403] and forged.gave_up and not forged.delivered
    assert good.delivered and sink.refused == 3 and len(sink.bodies) == 1
    assert pywa_utils.webhook_updates_validator(APP_SECRET, good.body, good.signature)
    assert not pywa_utils.webhook_updates_validator(APP_SECRET, forged.body, forged.signature)


async def test_the_verify_handshake(sink: WebhookSink) -> None:
    assert await verify_handshake(sink.url, VERIFY_TOKEN, "8842") == (200, "8842")
    assert (await verify_handshake(sink.url, "wrong"))[0] == 403
    with pytest.raises(ValueError):
        await verify_handshake("https://example.org/whatsapp", VERIFY_TOKEN)


async def test_an_unreachable_user_fails_with_131026(emu: CloudApiEmulator, wa: WhatsApp, sink: WebhookSink) -> None:
    emu.send_text(ASHA, "hi")
    emu.set_reachable(ASHA, False)
    sent = await wa.send_message(to=ASHA, text="hello")
    not_on_whatsapp = await wa.send_message(to="919811111111", text="hello")
    await emu.settle()
    assert [m.error_code for m in emu.failed()] == [131026, 131026]
    assert {sent.id, not_on_whatsapp.id} == {m.id for m in emu.failed()}
    codes = [s["errors"][0]["code"] for s in sink.statuses() if s["status"] == "failed"]
    assert codes == [131026, 131026]


async def test_phones_see_what_arrived_and_react(emu: CloudApiEmulator, wa: WhatsApp, clock: FakeClock) -> None:
    phones = WhatsAppPhones(emu)
    phones.add("919800000003", "Meera")
    incoming = phones.send("919800000003", "namaste")
    await wa.send_message(to="919800000003", text="Namaste Meera, welcome.")
    clock.advance(seconds=6)
    await wa.send_reaction(to="919800000003", message_id=incoming, emoji="🙏")
    welcome = await phones.expect("919800000003", "welcome")
    assert welcome.accepted_at == START
    assert phones.texts("919800000003") == ["Namaste Meera, welcome."]
    (reaction,) = [m for m in phones.inbox("919800000003") if m.kind == "reaction"]
    assert (reaction.emoji, reaction.reply_to) == ("🙏", incoming)
    with pytest.raises(AssertionError):
        phones.press("919800000003", "Yes")
