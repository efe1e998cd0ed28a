"""One deployment, two centres, two Telegram bots: the .env bot serves Asha Kendra, Disha Kendra has a bot
of its own (``saathi channel add telegram``). Both bots are on the one emulator (two tokens, two worlds:
``BotApiEmulator.add_bot``), polled by the one running application."""

from __future__ import annotations

from sqlmodel import select

from bot.domain import channels
from bot.services import admin
from bot.services import channels as channel_admin
from storage.channels.tables import Channel
from storage.outbox.tables import OutboxMessage, OutboxStatus
from tests.e2e.conftest import COUNSELLOR_ID, EVENING_DUE, Harness

DISHA_TOKEN = "777001:DISHA-kendra-token"
KIRAN, DEEPA, STRANGER = 9101, 601, 602  # Disha's counsellor and member; someone with Asha's code


async def test_a_centre_with_its_own_bot_is_served_through_it_alone(harness: Harness) -> None:
    harness.seed_centre()  # Asha Kendra, counsellor Meera on the .env bot
    admin.add_center(harness.services, "Disha Kendra", "Asia/Kolkata")
    channel_admin.add_account(harness.services, Channel.TELEGRAM, "Disha Kendra", token=DISHA_TOKEN, name="disha-bot")
    disha_bot = harness.emu.add_bot(DISHA_TOKEN, username="disha_kendra_bot")
    await harness.restart_bot()  # accounts are read at start
    (account,) = channel_admin.running_telegram_accounts(harness.services)
    disha = harness.through(disha_bot, account.id)
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
    harness.clock.set(EVENING_DUE)
    await harness.tick()
    await disha.press(DEEPA, "3 😐")
    await disha.press(DEEPA, "5")
    await disha.press(DEEPA, "None today")
    await disha.press(DEEPA, "No")
    await disha.expect(DEEPA, "Anything else")
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
    disha_chats = {channels.telegram_key(account.id, user) for user in (KIRAN, DEEPA, STRANGER)}
    assert {row.chat_id for row in rows} == disha_chats
    assert all(row.account_id == account.id and row.status == OutboxStatus.SENT for row in rows)
