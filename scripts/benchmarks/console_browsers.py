"""The console's users for scripts/benchmarks/console_load.py: a child process that signs each user in
through a one-time link, from its own loopback address (as each device would be), and refreshes a page
every few seconds until its standard input closes; then prints what it saw as one line of JSON.

Only the standard library and httpx: the bot under measurement shares the machine, and a child that
imported the bot's packages would spend seconds of CPU starting up in the middle of a round.

    python scripts/benchmarks/console_browsers.py http://127.0.0.1:PORT
    stdin: {"links": [path, …], "members": [id, …], "interval": seconds}, then EOF to stop
    stdout: "ready", then {"latencies_ms": […], "ok": n, "refused": n, "bad": [status, …]}
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from dataclasses import dataclass, field
from typing import Any

import httpx

PAGES = ("/caseload", "/alerts", "/members/{member}")


@dataclass
class Seen:
    """What the console users saw over one or more rounds."""

    latencies_ms: list[float] = field(default_factory=list)
    ok: int = 0
    refused: int = 0  # no console listening (the bare bot's turn in the replies benchmark), retried
    bad: list[int] = field(default_factory=list)  # statuses other than 200

    def add(self, other: dict[str, Any]) -> None:
        self.latencies_ms += other["latencies_ms"]
        self.ok += other["ok"]
        self.refused += other["refused"]
        self.bad += other["bad"]


async def _user(index: int, users: int, base: str, link: str, members: list[int], interval: float, seen: Seen) -> None:
    transport = httpx.AsyncHTTPTransport(local_address=f"127.0.0.{10 + index}")
    async with httpx.AsyncClient(base_url=base, transport=transport, timeout=30) as client:
        while True:  # sign in once the console listens
            try:
                response = await client.get(link, follow_redirects=False)
                if response.status_code != 303:
                    seen.bad.append(response.status_code)
                break
            except httpx.TransportError:
                seen.refused += 1
                await asyncio.sleep(0.5)
        started = time.monotonic() + interval * index / users
        for n in range(1_000_000):
            await asyncio.sleep(max(0.0, started + n * interval - time.monotonic()))
            path = PAGES[(index + n) % len(PAGES)].format(member=members[(index + n) % len(members)])
            begun = time.perf_counter()
            try:
                response = await client.get(path, follow_redirects=False)
            except httpx.TransportError:
                seen.refused += 1
                continue
            if response.status_code == 200:
                seen.ok += 1
                seen.latencies_ms.append((time.perf_counter() - begun) * 1000)
            else:
                seen.bad.append(response.status_code)


async def browse(base: str) -> None:
    """Child: read {"links", "members", "interval"} from stdin, browse until stdin closes, print what was seen."""
    loop = asyncio.get_running_loop()
    order = json.loads(await loop.run_in_executor(None, sys.stdin.readline))
    print("ready", flush=True)
    seen = Seen()
    links: list[str] = order["links"]
    tasks = [
        asyncio.create_task(_user(i, len(links), base, link, order["members"], order["interval"], seen))
        for i, link in enumerate(links)
    ]
    await loop.run_in_executor(None, sys.stdin.readline)  # EOF: the round is over
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    print(json.dumps(seen.__dict__), flush=True)


if __name__ == "__main__":
    asyncio.run(browse(sys.argv[1]))
