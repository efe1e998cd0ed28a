"""Invite links that open WhatsApp with the first message typed, and reading that message back.

``https://wa.me/<number>?text=START%20<CODE>`` opens a chat with the centre's number with
"START CODE" already in the box; the person only taps send. They may also edit it, type it by hand
or send just the code, in any case and with stray spaces: :func:`parse_start` reads all of these.
Whether the code exists is the caller's question (the invite table), not this module's.
"""

from __future__ import annotations

import re
from urllib.parse import quote

__all__ = ["START_WORD", "normalise_number", "parse_start", "wa_me_link"]

START_WORD = "START"
# E.164: a country code and the subscriber number, at most 15 digits; wa.me wants them without "+".
_MIN_DIGITS, _MAX_DIGITS = 8, 15
# Invite codes are made of letters and digits that cannot be misread (no 0/O, 1/I/L), 8 of them
# today; a little room either side for older or newer codes. "START please" is not a code.
_CODE_CHARS = "[ABCDEFGHJKMNPQRSTUVWXYZ23456789]"
_CODE = re.compile(_CODE_CHARS + "{4,16}")
# A message that is only a word is taken for a code only in today's exact shape, so "thanks" is not.
_BARE_CODE = re.compile(_CODE_CHARS + "{8}")
_SEPARATORS = re.compile(r"[\s\-().]+")
# "START CODE", "start: code", "/start CODE" (a Telegram habit), with any spaces between.
_START = re.compile(r"^/?start\b[\s:,\-]*(?P<code>\S*)$", re.IGNORECASE)


def normalise_number(number: str) -> str:
    """The digits wa.me wants: "+91 98000-00001" → "919800000001"; ValueError if it is no number."""
    cleaned = _SEPARATORS.sub("", number.strip())
    if cleaned.startswith("+"):
        cleaned = cleaned[1:]
    elif cleaned.startswith("00"):  # the international prefix dialled from India and Europe
        cleaned = cleaned[2:]
    if not cleaned.isascii() or not cleaned.isdigit() or not _MIN_DIGITS <= len(cleaned) <= _MAX_DIGITS:
        raise ValueError("a WhatsApp number is a country code and number, e.g. +91 98000 00001")
    return cleaned


def wa_me_link(number: str, code: str) -> str:
    """``https://wa.me/919800000001?text=START%20ABCD2345`` for the centre's number and an invite code."""
    code = code.upper()
    if not _CODE.fullmatch(code):
        raise ValueError("an invite code is letters and digits without 0, O, 1, I or L")
    return f"https://wa.me/{normalise_number(number)}?text={quote(f'{START_WORD} {code}', safe='')}"


def parse_start(text: str) -> str | None:
    """The invite code in a first message, upper-cased, or None when it holds none.

    "START ABCD2345", "start abcd2345", "/start ABCD2345" and a bare "abcd2345" all give
    "ABCD2345"; "START" alone, a sentence, a code with other words around it, or a bare word that
    is not shaped like today's codes give None.
    """
    words = " ".join(text.split())  # any whitespace (a pasted non-breaking space too) → one space
    if not words:
        return None
    match = _START.match(words)
    if match:
        code = match.group("code").upper()
        return code if _CODE.fullmatch(code) else None
    return words.upper() if _BARE_CODE.fullmatch(words.upper()) else None
