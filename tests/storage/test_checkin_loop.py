"""The check-in loop on a real database (SQLite, and PostgreSQL in CI)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy.exc import IntegrityError
from sqlmodel import select

from bot.services import checkins, member_settings
from bot.services.context import ServiceContext
from storage import repositories as repo
from storage.models import Checkin
from tests.storage.helpers import member, onboard, outbox, seed_centre


def test_due_scan_sends_one_checkin_per_member_per_local_day(services: ServiceContext, clock) -> None:
    seed_centre(services)
    for user_id in (101, 102, 103):
        onboard(services, user_id, at="evening")
    assert member(services, 101).next_checkin_due_at == datetime(2026, 11, 25, 14, 30, tzinfo=UTC)  # 20:00 IST

    clock.set(datetime(2026, 11, 25, 14, 29, tzinfo=UTC))
    assert checkins.run_due_checkins(services) == 0
    clock.set(datetime(2026, 11, 25, 14, 31, tzinfo=UTC))
    assert checkins.run_due_checkins(services) == 3
    assert checkins.run_due_checkins(services) == 0  # a second scan finds nothing due
    assert len(outbox(services, purpose="checkin")) == 3
    assert member(services, 101).next_checkin_due_at == datetime(2026, 11, 26, 14, 30, tzinfo=UTC)


def test_unique_key_makes_a_second_checkin_impossible(services: ServiceContext, clock) -> None:
    seed_centre(services)
    onboard(services, 101)
    clock.set(datetime(2026, 11, 25, 14, 31, tzinfo=UTC))
    checkins.run_due_checkins(services)
    with services.uow() as session:
        existing = session.exec(select(Checkin)).one()
        session.add(Checkin(member_id=existing.member_id, local_date=existing.local_date, due_at=clock.now(),
                            closes_at=clock.now()))
        try:
            session.commit()
        except IntegrityError:
            session.rollback()
        else:
            raise AssertionError("a second check-in for the same local day was stored")


def test_changing_time_after_todays_checkin_gives_the_next_one_tomorrow(services: ServiceContext, clock) -> None:
    clock.set(datetime(2026, 11, 25, 0, 0, tzinfo=UTC))  # 05:30 IST
    seed_centre(services)
    person = onboard(services, 101, at="morning")
    clock.set(datetime(2026, 11, 25, 2, 31, tzinfo=UTC))  # 08:01 IST
    assert checkins.run_due_checkins(services) == 1
    member_settings.set_time(services, person, typed="21:30")
    assert member(services, 101).next_checkin_due_at == datetime(2026, 11, 26, 16, 0, tzinfo=UTC)
    clock.set(datetime(2026, 11, 25, 16, 1, tzinfo=UTC))
    assert checkins.run_due_checkins(services) == 0


def test_changing_time_before_todays_checkin_moves_it_today(services: ServiceContext, clock) -> None:
    seed_centre(services)
    person = onboard(services, 101, at="morning")  # joined at 08:30 IST: first is tomorrow morning
    member_settings.set_time(services, person, typed="9pm")
    assert member(services, 101).next_checkin_due_at == datetime(2026, 11, 25, 15, 30, tzinfo=UTC)


def test_reminder_then_missed_at_end_of_local_day(services: ServiceContext, clock) -> None:
    seed_centre(services)
    onboard(services, 101, at="afternoon")
    clock.set(datetime(2026, 11, 25, 8, 31, tzinfo=UTC))  # 14:01 IST
    checkins.run_due_checkins(services)
    clock.advance(hours=1, minutes=59)
    assert checkins.run_reminders(services) == 0
    clock.advance(minutes=2)
    assert checkins.run_reminders(services) == 1
    assert checkins.run_reminders(services) == 0  # one reminder only
    clock.set(datetime(2026, 11, 25, 18, 29, tzinfo=UTC))  # 23:59 IST
    assert checkins.close_missed(services) == 0
    clock.set(datetime(2026, 11, 25, 18, 31, tzinfo=UTC))  # 00:01 IST next day
    assert checkins.close_missed(services) == 1
    with services.uow() as session:
        assert session.exec(select(Checkin)).one().status == "missed"


def test_downtime_skips_a_day_that_is_over_instead_of_sending_it_late(services: ServiceContext, clock) -> None:
    seed_centre(services)
    onboard(services, 101, at="evening")
    clock.set(datetime(2026, 11, 26, 5, 0, tzinfo=UTC))  # next morning: yesterday's 20:00 was missed while down
    assert checkins.run_due_checkins(services) == 0
    assert member(services, 101).next_checkin_due_at == datetime(2026, 11, 26, 14, 30, tzinfo=UTC)


def test_paused_member_gets_nothing_and_resumes_on_the_day(services: ServiceContext, clock) -> None:
    seed_centre(services)
    person = onboard(services, 101, at="evening")
    member_settings.pause(services, person, 2)
    clock.set(datetime(2026, 11, 25, 14, 31, tzinfo=UTC))
    assert checkins.run_due_checkins(services) == 0
    clock.set(datetime(2026, 11, 27, 0, 0, tzinfo=UTC))  # 05:30 IST on the 27th
    assert member_settings.run_resumes(services) == 1
    clock.set(datetime(2026, 11, 27, 14, 31, tzinfo=UTC))
    assert checkins.run_due_checkins(services) == 1


def test_last_14_days_of_mood_and_craving_is_one_query(services: ServiceContext, clock) -> None:
    seed_centre(services)
    onboard(services, 101)
    member_id = member(services, 101).id
    with services.uow() as session:
        for days_ago in range(20):
            day = (clock.now() - timedelta(days=days_ago)).date()
            session.add(Checkin(member_id=member_id, local_date=day, due_at=clock.now(), closes_at=clock.now(),
                                status="completed", mood=3, craving=days_ago % 10))
        session.commit()
        rows = repo.recent_checkins(session, member_id, clock.now().date())
    assert len(rows) == 14
    assert rows[0].local_date < rows[-1].local_date
