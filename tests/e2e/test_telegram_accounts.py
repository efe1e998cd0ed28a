"""One deployment, two centres, two Telegram bots: the .env bot serves Asha Kendra, Disha Kendra has a bot
of its own (``saathi channel add telegram``). Both bots are on the one emulator (two tokens, two worlds:
``BotApiEmulator.add_bot``), polled by the one running application."""

from __future__ import annotations

import json

import aiohttp
import pytest
from sqlmodel import select

from bot.clock import FakeClock
from bot.domain import channels
from bot.services import admin
from bot.services import channels as channel_admin
from bot.services.context import ServiceContext
from bot.webhook import SECRET_HEADER, webhook_secret
from sandbox.emulator import BotApiEmulator
from sandbox.phones import Phones
from storage.channels.tables import Channel
from storage.outbox.tables import OutboxMessage, OutboxStatus
from tests.e2e.conftest import COUNSELLOR_ID, EVENING_DUE, TOKEN, Harness
from tests.e2e.test_webhook import webhook_served

DISHA_TOKEN = "777001:DISHA-kendra-token"
KIRAN, DEEPA, STRANGER, RAHUL = 9101, 601, 602, 603  # Disha's counsellor and members; someone with Asha's code


async def test_a_centre_with_its_own_bot_is_served_through_it_alone(
    harness: Harness, debug_logging: pytest.LogCaptureFixture
) -> None:
    harness.seed_centre()  # Asha Kendra, counsellor Meera on the .env bot
    disha = await _disha_running(harness)
    disha_bot, account_id = disha.emu, disha.account
    assert [a["username"] for a in admin.status(harness.services)["telegram_accounts"]] == ["disha_kendra_bot"]

    # Disha's counsellor links their account through Disha's bot, by the link the admin was given
    _, link = admin.add_counsellor(harness.services, "Disha Kendra", "Counsellor Kiran")
    assert link is not None and link.startswith("https://t.me/disha_kendra_bot?start=staff-")
    disha.phone(KIRAN, "Kiran")
    disha.send(KIRAN, f"/start {link.rsplit('=', 1)[1]}")
    await disha.expect(KIRAN, "linked as counsellor at Disha Kendra")

    # a code of another centre on this bot: a kind refusal, nobody joins
    disha.phone(STRANGER, "Sunil")
    disha.send(STRANGER, f"/start {harness.invite('Asha Kendra')}")
    await disha.expect(STRANGER, "belongs to another centre")

    # a member of Disha Kendra joins through its bot, checks in, and says something urgent
    (invite,) = admin.create_invites(harness.services, "Disha Kendra")
    assert invite.link.startswith("https://t.me/disha_kendra_bot?start=")
    await disha.onboard(DEEPA, name="Deepa", centre="Disha Kendra")
    await disha.check_in_to_note(DEEPA)
    disha.send(DEEPA, "honestly I don't want to live anymore")
    await disha.expect(DEEPA, "You are not alone")
    alert = await disha.expect(KIRAN, "URGENT")
    assert "Deepa" in alert.text and "don't want to live" in alert.text
    await disha.press(KIRAN, "Acknowledge")
    await disha.expect(DEEPA, "Your counsellor has seen your message")
    await harness.settle()

    # nothing of Disha Kendra's went through the .env bot, nor anything of Asha Kendra's through Disha's
    assert harness.emu.messages(DEEPA) == [] and harness.emu.messages(KIRAN) == []
    assert harness.emu.messages(STRANGER) == [] and not harness.texts(COUNSELLOR_ID)
    assert harness.emu.stats["sent_messages"] == 0
    assert disha_bot.messages(COUNSELLOR_ID) == []
    with harness.services.uow() as session:
        rows = session.exec(select(OutboxMessage)).all()
    disha_chats = {channels.telegram_key(account_id, user) for user in (KIRAN, DEEPA, STRANGER)}
    assert {row.chat_id for row in rows} == disha_chats
    assert all(row.account_id == account_id and row.status == OutboxStatus.SENT for row in rows)
    assert DISHA_TOKEN.split(":")[1] not in debug_logging.text  # its token never reaches the log


async def test_when_a_centres_bot_is_deactivated_its_members_are_reached_through_the_env_bot_where_they_can_be(
    harness: Harness,
) -> None:
    harness.seed_centre()
    disha = await _disha_running(harness)
    await disha.onboard(DEEPA, name="Deepa", centre="Disha Kendra")
    await disha.onboard(RAHUL, name="Rahul", centre="Disha Kendra")
    harness.phone(RAHUL, "Rahul")  # Rahul has started the .env bot too; Deepa never did
    channel_admin.set_active(harness.services, "disha-bot", False)
    await harness.restart_bot()  # from now on Disha's bot is neither polled nor sent through
    assert channel_admin.running_telegram_accounts(harness.services) == []
    before = len(disha.emu.messages(DEEPA)), len(disha.emu.messages(RAHUL))

    harness.clock.set(EVENING_DUE)
    await harness.tick()  # both check-ins are due, for conversations on Disha's bot
    await harness.expect(RAHUL, "Time for today's check-in")  # through the .env bot
    with harness.services.uow() as session:
        (refused,) = session.exec(
            select(OutboxMessage).where(OutboxMessage.status == OutboxStatus.DEAD, OutboxMessage.purpose == "checkin")
        ).all()
    assert refused.chat_id == channels.telegram_key(refused.account_id, DEEPA)
    assert refused.last_error == "account_gone:forbidden"
    assert (len(disha.emu.messages(DEEPA)), len(disha.emu.messages(RAHUL))) == before
    status = admin.status(harness.services)
    assert status["outbox_account_gone"] == 1 and status["members"].get("unreachable") == 1
    assert status["telegram_accounts"] == [
        {"name": "disha-bot", "center": "Disha Kendra", "username": "disha_kendra_bot", "active": False}
    ]


async def _disha_running(harness: Harness) -> Harness:
    """Disha Kendra with a bot of its own, running beside the .env bot: the harness of its phones."""
    admin.add_center(harness.services, "Disha Kendra", "Asia/Kolkata")
    channel_admin.add_account(harness.services, Channel.TELEGRAM, "Disha Kendra", token=DISHA_TOKEN, name="disha-bot")
    disha_bot = harness.emu.add_bot(DISHA_TOKEN, username="disha_kendra_bot")
    await harness.restart_bot()  # accounts are read at start
    (account,) = channel_admin.running_telegram_accounts(harness.services)
    return harness.through(disha_bot, account.id)


async def test_in_webhook_mode_a_centres_own_bot_gets_a_webhook_of_its_own(
    services: ServiceContext, database_url: str, clock: FakeClock
) -> None:
    admin.add_center(services, "Disha Kendra", "Asia/Kolkata")
    channel_admin.add_account(services, Channel.TELEGRAM, "Disha Kendra", token=DISHA_TOKEN, name="disha-bot")
    async with BotApiEmulator() as emu:
        disha_bot = emu.add_bot(DISHA_TOKEN, username="disha_kendra_bot")
        async with webhook_served(emu, database_url, clock) as (_, url):
            assert emu.webhook is not None and emu.webhook["url"] == url
            hook = disha_bot.webhook
            assert hook is not None and hook["url"] == f"{url}/disha-bot"
            assert hook["secret_token"] == webhook_secret(DISHA_TOKEN) != webhook_secret(TOKEN)
            # a post to Disha's hook with the .env bot's secret is refused unread
            async with (
                aiohttp.ClientSession(trust_env=False) as session,
                session.post(
                    f"{url}/disha-bot",
                    data=json.dumps({"update_id": 1}),
                    headers={"Content-Type": "application/json", SECRET_HEADER: webhook_secret(TOKEN)},
                ) as response,
            ):
                assert response.status == 403
            phones = Phones(disha_bot)
            phones.add(DEEPA, "Deepa")
            phones.send(DEEPA, "/start NOSUCHCODE")
            await phones.expect(DEEPA, "couldn't find that invite code")
            assert emu.messages(DEEPA) == []
