"""Conversation keys: WhatsApp contacts never share a chat id with a Telegram chat."""

from __future__ import annotations

import pytest

from bot.domain import channels


def test_a_whatsapp_key_round_trips_and_is_below_every_telegram_chat() -> None:
    for contact in (1, 2, 999_999, 10**12):
        key = channels.whatsapp_key(contact)
        assert channels.is_whatsapp(key)
        assert channels.contact_of(key) == contact
        assert channels.channel_of(key) == "whatsapp"
    # a private chat, a group, a supergroup (-100 and ten digits): Telegram's
    for telegram_chat in (7_123_456_789, -4_123_456_789, -1_001_234_567_890):
        assert not channels.is_whatsapp(telegram_chat)
        assert channels.contact_of(telegram_chat) is None
        assert channels.channel_of(telegram_chat) == "telegram"
    with pytest.raises(ValueError):
        channels.whatsapp_key(0)


def test_an_event_id_is_negative_stable_and_fits_a_bigint() -> None:
    first = channels.event_update_id("wamid.HBgLOTE5ODAwMDAwMDAxFQIAEhgUM0E")
    assert first == channels.event_update_id("wamid.HBgLOTE5ODAwMDAwMDAxFQIAEhgUM0E")
    assert first != channels.event_update_id("wamid.HBgLOTE5ODAwMDAwMDAxFQIAEhgUM0F")
    assert -(2**63) <= first < 0


def test_a_centre_bots_conversation_has_a_key_of_its_own_that_round_trips() -> None:
    for account in (1, 2, channels.MAX_TELEGRAM_ACCOUNT):
        for user in (1, 7_123_456_789, 2**52 - 1):
            key = channels.telegram_key(account, user)
            assert key > 2**52 and key < 2**63  # above every Telegram id, inside a BIGINT
            assert channels.telegram_account_of(key) == account
            assert channels.telegram_id(key) == user
            assert channels.channel_of(key) == "telegram" and not channels.is_whatsapp(key)
    assert channels.telegram_key(1, 5) != channels.telegram_key(2, 5)
    # the .env bot keeps Telegram's own ids; a group's negative id is never keyed
    for telegram_chat in (7_123_456_789, -1_001_234_567_890):
        assert channels.telegram_key(None, telegram_chat) == telegram_chat
        assert channels.telegram_account_of(telegram_chat) is None
        assert channels.telegram_id(telegram_chat) == telegram_chat
    assert channels.telegram_key(3, -1_001_234_567_890) == -1_001_234_567_890
    with pytest.raises(ValueError):
        channels.telegram_key(channels.MAX_TELEGRAM_ACCOUNT + 1, 5)
