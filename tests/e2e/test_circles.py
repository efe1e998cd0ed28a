"""Peer circles over the emulator: anonymous relay, threading, edits and /unsend, screening, holds,
reports, mutes, media, floods, meetings, milestones and a member who blocked the bot."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from itertools import pairwise

import pytest
from sqlmodel import select

from bot.cli import main
from bot.domain.risk import engine as risk_engine
from bot.domain.risk.rules import CheckinPolicy, RuleSet, load_rules, parse_rules
from bot.services import admin
from sandbox.models import SentMessage
from storage.circles.tables import CircleMessage, UnreachableNotice
from storage.outbox.tables import OutboxMessage
from storage.people.tables import Member
from storage.safety.tables import Escalation
from tests.e2e.conftest import COUNSELLOR_ID, Harness

CENTRE = "Asha Kendra"
CIRCLE = "Evening Circle"
FACILITATOR = "Counsellor Meera"
# Real-looking people: none of this may ever reach another member's phone.
PEOPLE = {
    81234501: ("Ravi", "Sharma", "ravi_sharma_77"),
    81234502: ("Sunita", "Deshpande", "sunita_d"),
    81234503: ("Imran", "Qureshi", "imranq"),
}
A, B, C = PEOPLE

# The clinicians' rule files (bot/domain/risk/rules/<lang>.toml) are written by another part of the
# project; until they exist these stand-in rules let the circle tests exercise the real engine.
STAND_IN_RULES = """
language = "en"
[[rule]]
id = "EN-SUI-001"
category = "suicide"
level = "urgent"
description = "Wish to die (test stand-in)"
patterns = ["(want/wish) to die", "kill myself", "end my life"]
[[rule]]
id = "EN-USE-001"
category = "use"
level = "concern"
description = "Use today (test stand-in)"
patterns = ["drank today", "used again"]
"""


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


# --- helpers ----------------------------------------------------------------------------------


async def _join(h: Harness, user_id: int, code: str) -> None:
    first, last, username = PEOPLE[user_id]
    h.emu.add_user(user_id, first, last_name=last, username=username)
    h.send(user_id, f"/start {code}")
    await h.press(user_id, "English")
    await h.press(user_id, "I agree")
    await h.press(user_id, "Evening")
    await h.expect(user_id, "recovery began")
    await h.press(user_id, "Skip")
    await h.expect(user_id, "All set")


async def _circle(
    h: Harness, *, schedule: str | None = None, stickers: bool = False, facilitated: bool = True
) -> dict[int, str]:
    """A centre, a circle with Meera facilitating, and three members who joined by invite."""
    h.seed_centre(CENTRE)
    admin.add_circle(
        h.services,
        CENTRE,
        CIRCLE,
        facilitator=FACILITATOR if facilitated else None,
        schedule=schedule,
        allow_stickers=stickers,
    )
    for user_id in PEOPLE:
        await _join(h, user_id, h.invite(CENTRE, circle_name=CIRCLE))
    await h.tick()  # members who joined by invite get the circle's welcome once active
    for user_id in PEOPLE:
        await h.expect(user_id, f"Welcome to {CIRCLE}")
    await _later(h, 6)  # the join notices, paced a second and a half apart per chat
    return _pseudonyms(h)


def _pseudonyms(h: Harness) -> dict[int, str]:
    with h.services.uow() as session:
        return {m.telegram_user_id: m.pseudonym for m in session.exec(select(Member))}


async def _later(h: Harness, seconds: int = 3) -> None:
    """Relayed copies are paced 1.5 s apart per chat: let (fake) time pass."""
    for _ in range(seconds):
        h.clock.advance(seconds=1)
        await h.settle()


async def _until(h: Harness, condition: Callable[[], bool], rounds: int = 30) -> None:
    """Let (fake) time pass a second at a time until ``condition`` holds (or give up and let the assert say why)."""
    for _ in range(rounds):
        if condition():
            return
        await _later(h, 1)


_next_id = iter(range(1000, 100000))


def _write(h: Harness, user_id: int, text: str) -> int:
    """The member types ``text``; returns its message id in their chat."""
    message_id = next(_next_id)
    h.emu.send_update({"message": {"message_id": message_id, "from": {"id": user_id}, "text": text}})
    return message_id


def _copies(h: Harness, chat_id: int, contains: str) -> list[SentMessage]:
    return [m for m in h.emu.messages(chat_id) if contains in (m.text or "")]


def _assert_nobody_identified(h: Harness) -> None:
    """No message or button anywhere carries another member's id, username, first or last name."""
    for chat in [*PEOPLE, COUNSELLOR_ID]:
        for message in h.emu.messages(chat):
            seen = " ".join([message.text or "", *(f"{label} {data}" for label, data in message.buttons())])
            for other, (first, last, username) in PEOPLE.items():
                if other == chat:
                    continue
                for secret in (str(other), username, last):
                    assert secret not in seen, (chat, message.describe())
                if chat != COUNSELLOR_ID:  # staff may see names (alerts); members never do
                    assert first not in seen, (chat, message.describe())


# --- the relay --------------------------------------------------------------------------------


async def test_relay_reaches_everyone_else_protected_and_replies_thread_on_every_phone(harness: Harness) -> None:
    names = await _circle(harness)
    original = _write(harness, A, "Three days without a drink. Scared but hopeful.")
    copy_b = await harness.expect(B, f"🌿 {names[A]}: Three days without a drink")
    copy_c = await harness.expect(C, f"🌿 {names[A]}: Three days without a drink")
    copy_f = await harness.expect(COUNSELLOR_ID, f"🌿 {names[A]}: Three days")
    assert copy_b.protect_content and copy_c.protect_content and copy_f.protect_content
    await harness.settle()
    assert not _copies(harness, A, "Three days")  # never back to the sender

    await _later(harness)
    harness.emu.send_text(B, "Proud of you. One hour at a time.", reply_to_message_id=copy_b.message_id)
    await _later(harness)
    on_a = await harness.expect(A, f"🌿 {names[B]}: Proud of you")
    on_c = await harness.expect(C, f"🌿 {names[B]}: Proud of you")
    on_f = await harness.expect(COUNSELLOR_ID, f"🌿 {names[B]}: Proud of you")
    assert on_a.reply_to_message_id == original
    assert on_c.reply_to_message_id == copy_c.message_id
    assert on_f.reply_to_message_id == copy_f.message_id
    assert not _copies(harness, B, "Proud of you")

    # the facilitator answers by replying: staff name with the facilitator mark, threaded
    harness.emu.send_text(COUNSELLOR_ID, "Welcome, everyone. Well said.", reply_to_message_id=copy_f.message_id)
    await _later(harness)
    for member in PEOPLE:
        said = await harness.expect(member, f"🌿 {FACILITATOR} (facilitator): Welcome, everyone")
        assert said.reply_to_message_id == (
            original if member == A else copy_b.message_id if member == B else copy_c.message_id
        )
    _assert_nobody_identified(harness)


async def test_an_edit_reaches_every_copy_and_unsend_removes_them(harness: Harness) -> None:
    names = await _circle(harness)
    # (round 11: "the old crowd called. I didn't go." was read as a concern by the model, 0.82, and
    # held from the circle: a resisted risky contact is borderline, docs/clinical-rules.md "Known limits")
    original = _write(harness, A, "Rough evening, went for a long walk")
    copy_b = await harness.expect(B, "Rough evening")
    copy_c = await harness.expect(C, "Rough evening")
    await _later(harness)
    harness.emu.edit_user_message(A, original, "Rough evening, went for a long walk. Feeling better now.")
    # the edit is an update the harness did not send (settle() cannot wait for it): wait for its effect
    await _until(harness, lambda: copy_b.text.endswith("better now.") and copy_c.text.endswith("better now."))
    assert copy_b.text == f"🌿 {names[A]}: Rough evening, went for a long walk. Feeling better now."
    assert copy_c.edits and copy_c.text.endswith("better now.")
    harness.send(A, "/unsend")
    await harness.expect(A, "removed from everyone's phone")
    await _later(harness)
    assert copy_b.deleted and copy_c.deleted
    with harness.services.uow() as session:
        (message,) = session.exec(select(CircleMessage).where(CircleMessage.kind == "text")).all()
    assert message.status == "unsent"
    harness.send(A, "/unsend")
    await harness.expect(A, "no message of yours")


async def test_a_concerning_message_is_escalated_and_never_reaches_peers(harness: Harness) -> None:
    await _circle(harness)
    before = {m: len(harness.emu.messages(m)) for m in (B, C)}
    _write(harness, A, "honestly I want to die tonight")
    await harness.expect(A, "You are not alone")
    await harness.expect(COUNSELLOR_ID, "URGENT")
    await _later(harness)
    assert {m: len(harness.emu.messages(m)) for m in (B, C)} == before
    # also as a reply to a circle message: screened on that path too
    harness.send(B, "Anyone around?")
    copy_on_a = await harness.expect(A, "Anyone around?")
    await _later(harness)
    harness.emu.send_text(A, "I just want to end my life", reply_to_message_id=copy_on_a.message_id)
    await harness.expect(A, "You are not alone")
    await _later(harness)
    assert not _copies(harness, B, "end my life") and not _copies(harness, C, "end my life")
    with harness.services.uow() as session:
        assert session.exec(select(Escalation)).first() is not None
        texts = [m.text or "" for m in session.exec(select(CircleMessage))]
    assert not any("die" in text or "end my life" in text for text in texts)


async def test_abusive_language_is_held_for_the_facilitator(harness: Harness) -> None:
    names = await _circle(harness)
    _write(harness, A, "shut up you junkie, nobody wants you here")
    await harness.expect(A, "held that message for the facilitator")
    held = await harness.expect(COUNSELLOR_ID, f"Held in {CIRCLE}")
    assert names[A] in held.text and "junkie" in held.text
    await _later(harness)
    assert not _copies(harness, B, "junkie")
    await harness.press(COUNSELLOR_ID, "Keep it held")
    await _later(harness)
    assert not _copies(harness, B, "junkie") and not _copies(harness, C, "junkie")
    assert "Kept back" in held.text and not held.buttons()  # the note now records the decision


async def test_report_reaches_the_facilitator_repeated_reports_hold_and_mute(harness: Harness) -> None:
    names = await _circle(harness)
    _write(harness, A, "You lot are all fakes")
    copy_b = await harness.expect(B, "all fakes")
    copy_c = await harness.expect(C, "all fakes")
    await _later(harness)
    harness.emu.send_text(B, "/report", reply_to_message_id=copy_b.message_id)
    await harness.expect(B, "your report stays private")
    report = await harness.expect(COUNSELLOR_ID, "Report in")
    assert names[B] in report.text and names[A] in report.text and "all fakes" in report.text
    harness.send(C, "/report")
    await harness.expect(C, "reply to it with /report")
    harness.emu.send_text(C, "/report", reply_to_message_id=copy_c.message_id)
    await harness.expect(COUNSELLOR_ID, "reported by several members")
    await _later(harness)
    _write(harness, A, "Still think so")
    await harness.expect(A, "being read by the facilitator")
    await harness.expect(COUNSELLOR_ID, "after reports")
    await _later(harness)
    assert not _copies(harness, B, "Still think so")
    await harness.press(COUNSELLOR_ID, "Share with the circle")
    await harness.expect(B, f"🌿 {names[A]}: Still think so")
    await harness.expect(A, "shared your message")
    # mute for 30 minutes: their words wait, and they are told kindly
    harness.send(COUNSELLOR_ID, f"/mute {names[A]} 30")
    await harness.expect(COUNSELLOR_ID, "is muted in the circle until")
    await harness.expect(A, "paused your messages in the circle")
    await _later(harness)
    _write(harness, A, "hello?")
    await harness.expect(A, "messages are paused")
    await _later(harness)
    assert not _copies(harness, B, "hello?")
    harness.clock.advance(minutes=31)
    await harness.press(COUNSELLOR_ID, "Stop holding their messages")
    # a plainly ordinary message: "back again, sorry everyone" reads as a lapse ("I'm back on it") to the
    # risk model (concern 0.86), and a concern is held for the counsellor, which is not what this test is about
    _write(harness, A, "thanks for having me, I will keep it kind")
    await harness.expect(B, "keep it kind")
    _assert_nobody_identified(harness)


async def test_media_is_refused_kindly_and_forwarded_text_loses_its_origin(harness: Harness) -> None:
    names = await _circle(harness)
    photo = [{"file_id": "p1", "file_unique_id": "p1", "width": 90, "height": 90, "file_size": 100}]
    harness.emu.send_update({"message": {"from": {"id": A}, "photo": photo, "caption": "me at the park"}})
    await harness.expect(A, "Photos aren't shared in the circle")
    harness.emu.send_update(
        {"message": {"from": {"id": A}, "voice": {"file_id": "v", "file_unique_id": "v", "duration": 3}}}
    )
    await harness.expect(A, "Voice messages aren't shared")
    harness.emu.send_update(
        {"message": {"from": {"id": A}, "contact": {"phone_number": "+919812345678", "first_name": "Ravi"}}}
    )
    await harness.expect(A, "Contacts aren't shared")
    harness.emu.send_update({"message": {"from": {"id": A}, "location": {"latitude": 18.5, "longitude": 73.8}}})
    await harness.expect(A, "Locations aren't shared")
    harness.emu.send_update(
        {
            "message": {
                "from": {"id": A},
                "sticker": {
                    "file_id": "s",
                    "file_unique_id": "s",
                    "width": 1,
                    "height": 1,
                    "is_animated": False,
                    "is_video": False,
                    "type": "regular",
                    "emoji": "🙏",
                },
            }
        }
    )
    await harness.expect(A, "Stickers aren't shared in this circle")
    _write(harness, A, "call me on 98123 45678 or @ravi_sharma_77")
    await harness.expect(A, "phone number, a username")
    # a forwarded message: only the words travel, never who it came from
    harness.emu.send_update(
        {
            "message": {
                "message_id": next(_next_id),
                "from": {"id": A},
                "text": "You are stronger than you think",
                "forward_origin": {
                    "type": "user",
                    "date": 1764000000,
                    "sender_user": {"id": 55555501, "is_bot": False, "first_name": "Kavita", "username": "kavita_x"},
                },
            }
        }
    )
    forwarded = await harness.expect(B, "stronger than you think")
    assert forwarded.text == f"🌿 {names[A]}: You are stronger than you think"
    await _later(harness)
    for chat in (B, C):
        assert not any("me at the park" in t or "98123" in t or "Kavita" in t for t in harness.texts(chat))


async def test_stickers_travel_as_their_emoji_where_the_centre_allows_them(harness: Harness) -> None:
    names = await _circle(harness, stickers=True)
    harness.emu.send_update(
        {
            "message": {
                "from": {"id": A},
                "sticker": {
                    "file_id": "s",
                    "file_unique_id": "s",
                    "width": 1,
                    "height": 1,
                    "is_animated": False,
                    "is_video": False,
                    "type": "regular",
                    "emoji": "🙏",
                },
            }
        }
    )
    relayed = await harness.expect(B, f"🌿 {names[A]}: 🙏")
    assert relayed.protect_content


async def test_flooding_is_limited_with_a_clear_message(harness: Harness) -> None:
    names = await _circle(harness)
    for n in range(11):
        _write(harness, A, f"line {n}")
    await harness.expect(A, "up to 10 a minute")
    await _later(harness, 17)
    assert sum(t.startswith(f"🌿 {names[A]}: line") for t in harness.texts(B)) == 10
    assert not any(t.endswith("line 10") for t in harness.texts(B))
    with harness.services.uow() as session:  # paced by due times, never a burst of ten into one chat
        due = sorted(
            row.due_at
            for row in session.exec(
                select(OutboxMessage).where(OutboxMessage.chat_id == B, OutboxMessage.purpose == "circle")
            )
        )[-10:]
    assert all(later - earlier >= timedelta(seconds=1) for earlier, later in pairwise(due))
    harness.clock.advance(minutes=1)
    _write(harness, A, "sorry, calmer now")
    await harness.expect(B, "calmer now")


# --- meetings, milestones, quiet members ------------------------------------------------------------


async def test_meeting_reminder_at_the_right_local_time_then_the_opener(harness: Harness) -> None:
    await _circle(harness, schedule="daily 19:00 60")
    harness.send(COUNSELLOR_ID, "/goal Noticing one trigger and one way through it")
    await harness.expect(COUNSELLOR_ID, "Session goal posted")
    goal = await harness.expect(A, f"🎯 {FACILITATOR} (facilitator): Today's session goal: Noticing one trigger")
    assert goal.protect_content
    harness.clock.set(datetime(2026, 11, 25, 13, 14, tzinfo=UTC))  # 18:44 in India
    await harness.tick()
    assert not any("meets at" in t for t in harness.texts(A))
    harness.clock.set(datetime(2026, 11, 25, 13, 15, tzinfo=UTC))  # 18:45: fifteen minutes before
    await harness.tick()
    for chat in (*PEOPLE, COUNSELLOR_ID):
        reminder = await harness.expect(chat, f"{CIRCLE} meets at 19:00 today (60 minutes)")
        assert "Noticing one trigger" in reminder.text
    harness.clock.set(datetime(2026, 11, 25, 13, 30, tzinfo=UTC))  # 19:00
    await harness.tick()
    opener = await harness.expect(B, f"{CIRCLE} is starting now")
    assert "one word for how you are arriving" in opener.text
    await harness.tick()
    assert sum("meets at" in t for t in harness.texts(B)) == 1
    # tomorrow: the next goal in the rotation, reminded at 18:45 local again
    harness.clock.set(datetime(2026, 11, 26, 13, 15, tzinfo=UTC))
    await harness.tick()
    tomorrow = await harness.expect(C, "meets at 19:00 today")
    assert "learning a coping skill" in tomorrow.text


async def test_a_milestone_is_shared_only_when_chosen_and_encouraged_anonymously(harness: Harness) -> None:
    names = await _circle(harness)
    with harness.services.uow() as session:
        member = session.exec(select(Member).where(Member.telegram_user_id == A)).one()
        member.sobriety_start = date(2026, 11, 18)  # seven days ago
        session.commit()
    harness.clock.set(datetime(2026, 11, 25, 14, 30, tzinfo=UTC))  # the 20:00 check-in
    await harness.tick()
    for label, then in (
        ("4 🙂", "How strong"),
        ("2", "Did any of these"),
        ("None today", "Have you used"),
        ("No", "Anything else"),
        ("Skip", "Thank you for checking in"),
    ):
        await harness.press(A, label)
        await harness.expect(A, then)
    await harness.expect(A, "7 days")
    await harness.expect(A, "share this milestone with your circle")
    assert not _copies(harness, B, "in recovery today")
    await harness.press(A, "Share with my circle")
    shared = await harness.expect(B, f"🎉 {names[A]}: 7 days in recovery today!")
    assert [label for label, _ in shared.buttons()] == ["👏", "🙏", "💪"]
    toast = await harness.press(B, "👏")
    assert "pseudonym" in toast
    cheer = await harness.expect(A, f"👏 {names[B]}: cheers you on")
    assert cheer.protect_content
    assert "already" in await harness.press(B, "👏")
    _assert_nobody_identified(harness)


async def test_quiet_members_get_one_gentle_invitation_and_facilitator_sees_health(harness: Harness) -> None:
    await _circle(harness)
    harness.clock.advance(days=13)
    await harness.tick()
    _write(harness, A, "Good morning all")  # A writes on day 13; B and C have been quiet since they joined
    await harness.expect(B, "Good morning all")
    harness.clock.set(datetime(2026, 12, 9, 16, 0, tzinfo=UTC))  # day 14, 21:30 in India: too late to nudge
    await harness.tick()
    assert not any("missed you" in t for t in harness.texts(B))
    harness.clock.set(datetime(2026, 12, 10, 5, 0, tzinfo=UTC))  # 10:30 the next morning
    await harness.tick()
    await harness.expect(B, "We've missed you")
    await harness.expect(C, "We've missed you")
    harness.clock.advance(hours=2)
    await harness.tick()
    assert sum("missed you" in t for t in harness.texts(B)) == 1
    assert not any("missed you" in t for t in harness.texts(A))
    harness.send(COUNSELLOR_ID, "/circle")
    health = await harness.expect(COUNSELLOR_ID, "Circle health")
    assert f"{CIRCLE}: 3/8 members" in health.text
    harness.send(B, "/circle")
    mine = await harness.expect(B, f"🌿 {CIRCLE}")
    assert "3 of 8 members" in mine.text


async def test_a_member_who_blocked_the_bot_is_marked_unreachable_and_their_counsellor_told_once(
    harness: Harness,
) -> None:
    names = await _circle(harness)
    harness.emu.set_blocked(C)
    _write(harness, A, "Is everyone okay tonight?")
    await harness.expect(B, "Is everyone okay tonight?")
    await _later(harness)
    await harness.tick()
    told = await harness.expect(COUNSELLOR_ID, f"{names[C]} (Imran Qureshi) seems to have blocked Saathi")
    assert "nothing was deleted" in told.text
    with harness.services.uow() as session:
        member = session.exec(select(Member).where(Member.telegram_user_id == C)).one()
        assert member.status == "unreachable"
        assert session.get(UnreachableNotice, member.id) is not None
    _write(harness, B, "I'm okay, thanks")
    await harness.expect(A, "I'm okay, thanks")
    await _later(harness)
    await harness.tick()
    assert sum("blocked Saathi" in t for t in harness.texts(COUNSELLOR_ID)) == 1


# --- the admin side -----------------------------------------------------------------------------------


async def test_assign_moves_members_respects_capacity_and_one_circle_at_most(harness: Harness) -> None:
    names = await _circle(harness, facilitated=False)
    admin.add_circle(harness.services, CENTRE, "Morning Circle", capacity=2, kind="alumni")
    assert admin.assign_to_circle(harness.services, CENTRE, names[A], "Morning Circle") == "Morning Circle"
    await harness.expect(A, "Welcome to Morning Circle, a alumni circle")
    admin.assign_to_circle(harness.services, CENTRE, names[B], "Morning Circle")
    await harness.expect(A, f"👋 {names[B]}: joined the circle")
    with pytest.raises(admin.AdminError, match="full"):
        admin.assign_to_circle(harness.services, CENTRE, names[C], "Morning Circle")
    rows = {row["name"]: row for row in admin.list_circles(harness.services, CENTRE)}
    assert (rows["Morning Circle"]["members"], rows[CIRCLE]["members"]) == (2, 1)
    # a member in one circle hears only that circle
    _write(harness, C, "Quiet here now")
    await _later(harness)
    assert not _copies(harness, A, "Quiet here now")
    # a counsellor can move someone from the bot too
    harness.send(COUNSELLOR_ID, f"/move {names[B]} {CIRCLE}")
    await harness.expect(COUNSELLOR_ID, f"{names[B]} is now in {CIRCLE}")
    assert "removed" in admin.remove_from_circle(harness.services, CENTRE, pseudonym=names[A])
    await harness.expect(A, "no longer in Morning Circle")
    assert "closed" in admin.remove_from_circle(harness.services, CENTRE, circle_name=CIRCLE)
    await harness.expect(C, f"{CIRCLE} has come to a close")


def test_circle_commands_from_the_command_line(
    tmp_path,
    monkeypatch: pytest.MonkeyPatch,  # type: ignore[no-untyped-def]
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path}/saathi.db")
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)
    assert main(["center", "add", "--name", CENTRE, "--timezone", "Asia/Kolkata"]) == 0
    assert main(["counsellor", "add", "--center", CENTRE, "--name", FACILITATOR, "--telegram-id", "9001"]) == 0
    assert (
        main(
            [
                "circle",
                "add",
                "--center",
                CENTRE,
                "--name",
                CIRCLE,
                "--facilitator",
                FACILITATOR,
                "--schedule",
                "weekly sat 11:00 90",
                "--capacity",
                "12",
            ]
        )
        == 0
    )
    assert main(["circle", "add", "--center", CENTRE, "--name", "Too big", "--capacity", "13"]) == 1
    assert main(["circle", "add", "--center", CENTRE, "--name", "Odd", "--schedule", "sometimes"]) == 1
    capsys.readouterr()
    assert main(["circle", "list", "--center", CENTRE]) == 0
    out = capsys.readouterr().out
    assert out.strip() == f"{CIRCLE}\tself_help\ten\t0\t12\t{FACILITATOR}\tweekly sat 11:00 90"
    assert main(["circle", "assign", "--center", CENTRE, "--member", "Lotus 1", "--circle", CIRCLE]) == 1
    assert "no member" in capsys.readouterr().err
    assert main(["circle", "remove", "--center", CENTRE, "--circle", CIRCLE]) == 0
    assert "closed" in capsys.readouterr().out
