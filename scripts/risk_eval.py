#!/usr/bin/env python3
"""Evaluate the risk rules against a labelled set of messages.

    .venv/bin/python scripts/risk_eval.py                       # the project's set
    .venv/bin/python scripts/risk_eval.py other.tsv --errors    # another set, list misses

The file has one message per line: ``language<TAB>label<TAB>text`` with
language in {en, hi, hi-Latn, mr, mr-Latn} and label in {urgent, concern,
none}. Blank lines, lines starting with ``#`` and a header line
(``language<TAB>label<TAB>text``) are skipped.

How an assessment becomes a label (the engine has four levels, the set
three):

* URGENT → ``urgent``; CONCERN → ``concern``;
* WATCH with ``needs_followup`` → ``concern``: these are passive death
  wishes ("I wish I could sleep and never wake up"). The app always runs the
  C-SSRS follow-up for them and escalates to concern or urgent on any "yes",
  so they count as caught at concern level;
* any other WATCH (a mild craving mention, a trigger situation) → ``none``:
  no counsellor is alerted for it;
* NONE → ``none``.

Scoring is strict per class: a concern message the engine calls urgent is a
miss for concern recall (and a false positive for urgent precision). The
"flagged" column also shows the share caught at that level *or higher*.

The run fails (exit status 1) when urgent recall < 0.98, concern recall
< 0.90 or none precision < 0.85, overall or in any one language that has
at least ``MIN_PER_LANGUAGE`` messages of that label.

``evaluate(path)`` returns an :class:`Evaluation` for use in tests.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a plain script from anywhere
    sys.path.insert(0, str(ROOT))

from bot.domain.risk import RiskAssessment, RiskLevel, classify_text  # noqa: E402

DEFAULT_PATH = ROOT / "tests" / "data" / "risk_labelled.tsv"
LABELS: tuple[str, ...] = ("urgent", "concern", "none")
LANGUAGES: tuple[str, ...] = ("en", "hi", "hi-Latn", "mr", "mr-Latn")
HEADER = ("language", "label", "text")

# (label, metric) → minimum. Checked overall and per language.
THRESHOLDS: dict[tuple[str, str], float] = {
    ("urgent", "recall"): 0.98,
    ("concern", "recall"): 0.90,
    ("none", "precision"): 0.85,
}
MIN_PER_LANGUAGE = 10  # fewer messages of a label than this: reported, not gated


class LabelledFileError(ValueError):
    """A malformed line in a labelled file; the message names the line."""


@dataclass(frozen=True)
class Example:
    line: int
    language: str
    label: str
    text: str


@dataclass(frozen=True)
class Result:
    example: Example
    predicted: str
    level: RiskLevel
    rule_ids: tuple[str, ...]

    @property
    def correct(self) -> bool:
        return self.predicted == self.example.label


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
    def subset(self, language: str | None = None) -> list[Result]:
        return [r for r in self.results if language is None or r.example.language == language]

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
        """Threshold breaches, overall and per language, as readable lines."""
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
        errors = self.errors()
        lines.append("")
        lines.append(f"{len(errors)} disagreements" + (":" if show_errors and errors else ""))
        if show_errors:
            for r in errors:
                ex = r.example
                ids = ",".join(r.rule_ids) or "-"
                lines.append(f"  line {ex.line} [{ex.language}] {ex.label} → {r.predicted} ({ids}): {ex.text}")
        lines.append("")
        failures = self.failures()
        if failures:
            lines.append("FAILED thresholds:")
            lines.extend(f"  {problem}" for problem in failures)
        else:
            thresholds = ", ".join(f"{label} {metric} ≥ {minimum:.2f}" for (label, metric), minimum in THRESHOLDS.items())
            lines.append(f"PASSED ({thresholds})")
        return "\n".join(lines)


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
        rows.append(f"{language or 'all':<9} {'accuracy':<8} {len(evaluation.subset(language)):>4}  "
                    f"{_fmt(evaluation.accuracy(language)):>6}")
    return "\n".join(rows)


def _confusion_table(matrix: dict[tuple[str, str], int]) -> str:
    rows = [f"{'':<9}" + "".join(f"{p:>9}" for p in LABELS)]
    for t in LABELS:
        rows.append(f"{t:<9}" + "".join(f"{matrix[(t, p)]:>9}" for p in LABELS))
    return "\n".join(rows)


def load_labelled(path: str | Path) -> list[Example]:
    """Read a labelled TSV file, strictly: a bad line raises LabelledFileError."""
    examples: list[Example] = []
    text = Path(path).read_text(encoding="utf-8")
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


def evaluate_examples(examples: Iterable[Example]) -> Evaluation:
    results: list[Result] = []
    for example in examples:
        assessment = classify_text(example.text)
        results.append(Result(example, label_of(assessment), assessment.level, assessment.rule_ids))
    return Evaluation(results)


def evaluate(path: str | Path = DEFAULT_PATH) -> Evaluation:
    """Classify every message in ``path`` and return the figures."""
    return evaluate_examples(load_labelled(path))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Evaluate the risk rules against labelled messages.")
    parser.add_argument("path", nargs="?", default=str(DEFAULT_PATH), help="labelled TSV (default: %(default)s)")
    parser.add_argument("--errors", action="store_true", help="list every message the engine labels differently")
    args = parser.parse_args(argv)
    try:
        evaluation = evaluate(args.path)
    except (OSError, LabelledFileError) as exc:
        print(f"risk_eval: {exc}", file=sys.stderr)
        return 2
    print(evaluation.report(show_errors=args.errors))
    return 0 if evaluation.passed else 1


if __name__ == "__main__":
    sys.exit(main())
