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


def test_a_rotated_app_secret_reindexes_every_contact(
    capsys: pytest.CaptureFixture[str], tmp_path, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    """Meta's app secret is reset: signatures and the numbers' blind index both move to the new one,
    and everyone who wrote before is still the same person (same contact, same conversation)."""
    from datetime import UTC, datetime

    from sqlmodel import Session

    from storage.channels import queries as channels_db

    url = f"sqlite:///{tmp_path / 'saathi.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("SAATHI_ENCRYPTION_KEYS", ",".join(crypto.current_keys()) or crypto.generate_key())
    assert main(["center", "add", "--name", "Asha Kendra", "--timezone", "Asia/Kolkata"]) == 0
    secrets = ["--token", SECRETS[0], "--app-secret", SECRETS[1], "--verify-token", SECRETS[2]]
    assert (
        main(
            [
                "channel",
                "add",
                "whatsapp",
                "--center",
                "Asha Kendra",
                "--phone-id",
                "1065",
                "--name",
                "asha-wa",
                *secrets,
            ]
        )
        == 0
    )
    assert (
        main(["channel", "add", "telegram", "--center", "Asha Kendra", "--token", SECRETS[3], "--name", "asha-tg"]) == 0
    )
    engine = create_engine(url)
    now = datetime(2026, 12, 7, tzinfo=UTC)
    numbers = ("919800000001", "919800000002")
    with Session(engine) as session:
        account = channels_db.account_by_name(session, "asha-wa")
        assert account is not None
        before = {n: channels_db.contact_for(session, account, n, now).id for n in numbers}
        old_hashes = {channels_db.number_hash(SECRETS[1], n) for n in numbers}
        session.commit()
    capsys.readouterr()

    assert main(["channel", "secrets", "asha-wa", "--app-secret", "new-app-secret-456"]) == 0
    out = capsys.readouterr().out
    assert "2 WhatsApp contacts re-indexed" in out and "new-app-secret-456" not in out
    with Session(engine) as session:
        account = channels_db.account_by_name(session, "asha-wa")
        assert account is not None and account.app_secret == "new-app-secret-456"
        assert account.token == SECRETS[0] and account.verify_token == SECRETS[2]  # the others unchanged
        after = {n: channels_db.contact_for(session, account, n, now).id for n in numbers}
        stored = {row[0] for row in session.connection().execute(text("SELECT number_hash FROM whatsappcontact"))}
    engine.dispose()
    assert after == before  # found again by the new index: nobody became a stranger
    assert not stored & old_hashes and len(stored) == 2

    assert main(["channel", "secrets", "asha-wa"]) == 1
    assert "at least one of" in capsys.readouterr().err
    assert main(["channel", "secrets", "asha-tg", "--app-secret", "x"]) == 1
    assert "only a token" in capsys.readouterr().err
    assert main(["channel", "secrets", "no-such", "--token", "x"]) == 1
    assert "no account called" in capsys.readouterr().err
    assert main(["channel", "secrets", "asha-tg", "--token", "123456:new-telegram-token"]) == 0
    assert "next start" in capsys.readouterr().out
