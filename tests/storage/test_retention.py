"""Retention: old circle bodies and check-in notes are purged per centre (dates and counts stay), resolved
escalations, craving logs and audit entries deleted after their limits."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

from bot.services import admin, retention
from bot.services.context import ServiceContext
from storage.checkins.tables import Checkin, CravingEvent
from storage.circles.tables import Circle, CircleMessage
from storage.outbox.tables import OutboxMessage
from storage.safety.tables import AuditEntry, Escalation, EscalationEvent
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
            session.add(
                CircleMessage(
                    circle_id=circle.id, member_id=member_id, text=words, created_at=now - timedelta(days=days_ago)
                )
            )
        for days_ago, note in ((181, "an old note"), (10, "a recent note")):
            day = (now - timedelta(days=days_ago)).date()
            session.add(
                Checkin(
                    member_id=member_id,
                    local_date=day,
                    due_at=now,
                    closes_at=now,
                    status="completed",
                    note=note,
                    mood=3,
                )
            )
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


def test_resolved_escalations_cravings_and_audit_entries_go_after_their_limits(services: ServiceContext, clock) -> None:  # type: ignore[no-untyped-def]
    """Issue 15: escalations, cravings and the audit log had no retention limit."""
    seed_centre(services)
    admin.configure_center(
        services, "Asha Kendra", retention_escalation_days=365, retention_craving_days=90, retention_audit_days=180
    )
    onboard(services, 4444)
    member_id = member(services, 4444).id
    now = clock.now()
    with services.uow() as session:
        for days_ago, state in ((400, "resolved"), (400, "open"), (400, "acknowledged"), (100, "resolved")):
            at = now - timedelta(days=days_ago)
            escalation = Escalation(
                member_id=member_id,
                center_id=1,
                level=2,
                reasons=[],
                source="message",
                state=state,
                resolved_at=at if state == "resolved" else None,
                created_at=at,
            )
            session.add(escalation)
            session.flush()
            session.add(EscalationEvent(escalation_id=escalation.id, kind="created", created_at=at))
        for days_ago in (91, 10):
            session.add(
                CravingEvent(
                    member_id=member_id, strength=8, source="toolkit", created_at=now - timedelta(days=days_ago)
                )
            )
        for days_ago, member_ref in ((181, member_id), (181, None), (20, member_id)):
            session.add(
                AuditEntry(
                    member_id=member_ref,
                    action="view",
                    actor_telegram_id=9001,
                    created_at=now - timedelta(days=days_ago),
                )
            )
        session.commit()
    counts = retention.purge_expired(services)
    assert (counts["escalations"], counts["cravings"], counts["audit_entries"]) == (1, 1, 2)
    assert sorted(e.state for e in _rows(services, Escalation)) == ["acknowledged", "open", "resolved"]
    assert len(_rows(services, EscalationEvent)) == 3  # the purged escalation's events went with it
    assert [(now - c.created_at).days for c in _rows(services, CravingEvent)] == [10]
    assert [(now - a.created_at).days for a in _rows(services, AuditEntry)] == [20]
    assert retention.purge_expired(services)["escalations"] == 0


def test_retention_settings_are_checked_and_shown(capsys, tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from bot.cli import main

    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'saathi.db'}")
    assert main(["center", "add", "--name", "Asha Kendra", "--timezone", "Asia/Kolkata"]) == 0
    assert main(["center", "set", "--name", "Asha Kendra", "--retention-audit-days", "10"]) == 1
    assert "--retention-audit-days must be between 30 and 3650" in capsys.readouterr().err
    assert main(["center", "set", "--name", "Asha Kendra", "--retention-craving-days", "120"]) == 0
    assert "resolved escalations 730 days, craving logs 120 days, audit log 730 days" in capsys.readouterr().out
