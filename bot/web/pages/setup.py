"""Centre setup, for admins: counsellors (add, backup, deactivate, a member to another counsellor),
circles (add, capacity), sponsors (a volunteer added, a sponsor linked to a member or unlinked), and
the centre's helpline, alert deadlines and retention.

Every change is the use case ``saathi center set``, ``counsellor add``, ``circle add`` … call
(bot/services/admin.py, staff_admin.py, sponsor_admin.py), audited as ``console:<what>``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from bot.i18n import t
from bot.services import admin, sponsor_admin, staff_admin
from bot.services.admin import RETENTION_RANGES, Actor, AdminError
from bot.services.circles.overview import schedule_text
from bot.services.console import ConsoleUser
from bot.services.context import ServiceContext
from bot.web import auth
from bot.web.deps import services_of
from bot.web.templating import render
from storage.people.tables import Center

NAV = ("console-nav-setup", "/setup")
RETENTION_FIELDS = tuple(RETENTION_RANGES)
DONE_KEYS = {
    "settings",
    "staff",
    "backup",
    "deactivate",
    "reassign",
    "circle",
    "capacity",
    "sponsor_link",
    "sponsor_unlink",
}


def centre_of(ctx: ServiceContext, center_id: int) -> Center:
    with ctx.uow() as session:
        center = session.get(Center, center_id)
        if center is None:
            raise HTTPException(status_code=404)
        session.expunge(center)
        return center


def refusal(refused: AdminError, user: ConsoleUser) -> str:
    """Why a form was refused, in the staff member's language (the terminal's English words only when
    the use case gave no message id: a refusal the console's forms should not be able to cause)."""
    return t(user.language, refused.key, **refused.values) if refused.key else str(refused)


def _actor(user: ConsoleUser) -> Actor:
    return Actor(staff_id=user.staff_id)


def _page_data(ctx: ServiceContext, user: ConsoleUser) -> dict[str, Any]:
    center = centre_of(ctx, user.center_id)
    circles = admin.list_circles(ctx, center.name)
    for circle in circles:  # the stored schedule in words of the admin's language
        spec = circle["schedule"]
        circle["schedule"] = schedule_text(user.language, spec if isinstance(spec, str) else None)
    return {
        "center": center,
        "staff": staff_admin.staff_rows(ctx, user.center_id),
        "circles": circles,
        "circle_kinds": admin.CIRCLE_KINDS,
        "max_capacity": admin.MAX_CIRCLE_CAPACITY,
        "sponsors": sponsor_admin.sponsor_rows(ctx, center.name),
        "retention": [(name, getattr(center, name), *RETENTION_RANGES[name]) for name in RETENTION_FIELDS],
    }


async def _show(request: Request, user: ConsoleUser, **extra: Any) -> Response:
    data = await run_in_threadpool(_page_data, services_of(request), user)
    data.update(extra)
    return render(request, "setup.html", data, status_code=400 if extra.get("error") else 200)


async def setup_page(request: Request) -> Response:
    user = auth.current_user(request)
    auth.require_role(user, "admin")
    done = request.query_params.get("done")
    return await _show(request, user, done=done if done in DONE_KEYS else None)


def _int(form: FormData, name: str) -> int | None:
    value = form.get(name)
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        return int(value.strip())
    except ValueError:
        raise AdminError(f"{name.replace('_', ' ')}: a whole number, please") from None


def _text(form: FormData, name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


def _yes_no(form: FormData, name: str) -> bool | None:
    """A yes/no choice; a form without it leaves the setting as it is."""
    value = _text(form, name)
    return None if value not in ("yes", "no") else value == "yes"


async def _change(
    request: Request, done: str, change: Callable[[ServiceContext, ConsoleUser, FormData], Any]
) -> Response:
    """An admin's POST: role, CSRF, the use case in a thread; its refusal shown on the page."""
    user = auth.current_user(request)
    auth.require_role(user, "admin")
    await auth.check_csrf(request)
    form = await request.form()
    try:
        result = await run_in_threadpool(change, services_of(request), user, form)
    except AdminError as refused:
        return await _show(request, user, error=refusal(refused, user))
    if isinstance(result, Response):
        return result
    return RedirectResponse(f"/setup?done={done}", status_code=303)


def _settings(ctx: ServiceContext, user: ConsoleUser, form: FormData) -> None:
    center = centre_of(ctx, user.center_id)
    retention: dict[str, Any] = {name: _int(form, name) for name in RETENTION_FIELDS}
    admin.configure_center(
        ctx,
        center.name,
        helpline=_text(form, "helpline"),
        ack_urgent_minutes=_int(form, "ack_urgent_minutes"),
        ack_concern_minutes=_int(form, "ack_concern_minutes"),
        own_members_only=_yes_no(form, "own_members_only"),
        actor=_actor(user),
        **retention,
    )


async def save_settings(request: Request) -> Response:
    return await _change(request, "settings", _settings)


async def add_staff(request: Request) -> Response:
    user = auth.current_user(request)
    auth.require_role(user, "admin")
    await auth.check_csrf(request)
    form = await request.form()
    ctx = services_of(request)
    role = "admin" if _text(form, "role") == "admin" else "counsellor"

    def add() -> tuple[str, str | None]:
        center = centre_of(ctx, user.center_id)
        staff, link = admin.add_counsellor(
            ctx, center.name, _text(form, "name"), backup=form.get("backup") == "on", role=role, actor=_actor(user)
        )
        return staff.name, link

    try:
        name, link = await run_in_threadpool(add)
    except AdminError as refused:
        return await _show(request, user, error=refusal(refused, user))
    # the one-time link is shown once, here, for the admin to send privately; it is not kept in the page's URL
    return await _show(request, user, added_name=name, added_link=link)


def _backup(ctx: ServiceContext, user: ConsoleUser, form: FormData) -> None:
    staff_admin.set_backup(
        ctx, user.center_id, _int(form, "staff_id") or 0, form.get("backup") == "on", actor=_actor(user)
    )


async def set_backup(request: Request) -> Response:
    return await _change(request, "backup", _backup)


def _deactivate(ctx: ServiceContext, user: ConsoleUser, form: FormData) -> None:
    staff_admin.deactivate(
        ctx, user.center_id, _int(form, "staff_id") or 0, move_to=_int(form, "move_to"), actor=_actor(user)
    )


async def deactivate(request: Request) -> Response:
    return await _change(request, "deactivate", _deactivate)


def _reassign(ctx: ServiceContext, user: ConsoleUser, form: FormData) -> None:
    staff_admin.reassign_member(
        ctx, user.center_id, _text(form, "pseudonym"), _int(form, "counsellor_id") or 0, actor=_actor(user)
    )


async def reassign(request: Request) -> Response:
    return await _change(request, "reassign", _reassign)


def _add_circle(ctx: ServiceContext, user: ConsoleUser, form: FormData) -> None:
    center = centre_of(ctx, user.center_id)
    language = _text(form, "language")
    admin.add_circle(
        ctx,
        center.name,
        _text(form, "name"),
        kind=_text(form, "kind") or "self_help",
        language=language if language in ("en", "hi", "mr") else "en",
        capacity=_int(form, "capacity") or 8,
        schedule=_text(form, "schedule") or None,
        actor=_actor(user),
    )


async def add_circle(request: Request) -> Response:
    return await _change(request, "circle", _add_circle)


def _capacity(ctx: ServiceContext, user: ConsoleUser, form: FormData) -> None:
    staff_admin.set_circle_capacity(
        ctx, user.center_id, _int(form, "circle_id") or 0, _int(form, "capacity") or 0, actor=_actor(user)
    )


async def set_capacity(request: Request) -> Response:
    return await _change(request, "capacity", _capacity)


async def add_volunteer(request: Request) -> Response:
    """A volunteer sponsor who is not a member: as ``saathi sponsor volunteer add``, a one-time code
    they send to the bot as /volunteer CODE, shown once here for the admin to give them privately."""
    user = auth.current_user(request)
    auth.require_role(user, "admin")
    await auth.check_csrf(request)
    form = await request.form()
    ctx = services_of(request)
    language = _text(form, "language")

    def add() -> sponsor_admin.Volunteer:
        return sponsor_admin.add_volunteer(
            ctx,
            centre_of(ctx, user.center_id).name,
            _text(form, "name"),
            language=language if language in ("en", "hi", "mr") else "en",
            actor=_actor(user),
        )

    try:
        volunteer = await run_in_threadpool(add)
    except AdminError as refused:
        return await _show(request, user, error=refusal(refused, user))
    return await _show(request, user, volunteer=volunteer)


def _sponsor_link(ctx: ServiceContext, user: ConsoleUser, form: FormData) -> None:
    center = centre_of(ctx, user.center_id)
    sponsor_admin.link(ctx, _text(form, "sponsor"), _text(form, "mentee"), center_name=center.name, actor=_actor(user))


async def sponsor_link(request: Request) -> Response:
    return await _change(request, "sponsor_link", _sponsor_link)


def _sponsor_unlink(ctx: ServiceContext, user: ConsoleUser, form: FormData) -> None:
    center = centre_of(ctx, user.center_id)
    sponsor_admin.unlink(ctx, _text(form, "mentee"), center_name=center.name, actor=_actor(user))


async def sponsor_unlink(request: Request) -> Response:
    return await _change(request, "sponsor_unlink", _sponsor_unlink)


routes: list[BaseRoute] = [
    Route("/setup", setup_page),
    Route("/setup/settings", save_settings, methods=["POST"]),
    Route("/setup/staff", add_staff, methods=["POST"]),
    Route("/setup/staff/backup", set_backup, methods=["POST"]),
    Route("/setup/staff/deactivate", deactivate, methods=["POST"]),
    Route("/setup/reassign", reassign, methods=["POST"]),
    Route("/setup/circles", add_circle, methods=["POST"]),
    Route("/setup/circles/capacity", set_capacity, methods=["POST"]),
    Route("/setup/sponsors/volunteer", add_volunteer, methods=["POST"]),
    Route("/setup/sponsors/link", sponsor_link, methods=["POST"]),
    Route("/setup/sponsors/unlink", sponsor_unlink, methods=["POST"]),
]
