"""The trained model's features, as strings (training) and as vocabulary ids (scoring).

:func:`features` is the one feature function: ``saathi risk train`` passes it to scikit-learn as
the analyzer, and the shipped artifact lists the strings it learnt weights for. :class:`TermIds`
gives the bot the same features as ids of one model's vocabulary, fast enough for a 4,096-character
message: each word's letter n-grams and each word boundary's letters across it are looked up once
and kept, and a sentence's ids are built once per message however many windows contain it
(tests/unit/test_risk_model.py checks the two agree). Standard library only.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping, Sequence
from functools import lru_cache

from .concepts import concept_features
from .normalise import SENTENCE_BREAK, normalise
from .translit import is_devanagari_word, romanise

CHAR_NGRAMS = (2, 5)  # inclusive, inside "<word>"
WORD_NGRAMS = (1, 2)  # word unigrams and bigrams, never across a sentence end
# Round 4 (inner CV on the training side, docs/clinical-rules.md): word pairs with one word between
# ("s:marna chahta" from "marna hi chahta") and letter n-grams across a word boundary ("x:r ja" from
# "mar jaunga", so "marjaunga" and "mar jaunga" share features), never across a sentence end.
SKIP_BIGRAMS = True
CROSS_NGRAMS: tuple[int, int] | None = (2, 5)  # (2, 6) did a little better but the artifact outgrew 5 MB
# Concept features from the curated lexicons (rules/concepts.toml, see concepts.py): kept because
# they raised out-of-fold urgent recall in the inner cross-validation (docs/clinical-rules.md).
CONCEPTS = True
# A Devanagari word also gives the features of its rough Latin spelling (translit.py), so Hindi and
# Hinglish, Marathi and Marathi in Latin letters teach the model for each other.
ROMANISED = True

# Strings whose features the artifact records a digest of: if the text normalisation or the
# feature function changes, the shipped model no longer matches and a test says "retrain".
FEATURE_PROBES: tuple[str, ...] = (
    "I have been saving up my pills, tonight is the night",
    "sab khatam aaj raat, maaf karna maa",
    "आज रात सब खत्म हो जाएगा",
    "मला उद्याचा सूर्य बघायचा नाही",
    "mi ata thaklo ahe, kuni nako",
    "k1ll. mysélf\u200b!! 😭 10mg 2day",
)


def features(text: str) -> list[str]:
    """The model's features for ``text``: char n-grams inside words, word uni- and bigrams, word pairs
    with one word between, char n-grams across word boundaries, concepts (none across a sentence end).

    Words are the risk engine's normalised tokens (case, Unicode form,
    invisible characters, digits for letters, stretched letters and common
    Hinglish spellings folded: see normalise.py).
    """
    return token_features(normalise(text).tokens)


def token_features(tokens: Sequence[str]) -> list[str]:
    out: list[str] = []
    sentence: list[str] = []
    for token in (*tokens, SENTENCE_BREAK):
        if token != SENTENCE_BREAK:
            sentence.append(token)
        elif sentence:
            out.extend(_sentence_features(sentence))
            sentence = []
    if CONCEPTS:
        out.extend(concept_features(tokens))
    return out


def _sentence_features(words: Sequence[str]) -> list[str]:
    """One sentence's features: per word, pairs and skip pairs, and letters across word boundaries.

    Each is also taken from the sentence's romanised view when it has Devanagari words.
    """
    out: list[str] = []
    roman = [romanise(word) if ROMANISED and is_devanagari_word(word) else "" for word in words]
    view = [r or w for r, w in zip(roman, words, strict=True)]
    for index, word in enumerate(words):
        out.extend(_word_features(word))
        if index >= 1:
            out.append(f"w:{words[index - 1]} {word}")
        if roman[index]:
            out.extend(_word_features(roman[index]))
            if index >= 1:
                out.append(f"w:{view[index - 1]} {view[index]}")
        if SKIP_BIGRAMS and index >= 2:
            out.append(f"s:{words[index - 2]} {word}")
            if roman[index] or roman[index - 2]:
                out.append(f"s:{view[index - 2]} {view[index]}")
    if CROSS_NGRAMS and len(words) > 1:
        out.extend(_cross_grams(" ".join(words), CROSS_NGRAMS))
        if any(roman):
            out.extend(_cross_grams(" ".join(view), CROSS_NGRAMS))
    return out


def _cross_grams(joined: str, sizes: tuple[int, int]) -> list[str]:
    """Letter n-grams that span a word boundary ("mar ja", "r jaun"): spacing and word order."""
    low, high = sizes
    out: list[str] = []
    for size in range(low, high + 1):
        for start in range(len(joined) - size + 1):
            gram = joined[start : start + size]
            if " " in gram[1:-1]:
                out.append("x:" + gram)
    return out


@lru_cache(maxsize=65536)
def _word_features(word: str) -> tuple[str, ...]:
    """``w:word`` plus the word's char n-grams (cached: members reuse words)."""
    padded = f"<{word}>"
    grams = [f"w:{word}"]
    low, high = CHAR_NGRAMS
    for size in range(low, high + 1):
        grams.extend(padded[i : i + size] for i in range(len(padded) - size + 1))
    return tuple(grams)


def feature_digest() -> str:
    joined = "\n".join(" ".join(features(probe)) for probe in FEATURE_PROBES)
    return hashlib.sha256(joined.encode("utf-8")).hexdigest()


CACHE_LIMIT = 65536  # words (and word boundaries) whose ids a TermIds keeps; emptied when full


Unit = tuple[tuple[int, ...], tuple[float, ...]]  # a word's (or a boundary's) term ids, and their values summed


class TermIds:
    """One model's vocabulary as ids, and :func:`token_features` of a sentence as those ids.

    Features outside the vocabulary are left out (the model gives them no weight). The ids of a
    sentence are, as a multiset, exactly the vocabulary's share of ``token_features(sentence)``.
    ``values`` (the scorer's, tfidf.Weights.values) sums numbers over ids; each cached word and
    boundary keeps that sum, so a sentence's sums over all its ids cost one addition per word.
    """

    def __init__(
        self, vocabulary: Mapping[str, int], values: Callable[[Sequence[int]], tuple[float, ...]] | None = None
    ) -> None:
        self.ids = vocabulary
        self._values = values
        self._words: dict[str, Unit] = {}
        self._bounds: dict[tuple[str, str], Unit] = {}

    def _unit(self, terms: Sequence[str]) -> Unit:
        ids = self.ids
        known = tuple(ids[term] for term in terms if term in ids)
        return known, (self._values(known) if self._values and known else ())

    def word(self, word: str) -> Unit:
        found = self._words.get(word)
        if found is None:
            if len(self._words) >= CACHE_LIMIT:
                self._words.clear()
            found = self._words[word] = self._unit(_word_features(word))
        return found

    def boundary(self, left: str, right: str) -> Unit:
        """Letters across one word boundary: the grams whose first inner space is this boundary's.

        ``left`` is the end of the word before it (with the space before that word, if any),
        ``right`` the text after it; each as long as a gram can reach (CROSS_NGRAMS).
        """
        key = (left, right)
        found = self._bounds.get(key)
        if found is None:
            if len(self._bounds) >= CACHE_LIMIT:
                self._bounds.clear()
            found = self._bounds[key] = self._unit(_boundary_grams(left, right))
        return found

    def sentence(self, words: Sequence[str]) -> tuple[list[int], list[tuple[float, ...]]]:
        """The ids of ``token_features(words)`` for words of one sentence (no SENTENCE_BREAK), and
        the ``values`` of its words, boundaries and other terms (empty without ``values``)."""
        out: list[int] = []
        units: list[Unit] = []
        roman = list(map(_roman, words)) if ROMANISED else [""] * len(words)
        view = [r or w for r, w in zip(roman, words, strict=True)]
        terms: list[str] = []
        for index, word in enumerate(words):
            units.append(self.word(word))
            if index >= 1:
                terms.append(f"w:{words[index - 1]} {word}")
            if roman[index]:
                units.append(self.word(roman[index]))
                if index >= 1:
                    terms.append(f"w:{view[index - 1]} {view[index]}")
            if SKIP_BIGRAMS and index >= 2:
                terms.append(f"s:{words[index - 2]} {word}")
                if roman[index] or roman[index - 2]:
                    terms.append(f"s:{view[index - 2]} {view[index]}")
        if CROSS_NGRAMS and len(words) > 1:
            self._cross(words, units)
            if any(roman):
                self._cross(view, units)
        if CONCEPTS:
            terms.extend(concept_features(words))
        units.append(self._unit(terms))
        for ids, _ in units:
            out.extend(ids)
        return out, [values for _, values in units if values]

    def _cross(self, words: Sequence[str], units: list[Unit]) -> None:
        assert CROSS_NGRAMS is not None
        reach = CROSS_NGRAMS[1] - 2  # a gram has at least one letter on each side of its space
        count = len(words)
        for index in range(count - 1):
            left = (" " + words[index] if index else words[index])[-reach:]
            right = words[index + 1]
            after = index + 2
            while len(right) < reach and after < count:
                right += " " + words[after]
                after += 1
            units.append(self.boundary(left, right[:reach]))


@lru_cache(maxsize=CACHE_LIMIT)
def _roman(word: str) -> str:
    """The Latin spelling of a Devanagari word, "" for any other."""
    return romanise(word) if is_devanagari_word(word) else ""


def _boundary_grams(left: str, right: str) -> list[str]:
    """``_cross_grams`` of ``left + " " + right`` whose first inner space is the one between them."""
    assert CROSS_NGRAMS is not None
    low, high = CROSS_NGRAMS
    out: list[str] = []
    for size in range(max(low, 3), high + 1):
        for before in range(1, min(len(left), size - 2) + 1):
            after = size - 1 - before
            if after <= len(right):
                out.append("x:" + left[-before:] + " " + right[:after])
    return out
