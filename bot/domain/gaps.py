"""Missed check-ins, read off a member's calendar: gaps, when to tell whom, and quiet hours.

Missed check-ins are the earliest sign of a dropout or a lapse, but only a check-in that
*arrived* and was left unanswered is a miss. A day the member had paused, a day the check-in
could not be delivered (403, retries exhausted) and a day no check-in was sent at all are
neutral: they neither count as a miss nor end a run of misses. Only a completed check-in
ends a gap.

Days are the member's *local* calendar dates (see :func:`bot.domain.scheduling.local_date`);
instants are timezone-aware UTC. Standard library only, nothing reads the clock.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import Enum

from bot.domain.scheduling import end_of_local_day, is_quiet_hours, local_date, local_to_utc

__all__ = [
    "Day",
    "Gap",
    "Notice",
    "Notified",
    "QuietHours",
    "Thresholds",
    "current_gap",
    "day_outcome",
    "next_scan_at",
    "next_weekly",
    "notices_due",
    "rate_dropped",
    "release_at",
    "same_gap",
    "suggest_counsellor",
]

_ONE_DAY = timedelta(days=1)


class Day(Enum):
    DONE = "done"
    MISSED = "missed"
    NEUTRAL = "neutral"  # paused, not delivered, nothing sent, or the day is not over yet


def day_outcome(*, checkin_status: str | None, delivered: bool, paused: bool, day_over: bool) -> Day:
    """What one local day says about attendance.

    A completed check-in always counts, even on a paused day. Otherwise a day is a miss only
    when a check-in was sent, actually arrived, the member was not paused and the day is over.
    """
    if checkin_status == "completed":
        return Day.DONE
    if checkin_status is None or paused or not delivered or not day_over:
        return Day.NEUTRAL
    return Day.MISSED


@dataclass(frozen=True)
class Gap:
    """A run of missed check-ins with no completed one after it."""

    start: date  # the first missed day of the run
    last: date  # the most recent missed day
    missed: int  # missed days in the run (neutral days in between are not counted)


def current_gap(days: Mapping[date, Day], today: date, horizon: date) -> Gap | None:
    """The gap the member is in now, walking back from ``today`` to ``horizon`` (inclusive).

    Days missing from ``days`` are neutral. A completed check-in ends the walk; None when
    nothing was missed since it.
    """
    missed, start, last = 0, None, None
    cursor = today
    while cursor >= horizon:
        outcome = days.get(cursor, Day.NEUTRAL)
        if outcome is Day.DONE:
            break
        if outcome is Day.MISSED:
            missed += 1
            start = cursor
            last = last or cursor
        cursor -= _ONE_DAY
    if missed == 0 or start is None or last is None:
        return None
    return Gap(start=start, last=last, missed=missed)


def same_gap(days: Mapping[date, Day], previous_start: date | None) -> bool:
    """Whether the gap remembered as starting on ``previous_start`` is still the current one.

    It is, unless a check-in was completed on or after that day. So a gap longer than the
    look-back window (whose computed start moves every day) is still recognised as one gap,
    and is reported once.
    """
    if previous_start is None:
        return False
    return not any(outcome is Day.DONE for day, outcome in days.items() if day >= previous_start)


# --- who is told -----------------------------------------------------------------------------


class Notice(Enum):
    SPONSOR = "sponsor"  # the sponsor: "X has not checked in for N days"
    COUNSELLOR = "counsellor"  # the same N-day notice, to the counsellor of a member without a sponsor
    DROPOUT = "dropout"  # the counsellor's dropout-risk notice (watch level)


@dataclass(frozen=True)
class Thresholds:
    sponsor_after: int = 2
    counsellor_after: int = 4


@dataclass(frozen=True)
class Notified:
    """What was already sent for the current gap."""

    sponsor: bool = False
    counsellor: bool = False
    dropout: bool = False


def notices_due(
    missed: int, notified: Notified, *, has_sponsor: bool, thresholds: Thresholds = Thresholds()
) -> frozenset[Notice]:
    """The notices to send now for a gap of ``missed`` days: each at most once per gap.

    Members without a sponsor: the counsellor gets the N-day notice instead. When the
    dropout notice goes out at the same moment, the N-day notice is left out: one message
    to the counsellor, not two.
    """
    due: set[Notice] = set()
    if missed >= thresholds.counsellor_after and not notified.dropout:
        due.add(Notice.DROPOUT)
    if missed >= thresholds.sponsor_after:
        if has_sponsor and not notified.sponsor:
            due.add(Notice.SPONSOR)
        elif not has_sponsor and not notified.counsellor and Notice.DROPOUT not in due:
            due.add(Notice.COUNSELLOR)
    return frozenset(due)


def rate_dropped(
    days: Mapping[date, Day],
    today: date,
    *,
    recent_days: int = 7,
    baseline_days: int = 21,
    min_baseline_rate: float = 0.6,
    min_drop: float = 0.4,
    min_recent: int = 4,
    min_baseline: int = 10,
) -> bool:
    """A sharp drop in the check-in rate: the last week against the three weeks before it.

    Rates are over days that count (neutral days are left out). A member who checked in
    most days (at least ``min_baseline_rate``) and whose rate fell by ``min_drop`` or more
    is drifting away even without a long run of misses (every other day, say). ``today``
    is not over and is not looked at.
    """

    def rate(first: date, last: date) -> tuple[int, float]:
        counted = [days.get(first + _ONE_DAY * i, Day.NEUTRAL) for i in range((last - first).days + 1)]
        scored = [d for d in counted if d is not Day.NEUTRAL]
        done = sum(1 for d in scored if d is Day.DONE)
        return len(scored), (done / len(scored) if scored else 0.0)

    recent_first = today - _ONE_DAY * recent_days
    recent_n, recent_rate = rate(recent_first, today - _ONE_DAY)
    base_n, base_rate = rate(recent_first - _ONE_DAY * baseline_days, recent_first - _ONE_DAY)
    if recent_n < min_recent or base_n < min_baseline or base_rate < min_baseline_rate:
        return False
    return base_rate - recent_rate >= min_drop - 1e-9


# --- quiet hours and when to look ------------------------------------------------------------


@dataclass(frozen=True)
class QuietHours:
    """Local night, when sponsor and member pings wait for the morning (start == end: none)."""

    start: time = time(22, 0)
    end: time = time(7, 0)


def release_at(moment: datetime, tz: str, quiet: QuietHours = QuietHours()) -> datetime:
    """``moment``, or the end of the recipient's quiet hours when it falls inside them."""
    if not is_quiet_hours(moment, tz, quiet.start, quiet.end):
        return moment
    day = local_date(moment, tz)
    for offset in range(3):
        candidate = local_to_utc(day + _ONE_DAY * offset, quiet.end, tz)
        if candidate > moment:
            return candidate
    raise AssertionError("quiet hours always end within two days")  # pragma: no cover


def next_scan_at(now: datetime, tz: str, quiet: QuietHours = QuietHours()) -> datetime:
    """When to look at a member's calendar next: once today is over, and not at night.

    With the default quiet hours that is 07:00 local the next morning, so yesterday's
    check-in has closed and any ping can go out at once.
    """
    return release_at(end_of_local_day(local_date(now, tz), tz), tz, quiet)


def next_weekly(now: datetime, tz: str, weekday: int, at: time = time(9, 0)) -> datetime:
    """The next ``weekday`` (0 Monday … 6 Sunday) at local ``at``, strictly after ``now``."""
    day = local_date(now, tz)
    for offset in range(15):
        candidate_day = day + _ONE_DAY * offset
        if candidate_day.weekday() != weekday:
            continue
        candidate = local_to_utc(candidate_day, at, tz)
        if candidate > now:
            return candidate
    raise AssertionError("a weekday comes round within two weeks")  # pragma: no cover


# --- asking for a human ----------------------------------------------------------------------

RELIANCE_REQUESTS = 3


def suggest_counsellor(
    sponsor_requests_this_week: int, counsellor_requests_this_week: int, suggested_this_week: bool
) -> bool:
    """Over-reliance on peers is a known risk: after a few sponsor-only requests in a week,
    suggest a session with the counsellor too (once a week, gently)."""
    return (
        sponsor_requests_this_week >= RELIANCE_REQUESTS
        and counsellor_requests_this_week == 0
        and not suggested_this_week
    )
