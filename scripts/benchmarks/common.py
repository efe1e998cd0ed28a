"""Shared bits for the benchmarks: machine description and appending to docs/performance.md."""

from __future__ import annotations

import os
import platform
import statistics
import subprocess
from datetime import UTC, datetime
from pathlib import Path

from tests.postgres import postgres_url, reset_postgres, scratch_postgres  # noqa: F401  (the benchmarks import them from here)

PERFORMANCE_MD = Path(__file__).resolve().parents[2] / "docs" / "performance.md"


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    kernel = subprocess.run(["uname", "-srm"], capture_output=True, text=True).stdout.strip()
    return f"{cpu}, {os.cpu_count()} cores, {kernel}, Python {platform.python_version()}"


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def append_section(title: str, lines: list[str]) -> None:
    PERFORMANCE_MD.parent.mkdir(parents=True, exist_ok=True)
    if not PERFORMANCE_MD.exists():
        PERFORMANCE_MD.write_text("# Performance\n\nFigures appended by the benchmarks under scripts/benchmarks"
                                  " (run them all with ./scripts/bench).\n")
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    body = "\n".join(lines)
    with PERFORMANCE_MD.open("a", encoding="utf-8") as out:
        out.write(f"\n## {title} — {stamp}\n\nMachine: {machine()}\n\n{body}\n")
