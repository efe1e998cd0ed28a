"""``saathi keys rotate|check`` and the key check at start: counts per column, never contents
(the work is in storage/keys/)."""

from __future__ import annotations

import logging
import sys

from bot.config import Settings
from storage.db import make_engine
from storage.keys import check as key_check
from storage.keys import rotation as key_rotation
from storage.migrate import upgrade

log = logging.getLogger("saathi")


def rotate_keys(settings: Settings, *, skip_unreadable: bool = False) -> int:
    """``saathi keys rotate``: counts per column, never contents."""
    if not settings.encryption_keys:
        print(
            "saathi: SAATHI_ENCRYPTION_KEYS is not set: put the new key first, the old ones after it", file=sys.stderr
        )
        return 2
    upgrade(settings.database_url)  # the columns must be wide enough for ciphertext first
    engine = make_engine(settings.database_url, single_use=True)
    try:
        counts = key_rotation.rotate_database(engine, skip_unreadable=skip_unreadable)
        # reached only when every stored text could be read, or the operator accepted the loss
        key_check.rotate_canary(engine, replace_unreadable=skip_unreadable)
    finally:
        engine.dispose()
    for c in counts:
        print(
            f"{c.table}.{c.column}: {c.encrypted} encrypted, {c.reencrypted} re-encrypted, {c.current} already current"
            + (f", {c.changed_meanwhile} changed meanwhile (run again)" if c.changed_meanwhile else "")
            + (f", {c.unreadable} unreadable left as they are" if c.unreadable else "")
        )
    total = sum(c.encrypted + c.reencrypted for c in counts)
    print(f"done: {total} values rewritten with the first of {len(settings.encryption_keys)} keys")
    return 0


def check_keys(settings: Settings) -> int:
    """``saathi keys check``: the canary, then per key how many stored texts it reads (counts only)."""
    upgrade(settings.database_url)
    engine = make_engine(settings.database_url, single_use=True)
    try:
        canary = key_check.canary_status(engine)
        counts = key_rotation.count_readable(engine)
    finally:
        engine.dispose()
    print(f"key check: {'read by the configured keys' if canary == 'readable' else canary}")
    if not settings.encryption_keys:
        print("SAATHI_ENCRYPTION_KEYS is not set")
    for number, readable in enumerate(counts.per_key or [], start=1):
        print(
            f"key {number}: reads {readable} of {counts.encrypted} encrypted values, "
            f"cannot read {counts.encrypted - readable}"
        )
    print(
        f"no key reads: {counts.unreadable} values"
        + "".join(f"\n  {name}: {n}" for name, n in sorted((counts.unreadable_by_column or {}).items()))
    )
    if counts.plaintext:
        print(f"not encrypted yet: {counts.plaintext} values (`saathi keys rotate` encrypts them)")
    fits = canary in ("readable", "missing") and not counts.unreadable
    print(
        "the keys fit this database"
        if fits
        else "the keys do NOT fit: put the missing key back (after the first one) or see docs/security.md"
    )
    return 0 if fits else 1


def keys_fit_or_refuse(settings: Settings) -> bool:
    """At start: do the keys read the canary (written now if there is none)? Prints why not."""
    engine = make_engine(settings.database_url, single_use=True)
    try:
        status = key_check.check_at_start(engine)
    finally:
        engine.dispose()
    if status.ok:
        return True
    if settings.allow_unreadable_data:
        log.warning(
            "the encryption keys do not read this database's key check (canary %s, %s of %s sampled "
            "texts unreadable); running anyway as the operator chose: old texts show as [unreadable]",
            status.canary,
            status.sample_unreadable,
            status.sampled,
        )
        return True
    print(key_check.refusal(status, len(settings.encryption_keys)), file=sys.stderr)
    return False
