"""Risk classification time per message: rules + trained model, as the bot runs it (engine.assess).

Every corpus message (bot/domain/risk/corpus), then 4,096-character messages (Telegram's limit)
built from corpus text, each timed alone after a warm-up. Reports p50/p99/max in milliseconds of
CPU time spent by this process (what a message costs; on a shared machine the wall clock also counts
time waiting for a core, shown as wall p99 with the load average), for the whole engine and for the
rules alone (the model's share is the difference).

    .venv/bin/python scripts/benchmarks/risk.py [--long 200] [--append FILE]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from bot.domain.risk import assess
from bot.domain.risk.corpus import load_corpus
from scripts.benchmarks.common import add_report_arguments, load_average, median, percentile, report_section

TARGET_MS = 5.0
TELEGRAM_LIMIT = 4096


def long_messages(texts: list[str], count: int) -> list[str]:
    """4,096 characters of consecutive corpus messages joined as one note, ``count`` different starts."""
    out = []
    step = max(1, len(texts) // max(1, count))
    for start in range(0, step * count, step):
        parts: list[str] = []
        index = start
        while sum(len(p) + 2 for p in parts) < TELEGRAM_LIMIT:
            parts.append(texts[index % len(texts)])
            index += 1
        out.append(". ".join(parts)[:TELEGRAM_LIMIT])
    return out


def timings(texts: list[str], **kwargs: object) -> tuple[list[float], list[float]]:
    """(CPU ms, wall ms) per message."""
    for text in texts[:20]:
        assess(text, **kwargs)  # type: ignore[arg-type]
    cpu, wall = [], []
    for text in texts:
        start_cpu, start_wall = time.process_time(), time.perf_counter()
        assess(text, **kwargs)  # type: ignore[arg-type]
        cpu.append((time.process_time() - start_cpu) * 1000)
        wall.append((time.perf_counter() - start_wall) * 1000)
    return cpu, wall


def row(name: str, values: tuple[list[float], list[float]], target: bool = True) -> str:
    cpu, wall = values
    p99 = percentile(cpu, 99)
    mark = (f"< {TARGET_MS:g} ms " + ("✓" if p99 < TARGET_MS else "✗")) if target else ""
    return (
        f"| {name} | {len(cpu)} | {median(cpu):.2f} | {p99:.2f} | {max(cpu):.2f} | "
        f"{percentile(wall, 99):.2f} | {mark} |"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--long", type=int, default=200, help="how many 4,096-character messages")
    add_report_arguments(parser)
    args = parser.parse_args()
    texts = [e.text for e in load_corpus()]
    longs = long_messages(texts, args.long)
    corpus_all, corpus_rules = timings(texts), timings(texts, model=None)
    long_all, long_rules = timings(longs), timings(longs, model=None)
    lines = [
        f"Each message classified alone (engine.assess: rules + model) after a warm-up; {len(texts)} corpus "
        f"messages, then {len(longs)} messages of {TELEGRAM_LIMIT} characters made of corpus text.",
        "",
        f"Load average while it ran: {load_average()} (2 cores shared with other work).",
        "",
        "| messages | n | CPU p50 ms | CPU p99 ms | CPU max ms | wall p99 ms | target p99 |",
        "|---|---|---|---|---|---|---|",
        row("corpus, rules + model", corpus_all),
        row("corpus, rules alone", corpus_rules, target=False),
        row("4,096 chars, rules + model", long_all),
        row("4,096 chars, rules alone", long_rules, target=False),
    ]
    report_section("Risk classification (scripts/benchmarks/risk.py)", lines, args.append)
    return 0


if __name__ == "__main__":
    sys.exit(main())
