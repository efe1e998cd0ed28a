"""Pages rendered with Jinja2 (autoescaped), in the signed-in user's language, in a worker thread as the
response is sent: the console shares the bot's event loop (``saathi run``), and a page of fifty rows
takes milliseconds to render that the loop's updates and sends should not wait for."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.types import Receive, Scope, Send

from bot.i18n import DEFAULT_LANGUAGE, t
from bot.services.console import ConsoleUser

TEMPLATES = Path(__file__).resolve().parent / "templates"
environment = Environment(
    loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(default=True), trim_blocks=True, lstrip_blocks=True
)


def translator(lang: str) -> Callable[..., str]:
    def lookup(key: str, **args: Any) -> str:
        return t(lang, key, **args)

    return lookup


def minutes_since(then: datetime, now: datetime) -> int:
    return max(0, int((now - then).total_seconds() // 60))


class TemplateResponse(HTMLResponse):
    """An HTML page rendered off the event loop when it is sent."""

    def __init__(self, name: str, values: dict[str, Any], status_code: int) -> None:
        super().__init__(b"", status_code=status_code)
        self.template_name, self.values = name, values

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        template = environment.get_template(self.template_name)
        self.body = self.render(await run_in_threadpool(template.render, self.values))
        self.headers["content-length"] = str(len(self.body))
        await super().__call__(scope, receive, send)


def render(
    request: Request, name: str, context: Mapping[str, Any] | None = None, *, status_code: int = 200
) -> HTMLResponse:
    """``name`` rendered with ``context`` plus ``user``, ``csrf``, ``t`` (the catalogs in the user's
    language), ``lang``, and ``nav`` (the pages' (label id, path) pairs)."""
    user = request.scope.get("console_user")
    lang = user.language if isinstance(user, ConsoleUser) else DEFAULT_LANGUAGE
    values: dict[str, Any] = {
        "request": request,
        "user": user if isinstance(user, ConsoleUser) else None,
        "csrf": str(request.scope.get("console_csrf") or ""),
        "t": translator(lang),
        "lang": lang,
        "nav": getattr(request.app.state, "nav", ()),
        "path": request.url.path,
    }
    values.update(context or {})
    return TemplateResponse(name, values, status_code)
