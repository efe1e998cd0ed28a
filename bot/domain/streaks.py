"""Counting days: check-in streaks, sober days and milestones.

All days are the member's *local* calendar dates (see
:func:`bot.domain.scheduling.local_date`); nothing here knows about clocks or
timezones.  A lapse resets the sober-day count but not the check-in streak:
showing up to check in after a hard day is exactly what we want to encourage.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

__all__ = ["MILESTONES", "checkin_streak", "milestone_reached", "sober_days"]

MILESTONES: tuple[int, ...] = (1, 7, 30, 60, 90, 180, 365)

_ONE_DAY = timedelta(days=1)


def checkin_streak(checkin_days: Iterable[date], today: date) -> int:
    """Consecutive local days with a completed check-in, ending today.

    If today has no check-in yet the streak still counts up to yesterday: the
    day isn't over, and telling someone at 9 a.m. that their streak is 0 would
    be both wrong and discouraging.  Days after ``today`` are ignored.
    """
    days = set(checkin_days)
    cursor = today if today in days else today - _ONE_DAY
    streak = 0
    while cursor in days:
        streak += 1
        cursor -= _ONE_DAY
    return streak


def sober_days(sobriety_start: date | None, last_use: date | None, today: date) -> int | None:
    """Whole days completed since the member's current sober start.

    The start is the later of ``sobriety_start`` and the day after
    ``last_use``, so a recorded lapse restarts the count without anyone having
    to edit the start date.  The start day itself is day 0 and the milestone
    "1 day" arrives the next morning.  None when neither date is known; a
    start in the future (a typo, a timezone edge) counts as 0, never negative.
    """
    starts = [d for d in (sobriety_start, last_use + _ONE_DAY if last_use else None) if d]
    if not starts:
        return None
    return max(0, (today - max(starts)).days)


def milestone_reached(previous_days: int | None, current_days: int | None) -> int | None:
    """The milestone to celebrate now, if any.

    The highest ``m`` in :data:`MILESTONES` with ``previous_days < m <=
    current_days``.  Because it compares against the last value the caller
    saw, a milestone is celebrated once, and a day on which the job didn't
    run doesn't lose it; when several are crossed at once only the highest is
    named.  ``previous_days`` None means nothing was known before (counts as
    0).  Callers must store ``current_days`` as the next ``previous_days``
    even when it went down after a lapse, so milestones can be earned again.
    """
    if current_days is None:
        return None
    previous = 0 if previous_days is None else previous_days
    reached = [m for m in MILESTONES if previous < m <= current_days]
    return max(reached, default=None)
