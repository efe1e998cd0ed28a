"""The trained layer: a linear model over character and word n-grams.

Keyword rules cannot list every way a person in crisis says it ("counted
them, 40 should be enough"); a model trained on the labelled corpus
(``corpus/*.tsv``) generalises to words nobody wrote a rule for. It runs
beside the rules, never instead of them: the engine takes the more severe
of the two (see engine.assess and docs/clinical-rules.md).

Standard library only. Training (``saathi risk train``, bot/risk_training.py)
uses scikit-learn, but passes it :func:`features.features` as the analyzer, and
scoring reads the same features as vocabulary ids (features.TermIds, checked
equal by the tests), so training and scoring share one feature function. The shipped
artifact (``model/risk_model.xz``) holds, per vocabulary term, its idf
and one weight per class, plus the intercepts and thresholds; scoring here
reproduces scikit-learn's ``TfidfVectorizer(sublinear_tf=True, norm="l2")``
followed by the classifier's probabilities (the sums in tfidf.py): since round 4 one binary model per
class over naive-Bayes-scaled features (NBSVM, ``link = "ovr"``: each class's
sigmoid divided by their sum; the scaling is folded into the weights), before
it one multinomial ``LogisticRegression`` (``link = "softmax"``).

Long messages are scored in windows of whole sentences up to
:data:`WINDOW_CHARS` characters and the most severe window wins, so a
danger sentence at the end of a long note is not diluted by the rest.
"""

from __future__ import annotations

import gzip
import json
import lzma
import math
from array import array
from bisect import bisect_left
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from importlib import resources
from itertools import islice
from pathlib import Path
from typing import IO, Any, cast

from .features import (
    CHAR_NGRAMS,
    CONCEPTS,
    CROSS_NGRAMS,
    FEATURE_PROBES,
    ROMANISED,
    SKIP_BIGRAMS,
    WORD_NGRAMS,
    feature_digest,
    features,
    token_features,
)
from .models import RiskLevel
from .normalise import SENTENCE_BREAK, Normalised
from .tfidf import Sums, TermTable, Weights

__all__ = [
    "CHAR_NGRAMS",
    "TermTable",
    "CONCEPTS",
    "CROSS_NGRAMS",
    "FEATURE_PROBES",
    "ROMANISED",
    "SKIP_BIGRAMS",
    "WORD_NGRAMS",
    "feature_digest",
    "features",
    "token_features",
]

FORMAT = 2  # a model as one JSON document (model_to_dict); 2: the "link" field (1 was softmax only, still read)
FORMATS = (1, 2)
# The artifact since round 9: a first line of JSON (everything but the terms), then the terms one per
# line, sorted (neighbours share their beginnings: it compresses), then each term's "idf<TAB>weight per
# class" ("idf" when every weight is 0) in the same order. Read line by line into arrays: as one JSON
# document, reading held every term's numbers as Python lists at once (the bot's peak memory rose by
# about 200 MB for 380,000 terms; the arrays and vocabulary it keeps take about 80 MB).
LINES_FORMAT = 3
WINDOW_CHARS = 300
# A window with fewer words than this (a number typed as a check-in answer, "ok", "enough.",
# "alvida sabko") is too short for the ordinary thresholds: the model misread such scraps as
# alarming far more often than it caught anything. It gets one stricter test instead: urgent when
# P(urgent) reaches Thresholds.short, chosen by cross-validation on the short training messages
# (never concern or the follow-up questions). The rules read every message.
MIN_WORDS = 3
NEVER = 1.01  # a threshold no probability reaches
ARTIFACT = "risk_model.xz"  # format 3 in xz, a third smaller than gzip; risk_model.json.gz before round 9, still read


@dataclass(frozen=True)
class Thresholds:
    """How probabilities become a level (chosen by grouped cross-validation on the training data).

    ``urgent``: P(urgent) at or above → urgent. ``concern``: P(urgent) + P(concern) at or above →
    concern. ``ask``: P(urgent) at or above (but below ``urgent``) → the C-SSRS follow-up questions.
    ``short``: a window of fewer than MIN_WORDS words is urgent at or above it, else nothing
    (above 1: such windows are never read).
    """

    urgent: float
    concern: float
    ask: float
    short: float = NEVER


@dataclass(frozen=True)
class Verdict:
    """The model's view of one message: its most severe window."""

    level: RiskLevel
    followup: bool
    p_urgent: float
    p_concern: float
    excerpt: str  # the window's own text when the message had several windows, else ""
    scored: bool = True  # False: no window was read (every one too short, or silenced)

    @property
    def fired(self) -> bool:
        return self.level > RiskLevel.NONE or self.followup

    def describe(self) -> str:
        """``"urgent 0.91"``, ``"concern 0.64"``, ``"ask 0.38"`` (+ the window's words if long)."""
        if self.level >= RiskLevel.URGENT or self.followup:
            what, score = ("urgent" if self.level >= RiskLevel.URGENT else "ask"), self.p_urgent
        else:
            what, score = self.level.label, self.p_urgent + self.p_concern
        text = f"{what} {score:.2f}"
        return f"{text}: {self.excerpt}" if self.excerpt else text


NO_VERDICT = Verdict(RiskLevel.NONE, False, 0.0, 0.0, "", scored=False)


@dataclass(frozen=True)
class RiskModel:
    """Exported weights; :meth:`probabilities` is scikit-learn's maths in plain Python."""

    classes: tuple[str, ...]
    intercepts: tuple[float, ...]
    # term → (idf, weight per class): a dict when trained, a TermTable over the arrays when read
    terms: Mapping[str, tuple[float, tuple[float, ...]]]
    thresholds: Thresholds
    meta: dict[str, Any] = field(default_factory=dict)
    # "softmax": one multinomial model; "ovr": one binary model per class (each class's sigmoid,
    # then divided by their sum, as scikit-learn's one-vs-rest), the NB-weighted model of round 4.
    link: str = "softmax"

    @cached_property
    def weights(self) -> Weights:
        """The terms as ids and the numbers as arrays, for fast scoring (built on first use, or
        already the model's own when it was read from the artifact)."""
        if isinstance(self.terms, TermTable):
            return self.terms.weights
        return Weights.of(self.terms, len(self.classes))

    def probabilities(self, feats: Iterable[str]) -> dict[str, float]:
        ids = self.weights.ids.ids
        sums = self.weights.sums(Counter(ids[f] for f in feats if f in ids))
        return self._link(sums.norm_sq, sums.partial)

    def _link(self, norm_sq: float, partial: list[float]) -> dict[str, float]:
        """The classes' probabilities from the tf-idf sums (scikit-learn's l2 norm, then the link)."""
        scores = list(self.intercepts)
        if norm_sq > 0.0:
            norm = math.sqrt(norm_sq)
            scores = [b + p / norm for b, p in zip(scores, partial, strict=True)]
        if self.link == "ovr":
            sigmoids = [_sigmoid(s) for s in scores]
            total = sum(sigmoids)
            return {name: p / total for name, p in zip(self.classes, sigmoids, strict=True)}
        top = max(scores)
        exps = [math.exp(s - top) for s in scores]
        total = sum(exps)
        return {name: e / total for name, e in zip(self.classes, exps, strict=True)}

    def probabilities_of(self, text: str) -> dict[str, float]:
        return self.probabilities(features(text))

    def decide(self, p_urgent: float, p_concern: float) -> tuple[RiskLevel, bool]:
        t = self.thresholds
        if p_urgent >= t.urgent:
            return RiskLevel.URGENT, False
        followup = p_urgent >= t.ask
        if p_urgent + p_concern >= t.concern:
            return RiskLevel.CONCERN, followup
        return (RiskLevel.WATCH if followup else RiskLevel.NONE), followup

    def verdict(self, norm: Normalised, skip: Sequence[tuple[int, int]] = ()) -> Verdict:
        """Score each window of ``norm`` and keep the most severe.

        ``skip`` holds token ranges (first, last) that override rules took
        out of the model's hands: the sentences containing them are not
        scored.
        """
        windows = sentence_windows(norm, skip)
        best = NO_VERDICT
        best_key: tuple[int, bool, float, float] = (-1, False, -1.0, -1.0)
        tokens = norm.tokens
        words_before = [0]  # words_before[i]: words among tokens[:i]
        for token in tokens:
            words_before.append(words_before[-1] + is_word(token))
        breaks = [index for index, token in enumerate(tokens) if token == SENTENCE_BREAK]
        pieces: dict[tuple[int, int], Sums] = {}  # a sentence (or a piece of one) → its counts and sums
        weights = self.weights
        for first, last in windows:
            short = words_before[last + 1] - words_before[first] < MIN_WORDS
            if short and self.thresholds.short > 1.0:
                continue
            parts: list[Sums] = []
            start = first
            for end in (*breaks[bisect_left(breaks, first) : bisect_left(breaks, last)], last + 1):
                if start < end:
                    part = pieces.get((start, end))
                    if part is None:
                        part = pieces[(start, end)] = weights.sentence(tokens[start:end])
                    parts.append(part)
                start = end + 1
            if len(parts) == 1:
                probs = self._link(parts[0].norm_sq, parts[0].partial)
            else:
                probs = self._link(*weights.joined(parts))
            p_urgent, p_concern = probs.get("urgent", 0.0), probs.get("concern", 0.0)
            if short:
                level, followup = (RiskLevel.URGENT if p_urgent >= self.thresholds.short else RiskLevel.NONE), False
            else:
                level, followup = self.decide(p_urgent, p_concern)
            key = (int(level), followup, p_urgent, p_concern)
            if key > best_key:
                excerpt = _excerpt(norm, first, last) if len(windows) > 1 else ""
                best, best_key = Verdict(level, followup, p_urgent, p_concern, excerpt), key
        return best


def _sigmoid(score: float) -> float:
    if score >= 0.0:
        return 1.0 / (1.0 + math.exp(-score))
    z = math.exp(score)
    return z / (1.0 + z)


@lru_cache(maxsize=65536)
def is_word(token: str) -> bool:
    """A token with a letter in it (not a number, nor a sentence end)."""
    return any(char.isalpha() for char in token)


def sentence_windows(norm: Normalised, skip: Sequence[tuple[int, int]] = ()) -> list[tuple[int, int]]:
    """Token ranges (first, last) the model scores, the most severe of which wins.

    A message up to WINDOW_CHARS long is one window, as the model was trained.
    A longer one is read sentence by sentence (a sentence longer than the
    limit in overlapping pieces, so a phrase on a cut is whole in one piece)
    and also in runs of whole sentences packed up to the limit, for context.
    Sentences overlapping a ``skip`` range are left out.
    """
    sentences: list[tuple[int, int]] = []
    start = None
    for index, token in enumerate((*norm.tokens, SENTENCE_BREAK)):
        if token == SENTENCE_BREAK:
            if start is not None:
                if not any(first <= index - 1 and start <= last for first, last in skip):
                    sentences.extend(_split_long(norm, start, index - 1))
                start = None
        elif start is None:
            start = index
    if not sentences:
        return []
    whole = (sentences[0][0], sentences[-1][1])
    if len(sentences) == 1 or (not skip and _chars(norm, *whole) <= WINDOW_CHARS):
        return [whole] if _chars(norm, *whole) <= WINDOW_CHARS else sentences
    packed: list[tuple[int, int]] = []
    for first, last in sentences:
        if packed:
            p_first, p_last = packed[-1]
            if p_last < first and _chars(norm, p_first, last) <= WINDOW_CHARS:
                packed[-1] = (p_first, last)
                continue
        packed.append((first, last))
    return sorted(set(sentences) | set(packed))


def _split_long(norm: Normalised, first: int, last: int) -> list[tuple[int, int]]:
    if _chars(norm, first, last) <= WINDOW_CHARS:
        return [(first, last)]
    pieces: list[tuple[int, int]] = []
    start = first
    while True:
        end = start
        while end < last and _chars(norm, start, end + 1) <= WINDOW_CHARS:
            end += 1
        pieces.append((start, end))
        if end >= last:
            return pieces
        middle = start + (end - start + 1) // 2
        start = max(middle, start + 1)


def _chars(norm: Normalised, first: int, last: int) -> int:
    return norm.spans[last][1] - norm.spans[first][0]


def _excerpt(norm: Normalised, first: int, last: int, limit: int = 60) -> str:
    text = " ".join(norm.source_text(first, last).split())
    return text if len(text) <= limit else "…" + text[-(limit - 1) :]


# --- the artifact ------------------------------------------------------------------------------


def packaged_path() -> Path:
    return Path(str(resources.files(__package__).joinpath("model", ARTIFACT)))


@lru_cache(maxsize=1)
def packaged_model() -> RiskModel | None:
    """The shipped model, read once; None when the package has none (rules alone then)."""
    path = packaged_path()
    if not path.is_file():
        return None
    return load_model(path)


def open_artifact(path: str | Path, mode: str = "rt") -> IO[Any]:
    """An artifact for reading or writing text: xz, or gzip when its name ends in ``.gz`` (older files)."""
    if str(path).endswith(".gz"):
        return cast(IO[Any], gzip.open(path, mode, encoding="utf-8", newline="\n"))
    return cast(IO[Any], lzma.open(path, mode, encoding="utf-8", newline="\n"))


def load_model(path: str | Path) -> RiskModel:
    with open_artifact(path) as handle:
        head = json.loads(handle.readline())  # a format 1 or 2 file is this one line
        if head.get("format") != LINES_FORMAT:
            return model_from_dict(head)
        return model_from_lines(head, handle)


def model_lines(model: RiskModel) -> Iterator[str]:
    """The artifact's lines (LINES_FORMAT), each ending in a newline; byte-for-byte reproducible."""
    head = model_to_dict(model)
    del head["terms"], head["rows"]
    head["format"], head["count"] = LINES_FORMAT, len(model.terms)
    yield json.dumps(head, ensure_ascii=False, sort_keys=True, separators=(",", ":")) + "\n"
    ordered = sorted(model.terms)
    for term in ordered:
        if any(char in term for char in "\t\n\r"):
            raise ValueError(f"risk model: a term with a tab or a line break cannot be written: {term!r}")
        yield term + "\n"
    for term in ordered:
        idf, weights = model.terms[term]
        yield "\t".join(map(repr, map(float, (idf, *weights) if any(weights) else (idf,)))) + "\n"


def model_from_lines(head: dict[str, Any], lines: Iterator[str]) -> RiskModel:
    """A LINES_FORMAT model from its first line (``head``, parsed) and the lines after it: ``count``
    terms, then their numbers in the same order."""
    width, count = len(head["classes"]), int(head["count"])
    names = [line.rstrip("\n") for line in islice(lines, count)]
    idf = array("d")
    coef = [array("d") for _ in range(width)]
    zeros = (0.0,) * width
    for number, line in enumerate(lines, start=count + 2):
        numbers = line.split("\t")
        if len(numbers) not in (1, 1 + width):
            raise ValueError(f"risk model line {number}: expected 1 or {1 + width} numbers, found {len(numbers)}")
        idf.append(float(numbers[0]))
        for column, value in zip(coef, map(float, numbers[1:]) if len(numbers) > 1 else zeros, strict=True):
            column.append(value)
    if len(names) != count or len(idf) != count:
        raise ValueError(f"risk model: {count} terms announced, {len(names)} terms and {len(idf)} rows found")
    return _model(head, TermTable(Weights.of_columns(names, idf, coef)))


def model_from_dict(data: dict[str, Any]) -> RiskModel:
    if data.get("format") not in FORMATS:
        raise ValueError(f"risk model format {data.get('format')!r}, expected one of {FORMATS}")
    if len(data["terms"]) != len(data["rows"]):
        raise ValueError(f"risk model: {len(data['terms'])} terms but {len(data['rows'])} rows")
    return _model(data, TermTable(Weights.of_rows(data["terms"], data["rows"], len(data["classes"]))))


def _model(data: dict[str, Any], terms: TermTable) -> RiskModel:
    link = data.get("link", "softmax")
    if link not in ("softmax", "ovr"):
        raise ValueError(f"risk model link {link!r}, expected softmax or ovr")
    t = data["thresholds"]
    return RiskModel(
        classes=tuple(data["classes"]),
        intercepts=tuple(data["intercepts"]),
        terms=terms,
        thresholds=Thresholds(urgent=t["urgent"], concern=t["concern"], ask=t["ask"], short=t.get("short", NEVER)),
        meta=dict(data.get("meta", {})),
        link=link,
    )


def model_to_dict(model: RiskModel) -> dict[str, Any]:
    ordered = sorted(model.terms)
    rows = []
    for term in ordered:
        idf, weights = model.terms[term]
        rows.append([idf, *weights] if any(weights) else [idf])
    t = model.thresholds
    return {
        "format": FORMAT,
        "link": model.link,
        "classes": list(model.classes),
        "intercepts": list(model.intercepts),
        "thresholds": {"urgent": t.urgent, "concern": t.concern, "ask": t.ask, "short": t.short},
        "meta": model.meta,
        "terms": ordered,
        "rows": rows,
    }
