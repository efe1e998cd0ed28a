"""Alerts: the centre's open escalations (urgent first) and watch notices, acknowledged and
resolved from the page through the same use case as Telegram's /ack and /resolve; the list
refreshes itself every 10 s (htmx polls the fragment)."""

from __future__ import annotations

from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from bot.services import counsellor
from bot.services.console import ConsoleUser
from bot.services.context import ServiceContext
from bot.web import auth
from bot.web.deps import changed, services_of
from bot.web.templating import minutes_since, render
from storage.console import queries as console_db
from storage.safety.tables import EscalationState

NAV = ("console-nav-alerts", "/alerts")
POLL_SECONDS = 10


def own_members_of(user: ConsoleUser) -> int | None:
    """The counsellor whose members alone this user sees, when the centre says so (admins see all)."""
    return user.staff_id if user.own_members_only and user.role != "admin" else None


def _alerts(ctx: ServiceContext, user: ConsoleUser) -> dict[str, Any]:
    now = ctx.clock.now()
    with ctx.uow() as session:
        rows = console_db.open_alerts(session, user.center_id, own_members_of(user))
        watches = console_db.watch_notices(session, user.center_id, own_members_of(user))
    return {
        "alerts": [
            {
                "id": escalation.id,
                "urgent": escalation.level >= 3,
                "pseudonym": member.pseudonym,
                "open": escalation.state == EscalationState.OPEN,
                "step": min(escalation.step, 2),
                "minutes": minutes_since(escalation.created_at, now),
            }
            for escalation, member in rows
        ],
        "watches": [
            {
                "pseudonym": member.pseudonym,
                "missed": watch.gap_missed,
                "dropout": watch.dropout_notified_at is not None,
                "since": watch.gap_start,
            }
            for watch, member in watches
        ],
        "poll": POLL_SECONDS,
    }


def _visible(ctx: ServiceContext, user: ConsoleUser, escalation_id: int) -> bool:
    with ctx.uow() as session:
        rows = console_db.open_alerts(session, user.center_id, own_members_of(user))
    return any(escalation.id == escalation_id for escalation, _member in rows)


async def alerts_page(request: Request) -> Response:
    user = auth.current_user(request)
    auth.require_role(user, "counsellor")
    values = await run_in_threadpool(_alerts, services_of(request), user)
    return render(request, "alerts.html", {**values, "outcome": request.query_params.get("done")})


async def alerts_list(request: Request) -> Response:
    """The list alone, for htmx's polling."""
    user = auth.current_user(request)
    auth.require_role(user, "counsellor")
    values = await run_in_threadpool(_alerts, services_of(request), user)
    return render(request, "alerts_list.html", values)


async def act(request: Request) -> Response:
    """POST /alerts/<id>/ack or /alerts/<id>/resolve (with ``note``)."""
    user = auth.current_user(request)
    auth.require_role(user, "counsellor")
    await auth.check_csrf(request)
    ctx = services_of(request)
    escalation_id, action = request.path_params["id"], request.path_params["action"]
    if action not in ("ack", "resolve"):
        raise HTTPException(status_code=404)
    if not await run_in_threadpool(_visible, ctx, user, escalation_id):
        raise HTTPException(status_code=404)  # another centre's, someone else's member, or closed: not found
    note = (await request.form()).get("note", "")
    outcome = await run_in_threadpool(
        counsellor.console_act, ctx, user.staff_id, escalation_id, action, note if isinstance(note, str) else ""
    )
    if outcome == "not-found":
        raise HTTPException(status_code=404)
    changed(request)
    return RedirectResponse(f"/alerts?done={outcome}", status_code=303)


routes: list[BaseRoute] = [
    Route("/alerts", alerts_page),
    Route("/alerts/list", alerts_list),
    Route("/alerts/{id:int}/{action:str}", act, methods=["POST"]),
]
