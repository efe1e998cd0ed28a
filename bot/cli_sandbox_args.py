"""The ``saathi sandbox`` command's arguments.

Apart from :mod:`bot.cli_sandbox`, which ``bot/cli.py`` imports only when the sandbox runs (it pulls in
the emulators and the whole application), so that every other command still parses ``--help`` cheaply.
"""

from __future__ import annotations

import argparse


def add_parser(sub: argparse._SubParsersAction) -> None:
    """Add ``sandbox`` to the ``saathi`` subcommands (``sub``: argparse's subparsers action)."""
    sandbox = sub.add_parser(
        "sandbox",
        help="play a demo day offline, no token needed",
        description="Start the local Telegram emulator (and the WhatsApp Cloud API emulator), seed a demo "
        "centre and play a scripted day, printing what each person sees. Ends by itself.",
    )
    sandbox.add_argument("--quiet", action="store_true", help="print only the summary")
    sandbox.add_argument(
        "--channel",
        choices=("telegram", "whatsapp", "both"),
        default="telegram",
        help="where the demo members are: Telegram (default), a member on WhatsApp, or both; staff stay on Telegram",
    )
    sandbox.add_argument(
        "--console",
        action=argparse.BooleanOptionalAction,
        help="after the day, keep the web console of the demo centre open on WEB_LISTEN with a sign-in link, "
        "until Ctrl-C (default: when run in a terminal)",
    )
