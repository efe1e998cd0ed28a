"""Pauses are remembered: a day paused after its check-in was sent is not a missed day, even later."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlmodel import select

from bot.domain.gaps import Day
from bot.services import attendance, checkins, member_settings
from bot.services.context import ServiceContext
from storage.outbox.tables import OutboxMessage
from storage.people.tables import Member, PausePeriod
from tests.storage.helpers import onboard, seed_centre


def _checkin_delivered_then_missed(services: ServiceContext, clock, day: int) -> None:
    """The 20:00 (India) check-in of 2026-11-<day> arrives and is never answered."""
    clock.set(datetime(2026, 11, day, 14, 31, tzinfo=UTC))
    assert checkins.run_due_checkins(services) == 1
    with services.uow() as session:
        for row in session.exec(select(OutboxMessage).where(OutboxMessage.status == "pending")):
            row.status = "sent"
        session.commit()


def _calendar(services: ServiceContext, today: date) -> dict[date, Day]:
    with services.uow() as session:
        member = session.exec(select(Member)).one()
        return attendance.calendar(session, member, today, date(2026, 11, 1))


def test_a_day_paused_after_its_checkin_was_sent_is_not_missed_once_the_pause_is_over(
    services: ServiceContext, clock
) -> None:
    """Issue 15: pausing after the day's check-in was sent still counted the day as missed."""
    clock.set(datetime(2026, 11, 24, 3, 0, tzinfo=UTC))
    seed_centre(services)
    person = onboard(services, 101, at="evening")
    _checkin_delivered_then_missed(services, clock, 24)  # a plain miss, before any pause
    _checkin_delivered_then_missed(services, clock, 25)
    clock.set(datetime(2026, 11, 25, 15, 30, tzinfo=UTC))  # 21:00: "pause for a day"
    member_settings.pause(services, person, 1)
    clock.set(datetime(2026, 11, 25, 18, 31, tzinfo=UTC))  # just after midnight: both days close
    checkins.close_missed(services)
    assert member_settings.run_resumes(services) == 1  # the 26th: active again
    with services.uow() as session:
        assert session.exec(select(Member)).one().status == "active"
        (pause,) = session.exec(select(PausePeriod)).all()
    assert (pause.starts_on, pause.ends_on) == (date(2026, 11, 25), date(2026, 11, 26))
    days = _calendar(services, date(2026, 11, 26))
    assert days[date(2026, 11, 24)] is Day.MISSED
    assert days[date(2026, 11, 25)] is Day.NEUTRAL


def test_making_a_pause_longer_keeps_one_pause(services: ServiceContext, clock) -> None:
    seed_centre(services)
    person = onboard(services, 101)
    member_settings.pause(services, person, 2)
    clock.advance(days=1)
    member_settings.pause(services, person, 5)
    member_settings.resume(services, person)
    with services.uow() as session:
        (pause,) = session.exec(select(PausePeriod)).all()
    assert (pause.starts_on, pause.ends_on) == (date(2026, 11, 25), date(2026, 11, 26))
