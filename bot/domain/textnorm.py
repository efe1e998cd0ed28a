"""The one normalisation every text filter reads: contact details, abusive words and risk.

Members paste text from other apps, and some disguise what a filter looks for: a phone number
split by invisible characters, ``name [at] gmail [dot] com``, ``t . me / name``, ``@ n a m e``.
Every filter starts from :func:`filter_text`, so what one filter sees the others see too:

* Unicode NFKC (full-width ``＠ｎａｍｅ`` → ``@name``, ``①`` → ``1``, ligatures unfolded);
* zero-width and other format characters (U+200B…U+200F, U+2060…, soft hyphen, BOM, bidi marks)
  and invisible filler letters removed;
* control characters removed, except that line-ending ones become ``\\n`` and a tab a space
  (the risk engine reads line ends as sentence ends).

:func:`contact_views` then undoes the disguises of contact details on that text, for the contact
filter (``bot/domain/relay.py``): bracketed or spelled-out "at"/"dot", spaces around the dots,
slashes and colons of a link, letters typed one by one (``n a m e``), spaced handles.

Standard library only.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["TLDS", "contact_views", "filter_text", "storable", "unstorable"]

_LINE_ENDS = frozenset("\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029")
# Letters that render as nothing (Hangul fillers, Braille blank): used to hide words in plain sight.
_INVISIBLE_LETTERS = frozenset("\u115f\u1160\u3164\uffa0\u2800")

# Top-level domains people give out; the spelled-out forms ("at", "dot") count only before one of
# these, so "I was at work. In the evening…" stays an ordinary sentence.
TLDS = (
    "com",
    "in",
    "org",
    "net",
    "co",
    "io",
    "me",
    "info",
    "edu",
    "gov",
    "biz",
    "us",
    "uk",
    "app",
    "xyz",
    "ly",
    "gg",
    "ru",
    "de",
    "online",
    "site",
    "live",
    "link",
)
_TLD = "(?:" + "|".join(TLDS) + ")"

_BRACKET_AT = re.compile(r"[\[({<]\s*(?:at|@)\s*[\])}>]", re.IGNORECASE)
_BRACKET_DOT = re.compile(r"[\[({<]\s*(?:dot|\.)\s*[\])}>]", re.IGNORECASE)
_WORD_DOT = re.compile(r"(?<=\w)\s+dot\s+(?=\w)", re.IGNORECASE)
# "at" or a spaced "@" before a domain: its dot touches both words or has spaces on both sides
# ("gmail . com"); a dot with a space after it only ends a sentence ("at work. In the evening").
_DOMAIN_AHEAD = rf"(?=[\w-]+(?:\.|\s+\.\s+){_TLD}\b)"
_WORD_AT = re.compile(rf"(?<=[\w.+-])\s+at\s+{_DOMAIN_AHEAD}", re.IGNORECASE)
_SPACED_EMAIL_AT = re.compile(rf"(?<=[\w.+-])\s*@\s*{_DOMAIN_AHEAD}", re.IGNORECASE)
_SPACED_LINK_MARK = re.compile(r"\s*([./:])\s*(?=[\w/])")
_SPACED_AT = re.compile(r"@\s+(?=\w(?:[ ._-]\w){2,}(?!\w))")
# Three or more single letters or digits with one separator between each: "n a m e", "d.i.e".
_SINGLES = re.compile(r"(?<![^\W_])[^\W_](?:[ ._\-/][^\W_](?![^\W_])){2,}")


def filter_text(text: str) -> str:
    """``text`` as every filter reads it (see the module docstring)."""
    folded = unicodedata.normalize("NFKC", text)
    changes = {ord(char): _filtered(char) for char in set(folded)}  # each distinct character once
    return folded.translate({code: new for code, new in changes.items() if new != chr(code)})


def _filtered(char: str) -> str:
    if char in _LINE_ENDS:
        return "\n"
    if char == "\t":
        return " "
    if char in _INVISIBLE_LETTERS or char != "\n" and unicodedata.category(char) in ("Cc", "Cf"):
        return ""
    return char


def unstorable(text: str | None) -> bool:
    """Characters a database refuses: NUL (PostgreSQL's text cannot hold it) and lone UTF-16
    surrogates (JSON can carry them, UTF-8 cannot). Checked before anything is stored."""
    if not text:
        return False
    return "\x00" in text or any("\ud800" <= ch <= "\udfff" for ch in text)


def storable(text: str) -> str:
    """``text`` without those characters (for names Telegram gives us, which a person cannot retype)."""
    return "".join(ch for ch in text if ch != "\x00" and not "\ud800" <= ch <= "\udfff")


def contact_views(text: str) -> tuple[str, ...]:
    """``filter_text(text)``, then two forms of it with the disguises of contact details undone: the
    first keeps the separators inside letters typed one by one (``t.me/n a m e`` → ``t.me/name``), the
    second drops them too (``@n.a.m.e`` → ``@name``)."""
    base = filter_text(text)
    view = _BRACKET_AT.sub("@", base)
    view = _BRACKET_DOT.sub(".", view)
    view = _WORD_DOT.sub(".", view)
    view = _WORD_AT.sub("@", view)
    view = _SPACED_EMAIL_AT.sub("@", view)
    view = _SPACED_LINK_MARK.sub(r"\1", view)
    view = _SPACED_AT.sub("@", view)
    kept = _SINGLES.sub(lambda m: m.group(0).replace(" ", ""), view)
    dropped = _SINGLES.sub(lambda m: re.sub(r"[ ._\-/]", "", m.group(0)), view)
    return base, kept, dropped
