"""Bad input, one kind at a time: every odd update gets a kind answer in the member's own language
(here Hindi, while their phone says English), nothing escapes a handler, and nothing stored changes.

test_fuzz.py throws thousands of these at random; this file names each kind the issue lists and says
exactly what the member sees.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func
from sqlmodel import select

from bot.i18n import t
from sandbox.phones import wait_until
from storage.checkins.tables import Checkin
from storage.outbox.tables import OutboxMessage
from storage.people.tables import Member
from storage.safety.tables import Escalation
from tests.e2e.conftest import COUNSELLOR_ID, EVENING_DUE, Harness

USER = 7501
LANG = "hi"  # the member chose Hindi; Telegram still reports "en" for their phone

STICKER = {
    "file_id": "s",
    "file_unique_id": "s",
    "width": 1,
    "height": 1,
    "is_animated": False,
    "is_video": False,
    "type": "regular",
    "emoji": "🙂",
}
POLL = {
    "id": "1",
    "question": "q",
    "options": [{"text": "a", "voter_count": 0, "persistent_id": "o1"}],
    "total_voter_count": 0,
    "is_closed": False,
    "is_anonymous": True,
    "type": "regular",
    "allows_multiple_answers": False,
    "allows_revoting": False,
    "members_only": False,
}

# kind → the message fields → the catalog key the member is answered with
MESSAGES: list[tuple[str, dict[str, Any], str]] = [
    ("sticker", {"sticker": STICKER}, "fallback-unsupported"),
    ("photo", {"photo": [{"file_id": "p", "file_unique_id": "p", "width": 1, "height": 1}]}, "fallback-unsupported"),
    ("voice", {"voice": {"file_id": "v", "file_unique_id": "v", "duration": 1}}, "fallback-unsupported"),
    (
        "video note",
        {"video_note": {"file_id": "n", "file_unique_id": "n", "length": 1, "duration": 1}},
        "fallback-unsupported",
    ),
    ("document", {"document": {"file_id": "d", "file_unique_id": "d", "file_name": "x.pdf"}}, "fallback-unsupported"),
    ("location", {"location": {"latitude": 18.52, "longitude": 73.85}}, "fallback-unsupported"),
    ("contact", {"contact": {"phone_number": "+910000000000", "first_name": "Someone"}}, "fallback-unsupported"),
    ("poll", {"poll": POLL}, "fallback-unsupported"),
    ("dice", {"dice": {"emoji": "🎲", "value": 3}}, "fallback-unsupported"),
    (
        "unknown command",
        {"text": "/frobnicate now", "entities": [{"type": "bot_command", "offset": 0, "length": 11}]},
        "fallback-unknown-command",
    ),
    ("text over 4096 characters", {"text": "a" * 5000}, "fallback-too-long"),
    ("empty text", {"text": ""}, "fallback-unsupported"),
    ("only spaces", {"text": "   "}, "fallback-text"),
    ("zero-width characters", {"text": "\u200b\u200c\u200d\ufeff"}, "fallback-text"),
    ("right-to-left override", {"text": "\u202eevil\u202c \u200fمرحبا"}, "fallback-text"),
    ("emoji only", {"text": "🌿🙏🏽👨‍👩‍👧"}, "fallback-text"),
    (
        "a command for another bot",
        {"text": "/help@some_other_bot", "entities": [{"type": "bot_command", "offset": 0, "length": 20}]},
        "fallback-unknown-command",
    ),
]

# callback data a client can send that no button of ours carries → the toast key
CALLBACKS: list[tuple[str, str]] = [
    ("garbage", "not-a-button"),
    ("unknown namespace", "zz:v1:1"),
    ("old version", "ci:v0:1:mood:4"),
    ("forged check-in id", "ci:v1:999999:mood:4"),
    ("row id too big for any integer", "ci:v1:99999999999999999999:mood:4"),
    ("escalation id too big", "esc:v1:99999999999999999999:call"),
    ("circle id too big", "cir:v1:enc:99999999999999999999:x"),
    ("another member's escalation", "esc:v1:1:call"),
    ("not ASCII", "ci:v1:१:mood:4"),
    ("empty", ""),
    ("too long", "ci:v1:" + "1" * 70),
    ("missing parts", "ci:v1"),
    ("privacy button forged", "prv:v1:zz"),
    ("sponsor button forged", "sp:v1:ok:999999"),
]


def _message(fields: dict[str, Any], message_id: int) -> dict[str, Any]:
    return {
        "message": {
            "message_id": message_id,
            "date": 1764000000,
            "chat": {"id": USER, "type": "private", "first_name": "Test"},
            "from": {"id": USER, "is_bot": False, "first_name": "Test", "language_code": "en"},
            **fields,
        }
    }


def _snapshot(harness: Harness) -> dict[str, Any]:
    with harness.services.uow() as session:
        member = session.exec(select(Member).where(Member.telegram_user_id == USER)).one()
        return {
            "member": (
                member.status,
                member.language,
                member.pseudonym,
                member.checkin_time,
                member.awaiting,
                member.next_checkin_due_at,
            ),
            "checkins": session.exec(select(func.count()).select_from(Checkin)).one(),
            "escalations": session.exec(select(func.count()).select_from(Escalation)).one(),
            "members": session.exec(select(func.count()).select_from(Member)).one(),
        }


async def _hindi_member(harness: Harness) -> None:
    harness.seed_centre()
    await harness.onboard(USER)
    with harness.services.uow() as session:
        member = session.exec(select(Member).where(Member.telegram_user_id == USER)).one()
        member.language = LANG
        session.commit()


async def _answer(harness: Harness, data: str) -> str:
    """Press a button carrying ``data`` on the newest message; the toast the bot answered with."""
    message_id = harness.emu.messages(USER)[-1].message_id
    before = len(harness.emu.callback_answers)
    query_id = harness.emu.press_button(USER, message_id, data, strict=False)

    def answered() -> bool:
        return any(a.get("callback_query_id") == query_id for a in harness.emu.callback_answers[before:])

    await wait_until(answered)
    return (
        next(a for a in harness.emu.callback_answers[before:] if a.get("callback_query_id") == query_id).get("text")
        or ""
    )


async def test_every_kind_of_message_gets_a_kind_answer_in_the_members_language(
    harness: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    await _hindi_member(harness)
    caplog.set_level(logging.ERROR)
    before = _snapshot(harness)
    for number, (kind, fields, key) in enumerate(MESSAGES):
        harness.emu.send_update(_message(fields, 9000 + number))
        reply = await harness.expect(USER, t(LANG, key))
        assert reply.text, kind
    await harness.settle()
    assert _snapshot(harness) == before
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert not harness.texts(COUNSELLOR_ID)


async def test_forged_and_malformed_buttons_get_a_kind_toast_and_change_nothing(
    harness: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    await _hindi_member(harness)
    harness.phone(7502, "Other")  # someone else's escalation, #1, for the "another member's" row
    await harness.onboard(7502)
    harness.send(7502, "I want to end my life")
    await harness.expect(COUNSELLOR_ID, "URGENT")
    caplog.set_level(logging.ERROR)
    before = _snapshot(harness)
    sent_before = len(harness.emu.messages(USER))
    for kind, data in CALLBACKS:
        toast = await _answer(harness, data)
        assert toast == t(LANG, "button-expired"), kind
    await harness.settle()
    assert _snapshot(harness) == before
    assert len(harness.emu.messages(USER)) == sent_before  # a toast, not a stream of messages
    assert sum("asks for a call" in text for text in harness.texts(COUNSELLOR_ID)) == 0
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


async def test_an_edited_message_is_screened_quietly(harness: Harness) -> None:
    await _hindi_member(harness)
    harness.emu.send_update(_message({"text": "feeling ok"}, 9100))
    await harness.expect(USER, t(LANG, "fallback-text"))
    count = len(harness.emu.messages(USER))
    edited = _message({"text": "feeling ok, typo fixed", "edit_date": 1764000100}, 9100)
    harness.emu.send_update({"edited_message": edited["message"]})
    edited_photo = _message(
        {
            "caption": "a caption",
            "edit_date": 1764000200,
            "photo": [{"file_id": "p", "file_unique_id": "p", "width": 1, "height": 1}],
        },
        9101,
    )
    harness.emu.send_update({"edited_message": edited_photo["message"]})
    harness.send(USER, "/help")
    await harness.expect(USER, "/craving")
    assert len(harness.emu.messages(USER)) == count + 1  # no answer to an edit, only to /help


async def test_groups_and_channels_are_told_and_left(harness: Harness) -> None:
    harness.seed_centre()
    harness.phone(7503, "Asha", language_code="mr")
    harness.emu.create_group(-5001, "Family group")
    harness.emu.create_group(-1005002, "News", type="channel")
    harness.emu.send_update(
        {
            "message": {
                "message_id": 1,
                "date": 1764000000,
                "text": "/start hello",
                "entities": [{"type": "bot_command", "offset": 0, "length": 6}],
                "chat": {"id": -5001, "type": "group", "title": "Family group"},
                "from": {"id": 7503, "is_bot": False, "first_name": "Asha", "language_code": "mr"},
            }
        }
    )
    await harness.expect(-5001, t("mr", "private-only"))
    harness.emu.send_update(
        {
            "channel_post": {
                "message_id": 1,
                "date": 1764000000,
                "text": "news",
                "chat": {"id": -1005002, "type": "channel", "title": "News"},
            }
        }
    )
    await wait_until(lambda: harness.emu.stats["requests"].get("leaveChat", 0) == 2)
    assert harness.emu.messages(-1005002) == []  # nothing is posted into a channel
    with harness.services.uow() as session:
        assert session.exec(select(func.count()).select_from(Member)).one() == 0


async def test_a_week_old_button_answers_kindly(harness: Harness) -> None:
    await _hindi_member(harness)
    harness.clock.set(EVENING_DUE)
    await harness.tick()
    question = await harness.expect(USER, lambda text: "🌿" in text and "(1 =" in text)  # the mood question
    assert question.buttons()
    old_data = question.buttons()[0][1]
    harness.clock.advance(timedelta(days=7))
    await harness.tick()
    before = _snapshot(harness)
    sent = len(harness.emu.messages(USER))
    before_answers = len(harness.emu.callback_answers)
    harness.emu.press_button(USER, question.message_id, old_data, strict=False)
    await wait_until(lambda: len(harness.emu.callback_answers) > before_answers)
    toast = harness.emu.callback_answers[-1].get("text") or ""
    assert toast == t(LANG, "checkin-stale")
    await harness.settle()
    assert _snapshot(harness) == before and len(harness.emu.messages(USER)) == sent


async def test_an_erased_member_pressing_an_old_button(harness: Harness) -> None:
    harness.seed_centre()
    await harness.onboard(USER)
    harness.clock.set(EVENING_DUE)
    await harness.tick()
    question = await harness.expect(USER, "How is your mood")
    old_data = question.buttons()[0][1]
    harness.send(USER, "/forget")
    ask = await harness.expect(USER, "forget you?")
    await harness.press(USER, "Yes, forget me")
    await wait_until(lambda: "Saathi has forgotten you" in (ask.text or ""))
    with harness.services.uow() as session:
        counts = (
            session.exec(select(func.count()).select_from(Member)).one(),
            session.exec(select(func.count()).select_from(Checkin)).one(),
            session.exec(select(func.count()).select_from(OutboxMessage)).one(),
        )
    before_answers = len(harness.emu.callback_answers)
    harness.emu.press_button(USER, question.message_id, old_data, strict=False)
    await wait_until(lambda: len(harness.emu.callback_answers) > before_answers)
    assert harness.emu.callback_answers[-1].get("text") == t("en", "button-expired")
    await harness.settle()
    with harness.services.uow() as session:
        assert session.exec(select(Member).where(Member.telegram_user_id == USER)).first() is None
        assert (
            session.exec(select(func.count()).select_from(Member)).one(),
            session.exec(select(func.count()).select_from(Checkin)).one(),
            session.exec(select(func.count()).select_from(OutboxMessage)).one(),
        ) == counts


# a counsellor's commands with arguments no one should type → the catalog key of the answer
STAFF_COMMANDS: list[tuple[str, str]] = [
    ("/ack 99999999999999999999", "esc-not-found"),
    ("/ack ²", "esc-not-found"),
    ("/ack #-1", "esc-not-found"),
    ("/resolve 99999999999999999999 called", "esc-not-found"),
    ("/member \u202eLotus\u200b 27", "member-not-found"),
    ("/member " + "Lotus " * 600, "member-not-found"),
    ("/mute Lotus 27 ²", "circle-mute-how"),
    ("/mute Lotus 27 99999999999999999999", "circle-mute-how"),
    ("/sponsorlink 🌿 🌿", "sp-staff-link-how"),
]


async def test_odd_arguments_to_staff_commands_get_a_kind_answer(
    harness: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    harness.seed_centre()
    caplog.set_level(logging.ERROR)
    for text, key in STAFF_COMMANDS:
        harness.send(COUNSELLOR_ID, text)
        first_line = t("en", key, id=0, reason="", pseudonym="").split("\n")[0][:12]
        await harness.expect(COUNSELLOR_ID, first_line)
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


async def test_an_update_the_library_cannot_read_is_skipped_and_the_bot_keeps_listening(
    harness: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    """A poll without its question (or any kind newer than python-telegram-bot) cannot be parsed.
    It must not stop the polling loop, nor put the raw update (members' words) in the log."""
    await _hindi_member(harness)
    await harness.settle()
    unreadable = harness.emu.send_update({"poll": {"id": "2", "options": "not a list", "secret": "Ravi's words"}})
    with caplog.at_level(logging.INFO):  # DEBUG is capped in production (bot.cli.configure_logging)
        harness.send(USER, "/help")
        await harness.expect(USER, t(LANG, "help-text")[:20])
        await harness.settle()
    assert f"skipping update {unreadable} that could not be read" in caplog.text
    assert "Ravi's words" not in caplog.text
