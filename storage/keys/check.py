"""Does the configured key fit this database? The canary, checked at every start.

A wrong or lost ``SAATHI_ENCRYPTION_KEYS`` used to show up only as members going silent: every
old member's name failed to decrypt on every update. Now a known text, encrypted with the key
when the first key was set up, sits in the ``keycanary`` table; ``saathi run`` (and the sandbox)
checks that the configured keys read it and refuses to start otherwise, unless the operator
chose to run with unreadable old data (``--allow-unreadable-data`` /
``SAATHI_ALLOW_UNREADABLE_DATA=yes``). Fields no key opens then read as ``[unreadable]``
(storage/crypto.py) and never stop a reply, a check-in or an alert.

A database encrypted before the canary existed gets one on its first start with a key, but
only after a sample of its stored tokens was read with that key: a wrong key never writes the
canary.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import insert, select, update

from storage import crypto
from storage.keys.rotation import count_readable
from storage.keys.tables import KeyCanary
from storage.types import table_of

__all__ = ["CANARY_TEXT", "KeyStatus", "check_at_start", "refusal", "rotate_canary"]

CANARY_TEXT = "saathi key canary v1"
SAMPLE_PER_COLUMN = 20  # stored tokens per encrypted column tried before writing a first canary

_table = table_of(KeyCanary)


@dataclass(frozen=True)
class KeyStatus:
    """What the start check found. ``canary``: "readable", "unreadable", "created" (written now),
    "none" (no key configured and no canary: a plaintext development database)."""

    canary: str
    sampled: int = 0  # stored tokens tried (only when there was no canary yet)
    sample_unreadable: int = 0

    @property
    def ok(self) -> bool:
        return self.canary in ("readable", "created", "none") and not self.sample_unreadable


def check_at_start(engine: Any, now: datetime | None = None) -> KeyStatus:
    """Read the canary with the configured keys; write it when there is none and the key fits."""
    found = canary_status(engine)
    if found != "missing":
        return KeyStatus(found)
    sample = count_readable(engine, per_column=SAMPLE_PER_COLUMN)
    if not crypto.is_configured():
        return KeyStatus("none", sample.encrypted, sample.encrypted)  # tokens without a key: none readable
    if sample.unreadable:
        return KeyStatus("unreadable", sample.encrypted, sample.unreadable)
    with engine.begin() as conn:
        conn.execute(insert(_table).values(token=crypto.encrypt(CANARY_TEXT), created_at=now or datetime.now(UTC)))
    return KeyStatus("created", sample.encrypted, 0)


def canary_status(engine: Any) -> str:
    """ "readable", "unreadable" or "missing", without writing anything (``saathi keys check``)."""
    with engine.connect() as conn:
        token = conn.execute(select(_table.c.token).order_by(_table.c.id).limit(1)).scalar()
    if token is None:
        return "missing"
    return "readable" if _opens(token) else "unreadable"


def rotate_canary(engine: Any, *, replace_unreadable: bool = False) -> None:
    """After ``saathi keys rotate``: the canary is written with the first key too, so the old key can go.
    ``replace_unreadable``: the operator accepted that the old key is lost (``--skip-unreadable``)."""
    with engine.begin() as conn:
        for row_id, token in conn.execute(select(_table.c.id, _table.c.token)).all():
            if replace_unreadable or _opens(token):
                conn.execute(update(_table).where(_table.c.id == row_id).values(token=crypto.encrypt(CANARY_TEXT)))


def _opens(token: str) -> bool:
    try:
        return crypto.decrypt(token) == CANARY_TEXT
    except crypto.EncryptionKeyError:
        return False


def refusal(status: KeyStatus, key_count: int) -> str:
    """The one paragraph ``saathi run`` prints when it will not start."""
    if status.canary == "none":
        problem = (
            f"SAATHI_ENCRYPTION_KEYS is not set, but this database holds encrypted texts "
            f"({status.sample_unreadable} of the {status.sampled} sampled)"
        )
    elif status.canary == "unreadable" and status.sampled:
        problem = (
            f"the {key_count} key(s) in SAATHI_ENCRYPTION_KEYS cannot read this database's stored texts "
            f"({status.sample_unreadable} of {status.sampled} sampled cannot be decrypted)"
        )
    else:
        problem = (
            f"the {key_count} key(s) in SAATHI_ENCRYPTION_KEYS do not read this database's key check "
            "(written with the centre's key when encryption was first set up)"
        )
    return (
        f"saathi: refusing to start: {problem}: the key is wrong or the old one is missing. Started like "
        "this, every existing member's name, notes and messages would show as [unreadable]. Put the centre's "
        "key back in .env (a new key first, the old one after it, comma-separated) and run `saathi keys check` "
        "to see how many stored texts each key can read. Only if the old key is truly lost, start with "
        "`saathi run --allow-unreadable-data` (or SAATHI_ALLOW_UNREADABLE_DATA=yes in .env): members, "
        "check-ins and alerts then keep working, and what the lost key wrote shows as [unreadable]."
    )
