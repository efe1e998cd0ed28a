"""The console's pictures: the SVG parses, has a point per answered day, marks lapses and alerts apart,
tells calendar days apart by pattern, and says what it shows to a screen reader."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import date, timedelta

from bot.domain.charts import (
    DAY_KINDS,
    AlertMark,
    CalendarText,
    ChartText,
    DayValues,
    calendar_svg,
    day_kind,
    summarise,
    trend_svg,
)

NS = "{http://www.w3.org/2000/svg}"
END = date(2026, 3, 31)
START = END - timedelta(days=29)


def _classes(root: ET.Element, name: str) -> list[ET.Element]:
    return [e for e in root.iter() if name in (e.get("class") or "").split()]


def _month() -> list[DayValues]:
    values = []
    for i in range(30):
        day = START + timedelta(days=i)
        if i in (5, 6, 20):  # three days without an answer
            continue
        craving = None if i == 10 else i % 11  # one day with mood only
        values.append(DayValues(day, mood=1 + i % 5, craving=craving, lapse=i in (12, 25)))
    return values


def test_a_point_per_answered_day_and_marks_apart() -> None:
    values = _month()
    alerts = [AlertMark(START + timedelta(days=12), urgent=True), AlertMark(START + timedelta(days=3))]
    svg = trend_svg(values, alerts, START, END, ChartText(title="Lotus 27, 30 days", summary="Mood 3 on average"))
    root = ET.fromstring(svg)
    assert len(_classes(root, "mood-point")) == 27
    assert len(_classes(root, "craving-point")) == 26
    assert len(_classes(root, "lapse-mark")) == 2
    assert len(_classes(root, "alert-mark")) == 2
    assert len(_classes(root, "urgent")) == 1
    # mood and craving differ by line style and point shape, not only colour
    assert {e.tag for e in _classes(root, "mood-point")} == {f"{NS}circle"}
    assert {e.tag for e in _classes(root, "craving-point")} == {f"{NS}rect"}
    craving_lines = [e for e in _classes(root, "craving-series")[0] if e.tag == f"{NS}polyline"]
    mood_lines = [e for e in _classes(root, "mood-series")[0] if e.tag == f"{NS}polyline"]
    assert all(e.get("stroke-dasharray") for e in craving_lines)
    assert not any(e.get("stroke-dasharray") for e in mood_lines)
    # unanswered days break the line: days 0-4, 7-19, 21-29
    assert len(mood_lines) == 3


def test_accessible_and_scriptless() -> None:
    svg = trend_svg(_month(), [], START, END, ChartText(title="Lotus <27>", summary='Mood "low"'))
    root = ET.fromstring(svg)
    assert root.get("role") == "img"
    assert root.get("aria-label") == 'Mood "low"'
    assert root.find(f"{NS}title").text == "Lotus <27>"  # type: ignore[union-attr]
    assert root.find(f"{NS}desc").text == 'Mood "low"'  # type: ignore[union-attr]
    assert not [e for e in root.iter() if e.tag == f"{NS}script" or e.get("style") or e.get("onclick")]
    legend = " ".join(t.text or "" for t in _classes(root, "legend")[0].iter(f"{NS}text"))
    for word in ("Mood", "Craving", "Lapse", "Alert", "Urgent alert"):
        assert word in legend


def test_days_outside_the_window_are_left_out() -> None:
    values = [DayValues(START - timedelta(days=1), mood=2, craving=3, lapse=True), DayValues(START, mood=4)]
    root = ET.fromstring(trend_svg(values, [AlertMark(END + timedelta(days=1))], START, END, ChartText("t", "s")))
    assert len(_classes(root, "mood-point")) == 1
    assert not _classes(root, "craving-point") and not _classes(root, "lapse-mark") and not _classes(root, "alert-mark")


def test_ninety_days_and_an_empty_window() -> None:
    start = END - timedelta(days=89)
    values = [DayValues(start + timedelta(days=i), mood=3, craving=5) for i in range(90)]
    root = ET.fromstring(trend_svg(values, [], start, END, ChartText("t", "s")))
    assert len(_classes(root, "mood-point")) == 90
    empty = ET.fromstring(trend_svg([], [], start, END, ChartText("t", "nothing yet")))
    assert not _classes(empty, "mood-point")


def test_summary_figures() -> None:
    alerts = [AlertMark(START + timedelta(days=12), urgent=True), AlertMark(START - timedelta(days=3))]
    s = summarise(_month(), alerts, START, END)
    assert s.days == 30 and s.answered == 27 and s.lapses == 2 and s.alerts == 1
    assert s.mood_low == 1 and s.mood_high == 5 and s.craving_high == 10
    assert s.mood_average is not None and 1 <= s.mood_average <= 5
    empty = summarise([], [], START, END)
    assert empty.answered == 0 and empty.mood_average is None and empty.craving_high is None


def test_day_kind() -> None:
    assert day_kind(status="completed", answered=True, paused=True) == "done"
    assert day_kind(status="missed", answered=True, paused=False) == "partial"
    assert day_kind(status="missed", answered=False, paused=False) == "missed"
    assert day_kind(status="missed", answered=False, paused=True) == "paused"
    assert day_kind(status=None, answered=False, paused=True) == "paused"
    assert day_kind(status="pending", answered=False, paused=False) == "none"
    assert day_kind(status=None, answered=False, paused=False) == "none"


def test_calendar_tells_days_apart_by_pattern() -> None:
    start = date(2026, 3, 2)  # a Monday
    kinds = {start + timedelta(days=i): DAY_KINDS[i % 4] for i in range(28)}
    svg = calendar_svg(kinds, start, start + timedelta(days=34), CalendarText("Check-ins", "20 of 35 days"))
    root = ET.fromstring(svg)
    days = _classes(root, "day")
    assert len(days) == 35
    by_kind = {kind: len(_classes(root, kind)) - 1 for kind in DAY_KINDS}  # minus the legend's key
    assert by_kind == {"done": 7, "partial": 7, "missed": 7, "paused": 7, "none": 7}
    # patterns, not shade alone: stripes, dots, a cross
    partial = _classes(root, "partial")[0]
    paused = _classes(root, "paused")[0]
    assert "stripes" in (partial.get("fill") or "") and "dots" in (paused.get("fill") or "")
    assert _classes(root, "missed")[0].find(f"{NS}path") is not None
    # Monday in the top row, a week per column
    first, eighth = days[0], days[7]
    assert first.get("y") == days[7].get("y") and float(eighth.get("x") or 0) > float(first.get("x") or 0)
    assert root.get("role") == "img" and root.get("aria-label") == "20 of 35 days"


def test_two_calendars_keep_their_pattern_ids_apart() -> None:
    a = calendar_svg({}, START, END, CalendarText("a", "a"), prefix="m30")
    b = calendar_svg({}, START, END, CalendarText("b", "b"), prefix="m90")
    ids_a = {e.get("id") for e in ET.fromstring(a).iter() if e.get("id")}
    ids_b = {e.get("id") for e in ET.fromstring(b).iter() if e.get("id")}
    assert ids_a and not ids_a & ids_b


def _month_labels(svg: str) -> list[tuple[float, str]]:
    (days,) = _classes(ET.fromstring(svg), "days")
    return [(float(e.get("x") or 0), e.text or "") for e in days.iter(f"{NS}text")]


def test_month_labels_never_overlap() -> None:
    # a window starting just before a new month's first Monday: "10/26" used to be drawn over "11/26"
    labels = _month_labels(calendar_svg({}, date(2026, 10, 28), date(2026, 11, 26), CalendarText("a", "a")))
    assert [text for _, text in labels] == ["11/26"]
    # every 30- and 90-day window of a year: labels at least a label's width (5 characters) apart, in order
    for offset in range(366):
        for length in (30, 90):
            start = date(2026, 1, 1) + timedelta(days=offset)
            svg = calendar_svg({}, start, start + timedelta(days=length - 1), CalendarText("a", "a"))
            xs = [x for x, _ in _month_labels(svg)]
            assert xs, (start, length)
            assert all(b - a >= 5 * 6.5 for a, b in zip(xs, xs[1:], strict=False)), (start, length, xs)


def test_calendar_is_drawn_at_a_fixed_size_that_fits_a_desktop_page() -> None:
    for length in (30, 90):
        root = ET.fromstring(calendar_svg({}, END - timedelta(days=length - 1), END, CalendarText("a", "a")))
        _, _, view_w, _ = (float(v) for v in (root.get("viewBox") or "").split())
        drawn = float(root.get("width") or "nan")  # pixels, not "100%": a wide page no longer blows it up
        assert view_w <= drawn <= 2 * view_w and drawn <= 900, (length, drawn)
        assert root.get("height") is None  # the stylesheet's height: auto keeps the proportions
