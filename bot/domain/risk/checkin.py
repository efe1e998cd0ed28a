"""Signals from structured check-ins and the member's recent history.

Numbers are less ambiguous than words, so these rules are plain code with
clinician-tunable thresholds in rules/checkin.toml (see
:class:`~bot.domain.risk.rules.CheckinPolicy`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from .models import CheckinAnswers, DayRecord, RiskLevel, Signal
from .rules import CheckinPolicy

MOOD_RANGE = (1, 5)
CRAVING_RANGE = (0, 10)


@dataclass(frozen=True)
class _Day:
    day: date
    mood: int | None
    craving: int | None


def checkin_signals(
    answers: CheckinAnswers | None,
    history: Sequence[DayRecord],
    today: date | None,
    missed_days: int,
    policy: CheckinPolicy,
) -> list[Signal]:
    """All check-in and history signals for one assessment."""
    signals: list[Signal] = []
    if answers is not None:
        signals.extend(_answer_signals(answers, policy))
    current = resolve_today(today, answers, history)
    days = _series(answers, history, current, policy.history_days)
    signals.extend(_streak_signals(days, policy))
    signals.extend(_trend_signals(days, current, policy))
    if missed_days >= policy.missed_days:
        signals.append(Signal("CHK-MISS-001", "missed", policy.missed_level, f"missed check-ins: {missed_days} days"))
    return signals


_NO_HISTORY_DAY = date(2000, 1, 1)


def resolve_today(today: date | None, answers: CheckinAnswers | None, history: Sequence[DayRecord]) -> date:
    """The day being assessed.

    Callers should pass ``today``. Without it the history's own dates are
    used (answers then count as the day after the last record) so a
    replayed history from any date gives the same answer as it did live.
    """
    if today is not None:
        return today
    if not history:
        # no dates to place the answers among: any day gives the same signals, so never the clock
        return _NO_HISTORY_DAY
    latest = max(record.day for record in history)
    return latest + timedelta(days=1) if answers is not None else latest


def _answer_signals(answers: CheckinAnswers, policy: CheckinPolicy) -> list[Signal]:
    signals: list[Signal] = []
    used = _used(answers.used)
    if used == "yes":
        signals.append(Signal("CHK-USE-001", "use", policy.used_yes_level, "check-in: used = yes"))
    elif used == "undisclosed":
        signals.append(
            Signal("CHK-USE-002", "use", policy.used_undisclosed_level, "check-in: used = prefers not to say")
        )
    craving = _clamp(answers.craving, CRAVING_RANGE)
    if craving is not None and craving >= policy.craving_concern_at:
        signals.append(Signal("CHK-CRV-001", "craving", RiskLevel.CONCERN, f"check-in: craving {craving}/10"))
    return signals


def _series(answers: CheckinAnswers | None, history: Sequence[DayRecord], today: date, window: int) -> list[_Day]:
    """Checked-in days inside the window, oldest first; today's answers win."""
    first = today - timedelta(days=window - 1)
    by_day: dict[date, _Day] = {}
    for record in history:
        if record.checked_in and first <= record.day <= today:
            by_day[record.day] = _Day(
                record.day, _clamp(record.mood, MOOD_RANGE), _clamp(record.craving, CRAVING_RANGE)
            )
    if answers is not None and (answers.mood is not None or answers.craving is not None):
        by_day[today] = _Day(today, _clamp(answers.mood, MOOD_RANGE), _clamp(answers.craving, CRAVING_RANGE))
    return [by_day[day] for day in sorted(by_day)]


def _streak_signals(days: list[_Day], policy: CheckinPolicy) -> list[Signal]:
    """Three (configurable) consecutive bad days ending at the latest check-in."""

    def high_craving(d: _Day) -> bool:
        return d.craving is not None and d.craving >= policy.streak_craving_at_least

    def low_mood(d: _Day) -> bool:
        return d.mood is not None and d.mood <= policy.streak_mood_at_most

    checks: tuple[tuple[str, str, str, Callable[[_Day], bool]], ...] = (
        ("CHK-CRV-002", "craving", f"craving {policy.streak_craving_at_least}+", high_craving),
        ("CHK-MOOD-001", "low_mood", f"mood {policy.streak_mood_at_most}", low_mood),
    )
    signals: list[Signal] = []
    for rule_id, category, what, predicate in checks:
        run = _current_run(days, predicate)
        if len(run) >= policy.streak_days:
            matched = f"{what} on {len(run)} days in a row ({run[0].day.isoformat()}..{run[-1].day.isoformat()})"
            signals.append(Signal(rule_id, category, policy.streak_level, matched))
    if not signals:
        run = _current_run(days, lambda d: high_craving(d) or low_mood(d))
        if len(run) >= policy.streak_days:
            matched = f"craving or mood at its worst on {len(run)} days in a row"
            signals.append(Signal("CHK-MIX-001", "craving", policy.streak_level, matched))
    return signals


def _current_run(days: list[_Day], predicate: Callable[[_Day], bool]) -> list[_Day]:
    """The run of consecutive calendar days, ending at the latest day, where predicate holds."""
    run: list[_Day] = []
    for day in reversed(days):
        if not predicate(day):
            break
        if run and run[-1].day - day.day != timedelta(days=1):
            break
        run.append(day)
    return list(reversed(run))


def _trend_signals(days: list[_Day], today: date, policy: CheckinPolicy) -> list[Signal]:
    """Least-squares slope of mood and craving over the trend window."""
    first = today - timedelta(days=policy.trend_window_days - 1)
    recent = [d for d in days if d.day >= first]
    signals: list[Signal] = []
    mood = _slope([(d.day, d.mood) for d in recent if d.mood is not None], policy.trend_min_points)
    if mood is not None and mood <= policy.trend_mood_slope:
        signals.append(
            Signal(
                "CHK-TRD-001",
                "trend",
                policy.trend_level,
                f"mood falling {mood:+.2f}/day over {policy.trend_window_days} days",
            )
        )
    craving = _slope([(d.day, d.craving) for d in recent if d.craving is not None], policy.trend_min_points)
    if craving is not None and craving >= policy.trend_craving_slope:
        signals.append(
            Signal(
                "CHK-TRD-002",
                "trend",
                policy.trend_level,
                f"craving rising {craving:+.2f}/day over {policy.trend_window_days} days",
            )
        )
    return signals


def _slope(points: list[tuple[date, int]], min_points: int) -> float | None:
    if len(points) < max(2, min_points):
        return None
    origin = points[0][0]
    xs = [float((day - origin).days) for day, _ in points]
    ys = [float(value) for _, value in points]
    mean_x = sum(xs) / len(xs)
    mean_y = sum(ys) / len(ys)
    spread = sum((x - mean_x) ** 2 for x in xs)
    if spread == 0:
        return None
    return sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True)) / spread


def _clamp(value: int | None, bounds: tuple[int, int]) -> int | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return max(bounds[0], min(bounds[1], number))


def _used(value: str | None) -> str | None:
    return value.strip().lower() if isinstance(value, str) else None
