"""Pages rendered with Jinja2 (autoescaped), in the signed-in user's language."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse

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
    return HTMLResponse(environment.get_template(name).render(values), status_code=status_code)
