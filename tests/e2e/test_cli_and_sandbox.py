"""The ``saathi`` command: help texts, centre set-up, and the sandbox day end to end."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator

import pytest

from bot.cli import build_parser, main
from bot.i18n import t
from sandbox.demo import Day, DemoStuck, play_demo_day
from tests.e2e.processes import _die_with_parent

# Sandbox days played back to back under load (the issue asks for 20 by hand: SANDBOX_DAYS=20).
SANDBOX_DAYS = int(os.environ.get("SANDBOX_DAYS", "2"))

SUBCOMMANDS = [
    ["run"],
    ["sandbox"],
    ["center", "add"],
    ["center", "set"],
    ["counsellor", "add"],
    ["invite", "create"],
    ["circle", "add"],
    ["circle", "list"],
    ["circle", "assign"],
    ["circle", "remove"],
    ["sponsor", "link"],
    ["sponsor", "unlink"],
    ["sponsor", "list"],
    ["sponsor", "settings"],
    ["sponsor", "volunteer", "add"],
    ["db", "upgrade"],
    ["risk", "classify"],
    ["status"],
]


@pytest.mark.parametrize("words", SUBCOMMANDS)
def test_every_subcommand_explains_itself(words: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as done:
        build_parser().parse_args([*words, "--help"])
    assert done.value.code == 0
    assert len(capsys.readouterr().out.splitlines()) >= 3


def test_centre_setup_from_the_command_line(
    tmp_path,
    monkeypatch: pytest.MonkeyPatch,  # type: ignore[no-untyped-def]
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path}/data/saathi.db")
    monkeypatch.setenv("TELEGRAM_BOT_USERNAME", "asha_kendra_bot")
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)
    assert main(["center", "add", "--name", "Asha Kendra", "--timezone", "Asia/Kolkata"]) == 0
    assert main(["counsellor", "add", "--center", "Asha Kendra", "--name", "Counsellor Meera"]) == 0
    out = capsys.readouterr().out
    assert "https://t.me/asha_kendra_bot?start=staff-" in out
    assert main(["invite", "create", "--center", "Asha Kendra", "--count", "3", "--expires", "7"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 3 and all("https://t.me/asha_kendra_bot?start=" in line for line in lines)
    assert (tmp_path / "data").stat().st_mode & 0o077 == 0  # the data folder is the owner's only
    assert main(["center", "add", "--name", "Asha Kendra", "--timezone", "Asia/Kolkata"]) == 1
    assert "already exists" in capsys.readouterr().err
    assert main(["invite", "create", "--center", "Nowhere"]) == 1
    assert main(["center", "set", "--name", "Asha Kendra", "--ack-urgent-minutes", "5"]) == 0
    assert "urgent alerts wait 5 min" in capsys.readouterr().out
    assert main(["center", "set", "--name", "Asha Kendra", "--retention-circle-days", "14"]) == 0
    assert "circle messages kept 14 days" in capsys.readouterr().out
    assert main(["center", "set", "--name", "Asha Kendra", "--own-members-only", "yes"]) == 0
    assert "counsellors see only their own members" in capsys.readouterr().out
    assert main(["center", "set", "--name", "Asha Kendra", "--ack-concern-minutes", "60"]) == 0
    assert "counsellors see only their own members" in capsys.readouterr().out  # left as it was
    assert main(["center", "set", "--name", "Asha Kendra", "--own-members-only", "no"]) == 0
    assert "counsellors see every member" in capsys.readouterr().out
    assert main(["center", "set", "--name", "Asha Kendra", "--ack-urgent-minutes", "500"]) == 1
    assert main(["center", "add", "--name", "X", "--timezone", "Mars/Base"]) == 1


def test_a_malformed_setting_stops_with_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DEFAULT_TIMEZONE", "Nowhere/City")
    result = subprocess.run([sys.executable, "-m", "bot.cli", "status"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0 and "DEFAULT_TIMEZONE" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.fixture
def busy_machine() -> Iterator[int]:
    """Every core spinning in a child process for the test's duration, as on a machine where the
    suite, a build and a browser share two cores; each child is stopped by its own pid."""
    burners = [
        subprocess.Popen([sys.executable, "-c", "while True: pass"], preexec_fn=_die_with_parent)
        for _ in range(os.cpu_count() or 2)
    ]
    try:
        yield len(burners)
    finally:
        for burner in burners:
            burner.kill()
            burner.wait()


async def test_sandbox_days_in_a_row_pass_on_a_loaded_machine(busy_machine: int) -> None:
    for day in range(SANDBOX_DAYS):
        lines: list[str] = []
        assert await play_demo_day(out=lines.append) == 0, day
        transcript = "\n".join(lines)
        for seen in (
            "Which language",
            "Who sees what",
            "Time for today's check-in",
            "Thank you for checking in",
            t("mr", "checkin-reminder").splitlines()[0],
            "Concern",
            t("hi", "safety-acknowledged"),
            "would like someone to reach out",
            "आज के चेक-इन",
            "आजच्या चेक-इन",
        ):
            assert seen in transcript, (day, seen)
        # one press of "Ask someone to reach out" is one note to the counsellor and one reply, whatever the load
        assert transcript.count("would like someone to reach out") == 1, day
        assert transcript.count("I've asked your counsellor to reach out") == 1, day
        assert "Demo day over" in lines[-1]


async def test_a_stuck_step_names_itself() -> None:
    day = Day(None, None, None, None, deadline=1.5)  # type: ignore[arg-type]  # a step needs none of them
    with pytest.raises(
        DemoStuck, match=r"step 1 \(Ravi \(member, English\) presses \[Stress\]\) after waiting up to 1.5 s: no button"
    ):
        async with day.step("Ravi (member, English) presses [Stress]"):
            raise AssertionError("no button 'Stress' in chat 1001")


def test_risk_classify_reads_lines_and_prints_level_and_rule_ids() -> None:
    lines = "I don't want to live anymore\nthis traffic is killing me\nmaine aaj pi li\n"
    result = subprocess.run(
        [sys.executable, "-m", "bot.cli", "risk", "classify"], input=lines, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    rows = [line.split("\t") for line in result.stdout.strip().splitlines()]
    assert [row[0] for row in rows] == ["urgent", "none", "concern"]
    assert rows[0][1] and rows[2][1] and rows[1][1] == ""
