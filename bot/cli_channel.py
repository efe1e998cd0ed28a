"""``saathi channel add whatsapp|telegram``, ``list``, ``secrets``, ``deactivate|activate``: a centre's accounts.

A WhatsApp number's webhook is ``<WEB_BASE_URL>/whatsapp/<name>`` on the console's server; give
Meta that URL and the verify token in the app's WhatsApp → Configuration page. Secrets are stored
encrypted and never printed.
"""

from __future__ import annotations

import argparse
import sys

from bot.services import channels
from bot.services.context import ServiceContext
from storage.channels.tables import Channel

COMMAND = "channel"


def add_parser(sub: argparse._SubParsersAction) -> None:
    group = sub.add_parser("channel", help="a centre's Telegram bots and WhatsApp numbers").add_subparsers(
        dest="action", required=True
    )
    add = group.add_parser(
        "add",
        help="add a WhatsApp number or a Telegram bot to a centre",
        description="Add an account to a centre. The .env bot token needs no account: it stays the default.",
    )
    kinds = add.add_subparsers(dest="channel", required=True)
    whatsapp = kinds.add_parser("whatsapp", help="a WhatsApp Business number (Meta's Cloud API)")
    whatsapp.add_argument("--center", required=True)
    whatsapp.add_argument("--phone-id", required=True, help="Meta's phone number id (not the number)")
    whatsapp.add_argument("--token", required=True, help="a permanent access token of a system user")
    whatsapp.add_argument("--app-secret", required=True, help="the Meta app's secret: webhook signatures")
    whatsapp.add_argument("--verify-token", required=True, help="a secret of your choice, also given to Meta")
    whatsapp.add_argument("--name", help="how the account appears in its webhook path (default whatsapp-<phone id>)")
    whatsapp.add_argument("--number", help="the number itself, e.g. +91 98000 00001: invites then carry a wa.me link")
    telegram = kinds.add_parser("telegram", help="another Telegram bot, for this centre")
    telegram.add_argument("--center", required=True)
    telegram.add_argument("--token", required=True, help="the bot's token from @BotFather")
    telegram.add_argument("--name")
    group.add_parser("list", help="every account, without its secrets")
    secrets = group.add_parser(
        "secrets",
        help="new secrets for an account (rotated at Meta or @BotFather)",
        description="A new app secret re-indexes every WhatsApp contact of the account at once.",
    )
    secrets.add_argument("name")
    secrets.add_argument("--token")
    secrets.add_argument("--app-secret")
    secrets.add_argument("--verify-token")
    for action, what in (("deactivate", "stop polling and sending through"), ("activate", "use again")):
        toggle = group.add_parser(action, help=f"{what} an account (from the next start of `saathi run`)")
        toggle.add_argument("name")


def run(ctx: ServiceContext, args: argparse.Namespace) -> int:
    if args.action == "list":
        for line in channels.list_accounts(ctx):
            where = f" webhook {line.webhook_path}" if line.webhook_path else ""
            phone = f" phone id {line.phone_id}" if line.phone_id else ""
            state = "" if line.active else " (inactive)"
            bot = f" @{line.username}" if line.username else ""
            print(f"{line.name}: {line.channel}{bot} for {line.center}{phone}{where}{state}")
        return 0
    try:
        if args.action == "secrets":
            line, reindexed = channels.set_secrets(
                ctx, args.name, token=args.token, app_secret=args.app_secret, verify_token=args.verify_token
            )
            print(f"{line.name} ({line.channel}) for {line.center}: secrets changed (not shown)")
            if args.app_secret:
                print(
                    f"{reindexed} WhatsApp contacts re-indexed; webhook signatures are checked with the new secret now"
                )
            if args.token:
                print("the new token is used from the next start of `saathi run`")
            return 0
        if args.action in ("deactivate", "activate"):
            line = channels.set_active(ctx, args.name, args.action == "activate")
            print(f"{line.name} ({line.channel}) for {line.center} is {'active' if line.active else 'inactive'}")
            return 0
        added = channels.add_account(
            ctx,
            Channel(args.channel),
            args.center,
            token=args.token,
            name=args.name,
            phone_id=getattr(args, "phone_id", None),
            app_secret=getattr(args, "app_secret", None),
            verify_token=getattr(args, "verify_token", None),
            number=getattr(args, "number", None),
        )
    except channels.ChannelError as exc:
        print(f"saathi: {exc}", file=sys.stderr)
        return 1
    where = f"; its webhook is <WEB_BASE_URL>{added.webhook_path}" if added.webhook_path else ""
    print(f"added {added.name} ({added.channel}) for {added.center}{where}")
    return 0
