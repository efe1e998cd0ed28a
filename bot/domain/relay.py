"""Peer circles, the pure rules: what a relayed message looks like, flooding, contact details,
and when a circle meets.

The anonymity promise lives in :func:`build_relay`: it is the ONE function that builds every
text and button a circle member receives about another person, and it can only be given a
*speaker label* (a member's pseudonym, or a facilitator's staff name with the localised
"facilitator" mark) and the words to show. It has no parameter through which a Telegram id,
username, real name, phone number or photo could arrive, and the property tests in
``tests/unit/test_relay.py`` hold the services to that.

Standard library only: no Telegram, no database, no clock (``now`` is passed in).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from bot.domain.scheduling import local_date, local_to_utc
from bot.domain.textnorm import TLDS, contact_views

__all__ = [
    "DEFAULT_FLOOD_PER_MINUTE",
    "ENCOURAGEMENTS",
    "GOALS",
    "MAX_RELAY_CHARS",
    "OPENERS",
    "REMINDER_BEFORE",
    "RelayMessage",
    "Schedule",
    "ScheduleError",
    "build_relay",
    "contains_contact_details",
    "goal_for",
    "is_flooding",
    "next_meeting_start",
    "opener_for",
    "pace",
    "parse_schedule",
]

# What a circle member may tap under a milestone; the value is the emoji shown.
ENCOURAGEMENTS: dict[str, str] = {"clap": "👏", "pray": "🙏", "strong": "💪"}

# Session goals, rotated meeting by meeting (catalog ids ``circle-goal-<id>``).
GOALS: tuple[str, ...] = ("progress", "coping", "high_risk", "wins", "open")

# Openers at the start of a meeting, rotated (catalog ids ``circle-opener-<id>``).
OPENERS: tuple[str, ...] = (
    "checkin_word",
    "breathing_box",
    "small_win",
    "grounding",
    "breathing_478",
    "gratitude",
    "body_scan",
)

REMINDER_BEFORE = timedelta(minutes=15)
DEFAULT_FLOOD_PER_MINUTE = 10
FLOOD_WINDOW = timedelta(minutes=1)
# Telegram: about one message per second into one chat. The extra half second is margin for the
# outbox sender, which sends a due copy at its next poll (every 0.5 s when idle): two copies due
# 1 s apart could otherwise leave closer together and draw a 429.
PACE_MARGIN = timedelta(seconds=0.5)
PER_CHAT_GAP = timedelta(seconds=1) + PACE_MARGIN
# A channel's own interval (Capabilities.chat_interval: WhatsApp's pair rate is about 6 s) plus the same
# margin: copies are planned that far apart and wait as rows, never in the sender's lanes.
# A relayed copy is "🌿 Lotus 27: " + text and must fit Telegram's 4096 characters.
MAX_RELAY_CHARS = 3900

WEEKDAYS: tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_CLOCK = re.compile(r"^(\d{1,2})(?:[:.](\d{2}))?$")


# --- the one place a relayed message is built ----------------------------------------------


@dataclass(frozen=True)
class RelayMessage:
    text: str
    buttons: tuple[tuple[tuple[str, str], ...], ...] = ()

    def button_rows(self) -> list[list[tuple[str, str]]]:
        return [list(row) for row in self.buttons]


def build_relay(
    speaker: str, body: str, *, mark: str | None = None, icon: str = "🌿", buttons: Sequence[tuple[str, str]] = ()
) -> RelayMessage:
    """``"🌿 Lotus 27: text"``, or ``"🌿 Meera (facilitator): text"`` for a facilitator.

    ``speaker`` is a pseudonym or a staff name; ``mark`` the localised facilitator word;
    ``body`` what was said (or a localised line such as "30 days in recovery");
    ``buttons`` (label, callback data) pairs shown in one row, e.g. the encouragement emoji.
    Nothing else can reach a circle member's phone about another person.
    """
    label = " ".join(speaker.split())
    if mark:
        label = f"{label} ({mark})"
    text = f"{icon} {label}: {body.strip()}" if body.strip() else f"{icon} {label}"
    row = tuple((str(text_), str(data)) for text_, data in buttons)
    return RelayMessage(text=text, buttons=(row,) if row else ())


# --- what may not be relayed ---------------------------------------------------------------

_HANDLE = re.compile(r"(?<![\w@])@[A-Za-z][A-Za-z0-9_]{3,}")
_LINK = re.compile(r"(?:https?://|www\.)\S+|\b(?:t|telegram)\.me/\S+|\btg://\S+", re.IGNORECASE)
_EMAIL = re.compile(r"\b[\w.+-]+@[\w-]+\.[\w.-]+\b")
# On the forms with disguises undone (textnorm.contact_views), links and e-mails count only with a
# known top-level domain: "tired . Then" closes up to "tired.Then", which is nobody's address.
_TLD = "(?:" + "|".join(TLDS) + ")"
_VIEW_LINK = re.compile(
    rf"https?://\S+|\bwww\.\S+|\b(?:t|telegram|wa)\.me/\S+|\btg://\S+|\b[\w-]+\.{_TLD}/\S*", re.IGNORECASE
)
_VIEW_EMAIL = re.compile(rf"[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.{_TLD}\b", re.IGNORECASE)
_DIGITS = re.compile(r"\d+")
# Between the digit groups of a phone number: spaces, dots, dashes, brackets, commas, stars (at
# most three together). Not ":" or "/": "7:30" and "07/12/2026" are times and dates.
_PHONE_GAP = re.compile(r"[^\S\n]|[.\-()\[\],*·–—_+]")
PHONE_DIGITS = 10


def contains_contact_details(text: str) -> bool:
    """A phone number, @username, e-mail or link: ways to find a person outside the circle.

    Members may share whatever they like about their day, but a number or handle in a
    circle makes the anonymity of everyone in it one forward away from broken. Reads the text
    every filter reads (``textnorm.filter_text``: no zero-width characters), and the forms with
    the disguises undone (``name [at] gmail [dot] com``, ``t . me / name``, ``@ n a m e``).
    """
    base, *views = contact_views(text)
    if _has_phone_number(base) or _HANDLE.search(base) or _LINK.search(base) or _EMAIL.search(base):
        return True
    return any(_HANDLE.search(view) or _VIEW_LINK.search(view) or _VIEW_EMAIL.search(view) for view in views)


def _has_phone_number(text: str) -> bool:
    """Ten or more digits in groups separated by at most three spaces, dots, dashes or brackets."""
    digits = 0
    last_end = -1
    for match in _DIGITS.finditer(text):
        gap = text[last_end : match.start()] if last_end >= 0 else None
        if gap is None or len(gap) > 3 or not all(_PHONE_GAP.fullmatch(ch) for ch in gap):
            digits = 0
        digits += len(match.group())
        if digits >= PHONE_DIGITS:
            return True
        last_end = match.end()
    return False


def is_flooding(recent: Sequence[datetime], now: datetime, per_minute: int = DEFAULT_FLOOD_PER_MINUTE) -> bool:
    """True when ``recent`` (the member's message times) already holds ``per_minute`` in the last minute."""
    since = now - FLOOD_WINDOW
    return sum(1 for moment in recent if moment > since) >= per_minute


def pace(next_free: datetime | None, now: datetime, gap: timedelta = PER_CHAT_GAP) -> tuple[datetime, datetime]:
    """When the next relayed copy into one chat may go, and when the one after it may.

    Keeps each chat at no more than one relayed message a second (``gap``: the channel's own interval
    plus ``PACE_MARGIN``), so a lively circle never asks the messenger for more than it allows.
    """
    due = now if next_free is None or next_free < now else next_free
    return due, due + gap


# --- meetings ------------------------------------------------------------------------------


class ScheduleError(ValueError):
    """A schedule that cannot be read; the message says what is expected."""


@dataclass(frozen=True)
class Schedule:
    """``daily 19:00 60`` or ``weekly sat 11:00 90``: local time at the centre, minutes long."""

    frequency: str  # "daily" | "weekly"
    at: time
    minutes: int = 60
    weekday: int | None = None  # 0 Monday … 6 Sunday, weekly only

    def describe(self) -> str:
        day = f" {WEEKDAYS[self.weekday]}" if self.weekday is not None else ""
        return f"{self.frequency}{day} {self.at.strftime('%H:%M')} {self.minutes}"


def parse_schedule(text: str) -> Schedule:
    """Read ``daily 19:00 [60]`` / ``weekly <mon..sun> 19:00 [90]`` (minutes optional, default 60)."""
    parts = text.lower().replace("min", " ").split()
    if not parts or parts[0] not in ("daily", "weekly"):
        raise ScheduleError(
            "a schedule starts with 'daily' or 'weekly', e.g. 'daily 19:00 60' or 'weekly sat 11:00 90'"
        )
    frequency, rest = parts[0], parts[1:]
    weekday = None
    if frequency == "weekly":
        if not rest or rest[0][:3] not in WEEKDAYS:
            raise ScheduleError("a weekly schedule names the day: 'weekly sat 11:00 90'")
        weekday, rest = WEEKDAYS.index(rest[0][:3]), rest[1:]
    if not rest:
        raise ScheduleError("the schedule needs a time, e.g. 19:00")
    clock = _CLOCK.match(rest[0])
    if clock is None or int(clock[1]) > 23 or int(clock[2] or 0) > 59:
        raise ScheduleError(f"{rest[0]!r} is not a time like 19:00")
    at = time(int(clock[1]), int(clock[2] or 0))
    minutes = 60
    if len(rest) > 1:
        if not rest[1].isdigit() or not 15 <= int(rest[1]) <= 240:
            raise ScheduleError("a meeting lasts 15 to 240 minutes")
        minutes = int(rest[1])
    if len(rest) > 2:
        raise ScheduleError(f"unexpected {' '.join(rest[2:])!r} at the end of the schedule")
    return Schedule(frequency=frequency, at=at, minutes=minutes, weekday=weekday)


def next_meeting_start(schedule: Schedule, after: datetime, tz: str) -> datetime:
    """The first meeting start strictly after ``after`` (UTC, aware), in the centre's local time."""
    day: date = local_date(after, tz)
    for offset in range(0, 9):
        candidate = date.fromordinal(day.toordinal() + offset)
        if schedule.weekday is not None and candidate.weekday() != schedule.weekday:
            continue
        start = local_to_utc(candidate, schedule.at, tz)
        if start > after:
            return start.astimezone(UTC)
    raise AssertionError("a daily or weekly schedule always has a next start within 8 days")


def goal_for(sequence: int) -> str:
    """The rotating session goal of the circle's ``sequence``-th meeting."""
    return GOALS[sequence % len(GOALS)]


def opener_for(sequence: int) -> str:
    """The icebreaker or breathing prompt that opens the ``sequence``-th meeting."""
    return OPENERS[sequence % len(OPENERS)]
