"""``saathi sandbox``: the offline demo day.

The sandbox (the top-level ``sandbox`` package) is a client of the bot, not part of it: this module is
the one place in ``bot`` that reaches it. ``bot/cli.py`` imports it only for the ``sandbox`` command,
as it imports ``bot.app`` only for ``run``: the emulator and the whole application take a few tenths of
a second to import, which every other command would pay for nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import sys

from sandbox.demo import DemoStuck, play_demo_day


def run(args: argparse.Namespace) -> int:
    try:
        console = sys.stdout.isatty() if args.console is None else args.console
        return asyncio.run(play_demo_day(quiet=args.quiet, console=console, channel=args.channel))
    except DemoStuck as exc:
        print(f"saathi sandbox: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:  # Ctrl-C closes the console after the day: the way out, not a failure
        return 0
