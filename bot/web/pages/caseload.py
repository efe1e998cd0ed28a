"""Caseload: the centre's members (or the counsellor's own), most at risk first, searchable by pseudonym.
A search from the page asks for the rows only (htmx); without JavaScript the form reloads the page."""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from bot.services import console_members
from bot.web import auth
from bot.web.deps import services_of
from bot.web.scope import scope_of
from bot.web.templating import render
from storage.people.tables import MemberStatus

NAV = ("console-nav-caseload", "/caseload")
MEMBER_STATUSES = tuple(s.value for s in MemberStatus)


def _page_number(raw: str | None) -> int:
    return int(raw) if raw and raw.isdigit() and len(raw) < 6 else 1


async def caseload_page(request: Request) -> Response:
    user = auth.current_user(request)
    auth.require_role(user, "counsellor")
    params = request.query_params
    search = params.get("q", "")[:40]
    status = params.get("status") if params.get("status") in MEMBER_STATUSES else None
    order = "name" if params.get("order") == "name" else "risk"
    page = await run_in_threadpool(
        console_members.caseload,
        services_of(request),
        scope_of(user),
        search=search,
        status=status,
        order=order,
        page=_page_number(params.get("page")),
    )
    context = {"page": page, "q": search, "status": status or "", "order": order, "statuses": MEMBER_STATUSES}
    template = "caseload_rows.html" if request.headers.get("hx-request") else "caseload.html"
    return render(request, template, context)


routes: list[BaseRoute] = [Route("/caseload", caseload_page)]
