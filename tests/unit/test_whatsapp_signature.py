"""X-Hub-Signature-256 and the verify-token handshake: only Meta's own calls pass."""

from __future__ import annotations

import hashlib
import hmac

import pytest

from bot.domain.whatsapp.signature import handshake_challenge, sign, verify_signature
from sandbox.whatsapp import sign as emulator_sign

SECRET = "app-secret-for-tests"
BODY = b'{"object":"whatsapp_business_account","entry":[]}'


def test_signature_agrees_with_the_emulator_and_verifies():
    header = sign(SECRET, BODY)
    assert header == emulator_sign(SECRET, BODY)
    assert header == "sha256=" + hmac.new(SECRET.encode(), BODY, hashlib.sha256).hexdigest()
    assert verify_signature(SECRET, BODY, header)


def test_upper_case_hex_is_the_same_signature():
    digest = sign(SECRET, BODY).removeprefix("sha256=")
    assert verify_signature(SECRET, BODY, "sha256=" + digest.upper())


@pytest.mark.parametrize(
    "header",
    [
        None,
        "",
        "sha256=",
        "sha1=" + hashlib.sha1(BODY).hexdigest(),  # the old X-Hub-Signature form
        hmac.new(SECRET.encode(), BODY, hashlib.sha256).hexdigest(),  # no prefix
        "sha256=" + "z" * 64,  # not hex
        "sha256=" + "0" * 63,  # one digit short
        "sha256=" + hmac.new(b"another-secret", BODY, hashlib.sha256).hexdigest(),
        "SHA256=" + hmac.new(SECRET.encode(), BODY, hashlib.sha256).hexdigest()[:10],
    ],
)
def test_missing_malformed_or_forged_signatures_fail(header):
    assert not verify_signature(SECRET, BODY, header)


def test_a_changed_body_fails_even_by_one_byte_or_re_serialised():
    header = sign(SECRET, BODY)
    assert not verify_signature(SECRET, BODY + b" ", header)
    assert not verify_signature(SECRET, BODY.replace(b'"entry"', b'"entry" '), header)


def test_an_account_without_an_app_secret_accepts_nothing():
    assert not verify_signature("", BODY, sign("", BODY))


def test_handshake_echoes_the_challenge_for_the_right_token_only():
    params = {"hub.mode": "subscribe", "hub.verify_token": "verify-me", "hub.challenge": "1158201444"}
    assert handshake_challenge(params, "verify-me") == "1158201444"
    assert handshake_challenge(params, "another") is None
    assert handshake_challenge(params, "") is None
    assert handshake_challenge({**params, "hub.mode": "unsubscribe"}, "verify-me") is None
    assert handshake_challenge({"hub.mode": "subscribe", "hub.challenge": "1"}, "verify-me") is None
    assert handshake_challenge({"hub.mode": "subscribe", "hub.verify_token": "verify-me"}, "verify-me") is None
    assert handshake_challenge({**params, "hub.verify_token": "verify-mé"}, "verify-me") is None
