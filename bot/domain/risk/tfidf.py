"""A linear model's sums over tf-idf features (sublinear tf, l2 norm), from term id counts, fast.

For a window of a message the model needs, per class, ``Σ (1 + log c) × idf × weight`` over its
terms (``c``: how often the term occurs in the window) and the squared norm ``Σ ((1 + log c) ×
idf)²``. Python's loops are slow and a 4,096-character message has some 20,000 features, so the
sums are taken in C (``itemgetter`` over arrays, ``map``, ``sum``): first as if every term occurred
once, then corrected for those that occur more often. A window of several sentences reuses its
sentences' sums and corrects only the terms two of them share. The result equals scikit-learn's
arithmetic up to the order of additions (tests/unit/test_risk_model.py). Standard library only.
"""

from __future__ import annotations

import math
from array import array
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from itertools import chain, compress, repeat
from operator import itemgetter, mul, sub
from typing import Any

from .features import TermIds

_ONE = 1


@dataclass(frozen=True)
class Weights:
    """A model's terms as ids and its numbers as arrays indexed by id (built once per model).

    The arrays are the model's only copy of its numbers once it is read from the artifact
    (:class:`TermTable` shows them as ``term → (idf, weights)``): some 350,000 terms as a dict of
    tuples took about 100 MB of a running bot's memory, the arrays take about 20 MB.
    """

    ids: TermIds
    idf: array[float]
    coef: list[array[float]]  # per class, the term's weight
    idf_sq: array[float]  # idf², a term's share of the squared norm when it occurs once
    weighted: list[array[float]]  # per class, idf × weight: a term's share of the score when it occurs once

    @classmethod
    def of(cls, terms: Mapping[str, tuple[float, Sequence[float]]], width: int) -> Weights:
        names = sorted(terms)
        idf = array("d", (terms[name][0] for name in names))
        coef = [array("d", (terms[name][1][k] for name in names)) for k in range(width)]
        return cls.of_columns(names, idf, coef)

    @classmethod
    def of_rows(cls, names: Sequence[str], rows: Sequence[Sequence[float]], width: int) -> Weights:
        """From each term's row as a format 2 artifact has it: ``[idf, weight per class…]``, or
        ``[idf]`` when every weight is 0."""
        zeros = (0.0,) * (width + 1)
        idf = array("d", (row[0] for row in rows))
        coef = [array("d", ((row if len(row) > 1 else zeros)[k + 1] for row in rows)) for k in range(width)]
        return cls.of_columns(names, idf, coef)

    @classmethod
    def of_columns(cls, names: Sequence[str], idf: array[float], coef: list[array[float]]) -> Weights:
        """From the terms (sorted, as the artifact has them) and their numbers as columns (``coef``: one
        per class)."""
        # The most frequent terms (lowest idf) first: their numbers lie together in memory, and most of
        # a message's features are among them. A stable sort by idf alone: terms of the same idf stay in
        # the order given (a key of one float per term, not a tuple: less memory while the bot starts).
        order = sorted(range(len(names)), key=idf.__getitem__)
        names = [names[i] for i in order]
        idf = array("d", (idf[i] for i in order))
        coef = [array("d", (column[i] for i in order)) for column in coef]
        idf_sq = array("d", map(mul, idf, idf))
        weighted = [array("d", map(mul, idf, column)) for column in coef]
        columns = (idf_sq, *weighted)

        def values(ids: Sequence[int]) -> tuple[float, ...]:
            pick = _pick(list(ids))
            return tuple(sum(pick(column), 0.0) for column in columns)

        vocabulary = {name: index for index, name in enumerate(names)}
        return cls(ids=TermIds(vocabulary, values), idf=idf, coef=coef, idf_sq=idf_sq, weighted=weighted)

    def sums(self, counts: Counter[int]) -> Sums:
        """The squared norm and each class's sum for these term counts."""
        keys = list(counts)
        if not keys:
            return Sums(counts, 0.0, [0.0] * len(self.weighted))
        pick = _pick(keys)
        norm_sq = sum(pick(self.idf_sq), 0.0)
        partial = [sum(pick(column), 0.0) for column in self.weighted]
        return self._corrected(Sums(counts, norm_sq, partial), once=True)

    def sentence(self, words: Sequence[str]) -> Sums:
        """A sentence's term counts and sums: the sums of its words' and boundaries' cached values
        (every occurrence counted once), corrected for the terms it has more than once."""
        ids, vectors = self.ids.sentence(words)
        totals = [sum(column, 0.0) for column in zip(*vectors, strict=True)] if vectors else []
        width = len(self.weighted)
        if not totals:
            totals = [0.0] * (width + 1)
        return self._corrected(Sums(Counter(ids), totals[0], totals[1:]), once=False)

    def _corrected(self, sums: Sums, once: bool) -> Sums:
        """``sums`` taken with each term once (``once``) or as often as it occurs, made exact:
        a term seen c times weighs (1 + log c) × idf."""
        counts = sums.counts
        many = list(compress(counts, map(_ONE.__lt__, counts.values())))
        if not many:
            return sums
        pick = _pick(many)
        seen = pick(counts)
        tf, tf_sq = _tf(max(seen))
        had = seen if not once else repeat(1)
        delta = list(map(sub, map(tf.__getitem__, seen), had))
        delta_sq = list(map(sub, map(tf_sq.__getitem__, seen), seen if not once else repeat(1)))
        norm_sq = sums.norm_sq + sum(map(mul, pick(self.idf_sq), delta_sq), 0.0)
        partial = [
            p + sum(map(mul, pick(column), delta), 0.0) for p, column in zip(sums.partial, self.weighted, strict=True)
        ]
        return Sums(counts, norm_sq, partial)

    def joined(self, parts: Sequence[Sums]) -> tuple[float, list[float]]:
        """The sums of a window made of ``parts`` (sentences): theirs added, corrected for the
        terms that more than one of them has (their counts add up, the tf does not)."""
        norm_sq = sum((part.norm_sq for part in parts), 0.0)
        partial = [sum(column, 0.0) for column in zip(*(part.partial for part in parts), strict=True)]
        tally = Counter(chain.from_iterable(part.counts for part in parts))
        shared = list(compress(tally, map(_ONE.__lt__, tally.values())))
        if not shared:
            return norm_sq, partial
        each = [list(map(part.counts.get, shared, repeat(0))) for part in parts]
        totals = list(map(sum, zip(*each, strict=True)))
        tf, tf_sq = _tf(max(totals))
        had = map(sum, zip(*(map(tf.__getitem__, counts) for counts in each), strict=True))
        had_sq = map(sum, zip(*(map(tf_sq.__getitem__, counts) for counts in each), strict=True))
        delta = list(map(sub, map(tf.__getitem__, totals), had))
        delta_sq = list(map(sub, map(tf_sq.__getitem__, totals), had_sq))
        pick = _pick(shared)
        norm_sq += sum(map(mul, pick(self.idf_sq), delta_sq))
        partial = [p + sum(map(mul, pick(column), delta)) for p, column in zip(partial, self.weighted, strict=True)]
        return norm_sq, partial


@dataclass(frozen=True)
class Sums:
    """One sentence's (or window's) term counts and sums."""

    counts: Counter[int]
    norm_sq: float
    partial: list[float]


def _tf(largest: int) -> tuple[list[float], list[float]]:
    """``1 + log c`` and its square for c up to ``largest`` (0 for c = 0: a term not there)."""
    tf = [0.0, *(1.0 + math.log(count) for count in range(1, largest + 1))]
    return tf, [value * value for value in tf]


def _pick(keys: list[int]) -> Callable[[Any], tuple[Any, ...]]:
    """``itemgetter`` that always returns a tuple (one key included)."""
    if len(keys) == 1:
        key = keys[0]
        return lambda table: (table[key],)
    return itemgetter(*keys)


class TermTable(Mapping[str, tuple[float, tuple[float, ...]]]):
    """``term → (idf, weight per class)``, read from a :class:`Weights` (no second copy)."""

    def __init__(self, weights: Weights) -> None:
        self.weights = weights

    def __getitem__(self, term: str) -> tuple[float, tuple[float, ...]]:
        index = self.weights.ids.ids[term]
        return self.weights.idf[index], tuple(column[index] for column in self.weights.coef)

    def __iter__(self) -> Iterator[str]:
        return iter(self.weights.ids.ids)

    def __len__(self) -> int:
        return len(self.weights.ids.ids)
