"""Risk engine: flags messages and check-ins a counsellor should see.

Pure (standard library only) so it can run in handlers, batch jobs and the
CLI alike. Rules are data, edited by clinicians, in ``rules/*.toml``; the
pattern language and workflow are documented in docs/clinical-rules.md.

Typical use::

    from bot.domain.risk import assess, CheckinAnswers, RiskLevel

    result = assess(note, answers=CheckinAnswers(mood=2, craving=8, used="no"),
                    history=last_14_days, today=today, missed_days=0)
    if result.level >= RiskLevel.CONCERN:
        notify_counsellor(result.reasons)
"""

from .classifier import RiskModel, packaged_model
from .engine import MODEL_RULE_ID, assess, classify_lines, classify_text, explain_classification, format_classification
from .followup import followup_questions, level_from_followup, next_followup_question
from .models import CheckinAnswers, DayRecord, Reason, RiskAssessment, RiskLevel
from .normalise import normalise_text
from .rules import Rule, RuleFileError, RuleSet, load_rules

__all__ = [
    "CheckinAnswers",
    "MODEL_RULE_ID",
    "DayRecord",
    "Reason",
    "RiskAssessment",
    "RiskLevel",
    "RiskModel",
    "Rule",
    "RuleFileError",
    "RuleSet",
    "assess",
    "classify_lines",
    "classify_text",
    "explain_classification",
    "followup_questions",
    "format_classification",
    "level_from_followup",
    "load_rules",
    "next_followup_question",
    "normalise_text",
    "packaged_model",
]
