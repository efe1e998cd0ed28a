"""The labelled risk corpus the model learns from (``corpus/<language>.tsv``).

One message per line, tab-separated, with the header
``label  language  family  group  text``. ``family`` is the warning-sign
family (C-SSRS items, IS PATH WARM signs, medical danger, concern kinds and
the hard negatives, see :data:`FAMILIES`); ``group`` names a paraphrase
group (the same situation said several ways). Evaluation keeps a whole
group on one side of a split, so a near-copy of a test message is never
learnt from. How to add examples: docs/clinical-rules.md.

Standard library only; loading is strict, and an error names file and line.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

LABELS: tuple[str, ...] = ("urgent", "concern", "none")
LANGUAGES: tuple[str, ...] = ("en", "hi-Latn", "hi", "mr", "mr-Latn")
HEADER: tuple[str, ...] = ("label", "language", "family", "group", "text")

URGENT_FAMILIES: tuple[str, ...] = (
    "wish-dead",
    "ideation",
    "method",
    "intent",
    "plan",
    "preparation",
    "means-place",
    "farewell",
    "burden",
    "self-harm",
    "overdose",
    "unresponsive",
    "withdrawal-danger",
    "medical-now",
    "violence-now",
    "harm-others",
)
CONCERN_FAMILIES: tuple[str, ...] = (
    "lapse-alcohol",
    "lapse-cannabis",
    "lapse-opioid",
    "lapse-inhalant",
    "lapse-pills",
    "lapse-other",
    "craving-strong",
    "hopeless",
    "trapped",
    "withdrawn",
    "anger",
    "anxiety",
    "reckless",
    "mood-change",
    "risky-contact",
    "human-urgent",
)
NONE_FAMILIES: tuple[str, ...] = (
    "ordinary",
    "progress",
    "mild-craving",
    "negated-past",
    "educational",
    "idiom",
    "others-recovery",
    "nonalcoholic",
    "prescribed",
    "helping",
)
FAMILIES: dict[str, str] = {
    **{family: "urgent" for family in URGENT_FAMILIES},
    **{family: "concern" for family in CONCERN_FAMILIES},
    **{family: "none" for family in NONE_FAMILIES},
}
MAX_TEXT_CHARS = 1000


class CorpusError(ValueError):
    """A corpus line that cannot be used; the message names file and line."""


@dataclass(frozen=True)
class Example:
    label: str
    language: str
    family: str
    group: str
    text: str
    source: str = ""
    line: int = 0


def packaged_corpus_dir() -> Path:
    """``bot/domain/risk/corpus`` (a real folder: the package is installed from source)."""
    return Path(str(resources.files(__package__).joinpath("corpus")))


def corpus_files(folder: str | Path | None = None) -> list[Path]:
    """The corpus files, in a fixed order (so training is reproducible)."""
    base = Path(folder) if folder is not None else packaged_corpus_dir()
    return sorted(base.glob("*.tsv"))


def load_corpus(folder: str | Path | None = None) -> list[Example]:
    """Every example in ``folder`` (default: the packaged corpus), strictly checked."""
    examples: list[Example] = []
    for path in corpus_files(folder):
        examples.extend(parse_corpus(path.read_text(encoding="utf-8"), source=path.name))
    check_unique(examples)
    return examples


def parse_corpus(text: str, *, source: str = "<corpus>") -> list[Example]:
    """Parse one corpus file; the first non-blank line must be the header."""
    examples: list[Example] = []
    seen_header = False
    for number, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip():
            continue
        parts = raw.split("\t")
        where = f"{source}:{number}"
        if not seen_header:
            if tuple(p.strip().lower() for p in parts) != HEADER:
                raise CorpusError(f"{where}: the first line must be the header {' '.join(HEADER)}")
            seen_header = True
            continue
        if len(parts) != len(HEADER):
            raise CorpusError(f"{where}: expected {len(HEADER)} tab-separated columns, found {len(parts)}")
        label, language, family, group, message = (p.strip() for p in parts)
        if label not in LABELS:
            raise CorpusError(f"{where}: label {label!r} is not one of {', '.join(LABELS)}")
        if language not in LANGUAGES:
            raise CorpusError(f"{where}: language {language!r} is not one of {', '.join(LANGUAGES)}")
        if FAMILIES.get(family) != label:
            expected = FAMILIES.get(family)
            raise CorpusError(
                f"{where}: family {family!r} "
                + (f"belongs to label {expected!r}, not {label!r}" if expected else "is not a known family")
            )
        if not group.startswith(f"{language}-{family}-"):
            raise CorpusError(f"{where}: group {group!r} must start with {language}-{family}-")
        if not message:
            raise CorpusError(f"{where}: empty text")
        if len(message) > MAX_TEXT_CHARS:
            raise CorpusError(f"{where}: text longer than {MAX_TEXT_CHARS} characters")
        examples.append(Example(label, language, family, group, message, source, number))
    if not seen_header:
        raise CorpusError(f"{source}: empty file (no header)")
    return examples


def check_unique(examples: Iterable[Example]) -> None:
    """The same text twice would leak between the sides of a split."""
    seen: dict[str, Example] = {}
    for example in examples:
        key = " ".join(example.text.casefold().split())
        first = seen.get(key)
        if first is not None:
            raise CorpusError(
                f"{example.source}:{example.line}: duplicate of {first.source}:{first.line}: {example.text!r}"
            )
        seen[key] = example


def corpus_digest(examples: Sequence[Example]) -> str:
    """SHA-256 over the examples as read (order included); recorded in the model."""
    digest = hashlib.sha256()
    for e in examples:
        digest.update("\t".join((e.label, e.language, e.family, e.group, e.text)).encode("utf-8"))
        digest.update(b"\n")
    return digest.hexdigest()
