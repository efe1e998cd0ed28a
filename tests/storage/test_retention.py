"""Retention: old circle bodies and check-in notes are purged per centre; dates and counts stay."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

from bot.services import admin, retention
from bot.services.context import ServiceContext
from storage.circle_models import CircleMessage
from storage.models import Checkin, Circle, OutboxMessage
from tests.storage.helpers import member, onboard, seed_centre


def test_daily_purge_keeps_dates_and_removes_old_words(services: ServiceContext, clock) -> None:  # type: ignore[no-untyped-def]
    seed_centre(services)
    admin.configure_center(services, "Asha Kendra", retention_circle_days=30, retention_note_days=180)
    onboard(services, 4242)
    member_id = member(services, 4242).id
    now = clock.now()
    with services.uow() as session:
        circle = Circle(center_id=1, name="Evening", created_at=now)
        session.add(circle)
        session.flush()
        for days_ago, words in ((31, "an old share"), (2, "a fresh share")):
            session.add(CircleMessage(circle_id=circle.id, member_id=member_id, text=words,
                                      created_at=now - timedelta(days=days_ago)))
        for days_ago, note in ((181, "an old note"), (10, "a recent note")):
            day = (now - timedelta(days=days_ago)).date()
            session.add(Checkin(member_id=member_id, local_date=day, due_at=now, closes_at=now, status="completed",
                                note=note, mood=3))
        session.commit()
    counts = retention.purge_expired(services)
    assert counts["circle_bodies"] == 1 and counts["checkin_notes"] == 1
    assert sorted(m.text or "" for m in _rows(services, CircleMessage)) == ["", "a fresh share"]
    assert sorted(c.note or "" for c in _rows(services, Checkin)) == ["", "a recent note"]
    assert all(c.mood == 3 for c in _rows(services, Checkin))  # the answers' counts stay
    assert retention.purge_expired(services)["circle_bodies"] == 0  # a second run finds nothing


def test_delivered_message_text_is_removed_after_the_retention_period(services: ServiceContext, clock) -> None:  # type: ignore[no-untyped-def]
    seed_centre(services)
    onboard(services, 4343)
    with services.uow() as session:
        for row in session.exec(select(OutboxMessage)):
            row.status = "sent"
        session.commit()
    clock.advance(timedelta(days=31))
    assert retention.purge_expired(services)["outbox_texts"] > 0
    assert all(r.payload == {"text": ""} and r.purged_at for r in _rows(services, OutboxMessage))


def _rows(services: ServiceContext, model):  # type: ignore[no-untyped-def]
    with services.uow() as session:
        return list(session.exec(select(model)).all())
