"""The real ``saathi run`` in a child process, against an in-test emulator: start, wait until it
polls, SIGKILL, restart, read its log.

    emu = BotApiEmulator(); await emu.start()
    bot = BotProcess(bot_env(emu, database_url, SAATHI_DUE_SCAN_SECONDS="1"), tmp_path / "bot")
    bot.start(); await bot.wait_ready()
    emu.kill_on("sendMessage", 3, bot.pid)        # dies when its 3rd send arrives, before Telegram acts
    await bot.wait_exit(); bot.start(); await bot.wait_ready()
    assert "Traceback" not in bot.log()

The ``bot_processes`` fixture hands out a factory and SIGKILLs every child at teardown, so a failing
test never leaves a bot running. Waiting is ``async`` (the emulator lives in the test's event loop
and must keep answering while the test waits).
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from storage import crypto

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "123456789:TEST-token_for_saathi_e2e_runs"  # the emulator accepts any well-formed token
READY_LINE = "polling for updates"  # bot.polling.serve_polling logs it once the bot asks for updates
# Waits below end as soon as their event comes; the deadlines are for a child that is stuck (a loaded
# two-core machine once took 26 s from start to polling).


def bot_env(emu: Any, database_url: str, **extra: str) -> dict[str, str]:
    """A clean environment for ``saathi run``: only what is given here, never the developer's .env or
    keys (the child runs in its own folder); the encryption keys are this process's own. ``emu`` is a
    BotApiEmulator (or anything with ``base_url``); ``extra`` adds or overrides settings (SAATHI_CLOCK_START,
    SAATHI_DUE_SCAN_SECONDS…)."""
    env = {
        key: os.environ[key] for key in ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "SYSTEMROOT") if key in os.environ
    }
    env.update(
        {
            "PYTHONPATH": str(ROOT),
            "PYTHONUNBUFFERED": "1",
            "PYTHONDONTWRITEBYTECODE": "1",
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "TELEGRAM_API_URL": emu.base_url,
            "DATABASE_URL": database_url,
            "LOG_LEVEL": "INFO",
            "SAATHI_ENV": "development",
        }
    )
    if crypto.is_configured():  # the child reads what this process (seeding, asserting) wrote
        env["SAATHI_ENCRYPTION_KEYS"] = ",".join(crypto.current_keys())
    env.update(extra)
    return env


def _die_with_parent() -> None:
    """In the child, before exec: if the test process dies (even by SIGKILL), the bot dies too (Linux)."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass  # elsewhere the fixture's teardown is the only guard


class BotProcess:
    """One bot, possibly over several lives (``start`` after a kill is a restart).

    ``workdir`` holds ``bot.log``: the stderr of every life, each begun with a ``=== life N`` line.
    """

    def __init__(
        self, env: dict[str, str], workdir: Path, *, argv: list[str] | None = None, ready_line: str = READY_LINE
    ) -> None:
        self.env = dict(env)
        self.workdir = Path(workdir)
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.log_path = self.workdir / "bot.log"
        self.argv = argv or [sys.executable, "-m", "bot.cli", "run"]
        self.ready_line = ready_line
        self.proc: subprocess.Popen[bytes] | None = None
        self.lives = 0
        self.kills = 0
        self._life_offset = 0  # where the current life's log starts

    # --- lifecycle --------------------------------------------------------------------------
    @property
    def pid(self) -> int:
        if self.proc is None:
            raise RuntimeError("the bot was never started")
        return self.proc.pid

    @property
    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def start(self) -> None:
        if self.alive:
            raise RuntimeError("the bot is already running")
        self.lives += 1
        with self.log_path.open("ab") as log:
            log.write(f"=== life {self.lives}\n".encode())
            self._life_offset = log.tell()
            self.proc = subprocess.Popen(
                self.argv,
                cwd=self.workdir,
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                preexec_fn=_die_with_parent,
            )

    async def wait_ready(self, timeout: float = 120.0) -> None:
        """Until this life logged that it polls; fails early (with the log) if it died."""
        deadline = time.monotonic() + timeout
        while self.ready_line not in self.life_log():
            if not self.alive:
                raise AssertionError(
                    f"the bot exited ({self._returncode()}) before polling:\n{self.life_log()[-3000:]}"
                )
            if time.monotonic() > deadline:
                raise AssertionError(f"the bot did not start polling within {timeout:g}s:\n{self.life_log()[-3000:]}")
            await asyncio.sleep(0.05)

    async def wait_exit(self, timeout: float = 60.0) -> int:
        """Until the child is gone (a kill hook in the emulator fired); its return code."""
        deadline = time.monotonic() + timeout
        while self.alive:
            if time.monotonic() > deadline:
                raise AssertionError(f"the bot is still running after {timeout:g}s")
            await asyncio.sleep(0.02)
        return self._returncode()

    def kill(self) -> None:
        """SIGKILL: no shutdown code runs, exactly like a power cut of the process."""
        if self.alive:
            assert self.proc is not None
            os.kill(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=10)
            self.kills += 1

    def note_killed(self) -> None:
        """Count a kill made by someone else (the emulator's kill hook)."""
        self.kills += 1

    async def restart(self, timeout: float = 120.0) -> None:
        if self.alive:
            self.kill()
        self.start()
        await self.wait_ready(timeout)

    def stop(self, timeout: float = 10.0) -> int | None:
        """SIGTERM for a clean stop (confirms handled updates), SIGKILL if it will not go."""
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        return self.proc.returncode

    def _returncode(self) -> int:
        assert self.proc is not None
        code = self.proc.poll()
        return -999 if code is None else code

    # --- the log ----------------------------------------------------------------------------
    def log(self) -> str:
        """Everything every life wrote to stderr/stdout."""
        return self.log_path.read_text(encoding="utf-8", errors="replace") if self.log_path.exists() else ""

    def life_log(self) -> str:
        """What the current life wrote so far."""
        if not self.log_path.exists():
            return ""
        with self.log_path.open("rb") as log:
            log.seek(self._life_offset)
            return log.read().decode("utf-8", errors="replace")

    def count(self, needle: str) -> int:
        return self.log().count(needle)
