"""Encryption at rest for members' words: one keyring per process, column types that use it.

Keys come from ``SAATHI_ENCRYPTION_KEYS`` (comma-separated Fernet keys). The first key
encrypts everything written; every key decrypts, so a new key can be put in front of the
old one, ``saathi keys rotate`` re-encrypts the rows, and the old key can then go.

* :class:`EncryptedText` and :class:`EncryptedJSON` are transparent column types: the
  application reads and writes ``str`` / JSON values, the database holds Fernet tokens.
* A stored value that is not a Fernet token is legacy plaintext (a database from before
  encryption) and reads back as it is, until ``saathi keys rotate`` encrypts it.
* Without keys (development only) values are written as plaintext.
* Re-encrypting and counting what is stored (``saathi keys rotate|check``) walk every table: they
  are in storage/keys/rotation.py, so this module imports no table.
* :func:`decrypt` raises :class:`EncryptionKeyError` for a token that no configured key opens:
  never garbage. The column types instead hand back a placeholder, ``[unreadable]`` (an
  :class:`Unreadable` string, dict or list that still carries the stored token, so writing the
  row back keeps the ciphertext): a wrong or lost key must never stop a reply, a check-in or an
  alert. ``saathi run`` refuses to start when the keys do not read the stored canary
  (storage/keys/check.py) unless the operator chose to run with unreadable old data.

Fernet tokens differ on every write (random IV), so SQL can test these columns only for
``IS NULL``; equality, ``LIKE`` and ``ORDER BY`` on them must happen in Python.
"""

from __future__ import annotations

import binascii
import json
import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from sqlalchemy import JSON, Text
from sqlalchemy.types import TypeDecorator

__all__ = [
    "EncryptedJSON",
    "EncryptedText",
    "EncryptionKeyError",
    "UNREADABLE",
    "Unreadable",
    "UnreadableDict",
    "UnreadableList",
    "configure",
    "current_keys",
    "decrypt",
    "encrypt",
    "encrypted_columns",
    "generate_key",
    "is_configured",
    "key_count",
    "key_fernets",
    "looks_encrypted",
    "needs_rotation",
    "parse_keys",
    "rotate",
    "unreadable_seen",
]

# version byte 0x80 + 8-byte timestamp (the top bytes are zero for centuries), base64url
_TOKEN_RE = re.compile(r"gAAAAA[A-Za-z0-9_-]+={0,2}\Z")
_MIN_TOKEN_BYTES = 1 + 8 + 16 + 16 + 32


class EncryptionKeyError(RuntimeError):
    """Stored text cannot be decrypted: the key that wrote it is missing or wrong."""


UNREADABLE = "[unreadable]"


class Unreadable(str):
    """``[unreadable]`` in place of a text no configured key opens; ``stored`` is the token itself."""

    stored: str

    def __new__(cls, stored: str) -> Unreadable:
        value = super().__new__(cls, UNREADABLE)
        value.stored = stored
        return value


class UnreadableDict(dict[str, Any]):
    """An encrypted JSON object no configured key opens: ``{"unreadable": True, "text": "[unreadable]"}``
    (the outbox sender gives such a row up instead of sending the placeholder)."""

    stored: str


class UnreadableList(list[Any]):
    """An encrypted JSON list (an escalation's reasons) no configured key opens: one placeholder reason."""

    stored: str


# What an unreadable JSON column reads as, by the shape its column holds.
_UNREADABLE_JSON: dict[str, Any] = {
    "object": lambda: UnreadableDict(unreadable=True, text=UNREADABLE),
    "answers": lambda: UnreadableDict(),
    "reasons": lambda: UnreadableList([{"rule": UNREADABLE, "category": UNREADABLE, "matched": UNREADABLE}]),
}


@dataclass
class _Keyring:
    keys: tuple[str, ...] = ()
    fernets: tuple[Fernet, ...] = ()
    multi: MultiFernet | None = None


_ring = _Keyring()
log = logging.getLogger(__name__)
# "table.column" → how many values this process read as [unreadable] (counts only, for logs and tests).
unreadable_seen: dict[str, int] = {}


def generate_key() -> str:
    return Fernet.generate_key().decode("ascii")


def parse_keys(raw: str | None) -> tuple[str, ...]:
    """Split a comma-separated list and check every key; the error names its position, never the key."""
    keys = tuple(part.strip() for part in (raw or "").split(",") if part.strip())
    for number, key in enumerate(keys, start=1):
        try:
            Fernet(key.encode("ascii"))
        except (ValueError, binascii.Error, UnicodeEncodeError):
            raise ValueError(
                f"key number {number} is not a valid Fernet key (32 url-safe base64-encoded bytes;"
                " make one with `saathi keys generate`)"
            ) from None
    return keys


def configure(keys: Sequence[str] | None) -> None:
    """Set this process's keys: the first writes, all read. An empty list means plaintext (development)."""
    checked = parse_keys(",".join(keys or ()))
    fernets = tuple(Fernet(key.encode("ascii")) for key in checked)
    _ring.keys, _ring.fernets = checked, fernets
    _ring.multi = MultiFernet(list(fernets)) if fernets else None


def is_configured() -> bool:
    return _ring.multi is not None


def key_count() -> int:
    return len(_ring.keys)


def current_keys() -> tuple[str, ...]:
    """The configured keys (tests save and restore them; never log them)."""
    return _ring.keys


def key_fernets() -> tuple[Fernet, ...]:
    """The configured keys as Fernet objects, first (writing) key first: which key opens a token."""
    return _ring.fernets


def looks_encrypted(value: str) -> bool:
    """True for a string shaped like a Fernet token (not a proof: decryption decides).

    "gAAAAA" is the version byte 0x80 and a zero top of the timestamp; the decoded length is
    57 bytes of header and MAC plus whole AES blocks.
    """
    if len(value) < 100 or len(value) % 4 or not _TOKEN_RE.match(value):
        return False
    size = len(value) // 4 * 3 - (len(value) - len(value.rstrip("=")))
    return size >= _MIN_TOKEN_BYTES and (size - 57) % 16 == 0


def encrypt(plaintext: str) -> str:
    """A token with the first key; the plaintext itself when no key is configured."""
    if _ring.multi is None:
        return plaintext
    return _ring.multi.encrypt(plaintext.encode("utf-8")).decode("ascii")


def decrypt(stored: str) -> str:
    """The plaintext of a stored value (legacy plaintext passes through)."""
    if not looks_encrypted(stored):
        return stored
    if _ring.multi is None:
        raise EncryptionKeyError(
            "stored text is encrypted but SAATHI_ENCRYPTION_KEYS is not set: put the centre's key in .env"
        )
    try:
        return _ring.multi.decrypt(stored.encode("ascii")).decode("utf-8")
    except InvalidToken:
        raise EncryptionKeyError(
            f"stored text cannot be decrypted with any of the {len(_ring.keys)} key(s) in SAATHI_ENCRYPTION_KEYS:"
            " the key that wrote it is missing or wrong (keep old keys after the new one until"
            " `saathi keys rotate` has run)"
        ) from None


def needs_rotation(stored: str) -> bool:
    """True for legacy plaintext and for tokens not written with the first key."""
    if not _ring.fernets:
        return False
    if not looks_encrypted(stored):
        return True
    try:
        _ring.fernets[0].decrypt(stored.encode("ascii"))
        return False
    except InvalidToken:
        decrypt(stored)  # raises EncryptionKeyError when no key opens it
        return True


def rotate(stored: str) -> str:
    """The value encrypted with the first key (plaintext is encrypted, old tokens re-encrypted)."""
    return encrypt(decrypt(stored))


class EncryptedText(TypeDecorator[str]):
    """TEXT holding a Fernet token of the value (or legacy plaintext)."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: object) -> str | None:
        if value is None:
            return None
        if isinstance(value, Unreadable):
            return value.stored  # written back unchanged: the right key may still turn up
        return encrypt(value if isinstance(value, str) else str(value))

    def process_result_value(self, value: Any, dialect: object) -> str | None:
        if value is None:
            return None
        try:
            return decrypt(value)
        except EncryptionKeyError:
            _note_unreadable("text")
            return Unreadable(value)


class EncryptedJSON(TypeDecorator[Any]):
    """JSON holding a JSON string: the Fernet token of the value's JSON (or a legacy JSON value)."""

    impl = JSON
    cache_ok = True

    def __init__(self, unreadable: str = "object") -> None:
        """``unreadable``: the shape read back when no key opens the value ("object", "answers", "reasons")."""
        super().__init__()
        self.unreadable = unreadable

    def process_bind_param(self, value: Any, dialect: object) -> Any:
        if isinstance(value, (UnreadableDict, UnreadableList)) and hasattr(value, "stored"):
            return value.stored  # written back unchanged
        if value is None or _ring.multi is None:
            return value
        return encrypt(json.dumps(value, ensure_ascii=False, separators=(",", ":")))

    def process_result_value(self, value: Any, dialect: object) -> Any:
        if isinstance(value, str) and looks_encrypted(value):
            try:
                return json.loads(decrypt(value))
            except EncryptionKeyError:
                _note_unreadable(self.unreadable)
                placeholder = _UNREADABLE_JSON[self.unreadable]()
                placeholder.stored = value
                return placeholder
        return value


def _note_unreadable(kind: str) -> None:
    """Count a value read as [unreadable]; warn once per kind per process (never the value)."""
    unreadable_seen[kind] = unreadable_seen.get(kind, 0) + 1
    if unreadable_seen[kind] == 1:
        log.warning(
            "stored %s cannot be decrypted with the configured keys: shown as %s (see `saathi keys check`)",
            "text" if kind == "text" else f"JSON ({kind})",
            UNREADABLE,
        )


def encrypted_columns(metadata: Any) -> list[tuple[str, str, bool]]:
    """``(table, column, is_json)`` for every encrypted column of ``metadata``, in a stable order."""
    found: list[tuple[str, str, bool]] = []
    for table in sorted(metadata.tables.values(), key=lambda t: t.name):
        for column in table.columns:
            if isinstance(column.type, (EncryptedText, EncryptedJSON)):
                found.append((table.name, column.name, isinstance(column.type, EncryptedJSON)))
    return found
