"""The console's figures about members, from plain values: risk order, triggers named most often, the
weekly centre summary. Standard library only; dates and instants come in as arguments."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from statistics import median

__all__ = [
    "CaseloadRow",
    "WeeklyFigures",
    "risk_key",
    "top_triggers",
    "weekly_figures",
]


@dataclass(frozen=True)
class CaseloadRow:
    """One member as the caseload lists them (pseudonymous: no name, no words they wrote)."""

    member_id: int
    pseudonym: str
    status: str
    counsellor_id: int | None
    last_checkin: date | None  # the last local day with a completed check-in
    streak: int  # consecutive completed days up to today (or yesterday)
    missed_14: int  # check-ins left unanswered in the last 14 days
    alert_level: int | None  # the open escalation's level (3 urgent, 2 concern), None without one
    alert_state: str | None  # open | acknowledged
    sponsor: str | None  # the sponsor's pseudonym
    circle: str | None


def risk_key(row: CaseloadRow, today: date) -> tuple[int, int, int, int, str]:
    """Sort key, most at risk first: an open (unacknowledged) alert by level, then an acknowledged one, then
    most check-ins missed in 14 days, then longest since the last check-in (never counts as longest)."""
    alert = row.alert_level or 0
    unacknowledged = 1 if row.alert_state == "open" else 0
    since = (today - row.last_checkin).days if row.last_checkin else 10_000
    return (-alert, -unacknowledged, -row.missed_14, -since, row.pseudonym.casefold())


def top_triggers(answers: Iterable[str | None], limit: int = 3) -> list[tuple[str, int]]:
    """The triggers named most often in check-ins (each answer a comma-separated list of trigger ids),
    with how often; ties in a stable order (by id)."""
    counts = Counter(t for answer in answers for t in (answer or "").split(",") if t)
    return sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:limit]


@dataclass(frozen=True)
class WeeklyFigures:
    """A centre's week: how many check-ins were answered and how alerts were met."""

    start: date
    end: date  # the last day, included
    checkins_sent: int
    checkins_completed: int
    checkin_rate: float | None  # completed / sent, None when none were sent
    members_active: int
    members_paused: int
    members_dropped: int  # left or unreachable
    alerts: int
    alerts_urgent: int
    acknowledged: int
    ack_median_minutes: float | None
    ack_longest_minutes: float | None


def weekly_figures(
    *,
    start: date,
    checkin_statuses: Sequence[str],
    member_statuses: Sequence[str],
    alerts: Sequence[tuple[int, datetime, datetime | None]],
) -> WeeklyFigures:
    """The week from ``start`` (seven days): ``checkin_statuses`` of that week's check-ins,
    ``member_statuses`` of the centre's members now, ``alerts`` raised that week as (level, raised,
    acknowledged or None)."""
    sent = len(checkin_statuses)
    completed = sum(1 for s in checkin_statuses if s == "completed")
    waits = [(acked - raised).total_seconds() / 60 for _level, raised, acked in alerts if acked is not None]
    return WeeklyFigures(
        start=start,
        end=start + timedelta(days=6),
        checkins_sent=sent,
        checkins_completed=completed,
        checkin_rate=round(completed / sent, 3) if sent else None,
        members_active=sum(1 for s in member_statuses if s == "active"),
        members_paused=sum(1 for s in member_statuses if s == "paused"),
        members_dropped=sum(1 for s in member_statuses if s in ("left", "unreachable")),
        alerts=len(alerts),
        alerts_urgent=sum(1 for level, _r, _a in alerts if level >= 3),
        acknowledged=len(waits),
        ack_median_minutes=round(median(waits), 1) if waits else None,
        ack_longest_minutes=round(max(waits), 1) if waits else None,
    )
