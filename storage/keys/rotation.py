"""Re-encrypting and counting what is stored: ``saathi keys rotate`` and ``saathi keys check``.

Both walk every encrypted column of every table, so this module imports the whole schema
(storage/schema.py); the keyring and the column types it reads with are in storage/crypto.py,
which imports no table.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from cryptography.fernet import InvalidToken
from sqlalchemy import JSON, Text, cast, column, select, table, update

from storage.crypto import (
    EncryptionKeyError,
    encrypt,
    encrypted_columns,
    is_configured,
    key_fernets,
    looks_encrypted,
    needs_rotation,
    rotate,
)
from storage.schema import metadata

__all__ = ["ReadCount", "RotationCount", "count_readable", "rotate_database"]


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
    found = []
    for table_name, column_name, is_json in encrypted_columns(metadata):
        (pk_name,) = [c.name for c in metadata.tables[table_name].primary_key.columns]
        light = table(table_name, column(pk_name), column(column_name, JSON() if is_json else Text()))
        found.append((table_name, column_name, is_json, light, light.c[pk_name], light.c[column_name]))
    return found


def _batches(
    engine: Any, pk: Any, value_col: Any, batch_size: int, limit: int | None = None, *, conn: Any = None
) -> Any:
    """``(connection, rows)`` per batch of ``(pk, column as text)`` for the non-null values, in pk
    order, each batch in its own transaction (or all on ``conn``, for reading); at most ``limit`` rows."""
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
    if not is_configured():
        raise EncryptionKeyError("SAATHI_ENCRYPTION_KEYS is not set: there is no key to encrypt with")
    counts: list[RotationCount] = []
    for table_name, column_name, is_json, light, pk, value_col in _light_columns(metadata):
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
                done = conn.execute(
                    update(light).where(pk == row_id, cast(value_col, Text()) == raw).values({column_name: new})
                )
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
    fernets = key_fernets()
    result = ReadCount(per_key=[0] * len(fernets), unreadable_by_column={})
    with engine.connect() as conn:  # one connection for every column: this runs at each start
        for table_name, column_name, is_json, _light, pk, value_col in _light_columns(metadata):
            _count_column(
                result,
                table_name,
                column_name,
                is_json,
                _batches(engine, pk, value_col, batch_size, limit=per_column, conn=conn),
            )
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
            for number, fernet in enumerate(key_fernets()):
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
