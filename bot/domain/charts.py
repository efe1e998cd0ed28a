"""Pictures of a member's month for the console: a mood-and-craving line chart and a check-in calendar.

Both are server-rendered SVG made from plain values (dates, numbers, words already translated), so a
page needs no JavaScript and a test can parse what a browser would draw. They are meant to be read in
black and white and by a screen reader:

- mood is a solid line with round points, craving a dashed line with square points; a lapse is a
  triangle at the top of its day and an alert a diamond at the bottom (filled when urgent), each with a
  legend entry, so nothing depends on colour alone;
- the calendar tells done, partly answered, missed and paused days apart by pattern (solid, stripes, a
  cross, dots) as well as by shade;
- every picture has ``role="img"``, a ``<title>``, a ``<desc>`` and an ``aria-label`` carrying the summary
  a sighted reader takes from it, and every point and day its own ``<title>``.

Elements carry classes (``mood-point``, ``craving-point``, ``lapse-mark``, ``alert-mark``, ``day``, ``month``) that
the console's stylesheet may use and tests count. Colours are presentation attributes, never ``style``:
the console's Content-Security-Policy allows no inline style.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from xml.sax.saxutils import escape, quoteattr

__all__ = [
    "DAY_KINDS",
    "AlertMark",
    "CalendarText",
    "ChartText",
    "DayValues",
    "TrendSummary",
    "calendar_svg",
    "day_kind",
    "summarise",
    "trend_svg",
]

_ONE_DAY = timedelta(days=1)

# Drawing area of the trend chart (viewBox units; the SVG scales to its container's width).
_W, _H = 640, 250
_LEFT, _RIGHT, _TOP, _BOTTOM = 34, 34, 22, 52  # margins: mood axis, craving axis, lapse band, dates + legend
_MOOD_RANGE = (1, 5)
_CRAVING_RANGE = (0, 10)
_INK = "#1a1a1a"
_MOOD_COLOUR = "#1f4e99"
_CRAVING_COLOUR = "#9a3b00"
_MARK_COLOUR = "#8b0000"


@dataclass(frozen=True)
class DayValues:
    """One local day of a member's check-in: mood 1–5 and craving 0–10 when answered, and whether they
    said they used (a lapse)."""

    day: date
    mood: int | None = None
    craving: int | None = None
    lapse: bool = False


@dataclass(frozen=True)
class AlertMark:
    """An escalation raised on ``day``; ``urgent`` for level 3."""

    day: date
    urgent: bool = False


@dataclass(frozen=True)
class ChartText:
    """The trend chart's words, already in the reader's language."""

    title: str
    summary: str  # what the chart says, for screen readers (aria-label and <desc>)
    mood: str = "Mood"
    craving: str = "Craving"
    lapse: str = "Lapse"
    alert: str = "Alert"
    urgent_alert: str = "Urgent alert"


@dataclass(frozen=True)
class TrendSummary:
    """The figures a summary sentence states about a window of days."""

    days: int
    answered: int
    mood_average: float | None
    mood_low: int | None
    mood_high: int | None
    craving_average: float | None
    craving_high: int | None
    lapses: int
    alerts: int


def summarise(values: Sequence[DayValues], alerts: Sequence[AlertMark], start: date, end: date) -> TrendSummary:
    """The figures of the days from ``start`` to ``end`` (both included); days outside are ignored."""
    inside = [v for v in values if start <= v.day <= end]
    moods = [v.mood for v in inside if v.mood is not None]
    cravings = [v.craving for v in inside if v.craving is not None]
    return TrendSummary(
        days=(end - start).days + 1,
        answered=sum(1 for v in inside if v.mood is not None or v.craving is not None),
        mood_average=round(sum(moods) / len(moods), 1) if moods else None,
        mood_low=min(moods, default=None),
        mood_high=max(moods, default=None),
        craving_average=round(sum(cravings) / len(cravings), 1) if cravings else None,
        craving_high=max(cravings, default=None),
        lapses=sum(1 for v in inside if v.lapse),
        alerts=sum(1 for a in alerts if start <= a.day <= end),
    )


def _num(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _svg_open(
    width: int, height: int, text_title: str, summary: str, css_class: str, drawn_width: str = "100%"
) -> list[str]:
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" class={quoteattr(css_class)} viewBox="0 0 {width} {height}" '
        f'width="{drawn_width}" role="img" aria-label={quoteattr(summary)} font-family="sans-serif" font-size="11">',
        f"<title>{escape(text_title)}</title>",
        f"<desc>{escape(summary)}</desc>",
    ]


class _Scale:
    """Days to x, values to y in the trend chart's drawing area."""

    def __init__(self, start: date, end: date) -> None:
        self.start = start
        self.span = max(1, (end - start).days)
        self.plot_w = _W - _LEFT - _RIGHT
        self.plot_h = _H - _TOP - _BOTTOM

    def x(self, day: date) -> float:
        return _LEFT + self.plot_w * (day - self.start).days / self.span

    def y(self, value: float, low: int, high: int) -> float:
        return _TOP + self.plot_h * (1 - (value - low) / (high - low))

    @property
    def floor(self) -> float:
        return _TOP + self.plot_h


def _runs(points: Sequence[tuple[date, int]]) -> list[list[tuple[date, int]]]:
    """Consecutive days as one run: a day without an answer breaks the line instead of bridging it."""
    runs: list[list[tuple[date, int]]] = []
    for day, value in points:
        if runs and (day - runs[-1][-1][0]) == _ONE_DAY:
            runs[-1].append((day, value))
        else:
            runs.append([(day, value)])
    return runs


def _series(
    scale: _Scale, points: Sequence[tuple[date, int]], value_range: tuple[int, int], *, mood: bool, name: str
) -> list[str]:
    colour = _MOOD_COLOUR if mood else _CRAVING_COLOUR
    dash = "" if mood else ' stroke-dasharray="6 4"'
    parts = [f'<g class="{"mood" if mood else "craving"}-series">']
    for run in _runs(points):
        if len(run) > 1:
            coords = " ".join(f"{scale.x(d):.1f},{scale.y(v, *value_range):.1f}" for d, v in run)
            parts.append(f'<polyline points="{coords}" fill="none" stroke="{colour}" stroke-width="2"{dash}/>')
    for day, value in points:
        x, y = scale.x(day), scale.y(value, *value_range)
        tip = f"<title>{day:%d/%m} {escape(name)} {value}</title>"
        if mood:
            parts.append(f'<circle class="mood-point" cx="{x:.1f}" cy="{y:.1f}" r="3.5" fill="{colour}">{tip}</circle>')
        else:
            parts.append(
                f'<rect class="craving-point" x="{x - 3.5:.1f}" y="{y - 3.5:.1f}" width="7" height="7" '
                f'fill="#ffffff" stroke="{colour}" stroke-width="2">{tip}</rect>'
            )
    parts.append("</g>")
    return parts


def _triangle(x: float, y: float) -> str:
    return f"M{x - 5:.1f},{y - 4:.1f} L{x + 5:.1f},{y - 4:.1f} L{x:.1f},{y + 5:.1f} Z"


def _diamond(x: float, y: float) -> str:
    return f"M{x:.1f},{y - 6:.1f} L{x + 6:.1f},{y:.1f} L{x:.1f},{y + 6:.1f} L{x - 6:.1f},{y:.1f} Z"


def _axes(scale: _Scale, start: date, end: date, text: ChartText) -> list[str]:
    parts = [f'<g class="axes" stroke="{_INK}" fill="{_INK}">']
    for mood in range(_MOOD_RANGE[0], _MOOD_RANGE[1] + 1):
        y = scale.y(mood, *_MOOD_RANGE)
        parts.append(f'<line x1="{_LEFT}" x2="{_W - _RIGHT}" y1="{y:.1f}" y2="{y:.1f}" stroke="#d0d0d0"/>')
        parts.append(f'<text x="{_LEFT - 6}" y="{y + 4:.1f}" text-anchor="end" stroke="none">{mood}</text>')
    for craving in range(_CRAVING_RANGE[0], _CRAVING_RANGE[1] + 1, 2):
        y = scale.y(craving, *_CRAVING_RANGE)
        parts.append(f'<text x="{_W - _RIGHT + 6}" y="{y + 4:.1f}" stroke="none">{craving}</text>')
    parts.append(f'<text x="4" y="{_TOP - 8}" stroke="none">{escape(text.mood)}</text>')
    parts.append(f'<text x="{_W - 4}" y="{_TOP - 8}" text-anchor="end" stroke="none">{escape(text.craving)}</text>')
    parts.append(f'<line x1="{_LEFT}" x2="{_W - _RIGHT}" y1="{scale.floor:.1f}" y2="{scale.floor:.1f}"/>')
    step = 7 if scale.span <= 45 else 14
    day = start
    while day <= end:
        x = scale.x(day)
        parts.append(f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{scale.floor:.1f}" y2="{scale.floor + 4:.1f}"/>')
        parts.append(
            f'<text x="{x:.1f}" y="{scale.floor + 15:.1f}" text-anchor="middle" stroke="none">{day:%d/%m}</text>'
        )
        day += timedelta(days=step)
    parts.append("</g>")
    return parts


def _legend(text: ChartText) -> list[str]:
    y = _H - 12
    entries = [
        (
            f'<line x1="0" x2="22" y1="0" y2="0" stroke="{_MOOD_COLOUR}" stroke-width="2"/>'
            f'<circle cx="11" cy="0" r="3.5" fill="{_MOOD_COLOUR}"/>',
            text.mood,
        ),
        (
            f'<line x1="0" x2="22" y1="0" y2="0" stroke="{_CRAVING_COLOUR}" stroke-width="2" stroke-dasharray="6 4"/>'
            f'<rect x="7.5" y="-3.5" width="7" height="7" fill="#ffffff" stroke="{_CRAVING_COLOUR}" stroke-width="2"/>',
            text.craving,
        ),
        (f'<path d="{_triangle(11, 0)}" fill="{_MARK_COLOUR}"/>', text.lapse),
        (f'<path d="{_diamond(11, 0)}" fill="#ffffff" stroke="{_MARK_COLOUR}" stroke-width="2"/>', text.alert),
        (f'<path d="{_diamond(11, 0)}" fill="{_MARK_COLOUR}"/>', text.urgent_alert),
    ]
    parts = ['<g class="legend">']
    x = float(_LEFT)
    for symbol, label in entries:
        parts.append(f'<g transform="translate({x:.0f},{y})">{symbol}')
        parts.append(f'<text x="27" y="4" fill="{_INK}">{escape(label)}</text></g>')
        x += 36 + 6.5 * len(label)
    parts.append("</g>")
    return parts


def trend_svg(values: Sequence[DayValues], alerts: Sequence[AlertMark], start: date, end: date, text: ChartText) -> str:
    """Mood (left scale 1–5) and craving (right scale 0–10) over the days ``start``…``end``, one point per
    answered day, lapses and alerts marked on their days. Days outside the window are left out."""
    scale = _Scale(start, end)
    inside = sorted((v for v in values if start <= v.day <= end), key=lambda v: v.day)
    moods = [(v.day, v.mood) for v in inside if v.mood is not None]
    cravings = [(v.day, v.craving) for v in inside if v.craving is not None]
    parts = _svg_open(_W, _H, text.title, text.summary, "trend-chart")
    parts += _axes(scale, start, end, text)
    parts += _series(scale, moods, _MOOD_RANGE, mood=True, name=text.mood)
    parts += _series(scale, cravings, _CRAVING_RANGE, mood=False, name=text.craving)
    parts.append('<g class="marks">')
    for v in inside:
        if v.lapse:
            x = scale.x(v.day)
            parts.append(
                f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{_TOP:.1f}" y2="{scale.floor:.1f}" stroke="{_MARK_COLOUR}" '
                'stroke-dasharray="1 3"/>'
            )
            parts.append(
                f'<path class="lapse-mark" d="{_triangle(x, _TOP - 6)}" fill="{_MARK_COLOUR}">'
                f"<title>{v.day:%d/%m} {escape(text.lapse)}</title></path>"
            )
    for alert in sorted(alerts, key=lambda a: a.day):
        if start <= alert.day <= end:
            x = scale.x(alert.day)
            fill = _MARK_COLOUR if alert.urgent else "#ffffff"
            label = text.urgent_alert if alert.urgent else text.alert
            parts.append(
                f'<path class="alert-mark{" urgent" if alert.urgent else ""}" d="{_diamond(x, scale.floor - 7)}" '
                f'fill="{fill}" stroke="{_MARK_COLOUR}" stroke-width="2"><title>{alert.day:%d/%m} {escape(label)}'
                "</title></path>"
            )
    parts.append("</g>")
    parts += _legend(text)
    parts.append("</svg>")
    return "\n".join(parts)


# --- the check-in calendar -------------------------------------------------------------------------

# What a day of the calendar shows; "none" is a day without a check-in (before joining, not sent, today).
DAY_KINDS: tuple[str, ...] = ("done", "partial", "missed", "paused", "none")

_CELL, _GAP = 14, 3
_CAL_TOP, _CAL_LEFT = 16, 4
_CAL_SCALE = 1.25  # drawn a quarter larger than its viewBox: a 1280 px page shows it whole, cells still easy to hover
_LABEL_CHAR_W = 6.5  # a digit or slash at font-size 11, a little generously


def day_kind(*, status: str | None, answered: bool, paused: bool) -> str:
    """A calendar day from its check-in: completed is done; not completed but partly answered is partial;
    a paused day is paused (unless completed); missed is missed; anything else (no check-in, still open)
    is none."""
    if status == "completed":
        return "done"
    if paused:
        return "paused"
    if answered:
        return "partial"
    if status == "missed":
        return "missed"
    return "none"


@dataclass(frozen=True)
class CalendarText:
    """The calendar's words in the reader's language: a name for each of :data:`DAY_KINDS`."""

    title: str
    summary: str
    kinds: Mapping[str, str] = field(
        default_factory=lambda: {
            "done": "Checked in",
            "partial": "Partly answered",
            "missed": "Missed",
            "paused": "Paused",
            "none": "No check-in",
        }
    )


def _patterns(prefix: str) -> str:
    return (
        "<defs>"
        f'<pattern id="{prefix}-stripes" width="4" height="4" patternUnits="userSpaceOnUse" '
        'patternTransform="rotate(45)"><rect width="4" height="4" fill="#cfe3d4"/>'
        '<line x1="0" y1="0" x2="0" y2="4" stroke="#2e6b3a" stroke-width="2"/></pattern>'
        f'<pattern id="{prefix}-dots" width="4" height="4" patternUnits="userSpaceOnUse">'
        '<rect width="4" height="4" fill="#eeeeee"/><circle cx="2" cy="2" r="0.9" fill="#555555"/></pattern>'
        "</defs>"
    )


def _cell(kind: str, x: float, y: float, prefix: str, tip: str) -> str:
    title = f"<title>{escape(tip)}</title>"
    if kind == "done":
        return (
            f'<rect class="day done" x="{x}" y="{y}" width="{_CELL}" height="{_CELL}" fill="#1e5b2b" '
            f'stroke="{_INK}" stroke-width="0.5">{title}</rect>'
        )
    if kind == "partial":
        return (
            f'<rect class="day partial" x="{x}" y="{y}" width="{_CELL}" height="{_CELL}" '
            f'fill="url(#{prefix}-stripes)" stroke="{_INK}" stroke-width="0.5">{title}</rect>'
        )
    if kind == "paused":
        return (
            f'<rect class="day paused" x="{x}" y="{y}" width="{_CELL}" height="{_CELL}" '
            f'fill="url(#{prefix}-dots)" stroke="#777777" stroke-width="0.5">{title}</rect>'
        )
    if kind == "missed":
        a, b = 3, _CELL - 3
        return (
            f'<g class="day missed"><rect x="{x}" y="{y}" width="{_CELL}" height="{_CELL}" fill="#ffffff" '
            f'stroke="{_MARK_COLOUR}" stroke-width="1"/><path d="M{x + a},{y + a} L{x + b},{y + b} '
            f'M{x + b},{y + a} L{x + a},{y + b}" stroke="{_MARK_COLOUR}" stroke-width="1.5"/>{title}</g>'
        )
    return (
        f'<rect class="day none" x="{x}" y="{y}" width="{_CELL}" height="{_CELL}" fill="#ffffff" '
        f'stroke="#bbbbbb" stroke-width="0.5">{title}</rect>'
    )


def calendar_svg(days: Mapping[date, str], start: date, end: date, text: CalendarText, *, prefix: str = "cal") -> str:
    """A week per column (Monday at the top), one cell per day from ``start`` to ``end``, each drawn by
    its kind (one of :data:`DAY_KINDS`; a day missing from ``days`` is "none"), then a legend.
    ``prefix`` keeps pattern ids apart when a page shows two calendars."""
    first_monday = start - timedelta(days=start.weekday())
    weeks = (end - first_monday).days // 7 + 1
    width = _CAL_LEFT * 2 + weeks * (_CELL + _GAP)
    grid_h = 7 * (_CELL + _GAP)
    legend_w = sum(_CELL + 12 + 6 * len(text.kinds[k]) for k in DAY_KINDS)
    width = max(width, legend_w + _CAL_LEFT * 2)
    height = _CAL_TOP + grid_h + 28
    parts = _svg_open(width, height, text.title, text.summary, "checkin-calendar", _num(width * _CAL_SCALE))
    parts.append(_patterns(prefix))
    parts.append('<g class="days">')
    month_shown: set[tuple[int, int]] = set()
    labels: list[tuple[float, str]] = []
    day = start
    while day <= end:
        week = (day - first_monday).days // 7
        x = _CAL_LEFT + week * (_CELL + _GAP)
        y = _CAL_TOP + day.weekday() * (_CELL + _GAP)
        kind = days.get(day, "none")
        kind = kind if kind in DAY_KINDS else "none"
        parts.append(_cell(kind, x, y, prefix, f"{day:%d/%m/%Y}: {text.kinds[kind]}"))
        if (day.year, day.month) not in month_shown and (day.day <= 7 and day.weekday() == 0 or day == start):
            month_shown.add((day.year, day.month))  # the month's name over its first full week
            label = f"{day:%m/%y}"
            if labels and x - labels[-1][0] < _LABEL_CHAR_W * len(labels[-1][1]) + _GAP:
                labels.pop()  # the window's first, partial month gives way to the next month's name
            labels.append((x, label))
        day += _ONE_DAY
    parts.extend(f'<text class="month" x="{x}" y="{_CAL_TOP - 4}" fill="{_INK}">{label}</text>' for x, label in labels)
    parts.append("</g>")
    parts.append('<g class="legend">')
    key_x = float(_CAL_LEFT)
    y = _CAL_TOP + grid_h + 8
    for kind in DAY_KINDS:
        parts.append(_cell(kind, key_x, y, prefix, text.kinds[kind]).replace('class="day ', 'class="key '))
        parts.append(f'<text x="{key_x + _CELL + 4}" y="{y + 11}" fill="{_INK}">{escape(text.kinds[kind])}</text>')
        key_x += _CELL + 12 + 6 * len(text.kinds[kind])
    parts.append("</g>")
    parts.append("</svg>")
    return "\n".join(parts)
