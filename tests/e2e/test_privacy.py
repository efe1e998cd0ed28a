"""The member's data rights over the emulator: /mydata sends a JSON file about them alone;
/forget asks first, then erases them, takes their circle words off peers' phones, tells the
counsellor and closes an open alert; afterwards the account is a stranger."""

from __future__ import annotations

import json
from datetime import timedelta

from sqlmodel import func, select

from bot.services import admin
from sandbox.phones import wait_until
from storage.checkins.tables import Checkin, CravingEvent
from storage.circles.tables import CircleMessage
from storage.outbox.tables import OutboxMessage
from storage.people.tables import Member
from storage.safety.tables import AuditEntry, Escalation, EscalationEvent
from tests.e2e.conftest import COUNSELLOR_ID, Harness

CENTRE = "Asha Kendra"
CIRCLE = "Evening Circle"
A, B = 81234501, 81234502
PEOPLE = {A: ("Ravi", "Sharma", "ravi_sharma_77"), B: ("Sunita", "Deshpande", "sunita_d")}
NOTE = "My brother's wedding is on Sunday and I am scared"

_next_id = iter(range(5000, 100000))


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


async def _later(h: Harness, seconds: int = 3) -> None:
    for _ in range(seconds):
        h.clock.advance(seconds=1)
        await h.settle()


async def _two_members(h: Harness, *, circle: bool = False) -> dict[int, Member]:
    h.seed_centre(CENTRE)
    if circle:
        admin.add_circle(h.services, CENTRE, CIRCLE)
    for user_id in PEOPLE:
        await _join(h, user_id, h.invite(CENTRE, circle_name=CIRCLE if circle else None))
    if circle:
        await h.tick()
        await _later(h, 6)
    return _members(h)


def _members(h: Harness) -> dict[int, Member]:
    with h.services.uow() as session:
        return {m.id or 0: m for m in session.exec(select(Member))}


def _by_telegram(h: Harness, user_id: int) -> Member:
    with h.services.uow() as session:
        member = session.exec(select(Member).where(Member.telegram_user_id == user_id)).one()
        session.expunge(member)
        return member


def _add_history(h: Harness, member: Member, *, escalation: bool = False) -> None:
    now = h.clock.now()
    with h.services.uow() as session:
        session.add(
            Checkin(
                member_id=member.id or 0,
                local_date=now.date() - timedelta(days=1),
                status="completed",
                due_at=now - timedelta(days=1),
                closes_at=now,
                completed_at=now - timedelta(hours=20),
                mood=2,
                craving=6,
                triggers="stress",
                used="no",
                note=NOTE,
            )
        )
        session.add(
            CravingEvent(
                member_id=member.id or 0,
                strength=7,
                trigger="stress",
                source="button",
                created_at=now - timedelta(hours=5),
            )
        )
        if escalation:
            session.add(
                Escalation(
                    member_id=member.id or 0,
                    center_id=member.center_id,
                    level=2,
                    reasons=[{"rule": "EN-USE-001", "category": "use", "matched": "drank today"}],
                    source="message",
                    excerpt="I drank today",
                    state="open",
                    ack_deadline_at=now + timedelta(hours=4),
                    created_at=now,
                )
            )
        session.commit()


async def test_mydata_sends_a_json_file_about_the_member_alone(harness: Harness) -> None:
    await _two_members(harness)
    a, b = _by_telegram(harness, A), _by_telegram(harness, B)
    _add_history(harness, a)
    # the counsellor looks at the member's summary: that view is in the access log
    harness.send(COUNSELLOR_ID, f"/member {a.pseudonym}")
    await harness.expect(COUNSELLOR_ID, a.pseudonym)

    harness.send(A, "/mydata")

    def sent() -> bool:
        return any(m.document is not None for m in harness.emu.messages(A))

    await wait_until(sent, timeout=60)
    message = next(m for m in harness.emu.messages(A) if m.document is not None)
    assert message.document is not None and (message.document.filename or "").endswith(".json")
    assert "everything Saathi keeps about you" in (message.caption or "")
    raw = message.document.content.decode("utf-8")
    data = json.loads(raw)
    assert data["profile"]["pseudonym"] == a.pseudonym
    assert data["profile"]["display_name"] == "Ravi Sharma"
    assert [c["note"] for c in data["checkins"]] == [NOTE]
    assert data["cravings"][0]["strength"] == 7
    views = [e for e in data["access_log"] if e["action"] == "view_member"]
    assert views and views[0]["by"] == "Counsellor Meera" and views[0]["at"]
    assert data["consents"] and data["consents"][0]["accepted"] is True
    # nobody else: not the other member's name, username, Telegram id or pseudonym
    for secret in ("Sunita", "Deshpande", "sunita_d", str(B), b.pseudonym):
        assert secret not in raw
    await harness.settle()
    with harness.services.uow() as session:
        actions = session.exec(select(AuditEntry.action).where(AuditEntry.member_id == a.id)).all()
        row = session.exec(select(OutboxMessage).where(OutboxMessage.method == "document")).one()
    assert "export_data" in actions
    assert row.status == "sent" and "data" not in row.payload  # the bytes are not kept once delivered


async def test_forget_asks_first_then_erases_withdraws_copies_and_tells_the_counsellor(harness: Harness) -> None:
    await _two_members(harness, circle=True)
    a = _by_telegram(harness, A)
    _add_history(harness, a, escalation=True)
    harness.emu.send_update(
        {"message": {"message_id": next(_next_id), "from": {"id": A}, "text": "Rough evening, the old crowd called"}}
    )
    copy_b = await harness.expect(B, f"{a.pseudonym}: Rough evening")
    await _later(harness)

    harness.send(A, "/forget")
    ask = await harness.expect(A, "forget you?")
    assert len(ask.buttons()) == 2
    yes_data = next(data for label, data in ask.buttons() if label == "Yes, forget me")
    with harness.services.uow() as session:  # nothing happens before the confirmation
        assert session.get(Member, a.id).display_name == "Ravi Sharma"

    await harness.press(A, "Yes, forget me")
    await wait_until(lambda: "Saathi has forgotten you" in (ask.text or ""), timeout=60)  # the question, edited
    assert not ask.buttons()
    told = await harness.expect(COUNSELLOR_ID, "asked Saathi to forget them")
    assert a.pseudonym in told.text and "member asked to be forgotten" in told.text
    assert "Ravi" not in told.text
    await _later(harness)
    assert copy_b.deleted

    with harness.services.uow() as session:
        gone = session.get(Member, a.id)
        assert gone is not None
        assert gone.status == "left" and gone.display_name is None
        assert gone.telegram_user_id < 0 and gone.chat_id < 0 and gone.pseudonym != a.pseudonym
        (checkin,) = session.exec(select(Checkin).where(Checkin.member_id == a.id)).all()
        assert checkin.note is None and checkin.mood is None and checkin.status == "completed"
        (craving,) = session.exec(select(CravingEvent).where(CravingEvent.member_id == a.id)).all()
        assert craving.strength is None and craving.created_at is not None
        (escalation,) = session.exec(select(Escalation).where(Escalation.member_id == a.id)).all()
        assert escalation.state == "resolved" and escalation.resolution_note == "member asked to be forgotten"
        assert escalation.excerpt is None and "matched" not in json.dumps(escalation.reasons)
        assert session.exec(select(EscalationEvent).where(EscalationEvent.kind == "forgotten")).first()
        bodies = session.exec(select(CircleMessage.text).where(CircleMessage.member_id == a.id)).all()
        assert bodies and all(text is None for text in bodies)
        # no stored message anywhere still carries their words, name or Telegram id
        for row in session.exec(select(OutboxMessage)).all():
            stored = json.dumps(row.payload, ensure_ascii=False)
            assert "Rough evening" not in stored and NOTE not in stored and "Ravi" not in stored, row
            assert row.chat_id != A, row
        assert session.exec(select(func.count()).select_from(Member)).one() == 2

    # the account is now a stranger: an old button gets a kind answer, a message the stranger welcome
    before = len(harness.emu.callback_answers)
    harness.emu.press_button(A, ask.message_id, yes_data, strict=False)
    await wait_until(lambda: len(harness.emu.callback_answers) > before, timeout=60)
    assert "no data" in (harness.emu.callback_answers[-1].get("text") or "")
    harness.send(A, "hello")
    await harness.expect(A, "invite")


async def test_keeping_the_data_changes_nothing(harness: Harness) -> None:
    await _two_members(harness)
    harness.send(A, "/forget")
    ask = await harness.expect(A, "forget you?")
    await harness.press(A, "No, keep my data")
    await wait_until(lambda: "Nothing was erased" in (ask.text or ""), timeout=60)
    assert _by_telegram(harness, A).display_name == "Ravi Sharma"
