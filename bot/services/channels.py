"""A centre's channel accounts: its WhatsApp numbers and extra Telegram bots (``saathi channel``).

The single Telegram token of ``.env`` needs no row: it stays the default account. Secrets are
stored encrypted (storage/channels/tables.py) and never printed back: ``list`` shows names, ids
and the webhook path only.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from bot.domain.whatsapp.invite import normalise_number
from bot.services.context import ServiceContext
from storage.channels import queries as channels_db
from storage.channels.tables import Channel
from storage.people import queries as people_db

_NAME = re.compile(r"[a-z0-9][a-z0-9-]{1,58}[a-z0-9]")


class ChannelError(ValueError):
    """A channel account that cannot be added as asked (the message says why, for the admin)."""


@dataclass(frozen=True)
class AccountLine:
    name: str
    channel: str
    center: str
    phone_id: str | None
    active: bool
    username: str | None = None  # a Telegram bot's, once it has run

    @property
    def webhook_path(self) -> str | None:
        return f"/whatsapp/{self.name}" if self.channel == Channel.WHATSAPP else None


def add_account(
    ctx: ServiceContext,
    channel: Channel,
    center: str,
    *,
    token: str,
    name: str | None = None,
    phone_id: str | None = None,
    app_secret: str | None = None,
    verify_token: str | None = None,
    number: str | None = None,
) -> AccountLine:
    """Add a Telegram bot or a WhatsApp number to a centre. A WhatsApp number needs its phone number
    id, access token, app secret (webhook signatures) and verify token (the subscription handshake);
    its ``number`` itself (optional) lets invites carry a wa.me link."""
    if not token.strip():
        raise ChannelError("a token is needed")
    if channel == Channel.WHATSAPP and not (phone_id and app_secret and verify_token):
        raise ChannelError("a WhatsApp number needs --phone-id, --app-secret and --verify-token")
    if phone_id is not None and not phone_id.isdigit():
        raise ChannelError("--phone-id is Meta's phone number id: digits only")
    try:  # the number itself, for wa.me invite links
        digits = normalise_number(number) if number and channel == Channel.WHATSAPP else None
    except ValueError as exc:
        raise ChannelError(f"--number: {exc}") from None
    with ctx.uow() as session:
        found = people_db.center_by_name(session, center)
        if found is None or found.id is None:
            raise ChannelError(f"no centre called {center!r}")
        name = name or f"{channel}-{phone_id or len(channels_db.accounts(session)) + 1}"
        if not _NAME.fullmatch(name):
            raise ChannelError("a name is 3 to 60 lower-case letters, digits and dashes (it is part of a URL)")
        if channels_db.account_by_name(session, name) is not None:
            raise ChannelError(f"an account called {name!r} exists already")
        account = channels_db.add_account(
            session,
            center_id=found.id,
            channel=channel,
            name=name,
            token=token.strip(),
            phone_id=phone_id,
            app_secret=app_secret,
            verify_token=verify_token,
            number=digits,
            now=ctx.clock.now(),
        )
        line = AccountLine(account.name, account.channel, found.name, account.phone_id, account.active)
        session.commit()
    return line


def list_accounts(ctx: ServiceContext) -> list[AccountLine]:
    with ctx.uow() as session:
        centers = channels_db.center_names(session)
        return [
            AccountLine(a.name, a.channel, centers.get(a.center_id, "?"), a.phone_id, a.active, a.username)
            for a in channels_db.accounts(session)
        ]


def set_active(ctx: ServiceContext, name: str, active: bool) -> AccountLine:
    """``saathi channel deactivate|activate``: a deactivated account is no longer polled nor sent
    through (from the application's next start); what was queued for its bot goes through the ``.env``
    bot where the person has started it, else is given up as ``account_gone`` (``saathi status``)."""
    with ctx.uow() as session:
        account = channels_db.account_by_name(session, name)
        if account is None:
            raise ChannelError(f"no account called {name!r}")
        account.active = active
        center = channels_db.center_names(session).get(account.center_id, "?")
        line = AccountLine(account.name, account.channel, center, account.phone_id, active, account.username)
        session.commit()
    return line


def set_secrets(
    ctx: ServiceContext,
    name: str,
    *,
    token: str | None = None,
    app_secret: str | None = None,
    verify_token: str | None = None,
) -> tuple[AccountLine, int]:
    """``saathi channel secrets``: new secrets for an account after they were rotated at Meta or
    @BotFather; the number of WhatsApp contacts hashed again (a new app secret changes every
    number's blind index, so each is re-indexed in the same transaction, or nobody would be found)."""
    given = {
        k: v.strip() for k, v in (("token", token), ("app_secret", app_secret), ("verify_token", verify_token)) if v
    }
    if not given:
        raise ChannelError("give at least one of --token, --app-secret, --verify-token")
    with ctx.uow() as session:
        account = channels_db.account_by_name(session, name)
        if account is None:
            raise ChannelError(f"no account called {name!r}")
        if account.channel != Channel.WHATSAPP and set(given) - {"token"}:
            raise ChannelError("a Telegram bot has only a token")
        for field_name, value in given.items():
            setattr(account, field_name, value)
        reindexed = channels_db.reindex_contacts(session, account) if "app_secret" in given else 0
        center = channels_db.center_names(session).get(account.center_id, "?")
        line = AccountLine(account.name, account.channel, center, account.phone_id, account.active, account.username)
        session.commit()
    return line, reindexed


@dataclass(frozen=True)
class TelegramAccount:
    """A centre's own Telegram bot, as the application runs it (the token stays in memory only)."""

    id: int
    name: str
    token: str = field(repr=False)


def running_telegram_accounts(ctx: ServiceContext) -> list[TelegramAccount]:
    with ctx.uow() as session:
        return [TelegramAccount(a.id or 0, a.name, a.token) for a in channels_db.active_telegram_accounts(session)]


def record_username(ctx: ServiceContext, account_id: int, username: str) -> None:
    with ctx.uow() as session:
        channels_db.record_username(session, account_id, username)
        session.commit()
