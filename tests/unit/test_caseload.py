"""The caseload's order, triggers named most often, and the weekly figures, from plain values."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from bot.domain.caseload import CaseloadRow, risk_key, top_triggers, weekly_figures

TODAY = date(2026, 3, 31)


def _row(name: str, **kw: object) -> CaseloadRow:
    values: dict[str, object] = {
        "member_id": 1,
        "pseudonym": name,
        "status": "active",
        "counsellor_id": None,
        "last_checkin": TODAY,
        "streak": 3,
        "missed_14": 0,
        "alert_level": None,
        "alert_state": None,
        "sponsor": None,
        "circle": None,
    }
    values.update(kw)
    return CaseloadRow(**values)  # type: ignore[arg-type]


def test_risk_order() -> None:
    rows = [
        _row("Calm 1"),
        _row("Missed 3", missed_14=3),
        _row("Acked urgent", alert_level=3, alert_state="acknowledged"),
        _row("Open concern", alert_level=2, alert_state="open"),
        _row("Open urgent", alert_level=3, alert_state="open"),
        _row("Never", last_checkin=None),
        _row("Missed 3 long ago", missed_14=3, last_checkin=TODAY - timedelta(days=9)),
    ]
    ordered = [r.pseudonym for r in sorted(rows, key=lambda r: risk_key(r, TODAY))]
    assert ordered == [
        "Open urgent",
        "Acked urgent",
        "Open concern",
        "Missed 3 long ago",
        "Missed 3",
        "Never",
        "Calm 1",
    ]


def test_top_triggers() -> None:
    answers = ["stress,people", None, "stress", "", "boredom,people,stress", "anger"]
    assert top_triggers(answers) == [("stress", 3), ("people", 2), ("anger", 1)]
    assert top_triggers([None, ""]) == []


def test_weekly_figures() -> None:
    raised = datetime(2026, 3, 25, 10, tzinfo=UTC)
    figures = weekly_figures(
        start=date(2026, 3, 23),
        checkin_statuses=["completed"] * 6 + ["missed"] * 2,
        member_statuses=["active", "active", "paused", "left", "unreachable", "onboarding"],
        alerts=[
            (3, raised, raised + timedelta(minutes=4)),
            (2, raised, raised + timedelta(minutes=30)),
            (2, raised, raised + timedelta(minutes=10)),
            (3, raised, None),
        ],
    )
    assert figures.end == date(2026, 3, 29)
    assert (figures.checkins_sent, figures.checkins_completed, figures.checkin_rate) == (8, 6, 0.75)
    assert (figures.members_active, figures.members_paused, figures.members_dropped) == (2, 1, 2)
    assert (figures.alerts, figures.alerts_urgent, figures.acknowledged) == (4, 2, 3)
    assert (figures.ack_median_minutes, figures.ack_longest_minutes) == (10.0, 30.0)
    empty = weekly_figures(start=date(2026, 3, 23), checkin_statuses=[], member_statuses=[], alerts=[])
    assert empty.checkin_rate is None and empty.ack_median_minutes is None
