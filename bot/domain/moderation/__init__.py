"""Abusive or harassing language in a peer circle: lists are data, one file per language.

Circles are for people in recovery, often on their hardest days; insults, slurs and
"go die" have no place there. A match does not punish anyone: the message is held for the
facilitator or counsellor to read, and the author gets a gentle note.

The lists live in ``<lang>.toml`` beside this module (``words`` and ``phrases``), edited by
the centre's staff. Words and phrases go through the risk engine's :func:`normalise`, like
the member's text, so "chutiyaaa", "B1TCH" and "हरामी"/"हरामि" all fold to one form and a
list never has to spell out the variants. Every language's list is checked on every
message (members mix languages). A trailing ``*`` matches any ending ("fuck*").

Standard library only.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources

from bot.domain.risk.normalise import SENTENCE_BREAK, normalise

__all__ = ["LANGUAGES", "ModerationFileError", "Term", "find_abuse", "is_abusive", "load_terms", "parse_terms"]

LANGUAGES: tuple[str, ...] = ("en", "hi", "mr")


class ModerationFileError(ValueError):
    """A list that cannot be used; the message names the file and the entry."""


@dataclass(frozen=True)
class Term:
    """One listed word or phrase, folded; ``prefix`` when the last word ended with ``*``."""

    source: str
    words: tuple[str, ...]
    prefix: bool = False

    def matches_at(self, tokens: tuple[str, ...], start: int) -> bool:
        if start + len(self.words) > len(tokens):
            return False
        for offset, word in enumerate(self.words):
            token = tokens[start + offset]
            last = offset == len(self.words) - 1
            if last and self.prefix:
                if not token.startswith(word):
                    return False
            elif token != word:
                return False
        return True


def parse_terms(text: str, *, source: str) -> tuple[Term, ...]:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ModerationFileError(f"{source}: not valid TOML: {exc}") from None
    terms: list[Term] = []
    for key in ("words", "phrases"):
        values = data.get(key, [])
        if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
            raise ModerationFileError(f"{source}: {key} must be a list of strings")
        for value in values:
            terms.append(_term(value, source))
    if not terms:
        raise ModerationFileError(f"{source}: no words or phrases")
    return tuple(terms)


def _term(value: str, source: str) -> Term:
    raw = value.strip()
    prefix = raw.endswith("*")
    words = tuple(tok for tok in normalise(raw.rstrip("*")).tokens if tok != SENTENCE_BREAK)
    if not words:
        raise ModerationFileError(f"{source}: entry {value!r} has no words")
    if prefix and len(words[-1]) < 3:
        raise ModerationFileError(f"{source}: entry {value!r}: a prefix needs at least 3 letters")
    return Term(source=raw, words=words, prefix=prefix)


@cache
def load_terms(languages: tuple[str, ...] = LANGUAGES) -> tuple[Term, ...]:
    """The packaged lists, parsed once per process."""
    folder = resources.files(__package__)
    terms: list[Term] = []
    for language in languages:
        terms.extend(
            parse_terms(folder.joinpath(f"{language}.toml").read_text(encoding="utf-8"), source=f"{language}.toml")
        )
    return tuple(terms)


def find_abuse(text: str, terms: tuple[Term, ...] | None = None) -> tuple[str, ...]:
    """The listed words or phrases found in ``text`` (as written in the list), in list order."""
    tokens = normalise(text).tokens
    found: list[str] = []
    for term in terms if terms is not None else load_terms():
        if any(term.matches_at(tokens, start) for start in range(len(tokens))):
            found.append(term.source)
    return tuple(found)


def is_abusive(text: str, terms: tuple[Term, ...] | None = None) -> bool:
    return bool(find_abuse(text, terms))
