"""What a page handler reaches through the request: the services and the "something changed" kick."""

from __future__ import annotations

from starlette.requests import Request

from bot.services.context import ServiceContext


def services_of(request: Request) -> ServiceContext:
    ctx = request.app.state.ctx
    assert isinstance(ctx, ServiceContext)
    return ctx


def changed(request: Request) -> None:
    """After a page's change went through a service: kick the outbox sender, so the message leaves now."""
    request.app.state.on_change()
