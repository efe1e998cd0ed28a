"""The key canary (issue 14): a start with a wrong or missing key is refused with one paragraph that
names the problem, unless the operator chose to run with unreadable old data; ``saathi keys check``
counts what each key reads; a rotation carries the canary to the new key."""

from __future__ import annotations

import logging

import pytest
from cryptography.fernet import Fernet
from sqlmodel import select

from bot.cli import main
from bot.cli_keys import keys_fit_or_refuse
from bot.config import parse_settings
from bot.services.context import ServiceContext
from storage import crypto
from storage.db import make_engine
from storage.keys import check as key_check
from storage.people.tables import Member
from tests.storage.test_encryption_at_rest import _cli_env, _services, _write_through_services

K1, K2 = Fernet.generate_key().decode(), Fernet.generate_key().decode()
TOKEN = "123456789:AAE-abcdefghijklmnopqrstuvwxyz012"


def _start(database_url: str) -> key_check.KeyStatus:
    engine = make_engine(database_url, single_use=True)
    try:
        return key_check.check_at_start(engine)
    finally:
        engine.dispose()


def _centre_under(database_url: str, clock, key: str) -> ServiceContext:  # type: ignore[no-untyped-def]
    crypto.configure([key])
    services = _services(database_url, clock)
    _write_through_services(services, clock)
    return services


def test_a_wrong_key_is_refused_at_start_with_one_paragraph(
    database_url: str,
    clock,
    monkeypatch,  # type: ignore[no-untyped-def]
    tmp_path,
    capsys,
) -> None:
    services = _centre_under(database_url, clock, K1)
    assert _start(database_url).canary == "created"  # the first start with a key, after a sample read
    assert _start(database_url).canary == "readable"

    _cli_env(monkeypatch, tmp_path, database_url, K2)
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", TOKEN)
    monkeypatch.setenv("TELEGRAM_API_URL", "http://127.0.0.1:9/bot")  # never reached: it stops before
    assert main(["run"]) == 3
    err = capsys.readouterr().err
    assert err.startswith("saathi: refusing to start:") and err.strip().count("\n") == 0
    assert "saathi keys check" in err and "--allow-unreadable-data" in err and "[unreadable]" in err
    assert K1 not in err and K2 not in err

    assert main(["keys", "check"]) == 1
    out = capsys.readouterr().out
    assert "key check: unreadable" in out and "key 1: reads 0 of" in out and "do NOT fit" in out
    monkeypatch.setenv("SAATHI_ENCRYPTION_KEYS", f"{K2},{K1}")  # the old key back, after the new one
    assert main(["keys", "check"]) == 0
    out = capsys.readouterr().out
    assert "key 1: reads 0 of" in out and "cannot read 0" in out and "no key reads: 0 values" in out
    services.uow.engine.dispose()


def test_the_override_starts_and_says_so(database_url: str, clock, caplog) -> None:  # type: ignore[no-untyped-def]
    services = _centre_under(database_url, clock, K1)
    _start(database_url)
    crypto.configure([K2])
    settings = parse_settings({"DATABASE_URL": database_url, "SAATHI_ENCRYPTION_KEYS": K2})
    assert not keys_fit_or_refuse(settings)
    allowed = parse_settings(
        {"DATABASE_URL": database_url, "SAATHI_ENCRYPTION_KEYS": K2, "SAATHI_ALLOW_UNREADABLE_DATA": "yes"}
    )
    with caplog.at_level(logging.WARNING):
        assert keys_fit_or_refuse(allowed)
    assert any("running anyway" in r.getMessage() for r in caplog.records)
    assert _start(database_url).canary == "unreadable"  # the override never rewrites the canary
    services.uow.engine.dispose()


def test_an_old_database_without_a_canary_gets_none_from_a_wrong_key(database_url: str, clock) -> None:  # type: ignore[no-untyped-def]
    services = _centre_under(database_url, clock, K1)  # encrypted before canaries existed
    crypto.configure([K2])
    status = _start(database_url)
    assert (status.canary, status.ok) == ("unreadable", False) and status.sample_unreadable == status.sampled > 0
    crypto.configure([])  # no key at all on an encrypted database
    assert not _start(database_url).ok
    crypto.configure([K1])
    assert _start(database_url).canary == "created"
    services.uow.engine.dispose()


def test_rotation_carries_the_canary_to_the_new_key(
    database_url: str,
    clock,
    monkeypatch,  # type: ignore[no-untyped-def]
    tmp_path,
    capsys,
) -> None:
    services = _centre_under(database_url, clock, K1)
    _start(database_url)
    _cli_env(monkeypatch, tmp_path, database_url, f"{K2},{K1}")
    assert main(["keys", "rotate"]) == 0
    crypto.configure([K2])  # the old key removed after the rotation
    assert _start(database_url).canary == "readable"
    capsys.readouterr()
    _cli_env(monkeypatch, tmp_path, database_url, K2)
    assert main(["keys", "check"]) == 0
    assert "the keys fit this database" in capsys.readouterr().out
    services.uow.engine.dispose()


def test_a_plaintext_development_database_needs_no_canary(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from storage.migrate import upgrade

    url = f"sqlite:///{tmp_path}/dev.db"
    upgrade(url)
    crypto.configure([])
    assert _start(url) == key_check.KeyStatus("none")
    assert _start(url).ok


@pytest.mark.parametrize("value", ["maybe", "on"])
def test_the_override_setting_is_yes_or_no(value: str) -> None:
    from bot.config import SettingsError

    with pytest.raises(SettingsError, match="SAATHI_ALLOW_UNREADABLE_DATA"):
        parse_settings({"SAATHI_ALLOW_UNREADABLE_DATA": value})


def test_accepting_a_lost_key_rotates_what_it_can_and_starts_without_the_override(  # type: ignore[no-untyped-def]
    database_url: str, clock, monkeypatch, tmp_path, capsys
) -> None:
    services = _centre_under(database_url, clock, K1)
    _start(database_url)
    _cli_env(monkeypatch, tmp_path, database_url, K2)  # K1 is lost
    assert main(["keys", "rotate"]) == 1  # stops at the first value no key opens, saying why
    assert "missing or wrong" in capsys.readouterr().err
    assert main(["keys", "rotate", "--skip-unreadable"]) == 0
    assert "unreadable left as they are" in capsys.readouterr().out
    crypto.configure([K2])
    assert _start(database_url).ok  # the operator accepted the loss: no override needed any more
    with services.uow() as session:
        assert {m.display_name for m in session.exec(select(Member))} == {"[unreadable]"}
    services.uow.engine.dispose()
