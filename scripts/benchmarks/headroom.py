"""Raw send headroom: dispatch.py with every limit off, on both sides (target ≥ 300 messages/s).

    .venv/bin/python scripts/benchmarks/headroom.py [--members 20000] [--database-url URL] [--append FILE]

See scripts/benchmarks/dispatch.py for the set-up (the real Application, the emulator in a
child process, the outbox filled by the real due scan).
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from scripts.benchmarks.dispatch import main

if __name__ == "__main__":
    raise SystemExit(main(headroom_default=True, default_members=20_000))
