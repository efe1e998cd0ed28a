"""The console's downloads: pseudonymous attendance as CSV for funders, a member's case review as CSV and
PDF for their counsellor. Formatting only; what goes in (and its audit entry) is decided by
:mod:`bot.services.console_members`.

The attendance CSV's column headers are English and fixed, so a spreadsheet or a funder's script reads
every centre's file the same way. The case review (CSV and PDF) is for a person, the member's counsellor:
its labels and words are in the staff member's language (the console's catalogs), the PDF set in Noto Sans
Devanagari (Latin too) with text shaping, as the invite sheet is; pseudonyms, dates and figures, no
member's words.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from datetime import date, datetime

from fpdf import FPDF

from bot.i18n import has, t
from bot.services.console_members import CaseReview
from bot.services.invite_sheet import FONT_PATH

ATTENDANCE_HEADER = ("pseudonym", "date", "outcome")
CASE_COLUMNS = ("date", "status", "mood", "craving", "triggers", "used")
ALERT_COLUMNS = ("number", "raised", "level", "state", "step", "acknowledged", "resolved")
STATUS_KEYS = {
    "completed": "console-day-done",
    "in_progress": "console-day-partial",
    "missed": "console-day-missed",
    "pending": "console-case-status-pending",
}


def _line(values: Iterable[object]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerow(["" if v is None else _safe(v) for v in values])
    return buffer.getvalue()


def _safe(value: object) -> str:
    """A cell a spreadsheet shows as text: a leading = + - @ would make it a formula (CSV injection)."""
    text = value.isoformat() if isinstance(value, date) else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def attendance_csv(rows: Iterable[tuple[str, date, str]]) -> Iterator[str]:
    """Lines of the attendance CSV (streamed: a year of a large centre is millions of lines)."""
    yield _line(ATTENDANCE_HEADER)
    for pseudonym, day, outcome in rows:
        yield _line((pseudonym, day, outcome))


def _iso(value: datetime | None) -> str | None:
    return value.isoformat(timespec="minutes") if value is not None else None


class _Words:
    """The case review's words in one language: column names, statuses, answers, alert states."""

    def __init__(self, lang: str) -> None:
        self.lang = lang

    def __call__(self, key: str, **args: object) -> str:
        return t(self.lang, key, **args)

    def status(self, status: str) -> str:
        return self(STATUS_KEYS[status]) if status in STATUS_KEYS else status

    def used(self, used: str | None) -> str:
        key = f"console-case-used-{used}"
        return "-" if used is None else self(key) if has(self.lang, key) else used

    def triggers(self, triggers: str | None) -> str:
        names = [name for name in (triggers or "").split(",") if name]
        return ", ".join(self(f"trigger-{n}") if has(self.lang, f"trigger-{n}") else n for n in names) or "-"

    def level(self, level: int) -> str:
        return self("console-case-level-urgent" if level >= 3 else "console-case-level-concern")

    def state(self, state: str) -> str:
        key = f"console-esc-state-{state}"
        return self(key) if has(self.lang, key) else state

    def step(self, step: int) -> str:
        return self(f"console-esc-step-{min(step, 2)}")

    def columns(self, names: Iterable[str]) -> tuple[str, ...]:
        return tuple(self(f"console-case-col-{name}") for name in names)


def case_review_csv(review: CaseReview, lang: str = "en") -> str:
    """Two tables in one file: the check-ins of the period, then its alerts (a blank line between)."""
    w = _Words(lang)
    lines = [_line((w("console-case-title", pseudonym=review.pseudonym), _period(w, review)))]
    lines.append(_line(w.columns(CASE_COLUMNS)))
    for d in review.days:
        lines.append(_line((d.day, w.status(d.status), d.mood, d.craving, w.triggers(d.triggers), w.used(d.used))))
    lines.append("\r\n")
    lines.append(_line(w.columns(ALERT_COLUMNS)))
    for e in review.escalations:
        lines.append(
            _line(
                (
                    e.id,
                    _iso(e.created_at),
                    w.level(e.level),
                    w.state(e.state),
                    w.step(e.step),
                    _iso(e.acknowledged_at),
                    _iso(e.resolved_at),
                )
            )
        )
    return "".join(lines)


def _period(w: _Words, review: CaseReview) -> str:
    return w(
        "console-case-period",
        start=review.start.isoformat(),
        end=review.today.isoformat(),
        counsellor=review.counsellor or "-",
    )


def case_review_pdf(review: CaseReview, lang: str = "en") -> bytes:
    """An A4 page (or more) a counsellor can print for a case review, in ``lang``."""
    w = _Words(lang)
    pdf = FPDF(format="A4")
    pdf.add_font("noto", "", FONT_PATH)
    pdf.add_font("noto", "B", FONT_PATH, variations={"wght": 700.0})
    pdf.set_text_shaping(True)
    title = w("console-case-title", pseudonym=review.pseudonym)
    pdf.set_title(title)
    pdf.set_creator("Saathi")
    pdf.add_page()
    pdf.set_font("noto", "B", 16)
    pdf.cell(0, 10, title, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("noto", size=10)
    pdf.cell(0, 6, _period(w, review), new_x="LMARGIN", new_y="NEXT")
    answered = [d for d in review.days if d.mood is not None]
    done = sum(1 for d in review.days if d.status == "completed")
    lapses = sum(1 for d in review.days if d.used == "yes")
    triggers = ", ".join(f"{w.triggers(name)} ({count})" for name, count in review.triggers) or "-"
    for line in (
        w("console-case-done", done=done, sent=len(review.days), answered=len(answered)),
        w("console-case-lapses", lapses=lapses, alerts=len(review.escalations)),
        w("console-case-triggers", triggers=triggers),
    ):
        pdf.multi_cell(0, 6, line, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    pdf.set_font("noto", "B", 12)
    pdf.cell(0, 8, w("console-case-checkins"), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("noto", size=9)
    with pdf.table(col_widths=(22, 26, 14, 16, 56, 16), text_align="LEFT") as table:
        table.row(w.columns(CASE_COLUMNS))
        for d in review.days:
            table.row(
                (
                    d.day.isoformat(),
                    w.status(d.status),
                    "-" if d.mood is None else str(d.mood),
                    "-" if d.craving is None else str(d.craving),
                    w.triggers(d.triggers),
                    w.used(d.used),
                )
            )
    if review.escalations:
        pdf.ln(3)
        pdf.set_font("noto", "B", 12)
        pdf.cell(0, 8, w("console-case-alerts"), new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("noto", size=9)
        with pdf.table(text_align="LEFT") as table:
            table.row(w.columns(ALERT_COLUMNS))
            for e in review.escalations:
                table.row(
                    (
                        str(e.id),
                        _iso(e.created_at) or "-",
                        w.level(e.level),
                        w.state(e.state),
                        w.step(e.step),
                        _iso(e.acknowledged_at) or "-",
                        _iso(e.resolved_at) or "-",
                    )
                )
    return bytes(pdf.output())
