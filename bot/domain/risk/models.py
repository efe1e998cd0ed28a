"""Value types shared by the risk engine and its callers.

Everything here is immutable so an assessment can be cached, logged and
compared without defensive copies.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import IntEnum


class RiskLevel(IntEnum):
    """How quickly a human should look at a member.

    Ordered, so ``max()`` over levels gives the combined level.
    """

    NONE = 0
    WATCH = 1
    CONCERN = 2
    URGENT = 3

    @property
    def label(self) -> str:
        """Lower-case name used in files, logs and the CLI (``"urgent"``)."""
        return self.name.lower()

    @classmethod
    def parse(cls, value: str) -> RiskLevel:
        """Parse a level name as written in rule files (case-insensitive)."""
        try:
            return cls[value.strip().upper()]
        except KeyError:
            names = ", ".join(level.label for level in cls)
            raise ValueError(f"unknown risk level {value!r} (expected one of: {names})") from None


@dataclass(frozen=True)
class Reason:
    """Why a level was given: which rule fired on which words or answers.

    ``matched`` is the member's own text as they typed it (or a short
    description of the answers), so the counsellor sees the evidence.
    """

    rule_id: str
    category: str
    matched: str


@dataclass(frozen=True)
class RiskAssessment:
    """The engine's verdict.

    ``needs_followup`` marks an ambiguous signal (a passive wish to be dead,
    "what's the point", a negated suicide statement) that should be explored
    with the C-SSRS-style questions from :func:`followup_questions`.
    """

    level: RiskLevel
    reasons: tuple[Reason, ...]
    needs_followup: bool

    @property
    def rule_ids(self) -> tuple[str, ...]:
        """Rule ids in reason order; convenient for logs and tests."""
        return tuple(reason.rule_id for reason in self.reasons)


@dataclass(frozen=True)
class CheckinAnswers:
    """Today's structured check-in.

    mood is 1..5, craving 0..10, used is "no" | "yes" | "undisclosed".
    Out-of-range numbers are clamped by the engine rather than rejected:
    a bad value must never stop a risk check from running.
    """

    mood: int | None = None
    craving: int | None = None
    used: str | None = None


@dataclass(frozen=True)
class DayRecord:
    """One day of a member's history (the caller passes the last 14 days)."""

    day: date
    mood: int | None
    craving: int | None
    used: str | None
    checked_in: bool


@dataclass(frozen=True)
class Signal:
    """One fired rule before combination (internal to the engine).

    Carries the rule's effective level, which :class:`Reason` deliberately
    does not expose (the assessment level is the max of these).
    """

    rule_id: str
    category: str
    level: RiskLevel
    matched: str
    followup: bool = False

    def reason(self) -> Reason:
        return Reason(rule_id=self.rule_id, category=self.category, matched=self.matched)
