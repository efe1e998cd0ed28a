"""A circle that mixes a Telegram member and a WhatsApp member, end to end over BOTH emulators with
the real app (the harness of tests/e2e/test_whatsapp_member.py): relayed both ways under pseudonyms
only, a WhatsApp swipe-reply threaded on Telegram, the welcome honest about what WhatsApp cannot
protect, and a risky message screened (not relayed; the counsellor alerted on Telegram).
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from sqlmodel import select

from bot.domain import channels
from bot.domain.risk import engine as risk_engine
from bot.domain.risk.rules import CheckinPolicy, RuleSet, load_rules, parse_rules
from bot.services import admin
from storage.circles.tables import CircleMessage
from storage.people.tables import Member
from tests.e2e.conftest import COUNSELLOR_ID
from tests.e2e.test_circles import STAND_IN_RULES
from tests.e2e.test_whatsapp_member import WaHarness, wa_harness  # noqa: F401  (the fixture)

CENTRE = "Asha Kendra"
CIRCLE = "Evening Circle"
# Real-looking people: none of this may reach the other member's phone.
TG_ID, TG_FIRST, TG_LAST, TG_USERNAME = 81234511, "Ravi", "Sharma", "ravi_sharma_77"
WA_ID, WA_NAME = "919822000017", "Sunita Deshpande"
WA2_ID, WA2_NAME = "919822000042", "Kavita Joshi"


@pytest.fixture(autouse=True)
def _risk_rules(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    try:
        load_rules()
    except (FileNotFoundError, OSError):
        stand_in = RuleSet(
            rules=tuple(parse_rules(STAND_IN_RULES, language="en", source="stand-in")),
            languages=("en",),
            checkin=CheckinPolicy(),
        )
        monkeypatch.setattr(risk_engine, "load_rules", lambda language=None: stand_in)
    yield


async def _later(h: WaHarness, seconds: int = 3) -> None:
    """Relayed copies are paced per chat: let (fake) time pass, both channels settling."""
    for _ in range(seconds):
        h.clock.advance(seconds=1)
        await h.settle()
        await h.wa_settle()


def _wa_reply(h: WaHarness, text: str, to: str, wa_id: str = WA_ID) -> str:
    """The WhatsApp member swipes on message ``to`` and answers (Meta's ``context.id``)."""
    wamid = h.wa_phones.send(wa_id, text, reply_to=to)
    h._wamids.add(channels.event_update_id(wamid))
    return wamid


def _write(h: WaHarness, user_id: int, text: str, message_id: int = 4242) -> int:
    """The Telegram member types ``text`` as message ``message_id`` of their chat."""
    h.emu.send_update({"message": {"message_id": message_id, "from": {"id": user_id}, "text": text}})
    return message_id


async def _onboard_on_whatsapp(h: WaHarness, wa_id: str, name: str) -> None:
    """A WhatsApp member onboards by the circle's invite, by taps."""
    h.wa_phones.add(wa_id, name)
    h.wa_send(wa_id, f"START {h.invite(CENTRE, circle_name=CIRCLE)}")
    await h.wa_phones.expect(wa_id, "Which language")
    for label in ("English", "I agree", "Evening 20:00", "Skip"):
        await h.wa_press(wa_id, label)
    await h.wa_phones.expect(wa_id, "All set")
    await h.wa_settle()


async def _mixed_circle(h: WaHarness) -> dict[str, str]:
    """The circle, a Telegram member and a WhatsApp member who joined by invite; their pseudonyms."""
    admin.add_circle(h.services, CENTRE, CIRCLE, facilitator="Counsellor Meera")
    h.emu.add_user(TG_ID, TG_FIRST, last_name=TG_LAST, username=TG_USERNAME)
    h.send(TG_ID, f"/start {h.invite(CENTRE, circle_name=CIRCLE)}")
    for label in ("English", "I agree", "Evening"):
        await h.press(TG_ID, label)
    await h.expect(TG_ID, "recovery began")
    await h.press(TG_ID, "Skip")
    await h.expect(TG_ID, "All set")

    await _onboard_on_whatsapp(h, WA_ID, WA_NAME)

    await h.tick()  # members who joined by invite get the circle's welcome once active
    await h.wa_settle()
    await _later(h, 8)
    with h.services.uow() as session:
        members = session.exec(select(Member)).all()
        by_channel = {channels.channel_of(m.chat_id): m.pseudonym for m in members}
    assert set(by_channel) == {channels.TELEGRAM, channels.WHATSAPP}
    return by_channel


def _assert_no_identity_crossed(h: WaHarness) -> None:
    """The WhatsApp phone never shows the Telegram member's name, username or id; the Telegram phones
    (the member's and the counsellor's circle copies) never show the WhatsApp number or profile name."""
    wa_seen = " ".join(
        [m.text for m in h.wa_phones.inbox(WA_ID)]
        + [title for m in h.wa_phones.inbox(WA_ID) for _, title in m.choices()]
    )
    for secret in (TG_FIRST, TG_LAST, TG_USERNAME, str(TG_ID)):
        assert secret not in wa_seen, secret
    digits = WA_ID[2:]  # the national number too, not only the wa_id
    for message in h.emu.messages(TG_ID):
        seen = " ".join([message.text or "", *(f"{label} {data}" for label, data in message.buttons())])
        for secret in (WA_ID, digits, WA_NAME, "Sunita", "Deshpande"):
            assert secret not in seen, (secret, message.describe())
    for message in h.emu.messages(COUNSELLOR_ID):
        if "🌿" in (message.text or "")[:2]:  # a circle copy: pseudonyms only, even for staff
            assert WA_ID not in message.text and digits not in message.text and WA_NAME not in message.text


async def test_a_mixed_circle_relays_both_ways_under_pseudonyms_and_threads(wa_harness: WaHarness) -> None:  # noqa: F811
    h = wa_harness
    names = await _mixed_circle(h)
    tg_name, wa_name = names[channels.TELEGRAM], names[channels.WHATSAPP]

    # the welcome is honest about WhatsApp: to the WhatsApp member, and to the Telegram member
    await h.wa_phones.expect(WA_ID, lambda text: f"Welcome to {CIRCLE}" in text and "forwarded" in text)
    assert any("WhatsApp" in text and "forwarded" in text for text in h.texts(TG_ID))

    # Telegram → WhatsApp
    original = _write(h, TG_ID, "Three days without a drink. Scared but hopeful.")
    await _later(h)
    copy_on_wa = await h.wa_phones.expect(WA_ID, f"🌿 {tg_name}: Three days without a drink")
    on_f = await h.expect(COUNSELLOR_ID, f"🌿 {tg_name}: Three days without a drink")
    assert on_f.protect_content  # Telegram copies stay protected in a mixed circle

    # WhatsApp → Telegram, as a swipe-reply on the relayed copy: threaded on Telegram
    _wa_reply(h, "Proud of you. One hour at a time.", copy_on_wa.id)
    await _later(h)
    await h.wa_settle()
    on_tg = await h.expect(TG_ID, f"🌿 {wa_name}: Proud of you. One hour at a time.")
    assert on_tg.protect_content
    with h.services.uow() as session:
        first, answer = session.exec(select(CircleMessage).where(CircleMessage.kind == "text")).all()
    assert answer.reply_to_id == first.id  # context.id mapped to the circle message
    on_f2 = await h.expect(COUNSELLOR_ID, f"🌿 {wa_name}: Proud of you")
    assert on_f2.reply_to_message_id == on_f.message_id  # and threaded on the facilitator's copy
    assert on_tg.reply_to_message_id == original  # on the Telegram member's own message

    # never back to the author, on either channel
    assert not [t for t in h.wa_phones.texts(WA_ID) if "Proud of you" in t]
    assert not [t for t in h.texts(TG_ID) if t.startswith("🌿") and "Three days" in t]
    _assert_no_identity_crossed(h)


async def test_a_risky_message_in_a_mixed_circle_is_screened_not_relayed(wa_harness: WaHarness) -> None:  # noqa: F811
    h = wa_harness
    names = await _mixed_circle(h)
    wa_name = names[channels.WHATSAPP]

    h.wa_send(WA_ID, "I want to kill myself tonight")
    await h.wa_phones.expect(WA_ID, "You are not alone")
    alert = await h.expect(COUNSELLOR_ID, "URGENT")  # on Telegram
    assert WA_ID not in alert.text and WA_ID[2:] not in alert.text
    await _later(h, 4)
    assert not any("kill myself" in (m.text or "") for m in h.emu.messages(TG_ID))  # never relayed
    assert not any(f"🌿 {wa_name}" in (m.text or "") for m in h.emu.messages(TG_ID))

    # and the other way: a Telegram member's worrying words never reach the WhatsApp phone
    h.send(TG_ID, "I just want to end my life")
    await h.expect(TG_ID, "You are not alone")
    await h.expect(COUNSELLOR_ID, "URGENT")  # a second alert, for this member
    await _later(h, 4)
    assert not any("end my life" in text for text in h.wa_phones.texts(WA_ID))
    _assert_no_identity_crossed(h)


async def _join_on_whatsapp(h: WaHarness, wa_id: str, name: str) -> None:
    """Another WhatsApp member joins the circle by its invite, and gets its welcome."""
    await _onboard_on_whatsapp(h, wa_id, name)
    await h.tick()
    await h.wa_settle()
    await _later(h, 8)
    await h.wa_phones.expect(wa_id, f"Welcome to {CIRCLE}")


def _thread_is_the_recipients_own(h: WaHarness) -> None:
    """Every context the bot sent names a message that went to that same phone: no wamid of one member
    ever reaches another (and the Graph bodies carry nothing else of anyone's)."""
    for wa_id in (WA_ID, WA2_ID):
        own = {m.id for m in h.wa_phones.inbox(wa_id)}
        for message in h.wa_phones.inbox(wa_id):
            if message.reply_to is not None and message.kind != "reaction":
                assert message.reply_to in own, message.describe()
            other = WA2_ID if wa_id == WA_ID else WA_ID
            assert other not in json.dumps(message.raw) and other[2:] not in json.dumps(message.raw)


async def test_replies_thread_on_every_phone_whatsapp_to_telegram_telegram_to_whatsapp_and_whatsapp_to_whatsapp(
    wa_harness: WaHarness,  # noqa: F811
) -> None:
    h = wa_harness
    names = await _mixed_circle(h)
    tg_name = names[channels.TELEGRAM]
    await _join_on_whatsapp(h, WA2_ID, WA2_NAME)
    sunita = h.member(WA_ID).pseudonym

    # Telegram → everyone: a copy on each WhatsApp phone and the facilitator's
    original = _write(h, TG_ID, "Three days without a drink. Scared but hopeful.")
    await _later(h, 8)
    on_sunita = await h.wa_phones.expect(WA_ID, f"🌿 {tg_name}: Three days")
    on_kavita = await h.wa_phones.expect(WA2_ID, f"🌿 {tg_name}: Three days")
    on_f = await h.expect(COUNSELLOR_ID, f"🌿 {tg_name}: Three days")

    # WhatsApp → Telegram and WhatsApp → WhatsApp: Sunita swipes on her copy and answers
    _wa_reply(h, "Proud of you. One hour at a time.", on_sunita.id)
    await _later(h, 8)
    on_tg = await h.expect(TG_ID, f"🌿 {sunita}: Proud of you")
    assert on_tg.reply_to_message_id == original  # on the Telegram author's own message
    assert (await h.expect(COUNSELLOR_ID, f"🌿 {sunita}: Proud of you")).reply_to_message_id == on_f.message_id
    kavita_sees = await h.wa_phones.expect(WA2_ID, f"🌿 {sunita}: Proud of you")
    assert kavita_sees.reply_to == on_kavita.id  # context: Kavita's own copy of the original

    # Telegram → WhatsApp: Ravi answers Sunita's words by replying to his copy of them
    h.emu.send_text(TG_ID, "Thank you, that helps.", reply_to_message_id=on_tg.message_id)
    await _later(h, 8)
    kavita_again = await h.wa_phones.expect(WA2_ID, f"🌿 {tg_name}: Thank you, that helps.")
    assert kavita_again.reply_to == kavita_sees.id  # on Kavita's copy of Sunita's reply
    # Sunita wrote the words answered: she has no copy of them, so hers goes unthreaded, and goes
    sunita_sees = await h.wa_phones.expect(WA_ID, f"🌿 {tg_name}: Thank you, that helps.")
    assert sunita_sees.reply_to is None
    with h.services.uow() as session:
        texts = session.exec(select(CircleMessage).where(CircleMessage.kind == "text").order_by(CircleMessage.id)).all()
    first, answer, thanks = texts
    assert (answer.reply_to_id, thanks.reply_to_id) == (first.id, answer.id)

    # a swipe on something that is not a circle copy of hers (here: Kavita's copy, a wamid Sunita cannot
    # have) is not threaded on anything, and the words still reach the circle
    _wa_reply(h, "Same here, it gets easier.", kavita_again.id)
    await _later(h, 8)
    unthreaded = await h.expect(TG_ID, f"🌿 {sunita}: Same here")
    assert unthreaded.reply_to_message_id is None
    assert (await h.wa_phones.expect(WA2_ID, f"🌿 {sunita}: Same here")).reply_to is None

    _thread_is_the_recipients_own(h)
    _assert_no_identity_crossed(h)
    for message in h.emu.messages(TG_ID):
        assert WA2_ID not in (message.text or "") and WA2_NAME not in (message.text or "")
