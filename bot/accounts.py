"""A centre's own Telegram bots (channel accounts), run by the same Application beside the ``.env`` bot.

Each is an :class:`AccountBot`: python-telegram-bot's ``ExtBot`` that knows its channel account. An
update it brings is read with it (``Update.de_json(item, bot)``), so whoever handles the update asks
:func:`account_of` and keys the person's ids with it (``bot/domain/channels.py: telegram_key``): the
same Telegram user on two bots is two conversations, and the services, the outbox and the lanes need
no change. Answering a button goes back through the bot that brought it (``update.get_bot()``). The
outbox's rows to such a conversation carry the account, and a sender of its own, with a limiter of its
own, sends them through this bot (``bot/app.py``). The ``.env`` bot is a plain ``ExtBot``: no account,
Telegram's own ids.
"""

from __future__ import annotations

import logging
from typing import Any

from telegram import Update
from telegram.error import TelegramError
from telegram.ext import ExtBot

from bot.domain.channels import telegram_key
from bot.http import AiohttpRequest
from bot.services import channels
from bot.services.context import ServiceContext

log = logging.getLogger(__name__)


class AccountBot(ExtBot[None]):
    """The bot of channel account ``account_id`` (named ``account_name`` in ``saathi channel list``)."""

    __slots__ = ("account_id", "account_name")

    def __init__(self, token: str, *, account_id: int, account_name: str, **kwargs: Any) -> None:
        super().__init__(token, **kwargs)
        with self._unfrozen():
            self.account_id = account_id
            self.account_name = account_name


def account_of(update: Update) -> int | None:
    """The channel account whose bot brought ``update`` (None: the ``.env`` bot)."""
    try:
        bot = update.get_bot()
    except RuntimeError:  # built without a bot (a test calling process_update itself): the .env bot's
        return None
    return bot.account_id if isinstance(bot, AccountBot) else None


def keyed(update: Update, telegram_id: int) -> int:
    """A user's, chat's or update's id as the rest of the bot knows it: Telegram's own on the ``.env``
    bot, the conversation key on a centre's own bot."""
    return telegram_key(account_of(update), telegram_id)


async def open_account_bots(
    services: ServiceContext, *, base_url: str, base_file_url: str
) -> tuple[dict[int, AccountBot], tuple[int, ...]]:
    """Every active Telegram account's bot, initialised (getMe; its username recorded for invite
    links), and the ids of every active account. A bot that cannot start (a revoked token, Telegram
    away) is logged and left out until the next start; its account's messages wait for it rather
    than going through the ``.env`` bot."""
    bots: dict[int, AccountBot] = {}
    accounts = channels.running_telegram_accounts(services)
    for account in accounts:
        bot = AccountBot(
            account.token,
            account_id=account.id,
            account_name=account.name,
            base_url=base_url,
            base_file_url=base_file_url,
            request=AiohttpRequest(connection_pool_size=16),
            get_updates_request=AiohttpRequest(connection_pool_size=2),
        )
        try:
            await bot.initialize()
        except TelegramError as exc:
            log.warning("Telegram account %s could not start (%s); its messages wait", account.name, type(exc).__name__)
            continue
        channels.record_username(services, account.id, bot.username)
        bots[account.id] = bot
        log.info("Telegram account %s runs as @%s", account.name, bot.username)
    return bots, tuple(account.id for account in accounts)
