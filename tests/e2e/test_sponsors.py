"""Sponsors end to end over the emulator with an injected clock: missed check-ins, /mentees, relays, /talk."""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlmodel import select

from bot.services import sponsor_admin
from sandbox.phones import DEADLINE, wait_until
from storage.outbox.tables import OutboxMessage, OutboxStatus
from storage.people.tables import Member
from storage.safety.tables import Escalation
from storage.sponsors.queries import sponsor_pseudonym
from storage.sponsors.tables import SponsorLink, TalkRequest
from tests.e2e.conftest import COUNSELLOR_ID, Harness

SPONSOR_ID, MENTEE_ID = 801, 811
IST = timedelta(hours=5, minutes=30)


def ist(day: int, hour: int, minute: int = 0) -> datetime:
    """A wall-clock time in India, ``day`` counted from 1 November 2026 (so 31 is 1 December), as UTC."""
    return datetime(2026, 11, 1, hour, minute, tzinfo=UTC) + timedelta(days=day - 1) - IST


async def at(harness: Harness, day: int, hour: int, minute: int = 0) -> None:
    harness.clock.set(ist(day, hour, minute))
    await harness.tick()


def member(harness: Harness, user_id: int) -> Member:
    with harness.services.uow() as session:
        return session.exec(select(Member).where(Member.telegram_user_id == user_id)).one()


def count(harness: Harness, chat_id: int, text: str) -> int:
    return sum(text in t for t in harness.texts(chat_id))


async def with_sponsor(harness: Harness, *, username: str | None = None) -> tuple[str, str]:
    """A centre, a volunteer sponsor (801) and a mentee (811) who agreed. Returns both pseudonyms."""
    harness.seed_centre()
    harness.emu.add_user(SPONSOR_ID, "Asha", username=username and "asha_volunteer")
    volunteer = sponsor_admin.add_volunteer(harness.services, "Asha Kendra", "Asha Deshpande", telegram_id=SPONSOR_ID)
    await harness.onboard(MENTEE_ID, name="Ravi")
    mentee = member(harness, MENTEE_ID).pseudonym
    sponsor_admin.link(harness.services, volunteer.pseudonym, mentee)
    ask = await harness.expect(MENTEE_ID, f"suggests {volunteer.pseudonym} as your sponsor")
    assert "Never your answers" in ask.text
    assert not harness.texts(SPONSOR_ID)  # nothing reaches the sponsor before the mentee agrees
    await harness.press(MENTEE_ID, "Yes, I'd like that")
    await harness.expect(SPONSOR_ID, f"You are now sponsoring {mentee}")
    return volunteer.pseudonym, mentee


async def miss_days(harness: Harness, first: int, last: int) -> None:
    """The check-in goes out at 20:00 each day and is left unanswered; the calendar is read at 07:00."""
    for day in range(first, last + 1):
        await at(harness, day, 20, 0)
        await at(harness, day + 1, 7, 0)


async def check_in(harness: Harness, user_id: int, *, note: str | None = None) -> None:
    """Each question is awaited before its button is pressed ("No" is also in "None today")."""
    await harness.expect(user_id, "How is your mood")
    await harness.press(user_id, "3 😐")
    await harness.expect(user_id, "How strong")
    await harness.press(user_id, "7")
    await harness.expect(user_id, "Did any of these")
    await harness.press(user_id, "None today")
    await harness.expect(user_id, "Have you used")
    await harness.press(user_id, "No")
    await harness.expect(user_id, "Anything else")
    if note is None:
        await harness.press(user_id, "Skip")
    else:
        harness.send(user_id, note)
    await harness.expect(user_id, "Thank you for checking in")


async def test_two_missed_days_ping_the_sponsor_once_then_the_counsellor_then_back_on_track(harness: Harness) -> None:
    sponsor, mentee = await with_sponsor(harness)
    with harness.services.uow() as session:  # what the counsellor's alert will show as "Sponsor:"
        assert sponsor_pseudonym(session, member(harness, MENTEE_ID).id or 0) == sponsor
    await miss_days(harness, 25, 25)
    assert count(harness, SPONSOR_ID, "hasn't checked in") == 0  # one missed day is nothing to worry about
    await miss_days(harness, 26, 26)
    ping = await harness.expect(SPONSOR_ID, f"{mentee} hasn't checked in for 2 days")
    assert [label for label, _ in ping.buttons()] == ["💬 Send this encouragement"]
    await miss_days(harness, 27, 28)  # 3 and 4 days: still one ping for this gap
    assert count(harness, SPONSOR_ID, "hasn't checked in") == 1
    alert = await harness.expect(COUNSELLOR_ID, "4 check-ins missed in a row")
    assert mentee in alert.text and "Ravi" in alert.text  # staff know who the member is
    with harness.services.uow() as session:
        (escalation,) = session.exec(select(Escalation)).all()
    assert (escalation.level, escalation.source) == (1, "attendance")

    # Back at 22:30: the check-in counts, but the sponsor's note waits for the morning.
    await at(harness, 29, 20, 0)
    harness.clock.set(ist(29, 22, 30))
    await check_in(harness, MENTEE_ID)
    await harness.settle()
    assert count(harness, SPONSOR_ID, "back on track") == 0
    await at(harness, 30, 7, 0)
    await harness.expect(SPONSOR_ID, f"{mentee} checked in again today — back on track")
    await harness.expect(COUNSELLOR_ID, f"{mentee} checked in again after 4 missed check-ins")
    await miss_days(harness, 30, 31)
    assert count(harness, SPONSOR_ID, "hasn't checked in") == 2  # a new gap is a new ping
    for text in harness.texts(SPONSOR_ID):
        assert "Ravi" not in text and str(MENTEE_ID) not in text


async def test_without_a_sponsor_the_counsellor_gets_the_two_day_notice(harness: Harness) -> None:
    harness.seed_centre()
    await harness.onboard(MENTEE_ID, name="Ravi")
    pseudonym = member(harness, MENTEE_ID).pseudonym
    await miss_days(harness, 25, 26)
    await harness.expect(COUNSELLOR_ID, f"{pseudonym} (Ravi) has missed 2 check-ins in a row and has no sponsor")
    await miss_days(harness, 27, 27)
    assert count(harness, COUNSELLOR_ID, "has missed") == 1


async def test_a_paused_member_is_not_counted_as_missing(harness: Harness) -> None:
    await with_sponsor(harness)
    harness.send(MENTEE_ID, "/settings")
    await harness.press(MENTEE_ID, "Pause check-ins")
    await harness.press(MENTEE_ID, "7 days")
    await harness.expect(MENTEE_ID, "paused until")
    await miss_days(harness, 25, 29)
    assert count(harness, SPONSOR_ID, "hasn't checked in") == 0
    assert not harness.texts(COUNSELLOR_ID)
    with harness.services.uow() as session:
        assert not session.exec(select(Escalation)).all()


async def test_a_check_in_that_never_arrived_is_not_a_miss_and_unreachable_goes_to_the_counsellor(
    harness: Harness,
) -> None:
    _, mentee = await with_sponsor(harness)
    harness.emu.set_blocked(MENTEE_ID)  # they blocked the bot: every check-in gets 403
    await miss_days(harness, 25, 28)
    assert count(harness, SPONSOR_ID, "hasn't checked in") == 0
    notice = await harness.expect(COUNSELLOR_ID, "can't be reached on Telegram")
    assert mentee in notice.text
    await miss_days(harness, 29, 29)
    assert count(harness, COUNSELLOR_ID, "can't be reached") == 1  # once, not every morning
    with harness.services.uow() as session:
        rows = session.exec(select(OutboxMessage).where(OutboxMessage.purpose == "checkin")).all()
    assert [r.status for r in rows] == ["dead"]


async def test_mentees_shows_days_and_streak_never_answers(harness: Harness) -> None:
    _, mentee = await with_sponsor(harness)
    await at(harness, 25, 20, 0)
    await check_in(harness, MENTEE_ID, note="argued with my father, felt like using")
    await harness.settle()
    harness.send(SPONSOR_ID, "/mentees")
    shown = await harness.expect(SPONSOR_ID, "last 7 days")
    assert f"{mentee}: ⬜ ⬜ ⬜ ⬜ ⬜ ⬜ ✅ · streak 1" in shown.text
    for secret in ("father", "using", "craving", "mood", "7/10", "3 😐", "Ravi"):
        assert secret not in shown.text
    # Sharing is the mentee's choice: a preview first, then exactly that.
    harness.send(MENTEE_ID, "/share")
    await harness.expect(MENTEE_ID, "exactly what")
    await harness.press(MENTEE_ID, "Share with my sponsor")
    shared = await harness.expect(SPONSOR_ID, f"{mentee} shared their check-in")
    assert "craving 7/10" in shared.text and "father" in shared.text
    # Sunday 09:00 (the centre's default day): the weekly summary, days and streak only.
    await at(harness, 29, 9, 0)
    weekly = await harness.expect(SPONSOR_ID, "Your weekly sponsor summary")
    assert f"{mentee}: ⬜ ⬜ ✅ ⬜ ⬜ ⬜ ⏳ · streak 0" in weekly.text and "father" not in weekly.text


async def test_a_swipe_reply_before_its_message_id_is_recorded_waits_and_reaches_the_thread(
    harness: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    """A member can reply to a relayed message the moment it arrives, before the sender has recorded its
    Telegram message id (a slow database, a busy machine: this failed a CI run). The reply waits a moment
    and then joins its thread; it must never be taken for ordinary text and lost to the sponsor."""
    caplog.set_level(logging.INFO, logger="bot.inbox")
    sponsor, mentee = await with_sponsor(harness)
    harness.send(SPONSOR_ID, f"/encourage {mentee} Thinking of you today")
    relayed = await harness.expect(MENTEE_ID, f"Your sponsor {sponsor}:")
    await harness.expect(SPONSOR_ID, f"Sent to {mentee}")
    relayed_row = select(OutboxMessage).where(
        OutboxMessage.chat_id == MENTEE_ID, OutboxMessage.telegram_message_id == relayed.message_id
    )

    def recorded_yet() -> bool:  # the sender records Telegram's answer just after the phone shows the message
        with harness.services.uow() as session:
            return session.exec(relayed_row).first() is not None

    await wait_until(recorded_yet, timeout=DEADLINE)
    with harness.services.uow() as session:  # back as the row was while Telegram's answer was on its way
        row = session.exec(relayed_row).one()
        row_id, recorded = row.id, row.telegram_message_id
        row.status, row.telegram_message_id = OutboxStatus.SENDING, None
        row.claimed_until = harness.clock.now() + timedelta(minutes=5)
        session.commit()
    harness.emu.send_text(MENTEE_ID, "Thank you, it was a hard day", reply_to_message_id=relayed.message_id)
    # until the bot has read the reply and put it off (each look is logged)
    await wait_until(lambda: any("waits a moment" in r.getMessage() for r in caplog.records), timeout=DEADLINE)
    with harness.services.uow() as session:  # the sender records Telegram's answer
        row = session.get(OutboxMessage, row_id)
        assert row is not None
        row.status, row.telegram_message_id, row.claimed_until = OutboxStatus.SENT, recorded, None
        session.commit()
    back = await harness.expect(SPONSOR_ID, f"{mentee} (you sponsor them):")
    assert "hard day" in back.text


async def test_encourage_and_reply_stay_anonymous_until_both_swap(harness: Harness) -> None:
    sponsor, mentee = await with_sponsor(harness, username="asha_volunteer")
    harness.emu.add_user(MENTEE_ID, "Ravi", username="ravi_kumar")
    harness.send(SPONSOR_ID, f"/encourage {mentee} Thinking of you today, you've got this")
    relayed = await harness.expect(MENTEE_ID, f"Your sponsor {sponsor}:")
    assert "you've got this" in relayed.text
    await harness.expect(SPONSOR_ID, f"Sent to {mentee}")
    # a swipe-reply goes back into the thread
    harness.emu.send_text(MENTEE_ID, "Thank you, it was a hard day", reply_to_message_id=relayed.message_id)
    back = await harness.expect(SPONSOR_ID, f"{mentee} (you sponsor them):")
    assert "hard day" in back.text
    harness.send(MENTEE_ID, "/reply call me on 98765 43210")
    await harness.expect(MENTEE_ID, "aren't passed on")
    for text in harness.texts(MENTEE_ID):
        assert "Asha" not in text and "asha_volunteer" not in text and str(SPONSOR_ID) not in text
    for text in harness.texts(SPONSOR_ID):
        assert "Ravi" not in text and "ravi_kumar" not in text and str(MENTEE_ID) not in text

    # Worrying words reach the counsellor, never the peer.
    harness.emu.send_text(MENTEE_ID, "honestly I want to end my life", reply_to_message_id=relayed.message_id)
    await harness.expect(MENTEE_ID, "You are not alone")
    await harness.expect(COUNSELLOR_ID, "URGENT")
    assert count(harness, SPONSOR_ID, "end my life") == 0

    # A message at night waits for the recipient's morning.
    harness.clock.set(ist(25, 23, 0))
    harness.send(SPONSOR_ID, f"/encourage {mentee} Sleep well")
    await harness.expect(SPONSOR_ID, "will reach them at 07:00")
    await harness.settle()
    assert count(harness, MENTEE_ID, "Sleep well") == 0
    await at(harness, 26, 7, 0)
    await harness.expect(MENTEE_ID, "Sleep well")

    # Swapping contacts takes both: the mentee asks, the sponsor agrees.
    harness.send(MENTEE_ID, "/sponsor")
    await harness.press(MENTEE_ID, "Swap Telegram contacts")
    await harness.expect(MENTEE_ID, "Until then nothing is shared")
    await harness.press(SPONSOR_ID, "Yes, share mine too")
    await harness.expect(MENTEE_ID, "@asha_volunteer")
    await harness.expect(SPONSOR_ID, "@ravi_kumar")


async def test_talk_to_a_sponsor_who_does_not_answer_goes_to_the_counsellor(harness: Harness) -> None:
    sponsor, mentee = await with_sponsor(harness)
    harness.send(MENTEE_ID, "💬 I need to talk")  # the menu button
    await harness.press(MENTEE_ID, f"My sponsor {sponsor}")
    await harness.expect(MENTEE_ID, "within 30 minutes")
    await harness.expect(SPONSOR_ID, f"{mentee} would like to talk")
    harness.clock.advance(minutes=29)
    await harness.tick()
    assert not harness.texts(COUNSELLOR_ID)
    harness.clock.advance(minutes=2)
    await harness.tick()
    offer = await harness.expect(COUNSELLOR_ID, "asked their sponsor to talk")
    assert "Ravi" in offer.text
    await harness.expect(MENTEE_ID, "so I've asked Counsellor Meera too")
    await harness.press(COUNSELLOR_ID, "Start chat")
    hello = await harness.expect(MENTEE_ID, "Counsellor Meera from your centre is here")
    assert "Reply to this message" in hello.text
    toast = await harness.press(SPONSOR_ID, "Start chat")
    assert "already answered" in toast
    harness.emu.send_text(MENTEE_ID, "I feel like giving up on everything", reply_to_message_id=hello.message_id)
    await harness.expect(COUNSELLOR_ID, f"{mentee}:")
    harness.send(COUNSELLOR_ID, "/reply I'm here. Can I call you in 10 minutes?")
    await harness.expect(MENTEE_ID, "Counsellor Meera (your counsellor):")
    with harness.services.uow() as session:
        (talk,) = session.exec(select(TalkRequest)).all()
    assert (talk.state, talk.accepted_by) == ("accepted", "staff")


async def test_a_few_sponsor_only_requests_gently_suggest_the_counsellor(harness: Harness) -> None:
    sponsor, mentee = await with_sponsor(harness)
    for _ in range(3):
        harness.send(MENTEE_ID, "/talk")
        await harness.press(MENTEE_ID, f"My sponsor {sponsor}")
        await harness.expect(MENTEE_ID, "I've asked")
        await harness.expect(SPONSOR_ID, "would like to talk")  # this request's button, not the last one's
        await harness.press(SPONSOR_ID, "Start chat")
        await harness.expect(SPONSOR_ID, "You're connected")
    await harness.settle()
    assert count(harness, MENTEE_ID, "A session with your counsellor could help too") == 1  # on the third
    await harness.press(MENTEE_ID, "Yes, ask my counsellor")
    await harness.expect(COUNSELLOR_ID, f"{mentee} (Ravi) would like a session")


async def test_counsellor_links_an_eligible_member_and_either_side_can_end_it(harness: Harness) -> None:
    harness.seed_centre()
    await harness.onboard(821, name="Sunil")
    await harness.onboard(822, name="Kiran")
    senior, newcomer = member(harness, 821).pseudonym, member(harness, 822).pseudonym
    harness.send(COUNSELLOR_ID, f"/sponsorlink {senior} {newcomer}")
    await harness.expect(COUNSELLOR_ID, "after 90 days in recovery")
    with harness.services.uow() as session:
        row = session.exec(select(Member).where(Member.telegram_user_id == 821)).one()
        row.sobriety_start = date(2026, 6, 1)
        session.add(row)
        session.commit()
    harness.send(COUNSELLOR_ID, f"/sponsorlink {senior} {newcomer}")
    await harness.expect(COUNSELLOR_ID, f"{newcomer} has been asked")
    await harness.press(822, "Yes, I'd like that")
    await harness.expect(821, f"You are now sponsoring {newcomer}")
    harness.send(821, "/mentees")
    await harness.press(821, f"End: {newcomer}")
    await harness.press(821, "Yes, end it")
    await harness.expect(822, f"{senior} has stepped back as your sponsor")
    await harness.expect(COUNSELLOR_ID, "has ended")
    with harness.services.uow() as session:
        (link,) = session.exec(select(SponsorLink)).all()
    assert (link.state, link.ended_by) == ("ended", "sponsor")
    harness.send(821, "/mentees")
    await harness.expect(821, "aren't sponsoring anyone")


async def test_a_volunteer_connects_with_a_one_time_code(harness: Harness) -> None:
    harness.seed_centre()
    volunteer = sponsor_admin.add_volunteer(harness.services, "Asha Kendra", "Farah Shaikh", language="hi")
    assert volunteer.code
    harness.phone(831, "Farah")
    harness.send(831, "/volunteer WRONG")
    await harness.expect(831, "couldn't find that volunteer code")
    harness.send(831, f"/volunteer {volunteer.code}")
    await harness.expect(831, volunteer.pseudonym)  # welcomed in Hindi, by the pseudonym mentees will see
    harness.send(831, f"/volunteer {volunteer.code}")
    await harness.expect(831, "कोड नहीं मिला")  # a code works once


def test_sponsor_commands_from_the_command_line(
    tmp_path,
    monkeypatch: pytest.MonkeyPatch,  # type: ignore[no-untyped-def]
    capsys: pytest.CaptureFixture[str],
) -> None:
    from bot.cli import main

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path}/saathi.db")
    monkeypatch.setenv("TELEGRAM_BOT_USERNAME", "asha_kendra_bot")
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)
    assert main(["center", "add", "--name", "Asha Kendra", "--timezone", "Asia/Kolkata"]) == 0
    assert main(["sponsor", "volunteer", "add", "--center", "Asha Kendra", "--name", "Farah Shaikh"]) == 0
    assert "/volunteer vol-" in capsys.readouterr().out
    assert (
        main(
            [
                "sponsor",
                "settings",
                "--center",
                "Asha Kendra",
                "--sponsor-after",
                "3",
                "--quiet",
                "23:00-06:00",
                "--summary-day",
                "mon",
            ]
        )
        == 0
    )
    assert "sponsor after 3 missed" in (out := capsys.readouterr().out) and "quiet 23:00-06:00" in out
    assert "weekly summary on mon" in out
    assert main(["sponsor", "settings", "--center", "Asha Kendra", "--max-mentees", "99"]) == 1
    assert main(["sponsor", "list", "--center", "Asha Kendra"]) == 0
    assert "volunteer Farah Shaikh [not connected yet]" in capsys.readouterr().out
    assert main(["sponsor", "link", "--sponsor", "Lotus 7", "--mentee", "River 12"]) == 1
    assert "no member 'River 12'" in capsys.readouterr().err
