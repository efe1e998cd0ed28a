"""A member who blocked the bot: their counsellor hears it once per block, whichever scan sees it first."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import pytest

from bot.services import admin, attendance, circles
from bot.services.context import ServiceContext
from storage.people.tables import Member
from storage.sponsors.tables import AttendanceWatch
from tests.storage.helpers import member, onboard, outbox, seed_centre

COUNSELLOR_CHAT = 9001
STEPS: dict[str, Callable[[ServiceContext], int]] = {
    "circles": circles.run_unreachable_notices,
    "attendance": attendance.run_attendance_scan,
}


@pytest.mark.parametrize("in_circle", [True, False])
@pytest.mark.parametrize("order", [("circles", "attendance"), ("attendance", "circles")])
def test_a_blocked_member_causes_one_counsellor_notice(
    services: ServiceContext, clock, order: tuple[str, str], in_circle: bool
) -> None:
    """Issue 15: the circles step and the attendance scan could each tell the counsellor."""
    seed_centre(services)
    onboard(services, 101)
    member_id = member(services, 101).id
    if in_circle:
        admin.add_circle(services, "Asha Kendra", "Evening Circle")
        admin.assign_to_circle(services, "Asha Kendra", member(services, 101).pseudonym, "Evening Circle")
    with services.uow() as session:
        row = session.get(Member, member_id)
        row.status = "unreachable"  # what a 403 leaves behind
        session.commit()
    clock.set(datetime(2026, 11, 26, 2, 0, tzinfo=UTC))  # 07:30 in India: the attendance watch is due
    with services.uow() as session:
        assert session.get(AttendanceWatch, member_id).next_scan_at <= clock.now()
    before = len(outbox(services, chat_id=COUNSELLOR_CHAT))
    for _ in range(2):  # and every scan after it
        for name in order:
            STEPS[name](services)
        clock.advance(days=1)
    assert len(outbox(services, chat_id=COUNSELLOR_CHAT)) - before == 1
