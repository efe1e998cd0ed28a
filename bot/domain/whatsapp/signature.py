"""Is a webhook call Meta's? The ``X-Hub-Signature-256`` header and the verify-token handshake.

Meta signs every POST with ``sha256=<hex HMAC-SHA256 of the raw body, keyed with the app secret>``.
The signature is computed over the bytes as received: a body parsed and re-serialised no longer
matches, so the webhook checks before it decodes. Comparisons are constant-time
(:func:`hmac.compare_digest`), and anything missing or malformed is simply "not Meta's".

When a webhook URL is registered, Meta first sends a GET with ``hub.mode=subscribe``,
``hub.verify_token`` and ``hub.challenge``: the bot answers 200 with the challenge exactly when the
token is its own, 403 otherwise.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping

__all__ = ["SIGNATURE_HEADER", "handshake_challenge", "sign", "verify_signature"]

SIGNATURE_HEADER = "X-Hub-Signature-256"
_PREFIX = "sha256="
_HEX_DIGITS = frozenset("0123456789abcdefABCDEF")


def sign(app_secret: str, body: bytes) -> str:
    """The header value Meta sends with ``body`` (for tests and the emulator's counterpart)."""
    return _PREFIX + hmac.new(app_secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


def verify_signature(app_secret: str, body: bytes, header: str | None) -> bool:
    """True only when ``header`` is ``sha256=`` and the body's HMAC under ``app_secret``.

    An empty app secret never verifies: an account set up without one must not accept every post.
    """
    if not app_secret or not header or not header.startswith(_PREFIX):
        return False
    given = header[len(_PREFIX) :].strip()
    if len(given) != hashlib.sha256().digest_size * 2 or not _HEX_DIGITS.issuperset(given):
        return False
    expected = hmac.new(app_secret.encode("utf-8"), body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, given.lower())


def handshake_challenge(params: Mapping[str, str], verify_token: str) -> str | None:
    """The challenge to echo for Meta's subscription GET, or None (answer 403).

    ``params`` are the query parameters. An empty configured token never matches.
    """
    if not verify_token or params.get("hub.mode") != "subscribe":
        return None
    given = params.get("hub.verify_token")
    challenge = params.get("hub.challenge")
    if given is None or challenge is None:
        return None
    if not hmac.compare_digest(given.encode("utf-8"), verify_token.encode("utf-8")):
        return None
    return challenge
