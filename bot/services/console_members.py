"""The console's member views: the caseload, one member's trends, the audited reveal of their name and
notes, the centre's weekly figures and the exports.

Every function takes a :class:`Scope` (the staff member's centre and, when the centre keeps counsellors
to their own members, their staff id): a member outside it is ``None`` to the caller, which answers 404,
never data. Reads are pseudonymous; a real name or a member's own words leave here only through
:func:`reveal` and :func:`case_review`, which write an audit entry in the same transaction.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy.orm import Session

from bot.domain import charts
from bot.domain.caseload import CaseloadRow, WeeklyFigures, risk_key, top_triggers, weekly_figures
from bot.domain.scheduling import local_date
from bot.domain.streaks import checkin_streak
from bot.i18n import t
from bot.services.context import ServiceContext
from storage.people.tables import Center, Member, Staff
from storage.reports import caseload as caseload_db
from storage.reports import queries as reports_db
from storage.safety.tables import AuditEntry

PER_PAGE = 50
WINDOWS = (30, 90)
_STREAK_FIRST_LOOK = 32  # days read for a streak; longer streaks are read again further back


@dataclass(frozen=True)
class Scope:
    """Whose members a staff member sees: their centre's, or only their own (``counsellor_id``)."""

    staff_id: int
    center_id: int
    counsellor_id: int | None = None


@dataclass(frozen=True)
class CaseloadPage:
    rows: list[CaseloadRow]
    total: int
    page: int
    pages: int
    today: date


def _today(session: Session, center_id: int, ctx: ServiceContext) -> date:
    center = session.get(Center, center_id)
    return local_date(ctx.clock.now(), center.timezone if center else ctx.default_timezone)


def _streaks(session: Session, member_ids: list[int], today: date) -> dict[int, int]:
    days = caseload_db.completed_days(session, member_ids, today - timedelta(days=_STREAK_FIRST_LOOK))
    streaks = {m: checkin_streak(d, today) for m, d in days.items()}
    long_ones = [m for m, s in streaks.items() if s >= _STREAK_FIRST_LOOK - 1]
    if long_ones:  # rare: a month or more without a gap, read the rest of the year
        more = caseload_db.completed_days(session, long_ones, today - timedelta(days=400))
        streaks.update({m: checkin_streak(d, today) for m, d in more.items()})
    return streaks


def caseload(
    ctx: ServiceContext,
    scope: Scope,
    *,
    search: str = "",
    status: str | None = None,
    order: str = "risk",
    page: int = 1,
) -> CaseloadPage:
    """One page of the caseload, most at risk first (or by pseudonym)."""
    with ctx.uow() as session:
        today = _today(session, scope.center_id, ctx)
        page = max(1, page)
        query = caseload_db.CaseloadQuery(
            center_id=scope.center_id,
            today=today,
            counsellor_id=scope.counsellor_id,
            search=search[:40],
            status=status or None,
            order="name" if order == "name" else "risk",
            limit=PER_PAGE,
            offset=(page - 1) * PER_PAGE,
        )
        ranked, total = caseload_db.rank_page(session, query)
        ids = [r.member_id for r in ranked]
        older = caseload_db.last_completed(session, [r.member_id for r in ranked if r.last_done is None])
        streaks = _streaks(session, ids, today)
        sponsors = caseload_db.sponsors_of(session, ids)
        circles = caseload_db.circles_of(session, ids)
    rows = [
        CaseloadRow(
            member_id=r.member_id,
            pseudonym=r.pseudonym,
            status=r.status,
            counsellor_id=r.counsellor_id,
            last_checkin=r.last_done or older.get(r.member_id),
            streak=streaks.get(r.member_id, 0),
            missed_14=r.missed_14,
            alert_level=r.alert_level,
            alert_state=None if r.alert_level is None else ("open" if r.alert_open else "acknowledged"),
            sponsor=sponsors.get(r.member_id),
            circle=circles[r.member_id][1] if r.member_id in circles else None,
        )
        for r in ranked
    ]
    if query.order == "risk":  # the SQL order, with the last check-in from before the window filled in
        rows.sort(key=lambda row: risk_key(row, today))
    return CaseloadPage(rows=rows, total=total, page=page, pages=max(1, -(-total // PER_PAGE)), today=today)


@dataclass(frozen=True)
class MemberView:
    member_id: int
    pseudonym: str
    status: str
    language: str
    counsellor: str | None
    circle: str | None
    sponsor: str | None
    days: int
    start: date
    today: date
    chart_svg: str
    calendar_svg: str
    summary: str
    triggers: list[tuple[str, int]]
    escalations: list[reports_db.EscalationRow]
    may_export: bool


def _summary(lang: str, figures: charts.TrendSummary) -> str:
    return t(
        lang,
        "console-member-chart-summary",
        days=figures.days,
        answered=figures.answered,
        mood=figures.mood_average if figures.mood_average is not None else "-",
        craving=figures.craving_average if figures.craving_average is not None else "-",
        lapses=figures.lapses,
        alerts=figures.alerts,
    )


def member_view(
    ctx: ServiceContext, scope: Scope, member_id: int, *, days: int, lang: str, role: str
) -> MemberView | None:
    """A member's last ``days`` (30 or 90) as the member page shows them, or None outside the scope."""
    days = days if days in WINDOWS else WINDOWS[0]
    with ctx.uow() as session:
        member = caseload_db.member_in_scope(session, member_id, scope.center_id, scope.counsellor_id)
        if member is None:
            return None
        today = local_date(ctx.clock.now(), member.timezone)
        start = today - timedelta(days=days - 1)
        rows = reports_db.member_days(session, member_id, start, today)
        paused = reports_db.pause_days(session, member_id, start, today)
        escalations = reports_db.member_escalations(session, member_id)
        counsellor = session.get(Staff, member.counsellor_id) if member.counsellor_id else None
        sponsor = caseload_db.sponsors_of(session, [member_id]).get(member_id)
        circle = caseload_db.circles_of(session, [member_id]).get(member_id)
        pseudonym, status, language, tz = member.pseudonym, member.status, member.language, member.timezone
        counsellor_name = counsellor.name if counsellor else None
    values = [charts.DayValues(r.day, mood=r.mood, craving=r.craving, lapse=r.used == "yes") for r in rows]
    alerts = [charts.AlertMark(local_date(e.created_at, tz), urgent=e.level >= 3) for e in escalations]
    figures = charts.summarise(values, alerts, start, today)
    summary = _summary(lang, figures)
    chart = charts.trend_svg(
        values,
        alerts,
        start,
        today,
        charts.ChartText(
            title=t(lang, "console-member-chart-title", pseudonym=pseudonym, days=days),
            summary=summary,
            mood=t(lang, "console-chart-mood"),
            craving=t(lang, "console-chart-craving"),
            lapse=t(lang, "console-chart-lapse"),
            alert=t(lang, "console-chart-alert"),
            urgent_alert=t(lang, "console-chart-urgent"),
        ),
    )
    kinds = {r.day: charts.day_kind(status=r.status, answered=r.mood is not None, paused=r.day in paused) for r in rows}
    kinds.update({d: "paused" for d in paused if kinds.get(d) != "done"})
    calendar = charts.calendar_svg(
        kinds,
        start,
        today,
        charts.CalendarText(
            title=t(lang, "console-member-calendar-title", days=days),
            summary=t(
                lang,
                "console-member-calendar-summary",
                done=sum(1 for k in kinds.values() if k == "done"),
                missed=sum(1 for k in kinds.values() if k == "missed"),
                days=days,
            ),
            kinds={k: t(lang, f"console-day-{k}") for k in charts.DAY_KINDS},
        ),
        prefix=f"cal{days}",
    )
    return MemberView(
        member_id=member_id,
        pseudonym=pseudonym,
        status=status,
        language=language,
        counsellor=counsellor_name,
        circle=circle[1] if circle else None,
        sponsor=sponsor,
        days=days,
        start=start,
        today=today,
        chart_svg=chart,
        calendar_svg=calendar,
        summary=summary,
        triggers=top_triggers(r.triggers for r in rows),
        escalations=escalations,
        may_export=role == "admin" or member.counsellor_id == scope.staff_id,
    )


@dataclass(frozen=True)
class Revealed:
    name: str | None
    checkin_notes: list[tuple[date, str]]
    escalation_notes: list[tuple[int, str | None, str | None]]


def reveal(ctx: ServiceContext, scope: Scope, member_id: int, *, days: int = 90) -> Revealed | None:
    """The member's real name and own words (check-in notes, escalation excerpts and resolution notes of the
    last ``days``), after an explicit click: audited as ``console:reveal`` in the same transaction."""
    now = ctx.clock.now()
    with ctx.uow() as session:
        member = caseload_db.member_in_scope(session, member_id, scope.center_id, scope.counsellor_id)
        if member is None:
            return None
        today = local_date(now, member.timezone)
        revealed = Revealed(
            name=member.display_name,
            checkin_notes=reports_db.checkin_notes(session, member_id, today - timedelta(days=days - 1)),
            escalation_notes=[n for n in reports_db.escalation_notes(session, member_id) if n[1] or n[2]],
        )
        session.add(AuditEntry(staff_id=scope.staff_id, member_id=member_id, action="console:reveal", created_at=now))
        session.commit()
    return revealed


def weekly_summary(ctx: ServiceContext, center_id: int, start: date | None = None) -> WeeklyFigures:
    """The centre's week from ``start`` (default: the last full week, Monday to Sunday)."""
    with ctx.uow() as session:
        today = _today(session, center_id, ctx)
        if start is None:
            start = today - timedelta(days=today.weekday() + 7)
        rows = reports_db.centre_week(session, center_id, start)
    return weekly_figures(
        start=start, checkin_statuses=rows.checkin_statuses, member_statuses=rows.member_statuses, alerts=rows.alerts
    )


def attendance(ctx: ServiceContext, scope: Scope, since: date, until: date) -> Iterator[tuple[str, date, str]]:
    """Pseudonymous attendance of the centre: (pseudonym, day, done | partial | missed | open), no names, no
    texts; audited as ``console:export-attendance``."""
    now = ctx.clock.now()
    with ctx.uow() as session:
        session.add(AuditEntry(staff_id=scope.staff_id, action="console:export-attendance", created_at=now))
        session.commit()
        for pseudonym, day, status, answered in reports_db.attendance_rows(session, scope.center_id, since, until):
            kind = charts.day_kind(status=status, answered=answered, paused=False)
            yield pseudonym, day, "open" if kind == "none" else kind


@dataclass(frozen=True)
class CaseReview:
    pseudonym: str
    counsellor: str | None
    start: date
    today: date
    days: list[reports_db.DayRow]
    escalations: list[reports_db.EscalationRow]
    triggers: list[tuple[str, int]]


def case_review(ctx: ServiceContext, scope: Scope, member_id: int, *, role: str, days: int = 90) -> CaseReview | None:
    """A member's last ``days`` for their counsellor's case review (or an admin's): check-in answers and
    escalations, no free text; audited as ``console:export-case``. None outside the scope or for another
    counsellor's member."""
    now = ctx.clock.now()
    with ctx.uow() as session:
        member: Member | None = caseload_db.member_in_scope(session, member_id, scope.center_id, scope.counsellor_id)
        if member is None or (role != "admin" and member.counsellor_id != scope.staff_id):
            return None
        today = local_date(now, member.timezone)
        start = today - timedelta(days=days - 1)
        rows = reports_db.member_days(session, member_id, start, today)
        escalations = reports_db.member_escalations(session, member_id, limit=200)
        counsellor = session.get(Staff, member.counsellor_id) if member.counsellor_id else None
        review = CaseReview(
            pseudonym=member.pseudonym,
            counsellor=counsellor.name if counsellor else None,
            start=start,
            today=today,
            days=rows,
            escalations=[e for e in escalations if local_date(e.created_at, member.timezone) >= start],
            triggers=top_triggers(r.triggers for r in rows),
        )
        session.add(
            AuditEntry(staff_id=scope.staff_id, member_id=member_id, action="console:export-case", created_at=now)
        )
        session.commit()
    return review
