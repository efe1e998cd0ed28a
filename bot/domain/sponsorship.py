"""Sponsors and mentees, the pure rules: who may sponsor, what a sponsor sees, reading commands.

A sponsor sees a mentee's pseudonym, whether they checked in each day and the streak: the
week row here is built from check-in *days* only, so no answer can reach it.

Standard library only: no Telegram, no database, no clock.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, timedelta

__all__ = [
    "DAY_DONE",
    "DAY_NOT_DONE",
    "DAY_TODAY_OPEN",
    "MAX_RELAY_CHARS",
    "SponsorPolicy",
    "parse_pseudonym",
    "parse_two_pseudonyms",
    "sponsor_eligible",
    "week_row",
]

DAY_DONE = "✅"
DAY_NOT_DONE = "⬜"
DAY_TODAY_OPEN = "⏳"  # today, not checked in yet: the day is not over, so it is not a "no"
# A relayed message is a short line plus the text; Telegram allows 4096 characters.
MAX_RELAY_CHARS = 3500
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@dataclass(frozen=True)
class SponsorPolicy:
    """A centre's settings for sponsors and missed check-ins (defaults when it set none)."""

    min_sponsor_days: int = 90
    max_mentees: int = 5
    sponsor_after_missed: int = 2
    counsellor_after_missed: int = 4
    summary_weekday: int = 6  # Sunday
    quiet_start: str = "22:00"
    quiet_end: str = "07:00"
    talk_wait_minutes: int = 30


def sponsor_eligible(sober_days: int | None, days_in_programme: int, min_days: int) -> bool:
    """A member may sponsor after ``min_days`` in recovery.

    The recovery count (sober days, reset by a recorded lapse) decides when the member
    gave it; a member who never did is judged by their days in the programme.
    """
    days = sober_days if sober_days is not None else days_in_programme
    return days >= min_days


def week_row(done_days: Collection[date], today: date, days: int = 7) -> str:
    """``✅ ✅ ✅ ⬜ ✅ ⬜ ⏳``: the last ``days`` local days, oldest first, ending today."""
    done = set(done_days)
    cells = []
    for offset in range(days - 1, -1, -1):
        day = today - timedelta(days=offset)
        if day in done:
            cells.append(DAY_DONE)
        else:
            cells.append(DAY_TODAY_OPEN if day == today else DAY_NOT_DONE)
    return " ".join(cells)


_PSEUDONYM = re.compile(r"^\s*([A-Za-z]+)\s*#?(\d{1,6})(?![\d])\s*(.*)$", re.DOTALL)


def parse_pseudonym(text: str) -> tuple[str, str] | None:
    """``"Lotus 7 you can do this"`` → ``("Lotus 7", "you can do this")``; also ``Lotus7``.

    Pseudonyms are one word and a number (see :mod:`bot.domain.pseudonyms`), so the rest
    of the line is the message. None when the text does not start with one.
    """
    match = _PSEUDONYM.match(text or "")
    if match is None:
        return None
    word, number, rest = match.groups()
    return f"{word.capitalize()} {int(number)}", rest.strip()


def parse_two_pseudonyms(text: str) -> tuple[str, str] | None:
    """``"Lotus 7 River 12"`` (or with a ``+``/``,``/``→`` between) → both pseudonyms."""
    first = parse_pseudonym(text)
    if first is None:
        return None
    rest = first[1].lstrip("+,→>- ")
    second = parse_pseudonym(rest)
    if second is None or second[1]:
        return None
    return first[0], second[0]


def parse_weekday(text: str) -> int | None:
    """``sun``/``Sunday`` → 6; None for anything else."""
    key = text.strip().lower()[:3]
    return WEEKDAYS.index(key) if key in WEEKDAYS else None
