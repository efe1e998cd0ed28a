"""``saathi channel``: accounts are added per centre, their secrets stored encrypted, never printed."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, text

from bot.cli import main
from storage import crypto

SECRETS = ("EAAsecret-access-token", "app-secret-xyz", "verify-me-123", "123456:telegram-token")


def test_channel_add_and_list(capsys: pytest.CaptureFixture[str], tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    url = f"sqlite:///{tmp_path / 'saathi.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("SAATHI_ENCRYPTION_KEYS", ",".join(crypto.current_keys()) or crypto.generate_key())
    assert main(["center", "add", "--name", "Asha Kendra", "--timezone", "Asia/Kolkata"]) == 0
    capsys.readouterr()
    whatsapp = ["channel", "add", "whatsapp", "--center", "Asha Kendra", "--phone-id", "106540352242922"]
    secrets = ["--token", SECRETS[0], "--app-secret", SECRETS[1], "--verify-token", SECRETS[2]]
    assert main([*whatsapp, *secrets]) == 0
    assert "webhook is <WEB_BASE_URL>/whatsapp/whatsapp-106540352242922" in capsys.readouterr().out
    assert (
        main(["channel", "add", "telegram", "--center", "Asha Kendra", "--token", SECRETS[3], "--name", "asha-tg"]) == 0
    )
    assert main([*whatsapp, *secrets]) == 1  # the same name twice
    assert "exists already" in capsys.readouterr().err
    assert main(["channel", "add", "whatsapp", "--center", "No Such", "--phone-id", "1", *secrets]) == 1
    assert "no centre called" in capsys.readouterr().err
    assert main(["channel", "list"]) == 0
    listed = capsys.readouterr().out
    assert "whatsapp-106540352242922: whatsapp for Asha Kendra phone id 106540352242922" in listed
    assert "asha-tg: telegram for Asha Kendra" in listed
    assert not any(secret in listed for secret in SECRETS)
    engine = create_engine(url)
    with engine.connect() as conn:
        stored = " ".join(str(v) for row in conn.execute(text("SELECT * FROM channelaccount")) for v in row)
    engine.dispose()
    assert not any(secret in stored for secret in SECRETS)  # encrypted at rest


def test_channel_deactivate_and_activate(capsys: pytest.CaptureFixture[str], tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'saathi.db'}")
    monkeypatch.setenv("SAATHI_ENCRYPTION_KEYS", ",".join(crypto.current_keys()) or crypto.generate_key())
    assert main(["center", "add", "--name", "Disha Kendra", "--timezone", "Asia/Kolkata"]) == 0
    assert (
        main(["channel", "add", "telegram", "--center", "Disha Kendra", "--token", SECRETS[3], "--name", "disha"]) == 0
    )
    capsys.readouterr()
    assert main(["channel", "deactivate", "disha"]) == 0
    assert "disha (telegram) for Disha Kendra is inactive" in capsys.readouterr().out
    assert main(["channel", "list"]) == 0
    assert "disha: telegram for Disha Kendra (inactive)" in capsys.readouterr().out
    assert main(["channel", "activate", "disha"]) == 0
    assert "is active" in capsys.readouterr().out
    assert main(["channel", "deactivate", "no-such"]) == 1
    assert "no account called 'no-such'" in capsys.readouterr().err
