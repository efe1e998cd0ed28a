"""The WhatsApp Cloud API emulator as a benchmark's child process (as Meta's servers are never on the
bot's CPU): one business number, ``--users`` WhatsApp users whose 24-hour window is open (each
wrote once, before the bot listens), Meta's 80/s per number and one message per 6 s per user.

It prints ``base_url=…`` once serving; its ``sent`` webhooks go to ``--webhook``. A line on stdin
(any) asks for the record: it waits for its webhooks to drain and prints one JSON line, every
Graph API call (time, recipient, outcome) as the emulator recorded it, then exits. Started by
:func:`scripts.benchmarks.common.whatsapp_emulator_process`.

    python -m scripts.benchmarks.whatsapp_emulator --phone-id ID --token T --app-secret S \\
        --users FIRST:COUNT [--webhook URL] [--throughput 80] [--pair-interval 6]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from sandbox.whatsapp import CloudApiEmulator

DISPLAY = "15550100001"


async def serve(args: argparse.Namespace) -> None:
    emu = CloudApiEmulator(throughput_per_sec=args.throughput, pair_interval=args.pair_interval)
    await emu.start()
    emu.add_number(args.phone_id, DISPLAY, token=args.token, app_secret=args.app_secret)
    first, _, count = args.users.partition(":")
    for index in range(int(count)):
        wa_id = str(int(first) + index)
        emu.add_user(wa_id, f"Member {index}")
        emu.send_text(wa_id, "hi")  # opens the window; no webhook yet (nobody listens), as the bot was seeded
    emu.set_webhook(args.phone_id, args.webhook)
    print(f"base_url={emu.url}", flush=True)
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)
    with contextlib.suppress(TimeoutError):  # the record says how many webhooks were still waiting
        await emu.settle(timeout=60)
    record = {
        "calls": [[call.at.timestamp(), call.to, call.outcome, call.kind] for call in emu.calls],
        "failed": [[m.wa_id, m.error_code] for m in emu.failed()],
        "webhooks": len(emu.deliveries),
        "webhooks_undelivered": sum(1 for d in emu.deliveries if not d.delivered and d.replay_of is None)
        - int(count),  # the window-opening messages were recorded, never posted
    }
    print(json.dumps(record), flush=True)
    await emu.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--phone-id", required=True)
    parser.add_argument("--token", required=True)
    parser.add_argument("--app-secret", required=True)
    parser.add_argument("--users", required=True, help="FIRST:COUNT, wa_ids FIRST … FIRST+COUNT-1")
    parser.add_argument("--webhook", help="the bot's /whatsapp/{account} (loopback); none: statuses are not posted")
    parser.add_argument("--throughput", type=float, default=80.0)
    parser.add_argument("--pair-interval", type=float, default=6.0)
    asyncio.run(serve(parser.parse_args()))


if __name__ == "__main__":
    main()
