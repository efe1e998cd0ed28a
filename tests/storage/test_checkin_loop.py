"""The check-in loop on a real database (SQLite, and PostgreSQL in CI)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy.exc import IntegrityError
from sqlmodel import select

from bot.services import admin, checkins, member_settings, onboarding
from bot.services.context import Person, ServiceContext
from storage.checkins import queries as checkins_db
from storage.checkins.tables import Checkin, CravingEvent
from storage.outbox.tables import OutboxMessage
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
        session.add(
            Checkin(
                member_id=existing.member_id, local_date=existing.local_date, due_at=clock.now(), closes_at=clock.now()
            )
        )
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
            session.add(
                Checkin(
                    member_id=member_id,
                    local_date=day,
                    due_at=clock.now(),
                    closes_at=clock.now(),
                    status="completed",
                    mood=3,
                    craving=days_ago % 10,
                )
            )
        session.commit()
        rows = checkins_db.recent_checkins(session, member_id, clock.now().date())
    assert len(rows) == 14
    assert rows[0].local_date < rows[-1].local_date


def _due_checkin(services: ServiceContext, clock, user_id: int = 101) -> tuple[Person, int]:  # type: ignore[no-untyped-def]
    seed_centre(services)
    person = onboard(services, user_id)
    clock.set(datetime(2026, 11, 25, 14, 31, tzinfo=UTC))
    assert checkins.run_due_checkins(services) == 1
    with services.uow() as session:
        return person, session.exec(select(Checkin)).one().id or 0


def test_a_press_that_moves_on_writes_the_answer_and_both_replies(services: ServiceContext, clock) -> None:
    person, checkin_id = _due_checkin(services, clock)
    before = len(outbox(services, chat_id=101))
    assert checkins.answer_button(services, person, checkin_id, "mood", "4", message_id=77) is None
    assert checkins.answer_button(services, person, checkin_id, "crav", "3", message_id=78) is None
    assert checkins.answer_button(services, person, checkin_id, "trg", "stress", message_id=79) is None  # a tick
    with services.uow() as session:
        checkin = session.exec(select(Checkin)).one()
    assert (checkin.status, checkin.step, checkin.mood, checkin.craving, checkin.triggers) == (
        "in_progress",
        "triggers",
        4,
        3,
        "stress",
    )
    replies = outbox(services, chat_id=101)[before:]
    assert [(row.method, row.payload.get("message_id")) for row in replies] == [
        ("edit", 77),
        ("send", None),
        ("edit", 78),
        ("send", None),
        ("edit", 79),
    ]
    assert "✓ 4" in replies[0].payload["text"] and "buttons" not in replies[0].payload
    assert "How strong" in replies[1].payload["text"] and replies[1].payload["buttons"]
    assert replies[4].payload["buttons"][0][0][0].startswith("✓ ")  # the toggled trigger, redrawn


def test_a_strong_craving_by_button_is_recorded_and_the_last_answer_completes(services: ServiceContext, clock) -> None:
    person, checkin_id = _due_checkin(services, clock)
    for kind, raw in (("mood", "2"), ("crav", "9"), ("trgdone", None), ("use", "no"), ("note", "skip")):
        assert checkins.answer_button(services, person, checkin_id, kind, raw, message_id=5) is None
    with services.uow() as session:
        checkin = session.exec(select(Checkin)).one()
        cravings = session.exec(select(CravingEvent)).all()
    assert (checkin.status, checkin.craving, checkin.used) == ("completed", 9, "no")
    assert [(c.strength, c.source) for c in cravings] == [(9, "checkin")]
    assert any("Thank you for checking in" in row.payload["text"] for row in outbox(services, chat_id=101))


def test_a_press_on_a_checkin_another_worker_moved_on_is_stale_and_writes_nothing(
    services: ServiceContext, clock, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    person, checkin_id = _due_checkin(services, clock)
    before = len(outbox(services))
    real = checkins_db.pressed_checkin

    def read_then_another_worker_answers(session, *args):  # type: ignore[no-untyped-def]
        found = real(session, *args)
        with services.uow() as other:  # between our read and our write
            other.exec(select(Checkin)).one().step = "craving"
            other.commit()
        return found

    monkeypatch.setattr(checkins_db, "pressed_checkin", read_then_another_worker_answers)
    assert checkins.answer_button(services, person, checkin_id, "mood", "4", message_id=77) == "checkin-stale"
    with services.uow() as session:
        assert session.exec(select(Checkin)).one().mood is None
    assert len(outbox(services)) == before  # neither the edit nor the next question


def test_a_press_on_someone_elses_or_a_closed_checkin_is_refused(services: ServiceContext, clock) -> None:
    person, checkin_id = _due_checkin(services, clock)
    stranger = onboard(services, 102)
    assert checkins.answer_button(services, stranger, checkin_id, "mood", "4", message_id=1) == "button-expired"
    assert checkins.close_missed(services) == 0
    clock.set(datetime(2026, 11, 25, 19, 0, tzinfo=UTC))  # past midnight IST: the day is over
    assert checkins.close_missed(services) == 1
    assert checkins.answer_button(services, person, checkin_id, "mood", "4", message_id=1) == "checkin-stale"


def test_messages_enqueued_in_a_batch_are_stored_together_when_it_ends(services: ServiceContext) -> None:
    from bot.services import outbox as outbox_service

    now = datetime(2026, 11, 25, 14, 31, tzinfo=UTC)
    with services.uow() as session:
        with outbox_service.batched(session):
            assert outbox_service.enqueue(session, chat_id=5, text="one", now=now) is None
            with outbox_service.batched(session):  # nested: the outer batch stores it
                outbox_service.enqueue(session, chat_id=6, text="two", now=now)
            assert session.exec(select(OutboxMessage)).all() == []  # nothing yet
        assert [row.payload["text"] for row in session.exec(select(OutboxMessage).order_by(OutboxMessage.id))] == [
            "one",
            "two",
        ]
        single = outbox_service.enqueue(session, chat_id=7, text="three", now=now)  # outside: at once, with its id
        assert session.get(OutboxMessage, single) is not None
        session.commit()
    assert [row.chat_id for row in outbox(services)] == [5, 6, 7]


def _onboard_in_recovery_since(services: ServiceContext, user_id: int, since: date) -> Person:
    person = Person(telegram_user_id=user_id, chat_id=user_id, display_name="Test User", language_code="en")
    (invite,) = admin.create_invites(services, "Asha Kendra")
    onboarding.start(services, person, invite.code)
    assert onboarding.choose_language(services, person, "en")
    assert onboarding.answer_consent(services, person, True)
    assert onboarding.choose_time(services, person, preset="evening")
    assert onboarding.set_sobriety(services, person, since.isoformat())
    return person


def _complete_by_buttons(services: ServiceContext, person: Person) -> list[str]:
    """Today's check-in answered by presses; the texts the member was sent meanwhile."""
    before = len(outbox(services, chat_id=person.chat_id))
    with services.uow() as session:
        checkin_id = session.exec(select(Checkin.id).order_by(Checkin.id.desc())).first()  # type: ignore[union-attr]
    for kind, value in (("mood", "4"), ("crav", "2"), ("trgdone", None), ("use", "no"), ("note", None)):
        assert checkins.answer_button(services, person, checkin_id, kind, value, message_id=500) is None
    return [row.payload["text"] for row in outbox(services, chat_id=person.chat_id)[before:]]


def test_a_member_who_joins_after_a_milestone_hears_their_count_not_the_milestone(
    services: ServiceContext, clock
) -> None:
    seed_centre(services)
    today = date(2026, 11, 25)  # local date at the 20:00 check-in below
    person = _onboard_in_recovery_since(services, 101, today - timedelta(days=705))
    clock.set(datetime(2026, 11, 25, 14, 31, tzinfo=UTC))
    assert checkins.run_due_checkins(services) == 1
    texts = _complete_by_buttons(services, person)
    assert any("705 days in recovery so far" in text for text in texts), texts
    assert not any("365 days" in text or "🎉" in text for text in texts), texts
    # the next day is an ordinary day: nothing about milestones
    clock.set(datetime(2026, 11, 26, 14, 31, tzinfo=UTC))
    assert checkins.run_due_checkins(services) == 1
    texts = _complete_by_buttons(services, person)
    assert not any("in recovery" in text for text in texts), texts


def test_a_milestone_falling_on_the_first_checkin_is_celebrated(services: ServiceContext, clock) -> None:
    seed_centre(services)
    person = _onboard_in_recovery_since(services, 101, date(2026, 11, 25) - timedelta(days=30))
    clock.set(datetime(2026, 11, 25, 14, 31, tzinfo=UTC))
    checkins.run_due_checkins(services)
    texts = _complete_by_buttons(services, person)
    assert any("🎉 30 days in recovery" in text for text in texts), texts
    assert not any("so far" in text for text in texts), texts
