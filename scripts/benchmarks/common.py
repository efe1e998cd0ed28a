"""Shared bits for the benchmarks: the emulator in a child process, the machine's description and
each benchmark's report (printed as markdown; docs/performance.md is written by hand from it)."""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import statistics
import subprocess
import sys
from collections.abc import Iterator, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

from telegram.ext import Application

from bot.app import build_application
from bot.clock import SystemClock
from bot.config import Settings, parse_settings
from bot.services.context import ServiceContext
from tests.postgres import postgres_url, reset_postgres, scratch_postgres  # noqa: F401  (the benchmarks import them from here)

ROOT = Path(__file__).resolve().parents[2]


# --- our bot, built the same way by every benchmark that runs it whole ---------------------------


class ConsoleLoad(Protocol):
    """People using the console while a benchmark runs the bot (scripts/benchmarks/console_load.py):
    the bot serves the console on ``listen`` in its own loop, as ``saathi run`` does, and ``users``
    (entered once the centre and ``staff`` exist) keeps them refreshing pages until it is left."""

    listen: str

    def users(self, ctx: ServiceContext, staff: str, centre: str) -> AbstractAsyncContextManager[None]: ...


def bot_settings(token: str, api_url: str, database_url: str, web_listen: str | None = None) -> Settings:
    """Our bot against an emulator at ``api_url`` (quiet logs: a benchmark prints its own figures),
    serving the console on ``web_listen`` (default: no console).
    ``SAATHI_ENCRYPTION_KEYS`` from the environment is passed on: production runs with a key, so the
    figures that matter are measured with one (``SAATHI_ENCRYPTION_KEYS=$(saathi keys generate)``)."""
    values = {
        "TELEGRAM_BOT_TOKEN": token,
        "TELEGRAM_API_URL": api_url,
        "DATABASE_URL": database_url,
        "LOG_LEVEL": "WARNING",
        "WEB_LISTEN": web_listen or "off",
    }
    if web_listen:
        values["WEB_BASE_URL"] = f"http://{web_listen}"
    if os.environ.get("SAATHI_ENCRYPTION_KEYS"):
        values["SAATHI_ENCRYPTION_KEYS"] = os.environ["SAATHI_ENCRYPTION_KEYS"]
    return parse_settings(values)


def bot_application(settings: Settings) -> Application:  # type: ignore[type-arg]
    """The real Application on the real clock, without the scheduled jobs (the benchmark drives the due
    work), its outbox sender polling every 50 ms; with the console in its loop when ``settings.web_listen``."""
    return build_application(
        settings, clock=SystemClock(), with_jobs=False, sender_poll=0.05, with_web=settings.web_listen is not None
    )


# --- the emulator, in a child process (as Telegram's servers are never on the bot's CPU) ---------


def _die_with_parent() -> None:
    """In the child, before exec: if this benchmark dies (even by SIGKILL), the emulator dies too (Linux)."""
    with contextlib.suppress(OSError, AttributeError):
        import ctypes
        import signal

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


@dataclass
class EmulatorProcess:
    pid: int
    base_url: str
    control_url: str

    def cpu_seconds(self) -> float:
        """User + system CPU the emulator has used so far (Linux /proc)."""
        fields = Path(f"/proc/{self.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@contextlib.contextmanager
def _serving_child(
    argv: Sequence[str], keys: int, *, talk: bool = False
) -> Iterator[tuple[subprocess.Popen[str], dict[str, str]]]:
    """``python <argv>`` in a child process, once it printed ``keys`` lines ``name=value`` (its
    addresses); stopped on every way out. ``talk``: its stdin is a pipe (else /dev/null)."""
    child = subprocess.Popen(
        [sys.executable, *argv],
        cwd=ROOT,
        stdin=subprocess.PIPE if talk else subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        text=True,
        preexec_fn=_die_with_parent,
    )
    try:
        assert child.stdout is not None
        urls: dict[str, str] = {}
        while len(urls) < keys:
            line = child.stdout.readline()
            if not line:
                raise RuntimeError(f"{argv[1] if len(argv) > 1 else argv[0]} exited ({child.wait()}) before serving")
            key, _, value = line.strip().partition("=")
            urls[key] = value
        yield child, urls
    finally:
        child.terminate()
        try:
            child.wait(timeout=10)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()


@contextlib.contextmanager
def emulator_process(token: str, extra: Sequence[str] = ()) -> Iterator[EmulatorProcess]:
    """``python -m sandbox.emulator`` on a free loopback port, stopped on every way out.
    ``extra``: more of its arguments, e.g. ``--users FIRST:COUNT:NAME``."""
    argv = ["-m", "sandbox.emulator", "--host", "127.0.0.1", "--port", "0", "--token", token, *extra]
    with _serving_child(argv, 3) as (child, urls):  # base_url=…, file_url=…, control_url=…
        yield EmulatorProcess(child.pid, urls["base_url"], urls["control_url"])


@dataclass
class WhatsAppEmulatorProcess:
    """The WhatsApp Cloud API emulator in a child process (scripts/benchmarks/whatsapp_emulator.py)."""

    child: subprocess.Popen[str]
    base_url: str

    def record(self) -> dict[str, Any]:
        """Every Graph API call it answered (time, recipient, outcome), once its webhooks drained."""
        assert self.child.stdin is not None and self.child.stdout is not None
        self.child.stdin.write("record\n")
        self.child.stdin.flush()
        return json.loads(self.child.stdout.readline())  # type: ignore[no-any-return]


@contextlib.contextmanager
def whatsapp_emulator_process(
    phone_id: str, token: str, app_secret: str, users: str, webhook: str | None = None
) -> Iterator[WhatsAppEmulatorProcess]:
    """The WhatsApp emulator on a free loopback port: Meta's limits, ``users`` (FIRST:COUNT) with
    their window open, statuses posted to ``webhook``."""
    argv = ["-m", "scripts.benchmarks.whatsapp_emulator", "--phone-id", phone_id, "--token", token]
    argv += ["--app-secret", app_secret, "--users", users, *(["--webhook", webhook] if webhook else [])]
    with _serving_child(argv, 1, talk=True) as (child, urls):
        yield WhatsAppEmulatorProcess(child, urls["base_url"])


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


def load_average() -> str:
    try:
        return " / ".join(f"{value:.1f}" for value in os.getloadavg())
    except OSError:
        return "unknown"


def add_report_arguments(parser: argparse.ArgumentParser) -> None:
    """``--append FILE``: also append the report to FILE, a history of runs kept by whoever runs them.
    docs/performance.md is a page written by hand from these reports, never appended to."""
    parser.add_argument(
        "--append",
        metavar="FILE",
        type=Path,
        help="also append the report to FILE (a history of runs); printing is the default",
    )
    parser.add_argument("--no-append", action="store_true", help=argparse.SUPPRESS)  # the default now


def report_section(title: str, lines: list[str], append_to: Path | None = None) -> None:
    """Print one benchmark's report as a markdown section (title, time, machine, load average); with
    ``append_to``, append the same section to that file too."""
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    body = "\n".join(lines)
    section = (
        f"\n## {title} — {stamp}\n\nMachine: {machine()}\n\n"
        f"Load average at the end of the run: {load_average()} ({os.cpu_count()} cores)\n\n{body}\n"
    )
    print(section, flush=True)
    if append_to is not None:
        append_to.parent.mkdir(parents=True, exist_ok=True)
        with append_to.open("a", encoding="utf-8") as out:
            out.write(section)
