"""Signing in with a one-time link, signing out, and signing out everywhere."""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from bot.services import console
from bot.web import auth
from bot.web.deps import services_of
from bot.web.templating import render


async def signin_page(request: Request) -> Response:
    """Where someone not signed in lands: how to get a link."""
    if isinstance(request.scope.get("console_user"), auth.ConsoleUser):
        return RedirectResponse("/alerts", status_code=303)
    return render(request, "signin.html", {"failed": False})


async def signin_with_link(request: Request) -> Response:
    client = request.client.host if request.client else "unknown"
    if not request.app.state.signin_limiter.allow(client):
        raise HTTPException(status_code=429)
    signed = await run_in_threadpool(console.sign_in, services_of(request), request.path_params["token"])
    if signed is None:
        return render(request, "signin.html", {"failed": True}, status_code=400)
    response = RedirectResponse("/alerts", status_code=303)
    response.set_cookie(
        auth.SESSION_COOKIE,
        signed.session_id,
        max_age=int(console.SESSION_MAX.total_seconds()),
        httponly=True,
        samesite="strict",
        secure=request.app.state.secure_cookies,
        path="/",
    )
    return response


async def signout(request: Request) -> Response:
    await _sign_out(request, everywhere=False)
    return _signed_out()


async def signout_everywhere(request: Request) -> Response:
    await _sign_out(request, everywhere=True)
    return _signed_out()


async def _sign_out(request: Request, *, everywhere: bool) -> None:
    auth.current_user(request)
    await auth.check_csrf(request)
    session_id = request.cookies.get(auth.SESSION_COOKIE, "")
    await run_in_threadpool(console.sign_out, services_of(request), session_id, everywhere=everywhere)


def _signed_out() -> Response:
    response = RedirectResponse("/signin", status_code=303)
    response.delete_cookie(auth.SESSION_COOKIE, path="/", httponly=True, samesite="strict")
    return response


routes: list[BaseRoute] = [
    Route("/signin", signin_page),
    Route("/signin/{token}", signin_with_link),
    Route("/signout", signout, methods=["POST"]),
    Route("/signout/everywhere", signout_everywhere, methods=["POST"]),
]
