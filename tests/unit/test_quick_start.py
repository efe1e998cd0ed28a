"""``./scripts/run`` on a fresh folder writes ``.env`` in production mode with a new key, owner-only,
so a quick start never stores members' texts in plain text (issue 14); an older ``.env`` without a
key gets one, and an existing key is never replaced."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

from bot.config import load_settings

ROOT = Path(__file__).resolve().parents[2]


def _folder(tmp_path: Path) -> Path:
    """A copy of the script and .env.example beside a stand-in .venv (the real Python, a fake saathi)."""
    (tmp_path / "scripts").mkdir()
    shutil.copy(ROOT / "scripts" / "run", tmp_path / "scripts" / "run")
    shutil.copy(ROOT / ".env.example", tmp_path / ".env.example")
    bin_dir = tmp_path / ".venv" / "bin"
    bin_dir.mkdir(parents=True)
    (bin_dir / "python").symlink_to(sys.executable)
    (bin_dir / "saathi").write_text('#!/bin/sh\necho "saathi $*"\n')
    (bin_dir / "saathi").chmod(0o755)
    (tmp_path / ".venv" / ".saathi-run-installed").touch()
    return tmp_path


def _run(folder: Path) -> str:
    env = {k: v for k, v in os.environ.items() if k not in ("TELEGRAM_BOT_TOKEN", "SAATHI_ENCRYPTION_KEYS")}
    done = subprocess.run(
        [str(folder / "scripts" / "run")], cwd=folder, env=env, capture_output=True, text=True, timeout=60, check=True
    )
    return done.stdout


def test_a_fresh_quick_start_runs_in_production_with_a_new_owner_only_key(tmp_path: Path) -> None:
    folder = _folder(tmp_path)
    out = _run(folder)
    env_file = folder / ".env"
    assert stat.S_IMODE(env_file.stat().st_mode) == 0o600
    settings = load_settings({}, env_file=env_file)
    assert settings.environment == "production" and len(settings.encryption_keys) == 1
    assert "BACK UP" in out and "saathi sandbox" in out  # no token yet: the offline demo
    key = settings.encryption_keys[0]
    assert key not in out

    _run(folder)  # a second start keeps the key
    assert load_settings({}, env_file=env_file).encryption_keys == (key,)


def test_an_older_env_without_a_key_gets_one(tmp_path: Path) -> None:
    folder = _folder(tmp_path)
    (folder / ".env").write_text("SAATHI_ENV=development\nSAATHI_ENCRYPTION_KEYS=\n")
    (folder / ".env").chmod(0o644)
    _run(folder)
    settings = load_settings({}, env_file=folder / ".env")
    assert len(settings.encryption_keys) == 1
    assert stat.S_IMODE((folder / ".env").stat().st_mode) == 0o600
