"""The due scans that migration 0009 indexed still return exactly the due rows, oldest first."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlmodel import Session, select

from bot.services import attendance
from bot.services.context import ServiceContext
from storage.checkins import queries as checkins_db
from storage.checkins.tables import Checkin
from storage.circles import queries as circles_db
from storage.circles.tables import Circle, CircleMembership, UnreachableNotice
from storage.people import queries as people_db
from storage.people.tables import Center, Member
from storage.sponsors.tables import AttendanceWatch
from tests.storage.helpers import member, onboard, seed_centre


def _member(session: Session, n: int, status: str, **extra: object) -> Member:
    row = Member(
        center_id=extra.pop("center_id", 1),
        telegram_user_id=500 + n,
        chat_id=500 + n,
        pseudonym=f"Scan {n}",
        timezone="Asia/Kolkata",
        status=status,
        onboarding_step=None,
        created_at=extra.pop("now"),
        **extra,
    )
    session.add(row)
    session.flush()
    return row


def _checkin(session: Session, owner: Member, day: date, now: datetime, **values: object) -> Checkin:
    values.setdefault("closes_at", now + timedelta(hours=3))
    checkin = Checkin(member_id=owner.id or 0, local_date=day, due_at=now - timedelta(hours=3), **values)
    session.add(checkin)
    return checkin


def onboarded_counsellor(session: Session) -> int | None:
    return session.exec(select(Member.counsellor_id)).first()


def test_reminder_and_close_scans_return_only_due_rows(services: ServiceContext, clock) -> None:  # type: ignore[no-untyped-def]
    now = clock.now()
    today = now.date()
    with services.uow() as session:
        session.add(Center(name="Scan Kendra", timezone="Asia/Kolkata", created_at=now))
        session.flush()
        members = [_member(session, n, "active", now=now) for n in range(7)]
        due = _checkin(session, members[0], today, now, reminder_due_at=now - timedelta(minutes=1))
        _checkin(session, members[1], today, now, reminder_due_at=now + timedelta(minutes=1))  # not yet
        _checkin(
            session,
            members[2],
            today,
            now,
            reminder_due_at=now - timedelta(minutes=5),
            reminded_at=now - timedelta(minutes=4),
        )  # reminded already
        _checkin(
            session, members[3], today, now, reminder_due_at=now - timedelta(minutes=1), status="in_progress"
        )  # answering: no reminder
        late = _checkin(
            session, members[4], today - timedelta(days=1), now, status="pending", closes_at=now - timedelta(minutes=1)
        )
        later = _checkin(
            session,
            members[5],
            today - timedelta(days=1),
            now,
            status="in_progress",
            closes_at=now - timedelta(seconds=30),
        )
        _checkin(
            session, members[6], today - timedelta(days=1), now, status="completed", closes_at=now - timedelta(hours=1)
        )
        session.commit()
        assert [c.id for c in checkins_db.checkins_to_remind(session, now, 100)] == [due.id]
        assert [c.id for c in checkins_db.checkins_to_close(session, now, 100)] == [late.id, later.id]
        session.rollback()


def test_resume_and_unreachable_scans_return_only_due_members(services: ServiceContext, clock) -> None:  # type: ignore[no-untyped-def]
    now = clock.now()
    today = now.date()
    with services.uow() as session:
        session.add(Center(name="Scan Kendra", timezone="Asia/Kolkata", created_at=now))
        session.flush()
        resuming = _member(session, 1, "paused", now=now, paused_until=today)
        _member(session, 2, "paused", now=now, paused_until=today + timedelta(days=3))
        _member(session, 3, "active", now=now)
        told = _member(session, 4, "unreachable", now=now)
        untold = _member(session, 5, "unreachable", now=now)
        _member(session, 6, "unreachable", now=now)  # in no circle: the attendance scan reports them
        session.add(UnreachableNotice(member_id=told.id or 0, told_at=now))
        circle = Circle(center_id=1, name="Evening Circle", created_at=now)
        session.add(circle)
        session.flush()
        for in_circle in (told, untold):
            session.add(CircleMembership(circle_id=circle.id or 0, member_id=in_circle.id or 0, joined_at=now))
        session.commit()
        assert [m.id for m in people_db.paused_members_until(session, today, 100)] == [resuming.id]
        assert [m.id for m in circles_db.unreachable_without_notice(session, 100)] == [untold.id]
        session.rollback()


def test_onboarding_starts_the_attendance_watch_and_the_hourly_net_catches_the_rest(  # type: ignore[no-untyped-def]
    services: ServiceContext, clock
) -> None:
    seed_centre(services)
    onboard(services, 701)
    onboarded = member(services, 701).id
    now = clock.now()
    with services.uow() as session:
        assert session.get(AttendanceWatch, onboarded) is not None  # no wait for a scan
        # not onboarded through the bot, and unreachable: a scan that reads them writes their counsellor a notice
        seeded = _member(session, 9, "unreachable", now=now, center_id=1, counsellor_id=onboarded_counsellor(session))
        seeded_id = seeded.id
        session.commit()
    assert attendance.run_attendance_scan(services) == 0  # the per-minute scan reads due watches only
    with services.uow() as session:
        assert session.get(AttendanceWatch, seeded_id) is None
    assert attendance.watch_unwatched(services) == 1
    assert attendance.watch_unwatched(services) == 0
    with services.uow() as session:
        assert session.get(AttendanceWatch, seeded_id) is not None
    assert attendance.run_attendance_scan(services) == 1  # now watched, due at once: the notice
    assert attendance.run_attendance_scan(services) == 0  # once
