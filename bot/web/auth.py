"""Who is signed in, what they may do, and the forms' CSRF check.

The session cookie is read once per request by :class:`SessionMiddleware` (the database read
runs in a thread); pages then call ``current_user(request)``, ``require_role(user, ...)`` and,
on every POST, ``await check_csrf(request)``.
"""

from __future__ import annotations

import secrets
from collections import deque
from datetime import datetime, timedelta

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.types import ASGIApp, Receive, Scope, Send

from bot.clock import Clock
from bot.services import console
from bot.services.console import ConsoleRole, ConsoleUser
from bot.services.context import ServiceContext

__all__ = [
    "SESSION_COOKIE",
    "ConsoleUser",
    "NotSignedIn",
    "SessionMiddleware",
    "SigninLimiter",
    "check_csrf",
    "csrf_token",
    "current_user",
    "require_role",
]

SESSION_COOKIE = "saathi_console"


class NotSignedIn(Exception):
    """No live session: the app answers with a redirect to the sign-in page."""


def current_user(request: Request) -> ConsoleUser:
    """The signed-in staff member, or :class:`NotSignedIn` (a redirect to sign in)."""
    user = request.scope.get("console_user")
    if not isinstance(user, ConsoleUser):
        raise NotSignedIn()
    return user


def csrf_token(request: Request) -> str:
    """This session's CSRF token ("" when nobody is signed in)."""
    return str(request.scope.get("console_csrf") or "")


def require_role(user: ConsoleUser, *roles: ConsoleRole) -> None:
    """403 unless the user has one of ``roles``. An admin manages the centre: every role's page is theirs."""
    if user.role != "admin" and user.role not in roles:
        raise HTTPException(status_code=403)


async def check_csrf(request: Request) -> None:
    """403 unless the form's ``csrf`` field (or htmx's ``X-CSRF-Token`` header) is this session's token."""
    expected = csrf_token(request)
    sent = request.headers.get("x-csrf-token")
    if sent is None:
        form = await request.form()  # Starlette keeps the parsed form: the handler reads it again
        value = form.get("csrf")
        sent = value if isinstance(value, str) else None
    if not expected or sent is None or not secrets.compare_digest(sent.encode(), expected.encode()):
        raise HTTPException(status_code=403)


class SessionMiddleware:
    """Reads the session cookie into ``scope["console_user"]`` and ``scope["console_csrf"]``."""

    def __init__(self, app: ASGIApp, ctx: ServiceContext) -> None:
        self.app = app
        self.ctx = ctx

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and not scope["path"].startswith("/static/"):
            session_id = Request(scope).cookies.get(SESSION_COOKIE)
            if session_id:
                found = await run_in_threadpool(console.session_user, self.ctx, session_id)
                if found is not None:
                    scope["console_user"], scope["console_csrf"] = found
        await self.app(scope, receive, send)


class SigninLimiter:
    """At most ``limit`` sign-in attempts a ``window`` per client address, in memory (one process
    serves the console; a restart forgetting the counts costs an attacker nothing worth having,
    as a token has 256 random bits)."""

    def __init__(self, clock: Clock, *, limit: int = 10, window: timedelta = timedelta(minutes=1)) -> None:
        self.clock, self.limit, self.window = clock, limit, window
        self._attempts: dict[str, deque[datetime]] = {}

    def allow(self, address: str) -> bool:
        now = self.clock.now()
        if len(self._attempts) > 10_000:  # many addresses: forget those with no recent attempt
            self._attempts = {a: q for a, q in self._attempts.items() if q and now - q[-1] < self.window}
        attempts = self._attempts.setdefault(address, deque())
        while attempts and now - attempts[0] >= self.window:
            attempts.popleft()
        if len(attempts) >= self.limit:
            return False
        attempts.append(now)
        return True
