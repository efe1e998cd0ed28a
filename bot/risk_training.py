"""Training the risk model (``saathi risk train``): scikit-learn, only at build time.

The bot scores with :mod:`bot.domain.risk.classifier` (standard library
only). This module fits that model with scikit-learn, using the very same
feature function as the analyzer, and exports the weights to the packaged
artifact. Everything is deterministic: files read in a fixed order, fixed
seeds, the deterministic ``lbfgs`` solver, sorted JSON, no timestamp.

Thresholds are chosen on out-of-fold predictions of the training data
(grouped cross-validation: a paraphrase group is never on both sides), for
urgent recall first; see :func:`choose_thresholds`. The evaluation script
(scripts/risk_eval.py) calls :func:`fit` on its training split only.

Needs the ``train`` extra: ``pip install -e '.[train]'``.
"""

from __future__ import annotations

import dataclasses
import gzip
import lzma
import random
import re
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import IO, Any

import numpy as np
import sklearn
from numpy.typing import ArrayLike
from scipy import sparse  # type: ignore[import-untyped]  # scipy ships no type stubs
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedGroupKFold
from threadpoolctl import threadpool_limits

from bot.domain.risk.classifier import (
    MIN_WORDS,
    NEVER,
    WINDOW_CHARS,
    RiskModel,
    Thresholds,
    model_lines,
    packaged_path,
)
from bot.domain.risk.corpus import Example, corpus_digest, load_corpus
from bot.domain.risk.features import CHAR_NGRAMS, CROSS_NGRAMS, SKIP_BIGRAMS, WORD_NGRAMS, feature_digest, features
from bot.domain.risk.normalise import normalise

SEED = 13
INNER_FOLDS = 5
# The model (round 4, chosen by inner CV on the training side, docs/clinical-rules.md): "nbsvm" is a
# binary logistic regression per class over the tf-idf features each scaled by its naive-Bayes
# log-count ratio for that class (Wang & Manning 2012, strong on short texts), combined one-vs-rest;
# "multinomial" is the one multinomial logistic regression of rounds 1-3.
MODEL = "nbsvm"
NB_ALPHA = 0.25  # the naive-Bayes ratios' smoothing (counts of messages that have the term); round 5: 1.0 before
# Round 7: 8 only. The inner criterion (the model alone) chose 16 with the round 7 thresholds, but the
# engine (rules + model) cross-validated on the training side did better at 8 with both the old and the
# new thresholds (docs/clinical-rules.md).
C_GRID: tuple[float, ...] = (8.0,)  # nbsvm (rounds 4-6: 8 and 16); the multinomial model used (8.0, 32.0)
# Training messages in Latin letters are also learnt in one respelling each (see respell): the
# spellings members alternate between ("v"/"w", "z"/"j", "ph"/"f", "sh"/"s", "ee"/"i", "oo"/"u",
# "aa"/"a", "kh"/"k", "q"/"k"). Only ever training messages: never a test or held-out line.
AUGMENT = True
MIN_DF = 2
DIGITS = 4  # significant digits kept in the artifact (round 5: 8 gave 4.9 MB; 4 changed no CV figure)

# Out-of-fold targets the thresholds are chosen for (a margin above the evaluation targets) ...
URGENT_RECALL = 0.985  # urgent messages scored urgent
CONCERN_CAUGHT = 0.95  # concern messages scored concern or urgent
ASK_RECALL = 0.995  # urgent messages scored urgent or sent the follow-up questions
# ... within a false-alarm budget: the share of none messages the model alone may flag or ask.
# Urgent recall first: with the present corpus the recall targets are out of reach and the budget
# decides. A budget of 0.10 (0.06 for alerts) bought about 0.14 more urgent recall out of fold, but
# the model then held ordinary circle chatter ("you lot are all fakes", "still think so") as
# concern or urgent, so members' words never reached their circle (the e2e circle tests): kept at
# 0.06 until the corpus has more ordinary chatter. Trade-off curve: docs/clinical-rules.md.
# Round 9: 0.07. The engine (rules + model) out of fold on the training corpus: the urgent threshold
# the old budget gave (0.625) let 0.897 of urgent messages through as urgent; 0.55 gives 0.928 for 1.2
# more points of alerts on ordinary messages, which the quieting of urgent topic rules (engine.py,
# QUIET_URGENT_BELOW) had just taken away (docs/clinical-rules.md).
FALSE_ALARM_BUDGET = 0.07
# Round 7 (training-side CV, docs/clinical-rules.md): of the same budget, more for urgent alerts (0.65
# instead of 0.5; with follow-up questions 0.85 instead of 0.75): urgent recall 0.812 -> 0.847 at the same
# false alarms, concern caught 0.855 -> 0.819 (urgent recall first, as issue 13 asks). Round 9: 0.78 and
# 0.9 (urgent alerts may flag 0.055 of ordinary messages out of fold, 0.039 before).
URGENT_BUDGET = 0.78  # of the budget, for urgent alerts
ASK_BUDGET = 0.9  # of the budget, for urgent alerts and follow-up questions together
# Messages of fewer than MIN_WORDS words: urgent only at a P(urgent) that flags at most this share
# of the short none messages ("ok", "hi all", "45 din 🙏") out of fold, and never below the urgent
# threshold; not read at all if that catches no short urgent message.
SHORT_BUDGET = 0.02
# Off in the shipped model: on a one-word random string ("5ar", a property test) the model gave
# P(urgent) 0.95; a word or two give it too few features to be trusted even with a strict threshold.
SHORT_MESSAGES = False
GRID = tuple(round(0.01 + 0.005 * i, 3) for i in range(197))  # 0.010 … 0.990


@cache
def _cached_features(text: str) -> tuple[str, ...]:
    return tuple(features(text))


def analyzer(text: str) -> tuple[str, ...]:
    """classifier.features, memoised for the many fits of one training run."""
    return _cached_features(text)


_ALTERNATIONS: tuple[tuple[str, str], ...] = (
    ("w", "v"),
    ("v", "w"),
    ("z", "j"),
    ("ph", "f"),
    ("sh", "s"),
    ("ee", "i"),
    ("oo", "u"),
    ("aa", "a"),
    ("ch", "c"),
    ("kh", "k"),
    ("q", "k"),
)
_LATIN_WORD = re.compile(r"[A-Za-z]+")


def respell(text: str) -> str:
    """One deterministic respelling of ``text``'s Latin words (each alternation applied to a word
    with probability 1/2, seeded by the text): "zindagi khatam" → "jindagi katam". Devanagari is
    left alone (its romanised view already shares features with the Latin lines)."""
    rnd = random.Random(zlib.crc32(text.encode("utf-8")))

    def one(match: re.Match[str]) -> str:
        word = match.group(0)
        for old, new in _ALTERNATIONS:
            if old in word and rnd.random() < 0.5:
                word = word.replace(old, new)
        return word

    return _LATIN_WORD.sub(one, text)


def augmented(texts: Sequence[str], labels: Sequence[str]) -> tuple[list[str], list[str]]:
    """The training texts plus one respelling of each that has Latin letters (AUGMENT)."""
    out_texts, out_labels = list(texts), list(labels)
    if AUGMENT:
        for text, label in zip(texts, labels, strict=True):
            variant = respell(text)
            if variant != text:
                out_texts.append(variant)
                out_labels.append(label)
    return out_texts, out_labels


class NBLogistic:
    """NBSVM-style classifier: per class, a balanced binary logistic regression on the features
    scaled by their naive-Bayes log-count ratio (presence counts, smoothed by NB_ALPHA); the classes'
    probabilities are their sigmoids divided by the sum. ``coef_`` holds the effective weights
    (ratio × weight), so the model exports and scores as a linear one (classifier.RiskModel, link
    "ovr")."""

    def __init__(self, c: float) -> None:
        self.c = c

    def fit(self, matrix: Any, labels: Sequence[str]) -> NBLogistic:
        y = np.asarray(labels)
        self.classes_ = np.array(sorted(set(y.tolist())))
        present = (matrix > 0).astype(np.float64)
        coefs, intercepts = [], []
        for name in self.classes_:
            inside = np.asarray(present[y == name].sum(axis=0)).ravel() + NB_ALPHA
            outside = np.asarray(present[y != name].sum(axis=0)).ravel() + NB_ALPHA
            ratio = np.log((inside / inside.sum()) / (outside / outside.sum()))
            binary = LogisticRegression(
                C=self.c, solver="lbfgs", max_iter=2000, class_weight="balanced", random_state=SEED
            )
            binary.fit(matrix @ sparse.diags(ratio), (y == name).astype(int))
            coefs.append(binary.coef_[0] * ratio)
            intercepts.append(binary.intercept_[0])
        self.coef_ = np.vstack(coefs)
        self.intercept_ = np.array(intercepts)
        return self

    def predict_proba(self, matrix: Any) -> np.ndarray:
        scores = np.asarray(matrix @ self.coef_.T) + self.intercept_
        sigmoids = 1.0 / (1.0 + np.exp(-scores))
        return sigmoids / sigmoids.sum(axis=1, keepdims=True)


@dataclass(frozen=True)
class Fitted:
    """A fitted vectorizer + classifier and the model exported from them."""

    vectorizer: TfidfVectorizer
    classifier: LogisticRegression | NBLogistic
    model: RiskModel

    def sklearn_probabilities(self, texts: Sequence[str]) -> list[dict[str, float]]:
        probs = self.classifier.predict_proba(self.vectorizer.transform(list(texts)))
        return [{str(c): float(p) for c, p in zip(self.classifier.classes_, row, strict=True)} for row in probs]


def _pipeline(c: float) -> tuple[TfidfVectorizer, LogisticRegression | NBLogistic]:
    vectorizer = TfidfVectorizer(analyzer=analyzer, sublinear_tf=True, norm="l2", min_df=MIN_DF, dtype=np.float64)
    if MODEL == "nbsvm":
        return vectorizer, NBLogistic(c)
    classifier = LogisticRegression(C=c, solver="lbfgs", max_iter=1000, class_weight="balanced", random_state=SEED)
    return vectorizer, classifier


def _fit_arrays(
    texts: Sequence[str], labels: Sequence[str], c: float
) -> tuple[TfidfVectorizer, LogisticRegression | NBLogistic]:
    """Fit on ``texts`` (plus their respellings, AUGMENT: training texts only)."""
    vectorizer, classifier = _pipeline(c)
    texts, labels = augmented(texts, labels)
    matrix = vectorizer.fit_transform(texts)
    classifier.fit(matrix, labels)
    return vectorizer, classifier


def out_of_fold(examples: Sequence[Example], c: float, folds: int = INNER_FOLDS) -> np.ndarray:
    """P(class) for each example from a model that never saw its paraphrase group.

    Columns in the order of LogisticRegression.classes_ (concern, none, urgent).
    Folds are grouped by paraphrase group and stratified by family.
    """
    texts = [e.text for e in examples]
    labels = np.array([e.label for e in examples])
    families = np.array([e.family for e in examples])
    groups = np.array([e.group for e in examples])
    folds = min(folds, len(set(groups)))
    splitter = StratifiedGroupKFold(n_splits=folds, shuffle=True, random_state=SEED)
    oof = np.zeros((len(examples), 3))
    for train_index, test_index in splitter.split(texts, families, groups):
        vectorizer, classifier = _fit_arrays([texts[i] for i in train_index], labels[train_index], c)
        columns = [list(classifier.classes_).index(name) for name in ("concern", "none", "urgent")]
        probs = classifier.predict_proba(vectorizer.transform([texts[i] for i in test_index]))
        oof[test_index] = probs[:, columns]
    return oof


def fold_models(examples: Sequence[Example], c: float, folds: int = INNER_FOLDS) -> list[tuple[list[int], RiskModel]]:
    """For cross-validating the whole engine on training data (scripts/risk_eval.py --cv).

    The folds of :func:`out_of_fold` (grouped, stratified by family), each with the model fitted on
    the other folds; every model carries the thresholds chosen on the pooled out-of-fold scores, as
    :func:`fit` would choose them for this C. Returns (indices of the fold's examples, model) pairs.
    """
    with threadpool_limits(limits=1):
        texts = [e.text for e in examples]
        labels = np.array([e.label for e in examples])
        families = np.array([e.family for e in examples])
        groups = np.array([e.group for e in examples])
        splitter = StratifiedGroupKFold(n_splits=min(folds, len(set(groups))), shuffle=True, random_state=SEED)
        oof = np.zeros((len(examples), 3))
        fitted = []
        for train_index, test_index in splitter.split(texts, families, groups):
            vectorizer, classifier = _fit_arrays([texts[i] for i in train_index], labels[train_index], c)
            columns = [list(classifier.classes_).index(name) for name in ("concern", "none", "urgent")]
            oof[test_index] = classifier.predict_proba(vectorizer.transform([texts[i] for i in test_index]))[:, columns]
            fitted.append((test_index, vectorizer, classifier))
        thresholds = choose_thresholds(labels, oof[:, 2], oof[:, 0])
        return [
            (
                [int(i) for i in test_index],
                export(
                    vectorizer,
                    classifier,
                    thresholds,
                    meta={"C": c, "out_of_fold": oof_summary(labels, oof, thresholds)},
                ),
            )
            for test_index, vectorizer, classifier in fitted
        ]


def choose_thresholds(
    labels: ArrayLike, p_urgent: ArrayLike, p_concern: ArrayLike, budget: float = FALSE_ALARM_BUDGET
) -> Thresholds:
    """Urgent recall first, then the follow-up band, then concern; all on out-of-fold scores.

    Each threshold is the highest that reaches its recall target (URGENT_RECALL, ASK_RECALL,
    CONCERN_CAUGHT), unless reaching it would flag more ordinary messages than its part of the
    false-alarm ``budget`` allows; then it is the lowest the budget allows, which is the most
    recall the budget buys. Urgent alerts may use URGENT_BUDGET of the budget, alerts plus
    follow-up questions ASK_BUDGET, everything together all of it. A recall target alone never
    sets a threshold above 0.5.
    """
    y = np.asarray(labels)
    pu = np.asarray(p_urgent, dtype=float)
    pc = pu + np.asarray(p_concern, dtype=float)
    urgent, concern, none = y == "urgent", y == "concern", y == "none"

    def share(mask: np.ndarray, hit: np.ndarray) -> float:
        return float(hit[mask].mean()) if mask.any() else (1.0 if mask is not none else 0.0)

    def pick(reaches: Any, within: Any, ceiling: float = 1.0) -> float:
        grid = [t for t in GRID if t <= ceiling]
        by_recall = max([t for t in grid if t <= 0.5 and reaches(t)], default=grid[0])
        by_budget = min([t for t in grid if within(t)], default=grid[-1])
        return max(by_recall, by_budget)

    t_urgent = pick(
        lambda t: share(urgent, pu >= t) >= URGENT_RECALL, lambda t: share(none, pu >= t) <= budget * URGENT_BUDGET
    )
    t_ask = pick(
        lambda t: share(urgent, pu >= t) >= ASK_RECALL,
        lambda t: share(none, pu >= t) <= budget * ASK_BUDGET,
        ceiling=t_urgent,
    )
    t_concern = pick(
        lambda t: share(concern, (pc >= t) | (pu >= t_urgent)) >= CONCERN_CAUGHT,
        lambda t: share(none, (pc >= t) | (pu >= t_ask)) <= budget,
    )
    return Thresholds(urgent=t_urgent, concern=t_concern, ask=t_ask)


def word_count(text: str) -> int:
    return sum(any(char.isalpha() for char in token) for token in normalise(text).tokens)


def choose_short(labels: ArrayLike, p_urgent: ArrayLike, short: ArrayLike, t_urgent: float) -> float:
    """The threshold for short messages (see SHORT_BUDGET), from out-of-fold scores of the short ones."""
    y, pu, mask = np.asarray(labels), np.asarray(p_urgent, dtype=float), np.asarray(short, dtype=bool)
    if not SHORT_MESSAGES:
        return NEVER
    none, urgent = mask & (y == "none"), mask & (y == "urgent")
    if not none.any() or not urgent.any():
        return NEVER
    within = [t for t in GRID if t >= t_urgent and float((pu[none] >= t).mean()) <= SHORT_BUDGET]
    if not within or not (pu[urgent] >= within[0]).any():
        return NEVER
    return within[0]


def oof_summary(labels: ArrayLike, oof: np.ndarray, thresholds: Thresholds) -> dict[str, float]:
    y = np.asarray(labels)
    pu, pc = oof[:, 2], oof[:, 2] + oof[:, 0]
    is_urgent = pu >= thresholds.urgent
    is_flagged = is_urgent | (pc >= thresholds.concern)
    asked = ~is_urgent & (pu >= thresholds.ask)

    def share(label: str, hit: np.ndarray) -> float:
        mask = y == label
        return round(float(hit[mask].mean()), 4) if mask.any() else 1.0

    return {
        "urgent_recall": share("urgent", is_urgent),
        "urgent_urgent_or_asked": share("urgent", is_urgent | asked),
        "concern_caught": share("concern", is_flagged),
        "none_false_alarms": share("none", is_flagged | asked),
    }


def short_summary(
    labels: Sequence[str], oof: np.ndarray, short: Sequence[bool], thresholds: Thresholds
) -> dict[str, float | int]:
    """Short messages out of fold: how many there were and what the short threshold did with them."""
    y, mask = np.asarray(labels), np.asarray(short, dtype=bool)
    hit = oof[:, 2] >= thresholds.short
    return {
        "messages": int(mask.sum()),
        "urgent_caught": int((hit & mask & (y == "urgent")).sum()),
        "urgent": int((mask & (y == "urgent")).sum()),
        "none_flagged": int((hit & mask & (y == "none")).sum()),
        "none": int((mask & (y == "none")).sum()),
    }


def _criterion(labels: Sequence[str], oof: np.ndarray) -> tuple[float, float, float]:
    """Lower is better: urgent recall first (negated) at the thresholds this C would get, then false
    alarms, then log loss."""
    thresholds = choose_thresholds(labels, oof[:, 2], oof[:, 0])
    summary = oof_summary(labels, oof, thresholds)
    columns = {"concern": 0, "none": 1, "urgent": 2}
    picked = oof[np.arange(len(labels)), [columns[label] for label in labels]]
    return (-summary["urgent_recall"], summary["none_false_alarms"], float(-np.log(np.clip(picked, 1e-12, 1.0)).mean()))


def fit(examples: Sequence[Example], *, c_grid: Sequence[float] = C_GRID, folds: int = INNER_FOLDS) -> Fitted:
    """Choose C and thresholds by grouped CV on ``examples``, then fit on all of them.

    One BLAS/OpenMP thread: the fits are small, and on a busy machine more threads than cores make
    lbfgs many times slower (docs/performance.md) without changing a digit of the result.
    """
    with threadpool_limits(limits=1):
        return _fit(examples, c_grid, folds)


def _fit(examples: Sequence[Example], c_grid: Sequence[float], folds: int) -> Fitted:
    labels = [e.label for e in examples]
    scored = []
    for c in c_grid:
        oof = out_of_fold(examples, c, folds)
        scored.append((_criterion(labels, oof), c, oof))
    _, c, oof = min(scored, key=lambda item: (item[0], item[1]))
    thresholds = choose_thresholds(labels, oof[:, 2], oof[:, 0])
    short = [word_count(e.text) < MIN_WORDS for e in examples]
    thresholds = dataclasses.replace(thresholds, short=choose_short(labels, oof[:, 2], short, thresholds.urgent))
    vectorizer, classifier = _fit_arrays([e.text for e in examples], labels, c)
    model = export(
        vectorizer,
        classifier,
        thresholds,
        meta={
            "C": c,
            "C_grid": list(c_grid),
            "corpus_sha256": corpus_digest(examples),
            "messages": len(examples),
            "per_language": _counts(e.language for e in examples),
            "per_label": _counts(labels),
            "out_of_fold": oof_summary(labels, oof, thresholds),
            "out_of_fold_short": short_summary(labels, oof, short, thresholds),
            "features": {
                "char_ngrams": list(CHAR_NGRAMS),
                "word_ngrams": list(WORD_NGRAMS),
                "min_df": MIN_DF,
                "skip_bigrams": SKIP_BIGRAMS,
                "cross_ngrams": list(CROSS_NGRAMS) if CROSS_NGRAMS else None,
                "window_chars": WINDOW_CHARS,
                "digest": feature_digest(),
            },
            "classifier": {"model": MODEL, "nb_alpha": NB_ALPHA, "augment": AUGMENT},
            "seed": SEED,
            "inner_folds": folds,
            "sklearn": sklearn.__version__,
        },
    )
    return Fitted(vectorizer, classifier, model)


def _counts(values: Any) -> dict[str, int]:
    counts: dict[str, int] = {}
    for value in values:
        counts[value] = counts.get(value, 0) + 1
    return dict(sorted(counts.items()))


def _round(value: float, digits: int = DIGITS) -> float:
    return float(f"{float(value):.{digits}g}")


def export(
    vectorizer: TfidfVectorizer,
    classifier: LogisticRegression | NBLogistic,
    thresholds: Thresholds,
    meta: dict[str, Any],
    digits: int = DIGITS,
) -> RiskModel:
    """The fitted weights as a RiskModel, each number kept to ``digits`` significant digits (DIGITS in
    the artifact; 17 reproduces scikit-learn exactly)."""
    classes = tuple(str(c) for c in classifier.classes_)
    coef = classifier.coef_
    idf = vectorizer.idf_
    terms: dict[str, tuple[float, tuple[float, ...]]] = {}
    for term, column in vectorizer.vocabulary_.items():
        terms[term] = (_round(idf[column], digits), tuple(_round(coef[k, column], digits) for k in range(len(classes))))
    return RiskModel(
        classes=classes,
        intercepts=tuple(_round(b, digits) for b in classifier.intercept_),
        terms=terms,
        thresholds=thresholds,
        meta=meta,
        link="ovr" if isinstance(classifier, NBLogistic) else "softmax",
    )


def save_model(model: RiskModel, path: str | Path) -> None:
    """Write the artifact byte-for-byte reproducibly (classifier.model_lines; xz, or gzip for a ``.gz``
    name, whose header then holds no timestamp)."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    with open(target, "wb") as raw, _packer(target.name, raw) as packed:
        for line in model_lines(model):
            packed.write(line.encode("utf-8"))


def _packer(name: str, raw: IO[bytes]) -> gzip.GzipFile | lzma.LZMAFile:
    """gzip for a ``.gz`` name (no timestamp in its header), else xz (an xz stream holds none)."""
    if name.endswith(".gz"):
        return gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=9)
    return lzma.LZMAFile(raw, "wb", preset=9)


def train(corpus: str | Path | None = None, out: str | Path | None = None) -> Fitted:
    """``saathi risk train``: fit on the corpus and write the artifact (default: the packaged one)."""
    examples = load_corpus(corpus)
    if not examples:
        raise ValueError("the corpus is empty")
    fitted = fit(examples)
    save_model(fitted.model, out if out is not None else packaged_path())
    return fitted
