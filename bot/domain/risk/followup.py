"""C-SSRS-style follow-up after an ambiguous signal.

Modelled on the Columbia Suicide Severity Rating Scale screener: wish to be
dead, non-specific active thoughts, then method, intent and plan (asked only
if there are active thoughts), and preparatory behaviour (always asked).
Question wording and translation belong to the i18n layer; this module only
deals in question ids and the triage logic.
"""

from __future__ import annotations

from collections.abc import Mapping

from .models import RiskLevel

WISH_DEAD = "wish_dead"
THOUGHTS_KILL = "thoughts_kill"
METHOD = "method"
INTENT = "intent"
PLAN = "plan"
PREPARATION = "preparation"

_QUESTIONS: tuple[str, ...] = (WISH_DEAD, THOUGHTS_KILL, METHOD, INTENT, PLAN, PREPARATION)
_IDEATION = frozenset({WISH_DEAD, THOUGHTS_KILL})
_SEVERE = frozenset({METHOD, INTENT, PLAN, PREPARATION})
# Asked only after a "yes" to active thoughts, as in the C-SSRS screener.
_NEEDS_ACTIVE_THOUGHTS = frozenset({METHOD, INTENT, PLAN})


def followup_questions() -> list[str]:
    """Question ids in the order they are asked."""
    return list(_QUESTIONS)


def next_followup_question(answers: Mapping[str, bool]) -> str | None:
    """The next question to ask given the answers so far, or None when done.

    Method, intent and plan are skipped when the member said no to active
    thoughts, which keeps the screen short for the common passive case.
    """
    for question in _QUESTIONS:
        if question in answers:
            continue
        if question in _NEEDS_ACTIVE_THOUGHTS and answers.get(THOUGHTS_KILL) is False:
            continue
        return question
    return None


def level_from_followup(answers: Mapping[str, bool]) -> RiskLevel:
    """Triage: method/intent/plan/preparation → urgent; wish or thoughts only →
    concern; all no (or unanswered) → watch, since the screen was triggered
    by something worth keeping an eye on."""
    said_yes = {question for question, yes in answers.items() if yes is True}
    if said_yes & _SEVERE:
        return RiskLevel.URGENT
    if said_yes & _IDEATION:
        return RiskLevel.CONCERN
    return RiskLevel.WATCH
