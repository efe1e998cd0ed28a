"""Shared bits for the benchmarks: machine description and appending to docs/performance.md."""

from __future__ import annotations

import os
import platform
import statistics
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

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


def postgres_url() -> str | None:
    """The benchmark's PostgreSQL: SAATHI_TEST_POSTGRES_URL, or the CI server when CI=true."""
    url = os.environ.get("SAATHI_TEST_POSTGRES_URL")
    if url:
        return url
    if os.environ.get("CI", "").lower() == "true":
        return "postgresql+psycopg://postgres@127.0.0.1:5432/test"
    return None


def reset_postgres(url: str) -> None:
    """Benchmarks start from an empty schema (point them only at a throw-away database)."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


@contextmanager
def scratch_postgres(url: str, name: str) -> Iterator[str]:
    """A fresh database ``name`` on the server of ``url`` (created, yielded as a URL, dropped after).

    Benchmarks that run beside the test suite use this rather than resetting the shared database.
    """
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    if not name.replace("_", "").isalnum():
        raise ValueError("database name: letters, digits and underscores only")
    admin = create_engine(make_url(url).set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        yield make_url(url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
