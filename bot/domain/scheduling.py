"""When things are due, in the member's own local time.

Members live in one timezone (mostly Asia/Kolkata) but the bot runs on UTC and
some families are abroad, so every rule here is stated in *local* dates and
times and converted to timezone-aware UTC instants at the edge.  Nothing in
this module reads the clock: "now" is always passed in, which keeps every
function pure and lets tests play out DST changes and midnights exactly.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from types import MappingProxyType
from zoneinfo import ZoneInfo

__all__ = [
    "HIGH_RISK_WINDOWS",
    "PRESET_TIMES",
    "PromptWindow",
    "end_of_local_day",
    "is_quiet_hours",
    "local_date",
    "local_to_utc",
    "next_checkin_due",
    "next_craving_prompt_due",
    "parse_time_text",
    "reminder_due",
]

PRESET_TIMES: Mapping[str, time] = MappingProxyType(
    {"morning": time(8, 0), "afternoon": time(14, 0), "evening": time(20, 0)}
)

_ONE_DAY = timedelta(days=1)
_ONE_MICROSECOND = timedelta(microseconds=1)
# A local date can be skipped entirely (Pacific/Apia skipped 2011-12-30), so
# searches walk a few days rather than assuming "tomorrow" always exists.
_MAX_DAYS_AHEAD = 8


@lru_cache(maxsize=64)
def _zone(tz: str) -> ZoneInfo:
    """Cached ZoneInfo; raises ZoneInfoNotFoundError for an unknown name."""
    return ZoneInfo(tz)


def _require_aware(moment: datetime, name: str) -> datetime:
    """Reject naive datetimes: guessing their zone is how reminders drift by 5h30."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware, got naive {moment!r}")
    return moment.astimezone(UTC)


def local_date(now_utc: datetime, tz: str) -> date:
    """The calendar date the member sees on their phone at ``now_utc``."""
    return _require_aware(now_utc, "now_utc").astimezone(_zone(tz)).date()


def local_clock_time(now_utc: datetime, tz: str) -> str:
    """The wall-clock time ("07:00") of an instant in a time zone."""
    return _require_aware(now_utc, "now_utc").astimezone(_zone(tz)).strftime("%H:%M")


def local_to_utc(day: date, at: time, tz: str) -> datetime:
    """The UTC instant when the wall clock in ``tz`` shows ``at`` on ``day``.

    Around DST changes a wall-clock time can be ambiguous or missing:

    * folds (clocks go back, the time happens twice): the first occurrence,
      so a check-in is never sent an hour late;
    * gaps (clocks jump forward, the time never happens): the first valid
      instant after it, i.e. the moment the clocks jump, so the message is
      sent as close as possible to the time the member asked for.
    """
    zone = _zone(tz)
    naive = datetime.combine(day, at.replace(tzinfo=None, fold=0))
    first = naive.replace(tzinfo=zone, fold=0).astimezone(UTC)
    if first.astimezone(zone).replace(tzinfo=None) == naive:
        return first
    return _end_of_gap(naive, zone)


def _end_of_gap(naive: datetime, zone: ZoneInfo) -> datetime:
    """The instant the clocks jumped over the non-existent local time ``naive``.

    zoneinfo maps a missing time with fold=0 using the offset from before the
    jump (landing after the gap) and with fold=1 using the offset after it
    (landing before the gap), so the transition lies between the two; a binary
    search finds the first instant whose wall clock has reached ``naive``
    (to the microsecond: about 40 steps even for a whole skipped day).
    """
    late = naive.replace(tzinfo=zone, fold=0).astimezone(UTC)
    early = naive.replace(tzinfo=zone, fold=1).astimezone(UTC)
    low, high = min(early, late), max(early, late)
    # Invariant: wall(low) < naive <= wall(high).
    while high - low > _ONE_MICROSECOND:
        middle = low + (high - low) // 2
        if middle.astimezone(zone).replace(tzinfo=None) >= naive:
            high = middle
        else:
            low = middle
    return high


def end_of_local_day(day: date, tz: str) -> datetime:
    """The UTC instant of the local midnight that ends ``day``.

    Where midnight itself is skipped by a DST change, this is the first
    instant of the next day.
    """
    return local_to_utc(day + _ONE_DAY, time(0, 0), tz)


def next_checkin_due(
    now_utc: datetime,
    tz: str,
    at: time,
    last_checkin_local_date: date | None,
) -> datetime:
    """When the member's next daily check-in should be sent.

    The first instant at local time ``at`` that is not in the past and falls
    on a local date after the last check-in.  So a member who moves their time
    after today's check-in went out gets the next one tomorrow at the new time
    (never two in one day), while one who moves it later before today's was
    sent still gets it today.  A due time equal to ``now_utc`` counts as due.
    """
    now_utc = _require_aware(now_utc, "now_utc")
    day = local_date(now_utc, tz)
    if last_checkin_local_date is not None and day <= last_checkin_local_date:
        day = last_checkin_local_date + _ONE_DAY
    for _ in range(_MAX_DAYS_AHEAD):
        candidate = local_to_utc(day, at, tz)
        if candidate >= now_utc:
            return candidate
        day += _ONE_DAY
    raise AssertionError("no check-in time found within a week")  # pragma: no cover


def reminder_due(sent_at_utc: datetime, delay: timedelta, day: date, tz: str) -> datetime | None:
    """When to gently remind about an unanswered check-in, if at all.

    ``sent_at_utc + delay``, unless that falls at or after the end of the
    check-in's local ``day``: a reminder after midnight would be about
    "yesterday" and would wake people, so then there is none.
    """
    due = _require_aware(sent_at_utc, "sent_at_utc") + delay
    if due >= end_of_local_day(day, tz):
        return None
    return due


# --- High-risk craving prompts ----------------------------------------------


@dataclass(frozen=True)
class PromptWindow:
    """A recurring local time at which to ask "how is the craving right now?".

    ``weekdays`` uses ``date.weekday()`` numbering: Monday is 0, Sunday 6.
    """

    at: time
    weekdays: frozenset[int] = frozenset(range(7))


HIGH_RISK_WINDOWS: Mapping[str, PromptWindow] = MappingProxyType(
    {
        "evenings": PromptWindow(time(18, 30)),
        "nights": PromptWindow(time(22, 0)),
        "weekends": PromptWindow(time(11, 0), frozenset({5, 6})),
    }
)


def next_craving_prompt_due(now_utc: datetime, tz: str, windows: Collection[str]) -> datetime | None:
    """The next craving prompt strictly after ``now_utc`` across the chosen windows.

    None when no window is chosen.  Unknown window names are ignored rather
    than raised on, so a setting stored by an older or newer version of the
    bot can never stop the scheduler.
    """
    now_utc = _require_aware(now_utc, "now_utc")
    chosen = [HIGH_RISK_WINDOWS[name] for name in sorted(set(windows)) if name in HIGH_RISK_WINDOWS]
    if not chosen:
        return None
    today = local_date(now_utc, tz)
    days = (today + timedelta(days=offset) for offset in range(_MAX_DAYS_AHEAD + 1))
    candidates = (
        local_to_utc(day, window.at, tz) for day in days for window in chosen if day.weekday() in window.weekdays
    )
    return min((c for c in candidates if c > now_utc), default=None)


def is_quiet_hours(
    now_utc: datetime,
    tz: str,
    start: time = time(22, 0),
    end: time = time(7, 0),
) -> bool:
    """Whether it is night for the member, when non-urgent pings should wait.

    The window is ``start`` inclusive to ``end`` exclusive in local time and
    may wrap past midnight (22:00–07:00).  ``start == end`` means no quiet
    hours at all.
    """
    local = _require_aware(now_utc, "now_utc").astimezone(_zone(tz)).time().replace(tzinfo=None)
    start, end = start.replace(tzinfo=None), end.replace(tzinfo=None)
    if start == end:
        return False
    if start < end:
        return start <= local < end
    return local >= start or local < end


# --- Reading a time the member typed ------------------------------------------

# Words for parts of the day, in English, Hindi and Marathi (Devanagari and the
# Latin spellings people actually type).  Alone they pick a preset; with a
# number ("shaam 7", "सकाळी ८") they say whether it is a.m. or p.m.
_PERIOD_WORDS: Mapping[str, str] = MappingProxyType(
    {
        **dict.fromkeys(
            (
                "morning",
                "subah",
                "subha",
                "suba",
                "savere",
                "sawere",
                "सुबह",
                "सवेरे",
                "sakal",
                "sakaal",
                "sakali",
                "sakaali",
                "सकाळ",
                "सकाळी",
            ),
            "morning",
        ),
        **dict.fromkeys(
            (
                "afternoon",
                "dopahar",
                "dopehar",
                "dophar",
                "dupar",
                "dupari",
                "दोपहर",
                "दुपार",
                "दुपारी",
            ),
            "afternoon",
        ),
        **dict.fromkeys(
            (
                "evening",
                "shaam",
                "sham",
                "shām",
                "शाम",
                "sandhyakal",
                "sandhyakali",
                "sandhyakaal",
                "sandhyakaali",
                "संध्याकाळ",
                "संध्याकाळी",
            ),
            "evening",
        ),
        **dict.fromkeys(
            ("night", "raat", "rat", "ratri", "रात", "रात्र", "रात्री", "रात्रि"),
            "night",
        ),
    }
)
# Filler words around a time: "9 baje", "९ वाजता", "at 9 o'clock".
_FILLER_WORDS = frozenset(
    {"at", "o'clock", "oclock", "baje", "बजे", "vajta", "vajata", "वाजता", "वाजे", "ko", "को", "la", "ला"}
)
_CLOCK_RE = re.compile(r"^(\d{1,2})(?:\s*[:.]\s*(\d{2}))?$")
_COMPACT_RE = re.compile(r"^(\d{1,2})(\d{2})$")
_SPLIT_MERIDIEM_RE = re.compile(r"^(.*?)\s*(a\.?m\.?|p\.?m\.?)$")


def _ascii_digits(text: str) -> str:
    """Replace any Unicode decimal digit (Devanagari ४, etc.) with its ASCII twin."""
    return "".join(str(unicodedata.decimal(ch)) if ch.isdecimal() else ch for ch in text)


def _normalise(text: str) -> str:
    text = unicodedata.normalize("NFC", text).replace("\u200c", "").replace("\u200d", "")
    return " ".join(_ascii_digits(text).casefold().split())


def parse_time_text(text: str) -> time | None:
    """Read a daily check-in time the member typed, or None if it isn't one.

    Accepts 24-hour and 12-hour forms ("21:30", "21.30", "2130", "0930", "9",
    "9pm", "9:30 PM"), Devanagari digits ("२१:३०"), and part-of-day words in
    English, Hindi and Marathi: alone they pick the preset ("shaam" → 20:00),
    next to a number they disambiguate it ("शाम 7 बजे" → 19:00).
    """
    if not isinstance(text, str):
        return None
    words = _normalise(text).split()
    period = None
    clock_words = []
    for word in words:
        if word in _PERIOD_WORDS and period is None:
            period = _PERIOD_WORDS[word]
        elif word not in _FILLER_WORDS:
            clock_words.append(word)
    if not clock_words:
        return PRESET_TIMES.get(period) if period else None
    return _parse_clock(" ".join(clock_words), period)


def _parse_clock(text: str, period: str | None) -> time | None:
    meridiem = None
    match = _SPLIT_MERIDIEM_RE.match(text)
    if match and match.group(1):
        text, meridiem = match.group(1), "am" if match.group(2).startswith("a") else "pm"
    found = _CLOCK_RE.match(text) or _COMPACT_RE.match(text)
    if found is None:
        return None
    clock_hour, minute = int(found.group(1)), int(found.group(2) or 0)
    hour: int | None = clock_hour
    if meridiem is not None:
        hour = _apply_meridiem(clock_hour, meridiem)
    elif period is not None:
        hour = _apply_period(clock_hour, period)
    if hour is None or not (0 <= hour <= 23 and 0 <= minute <= 59):
        return None
    return time(hour, minute)


def _apply_meridiem(hour: int, meridiem: str) -> int | None:
    if not 1 <= hour <= 12:
        return None
    if meridiem == "am":
        return 0 if hour == 12 else hour
    return 12 if hour == 12 else hour + 12


def _apply_period(hour: int, period: str) -> int | None:
    """Turn "shaam 7" into 19 and "raat 2" into 2; 24-hour numbers pass through."""
    if hour > 12:
        return hour
    if period == "morning":
        return 0 if hour == 12 else hour
    if period == "night":
        # "raat 12 baje" is midnight and "raat 2 baje" the small hours.
        if hour == 12:
            return 0
        return hour if hour <= 4 else hour + 12
    # Afternoon and evening: "dopahar 12" is noon, "shaam 7" is 19:00.
    return 12 if hour == 12 else hour + 12
