"""A circle reply to a WhatsApp member carries Meta's ``context``: the wamid of the recipient's OWN copy
of what it answers, never another person's; a context Meta refuses costs the thread, not the message.

The real WhatsApp sender and pywa, against a stand-in for Graph's messages endpoint (an httpx
transport on the session pywa accepts, as tests/unit/test_whatsapp_hosts.py does)."""

from __future__ import annotations

import json
from typing import Any

import httpx
from sqlmodel import update

from bot.clock import FakeClock
from bot.delivery.whatsapp import WHATSAPP_LIMITS, WhatsAppSender
from bot.domain import channels
from bot.domain.outgoing import Priority
from bot.services import channels as channel_admin
from bot.services.context import ServiceContext
from bot.services.outbox import enqueue
from storage.channels import queries as channels_db
from storage.channels.tables import Channel
from storage.outbox.tables import OutboxMessage, OutboxStatus
from tests.storage.helpers import seed_centre

SUNITA, KAVITA = "919822000017", "919822000042"


class Graph:
    """Graph's messages endpoint: every message accepted, unless ``refuse_context`` (then a message
    with a context gets Meta's 131009, "Parameter value is not valid")."""

    def __init__(self, *, refuse_context: bool = False) -> None:
        self.refuse_context = refuse_context
        self.bodies: list[dict[str, Any]] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        self.bodies.append(body)
        if self.refuse_context and "context" in body:
            error = {"message": "(#131009) Parameter value is not valid", "type": "OAuthException", "code": 131009}
            return httpx.Response(400, json={"error": {**error, "error_data": {"details": "context"}}})
        wamid = f"wamid.G{len(self.bodies)}"
        to = body["to"]
        return httpx.Response(
            200,
            json={
                "messaging_product": "whatsapp",
                "contacts": [{"input": to, "wa_id": to}],
                "messages": [{"id": wamid}],
            },
        )


def _setup(services: ServiceContext) -> dict[str, int]:
    """Two WhatsApp contacts in their window, each with a delivered circle copy; their chat ids."""
    seed_centre(services)
    channel_admin.add_account(
        services,
        Channel.WHATSAPP,
        "Asha Kendra",
        name="asha-wa",
        token="EAAtoken",
        phone_id="106540352242922",
        app_secret="secret",
        verify_token="verify",
    )
    now = services.clock.now()
    chats: dict[str, int] = {}
    with services.uow() as session:
        account = channels_db.account_by_name(session, "asha-wa")
        assert account is not None
        for number in (SUNITA, KAVITA):
            contact = channels_db.contact_for(session, account, number, now)
            contact.last_inbound_at = now
            chats[number] = channels.whatsapp_key(contact.id or 0)
        session.commit()
    return chats


def _sent_copy(services: ServiceContext, chat_id: int, wamid: str) -> int:
    """A circle copy that went to ``chat_id`` and that Meta knows as ``wamid``."""
    now = services.clock.now()
    with services.uow() as session:
        row_id = enqueue(session, chat_id=chat_id, text="🌿 Kingfisher 66: Three days", now=now, purpose="circle")
        assert row_id is not None
        session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == row_id)  # type: ignore[arg-type]
            .values(status=OutboxStatus.SENT, provider_message_id=wamid, telegram_message_id=row_id)
        )
        session.commit()
    return row_id


def _reply(services: ServiceContext, chat_id: int, reply_to: int) -> OutboxMessage:
    now = services.clock.now()
    with services.uow() as session:
        row_id = enqueue(
            session,
            chat_id=chat_id,
            text="🌿 Peepal 29: Proud of you",
            now=now,
            purpose="circle",
            priority=Priority.BULK,
            reply_to=reply_to,
        )
        session.commit()
        row = session.get(OutboxMessage, row_id)
        assert row is not None
        session.expunge(row)
        return row


def _sender(services: ServiceContext, clock: FakeClock, graph: Graph) -> WhatsAppSender:
    return WhatsAppSender(
        services.uow,
        clock,
        session_factory=lambda: httpx.AsyncClient(transport=httpx.MockTransport(graph)),
        limits=WHATSAPP_LIMITS.scaled(1000),
    )


async def test_a_reply_carries_the_wamid_of_the_recipients_own_copy_and_never_anothers(
    services: ServiceContext, clock: FakeClock
) -> None:
    chats = _setup(services)
    sunitas_copy = _sent_copy(services, chats[SUNITA], "wamid.SUNITA-COPY")
    kavitas_copy = _sent_copy(services, chats[KAVITA], "wamid.KAVITA-COPY")
    graph = Graph()
    sender = _sender(services, clock, graph)
    try:
        threaded = await sender.deliver(_reply(services, chats[KAVITA], kavitas_copy))
        # a row naming another person's message (no service writes one; the sender checks anyway)
        crossed = await sender.deliver(_reply(services, chats[KAVITA], sunitas_copy))
        unknown = await sender.deliver(_reply(services, chats[KAVITA], 999_999))
    finally:
        await sender.aclose()
    assert [o.kind for o in (threaded, crossed, unknown)] == ["sent", "sent", "sent"]
    assert graph.bodies[0]["context"] == {"message_id": "wamid.KAVITA-COPY"}
    assert "context" not in graph.bodies[1] and "context" not in graph.bodies[2]
    assert "SUNITA" not in json.dumps(graph.bodies) and SUNITA not in json.dumps(graph.bodies)


async def test_a_context_meta_refuses_costs_the_thread_never_the_message(
    services: ServiceContext, clock: FakeClock
) -> None:
    chats = _setup(services)
    copy = _sent_copy(services, chats[SUNITA], "wamid.OLD-COPY")
    graph = Graph(refuse_context=True)
    sender = _sender(services, clock, graph)
    try:
        outcome = await sender.deliver(_reply(services, chats[SUNITA], copy))
    finally:
        await sender.aclose()
    assert outcome.kind == "sent" and outcome.provider_id == "wamid.G2"
    assert [("context" in body) for body in graph.bodies] == [True, False]
    assert graph.bodies[1]["text"]["body"] == "🌿 Peepal 29: Proud of you"
