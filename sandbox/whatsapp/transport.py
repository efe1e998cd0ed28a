"""How pywa reaches the emulator: an httpx transport that sends Graph API requests to it.

pywa fixes the Graph API host itself: ``GraphAPI.__init__`` sets the session's
``base_url = "https://graph.facebook.com/v{api_version}"`` on whatever ``httpx`` client it is
given, so a base URL cannot point it elsewhere. What it does accept is the client:
``pywa_async.WhatsApp(phone_id=..., token=..., session=httpx.AsyncClient(...))``. The client made
here carries a transport that rewrites ``https://graph.facebook.com/<path>`` to
``http://127.0.0.1:<port>/<path>`` of the emulator and refuses every other host, so a sandboxed
bot cannot reach the network even through a media URL. Production passes no session (or a plain
``httpx.AsyncClient()``) and pywa talks to Meta.

Each WhatsApp client needs its own session: pywa refuses a client whose headers already carry an
``Authorization``.
"""

from __future__ import annotations

from typing import Any

import httpx

GRAPH_HOST = "graph.facebook.com"


class EmulatorTransport(httpx.AsyncBaseTransport):
    """Sends requests for ``graph.facebook.com`` to the emulator at ``emulator_url``; refuses others."""

    def __init__(self, emulator_url: str, *, inner: httpx.AsyncBaseTransport | None = None) -> None:
        target = httpx.URL(emulator_url)
        if target.host not in ("127.0.0.1", "localhost", "::1"):
            raise ValueError("the emulator transport only targets loopback addresses")
        self._target = target
        self._inner = inner or httpx.AsyncHTTPTransport()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.host != GRAPH_HOST:
            raise httpx.ConnectError(f"the sandbox reaches only {GRAPH_HOST} (through the emulator)", request=request)
        request.url = request.url.copy_with(scheme=self._target.scheme, host=self._target.host, port=self._target.port)
        request.headers["Host"] = self._target.netloc.decode("ascii")
        return await self._inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self._inner.aclose()


def emulator_session(emulator_url: str, **client_options: Any) -> httpx.AsyncClient:
    """A fresh ``httpx.AsyncClient`` for one ``pywa_async.WhatsApp`` talking to the emulator."""
    return httpx.AsyncClient(transport=EmulatorTransport(emulator_url), **client_options)
