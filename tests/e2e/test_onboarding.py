"""Onboarding over the emulator: the happy path and every bad-code case."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import col, select

from sandbox.phones import wait_until
from storage.outbox.tables import OutboxMessage
from storage.people.tables import ConsentRecord, InviteCode, Member
from tests.e2e.conftest import Harness


async def test_member_joins_by_invite_link_and_gets_a_pseudonym(harness: Harness) -> None:
    harness.seed_centre()
    await harness.onboard(501, name="Ravi")
    with harness.services.uow() as session:
        member = session.exec(select(Member)).one()
        consent = session.exec(select(ConsentRecord)).one()
    assert member.status == "active" and member.checkin_time == "20:00"
    assert "Ravi" not in member.pseudonym
    assert consent.accepted and consent.version and consent.language == "en"
    done = harness.texts(501)[-1]
    assert member.pseudonym in done and "20:00" in done
    # the main menu keyboard came with it
    assert harness.emu.messages(501)[-1].reply_markup["keyboard"]


async def test_bad_codes_get_kind_answers_and_change_nothing(harness: Harness) -> None:
    harness.seed_centre()
    phone = harness.phone(502, "Sita")
    harness.send(phone, "/start")
    await harness.expect(phone, "open the invite link")
    harness.send(phone, "/start NOSUCHCODE")
    await harness.expect(phone, "couldn't find that invite code")

    expired = harness.invite(expires_days=1)
    harness.clock.advance(timedelta(days=2))
    harness.send(phone, f"/start {expired}")
    await harness.expect(phone, "has expired")

    await harness.onboard(503, name="Kiran")
    with harness.services.uow() as session:
        used = session.exec(select(InviteCode).where(col(InviteCode.used_at).is_not(None))).one()
    harness.send(phone, f"/start {used.code}")
    await harness.expect(phone, "already been used")
    with harness.services.uow() as session:
        assert len(session.exec(select(Member)).all()) == 1


async def test_second_start_from_a_member_welcomes_back_without_using_the_code(harness: Harness) -> None:
    harness.seed_centre()
    await harness.onboard(504)
    spare = harness.invite()
    harness.send(504, f"/start {spare}")
    await harness.expect(504, "Welcome back")
    with harness.services.uow() as session:
        assert session.exec(select(InviteCode).where(InviteCode.code == spare)).one().used_at is None


async def test_not_now_stores_the_refusal_and_start_resumes(harness: Harness) -> None:
    harness.seed_centre()
    phone = harness.phone(505, "Anil")
    harness.send(phone, f"/start {harness.invite()}")
    await harness.press(phone, "English")
    await harness.expect(phone, "Who sees what")
    await harness.press(phone, "Not now")
    await harness.expect(phone, "completely okay")
    harness.send(phone, "/start")
    await harness.expect(phone, "pick up where we left off")
    await harness.expect(phone, "Who sees what")
    with harness.services.uow() as session:
        assert [c.accepted for c in session.exec(select(ConsentRecord))] == [False]
        assert session.exec(select(Member)).one().status == "onboarding"


async def test_onboarding_in_hindi_and_typed_time(harness: Harness) -> None:
    harness.seed_centre()
    phone = harness.phone(506, "Pooja", language_code="hi")
    harness.send(phone, f"/start {harness.invite()}")
    await harness.press(phone, "हिन्दी")
    consent = await harness.expect(phone, lambda text: "काउंसलर" in text)
    await harness.press(phone, consent.buttons()[0][0])
    await harness.expect(phone, "21:30")
    harness.send(phone, "साढ़े नौ")  # not a time: a kind correction, still in Hindi
    await harness.expect(phone, lambda text: "21:30" in text and text != harness.texts(phone)[-2])
    harness.send(phone, "21:30")
    await harness.expect(phone, "01/10/2026")
    harness.send(phone, "01/10/2026")
    await harness.expect(phone, "21:30")
    with harness.services.uow() as session:
        member = session.exec(select(Member)).one()
    assert member.language == "hi" and member.checkin_time == "21:30" and str(member.sobriety_start) == "2026-10-01"


async def test_staff_link_binds_the_counsellor_once(harness: Harness) -> None:
    from bot.services import admin

    admin.add_center(harness.services, "Asha Kendra", "Asia/Kolkata")
    _, link = admin.add_counsellor(harness.services, "Asha Kendra", "Counsellor Farah")
    assert link and link.startswith("https://t.me/saathi_demo_bot?start=staff-")
    code = link.split("start=")[1]
    staff_phone = harness.phone(9100, "Farah")
    harness.send(staff_phone, f"/start {code}")
    await harness.expect(staff_phone, "linked as counsellor at Asha Kendra")
    other = harness.phone(9101, "Someone")
    harness.send(other, f"/start {code}")
    await harness.expect(other, "not valid or was already used")


async def test_a_new_consent_version_is_asked_before_the_next_checkin(harness: Harness, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from datetime import UTC, datetime

    from bot.services import onboarding

    harness.seed_centre()
    await harness.onboard(520)
    await harness.onboard(521)
    monkeypatch.setattr(onboarding, "CONSENT_VERSION", "2027-01-01")
    harness.clock.set(datetime(2026, 11, 25, 14, 30, tzinfo=UTC))
    await harness.tick()
    for user_id in (520, 521):
        await harness.expect(user_id, "changed a little")
        assert not any("Time for today's check-in" in t for t in harness.texts(user_id))
    await harness.press(520, "I agree")
    await harness.expect(520, "continues at 20:00")
    await harness.press(521, "Not now")
    await harness.expect(521, "paused your check-ins")
    harness.clock.set(datetime(2026, 11, 26, 14, 30, tzinfo=UTC))
    await harness.tick()
    await harness.expect(520, "Time for today's check-in")
    assert not any("Time for today's check-in" in t for t in harness.texts(521))
    with harness.services.uow() as session:
        records = session.exec(select(ConsentRecord).where(ConsentRecord.version == "2027-01-01")).all()
        paused = session.exec(select(Member).where(Member.telegram_user_id == 521)).one()
    assert sorted(r.accepted for r in records) == [False, True]
    assert paused.status == "paused"  # not deleted


async def test_each_answered_onboarding_question_keeps_the_answer_ticked_and_loses_its_buttons(
    harness: Harness,
) -> None:
    """Issue 15: pressed and typed onboarding answers left the old buttons on screen."""
    harness.seed_centre()
    phone = harness.phone(507, "Meena")
    harness.send(phone, f"/start {harness.invite()}")
    await harness.expect(phone, "Which language")
    await harness.press(phone, "English")
    await harness.expect(phone, "Who sees what")
    await harness.press(phone, "I agree")
    await harness.expect(phone, "What time")

    def delivered() -> bool:  # a person reads the question before typing the answer
        with harness.services.uow() as session:
            row = session.exec(select(OutboxMessage).where(OutboxMessage.purpose == "ob_time")).one()
        return row.status == "sent"

    await wait_until(delivered, timeout=10)
    harness.send(phone, "21:30")
    await harness.expect(phone, "recovery began")
    await harness.press(phone, "Skip")
    await harness.expect(phone, "All set")
    for question, answer in (
        ("Which language", "✓ English"),
        ("Who sees what", "✓ I agree"),
        ("What time", "✓ 21:30"),
        ("recovery began", "✓ Skip"),
    ):
        message = await harness.emu.wait_for_message(
            phone, lambda m, q=question: q in (m.text or "") and not m.buttons()
        )
        assert message.text.endswith(answer), message.text
