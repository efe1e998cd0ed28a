"""Circles: each circle's health (members, who wrote this week, messages a day, reports), its next
meeting and goal, and held messages to release or keep back, through the Telegram buttons' use case.

Counsellors and admins see every circle of their centre; a facilitator only the circles they facilitate.
"""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from bot.services.admin import Actor, audit_change
from bot.services.circles import overview
from bot.services.circles.facilitation import HEALTH_DAYS
from bot.services.console import ConsoleUser
from bot.services.context import ServiceContext
from bot.web import auth
from bot.web.deps import changed, services_of
from bot.web.templating import render

NAV = ("console-nav-circles", "/circles")


def _facilitator_id(user: ConsoleUser) -> int | None:
    return user.staff_id if user.role == "facilitator" else None


def _page_data(ctx: ServiceContext, user: ConsoleUser) -> dict[str, object]:
    circles = overview.overviews(ctx, user.center_id, facilitator_id=_facilitator_id(user), lang=user.language)
    held = overview.held_messages(ctx, user.center_id, facilitator_id=_facilitator_id(user))
    if held:  # members' words were shown: audited like the Telegram review
        with ctx.uow() as session:
            audit_change(session, Actor(user.staff_id), "view_held", ctx.clock.now())
            session.commit()
    return {"circles": circles, "held": held, "days": HEALTH_DAYS}


async def circles_page(request: Request) -> Response:
    user = auth.current_user(request)
    auth.require_role(user, "counsellor", "facilitator")
    data = await run_in_threadpool(_page_data, services_of(request), user)
    data["refused"] = request.query_params.get("refused") == "1"
    return render(request, "circles.html", data)


async def review_held(request: Request) -> Response:
    user = auth.current_user(request)
    auth.require_role(user, "counsellor", "facilitator")
    await auth.check_csrf(request)
    action = request.path_params["action"]
    if action not in ("release", "discard"):
        raise HTTPException(status_code=404)
    refusal = await run_in_threadpool(
        overview.review,
        services_of(request),
        user.center_id,
        user.staff_id,
        request.path_params["message_id"],
        release=action == "release",
        facilitator_only=user.role == "facilitator",
    )
    if refusal == "button-expired":  # another centre's or circle's message: as if it did not exist
        raise HTTPException(status_code=404)
    changed(request)
    return RedirectResponse("/circles?refused=1" if refusal else "/circles", status_code=303)


routes: list[BaseRoute] = [
    Route("/circles", circles_page),
    Route("/circles/held/{message_id:int}/{action:str}", review_held, methods=["POST"]),
]
