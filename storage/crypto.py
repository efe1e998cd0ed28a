"""Encryption at rest for members' words: one keyring per process, column types that use it.

Keys come from ``SAATHI_ENCRYPTION_KEYS`` (comma-separated Fernet keys). The first key
encrypts everything written; every key decrypts, so a new key can be put in front of the
old one, ``saathi keys rotate`` re-encrypts the rows, and the old key can then go.

* :class:`EncryptedText` and :class:`EncryptedJSON` are transparent column types: the
  application reads and writes ``str`` / JSON values, the database holds Fernet tokens.
* A stored value that is not a Fernet token is legacy plaintext (a database from before
  encryption) and reads back as it is, until ``saathi keys rotate`` encrypts it.
* Without keys (development only) values are written as plaintext.
* :func:`decrypt` raises :class:`EncryptionKeyError` for a token that no configured key opens:
  never garbage. The column types instead hand back a placeholder, ``[unreadable]`` (an
  :class:`Unreadable` string, dict or list that still carries the stored token, so writing the
  row back keeps the ciphertext): a wrong or lost key must never stop a reply, a check-in or an
  alert. ``saathi run`` refuses to start when the keys do not read the stored canary
  (storage/key_check.py) unless the operator chose to run with unreadable old data.

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
    "ReadCount",
    "RotationCount",
    "UNREADABLE",
    "Unreadable",
    "UnreadableDict",
    "UnreadableList",
    "configure",
    "count_readable",
    "current_keys",
    "decrypt",
    "encrypt",
    "encrypted_columns",
    "generate_key",
    "is_configured",
    "key_count",
    "looks_encrypted",
    "needs_rotation",
    "parse_keys",
    "rotate",
    "rotate_database",
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
            raise ValueError(f"key number {number} is not a valid Fernet key (32 url-safe base64-encoded bytes;"
                             " make one with `saathi keys generate`)") from None
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
            "stored text is encrypted but SAATHI_ENCRYPTION_KEYS is not set: put the centre's key in .env")
    try:
        return _ring.multi.decrypt(stored.encode("ascii")).decode("utf-8")
    except InvalidToken:
        raise EncryptionKeyError(
            f"stored text cannot be decrypted with any of the {len(_ring.keys)} key(s) in SAATHI_ENCRYPTION_KEYS:"
            " the key that wrote it is missing or wrong (keep old keys after the new one until"
            " `saathi keys rotate` has run)") from None


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
            "text" if kind == "text" else f"JSON ({kind})", UNREADABLE)


def encrypted_columns(metadata: Any) -> list[tuple[str, str, bool]]:
    """``(table, column, is_json)`` for every encrypted column of ``metadata``, in a stable order."""
    found: list[tuple[str, str, bool]] = []
    for table in sorted(metadata.tables.values(), key=lambda t: t.name):
        for column in table.columns:
            if isinstance(column.type, (EncryptedText, EncryptedJSON)):
                found.append((table.name, column.name, isinstance(column.type, EncryptedJSON)))
    return found


# --- rotation ---------------------------------------------------------------------------------------

@dataclass
class RotationCount:
    """What ``saathi keys rotate`` did to one column (counts only, never contents)."""

    table: str
    column: str
    encrypted: int = 0  # legacy plaintext, now encrypted
    reencrypted: int = 0  # written with an older key, now with the first
    current: int = 0  # already written with the first key
    changed_meanwhile: int = 0  # the application changed the row between read and write: left for the next run
    unreadable: int = 0  # no configured key opens it: left as it is (only with skip_unreadable)


def _light_columns(metadata: Any) -> list[tuple[str, str, bool, Any, Any, Any]]:
    """Every encrypted column as ``(table, column, is_json, light table, pk, value column)``: plain
    Text/JSON types, so SQL reads and writes the stored tokens themselves, never through the keyring."""
    from sqlalchemy import column, table

    found = []
    for table_name, column_name, is_json in encrypted_columns(metadata):
        (pk_name,) = [c.name for c in metadata.tables[table_name].primary_key.columns]
        light = table(table_name, column(pk_name), column(column_name, JSON() if is_json else Text()))
        found.append((table_name, column_name, is_json, light, light.c[pk_name], light.c[column_name]))
    return found


def _batches(engine: Any, pk: Any, value_col: Any, batch_size: int, limit: int | None = None, *,
             conn: Any = None) -> Any:
    """``(connection, rows)`` per batch of ``(pk, column as text)`` for the non-null values, in pk
    order, each batch in its own transaction (or all on ``conn``, for reading); at most ``limit`` rows."""
    from sqlalchemy import cast, select

    raw_col = cast(value_col, Text())
    last: Any = None
    seen = 0
    while limit is None or seen < limit:
        size = batch_size if limit is None else min(batch_size, limit - seen)
        query = select(pk, raw_col).where(value_col.is_not(None)).order_by(pk).limit(size)
        if last is not None:
            query = query.where(pk > last)
        if conn is not None:
            rows = conn.execute(query).all()
            yield conn, rows
        else:
            with engine.begin() as batch_conn:
                rows = batch_conn.execute(query).all()
                yield batch_conn, rows
        seen += len(rows)
        if len(rows) < size:
            return
        last = rows[-1][0]


def rotate_database(engine: Any, *, batch_size: int = 500, skip_unreadable: bool = False) -> list[RotationCount]:
    """Re-encrypt every encrypted column with the first key, in batches of ``batch_size`` rows.

    Idempotent: a second run finds everything current. Each batch is its own transaction, and
    each row is written only if it still holds what was read, so the bot may keep running.
    A value no key opens stops the run (:class:`EncryptionKeyError`), unless ``skip_unreadable``
    (the old key is lost): then it is counted and left as it is.
    """
    from sqlalchemy import cast, update
    from sqlmodel import SQLModel

    import storage.models  # noqa: F401  (registers every table)

    if _ring.multi is None:
        raise EncryptionKeyError("SAATHI_ENCRYPTION_KEYS is not set: there is no key to encrypt with")
    counts: list[RotationCount] = []
    for table_name, column_name, is_json, light, pk, value_col in _light_columns(SQLModel.metadata):
        count = RotationCount(table_name, column_name)
        for conn, rows in _batches(engine, pk, value_col, batch_size):
            for row_id, raw in rows:
                try:
                    new = _rotated(raw, is_json, count)
                except EncryptionKeyError:
                    if not skip_unreadable:
                        raise
                    count.unreadable += 1
                    continue
                if new is None:
                    continue
                done = conn.execute(update(light).where(pk == row_id, cast(value_col, Text()) == raw)
                                    .values({column_name: new}))
                if not done.rowcount:
                    count.changed_meanwhile += 1
        counts.append(count)
    return counts


@dataclass
class ReadCount:
    """What ``saathi keys check`` found: how many stored values each key reads (counts only)."""

    encrypted: int = 0  # values stored as tokens
    plaintext: int = 0  # values from before encryption (``saathi keys rotate`` encrypts them)
    per_key: list[int] | None = None  # tokens each configured key opens, in key order
    unreadable: int = 0  # tokens no configured key opens
    unreadable_by_column: dict[str, int] | None = None


def count_readable(engine: Any, *, per_column: int | None = None, batch_size: int = 500) -> ReadCount:
    """Try every configured key on every stored token (or the first ``per_column`` of each column)."""
    from sqlmodel import SQLModel

    import storage.models  # noqa: F401  (registers every table)

    result = ReadCount(per_key=[0] * len(_ring.fernets), unreadable_by_column={})
    with engine.connect() as conn:  # one connection for every column: this runs at each start
        for table_name, column_name, is_json, _light, pk, value_col in _light_columns(SQLModel.metadata):
            _count_column(result, table_name, column_name, is_json,
                          _batches(engine, pk, value_col, batch_size, limit=per_column, conn=conn))
    return result


def _count_column(result: ReadCount, table_name: str, column_name: str, is_json: bool, batches: Any) -> None:
    """Add one column's values to ``result``: which key opens each stored token."""
    assert result.per_key is not None and result.unreadable_by_column is not None
    for _conn, rows in batches:
        for _row_id, raw in rows:
            token = _stored_token(raw, is_json)
            if token is None:
                result.plaintext += 1
                continue
            result.encrypted += 1
            opened = False
            for number, fernet in enumerate(_ring.fernets):
                try:
                    fernet.decrypt(token.encode("ascii"))
                except InvalidToken:
                    continue
                result.per_key[number] += 1
                opened = True
            if not opened:
                result.unreadable += 1
                name = f"{table_name}.{column_name}"
                result.unreadable_by_column[name] = result.unreadable_by_column.get(name, 0) + 1


def _stored_token(raw: str, is_json: bool) -> str | None:
    """The Fernet token a column's text holds, or None for legacy plaintext."""
    stored: Any = raw
    if is_json:
        try:
            stored = json.loads(raw)
        except ValueError:
            return None
    return stored if isinstance(stored, str) and looks_encrypted(stored) else None


def _rotated(raw: str | None, is_json: bool, count: RotationCount) -> str | None:
    """The new stored value for ``raw`` (the column's text), or None when it is already current."""
    if raw is None:
        return None
    stored: Any = raw
    if is_json:
        stored = json.loads(raw)
        if not (isinstance(stored, str) and looks_encrypted(stored)):
            if stored is None:
                return None
            count.encrypted += 1
            return encrypt(json.dumps(stored, ensure_ascii=False, separators=(",", ":")))
    if not needs_rotation(stored):
        count.current += 1
        return None
    if looks_encrypted(stored):
        count.reencrypted += 1
    else:
        count.encrypted += 1
    return rotate(stored)
