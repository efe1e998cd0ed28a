"""A centre's own Telegram bot has a sender of its own; a row meant for an account that is no longer
running (deactivated, removed) is not lost: the .env bot sends it where the person has started it, and
gives it up as ``account_gone`` (counted in ``saathi status``) where Telegram refuses."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from telegram.error import Forbidden

from bot.clock import FakeClock
from bot.delivery.sender import OutboxSender
from bot.domain import channels
from bot.services import admin
from bot.services import channels as channel_admin
from bot.services.context import ServiceContext
from bot.services.outbox import enqueue
from storage.channels.tables import Channel
from storage.outbox.tables import OutboxMessage, OutboxStatus
from tests.storage.helpers import outbox

REACHABLE, NEVER_STARTED, ON_RUNNING_BOT = 501, 502, 503


class Telegram:
    """A bot as the sender sees it: ``refuses`` are chats that never started it (Telegram's 403)."""

    def __init__(self, refuses: frozenset[int] = frozenset()) -> None:
        self.sent: list[int] = []
        self.refuses = refuses

    async def send_message(self, **kwargs: Any) -> SimpleNamespace:
        if kwargs["chat_id"] in self.refuses:
            raise Forbidden("Forbidden: bot can't initiate conversation with a user")
        self.sent.append(kwargs["chat_id"])
        return SimpleNamespace(message_id=len(self.sent))


def _account(services: ServiceContext, centre: str, name: str) -> int:
    admin.add_center(services, centre, "Asia/Kolkata")
    channel_admin.add_account(services, Channel.TELEGRAM, centre, token="123456:token-" + name, name=name)
    (found,) = [a for a in channel_admin.running_telegram_accounts(services) if a.name == name]
    return found.id


def _row(services: ServiceContext, chat_id: int) -> OutboxMessage:
    (row,) = outbox(services, chat_id)
    return row


async def test_a_deactivated_accounts_rows_go_through_the_env_bot_or_are_given_up_with_a_reason(
    services: ServiceContext, clock: FakeClock
) -> None:
    gone = _account(services, "Disha Kendra", "disha-bot")
    running = _account(services, "Prerna Kendra", "prerna-bot")
    channel_admin.set_active(services, "disha-bot", False)
    assert [a.id for a in channel_admin.running_telegram_accounts(services)] == [running]
    chats = {
        REACHABLE: channels.telegram_key(gone, REACHABLE),
        NEVER_STARTED: channels.telegram_key(gone, NEVER_STARTED),
        ON_RUNNING_BOT: channels.telegram_key(running, ON_RUNNING_BOT),
    }
    with services.uow() as session:
        for chat in chats.values():
            enqueue(session, chat_id=chat, text="Time for your check-in", now=clock.now())
        session.commit()
    row = _row(services, chats[ON_RUNNING_BOT])
    assert (row.channel, row.account_id, row.address) == ("telegram", running, str(ON_RUNNING_BOT))

    env_bot = Telegram(refuses=frozenset({NEVER_STARTED}))
    default = OutboxSender(services.uow, clock, env_bot, others=(running,))  # type: ignore[arg-type]
    assert await default.pump_once() == 2  # not the running account's row
    assert env_bot.sent == [REACHABLE]  # Telegram's own id, not the conversation key
    assert _row(services, chats[REACHABLE]).status == OutboxStatus.SENT
    refused = _row(services, chats[NEVER_STARTED])
    assert (refused.status, refused.last_error) == (OutboxStatus.DEAD, "account_gone:forbidden")
    assert _row(services, chats[ON_RUNNING_BOT]).status == OutboxStatus.PENDING
    assert admin.status(services)["outbox_account_gone"] == 1

    own_bot = Telegram()
    own = OutboxSender(services.uow, clock, own_bot, account=running)  # type: ignore[arg-type]
    assert await own.pump_once() == 1
    assert own_bot.sent == [ON_RUNNING_BOT]
    status = admin.status(services)["telegram_accounts"]
    assert [(a["name"], a["center"], a["active"]) for a in status] == [
        ("disha-bot", "Disha Kendra", False),
        ("prerna-bot", "Prerna Kendra", True),
    ]
    assert "token" not in str(status)
