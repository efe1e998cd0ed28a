"""Concept features for the trained model, from curated cross-language lexicons.

Character n-grams learn spellings, not ideas: a model that learnt "saving up
pills for tonight" does not know that "goliya jama ki, aaj raat" or "गोळ्या
साठवल्या, आज रात्री" is the same plan. The lexicons in ``rules/concepts.toml``
(clinicians can extend them) map words of every language to shared concepts
(``means``, ``time-now``, ``final``, ``burden``…). The model then sees
``c:means`` and, for two concepts in one sentence, ``c:means+c:time-now``,
and what it learns from one phrasing carries to the others.

Terms go through the same normalisation as messages; ``word*`` is a prefix;
a term of several words matches them in a row within a sentence.
Standard library only.
"""

from __future__ import annotations

import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from .normalise import SENTENCE_BREAK, normalise

LEXICON = "concepts.toml"


@dataclass(frozen=True)
class Lexicon:
    exact: dict[str, frozenset[str]]  # one-word term → concepts
    prefixes: tuple[tuple[str, str], ...]  # (prefix, concept) for one-word "word*" terms
    phrases: dict[str, tuple[tuple[tuple[str, ...], bool, str], ...]]  # first word → (rest, last is prefix, concept)


def parse_lexicon(text: str, *, source: str = LEXICON) -> Lexicon:
    data = tomllib.loads(text)
    exact: dict[str, set[str]] = {}
    prefixes: set[tuple[str, str]] = set()
    phrases: dict[str, set[tuple[tuple[str, ...], bool, str]]] = {}
    for concept, table in sorted(data.items()):
        terms = table.get("terms") if isinstance(table, dict) else None
        if not isinstance(terms, list) or not all(isinstance(t, str) for t in terms):
            raise ValueError(f"{source}: [{concept}] needs a list of strings 'terms'")
        for term in terms:
            is_prefix = term.endswith("*")
            words = [t for t in normalise(term.rstrip("*")).tokens if t != SENTENCE_BREAK]
            if not words:
                raise ValueError(f"{source}: [{concept}] term {term!r} has no words")
            if len(words) == 1 and is_prefix:
                prefixes.add((words[0], concept))
            elif len(words) == 1:
                exact.setdefault(words[0], set()).add(concept)
            else:
                phrases.setdefault(words[0], set()).add((tuple(words[1:]), is_prefix, concept))
    return Lexicon(
        exact={word: frozenset(c) for word, c in exact.items()},
        prefixes=tuple(sorted(prefixes)),
        phrases={word: tuple(sorted(p)) for word, p in phrases.items()},
    )


@lru_cache(maxsize=1)
def packaged_lexicon() -> Lexicon:
    text = resources.files(__package__).joinpath("rules", LEXICON).read_text(encoding="utf-8")
    return parse_lexicon(text)


@lru_cache(maxsize=65536)
def _word_concepts(word: str) -> frozenset[str]:
    lexicon = packaged_lexicon()
    found = set(lexicon.exact.get(word, ()))
    found.update(concept for prefix, concept in lexicon.prefixes if word.startswith(prefix))
    return frozenset(found)


def concept_features(tokens: Sequence[str]) -> list[str]:
    """``c:<concept>`` per match, and ``c:<a>+c:<b>`` per pair of concepts in one sentence."""
    phrases = packaged_lexicon().phrases
    out: list[str] = []
    sentence: set[str] = set()
    count = len(tokens)
    for index, token in enumerate((*tokens, SENTENCE_BREAK)):
        if token == SENTENCE_BREAK:
            if len(sentence) > 1:
                ordered = sorted(sentence)
                out.extend(f"c:{a}+c:{b}" for i, a in enumerate(ordered) for b in ordered[i + 1 :])
            sentence = set()
            continue
        hits = set(_word_concepts(token))
        for rest, last_prefix, concept in phrases.get(token, ()):
            end = index + 1 + len(rest)
            if end > count:
                continue
            following = tokens[index + 1 : end]
            if SENTENCE_BREAK in following:
                continue
            if all(a == b for a, b in zip(following[:-1], rest[:-1], strict=True)) and (
                following[-1].startswith(rest[-1]) if last_prefix else following[-1] == rest[-1]
            ):
                hits.add(concept)
        for concept in sorted(hits):
            out.append(f"c:{concept}")
        sentence |= hits
    return out
