#!/usr/bin/env python3
"""Evaluate the risk engine (rules + trained model) honestly.

    .venv/bin/python scripts/risk_eval.py                  # corpus, grouped split; regression set
    .venv/bin/python scripts/risk_eval.py --lofo           # also leave-one-family-out (slow, minutes)
    .venv/bin/python scripts/risk_eval.py --writers        # also "new writers": train on groups < 501, score the rest
    .venv/bin/python scripts/risk_eval.py --markdown       # also rewrite the figures in docs/clinical-rules.md
    .venv/bin/python scripts/risk_eval.py --cv --errors-train  # the engine cross-validated on the training side only
    .venv/bin/python scripts/risk_eval.py --holdout-round3 # score round 3 (groups 2001-4000), train on the rest
    .venv/bin/python scripts/risk_eval.py other.tsv --errors   # any labelled file, with the shipped engine
    .venv/bin/python scripts/risk_eval.py new/*.tsv            # corpus-format files: per language and family

**The corpus run** (``bot/domain/risk/corpus/*.tsv``, needs the ``train``
extra). The corpus is split by paraphrase group, stratified by language and
family: within each (language, family) a quarter of the groups, chosen with a
fixed seed, go to the test side, whole, so no paraphrase of a test message is
learnt from, and every family of every language is on both sides. A model
is trained on the training side only (C and thresholds by grouped
cross-validation inside it: bot/risk_training.py) and the engine (rules +
that model) is scored on the test side, per language and per family. The
test side is never used to choose anything. Targets, in every language:

* urgent recall ≥ 0.97 (scored urgent);
* concern caught ≥ 0.90 (scored concern **or urgent**: a counsellor is alerted
  either way; the strict share scored exactly concern is shown too);
* false alarms on none ≤ 0.08 (scored concern or urgent, or asked the
  follow-up questions).

``--writers`` (and ``--markdown``) adds a "new writers" run: trained on the
first writers' lines only (group numbers below 501), scored on everyone
else's (the extra batch and every later round), with no target.

``--lofo`` adds a leave-one-family-out run: each family in turn is left out of
training and scored; a stress figure for kinds of message nobody wrote
examples of, with no target.

**A labelled file** (``PATH``; by default the old rules regression set
``tests/data/risk_labelled.tsv``, ``language<TAB>label<TAB>text``) is scored
with the shipped engine, with the regression thresholds: urgent recall ≥ 0.98,
concern recall ≥ 0.90 and none precision ≥ 0.85, overall and in each language
with at least ``MIN_PER_LANGUAGE`` messages of the label. A file in the corpus
format (with a ``label language family group text`` header) is read too.

How an assessment becomes a label (the engine has four levels, the sets
three): URGENT → ``urgent``; CONCERN → ``concern``; WATCH with
``needs_followup`` → ``concern`` (the C-SSRS follow-up questions run and any
"yes" escalates); any other WATCH and NONE → ``none``. The regression set is
scored strictly per class; "flagged" shows the share caught at that level or
higher.

**Files in the corpus format** (``label language family group text``, e.g. a
new round written by independent writers), one or several, are scored once
with the shipped engine and reported as the corpus run is: per language
(rules + model, rules alone, model alone), per family, confusion tables, and
the corpus targets above, which set the exit status. Nothing is trained.

Exit status 1 when a target or threshold is missed, 2 on an unreadable file.
``evaluate(path)`` and ``evaluate_corpus()`` return the figures for tests.
"""

from __future__ import annotations

import argparse
import random
import re
import sys
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a plain script from anywhere
    sys.path.insert(0, str(ROOT))

from bot.domain.risk import RiskAssessment, RiskLevel, RiskModel, classify_text, packaged_model
from bot.domain.risk import corpus as risk_corpus

DEFAULT_PATH = ROOT / "tests" / "data" / "risk_labelled.tsv"
DOCS = ROOT / "docs" / "clinical-rules.md"
LABELS: tuple[str, ...] = ("urgent", "concern", "none")
LANGUAGES: tuple[str, ...] = ("en", "hi", "hi-Latn", "mr", "mr-Latn")
HEADER = ("language", "label", "text")
SEED = 7
TEST_SHARE = 0.25

# Regression set: (label, metric) → minimum. Checked overall and per language.
THRESHOLDS: dict[tuple[str, str], float] = {
    ("urgent", "recall"): 0.98,
    ("concern", "recall"): 0.90,
    ("none", "precision"): 0.85,
}
MIN_PER_LANGUAGE = 10  # fewer messages of a label than this: reported, not gated

# Corpus grouped split: targets in every language.
URGENT_RECALL_TARGET = 0.97
CONCERN_CAUGHT_TARGET = 0.90
FALSE_ALARM_TARGET = 0.08

MARK_BEGIN = "<!-- risk-eval:begin (generated by scripts/risk_eval.py --markdown) -->"
MARK_END = "<!-- risk-eval:end -->"


class LabelledFileError(ValueError):
    """A malformed line in a labelled file; the message names the line."""


@dataclass(frozen=True)
class Example:
    line: int
    language: str
    label: str
    text: str
    family: str = ""
    group: str = ""
    source: str = ""  # the file, when several are scored together


@dataclass(frozen=True)
class Result:
    example: Example
    predicted: str
    level: RiskLevel
    rule_ids: tuple[str, ...]
    followup: bool = False

    @property
    def correct(self) -> bool:
        return self.predicted == self.example.label

    @property
    def flagged(self) -> bool:
        """A counsellor is alerted or the member asked the follow-up questions."""
        return self.predicted != "none"


def label_of(assessment: RiskAssessment) -> str:
    """Map a four-level assessment to the three evaluation labels (see module doc)."""
    if assessment.level >= RiskLevel.URGENT:
        return "urgent"
    if assessment.level == RiskLevel.CONCERN:
        return "concern"
    if assessment.level == RiskLevel.WATCH and assessment.needs_followup:
        return "concern"
    return "none"


@dataclass
class Evaluation:
    results: list[Result] = field(default_factory=list)

    # -- selection ---------------------------------------------------------------
    def subset(self, language: str | None = None, family: str | None = None) -> list[Result]:
        return [
            r
            for r in self.results
            if (language is None or r.example.language == language) and (family is None or r.example.family == family)
        ]

    @property
    def languages(self) -> list[str]:
        seen = {r.example.language for r in self.results}
        return [lang for lang in LANGUAGES if lang in seen] + sorted(seen - set(LANGUAGES))

    # -- metrics -----------------------------------------------------------------
    def recall(self, label: str, language: str | None = None) -> float | None:
        rows = [r for r in self.subset(language) if r.example.label == label]
        return sum(r.predicted == label for r in rows) / len(rows) if rows else None

    def precision(self, label: str, language: str | None = None) -> float | None:
        rows = [r for r in self.subset(language) if r.predicted == label]
        return sum(r.example.label == label for r in rows) / len(rows) if rows else None

    def flagged(self, label: str, language: str | None = None) -> float | None:
        """Share of ``label`` messages assessed at that label's level or higher."""
        order = {name: index for index, name in enumerate(reversed(LABELS))}
        rows = [r for r in self.subset(language) if r.example.label == label]
        if not rows:
            return None
        return sum(order[r.predicted] >= order[label] for r in rows) / len(rows)

    def false_alarms(self, language: str | None = None) -> float | None:
        """Share of none messages alerted on or asked the follow-up questions."""
        rows = [r for r in self.subset(language) if r.example.label == "none"]
        return sum(r.flagged for r in rows) / len(rows) if rows else None

    def alerts(self, language: str | None = None) -> float | None:
        """Share of none messages that reach a counsellor (concern or urgent; the follow-up questions alone not)."""
        rows = [r for r in self.subset(language) if r.example.label == "none"]
        return sum(r.level >= RiskLevel.CONCERN for r in rows) / len(rows) if rows else None

    def support(self, label: str, language: str | None = None) -> int:
        return sum(r.example.label == label for r in self.subset(language))

    def accuracy(self, language: str | None = None) -> float | None:
        rows = self.subset(language)
        return sum(r.correct for r in rows) / len(rows) if rows else None

    def confusion(self, language: str | None = None) -> dict[tuple[str, str], int]:
        """(true label, predicted label) → count."""
        counts = Counter((r.example.label, r.predicted) for r in self.subset(language))
        return {(t, p): counts.get((t, p), 0) for t in LABELS for p in LABELS}

    def errors(self) -> list[Result]:
        return [r for r in self.results if not r.correct]

    # -- thresholds --------------------------------------------------------------
    def failures(self) -> list[str]:
        """Regression-set threshold breaches, overall and per language, as readable lines."""
        problems: list[str] = []
        for language in (None, *self.languages):
            where = language or "all"
            for (label, metric), minimum in THRESHOLDS.items():
                if language is not None and self.support(label, language) < MIN_PER_LANGUAGE:
                    continue
                value = getattr(self, metric)(label, language)
                if value is None and metric == "precision":
                    continue  # nothing predicted at that label: no precision to miss
                if value is None or value < minimum:
                    shown = "n/a" if value is None else f"{value:.3f}"
                    problems.append(f"{where}: {label} {metric} {shown} < {minimum:.2f}")
        return problems

    def target_failures(self) -> list[str]:
        """Corpus targets missed, overall and in each language."""
        problems: list[str] = []
        for language in (None, *self.languages):
            where = language or "all"
            checks = (
                ("urgent recall", self.recall("urgent", language), URGENT_RECALL_TARGET, False),
                ("concern caught", self.flagged("concern", language), CONCERN_CAUGHT_TARGET, False),
                ("none false alarms", self.false_alarms(language), FALSE_ALARM_TARGET, True),
            )
            for name, value, target, at_most in checks:
                if value is None:
                    continue
                if (value > target) if at_most else (value < target):
                    problems.append(f"{where}: {name} {value:.3f} {'>' if at_most else '<'} {target:.2f}")
        return problems

    @property
    def passed(self) -> bool:
        return not self.failures()

    # -- report ------------------------------------------------------------------
    def report(self, show_errors: bool = False) -> str:
        lines: list[str] = []
        total = len(self.results)
        lines.append(f"{total} labelled messages")
        lines.append("")
        lines.append(_metrics_table(self, [None, *self.languages]))
        lines.append("")
        lines.append("Confusion matrix, all languages (rows: label, columns: engine)")
        lines.append(_confusion_table(self.confusion()))
        for language in self.languages:
            lines.append("")
            lines.append(f"Confusion matrix, {language}")
            lines.append(_confusion_table(self.confusion(language)))
        lines.append("")
        lines.extend(_error_lines(self, show_errors))
        lines.append("")
        failures = self.failures()
        if failures:
            lines.append("FAILED thresholds:")
            lines.extend(f"  {problem}" for problem in failures)
        else:
            thresholds = ", ".join(
                f"{label} {metric} ≥ {minimum:.2f}" for (label, metric), minimum in THRESHOLDS.items()
            )
            lines.append(f"PASSED ({thresholds})")
        return "\n".join(lines)


def _error_lines(evaluation: Evaluation, show: bool) -> list[str]:
    errors = evaluation.errors()
    lines = [f"{len(errors)} disagreements" + (":" if show and errors else "")]
    if show:
        for r in errors:
            ex = r.example
            ids = ",".join(r.rule_ids) or "-"
            where = f"{ex.family} " if ex.family else ""
            place = f"{ex.source}:{ex.line}" if ex.source else f"line {ex.line}"
            lines.append(f"  {place} [{ex.language}] {where}{ex.label} → {r.predicted} ({ids}): {ex.text}")
    return lines


def _fmt(value: float | None) -> str:
    return "  -  " if value is None else f"{value:5.3f}"


def _metrics_table(evaluation: Evaluation, languages: Sequence[str | None]) -> str:
    header = f"{'language':<9} {'level':<8} {'n':>4}  {'recall':>6} {'precision':>9} {'flagged':>7}"
    rows = [header, "-" * len(header)]
    for language in languages:
        for label in LABELS:
            rows.append(
                f"{language or 'all':<9} {label:<8} {evaluation.support(label, language):>4}  "
                f"{_fmt(evaluation.recall(label, language)):>6} {_fmt(evaluation.precision(label, language)):>9} "
                f"{_fmt(evaluation.flagged(label, language)) if label != 'none' else '':>7}"
            )
        rows.append(
            f"{language or 'all':<9} {'accuracy':<8} {len(evaluation.subset(language)):>4}  "
            f"{_fmt(evaluation.accuracy(language)):>6}"
        )
    return "\n".join(rows)


def _confusion_table(matrix: dict[tuple[str, str], int]) -> str:
    rows = [f"{'':<9}" + "".join(f"{p:>9}" for p in LABELS)]
    for t in LABELS:
        rows.append(f"{t:<9}" + "".join(f"{matrix[(t, p)]:>9}" for p in LABELS))
    return "\n".join(rows)


# --- reading --------------------------------------------------------------------------------------


def load_labelled(path: str | Path) -> list[Example]:
    """Read a labelled TSV file, strictly: a bad line raises LabelledFileError.

    ``language<TAB>label<TAB>text`` lines, or a corpus file (its header first).
    """
    text = Path(path).read_text(encoding="utf-8")
    first = next((line for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")), "")
    if tuple(p.strip().lower() for p in first.split("\t")) == risk_corpus.HEADER:
        try:
            return [_from_corpus(e) for e in risk_corpus.parse_corpus(text, source=str(path))]
        except risk_corpus.CorpusError as exc:
            raise LabelledFileError(str(exc)) from None
    examples: list[Example] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip() or raw.lstrip().startswith("#"):
            continue
        parts = raw.split("\t", 2)
        if len(parts) != 3:
            raise LabelledFileError(f"{path}:{number}: expected language<TAB>label<TAB>text")
        language, label, message = parts[0].strip(), parts[1].strip().lower(), parts[2]
        if (language.lower(), label, message.strip().lower()) == HEADER:
            continue
        if label not in LABELS:
            raise LabelledFileError(f"{path}:{number}: label {label!r} is not one of {', '.join(LABELS)}")
        if not message.strip():
            raise LabelledFileError(f"{path}:{number}: empty message")
        examples.append(Example(number, language, label, message))
    return examples


def _from_corpus(e: risk_corpus.Example) -> Example:
    return Example(e.line, e.language, e.label, e.text, e.family, e.group)


# --- scoring --------------------------------------------------------------------------------------


def evaluate_examples(
    examples: Iterable[Example], classify: Callable[[str], RiskAssessment] = classify_text
) -> Evaluation:
    results: list[Result] = []
    for example in examples:
        assessment = classify(example.text)
        results.append(
            Result(example, label_of(assessment), assessment.level, assessment.rule_ids, assessment.needs_followup)
        )
    return Evaluation(results)


def evaluate(path: str | Path = DEFAULT_PATH, *, rules_only: bool = False) -> Evaluation:
    """Classify every message in ``path`` with the shipped engine (or its rules alone) and return the figures."""
    if rules_only:
        return evaluate_examples(load_labelled(path), lambda text: classify_text(text, model=None))
    return evaluate_examples(load_labelled(path))


def evaluate_files(paths: Sequence[str | Path]) -> CorpusEvaluation | None:
    """Corpus-format files scored once with the shipped engine, each layer also alone (no training).

    None when a file is not in the corpus format (no family): those are scored with :func:`evaluate`.
    """
    examples: list[Example] = []
    for path in paths:
        loaded = load_labelled(path)
        if not loaded or not all(e.family for e in loaded):
            return None
        name = Path(path).name
        examples.extend(Example(e.line, e.language, e.label, e.text, e.family, e.group, name) for e in loaded)
    model = packaged_model()
    if model is None:
        raise LabelledFileError("no shipped model (bot/domain/risk/model/): run saathi risk train")
    return CorpusEvaluation(
        combined=evaluate_examples(examples),
        rules_only=evaluate_examples(examples, lambda text: classify_text(text, model=None)),
        model_only=evaluate_examples(examples, lambda text: _model_alone(text, model)),
        model=model,
        train_size=int(model.meta.get("messages", 0)),
    )


def grouped_split(
    examples: Sequence[risk_corpus.Example], share: float = TEST_SHARE, seed: int = SEED
) -> tuple[list[risk_corpus.Example], list[risk_corpus.Example]]:
    """Whole paraphrase groups to one side; within each (language, family) ``share`` of the groups
    (at least one, and never all when there are two or more) go to the test side."""
    groups: dict[tuple[str, str], list[str]] = defaultdict(list)
    for e in examples:
        key = (e.language, e.family)
        if e.group not in groups[key]:
            groups[key].append(e.group)
    test_groups: set[str] = set()
    for key in sorted(groups):
        names = sorted(groups[key])
        random.Random(f"{seed}:{key[0]}:{key[1]}").shuffle(names)
        count = max(1, round(share * len(names))) if len(names) > 1 else 0
        test_groups.update(names[: min(count, len(names) - 1)])
    train = [e for e in examples if e.group not in test_groups]
    test = [e for e in examples if e.group in test_groups]
    return train, test


@dataclass
class CorpusEvaluation:
    """The engine (rules + a model trained on the training side) on the held-out side, and each layer alone."""

    combined: Evaluation
    rules_only: Evaluation
    model_only: Evaluation
    model: RiskModel
    train_size: int

    def failures(self) -> list[str]:
        return self.combined.target_failures()


def _fit(train: Sequence[risk_corpus.Example], **kwargs: object) -> RiskModel:
    from bot.risk_training import fit  # needs scikit-learn: only imported for a corpus run

    return fit(train, **kwargs).model  # type: ignore[arg-type]


def evaluate_corpus(examples: Sequence[risk_corpus.Example] | None = None) -> CorpusEvaluation:
    examples = risk_corpus.load_corpus() if examples is None else examples
    return train_and_score(*grouped_split(examples))


def train_and_score(train: Sequence[risk_corpus.Example], test: Sequence[risk_corpus.Example]) -> CorpusEvaluation:
    """Fit a model on ``train`` only; score the engine and each layer alone on ``test``."""
    model = _fit(train)
    test_examples = [_from_corpus(e) for e in test]
    return CorpusEvaluation(
        combined=evaluate_examples(test_examples, lambda text: classify_text(text, model=model)),
        rules_only=evaluate_examples(test_examples, lambda text: classify_text(text, model=None)),
        model_only=evaluate_examples(test_examples, lambda text: _model_alone(text, model)),
        model=model,
        train_size=len(train),
    )


def cross_validate(train: Sequence[risk_corpus.Example], c: float, folds: int = 5) -> CorpusEvaluation:
    """The engine cross-validated on the training side alone (``--cv``): for diagnosis and for choosing.

    Grouped folds; each fold scored by rules + a model fitted on the other folds (C fixed, thresholds
    on the pooled out-of-fold scores). The held-out side is never touched, so its errors may be listed
    (``--errors-train``) and used to improve rules, lexicons and features.
    """
    from bot.risk_training import fold_models  # needs scikit-learn

    results: dict[str, list[Result]] = {"combined": [], "rules": [], "model": []}
    model: RiskModel | None = None
    for indices, model in fold_models(train, c, folds):
        examples = [_from_corpus(train[i]) for i in indices]
        fold_model = model
        results["combined"] += evaluate_examples(examples, lambda t, m=fold_model: classify_text(t, model=m)).results
        results["rules"] += evaluate_examples(examples, lambda t: classify_text(t, model=None)).results
        results["model"] += evaluate_examples(examples, lambda t, m=fold_model: _model_alone(t, m)).results
    assert model is not None
    order = {(e.line, e.text): i for i, e in enumerate(train)}

    def ordered(rows: list[Result]) -> Evaluation:
        return Evaluation(sorted(rows, key=lambda r: order.get((r.example.line, r.example.text), 0)))

    return CorpusEvaluation(
        combined=ordered(results["combined"]),
        rules_only=ordered(results["rules"]),
        model_only=ordered(results["model"]),
        model=model,
        train_size=len(train),
    )


def split_by_group_number(
    examples: Sequence[risk_corpus.Example], first_test: int, end_test: int | None = None
) -> tuple[list[risk_corpus.Example], list[risk_corpus.Example]]:
    """Lines whose group number is in [first_test, end_test) to test, every other line to train
    (``--test-groups-from`` / ``--test-groups-to``; no end: every group from ``first_test`` on)."""

    def tested(e: risk_corpus.Example) -> bool:
        return first_test <= group_number(e) and (end_test is None or group_number(e) < end_test)

    return [e for e in examples if not tested(e)], [e for e in examples if tested(e)]


def split_round3(
    examples: Sequence[risk_corpus.Example],
) -> tuple[list[risk_corpus.Example], list[risk_corpus.Example]]:
    """``--holdout-round3``: round 3 (files ``round3-*.tsv``, or groups 2001-4000) to test, every
    other line to train, the first writers, round 2 and round 4 (groups from 4001) included."""

    def tested(e: risk_corpus.Example) -> bool:
        return e.source.startswith("round3-") or ROUND3_GROUPS <= group_number(e) < ROUND4_GROUPS

    return [e for e in examples if not tested(e)], [e for e in examples if tested(e)]


ROUND3_GROUPS = 2001  # round 3 (written while round 2's model was built): groups 2001-4000
ROUND4_GROUPS = 4001  # round 4 (written during round 4's changes, training data): groups from 4001
FIRST_ROUND_GROUPS = 501  # group numbers below: the first writers; from here: the extra batch and every later round


def group_number(example: risk_corpus.Example) -> int:
    """``en-plan-1004`` → 1004 (0 for a group without a number)."""
    tail = example.group.rsplit("-", 1)[-1]
    return int(tail) if tail.isdigit() else 0


def new_writers(examples: Sequence[risk_corpus.Example]) -> CorpusEvaluation:
    """Train on the first writers' lines only (group < 501), score the other writers' (≥ 501).

    A "new writers" figure: none of the held-out lines were written by the people whose lines the
    model learnt from, as with members' own messages.
    """
    return train_and_score(
        [e for e in examples if group_number(e) < FIRST_ROUND_GROUPS],
        [e for e in examples if group_number(e) >= FIRST_ROUND_GROUPS],
    )


def _model_alone(text: str, model: RiskModel) -> RiskAssessment:
    from bot.domain.risk.normalise import normalise

    verdict = model.verdict(normalise(text))
    return RiskAssessment(level=verdict.level, reasons=(), needs_followup=verdict.followup)


def leave_one_family_out(
    examples: Sequence[risk_corpus.Example], c: float, progress: bool = False
) -> dict[str, Evaluation]:
    """Each family left out of training in turn (C fixed, thresholds by 3-fold inner CV)."""
    results: dict[str, Evaluation] = {}
    for family in risk_corpus.FAMILIES:
        held = [_from_corpus(e) for e in examples if e.family == family]
        if not held:
            continue
        model = _fit([e for e in examples if e.family != family], c_grid=(c,), folds=3)
        results[family] = evaluate_examples(held, lambda text, m=model: classify_text(text, model=m))
        if progress:
            print(f"  left out {family}: done", file=sys.stderr, flush=True)
    return results


# --- corpus report ------------------------------------------------------------------------------------


def _p(value: float | None) -> str:
    return "–" if value is None else f"{value:.3f}"


def _language_rows(evaluation: Evaluation) -> list[list[str]]:
    rows = []
    for language in (*evaluation.languages, None):
        rows.append(
            [
                language or "**all**",
                str(len(evaluation.subset(language))),
                _p(evaluation.recall("urgent", language)),
                _p(evaluation.precision("urgent", language)),
                _p(evaluation.flagged("concern", language)),
                _p(evaluation.recall("concern", language)),
                _p(evaluation.precision("concern", language)),
                _p(evaluation.false_alarms(language)),
                _p(evaluation.alerts(language)),
            ]
        )
    return rows


LANGUAGE_HEADER = [
    "language",
    "n",
    "urgent recall",
    "urgent precision",
    "concern caught (concern or urgent)",
    "concern recall (strict)",
    "concern precision",
    "none false alarms",
    "of which reached a counsellor",
]


def _family_rows(evaluation: Evaluation) -> list[list[str]]:
    rows = []
    for family, label in risk_corpus.FAMILIES.items():
        subset = evaluation.subset(family=family)
        if not subset:
            continue
        n = len(subset)
        if label == "none":
            what = f"false alarms {sum(r.flagged for r in subset) / n:.3f}"
        elif label == "concern":
            what = (
                f"caught {sum(r.flagged for r in subset) / n:.3f} "
                f"(strict {sum(r.predicted == 'concern' for r in subset) / n:.3f})"
            )
        else:
            what = (
                f"urgent {sum(r.predicted == 'urgent' for r in subset) / n:.3f} "
                f"(flagged {sum(r.flagged for r in subset) / n:.3f})"
            )
        by_language = " ".join(
            f"{lang} {_family_share(evaluation.subset(lang, family), label)}"
            for lang in evaluation.languages
            if evaluation.subset(lang, family)
        )
        rows.append([family, label, str(n), what, by_language])
    return rows


def _family_share(rows: list[Result], label: str) -> str:
    if label == "none" or label == "concern":
        hit = sum(r.flagged for r in rows)
    else:
        hit = sum(r.predicted == "urgent" for r in rows)
    return f"{hit}/{len(rows)}"


def _markdown_table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines.extend("| " + " | ".join(row) + " |" for row in rows)
    return "\n".join(lines)


def _confusion_markdown(evaluation: Evaluation, language: str | None) -> str:
    matrix = evaluation.confusion(language)
    rows = [[f"**{t}**", *(str(matrix[(t, p)]) for p in LABELS)] for t in LABELS]
    return _markdown_table([language or "all", *(f"→ {p}" for p in LABELS)], rows)


def _layers_table(run: CorpusEvaluation) -> str:
    return _markdown_table(
        ["layer", "urgent recall", "concern caught", "none false alarms", "of which reached a counsellor"],
        [
            [name, _p(e.recall("urgent")), _p(e.flagged("concern")), _p(e.false_alarms()), _p(e.alerts())]
            for name, e in (
                ("rules only", run.rules_only),
                ("model only", run.model_only),
                ("rules + model", run.combined),
            )
        ],
    )


def corpus_markdown(
    run: CorpusEvaluation,
    lofo: dict[str, Evaluation] | None,
    regression: Evaluation,
    combined: Evaluation,
    writers: CorpusEvaluation | None = None,
) -> str:
    model = run.model
    t = model.thresholds
    parts = [
        MARK_BEGIN,
        "",
        f"Corpus: {run.train_size + len(run.combined.results)} messages; grouped split (seed {SEED}): "
        f"{run.train_size} to train, {len(run.combined.results)} held out. Model trained on the training "
        f"side only: C = {model.meta['C']}, thresholds by grouped 5-fold CV inside it: urgent "
        f"{t.urgent}, concern {t.concern}, ask {t.ask}, short messages {t.short}.",
        "",
        "**Held-out side, rules + model (what the bot does):**",
        "",
        _markdown_table(LANGUAGE_HEADER, _language_rows(run.combined)),
        "",
        "Each layer alone on the same held-out messages (for comparison):",
        "",
        _layers_table(run),
        "",
        "Targets (every language): urgent recall ≥ 0.97, concern caught ≥ 0.90, none false alarms ≤ 0.08.",
        "",
    ]
    failures = run.failures()
    parts.append("**Missed:** " + "; ".join(failures) + "." if failures else "**All targets met.**")
    parts += ["", "Confusion (rows: label, columns: engine; a follow-up question counts as concern):", ""]
    for language in (None, *run.combined.languages):
        parts += [_confusion_markdown(run.combined, language), ""]
    parts += [
        "Per family, held-out side (urgent families: share scored urgent, and flagged at any level; "
        "concern families: caught at concern or urgent; none families: false alarms), with "
        "counts per language:",
        "",
        _markdown_table(["family", "label", "n", "share", "per language"], _family_rows(run.combined)),
        "",
    ]
    if writers is not None:
        parts += [
            f"New writers (no target, the closest to members' own words): trained on the first writers' "
            f"lines only (groups < {FIRST_ROUND_GROUPS}, {writers.train_size} messages), scored on the "
            f"other writers' lines ({len(writers.combined.results)} messages: the extra batch and every later round; "
            f"thresholds urgent {writers.model.thresholds.urgent}, concern "
            f"{writers.model.thresholds.concern}, ask {writers.model.thresholds.ask}):",
            "",
            _markdown_table(LANGUAGE_HEADER, _language_rows(writers.combined)),
            "",
            "Each layer alone on the new writers' lines:",
            "",
            _layers_table(writers),
            "",
        ]
    if lofo is not None:
        rows = []
        for family, evaluation in lofo.items():
            label = risk_corpus.FAMILIES[family]
            rows.append([family, label, str(len(evaluation.results)), _family_share(evaluation.results, label)])
        parts += [
            "Leave-one-family-out (stress figure, no target): each family left out of training, then "
            "scored by rules + a model that never saw it (C fixed, thresholds by 3-fold CV). Urgent "
            "families: scored urgent; concern families: caught at concern or urgent; none families: "
            "false alarms.",
            "",
            _markdown_table(["family", "label", "n", "count"], rows),
            "",
        ]
    parts += [
        f"Old rules regression set (`tests/data/risk_labelled.tsv`, {len(regression.results)} messages), rules "
        "alone: urgent recall "
        + _p(regression.recall("urgent"))
        + ", concern recall "
        + _p(regression.recall("concern"))
        + ", none precision "
        + _p(regression.precision("none"))
        + (" — passes its thresholds." if regression.passed else " — FAILS: " + "; ".join(regression.failures()))
        + " Rules + model on the same set: urgent recall "
        + _p(combined.recall("urgent"))
        + ", concern caught "
        + _p(combined.flagged("concern"))
        + " (strict "
        + _p(combined.recall("concern"))
        + "), none false alarms "
        + _p(combined.false_alarms())
        + ".",
        "",
        MARK_END,
    ]
    return "\n".join(parts)


def write_markdown(section: str, path: Path = DOCS) -> None:
    text = path.read_text(encoding="utf-8")
    pattern = re.compile(re.escape(MARK_BEGIN) + ".*?" + re.escape(MARK_END), re.S)
    if not pattern.search(text):
        raise SystemExit(f"{path}: no generated section ({MARK_BEGIN} … {MARK_END})")
    path.write_text(pattern.sub(lambda _: section, text), encoding="utf-8")


def corpus_report(run: CorpusEvaluation, show_errors: bool, title: str = "Corpus, grouped split") -> str:
    lines = [
        f"{title}: trained on {run.train_size}, held out {len(run.combined.results)}; "
        f"thresholds {run.model.thresholds}, inner CV {run.model.meta.get('out_of_fold')}",
        "",
    ]
    for name, evaluation in (
        ("rules + model", run.combined),
        ("rules only", run.rules_only),
        ("model only", run.model_only),
    ):
        lines.append(f"== {name}")
        lines.append(" | ".join(LANGUAGE_HEADER))
        lines.extend(" | ".join(row) for row in _language_rows(evaluation))
        lines.append("")
    lines.append("Per family (rules + model):")
    lines.extend(" | ".join(row) for row in _family_rows(run.combined))
    lines.append("")
    lines.append("Confusion (rules + model, rows: label, columns: engine):")
    lines.append(_confusion_table(run.combined.confusion()))
    lines.append("")
    lines.extend(_error_lines(run.combined, show_errors))
    failures = run.failures()
    lines.append("")
    lines.append("Targets MISSED:\n  " + "\n  ".join(failures) if failures else "All targets met.")
    return "\n".join(lines)


def score_files(paths: Sequence[str], show_errors: bool, rules_only: bool) -> int:
    """``risk_eval.py PATH…``: corpus-format files get the corpus report and targets; regression-format
    files (``language label text``, or ``--rules-only``) the regression report and thresholds."""
    try:
        external = None if rules_only else evaluate_files(paths)
        if external is not None:
            names = ", ".join(Path(p).name for p in paths)
            print(corpus_report(external, show_errors, title=f"Shipped engine on {names}, nothing trained"))
            return 0 if not external.failures() else 1
        examples = [
            Example(e.line, e.language, e.label, e.text, e.family, e.group, Path(p).name if len(paths) > 1 else "")
            for p in paths
            for e in load_labelled(p)
        ]
        rules_alone: Callable[[str], RiskAssessment] = lambda text: classify_text(text, model=None)  # noqa: E731
        evaluation = evaluate_examples(examples, rules_alone if rules_only else classify_text)
    except (OSError, LabelledFileError) as exc:
        print(f"risk_eval: {exc}", file=sys.stderr)
        return 2
    print(evaluation.report(show_errors=show_errors))
    return 0 if evaluation.passed else 1


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Evaluate the risk engine (rules + model).")
    parser.add_argument(
        "paths",
        nargs="*",
        metavar="PATH",
        help="labelled TSVs to score with the shipped engine (default: the corpus split, then the regression set)",
    )
    parser.add_argument("--errors", action="store_true", help="list every message labelled differently")
    parser.add_argument("--lofo", action="store_true", help="also leave each family out in turn (slow)")
    parser.add_argument("--markdown", action="store_true", help="rewrite the figures in docs/clinical-rules.md")
    parser.add_argument(
        "--writers", action="store_true", help="also train on the first writers' lines and score the other writers'"
    )
    parser.add_argument("--rules-only", action="store_true", help="with PATH: score the rules without the model")
    parser.add_argument(
        "--cv",
        action="store_true",
        help="only cross-validate the engine on the training side of the split (fast; for diagnosis)",
    )
    parser.add_argument(
        "--errors-train",
        action="store_true",
        help="with --cv: list the training side's out-of-fold errors (never the held-out side's)",
    )
    parser.add_argument("--c", type=float, default=32.0, help="with --cv: the model's C (default 32)")
    parser.add_argument(
        "--test-groups-from",
        type=int,
        metavar="N",
        help="score the lines with group number >= N (and < --test-groups-to), train on the rest",
    )
    parser.add_argument(
        "--test-groups-to", type=int, metavar="M", help="with --test-groups-from: score only group numbers below M"
    )
    parser.add_argument(
        "--holdout-round3",
        action="store_true",
        help=f"round 3 as an unseen test set: score round3-*.tsv and groups {ROUND3_GROUPS}-"
        f"{ROUND4_GROUPS - 1}, train on every other line (round 4 included)",
    )
    args = parser.parse_args(argv)
    if args.paths:
        return score_files(args.paths, args.errors, args.rules_only)
    try:
        examples = risk_corpus.load_corpus()
    except (OSError, risk_corpus.CorpusError) as exc:
        print(f"risk_eval: {exc}", file=sys.stderr)
        return 2
    if args.holdout_round3 or args.test_groups_from is not None:
        if args.holdout_round3:
            train, test = split_round3(examples)
            what = f"round 3 (round3-*.tsv, groups {ROUND3_GROUPS}-{ROUND4_GROUPS - 1})"
        else:
            train, test = split_by_group_number(examples, args.test_groups_from, args.test_groups_to)
            what = f"group number >= {args.test_groups_from}" + (
                f" and < {args.test_groups_to}" if args.test_groups_to is not None else ""
            )
        if not test or not train:
            print(f"risk_eval: no corpus lines {'in' if not test else 'outside'} {what}", file=sys.stderr)
            return 2
        held = train_and_score(train, test)
        print(
            corpus_report(
                held, args.errors, title=f"Trained on every line outside {what} ({len(train)}), scored on {what}"
            )
        )
        return 0 if not held.failures() else 1
    if args.cv:
        cv = cross_validate(grouped_split(examples)[0], args.c)
        print(corpus_report(cv, args.errors_train, title="Training side of the split, 5-fold grouped CV"))
        return 0
    run = evaluate_corpus(examples)
    print(corpus_report(run, args.errors))
    writers = new_writers(examples) if args.writers or args.markdown else None
    if writers is not None:
        print("\n" + corpus_report(writers, False, title="New writers (groups < 501 → groups ≥ 501)"))
    lofo = leave_one_family_out(examples, float(run.model.meta["C"]), progress=True) if args.lofo else None
    if lofo is not None:
        print("\nLeave-one-family-out:")
        for family, evaluation in lofo.items():
            print(
                f"  {family:<18} {risk_corpus.FAMILIES[family]:<8} "
                f"{_family_share(evaluation.results, risk_corpus.FAMILIES[family])}"
            )
    regression = evaluate(DEFAULT_PATH, rules_only=True)
    print("\n== Rules regression set (tests/data/risk_labelled.tsv), rules alone (its thresholds gate)")
    print(regression.report(show_errors=args.errors))
    combined = evaluate(DEFAULT_PATH)
    print("\n== The same set, rules + shipped model (for information: the set predates the model's taxonomy)")
    print(_metrics_table(combined, [None, *combined.languages]))
    if args.markdown:
        write_markdown(corpus_markdown(run, lofo, regression, combined, writers))
        print(f"\nwrote {DOCS.relative_to(ROOT)}")
    return 0 if not run.failures() and regression.passed else 1


if __name__ == "__main__":
    sys.exit(main())
