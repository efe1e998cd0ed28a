"""The console's downloads: pseudonymous attendance as CSV for funders, a member's case review as CSV and
PDF for their counsellor. Formatting only; what goes in (and its audit entry) is decided by
:mod:`bot.services.console_members`.

Column headers are English and fixed, so a spreadsheet or a funder's script reads every centre's file
the same way. The PDF uses the built-in Helvetica (Latin only): pseudonyms, dates and figures, no
member's words; anything outside Latin-1 is replaced rather than dropped silently.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from datetime import date, datetime

from fpdf import FPDF

from bot.services.console_members import CaseReview

ATTENDANCE_HEADER = ("pseudonym", "date", "outcome")
CASE_HEADER = ("date", "status", "mood", "craving", "triggers", "used")
ESCALATION_HEADER = ("alert", "raised_utc", "level", "state", "step", "acknowledged_utc", "resolved_utc")


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


def case_review_csv(review: CaseReview) -> str:
    """Two tables in one file: the check-ins of the period, then its alerts (a blank line between)."""
    lines = [_line(("member", review.pseudonym, "from", review.start, "to", review.today))]
    lines.append(_line(CASE_HEADER))
    for d in review.days:
        lines.append(_line((d.day, d.status, d.mood, d.craving, (d.triggers or "").replace(",", " "), d.used)))
    lines.append("\r\n")
    lines.append(_line(ESCALATION_HEADER))
    for e in review.escalations:
        lines.append(
            _line((e.id, _iso(e.created_at), e.level, e.state, e.step, _iso(e.acknowledged_at), _iso(e.resolved_at)))
        )
    return "".join(lines)


def _latin(text: object) -> str:
    return str(text).encode("latin-1", "replace").decode("latin-1")


def case_review_pdf(review: CaseReview) -> bytes:
    """An A4 page (or more) a counsellor can print for a case review."""
    pdf = FPDF(format="A4")
    pdf.set_title(_latin(f"Case review {review.pseudonym}"))
    pdf.set_creator("Saathi")
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 16)
    pdf.cell(0, 10, _latin(f"Case review: {review.pseudonym}"), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", size=10)
    pdf.cell(
        0,
        6,
        _latin(f"{review.start.isoformat()} to {review.today.isoformat()}, counsellor {review.counsellor or '-'}"),
        new_x="LMARGIN",
        new_y="NEXT",
    )
    answered = [d for d in review.days if d.mood is not None]
    done = sum(1 for d in review.days if d.status == "completed")
    lapses = sum(1 for d in review.days if d.used == "yes")
    triggers = ", ".join(f"{name} ({count})" for name, count in review.triggers) or "-"
    for line in (
        f"Check-ins completed: {done} of {len(review.days)} sent; answered at least in part: {len(answered)}",
        f"Used (lapses) reported: {lapses}; alerts: {len(review.escalations)}",
        f"Triggers named most often: {triggers}",
    ):
        pdf.cell(0, 6, _latin(line), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    pdf.set_font("Helvetica", "B", 12)
    pdf.cell(0, 8, "Check-ins", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", size=9)
    with pdf.table(col_widths=(22, 22, 14, 16, 60, 16), text_align="LEFT") as table:
        table.row(("Date", "Status", "Mood", "Craving", "Triggers", "Used"))
        for d in review.days:
            table.row(
                tuple(
                    _latin(v)
                    for v in (
                        d.day.isoformat(),
                        d.status,
                        "-" if d.mood is None else d.mood,
                        "-" if d.craving is None else d.craving,
                        (d.triggers or "-").replace(",", ", "),
                        d.used or "-",
                    )
                )
            )
    if review.escalations:
        pdf.ln(3)
        pdf.set_font("Helvetica", "B", 12)
        pdf.cell(0, 8, "Alerts", new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("Helvetica", size=9)
        with pdf.table(text_align="LEFT") as table:
            table.row(("#", "Raised (UTC)", "Level", "State", "Acknowledged (UTC)", "Resolved (UTC)"))
            for e in review.escalations:
                table.row(
                    tuple(
                        _latin(v or "-")
                        for v in (
                            str(e.id),
                            _iso(e.created_at),
                            "urgent" if e.level >= 3 else "concern",
                            e.state,
                            _iso(e.acknowledged_at),
                            _iso(e.resolved_at),
                        )
                    )
                )
    return bytes(pdf.output())
