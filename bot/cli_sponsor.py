"""``saathi sponsor …``: the sponsor commands' arguments and output (the use cases are in
:mod:`bot.services.sponsor_admin`)."""

from __future__ import annotations

import argparse

from bot.services import sponsor_admin
from bot.services.context import ServiceContext

COMMAND = "sponsor"


def add_parser(sub: argparse._SubParsersAction) -> None:
    sponsor = sub.add_parser("sponsor", help="sponsors and mentees").add_subparsers(dest="action", required=True)
    link = sponsor.add_parser(
        "link",
        help="propose a sponsor to a mentee (the mentee is asked to agree)",
        description="Link a sponsor (a member with enough days in recovery, or a volunteer) "
        "to a mentee. The mentee is asked to agree first.",
    )
    link.add_argument("--sponsor", required=True, metavar="PSEUDONYM")
    link.add_argument("--mentee", required=True, metavar="PSEUDONYM")
    link.add_argument("--center", help="needed only when the pseudonym exists at several centres")
    unlink = sponsor.add_parser(
        "unlink", help="end a mentee's sponsorship", description="End a sponsorship; both are told."
    )
    unlink.add_argument("--mentee", required=True, metavar="PSEUDONYM")
    unlink.add_argument("--center")
    volunteer = sponsor.add_parser("volunteer", help="centre volunteers who sponsor").add_subparsers(
        dest="volunteer_action", required=True
    )
    v_add = volunteer.add_parser(
        "add",
        help="register a volunteer sponsor who is not a member",
        description="Register a volunteer sponsor. Without --telegram-id a one-time code is "
        "printed that they send to the bot as /volunteer CODE.",
    )
    v_add.add_argument("--center", required=True)
    v_add.add_argument("--name", required=True)
    v_add.add_argument("--telegram-id", type=int)
    v_add.add_argument("--language", default="en", choices=("en", "hi", "mr"))
    settings = sponsor.add_parser(
        "settings",
        help="a centre's sponsor and missed check-in settings",
        description="Change what is given; print the result.",
    )
    settings.add_argument("--center", required=True)
    settings.add_argument("--min-days", type=int, dest="min_sponsor_days", help="days in recovery to sponsor (90)")
    settings.add_argument("--max-mentees", type=int, help="mentees per sponsor (5)")
    settings.add_argument(
        "--sponsor-after", type=int, dest="sponsor_after_missed", help="missed check-ins before the sponsor is told (2)"
    )
    settings.add_argument(
        "--counsellor-after",
        type=int,
        dest="counsellor_after_missed",
        help="missed check-ins before the counsellor gets a dropout-risk notice (4)",
    )
    settings.add_argument(
        "--talk-wait",
        type=int,
        dest="talk_wait_minutes",
        help='minutes a sponsor has to answer "I need to talk" before the counsellor is asked (30)',
    )
    settings.add_argument("--summary-day", help="weekday of the sponsors' weekly summary (sun)")
    settings.add_argument("--quiet", help="quiet hours, for example 22:00-07:00")
    listing = sponsor.add_parser("list", help="sponsors of a centre and their mentees", description="List sponsors.")
    listing.add_argument("--center", required=True)


def run(ctx: ServiceContext, args: argparse.Namespace) -> None:
    if args.action == "link":
        print(sponsor_admin.link(ctx, args.sponsor, args.mentee, center_name=args.center))
    elif args.action == "unlink":
        print(sponsor_admin.unlink(ctx, args.mentee, center_name=args.center))
    elif args.action == "volunteer":
        volunteer = sponsor_admin.add_volunteer(
            ctx, args.center, args.name, telegram_id=args.telegram_id, language=args.language
        )
        print(f"volunteer sponsor added as {volunteer.pseudonym!r}")
        if volunteer.code:
            print(f"one-time code (give it to them privately; they send it to the bot): /volunteer {volunteer.code}")
    elif args.action == "settings":
        row = sponsor_admin.configure(
            ctx,
            args.center,
            summary_day=args.summary_day,
            quiet=args.quiet,
            **{name: getattr(args, name) for name in sponsor_admin.SETTING_RANGES},
        )
        print(sponsor_admin.policy_text(row))
    elif args.action == "list":
        print("\n".join(sponsor_admin.listing(ctx, args.center)) or "no sponsors yet")
