"""The ``saathi`` command: run the bot, play the sandbox, and set a centre up."""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import sys
from collections.abc import Sequence
from dataclasses import replace
from typing import Any
from urllib.parse import urlparse

from bot import cli_backup, cli_channel, cli_console, cli_keys, cli_sandbox_args, cli_sponsor, cli_whatsapp
from bot.clock import SystemClock
from bot.config import Settings, SettingsError, load_settings
from bot.services import admin
from bot.services.context import ServiceContext
from bot.webhook import webhook_secret
from storage import crypto
from storage.db import SessionFactory, is_sqlite, make_engine
from storage.migrate import upgrade

log = logging.getLogger("saathi")
ROLES = ("all", "poller", "dispatcher", "web")
# Commands in their own module (``COMMAND``, ``add_parser(sub)``, ``run(ctx, args)``): new ones go here.
SERVICE_COMMANDS = (cli_sponsor, cli_console, cli_whatsapp, cli_channel)


def configure_logging(level: str) -> None:
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    # Logs never hold message text or tokens, even at DEBUG: httpx logs request URLs (which
    # contain the bot token) and python-telegram-bot logs request bodies at DEBUG.
    # Alembic's INFO lines ("Context impl SQLiteImpl", each revision applied) are not for an admin's
    # terminal: upgrade() says what it applied, and the commands print or log that themselves.
    for noisy in (
        "httpx",
        "httpcore",
        "apscheduler",
        "aiohttp.access",
        "aiohttp.client",
        "telegram",
        "sqlalchemy.engine",
        "alembic",
    ):
        logging.getLogger(noisy).setLevel(
            max(logging.getLevelName(level), logging.INFO) if noisy == "telegram" else logging.WARNING
        )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="saathi",
        description="Saathi — a companion bot for people in recovery, run by their de-addiction centre.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    run = sub.add_parser(
        "run", help="start the bot (long polling by default)", description="Start the bot. Migrates the database first."
    )
    run.add_argument("--webhook-url", help="use a webhook at this public https URL instead of long polling")
    run.add_argument(
        "--role",
        choices=ROLES,
        default="all",
        help="all: everything in one process, the web console included (default); poller: receive updates "
        "and send replies, no due scan; dispatcher: due scan and sending only, no updates (PostgreSQL only; "
        "run several beside one poller or webhook); web: only the console on WEB_LISTEN",
    )
    run.add_argument(
        "--allow-unreadable-data",
        action="store_true",
        help="start although the encryption keys do not read the database's key check (the old key "
        "is lost): what it wrote shows as [unreadable]; same as SAATHI_ALLOW_UNREADABLE_DATA=yes",
    )

    cli_sandbox_args.add_parser(sub)

    center = sub.add_parser("center", help="manage centres").add_subparsers(dest="action", required=True)
    center_add = center.add_parser("add", help="add a centre", description="Add a centre.")
    center_add.add_argument("--name", required=True)
    center_add.add_argument("--timezone", required=True, help="for example Asia/Kolkata")
    center_add.add_argument("--helpline", help="helplines members see in an emergency (default: India's national ones)")

    center_set = center.add_parser("set", help="change a centre's settings", description="Change a centre's settings.")
    center_set.add_argument("--name", required=True)
    center_set.add_argument("--helpline")
    center_set.add_argument("--ack-urgent-minutes", type=int, help="minutes before an urgent alert goes further (10)")
    center_set.add_argument("--ack-concern-minutes", type=int, help="minutes before a concern alert goes further (240)")
    center_set.add_argument("--retention-circle-days", type=int, help="days circle messages are kept (30)")
    center_set.add_argument("--retention-note-days", type=int, help="days check-in notes are kept (180)")
    center_set.add_argument(
        "--retention-escalation-days", type=int, help="days resolved escalations are kept after resolution (730)"
    )
    center_set.add_argument("--retention-craving-days", type=int, help="days craving logs are kept (365)")
    center_set.add_argument("--retention-audit-days", type=int, help="days audit log entries are kept (730)")
    center_set.add_argument(
        "--paid-broadcast",
        choices=("on", "off"),
        help="let check-ins and reminders go out as Telegram paid broadcasts when the free "
        "~30/s is full (up to 1,000/s; costs 0.1 Telegram Stars a message; off)",
    )
    center_set.add_argument(
        "--own-members-only",
        choices=("yes", "no"),
        help="in the web console, counsellors see only their own members' caseload, pages and alerts (no)",
    )

    counsellor = sub.add_parser("counsellor", help="manage counsellors").add_subparsers(dest="action", required=True)
    c_add = counsellor.add_parser(
        "add",
        help="add a counsellor",
        description="Add a counsellor. Without --telegram-id a one-time link is printed that binds their account.",
    )
    c_add.add_argument("--center", required=True)
    c_add.add_argument("--name", required=True)
    c_add.add_argument("--telegram-id", type=int)
    c_add.add_argument("--backup", action="store_true", help="alerted when the named counsellor does not answer")
    c_add.add_argument(
        "--admin",
        action="store_true",
        help="a centre admin: the same commands as a counsellor, but not on the alert ladder",
    )

    invite = sub.add_parser("invite", help="member invitations").add_subparsers(dest="action", required=True)
    i_create = invite.add_parser("create", help="create invite codes and links", description="Create invite codes.")
    i_create.add_argument("--center", required=True)
    i_create.add_argument("--circle")
    i_create.add_argument("--count", type=int, default=1)
    i_create.add_argument("--expires", type=int, default=14, metavar="DAYS")

    circle = sub.add_parser("circle", help="peer circles").add_subparsers(dest="action", required=True)
    ci_add = circle.add_parser("add", help="add a circle", description="Add a peer circle.")
    ci_add.add_argument("--center", required=True)
    ci_add.add_argument("--name", required=True)
    ci_add.add_argument("--type", default="self_help", choices=admin.CIRCLE_KINDS)
    ci_add.add_argument("--language", default="en", choices=("en", "hi", "mr"))
    ci_add.add_argument("--capacity", type=int, default=8)
    ci_add.add_argument("--facilitator", help="a counsellor's name")
    ci_add.add_argument(
        "--schedule", help="when it meets, centre's local time: 'daily 19:00 60' or 'weekly sat 11:00 90'"
    )
    ci_add.add_argument("--allow-stickers", action="store_true", help="relay stickers (as their emoji)")
    ci_list = circle.add_parser("list", help="list a centre's circles", description="List circles (no member names).")
    ci_list.add_argument("--center", required=True)
    ci_assign = circle.add_parser(
        "assign",
        help="put a member in a circle (moves them from any other)",
        description="Put a member (by pseudonym) in a circle; a member is in one circle at most.",
    )
    ci_assign.add_argument("--center", required=True)
    ci_assign.add_argument("--member", required=True, help="their pseudonym, e.g. 'Lotus 27'")
    ci_assign.add_argument("--circle", required=True)
    ci_remove = circle.add_parser(
        "remove",
        help="take a member out of their circle, or close a circle",
        description="With --member: take them out of their circle. With only --circle: close it.",
    )
    ci_remove.add_argument("--center", required=True)
    ci_remove.add_argument("--member", help="their pseudonym")
    ci_remove.add_argument("--circle", help="a circle to close")

    for module in (*SERVICE_COMMANDS, cli_backup):
        module.add_parser(sub)
    db = sub.add_parser("db", help="database").add_subparsers(dest="action", required=True)
    db.add_parser("upgrade", help="apply migrations up to the newest", description="Apply Alembic migrations.")

    keys = sub.add_parser("keys", help="encryption keys for members' texts").add_subparsers(
        dest="action", required=True
    )
    keys.add_parser("generate", help="print a new key", description="Print a new Fernet key, nothing else.")
    keys.add_parser(
        "check",
        help="do the keys read this database?",
        description="Report whether SAATHI_ENCRYPTION_KEYS read the key check written when encryption "
        "was set up, and how many stored texts each key can and cannot read (counts only).",
    )
    rotate = keys.add_parser(
        "rotate",
        help="re-encrypt everything with the first key",
        description="Re-encrypt every encrypted column with the first key of "
        "SAATHI_ENCRYPTION_KEYS (also encrypts text stored before encryption). "
        "Safe to repeat; prints counts only.",
    )
    rotate.add_argument(
        "--skip-unreadable",
        action="store_true",
        help="the old key is lost for good: leave what no key reads as it is ([unreadable]) and "
        "write the key check with the first key, so Saathi starts without the override",
    )

    risk = sub.add_parser("risk", help="risk rules and model").add_subparsers(dest="action", required=True)
    classify = risk.add_parser(
        "classify",
        help="classify messages read one per line from standard input",
        description="Prints, for each line, the level and the matching rule ids "
        "(MODEL when the trained model fired), tab-separated.",
    )
    classify.add_argument(
        "--explain",
        action="store_true",
        help="print level, layer (rules/model/follow-up) and each rule's words or the model's score",
    )
    train = risk.add_parser(
        "train",
        help="train the risk model from the labelled corpus",
        description="Fit the model on bot/domain/risk/corpus/*.tsv (fixed seed) and write "
        "bot/domain/risk/model/risk_model.xz. Needs the 'train' extra.",
    )
    train.add_argument("--corpus", help="a folder of corpus .tsv files (default: the packaged corpus)")
    train.add_argument("--out", help="where to write the model (default: the packaged artifact)")

    sub.add_parser("status", help="counts and backlog at a glance", description="Show counts and the outbox backlog.")
    return parser


def _risk(args: argparse.Namespace) -> int:
    if args.action == "train":
        try:
            from bot.risk_training import train
        except ImportError as exc:
            print(f"saathi: training needs scikit-learn (pip install -e '.[train]'): {exc}", file=sys.stderr)
            return 2
        model = train(args.corpus, args.out).model
        oof = model.meta["out_of_fold"]
        print(
            f"trained on {model.meta['messages']} messages, {len(model.terms)} terms, C={model.meta['C']}; "
            f"thresholds urgent {model.thresholds.urgent}, concern {model.thresholds.concern}, "
            f"ask {model.thresholds.ask}; out-of-fold: " + ", ".join(f"{k} {v}" for k, v in oof.items())
        )
        return 0
    from bot.domain.risk import classify_lines

    for line in classify_lines(sys.stdin, explain=args.explain):
        print(line, flush=True)
    return 0


def _services(settings: Settings) -> ServiceContext:
    upgrade(settings.database_url)
    return ServiceContext(
        uow=SessionFactory(make_engine(settings.database_url)),
        clock=SystemClock(),
        default_timezone=settings.default_timezone,
        reminder_delay_minutes=settings.reminder_delay_minutes,
        bot_username=settings.bot_username or _bot_username(settings),
        web_base_url=settings.web_base_url,
    )


def _bot_username(settings: Settings) -> str:
    """Ask Telegram who we are, for links; a placeholder when offline or without a token."""
    token = settings.telegram_bot_token
    if token is None:
        return "YOUR_BOT_USERNAME"
    from telegram import Bot

    async def ask() -> str:
        async with Bot(token, base_url=settings.telegram_api_url) as bot:
            return bot.username

    try:
        return asyncio.run(asyncio.wait_for(ask(), timeout=10))
    except Exception:  # offline: the admin can still read the code
        return "YOUR_BOT_USERNAME"


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command == "keys" and args.action == "generate":  # works before any key is set
        print(crypto.generate_key())
        return 0
    try:
        settings = load_settings(require_token=args.command == "run" and args.role != "web")
    except SettingsError as exc:
        print(f"saathi: {exc}", file=sys.stderr)
        return 2
    # The sandbox prints a transcript; routine log lines would drown it.
    configure_logging("ERROR" if args.command == "sandbox" and settings.log_level != "DEBUG" else settings.log_level)
    crypto.configure(settings.encryption_keys)
    try:
        return _dispatch(args, settings)
    except crypto.EncryptionKeyError as exc:
        print(f"saathi: {exc}", file=sys.stderr)
        return 1
    except admin.AdminError as exc:
        print(f"saathi: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


def _dispatch(args: argparse.Namespace, settings: Settings) -> int:
    if args.command == "run":
        if args.allow_unreadable_data:
            settings = replace(settings, allow_unreadable_data=True)
        return _run(settings, args.webhook_url, args.role)
    if args.command == "sandbox":
        from bot import cli_sandbox  # only here: it imports the emulator and the whole application

        return cli_sandbox.run(args)
    if args.command == "backup":
        return cli_backup.run(settings, args)
    if args.command == "keys" and args.action == "check":
        return cli_keys.check_keys(settings)
    if args.command == "keys":
        return cli_keys.rotate_keys(settings, skip_unreadable=args.skip_unreadable)
    if args.command == "db":
        applied = upgrade(settings.database_url)
        print(
            "database is up to date"
            if applied is None
            else f"database upgraded from {_revisions(applied[0])} to {_revisions(applied[1])}"
        )
        return 0
    if args.command == "risk":
        return _risk(args)
    ctx = _services(settings)
    for module in SERVICE_COMMANDS:
        if args.command == module.COMMAND:
            return module.run(ctx, args) or 0
    if args.command == "center" and args.action == "set":
        center = admin.configure_center(
            ctx,
            args.name,
            helpline=args.helpline,
            ack_urgent_minutes=args.ack_urgent_minutes,
            ack_concern_minutes=args.ack_concern_minutes,
            allow_paid_broadcast=None if args.paid_broadcast is None else args.paid_broadcast == "on",
            own_members_only=None if args.own_members_only is None else args.own_members_only == "yes",
            **{name: getattr(args, name) for name in admin.RETENTION_RANGES},
        )
        print(
            f"centre {center.name!r}: urgent alerts wait {center.ack_urgent_minutes} min, "
            f"concern alerts {center.ack_concern_minutes} min before going further; circle messages kept "
            f"{center.retention_circle_days} days, check-in notes {center.retention_note_days} days, "
            f"resolved escalations {center.retention_escalation_days} days, craving logs "
            f"{center.retention_craving_days} days, audit log {center.retention_audit_days} days; "
            f"paid broadcast {'on (costs Telegram Stars)' if center.allow_paid_broadcast else 'off'}; "
            f"counsellors see {'only their own members' if center.console_own_members_only else 'every member'}"
        )
    elif args.command == "center":
        center = admin.add_center(ctx, args.name, args.timezone, args.helpline)
        print(f"centre {center.name!r} added (time zone {center.timezone})")
    elif args.command == "counsellor":
        staff, link = admin.add_counsellor(
            ctx,
            args.center,
            args.name,
            telegram_id=args.telegram_id,
            backup=args.backup,
            role="admin" if args.admin else "counsellor",
        )
        print(f"{staff.role} {staff.name!r} added{' as backup' if staff.is_backup else ''}")
        if link:
            print(f"one-time staff link (send it to them privately): {link}")
    elif args.command == "invite":
        invites = admin.create_invites(
            ctx, args.center, circle_name=args.circle, count=args.count, expires_days=args.expires
        )
        for item in invites:
            expiry = item.expires_at.strftime("%Y-%m-%d") if item.expires_at else "never"
            print("\t".join([item.code, item.link, *filter(None, [item.whatsapp_link]), f"expires {expiry}"]))
    elif args.command == "circle":
        _circle_command(ctx, args)
    elif args.command == "status":
        print(json.dumps(admin.status(ctx, rate_per_second=settings.rate_limit_per_second), indent=2))
    return 0


def _circle_command(ctx: ServiceContext, args: argparse.Namespace) -> None:
    if args.action == "add":
        circle = admin.add_circle(
            ctx,
            args.center,
            args.name,
            kind=args.type,
            language=args.language,
            capacity=args.capacity,
            facilitator=args.facilitator,
            schedule=args.schedule,
            allow_stickers=args.allow_stickers,
        )
        print(f"circle {circle.name!r} added" + (f", meets {args.schedule}" if args.schedule else ""))
    elif args.action == "list":
        for row in admin.list_circles(ctx, args.center):
            print(
                "\t".join(
                    str(row[key]) if row[key] is not None else "-"
                    for key in ("name", "type", "language", "members", "capacity", "facilitator", "schedule")
                )
                + ("\tclosed" if row["closed"] else "")
            )
    elif args.action == "assign":
        print(f"{args.member} is now in {admin.assign_to_circle(ctx, args.center, args.member, args.circle)!r}")
    elif args.action == "remove":
        if not args.member and not args.circle:
            raise admin.AdminError("give --member (to take someone out) or --circle (to close it)")
        print(admin.remove_from_circle(ctx, args.center, pseudonym=args.member, circle_name=args.circle))


def _revisions(revisions: frozenset[str]) -> str:
    return ", ".join(sorted(revisions)) or "an empty database"


def _run(settings: Settings, webhook_url: str | None, role: str = "all") -> int:
    from bot.app import build_application, serve_console, serve_dispatcher

    if role not in ("all", "web") and is_sqlite(settings.database_url):
        print(
            f"saathi: --role {role} needs PostgreSQL (DATABASE_URL=postgresql+psycopg://…): SQLite has one "
            "writer, so only one process (--role all) can use it",
            file=sys.stderr,
        )
        return 2
    if role == "web" and (webhook_url is not None or settings.web_listen is None):
        print("saathi: --role web serves only the console: set WEB_LISTEN, and no --webhook-url", file=sys.stderr)
        return 2
    if role == "dispatcher" and webhook_url is not None:
        print(
            "saathi: a dispatcher receives no updates: give --webhook-url to the poller (or --role all) instead",
            file=sys.stderr,
        )
        return 2
    if (applied := upgrade(settings.database_url)) is not None:
        log.info("database upgraded from %s to %s", _revisions(applied[0]), _revisions(applied[1]))
    if not cli_keys.keys_fit_or_refuse(settings):
        return 3
    if role == "web":
        log.info("starting as role web with %s", settings.redacted())
        asyncio.run(serve_console(settings))
        return 0
    # poller: the due scan is left to the dispatchers; dispatcher: no updater (no polling, no webhook).
    # all: the console too, on WEB_LISTEN (with several workers, run it as its own --role web).
    application = build_application(
        settings, with_jobs=role != "poller", with_updater=role != "dispatcher", with_web=role == "all"
    )
    log.info("starting as role %s with %s", role, settings.redacted())
    if role == "dispatcher":
        asyncio.run(serve_dispatcher(application))
        log.info("dispatcher worker stopped")
        return 0
    if webhook_url is None:
        from bot.polling import run_polling

        run_polling(application)  # confirms each update only after it was handled
        return 0
    try:
        options = webhook_options(settings, webhook_url)
    except ValueError as exc:
        print(f"saathi: {exc}", file=sys.stderr)
        return 2
    from bot.webhook import serve_webhook

    asyncio.run(serve_webhook(application, options))  # answers 200 only once an update is stored
    return 0


def webhook_options(settings: Settings, webhook_url: str) -> dict[str, Any]:
    """What the webhook receiver gets (``bot.webhook.WebhookReceiver``; tests start the same one):
    bind to WEBHOOK_LISTEN only, and require Telegram's secret header on every request.

    Raises ValueError for a URL Telegram would reach in clear text (http other than loopback)."""
    parsed = urlparse(webhook_url)
    if parsed.scheme != "https" and not (
        parsed.scheme == "http" and parsed.hostname in ("127.0.0.1", "localhost", "::1")
    ):
        raise ValueError("--webhook-url must be an https URL (plain http only for a loopback address)")
    host, _, port = settings.webhook_listen.rpartition(":")
    return {
        "listen": host.strip("[]"),
        "port": int(port),
        "url_path": parsed.path.lstrip("/"),
        "webhook_url": webhook_url,
        "secret_token": webhook_secret(settings.telegram_bot_token or ""),
    }


if __name__ == "__main__":
    raise SystemExit(main())
