"""The daily check-in over the emulator: buttons, typing, reminder, missed, restart, re-sent updates."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlmodel import select

from bot.delivery.sender import OutboxSender
from sandbox.phones import wait_until
from storage.checkins.tables import Checkin, CravingEvent
from storage.outbox.tables import OutboxMessage
from storage.people.tables import Member
from tests.e2e.conftest import EVENING_DUE, Harness


async def _due(harness: Harness) -> None:
    harness.clock.set(EVENING_DUE)
    await harness.tick()


async def test_full_checkin_by_buttons(harness: Harness) -> None:
    harness.seed_centre()
    await harness.onboard(601)
    await _due(harness)
    await harness.expect(601, "How is your mood")
    await harness.press(601, "4 🙂")
    await harness.expect(601, "How strong is any craving")
    await harness.press(601, "3")
    await harness.expect(601, "Did any of these")
    await harness.press(601, "Stress")
    await harness.press(601, "Loneliness")
    ticks = await harness.emu.wait_for_message(601, lambda m: any(t.startswith("✓ Lone") for t, _ in m.buttons()))
    assert [t for t, _ in ticks.buttons() if t.startswith("✓")] == ["✓ Stress", "✓ Loneliness"]
    await harness.press(601, "Done")
    await harness.expect(601, "Have you used")
    await harness.press(601, "No")
    await harness.expect(601, "Anything else")
    await harness.press(601, "Skip")
    summary = await harness.expect(601, "Thank you for checking in")
    assert "Something that may help today" in summary.text
    assert "1 day of check-ins in a row" in summary.text
    with harness.services.uow() as session:
        checkin = session.exec(select(Checkin)).one()
    assert (checkin.status, checkin.mood, checkin.craving, checkin.triggers, checkin.used) == (
        "completed",
        4,
        3,
        "loneliness,stress",
        "no",
    )
    assert checkin.coping_id
    # the answered question now shows the answer and has no buttons left
    mood_question = next(m for m in harness.emu.messages(601) if "How is your mood" in (m.text or ""))
    assert "✓ 4" in mood_question.text and not mood_question.buttons()


async def test_full_checkin_by_typing_with_a_lapse_gets_no_shame(harness: Harness) -> None:
    harness.seed_centre()
    await harness.onboard(602)
    await _due(harness)
    await harness.expect(602, "How is your mood")
    harness.send(602, "seven")
    await harness.expect(602, "from 1 to 5")
    harness.send(602, "2")
    await harness.expect(602, "How strong")
    harness.send(602, "9")
    await harness.expect(602, "Did any of these")
    harness.send(602, "stress, money")
    await harness.expect(602, "Have you used")
    harness.send(602, "yes")
    await harness.expect(602, "Anything else")
    harness.send(602, "Fought with my brother, went to the old place")
    await harness.expect(602, "A lapse is part of")
    await harness.expect(602, "Thank you for checking in")
    with harness.services.uow() as session:
        checkin = session.exec(select(Checkin)).one()
        member = session.exec(select(Member).where(Member.telegram_user_id == 602)).one()
        cravings = session.exec(select(CravingEvent)).all()
    assert (checkin.mood, checkin.craving, checkin.used) == (2, 9, "yes")
    assert checkin.note and checkin.triggers == "money,stress"
    assert member.last_use_date == checkin.local_date
    assert [(c.strength, c.source) for c in cravings] == [(9, "checkin")]
    for text in harness.texts(602):
        assert "addict" not in text.lower() and "fail" not in text.lower()


async def test_reminder_once_then_missed_and_stale_buttons_answer_kindly(harness: Harness) -> None:
    harness.seed_centre()
    await harness.onboard(603)
    await _due(harness)
    await harness.expect(603, "How is your mood")
    harness.clock.set(datetime(2026, 11, 25, 16, 31, tzinfo=UTC))  # 22:01
    await harness.tick()
    await harness.expect(603, "gentle nudge")
    harness.clock.set(datetime(2026, 11, 25, 17, 31, tzinfo=UTC))
    await harness.tick()
    harness.clock.set(datetime(2026, 11, 25, 18, 31, tzinfo=UTC))  # 00:01 next day
    done = await harness.tick()
    assert done["missed"] == 1
    assert sum("gentle nudge" in t for t in harness.texts(603)) == 1
    toast = await harness.press(603, "3 😐")
    assert "has closed" in toast


async def test_restart_between_claim_and_send_delivers_each_checkin_exactly_once(harness: Harness) -> None:
    harness.seed_centre()
    for user_id in (611, 612, 613):
        await harness.onboard(user_id)
    await harness.stop_bot()

    harness.clock.set(EVENING_DUE)
    await harness.start_bot()
    assert harness.saathi is not None
    sender: OutboxSender = harness.saathi.sender  # type: ignore[assignment]
    await sender.stop()  # simulate: the process dies right after claiming
    harness.saathi.run_due_work()
    claimed = sender.claim()
    assert {row.chat_id for row in claimed} == {611, 612, 613}
    await harness.stop_bot()

    harness.clock.advance(minutes=2)  # the dead process's lease runs out
    await harness.start_bot()
    await harness.tick()
    for user_id in (611, 612, 613):
        await harness.expect(user_id, "How is your mood")
    await harness.tick()  # nothing more to claim
    for user_id in (611, 612, 613):
        assert sum("How is your mood" in t for t in harness.texts(user_id)) == 1
    with harness.services.uow() as session:
        assert len(session.exec(select(Checkin)).all()) == 3
        assert all(r.status == "sent" for r in session.exec(select(OutboxMessage)))


async def test_the_same_update_id_twice_is_handled_once(harness: Harness) -> None:
    harness.seed_centre()
    await harness.onboard(604)
    update_id = harness.send(604, "/help")
    await harness.expect(604, "Here's what I can do")
    harness.emu.resend_update(update_id)
    harness.send(604, "/craving")
    await harness.expect(604, "Cravings rise and fall")
    assert sum("Here's what I can do" in t for t in harness.texts(604)) == 1


async def test_craving_prompt_at_a_high_risk_time_and_the_toolkit(harness: Harness) -> None:
    harness.seed_centre()
    await harness.onboard(605, at="Morning")
    harness.send(605, "/settings")
    await harness.press(605, "High-risk times")
    await harness.press(605, "Evenings")
    await harness.press(605, "Done")
    await harness.expect(605, "I'll check on you at those times")
    harness.clock.set(datetime(2026, 11, 25, 13, 1, tzinfo=UTC))  # 18:31 IST
    await harness.tick()
    await harness.expect(605, "A short check")
    await harness.press(605, "7")
    await harness.expect(605, "Noted: craving 7/10")
    await harness.expect(605, "Cravings rise and fall")
    await harness.press(605, "Ask someone to reach out")
    await harness.expect(605, "asked your counsellor")
    alert = await harness.expect(9001, "would like someone to reach out")
    assert "7/10" in alert.text
    with harness.services.uow() as session:
        assert [(c.strength, c.source) for c in session.exec(select(CravingEvent))] == [(7, "prompt")]
    # 8 or more is a concern: the counsellor's queue gets it, the member a kind reply
    harness.send(605, "/craving")
    await harness.press(605, "9")
    await harness.expect(605, "you don't have to carry it alone")
    await harness.expect(9001, "Concern")


async def test_settings_language_time_pause_resume(harness: Harness) -> None:
    harness.seed_centre()
    await harness.onboard(606)
    harness.send(606, "/settings")
    await harness.press(606, "Check-in time")
    harness.send(606, "7:15 am")
    await harness.expect(606, "I'll check in at 07:15")
    harness.send(606, "/settings")
    await harness.press(606, "Pause check-ins")
    await harness.press(606, "3 days")
    await harness.expect(606, "paused until 28/11/2026")
    harness.send(606, "/settings")
    await harness.press(606, "Resume check-ins")
    await harness.expect(606, "Check-ins are on again")
    harness.send(606, "/settings")
    await harness.press(606, "Language")
    await harness.press(606, "मराठी")
    await harness.expect(606, lambda text: "मराठी" in text or "बोलेन" in text or "भाषा" in text)
    with harness.services.uow() as session:
        member = session.exec(select(Member).where(Member.telegram_user_id == 606)).one()
    assert (member.language, member.checkin_time, member.status) == ("mr", "07:15", "active")
    assert member.next_checkin_due_at == datetime(2026, 11, 26, 1, 45, tzinfo=UTC)


async def test_unsupported_media_and_unknown_commands_get_kind_answers(harness: Harness) -> None:
    harness.seed_centre()
    await harness.onboard(607)
    harness.emu.send_update(
        {
            "message": {
                "message_id": 999,
                "date": 1764000000,
                "chat": {"id": 607, "type": "private"},
                "from": {"id": 607, "is_bot": False, "first_name": "Test"},
                "sticker": {
                    "file_id": "x",
                    "file_unique_id": "x",
                    "width": 1,
                    "height": 1,
                    "is_animated": False,
                    "is_video": False,
                    "type": "regular",
                },
            }
        }
    )
    await harness.expect(607, "only read text")
    harness.send(607, "/doesnotexist")
    await harness.expect(607, "don't know that command")
    harness.send(607, "hello there")
    await harness.expect(607, "I'm here")


async def _delivered(harness: Harness, chat_id: int, purpose: str) -> None:
    """The question's row is marked sent (its Telegram message id known): a person reads it before answering."""

    def marked() -> bool:
        with harness.services.uow() as session:
            rows = session.exec(
                select(OutboxMessage).where(OutboxMessage.chat_id == chat_id, OutboxMessage.purpose == purpose)
            ).all()
        return bool(rows) and all(row.status == "sent" for row in rows)

    await wait_until(marked, timeout=10)


async def test_a_typed_answer_takes_the_buttons_off_its_question(harness: Harness) -> None:
    """Issue 15: old buttons stayed on screen after a typed answer and only said "no longer active"."""
    harness.seed_centre()
    await harness.onboard(603)
    await _due(harness)
    for question, purpose, typed, shown in (
        ("How is your mood", "checkin", "2", "✓ 2"),
        ("How strong", "ci_craving", "5", "✓ 5"),
        ("Did any of these", "ci_triggers", "stress, money", "✓ Stress, Money"),
        ("Have you used", "ci_use", "no", "✓ No"),
        ("Anything else", "ci_note", "a quiet evening", "✓ 📝"),
    ):
        await harness.expect(603, question)
        await _delivered(harness, 603, purpose)
        harness.send(603, typed)
        answered = await harness.emu.wait_for_message(
            603, lambda m, q=question: q in (m.text or "") and not m.buttons() and "✓" in (m.text or "")
        )
        assert shown in answered.text
    await harness.expect(603, "Thank you for checking in")
