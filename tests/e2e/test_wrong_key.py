"""A lost key degrades, never silences (issue 14): with the operator's override, a member who joined
under the old key still gets answers, check-ins and alerts reach the counsellor (their name shows as
[unreadable]); a member who joins under the new key gets everything as usual."""

from __future__ import annotations

from cryptography.fernet import Fernet
from sqlmodel import select

from storage import crypto
from storage.models import Checkin, OutboxMessage
from tests.e2e.conftest import COUNSELLOR_ID, EVENING_DUE, Harness

OLD_KEY, NEW_KEY = Fernet.generate_key().decode(), Fernet.generate_key().decode()


async def test_with_the_override_old_and_new_members_get_answers_checkins_and_alerts(harness: Harness) -> None:
    crypto.configure([OLD_KEY])
    await harness.restart_bot()  # the centre's first key
    harness.seed_centre()
    await harness.onboard(801, name="Ravi")
    harness.send(801, "a quiet morning")  # a message queued and sent under the old key
    await harness.settle()

    crypto.configure([NEW_KEY])  # the old key is lost; the operator started with the override
    await harness.restart_bot()
    await harness.onboard(802, name="Sunil")  # joins under the new key

    harness.send(801, "/craving")
    await harness.expect(801, "Cravings rise and fall")
    harness.send(801, "I want to kill myself tonight")
    await harness.expect(801, "You are not alone")
    alert = await harness.expect(COUNSELLOR_ID, "URGENT")
    assert "[unreadable]" in alert.text  # the old member's name, which the lost key wrote
    assert "kill myself" in alert.text  # what they wrote now, under the new key

    harness.clock.set(EVENING_DUE)
    await harness.tick()
    for user_id in (801, 802):
        await harness.expect(user_id, "How is your mood")
    with harness.services.uow() as session:
        assert len(session.exec(select(Checkin)).all()) == 2
        unreadable = [row for row in session.exec(select(OutboxMessage)) if row.payload.get("unreadable")]
    assert unreadable  # rows from before still exist, unchanged
    assert not any("[unreadable]" in text for user_id in (801, 802) for text in harness.texts(user_id))
