"""Callback data for inline buttons: short, versioned and validated.

Telegram hands back whatever string a button carried (at most 64 bytes), and
a client can send any string it likes, so everything that comes back is
untrusted input.  The format is ``"<ns>:v1:<part>:<part>..."``, for example
``"ci:v1:123:mood:4"`` (check-in 123, mood 4) or ``"ob:v1:lang:hi"``.  The
version lets us change a layout later while old buttons in members' chats
decode to None (and get a polite "this button has expired") instead of
being misread.

Decoding checks only the envelope; handlers still check that, say, check-in
123 belongs to the member who pressed the button.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["MAX_BYTES", "MAX_NUMBER", "NAMESPACES", "VERSION", "CallbackData", "decode", "encode"]

MAX_BYTES = 64
MAX_NUMBER = 2**31 - 1  # PostgreSQL's INTEGER
VERSION = "v1"
SEPARATOR = ":"

NAMESPACES: frozenset[str] = frozenset(
    {
        "ci",  # daily check-in answers
        "ob",  # onboarding
        "set",  # settings
        "cr",  # craving prompts and toolkit
        "fu",  # C-SSRS-style follow-up questions after an ambiguous signal
        "menu",  # main menu
        "esc",  # escalation to a counsellor
        "cir",  # peer circles
        "sp",  # sponsors
        "prv",  # the member's data rights (/forget confirmation)
    }
)


@dataclass(frozen=True)
class CallbackData:
    """A decoded button press: namespace and the fields after the version."""

    ns: str
    parts: tuple[str, ...]

    def part(self, index: int) -> str | None:
        """The field at ``index``, or None when the button had fewer fields."""
        return self.parts[index] if 0 <= index < len(self.parts) else None


def _valid_part(part: str) -> bool:
    """Non-empty printable ASCII without the separator; a number fits a database integer.

    Numbers in buttons are row ids, days and minutes. A forged ``99999999999999999999`` would
    overflow SQLite's and PostgreSQL's integers deep inside a query, so it is refused here.
    """
    if not part or SEPARATOR in part or not (part.isascii() and part.isprintable()):  # " " to "~"
        return False
    return not part.isdigit() or int(part) <= MAX_NUMBER


def encode(ns: str, *parts: str | int) -> str:
    """Build callback data; raises ValueError for anything :func:`decode` would reject.

    Failing at build time turns a would-be dead button into a test failure.
    """
    if ns not in NAMESPACES:
        raise ValueError(f"unknown callback namespace {ns!r}")
    fields: list[str] = []
    for part in parts:
        if isinstance(part, bool) or not isinstance(part, str | int):
            raise ValueError(f"callback part must be str or int, got {part!r}")
        text = str(part)
        if not _valid_part(text):
            raise ValueError(f"invalid callback part {text!r}: empty, ':' or not printable ASCII")
        fields.append(text)
    data = SEPARATOR.join((ns, VERSION, *fields))
    if len(data.encode("ascii")) > MAX_BYTES:
        raise ValueError(f"callback data over {MAX_BYTES} bytes: {data!r}")
    return data


def decode(data: str | None) -> CallbackData | None:
    """Parse callback data, or None for anything not made by :func:`encode`.

    Never raises: malformed, over-long, non-ASCII, unknown-namespace,
    other-version data and numbers too big for a database integer are all simply None.
    """
    if not isinstance(data, str) or not data.isascii() or len(data) > MAX_BYTES:
        return None
    ns, *rest = data.split(SEPARATOR)
    if ns not in NAMESPACES or not rest or rest[0] != VERSION:
        return None
    parts = tuple(rest[1:])
    if not all(_valid_part(part) for part in parts):
        return None
    return CallbackData(ns, parts)
