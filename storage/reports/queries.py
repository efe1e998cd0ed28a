"""Read queries for the console's member page and reports: a member's window of days, a centre's week,
pseudonymous attendance. Plain rows, no ORM objects (a page reads hundreds of days)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from storage.checkins.tables import Checkin, CravingEvent
from storage.people.tables import Member, PausePeriod
from storage.safety.tables import Escalation, EscalationEvent
from storage.types import table_of


@dataclass(frozen=True)
class DayRow:
    """One check-in as the chart and calendar read it (no note)."""

    day: date
    status: str
    mood: int | None
    craving: int | None
    triggers: str | None
    used: str | None


@dataclass(frozen=True)
class EscalationRow:
    id: int
    level: int
    state: str
    step: int
    source: str
    created_at: datetime
    acknowledged_at: datetime | None
    resolved_at: datetime | None


def member_days(session: Session, member_id: int, since: date, until: date) -> list[DayRow]:
    """The member's check-ins from ``since`` to ``until`` (local days, both included), oldest first."""
    c = table_of(Checkin).c
    rows = session.execute(
        select(c.local_date, c.status, c.mood, c.craving, c.triggers, c.used)
        .where(c.member_id == member_id, c.local_date >= since, c.local_date <= until)
        .order_by(c.local_date)
    ).all()
    return [DayRow(*row) for row in rows]


def member_cravings(session: Session, member_id: int, since: datetime) -> list[tuple[datetime, int | None, str | None]]:
    """Cravings the member logged since ``since``: (when, strength, trigger)."""
    c = table_of(CravingEvent).c
    rows = session.execute(
        select(c.created_at, c.strength, c.trigger)
        .where(c.member_id == member_id, c.created_at >= since)
        .order_by(c.created_at)
    ).all()
    return [(row[0], row[1], row[2]) for row in rows]


def member_escalations(session: Session, member_id: int, limit: int = 20) -> list[EscalationRow]:
    """The member's escalations, newest first (levels, states and times; no words)."""
    e = table_of(Escalation).c
    rows = session.execute(
        select(e.id, e.level, e.state, e.step, e.source, e.created_at, e.acknowledged_at, e.resolved_at)
        .where(e.member_id == member_id)
        .order_by(e.created_at.desc(), e.id.desc())
        .limit(limit)
    ).all()
    return [EscalationRow(*row) for row in rows]


def escalation_notes(session: Session, member_id: int, limit: int = 20) -> list[tuple[int, str | None, str | None]]:
    """(escalation id, excerpt, resolution note) of the member's escalations, newest first: free text, shown
    to staff only after an explicit, audited click."""
    e = table_of(Escalation).c
    rows = session.execute(
        select(e.id, e.excerpt, e.resolution_note)
        .where(e.member_id == member_id)
        .order_by(e.created_at.desc(), e.id.desc())
        .limit(limit)
    ).all()
    return [(row[0], row[1], row[2]) for row in rows]


def checkin_notes(session: Session, member_id: int, since: date) -> list[tuple[date, str]]:
    """The member's check-in notes since ``since``, newest first (free text: audited views only)."""
    c = table_of(Checkin).c
    rows = session.execute(
        select(c.local_date, c.note)
        .where(c.member_id == member_id, c.local_date >= since, c.note.is_not(None))
        .order_by(c.local_date.desc())
    ).all()
    return [(day, note) for day, note in rows if note]


def pause_days(session: Session, member_id: int, since: date, until: date) -> set[date]:
    """Local days in ``since``…``until`` the member had paused."""
    p = table_of(PausePeriod).c
    rows = session.execute(
        select(p.starts_on, p.ends_on).where(
            p.member_id == member_id, p.starts_on <= until, (p.ends_on.is_(None)) | (p.ends_on > since)
        )
    ).all()
    days: set[date] = set()
    for starts, ends in rows:
        day = max(starts, since)
        last = min(ends - timedelta(days=1), until) if ends else until
        while day <= last:
            days.add(day)
            day += timedelta(days=1)
    return days


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=UTC)


@dataclass(frozen=True)
class WeekRows:
    checkin_statuses: list[str]
    member_statuses: list[str]
    alerts: list[tuple[int, datetime, datetime | None]]


def centre_week(session: Session, center_id: int, start: date) -> WeekRows:
    """What a centre's week summary counts: the week's check-in statuses, members' statuses now, and the
    alerts raised that week (level, raised, first acknowledged). Aggregated in SQL where it can be."""
    end = start + timedelta(days=6)
    c, m, e = table_of(Checkin).c, table_of(Member).c, table_of(Escalation).c
    status_counts = session.execute(
        select(c.status, func.count())
        .join_from(table_of(Checkin), table_of(Member), m.id == c.member_id)
        .where(m.center_id == center_id, c.local_date >= start, c.local_date <= end)
        .group_by(c.status)
    ).all()
    member_counts = session.execute(
        select(m.status, func.count()).where(m.center_id == center_id).group_by(m.status)
    ).all()
    alerts = session.execute(
        select(e.level, e.created_at, e.acknowledged_at).where(
            e.center_id == center_id,
            e.created_at >= _midnight(start),
            e.created_at < _midnight(end + timedelta(days=1)),
        )
    ).all()
    return WeekRows(
        checkin_statuses=[status for status, count in status_counts for _ in range(count)],
        member_statuses=[status for status, count in member_counts for _ in range(count)],
        alerts=[(level, raised, acked) for level, raised, acked in alerts],
    )


def attendance_rows(
    session: Session, center_id: int, since: date, until: date
) -> Iterator[tuple[str, date, str, bool]]:
    """(pseudonym, local day, check-in status, partly answered) of every check-in of the centre in the window,
    by pseudonym and day: the funders' attendance export (no names, no texts)."""
    c, m = table_of(Checkin).c, table_of(Member).c
    result = session.execute(
        select(m.pseudonym, c.local_date, c.status, c.mood.is_not(None))
        .join_from(table_of(Checkin), table_of(Member), m.id == c.member_id)
        .where(m.center_id == center_id, c.local_date >= since, c.local_date <= until)
        .order_by(m.pseudonym, c.local_date)
        .execution_options(yield_per=2000)
    )
    for pseudonym, day, status, answered in result:
        yield pseudonym, day, status, bool(answered)


def escalation_event_counts(session: Session, escalation_ids: list[int]) -> dict[int, int]:
    """How many events each escalation had (steps of the ladder, acknowledgements…)."""
    if not escalation_ids:
        return {}
    ev = table_of(EscalationEvent).c
    rows = session.execute(
        select(ev.escalation_id, func.count()).where(ev.escalation_id.in_(escalation_ids)).group_by(ev.escalation_id)
    ).all()
    return {escalation_id: int(count) for escalation_id, count in rows}
