"""The console's embedded server stops even when a request in flight never finishes (bot/web/serve.py)."""

from __future__ import annotations

import asyncio
import socket

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from bot.web import serve


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def test_a_request_that_never_answers_does_not_keep_the_server_from_stopping(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(serve, "GRACEFUL_SECONDS", 1)
    entered, cancelled = asyncio.Event(), asyncio.Event()

    async def stuck(request: Request) -> Response:
        entered.set()
        try:
            await asyncio.Event().wait()  # never set: a page stuck behind something that never comes
        except asyncio.CancelledError:
            cancelled.set()
            raise
        return Response("never")

    port = _free_port()
    server = serve.WebServer(Starlette(routes=[Route("/stuck", stuck)]), f"127.0.0.1:{port}")
    assert await server.start()
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(b"GET /stuck HTTP/1.1\r\nHost: localhost\r\n\r\n")
    await writer.drain()
    await asyncio.wait_for(entered.wait(), timeout=30)
    # before the limit, stop() waited for that request for good; the 30 s only bound a broken test
    await asyncio.wait_for(server.stop(), timeout=30)
    assert cancelled.is_set()
    writer.close()
