"""The console's Starlette app: the pages of ``bot.web.pages.PAGES``, static files, sessions,
security headers, and errors as pages."""

from __future__ import annotations

import asyncio
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

# a staff request waits at most this long for the bot's members, looking every step (MembersFirst)
# (once it waits, until the bot has been free for MEMBERS_FIRST_QUIET: polling's next batch of a burst
# comes a round trip after the last, and the burst is not over in that gap)
MEMBERS_FIRST_LIMIT = 1.0
MEMBERS_FIRST_STEP = 0.01
MEMBERS_FIRST_QUIET = 0.05
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


class MembersFirst:
    """A signed-in staff member's request waits while ``busy()`` says the bot has members' updates in
    hand, up to ``limit`` seconds: the console shares the bot's process (``saathi run``), and a page's
    queries and rendering, in a worker thread, hold the interpreter's lock the loop needs for members'
    answers (docs/performance.md, "The console beside the bot"). A request that found the bot busy goes
    on once it has been free for ``MEMBERS_FIRST_QUIET`` (a burst's next batch comes a round trip after
    the last). Only requests with a session cookie wait: static files, the sign-in page and other entry
    points (WhatsApp's webhook) go straight on."""

    def __init__(self, app: ASGIApp, busy: Callable[[], bool] | None, limit: float = MEMBERS_FIRST_LIMIT) -> None:
        self.app, self.busy, self.limit = app, busy, limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.busy is not None and scope["type"] == "http" and auth.SESSION_COOKIE in Request(scope).cookies:
            await self._members_first()
        await self.app(scope, receive, send)

    async def _members_first(self) -> None:
        assert self.busy is not None
        if not self.busy():
            return
        loop = asyncio.get_running_loop()
        now = loop.time()
        until, free_since = now + self.limit, None
        while now < until:
            await asyncio.sleep(MEMBERS_FIRST_STEP)
            now = loop.time()
            if self.busy():
                free_since = None
            elif free_since is None:
                free_since = now
            if free_since is not None and now - free_since >= MEMBERS_FIRST_QUIET:
                return


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
    members_waiting: Callable[[], bool] | None = None,
) -> Starlette:
    """The console over ``ctx``. ``on_change`` is called on the event loop after a page changed
    something through a service (the bot passes the outbox sender's kick, so the member hears at once).
    ``extra_routes``: other entry points on the same server (WhatsApp's webhook, bot/whatsapp_inbox.py);
    they check their own callers (a signature), not a console session. ``members_waiting``: True while
    the bot in the same process has members' updates in hand; staff requests wait for it (:class:`MembersFirst`)."""
    routes: list[BaseRoute] = [Route("/", _home), *extra_routes]
    nav: list[tuple[str, str]] = []
    for module in page_modules():
        routes.extend(module.routes)
        if hasattr(module, "NAV"):
            nav.append(module.NAV)
    routes.append(Mount("/static", app=StaticFiles(directory=STATIC), name="static"))
    app = Starlette(
        routes=routes,
        middleware=[
            Middleware(SecurityHeaders),
            Middleware(MembersFirst, busy=members_waiting),
            Middleware(auth.SessionMiddleware, ctx=ctx),
        ],
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
