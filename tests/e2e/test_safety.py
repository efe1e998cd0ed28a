"""Escalation end to end: the member's words reach a named human, and keep escalating until acknowledged."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

from bot.services import admin
from sandbox.phones import wait_until
from storage.outbox.tables import OutboxMessage
from storage.safety.tables import AuditEntry, Escalation, EscalationEvent
from tests.e2e.conftest import COUNSELLOR_ID, Harness

BACKUP_ID = 9002


async def _with_backup(harness: Harness) -> None:
    harness.seed_centre()
    harness.phone(BACKUP_ID, "Farah")
    admin.add_counsellor(harness.services, "Asha Kendra", "Counsellor Farah", telegram_id=BACKUP_ID, backup=True)


def _escalations(harness: Harness) -> list[Escalation]:
    with harness.services.uow() as session:
        return list(session.exec(select(Escalation)).all())


async def test_urgent_note_alerts_the_named_counsellor_and_gives_the_member_helplines(harness: Harness) -> None:
    await _with_backup(harness)
    await harness.onboard(701, name="Ravi")
    await harness.check_in_to_note(701)
    harness.send(701, "honestly I don't want to live anymore")
    reply = await harness.expect(701, "You are not alone")
    assert "14416" in reply.text and "112" in reply.text
    assert any("call me" in label for label, _ in reply.buttons())
    alert = await harness.expect(COUNSELLOR_ID, "URGENT")
    assert "Ravi" in alert.text and "don't want to live" in alert.text and "Last 7 days" in alert.text
    assert [label for label, _ in alert.buttons()] == ["Acknowledge", "Resolved…", "Show history"]
    assert not harness.texts(BACKUP_ID)  # the backup hears nothing while the named counsellor has time
    (escalation,) = _escalations(harness)
    assert escalation.level == 3 and escalation.state == "open" and escalation.reasons


async def test_relapse_answer_is_a_concern_without_shame(harness: Harness) -> None:
    harness.seed_centre()
    await harness.onboard(702)
    await harness.check_in_to_note(702, used="Yes")
    await harness.press(702, "Skip")
    reply = await harness.expect(702, "A lapse is part of")
    assert "I've let your counsellor know" in reply.text
    alert = await harness.expect(COUNSELLOR_ID, "Concern")
    assert "used Yes" in alert.text
    (escalation,) = _escalations(harness)
    assert escalation.level == 2


async def test_no_acknowledgement_goes_to_the_backup_then_everyone(harness: Harness) -> None:
    await _with_backup(harness)
    await harness.onboard(703)
    harness.send(703, "I took too many pills")
    await harness.expect(COUNSELLOR_ID, "URGENT")
    harness.clock.advance(minutes=9)
    await harness.tick()
    assert not harness.texts(BACKUP_ID)
    harness.clock.advance(minutes=2)
    await harness.tick()
    backup_alert = await harness.expect(BACKUP_ID, "URGENT")
    assert "Nobody has acknowledged" in backup_alert.text
    harness.clock.advance(minutes=11)
    await harness.tick()
    await harness.expect(COUNSELLOR_ID, "Nobody has acknowledged")
    await harness.expect(BACKUP_ID, "Nobody has acknowledged")
    with harness.services.uow() as session:
        kinds = [e.kind for e in session.exec(select(EscalationEvent).order_by(EscalationEvent.id))]
    assert kinds.count("escalated") == 2 and kinds[0] == "created"


async def test_acknowledging_by_button_stops_re_escalation(harness: Harness) -> None:
    await _with_backup(harness)
    await harness.onboard(704)
    harness.send(704, "main khud ko khatam kar dunga")
    await harness.expect(COUNSELLOR_ID, "URGENT")
    await harness.press(COUNSELLOR_ID, "Acknowledge")
    await harness.expect(COUNSELLOR_ID, "acknowledged by Counsellor Meera")
    harness.clock.advance(minutes=30)
    await harness.tick()
    assert not harness.texts(BACKUP_ID)
    (escalation,) = _escalations(harness)
    assert escalation.state == "acknowledged" and escalation.acknowledged_by is not None
    harness.send(COUNSELLOR_ID, f"/resolve {escalation.id} Called him, safety plan agreed, session tomorrow")
    await harness.expect(COUNSELLOR_ID, "resolved")
    assert _escalations(harness)[0].state == "resolved"


async def test_a_counsellor_who_blocked_the_bot_is_skipped_at_once(harness: Harness) -> None:
    await _with_backup(harness)
    await harness.onboard(705)
    harness.emu.set_blocked(COUNSELLOR_ID)
    harness.send(705, "I want to kill myself tonight")
    await harness.expect(705, "You are not alone")
    await harness.expect(BACKUP_ID, "URGENT")  # the clock stands still: no waiting for the 10-minute deadline
    status = admin.status(harness.services)
    assert status["staff_unreachable"] == 1


async def test_restart_between_escalation_row_and_send_delivers_the_alert_once(harness: Harness) -> None:
    harness.seed_centre()
    await harness.onboard(706)
    assert harness.saathi is not None and harness.saathi.sender is not None
    await harness.saathi.sender.stop()  # the process dies after storing, before sending
    harness.send(706, "I want to end my life")
    await wait_until(lambda: len(_escalations(harness)) == 1)
    await harness.stop_bot()
    await harness.start_bot()
    await harness.expect(COUNSELLOR_ID, "URGENT")
    await harness.tick()
    assert sum("URGENT" in t for t in harness.texts(COUNSELLOR_ID)) == 1
    with harness.services.uow() as session:
        rows = session.exec(select(OutboxMessage).where(OutboxMessage.purpose == "escalation")).all()
    assert [r.status for r in rows] == ["sent"]


async def test_members_cannot_use_counsellor_commands_and_are_audited(harness: Harness) -> None:
    harness.seed_centre()
    await harness.onboard(707)
    harness.send(707, "/queue")
    await harness.expect(707, "not available")
    with harness.services.uow() as session:
        (entry,) = session.exec(select(AuditEntry)).all()
    assert entry.action == "refused:queue" and entry.staff_id is None


async def test_counsellor_queue_and_member_summary_are_audited(harness: Harness) -> None:
    harness.seed_centre()
    await harness.onboard(708, name="Kiran")
    harness.send(708, "I drank today, sorry")
    await harness.expect(COUNSELLOR_ID, "Concern")
    harness.send(COUNSELLOR_ID, "/queue")
    queue = await harness.expect(COUNSELLOR_ID, "Open escalations: 1")
    pseudonym = queue.text.split("·")[1].strip()
    harness.send(COUNSELLOR_ID, f"/member {pseudonym}")
    await harness.expect(COUNSELLOR_ID, "Kiran")
    with harness.services.uow() as session:
        actions = [e.action for e in session.exec(select(AuditEntry))]
    assert actions == ["view_queue", "view_member"]


async def test_an_edited_message_is_screened_again(harness: Harness) -> None:
    harness.seed_centre()
    await harness.onboard(709)
    base = {
        "message_id": 5000,
        "date": 1764000000,
        "chat": {"id": 709, "type": "private", "first_name": "Test"},
        "from": {"id": 709, "is_bot": False, "first_name": "Test"},
    }
    harness.emu.send_update({"message": {**base, "text": "feeling ok today"}})
    await harness.expect(709, "I'm here")
    harness.emu.send_update({"edited_message": {**base, "edit_date": 1764000060, "text": "I want to die"}})
    await harness.expect(COUNSELLOR_ID, "URGENT")
    (escalation,) = _escalations(harness)
    assert escalation.source == "edit" and escalation.source_message_id == 5000


async def test_ambiguous_words_get_gentle_follow_up_questions_that_set_the_level(harness: Harness) -> None:
    harness.seed_centre()
    await harness.onboard(710)
    # A passive wish the engine is unsure of (rule EN-PAS-001, watch with follow-up). "I wish I could
    # sleep and never wake up" no longer waits for the questions: the model reads it as urgent (issue 13),
    # since rounds 7 and 8 "sometimes I wish I was dead" too (0.72), and since round 9 (a lower urgent
    # threshold) the plain "I wish I was dead" as well (0.68). This one stays a question (below the ask line).
    harness.send(710, "better off dead maybe")
    await harness.expect(710, "May I ask a few short")
    await harness.expect(710, "wished you were dead")
    await harness.press(710, "Yes")
    await harness.expect(710, "thoughts of killing yourself")
    await harness.press(710, "No")
    await harness.expect(710, "prepared to do anything")
    await harness.press(710, "No")
    await harness.expect(COUNSELLOR_ID, "Concern")
    (escalation,) = _escalations(harness)
    assert escalation.level == 2 and escalation.source == "followup"
    assert timedelta(0) <= escalation.ack_deadline_at - harness.clock.now() <= timedelta(hours=4)


async def test_new_worrying_words_after_an_acknowledgement_still_reach_the_counsellor(harness: Harness) -> None:
    harness.seed_centre()
    await harness.onboard(711)
    harness.send(711, "I want to kill myself")
    await harness.expect(COUNSELLOR_ID, "kill myself")
    await harness.press(COUNSELLOR_ID, "Acknowledge")
    await harness.expect(COUNSELLOR_ID, "acknowledged by")
    harness.send(711, "I have the pills in my hand now")
    update = await harness.expect(COUNSELLOR_ID, "pills in my hand")
    assert "URGENT" in update.text
    assert len(_escalations(harness)) == 1  # one escalation, its record growing
