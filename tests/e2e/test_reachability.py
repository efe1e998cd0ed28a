"""Someone who blocked the bot: marked unreachable by the 403, reachable again once they write or press."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import select

from sandbox.phones import wait_until
from storage.circles.tables import UnreachableNotice
from storage.people.tables import Member, Staff
from tests.e2e.conftest import COUNSELLOR_ID, EVENING_DUE, Harness

MEMBER = 701


def _member(harness: Harness) -> Member:
    with harness.services.uow() as session:
        return session.exec(select(Member).where(Member.telegram_user_id == MEMBER)).one()


def _blocked_notices(harness: Harness) -> int:
    return sum(
        "blocked Saathi" in text or "can't be reached on Telegram" in text for text in harness.texts(COUNSELLOR_ID)
    )


async def _blocked_at_checkin(harness: Harness, when: datetime) -> None:
    """The member has blocked the bot: the check-in comes back 403 and they are marked unreachable."""
    harness.emu.set_blocked(MEMBER)
    harness.clock.set(when)
    await harness.tick()
    await wait_until(lambda: _member(harness).status == "unreachable", timeout=10)


async def test_a_member_who_unblocks_the_bot_and_writes_is_reachable_again(harness: Harness) -> None:
    """Issue 15: a member who unblocked the bot was never reachable again."""
    harness.seed_centre()
    await harness.onboard(MEMBER, name="Farid")
    await _blocked_at_checkin(harness, EVENING_DUE)
    harness.clock.set(EVENING_DUE + timedelta(hours=11))  # 07:00 next morning: the attendance scan tells
    await harness.tick()
    await wait_until(lambda: _blocked_notices(harness) == 1, timeout=10)

    harness.emu.set_blocked(MEMBER, False)
    harness.send(MEMBER, "hello, I'm back")
    await wait_until(lambda: _member(harness).status == "active", timeout=10)
    member = _member(harness)
    assert member.next_checkin_due_at == EVENING_DUE + timedelta(days=1)  # tonight's 20:00, as before
    with harness.services.uow() as session:
        assert session.get(UnreachableNotice, member.id) is None  # a later block is reported again
    harness.clock.set(EVENING_DUE + timedelta(days=1))
    await harness.tick()
    await harness.expect(MEMBER, "How is your mood")

    # blocked again: it is reported again (joining the watch notice still open in /queue), once
    await _blocked_at_checkin(harness, EVENING_DUE + timedelta(days=2))

    def told() -> bool:
        with harness.services.uow() as session:
            return session.get(UnreachableNotice, member.id) is not None

    harness.clock.set(EVENING_DUE + timedelta(days=2, hours=11))
    await harness.tick()
    await wait_until(told, timeout=10)
    harness.clock.set(EVENING_DUE + timedelta(days=3, hours=11))
    await harness.tick()
    assert _blocked_notices(harness) == 1  # the open notice was added to, not sent again


async def test_a_paused_member_who_comes_back_stays_paused_until_the_day_they_chose(harness: Harness) -> None:
    harness.seed_centre()
    await harness.onboard(MEMBER)
    with harness.services.uow() as session:
        member = session.exec(select(Member).where(Member.telegram_user_id == MEMBER)).one()
        member.status, member.paused_until = "unreachable", EVENING_DUE.date() + timedelta(days=3)
        session.commit()
    harness.send(MEMBER, "/start")  # what Telegram's "Restart" button sends after unblocking
    await harness.expect(MEMBER, "Welcome back")
    await wait_until(lambda: _member(harness).status == "paused", timeout=10)
    assert _member(harness).paused_until == EVENING_DUE.date() + timedelta(days=3)
    harness.send(MEMBER, "/settings")  # and from then on everything works as for any paused member
    await harness.expect(MEMBER, "Settings")


async def test_a_counsellor_who_unblocks_the_bot_gets_alerts_again(harness: Harness) -> None:
    harness.seed_centre()
    with harness.services.uow() as session:
        staff = session.exec(select(Staff).where(Staff.telegram_user_id == COUNSELLOR_ID)).one()
        staff.reachable = False  # what a 403 on an alert leaves behind
        session.commit()
    harness.send(COUNSELLOR_ID, "/queue")
    await harness.expect(COUNSELLOR_ID, lambda text: True)

    def reachable() -> bool:
        with harness.services.uow() as session:
            return session.exec(select(Staff).where(Staff.telegram_user_id == COUNSELLOR_ID)).one().reachable

    await wait_until(reachable, timeout=10)


async def test_a_press_on_a_checkin_button_brings_a_member_back(harness: Harness) -> None:
    harness.seed_centre()
    await harness.onboard(MEMBER)
    harness.clock.set(EVENING_DUE)
    await harness.tick()
    await harness.expect(MEMBER, "How is your mood")
    with harness.services.uow() as session:
        member = session.exec(select(Member).where(Member.telegram_user_id == MEMBER)).one()
        member.status = "unreachable"  # a 403 on a later message; they have unblocked the bot since
        session.commit()
    await harness.press(MEMBER, "4 🙂")
    await harness.expect(MEMBER, "How strong")
    await wait_until(lambda: _member(harness).status == "active", timeout=10)
