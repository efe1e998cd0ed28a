"""The console's Starlette app: the pages of ``bot.web.pages.PAGES``, static files, sessions,
security headers, and errors as pages."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Sequence
from pathlib import Path
from types import ModuleType

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from bot.clock import Clock
from bot.config import Settings
from bot.services.context import ServiceContext
from bot.web import auth
from bot.web.pages import PAGES
from bot.web.templating import render

STATIC = Path(__file__).resolve().parent / "static"
# No inline script or style anywhere: htmx and the stylesheet are served from here.
SECURITY_HEADERS = [
    (b"content-security-policy", b"default-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'"),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    # a sign-in link carries its token in the path: never in a Referer
    (b"referrer-policy", b"no-referrer"),
]


class SecurityHeaders:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                headers.extend(SECURITY_HEADERS)
                if not scope["path"].startswith("/static/"):
                    headers.append((b"cache-control", b"no-store"))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, with_headers)


def page_modules() -> list[ModuleType]:
    return [importlib.import_module(f"bot.web.pages.{name}") for name in PAGES]


async def _home(request: Request) -> Response:
    auth.current_user(request)
    return RedirectResponse("/alerts", status_code=303)


async def _not_signed_in(request: Request, exc: Exception) -> Response:
    if request.headers.get("hx-request"):  # htmx follows a redirect inside the page: ask for a full one
        return Response(status_code=401, headers={"hx-redirect": "/signin"})
    return RedirectResponse("/signin", status_code=303)


async def _http_error(request: Request, exc: Exception) -> Response:
    status = exc.status_code if isinstance(exc, HTTPException) else 500
    key = {403: "console-error-forbidden", 404: "console-error-not-found", 429: "console-error-too-many"}.get(
        status, "console-error-other"
    )
    return render(request, "error.html", {"message_key": key}, status_code=status)


def build_web_app(
    ctx: ServiceContext,
    settings: Settings,
    clock: Clock,
    *,
    on_change: Callable[[], None] | None = None,
    extra_routes: Sequence[BaseRoute] = (),
) -> Starlette:
    """The console over ``ctx``. ``on_change`` is called on the event loop after a page changed
    something through a service (the bot passes the outbox sender's kick, so the member hears at once).
    ``extra_routes``: other entry points on the same server (WhatsApp's webhook, bot/whatsapp_inbox.py);
    they check their own callers (a signature), not a console session."""
    routes: list[BaseRoute] = [Route("/", _home), *extra_routes]
    nav: list[tuple[str, str]] = []
    for module in page_modules():
        routes.extend(module.routes)
        if hasattr(module, "NAV"):
            nav.append(module.NAV)
    routes.append(Mount("/static", app=StaticFiles(directory=STATIC), name="static"))
    app = Starlette(
        routes=routes,
        middleware=[Middleware(SecurityHeaders), Middleware(auth.SessionMiddleware, ctx=ctx)],
        exception_handlers={auth.NotSignedIn: _not_signed_in, HTTPException: _http_error},
    )
    app.state.ctx = ctx
    app.state.settings = settings
    app.state.clock = clock
    app.state.nav = tuple(nav)
    app.state.on_change = on_change or (lambda: None)
    app.state.signin_limiter = auth.SigninLimiter(clock)
    app.state.secure_cookies = settings.web_base_url.startswith("https://")
    return app
