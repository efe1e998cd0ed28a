"""``saathi console link``: a one-time sign-in link to the web console, printed for a staff member
(the first admin, before anyone can ask the bot with /console)."""

from __future__ import annotations

import argparse
import sys

from bot.services import console
from bot.services.context import ServiceContext

COMMAND = "console"


def add_parser(sub: argparse._SubParsersAction) -> None:
    group = sub.add_parser("console", help="the web console").add_subparsers(dest="action", required=True)
    link = group.add_parser(
        "link",
        help="print a one-time sign-in link for a staff member",
        description="Print a sign-in link to the web console for an active staff member: it works once, "
        "for 10 minutes, and starts with WEB_BASE_URL. Give it to them privately.",
    )
    link.add_argument("--name", required=True, help="the staff member's name, as added with `saathi counsellor add`")
    link.add_argument("--center", help="needed only when the name exists at several centres")


def run(ctx: ServiceContext, args: argparse.Namespace) -> int:
    try:
        print(console.link_for(ctx, args.name, args.center))
    except console.ConsoleError as exc:
        print(f"saathi: {exc}", file=sys.stderr)
        return 1
    return 0
