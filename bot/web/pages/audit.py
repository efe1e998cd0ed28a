"""Audit (admins): who at the centre viewed or changed what, filterable by action, member
pseudonym and dates. The audit log names staff and pseudonyms, never what anyone wrote."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from bot.i18n import has, t
from bot.services.console import ConsoleUser
from bot.services.context import ServiceContext
from bot.web import auth
from bot.web.deps import services_of
from bot.web.templating import render
from storage.console import queries as console_db
from storage.people import queries as people_db
from storage.people.tables import Center

NAV = ("console-nav-audit", "/audit")


def _day(raw: str | None) -> date | None:
    try:
        return date.fromisoformat(raw) if raw else None
    except ValueError:
        return None


def action_label(lang: str, action: str) -> str:
    """``console:staff_add`` → "staff member added (in the console)", in ``lang``; a refused command the
    catalogs do not name → "a command not open to them: /settings (refused)"; any other action the
    catalogs do not name yet is shown by its id."""
    via, _, what = action.rpartition(":")
    key = f"console-audit-{what.replace('_', '-')}"
    if has(lang, key):
        label = t(lang, key)
    elif via == "refused":
        label = t(lang, "console-audit-command", command=what)
    else:
        label = action
    if via and has(lang, f"console-audit-via-{via}") and label != action:
        label = f"{label} ({t(lang, f'console-audit-via-{via}')})"
    return label


def _audit(ctx: ServiceContext, user: ConsoleUser, filters: dict[str, Any]) -> dict[str, Any]:
    with ctx.uow() as session:
        center = session.get(Center, user.center_id)
        zone = ZoneInfo(center.timezone if center else ctx.default_timezone)
        member_id: int | None = None
        unknown_member = False
        if filters["member"]:
            found = people_db.member_by_pseudonym(session, user.center_id, filters["member"])
            member_id, unknown_member = (found.id, False) if found is not None else (None, True)
        since = datetime.combine(filters["since"], time(), zone) if filters["since"] else None
        until = datetime.combine(filters["until"] + timedelta(days=1), time(), zone) if filters["until"] else None
        rows = (
            []
            if unknown_member
            else console_db.audit_entries(
                session, user.center_id, action=filters["action"] or None, member_id=member_id, since=since, until=until
            )
        )
        actions = console_db.audit_actions(session, user.center_id)
    return {
        "entries": [
            {
                "when": entry.created_at.astimezone(zone).strftime("%Y-%m-%d %H:%M"),
                "staff": staff_name or "-",
                "action": action_label(user.language, entry.action),
                "member": pseudonym or "-",
            }
            for entry, staff_name, pseudonym in rows
        ],
        "actions": [(action, action_label(user.language, action)) for action in actions],
    }


async def audit_page(request: Request) -> Response:
    user = auth.current_user(request)
    auth.require_role(user, "admin")
    query = request.query_params
    filters = {
        "action": (query.get("action") or "").strip()[:40],
        "member": (query.get("member") or "").strip()[:40],
        "since": _day(query.get("since")),
        "until": _day(query.get("until")),
    }
    values = await run_in_threadpool(_audit, services_of(request), user, filters)
    return render(request, "audit.html", {**values, "filters": filters})


routes: list[BaseRoute] = [Route("/audit", audit_page)]
