"""scripts/benchmarks/console_load.py, small, as it is run: two rounds of the reply and dispatch benchmarks,
the second with the console served in the bot's loop and three users, in their child process, signed in
and refreshing pages. The figures are the benchmark's to measure (docs/performance.md); this keeps its
machinery working (a separate process, as the benchmarks each run their bot in their own)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_two_small_rounds_serve_the_console_users_beside_the_bot() -> None:
    argv = ["--rounds", "2", "--replies-members", "20", "--dispatch-members", "300", "--urgent", "2"]
    argv += ["--users", "3", "--interval", "0.5"]
    run = subprocess.run(
        [sys.executable, "scripts/benchmarks/console_load.py", *argv],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode in (0, 1), run.stderr[-2000:]  # 1: a ratio missed, which two tiny rounds may
    rows = re.findall(r"^\| (\d) \| (with|without) \| (\d+) \| (\d+) \| ([\d.]+) \|", run.stdout, re.M)
    assert [(n, arm) for n, arm, *_ in rows][-2:] == [("1", "without"), ("2", "with")], run.stdout[-2000:]
    served = re.search(r"the console users: (\d+) pages served.*?; (\d+) other answers", run.stdout)
    assert served is not None, run.stdout[-2000:]
    assert int(served.group(1)) >= 3 and served.group(2) == "0", served.group(0)
