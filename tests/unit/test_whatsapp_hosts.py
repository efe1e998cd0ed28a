"""Production talks to Meta: the WhatsApp sender's pywa clients reach graph.facebook.com unless the
sandbox hands them a session whose transport reaches the emulator."""

from __future__ import annotations

import httpx

from bot.clock import FakeClock
from bot.delivery.whatsapp import WhatsAppSender
from sandbox.whatsapp.transport import EmulatorTransport
from storage.db import SessionFactory
from tests.conftest import START


def _sender(session_factory=None) -> WhatsAppSender:  # type: ignore[no-untyped-def]
    return WhatsAppSender(SessionFactory(None), FakeClock(START), session_factory=session_factory)  # type: ignore[arg-type]


async def test_production_settings_send_to_meta() -> None:
    seen: list[httpx.Request] = []

    def meta(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(
            200,
            json={
                "messaging_product": "whatsapp",
                "contacts": [{"input": "919800000001", "wa_id": "919800000001"}],
                "messages": [{"id": "wamid.META1"}],
            },
        )

    # what production builds when given no session: pywa's own client, on Meta's host
    default = _sender().client(1, "106540352242922", "EAAtoken")
    assert default.api._session.base_url.host == "graph.facebook.com"
    # a plain session (no emulator transport) goes to Meta too: the request leaves for graph.facebook.com
    sender = _sender(lambda: httpx.AsyncClient(transport=httpx.MockTransport(meta)))
    sent = await sender.client(2, "106540352242922", "EAAtoken").send_message(to="919800000001", text="hello")
    await sender.aclose()
    assert sent.id == "wamid.META1"
    assert [r.url.host for r in seen] == ["graph.facebook.com"]
    assert seen[0].url.path.endswith("/106540352242922/messages")


async def test_the_sandbox_session_rewrites_only_metas_host_to_loopback() -> None:
    seen: list[httpx.Request] = []

    def emulator(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(
            200,
            json={
                "messaging_product": "whatsapp",
                "contacts": [{"input": "919800000001", "wa_id": "919800000001"}],
                "messages": [{"id": "wamid.EMU1"}],
            },
        )

    transport = EmulatorTransport("http://127.0.0.1:8765", inner=httpx.MockTransport(emulator))
    sender = _sender(lambda: httpx.AsyncClient(transport=transport))
    await sender.client(3, "106540352242922", "EAAtoken").send_message(to="919800000001", text="hello")
    await sender.aclose()
    assert [(r.url.host, r.url.port) for r in seen] == [("127.0.0.1", 8765)]
