"""``saathi invite create`` prints a wa.me link beside the t.me link when the centre has a WhatsApp
number (``saathi channel add whatsapp … --number``), and only the t.me link when it has none."""

from __future__ import annotations

import pytest

from bot.cli import main
from bot.domain.whatsapp.invite import parse_start
from storage import crypto

SECRETS = ["--token", "EAAtoken", "--app-secret", "app-secret-xyz", "--verify-token", "verify-me"]


def test_invite_create_prints_both_links_when_the_centre_has_whatsapp(
    capsys: pytest.CaptureFixture[str],
    tmp_path,
    monkeypatch,  # type: ignore[no-untyped-def]
) -> None:
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'saathi.db'}")
    monkeypatch.setenv("SAATHI_ENCRYPTION_KEYS", ",".join(crypto.current_keys()) or crypto.generate_key())
    monkeypatch.setenv("TELEGRAM_BOT_USERNAME", "asha_kendra_bot")
    for name in ("Asha Kendra", "Sahyog"):
        assert main(["center", "add", "--name", name, "--timezone", "Asia/Kolkata"]) == 0
    whatsapp = ["channel", "add", "whatsapp", "--center", "Asha Kendra", "--phone-id", "106540352242922", *SECRETS]
    assert main([*whatsapp, "--number", "not a number"]) == 1
    assert "--number" in capsys.readouterr().err
    assert main([*whatsapp, "--number", "+91 98000-00001"]) == 0
    capsys.readouterr()

    assert main(["invite", "create", "--center", "Asha Kendra", "--count", "2"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 2
    for line in lines:
        code, telegram, whatsapp_link, expires = line.split("\t")
        assert telegram == f"https://t.me/asha_kendra_bot?start={code}"
        assert whatsapp_link == f"https://wa.me/919800000001?text=START%20{code}"
        assert parse_start(f"START {code}") == code and expires.startswith("expires ")

    assert main(["invite", "create", "--center", "Sahyog"]) == 0  # no WhatsApp number: Telegram only
    (line,) = capsys.readouterr().out.strip().splitlines()
    assert "wa.me" not in line and len(line.split("\t")) == 3
