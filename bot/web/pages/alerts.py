"""Alerts: the centre's open escalations, urgent first, acknowledged and resolved from the page."""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from bot.services.console import ConsoleUser
from bot.services.context import ServiceContext
from bot.web import auth
from bot.web.deps import services_of
from bot.web.templating import render
from storage.console import queries as console_db

NAV = ("console-nav-alerts", "/alerts")


def _alerts(ctx: ServiceContext, user: ConsoleUser) -> list[dict[str, object]]:
    own = user.staff_id if user.own_members_only and user.role == "counsellor" else None
    now = ctx.clock.now()
    with ctx.uow() as session:
        rows = console_db.open_alerts(session, user.center_id, own)
    return [
        {
            "id": escalation.id,
            "urgent": escalation.level >= 3,
            "pseudonym": member.pseudonym,
            "state": escalation.state,
            "step": escalation.step,
            "minutes": max(0, int((now - escalation.created_at).total_seconds() // 60)),
        }
        for escalation, member in rows
    ]


async def alerts_page(request: Request) -> Response:
    user = auth.current_user(request)
    auth.require_role(user, "counsellor")
    alerts = await run_in_threadpool(_alerts, services_of(request), user)
    return render(request, "alerts.html", {"alerts": alerts})


routes: list[BaseRoute] = [Route("/alerts", alerts_page)]
