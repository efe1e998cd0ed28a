"""Encryption at rest: the keyring, the column types and the settings that configure them."""

from __future__ import annotations

import pytest
from cryptography.fernet import Fernet

from bot.config import SettingsError, parse_settings
from storage import crypto
from storage.crypto import EncryptedJSON, EncryptedText, EncryptionKeyError

K1 = Fernet.generate_key().decode()
K2 = Fernet.generate_key().decode()
WORDS = "आज मुश्किल था, but I called my sponsor 🌿"


def test_text_round_trips_and_differs_on_every_write() -> None:
    crypto.configure([K1])
    first, second = crypto.encrypt(WORDS), crypto.encrypt(WORDS)
    assert first != second and WORDS not in first
    assert crypto.looks_encrypted(first)
    assert crypto.decrypt(first) == crypto.decrypt(second) == WORDS
    assert crypto.decrypt(crypto.encrypt("")) == ""


def test_column_types_are_transparent_and_keep_none() -> None:
    crypto.configure([K1])
    text, blob = EncryptedText(), EncryptedJSON()
    stored = text.process_bind_param(WORDS, None)
    assert stored != WORDS and text.process_result_value(stored, None) == WORDS
    assert text.process_bind_param(None, None) is None and text.process_result_value(None, None) is None
    payload = {"text": WORDS, "buttons": [["Yes", "ok:1"]]}
    token = blob.process_bind_param(payload, None)
    assert isinstance(token, str) and "sponsor" not in token
    assert blob.process_result_value(token, None) == payload


def test_legacy_plaintext_reads_back_as_it_is() -> None:
    crypto.configure([K1])
    assert (
        EncryptedText().process_result_value("a note from before encryption", None) == "a note from before encryption"
    )
    assert EncryptedJSON().process_result_value({"text": "old"}, None) == {"text": "old"}
    # text that merely starts like a token is still plaintext
    assert crypto.decrypt("gAAAAA is how a token starts") == "gAAAAA is how a token starts"


def test_without_keys_values_are_stored_as_plaintext() -> None:
    crypto.configure([])
    assert not crypto.is_configured()
    assert EncryptedText().process_bind_param(WORDS, None) == WORDS
    assert EncryptedJSON().process_bind_param({"text": WORDS}, None) == {"text": WORDS}


def test_a_token_no_key_opens_is_a_clear_error_never_garbage() -> None:
    crypto.configure([K1])
    token = crypto.encrypt(WORDS)
    crypto.configure([K2])
    with pytest.raises(EncryptionKeyError, match="missing or wrong"):
        crypto.decrypt(token)
    crypto.configure([])
    with pytest.raises(EncryptionKeyError, match="SAATHI_ENCRYPTION_KEYS is not set"):
        crypto.decrypt(token)


def test_a_column_no_key_opens_reads_as_a_placeholder_and_is_written_back_unchanged() -> None:
    crypto.configure([K1])
    token = crypto.encrypt(WORDS)
    json_token = EncryptedJSON().process_bind_param({"text": WORDS}, None)
    reasons_token = EncryptedJSON("reasons").process_bind_param([{"rule": "r1", "matched": "die"}], None)
    crypto.configure([K2])
    text = EncryptedText().process_result_value(token, None)
    assert text == "[unreadable]" and WORDS not in text
    assert EncryptedText().process_bind_param(text, None) == token  # the right key may still turn up
    payload = EncryptedJSON().process_result_value(json_token, None)
    assert payload == {"unreadable": True, "text": "[unreadable]"}
    assert EncryptedJSON().process_bind_param(payload, None) == json_token
    reasons = EncryptedJSON("reasons").process_result_value(reasons_token, None)
    assert [r["matched"] for r in reasons] == ["[unreadable]"]
    assert EncryptedJSON("answers").process_result_value(json_token, None) == {}
    changed = {**payload, "text": ""}  # a deliberate change (erasure) is written as the new value
    assert EncryptedJSON().process_bind_param(changed, None) != json_token
    crypto.configure([K2, K1])  # the old key found again: everything reads as before
    assert EncryptedText().process_result_value(EncryptedText().process_bind_param(text, None), None) == WORDS


def test_the_first_key_writes_and_every_key_reads() -> None:
    crypto.configure([K1])
    old = crypto.encrypt(WORDS)
    crypto.configure([K2, K1])
    new = crypto.encrypt(WORDS)
    assert crypto.decrypt(old) == crypto.decrypt(new) == WORDS
    assert crypto.needs_rotation(old) and not crypto.needs_rotation(new) and crypto.needs_rotation("plain")
    Fernet(K2.encode()).decrypt(new.encode())  # written with the first key
    rotated = crypto.rotate(old)
    crypto.configure([K2])
    assert crypto.decrypt(rotated) == WORDS


def test_keys_are_checked_without_echoing_them() -> None:
    assert crypto.parse_keys(f" {K1} , {K2},") == (K1, K2)
    with pytest.raises(ValueError, match="key number 2") as error:
        crypto.parse_keys(f"{K1},not-a-key-at-all")
    assert "not-a-key-at-all" not in str(error.value)


def test_production_without_a_key_refuses_to_start() -> None:
    with pytest.raises(SettingsError) as error:
        parse_settings({"SAATHI_ENV": "production"})
    assert "SAATHI_ENCRYPTION_KEYS" in str(error.value) and "\n" not in str(error.value)
    assert parse_settings({"SAATHI_ENV": "production", "SAATHI_ENCRYPTION_KEYS": K1}).environment == "production"
    assert parse_settings({}).encryption_keys == ()  # development may run without (with a warning)


@pytest.mark.parametrize(
    "values",
    [{"SAATHI_ENCRYPTION_KEYS": "short"}, {"SAATHI_ENCRYPTION_KEYS": K1 + ",x" * 3}, {"SAATHI_ENV": "staging"}],
)
def test_a_malformed_key_or_environment_is_one_readable_line(values: dict[str, str]) -> None:
    with pytest.raises(SettingsError) as error:
        parse_settings(values)
    message = str(error.value)
    assert message.startswith("SAATHI_") and "\n" not in message and K1 not in message


def test_settings_show_only_how_many_keys() -> None:
    settings = parse_settings({"SAATHI_ENCRYPTION_KEYS": f"{K1},{K2}"})
    assert settings.encryption_keys == (K1, K2)
    assert settings.redacted()["SAATHI_ENCRYPTION_KEYS"] == "2 keys"
    assert K1 not in str(settings.redacted()) and K1 not in repr(settings)


def test_generated_keys_are_valid_and_new() -> None:
    first, second = crypto.generate_key(), crypto.generate_key()
    assert first != second
    assert crypto.parse_keys(first) == (first,)
