"""Counting days: check-in streaks, sober days and milestones.

All days are the member's *local* calendar dates (see
:func:`bot.domain.scheduling.local_date`); nothing here knows about clocks or
timezones.  A lapse resets the sober-day count but not the check-in streak:
showing up to check in after a hard day is exactly what we want to encourage.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

__all__ = ["MILESTONES", "MILESTONE_LATE_DAYS", "checkin_streak", "count_to_tell", "milestone_reached", "sober_days"]

MILESTONES: tuple[int, ...] = (1, 7, 30, 60, 90, 180, 365)
# A milestone is celebrated on its day, or at the member's first check-in after it when they did not
# check in that day, up to this many days late; older ones are history, not news.
MILESTONE_LATE_DAYS = 7

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

    The highest ``m`` in :data:`MILESTONES` with ``previous_days < m <= current_days`` that fell
    today or, when the member did not check in that day, less than :data:`MILESTONE_LATE_DAYS`
    ago. Because it compares against the last value the caller saw, a milestone is celebrated
    once. ``previous_days`` None means we were not counting yet (the first check-in, or a recovery
    date just set): only a milestone that falls on this very day is celebrated, so someone who
    joins on day 705 is not congratulated on "365 days" (they hear their count, see
    :func:`count_to_tell`). Callers must store ``current_days`` as the next ``previous_days`` even
    when it went down after a lapse, so milestones can be earned again.
    """
    if current_days is None:
        return None
    if previous_days is None:
        return current_days if current_days in MILESTONES else None
    reached = [m for m in MILESTONES if previous_days < m <= current_days and current_days - m < MILESTONE_LATE_DAYS]
    return max(reached, default=None)


def count_to_tell(previous_days: int | None, current_days: int | None) -> int | None:
    """The day count to tell the member when there is no milestone to celebrate: the first time we
    count (a member who joins after a milestone hears where they are), or when a milestone passed
    while we were not hearing from them. None when there is nothing to tell (an ordinary day, day 0)."""
    if not current_days or milestone_reached(previous_days, current_days) is not None:
        return None
    if previous_days is None:
        return current_days
    passed = any(previous_days < m <= current_days for m in MILESTONES)
    return current_days if passed else None
