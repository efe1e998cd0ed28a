"""Reports: the centre's weekly summary (check-in rate, members active, paused and dropped, alerts and
time to acknowledge) and, for admins, pseudonymous attendance as CSV for funders (no names, no texts;
each download audited as ``console:export-attendance``)."""

from __future__ import annotations

from datetime import date, timedelta

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from bot.services import console_members
from bot.services.context import ServiceContext
from bot.web import auth, exports
from bot.web.deps import services_of
from bot.web.scope import scope_of
from bot.web.templating import render

NAV = ("console-nav-reports", "/reports")
MAX_EXPORT_DAYS = 366


def _date(raw: str | None) -> date | None:
    try:
        return date.fromisoformat(raw) if raw else None
    except ValueError:
        return None


async def reports_page(request: Request) -> Response:
    user = auth.current_user(request)
    auth.require_role(user, "counsellor")
    week = _date(request.query_params.get("week"))
    if week is not None:
        week -= timedelta(days=week.weekday())
    figures = await run_in_threadpool(console_members.weekly_summary, services_of(request), user.center_id, week)
    return render(
        request,
        "reports.html",
        {
            "f": figures,
            "earlier": figures.start - timedelta(days=7),
            "later": figures.start + timedelta(days=7),
            "export_from": figures.start - timedelta(days=21),
            "export_to": figures.end,
        },
    )


def _attendance_text(ctx: ServiceContext, scope: console_members.Scope, since: date, until: date) -> str:
    return "".join(exports.attendance_csv(console_members.attendance(ctx, scope, since, until)))


async def attendance_csv(request: Request) -> Response:
    user = auth.current_user(request)
    auth.require_role(user, "admin")
    since, until = _date(request.query_params.get("from")), _date(request.query_params.get("to"))
    if since is None or until is None or until < since or (until - since).days >= MAX_EXPORT_DAYS:
        raise HTTPException(status_code=400)
    text = await run_in_threadpool(_attendance_text, services_of(request), scope_of(user), since, until)
    name = f"attendance-{since.isoformat()}-{until.isoformat()}.csv"
    return Response(
        text, media_type="text/csv; charset=utf-8", headers={"content-disposition": f'attachment; filename="{name}"'}
    )


routes: list[BaseRoute] = [Route("/reports", reports_page), Route("/reports/attendance.csv", attendance_csv)]
