"""The risk engine: labelled-set thresholds, normalisation, negation and idioms,
check-in signals, reasons, follow-up triage, rule files, and robustness.

How the labelled set is scored (watch predictions in particular) is documented
in scripts/risk_eval.py and docs/clinical-rules.md: watch + needs_followup
counts as concern (the C-SSRS screen always runs), any other watch as none.
"""

from __future__ import annotations

import ast
import importlib.util
import sys
import time
import unicodedata
from collections import Counter
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path
from types import ModuleType

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.domain.risk import (
    CheckinAnswers,
    DayRecord,
    Reason,
    RiskAssessment,
    RiskLevel,
    RuleFileError,
    classify_lines,
    classify_text,
    followup_questions,
    format_classification,
    level_from_followup,
    load_rules,
    next_followup_question,
    normalise_text,
)
from bot.domain.risk import assess as engine_assess
from bot.domain.risk.followup import INTENT, METHOD, PLAN, PREPARATION, THOUGHTS_KILL, WISH_DEAD
from bot.domain.risk.patterns import PatternError, compile_pattern
from bot.domain.risk.rules import CATEGORIES, LANGUAGES, URGENT_CATEGORIES, parse_rules

ROOT = Path(__file__).resolve().parents[2]
LABELLED = ROOT / "tests" / "data" / "risk_labelled.tsv"
RISK_PACKAGE = ROOT / "bot" / "domain" / "risk"
TODAY = date(2026, 11, 25)

URGENT, CONCERN, WATCH, NONE = RiskLevel.URGENT, RiskLevel.CONCERN, RiskLevel.WATCH, RiskLevel.NONE


def assess(text: str | None = None, **kwargs: object) -> RiskAssessment:
    """The rules layer alone: these tests pin the rules' own behaviour (negation, idioms, reasons).
    The trained model and how it combines with the rules: tests/unit/test_risk_model.py."""
    return engine_assess(text, model=None, **kwargs)  # type: ignore[arg-type]


def level(text: str) -> RiskLevel:
    return assess(text).level


@lru_cache(maxsize=1)
def risk_eval() -> ModuleType:
    spec = importlib.util.spec_from_file_location("risk_eval", ROOT / "scripts" / "risk_eval.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["risk_eval"] = module
    spec.loader.exec_module(module)
    return module


@lru_cache(maxsize=1)
def evaluation():  # type: ignore[no-untyped-def]
    """The rules regression set is the rules' own: scored on the rules alone (the model's corpus
    and evaluation are in tests/unit/test_risk_model.py and scripts/risk_eval.py)."""
    return risk_eval().evaluate(LABELLED, rules_only=True)


# --- the labelled set ---------------------------------------------------------------------------


def test_labelled_set_meets_the_clinical_thresholds() -> None:
    result = evaluation()
    urgent_recall = result.recall("urgent")
    concern_recall = result.recall("concern")
    none_precision = result.precision("none")
    assert urgent_recall is not None and urgent_recall >= 0.98, result.report(show_errors=True)
    assert concern_recall is not None and concern_recall >= 0.90, result.report(show_errors=True)
    assert none_precision is not None and none_precision >= 0.85, result.report(show_errors=True)


def test_labelled_set_meets_the_thresholds_in_every_language() -> None:
    result = evaluation()
    assert result.failures() == [], result.report(show_errors=True)


def test_labelled_set_is_big_balanced_and_has_hard_negatives() -> None:
    examples = risk_eval().load_labelled(LABELLED)
    assert len(examples) >= 330
    by_language = Counter(e.language for e in examples)
    assert set(by_language) == {"en", "hi", "hi-Latn", "mr", "mr-Latn"}
    assert min(by_language.values()) >= 0.5 * max(by_language.values()), by_language
    for language in by_language:
        labels = Counter(e.label for e in examples if e.language == language)
        assert all(labels[label] >= 15 for label in ("urgent", "concern", "none")), (language, labels)
    texts = {e.text for e in examples if e.label == "none"}
    for idiom in ("this traffic is killing me", "maar daala yaar is garmi ne", "पानी पी लिया", "चहा प्यायलो आत्ताच"):
        assert idiom in texts
    assert len({e.text for e in examples}) == len(examples), "duplicate messages in the labelled set"


def test_watch_with_followup_is_scored_as_concern_and_plain_watch_as_none() -> None:
    label_of = risk_eval().label_of
    assert label_of(RiskAssessment(WATCH, (), needs_followup=True)) == "concern"
    assert label_of(RiskAssessment(WATCH, (), needs_followup=False)) == "none"
    assert label_of(RiskAssessment(URGENT, (), needs_followup=True)) == "urgent"
    assert label_of(RiskAssessment(NONE, (), needs_followup=False)) == "none"


def test_risk_eval_exit_status(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    module = risk_eval()
    good = tmp_path / "good.tsv"
    good.write_text(
        "language\tlabel\ttext\n# a comment\nen\turgent\tI want to die\n"
        "hi-Latn\tconcern\tmaine aaj pi li\nmr\tnone\tचहा प्यायलो\n",
        encoding="utf-8",
    )
    assert module.main([str(good)]) == 0
    out = capsys.readouterr().out
    assert "Confusion matrix" in out and "PASSED" in out and "hi-Latn" in out and "3 labelled messages" in out
    missed = tmp_path / "missed.tsv"
    missed.write_text("en\turgent\tthe weather is nice\nen\tnone\thello\n", encoding="utf-8")
    assert module.main([str(missed)]) == 1
    assert "FAILED" in capsys.readouterr().out
    broken = tmp_path / "broken.tsv"
    broken.write_text("en\tmaybe\tsomething\n", encoding="utf-8")
    assert module.main([str(broken)]) == 2


# --- normalisation -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "folded"),
    [
        ("I WANT TO DIE", "i want to die"),
        ("sooo tired", "so tired"),
        ("k1ll mys3lf", "kil myself"),
        ("su1cide", "suicide"),
        ("d1e", "die"),
        ("$uicide", "suicide"),
        ("k!ll", "kil"),
        ("10mg 2 pegs", "10mg 2 pegs"),
        ("I want\u200b to d\u200cie", "i want to die"),
        ("don't", "dont"),
        ("can’t", "cant"),
        ("want to... die", "want to die"),
        ("kill.myself", "kil myself"),
        ("s u i c i d e", "suicide"),
        ("want2die", "want 2 die"),
        ("d-i-e", "die"),
        ("ｋｉｌｌ", "kil"),
        ("khtm kr dunga", "khatam kar dunga"),
        ("jeene ka mann nhi", "jene ka man nahi"),
        ("मरना चाहता हूँ", "मरना चाहता हु"),
        ("मरना चाहता हूं", "मरना चाहता हु"),
        ("ज़हर", "जहर"),
        ("स्वतःला", "स्वतला"),
        ("स्वत:ला", "स्वतला"),
        ("नहीं", "नहि"),
        ("ॲम्बुलन्स", "अ\u0947म्बुलन्स"),
        ("I'm fine. I want to die", "im fine | i want to die"),
    ],
)
def test_normalisation(raw: str, folded: str) -> None:
    assert normalise_text(raw) == folded


def test_normalisation_is_unicode_form_independent() -> None:
    composed = "café हूँ"
    decomposed = unicodedata.normalize("NFD", composed)
    assert normalise_text(composed) == normalise_text(decomposed) == "cafe हु"


@pytest.mark.parametrize(
    "text",
    [
        "I want to die",
        "I WANT TO DIEEEE",
        "i want 2 d1e",
        "I w@nt to k!ll mys3lf",
        "I want\u200b to d\u200bie",
        "I. Want. To. Die.",
        "kill. myself. now.",
        "I'm going to s u i c i d e",
        "su1c1de is the answer",
        "Ｉ ｗａｎｔ ｔｏ ｄｉｅ",
    ],
)
def test_obfuscated_danger_is_still_urgent(text: str) -> None:
    assert level(text) == URGENT


# --- the issue's negation and idiom cases --------------------------------------------------------


def test_dont_want_to_live_is_urgent() -> None:
    result = assess("I don't want to live")
    assert result.level == URGENT
    assert result.rule_ids[0].startswith("EN-SUI")


@pytest.mark.parametrize(
    "text",
    [
        "I'm not going to kill myself",
        "I won't kill myself",
        "I will not hurt myself",
        "main suicide nahi karunga",
        "मैं आत्महत्या नहीं करूँगा",
        "mi atmahatya karnar nahi",
        "मी आत्महत्या करणार नाही",
    ],
)
def test_negated_suicide_is_softened_to_concern_not_hidden(text: str) -> None:
    result = assess(text)
    assert result.level == CONCERN
    assert result.needs_followup
    assert any(r.category in URGENT_CATEGORIES for r in result.reasons)


@pytest.mark.parametrize(
    "text",
    [
        "I'm not ok, I want to kill myself",
        "nobody can stop me from killing myself this time",
        "I won't drink tonight but I want to die",
        "dying to see the match, and honestly I want to die",
        "I can't stop thinking about killing myself",
        "why not just kill myself",
    ],
)
def test_negation_and_idioms_elsewhere_do_not_hide_danger(text: str) -> None:
    assert level(text) == URGENT


@pytest.mark.parametrize(
    "text",
    [
        "this traffic is killing me",
        "I killed it at work",
        "I killed it at work today, got promoted",
        "maar daala yaar is garmi ne",
        "dying to see the match",
        "drink water",
        "chai pi li",
        "पानी पी लिया",
        "I died laughing",
        "my father used to drink every night",
        "papa pehle bahut peete the",
        "बाबा खूप दारू प्यायचे",
        "we were killing time before the meeting",
        "killing time",
        "my phone is dead",
        "I didn't drink today",
        "maine aaj nahi pi",
        "आज प्यायलो नाही",
        "I gave up drinking for my kids",
        "उन्हाने मेलो आज",
        "bhookh se mar jaunga yaar",
        "hans hans ke mar gaya",
    ],
)
def test_hard_negatives_and_idioms_are_none(text: str) -> None:
    result = assess(text)
    assert result.level == NONE, result.reasons


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("marna chahta hu", URGENT),
        ("mar jaana chahti hoon", URGENT),
        ("jeene ka mann nahi", URGENT),
        ("khatam kar dunga khud ko", URGENT),
        ("aatmahatya", URGENT),
        ("आत्महत्या", URGENT),
        ("मरना चाहता हूँ", URGENT),
        ("मरना चाहता हूं", URGENT),
        ("मरना चाहता हु", URGENT),
        ("जीने की इच्छा नहीं", URGENT),
        ("मला मरायचं आहे", URGENT),
        ("जगायचं नाही", URGENT),
        ("I took too much", URGENT),
        ("goodbye everyone, this is my last message", URGENT),
        ("I will kill him", URGENT),
        ("chest pain and I can't breathe", URGENT),
        ("I cut myself again", URGENT),
        ("I drank today", CONCERN),
        ("maine aaj pi li", CONCERN),
        ("आज फिर से पी ली", CONCERN),
        ("आज परत प्यायलो", CONCERN),
        ("daaru pi li", CONCERN),
        ("nasha kiya", CONCERN),
        ("pudiya li", CONCERN),
        ("maal liya", CONCERN),
        ("ganja phoonka", CONCERN),
        ("smack pi li", CONCERN),
        ("chitta liya", CONCERN),
        ("I need help", CONCERN),
        ("I feel hopeless", CONCERN),
        ("craving is really bad, 9 out of 10", CONCERN),
    ],
)
def test_issue_phrases(text: str, expected: RiskLevel) -> None:
    assert level(text) == expected, assess(text).reasons


@pytest.mark.parametrize(
    "text",
    [
        "I wish I could sleep and never wake up",
        "what's the point of living",
        "kabhi kabhi lagta hai mar jaun to accha",
        "कभी कभी लगता है मर जाऊँ तो अच्छा",
        "मेलो तर बरं होईल",
        "I wish I was dead",
    ],
)
def test_passive_death_wishes_are_watch_with_followup(text: str) -> None:
    result = assess(text)
    assert result.level == WATCH
    assert result.needs_followup
    assert result.reasons and result.reasons[0].category == "suicide"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("no craving today", NONE),  # "no" right before the match negates it...
        ("I have no energy, no hope, nothing", CONCERN),  # ...but not a later item in a list
        ("I quit smoking weed", NONE),
        ("kaam nahi hua, marna chahta hu", URGENT),  # Hindi: only the word right before counts
        ("marna nahi chahta", CONCERN),  # negation inside the phrase
        ("koi ummeed nahi, kuch nahi bacha", CONCERN),  # "kuch nahi bacha" is not a negation
        ("मी आज प्यायलो नाही", NONE),  # Marathi negates after the verb
        ("I'm sorry mom, I can't do this anymore, goodbye", URGENT),  # a farewell is never softened
    ],
)
def test_negation_scope(text: str, expected: RiskLevel) -> None:
    assert level(text) == expected, assess(text).reasons


def test_an_unless_idiom_only_cancels_the_words_it_covers() -> None:
    assert level("maar daala yaar is garmi ne") == NONE
    assert level("maar daala yaar is garmi ne, ab usko maar dunga") == URGENT


# --- reasons -----------------------------------------------------------------------------------


def test_reasons_carry_rule_ids_categories_and_the_members_own_words() -> None:
    result = assess("honestly I don't want to live anymore")
    (reason,) = [r for r in result.reasons if r.rule_id == "EN-SUI-003"]
    assert reason == Reason("EN-SUI-003", "suicide", reason.matched)
    assert "don't want to live" in reason.matched  # as typed, apostrophe and all


def test_reasons_show_original_script_and_spelling() -> None:
    result = assess("मैं आज मर जाऊँगा")
    assert result.reasons[0].matched == "मर जाऊँगा"  # chandrabindu kept as typed
    stretched = assess("i want to dieeee")
    assert stretched.reasons[0].matched == "want to dieeee"


def test_negated_reason_includes_the_negation() -> None:
    result = assess("I'm not going to kill myself")
    assert result.reasons[0].matched == "not going to kill myself"


def test_reasons_are_ordered_worst_first_and_unique_per_rule() -> None:
    result = assess("I drank today and I want to die. I drank again.")
    assert result.level == URGENT
    assert result.rule_ids[0] == "EN-SUI-001"
    assert len(result.rule_ids) == len(set(result.rule_ids))
    assert "EN-USE-001" in result.rule_ids


def test_matched_text_is_shortened() -> None:
    result = assess("I really want to die " + "x" * 500)
    assert result.level == URGENT
    assert all(len(r.matched) <= 80 for r in result.reasons)


def test_classification_format_and_lines() -> None:
    assert format_classification(classify_text("I want to die")) == "urgent\tEN-SUI-001"
    assert format_classification(classify_text("hello")) == "none\t"
    lines = list(classify_lines(["I want to die\n", "\n", "maine aaj pi li\r\n", "drink water"]))
    # the model may add MODEL beside the rule for the lapse (it is one)
    assert [lines[0], lines[1], lines[3]] == ["urgent\tEN-SUI-001", "none\t", "none\t"]
    assert lines[2] in ("concern\tHI-USE-001", "concern\tHI-USE-001,MODEL")


# --- check-in answers and history ---------------------------------------------------------------


def days(values: list[tuple[int | None, int | None]], *, end: date = TODAY - timedelta(days=1)) -> list[DayRecord]:
    """History records (mood, craving), oldest first, ending the day before TODAY."""
    start = end - timedelta(days=len(values) - 1)
    return [DayRecord(start + timedelta(days=i), mood, craving, "no", True) for i, (mood, craving) in enumerate(values)]


def test_used_yes_is_concern() -> None:
    result = assess(None, answers=CheckinAnswers(mood=3, craving=2, used="yes"), today=TODAY)
    assert result.level == CONCERN and result.rule_ids == ("CHK-USE-001",)
    assert result.reasons[0].category == "use"


def test_used_prefer_not_to_say_is_watch() -> None:
    assert assess(answers=CheckinAnswers(used="undisclosed"), today=TODAY).level == WATCH


def test_craving_eight_is_concern_and_seven_is_not() -> None:
    assert assess(answers=CheckinAnswers(mood=3, craving=8, used="no"), today=TODAY).rule_ids == ("CHK-CRV-001",)
    assert assess(answers=CheckinAnswers(mood=3, craving=7, used="no"), today=TODAY).level == NONE


def test_three_days_of_craving_seven_plus_is_concern() -> None:
    history = days([(3, 7), (3, 7)])
    result = assess(answers=CheckinAnswers(mood=3, craving=7, used="no"), history=history, today=TODAY)
    assert result.level == CONCERN and "CHK-CRV-002" in result.rule_ids
    two_days = assess(answers=CheckinAnswers(mood=3, craving=7, used="no"), history=history[1:], today=TODAY)
    assert "CHK-CRV-002" not in two_days.rule_ids


def test_three_days_of_mood_one_is_concern() -> None:
    result = assess(answers=CheckinAnswers(mood=1, craving=2, used="no"), history=days([(1, 2), (1, 1)]), today=TODAY)
    assert result.level == CONCERN and "CHK-MOOD-001" in result.rule_ids


def test_a_gap_breaks_a_streak() -> None:
    history = [
        DayRecord(TODAY - timedelta(days=3), 1, 2, "no", True),
        DayRecord(TODAY - timedelta(days=1), 1, 2, "no", True),
    ]
    result = assess(answers=CheckinAnswers(mood=1, craving=2, used="no"), history=history, today=TODAY)
    assert "CHK-MOOD-001" not in result.rule_ids


def test_mixed_bad_days_in_a_row_are_concern() -> None:
    result = assess(answers=CheckinAnswers(mood=1, craving=2, used="no"), history=days([(3, 8), (1, 2)]), today=TODAY)
    assert result.rule_ids == ("CHK-MIX-001",) or "CHK-MIX-001" in result.rule_ids


def test_worsening_mood_slope_is_watch() -> None:
    history = days([(5, 1), (4, 1), (4, 1), (3, 1), (2, 1), (2, 1)])
    result = assess(answers=CheckinAnswers(mood=2, craving=1, used="no"), history=history, today=TODAY)
    assert result.level == WATCH and result.rule_ids == ("CHK-TRD-001",)


def test_rising_craving_slope_is_watch() -> None:
    history = days([(3, 0), (3, 1), (3, 2), (3, 3), (3, 4), (3, 5)])
    result = assess(answers=CheckinAnswers(mood=3, craving=6, used="no"), history=history, today=TODAY)
    assert result.level == WATCH and result.rule_ids == ("CHK-TRD-002",)


def test_a_steady_week_is_none() -> None:
    history = days([(3, 4), (4, 3), (3, 4), (4, 3), (3, 4), (4, 3)])
    assert assess(answers=CheckinAnswers(mood=3, craving=4, used="no"), history=history, today=TODAY).level == NONE


def test_missed_days_are_watch() -> None:
    result = assess(missed_days=2, today=TODAY)
    assert result.level == WATCH and result.rule_ids == ("CHK-MISS-001",)
    assert assess(missed_days=1, today=TODAY).level == NONE


def test_out_of_range_and_odd_answers_never_raise() -> None:
    result = assess(answers=CheckinAnswers(mood=-4, craving=99, used="  YES "), today=TODAY)
    assert {"CHK-USE-001", "CHK-CRV-001"} <= set(result.rule_ids)
    assert "10/10" in next(r.matched for r in result.reasons if r.rule_id == "CHK-CRV-001")
    assert assess(answers=CheckinAnswers(mood=True, craving="eight", used=5), today=TODAY).level == NONE  # type: ignore[arg-type]


def test_text_and_answers_combine_to_the_worst_level() -> None:
    result = assess("I want to die", answers=CheckinAnswers(mood=2, craving=9, used="yes"), today=TODAY)
    assert result.level == URGENT
    assert result.rule_ids[0] == "EN-SUI-001"
    assert {"CHK-USE-001", "CHK-CRV-001"} <= set(result.rule_ids)


def test_history_without_today_uses_its_own_dates() -> None:
    history = days([(1, 2), (1, 2)], end=date(2025, 1, 10))
    result = assess(answers=CheckinAnswers(mood=1, craving=2, used="no"), history=history)
    assert "CHK-MOOD-001" in result.rule_ids


# --- follow-up (C-SSRS style) -------------------------------------------------------------------


def test_followup_questions_in_order() -> None:
    assert followup_questions() == [WISH_DEAD, THOUGHTS_KILL, METHOD, INTENT, PLAN, PREPARATION]


def test_followup_skips_method_intent_plan_without_active_thoughts() -> None:
    assert next_followup_question({}) == WISH_DEAD
    assert next_followup_question({WISH_DEAD: True}) == THOUGHTS_KILL
    assert next_followup_question({WISH_DEAD: True, THOUGHTS_KILL: False}) == PREPARATION
    assert next_followup_question({WISH_DEAD: True, THOUGHTS_KILL: True}) == METHOD
    answered = {WISH_DEAD: True, THOUGHTS_KILL: True, METHOD: False, INTENT: False, PLAN: False}
    assert next_followup_question(answered) == PREPARATION
    assert next_followup_question({**answered, PREPARATION: False}) is None


@pytest.mark.parametrize(
    ("answers", "expected"),
    [
        ({WISH_DEAD: False, THOUGHTS_KILL: False, PREPARATION: False}, WATCH),
        ({WISH_DEAD: True, THOUGHTS_KILL: False, PREPARATION: False}, CONCERN),
        (
            {WISH_DEAD: True, THOUGHTS_KILL: True, METHOD: False, INTENT: False, PLAN: False, PREPARATION: False},
            CONCERN,
        ),
        ({WISH_DEAD: True, THOUGHTS_KILL: True, METHOD: True}, URGENT),
        ({WISH_DEAD: False, THOUGHTS_KILL: False, PREPARATION: True}, URGENT),
        ({}, WATCH),
    ],
)
def test_level_from_followup(answers: dict[str, bool], expected: RiskLevel) -> None:
    assert level_from_followup(answers) == expected


def test_negated_urgent_statements_ask_for_followup_but_plain_use_does_not() -> None:
    assert assess("I'm not going to kill myself").needs_followup
    assert not assess("I drank today").needs_followup
    assert not assess("I want to die").needs_followup  # urgent: a human calls, no questionnaire


# --- rule files ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected", "followup"),
    [
        # a strong past cue in the match's sentence: an urgent rule asks the follow-up questions, no alert
        ("6 months ago i wanted to die", RiskLevel.WATCH, True),
        ("पिछले साल इसी महीने मैंने खुद को खत्म करने की कोशिश की थी", RiskLevel.WATCH, True),
        ("ek time tha jab marna chahti thi", RiskLevel.WATCH, True),
        # ... and nothing when the message sets that past against a well present
        ("six months ago i wanted to die. today i am grateful", RiskLevel.NONE, False),
        ("6 mahine pehle lagta tha jeena hi nahi, aaj zinda hu aur khush hu", RiskLevel.NONE, False),
        # a lower rule with a past cue is cancelled
        ("i used to drink a full bottle every night", RiskLevel.NONE, False),
        # a present cue anywhere keeps the rule's level
        ("last year i tried to hang myself, tonight i will finish it", RiskLevel.URGENT, False),
        ("6 mahine pehle marna chahta tha, aaj bhi marna chahta hu", RiskLevel.URGENT, False),
        ("ek saal pehle marna chahta tha. aaj raat sab khatam", RiskLevel.URGENT, False),
        # never a bare "ago" or "pehle": recent danger stays urgent
        ("2 hours ago i took an overdose", RiskLevel.URGENT, False),
        ("maine pehle hi sab tay kar liya tha, goliyan jama ki hai", RiskLevel.URGENT, False),
        # a teaching frame cancels a topic rule, asks about a suicide statement, keeps a first-person lapse
        ("training today on CPR and the recovery position for overdose", RiskLevel.NONE, False),
        ("aaj session me overdose ke signs sikhaye", RiskLevel.NONE, False),
        ("relapse ही एक process आहे, event नाही, आज group मध्ये शिकलो", RiskLevel.NONE, False),
        ("a workshop on suicide prevention today", RiskLevel.NONE, False),
        ("what should i do if my friend says he wants to die?", RiskLevel.WATCH, True),
        ("in the session i admitted i relapsed", RiskLevel.CONCERN, False),
        ("maine session ke baad pi li", RiskLevel.CONCERN, False),
        ("I want to die", RiskLevel.URGENT, False),
    ],
)
def test_past_teaching_and_present_cues(text: str, expected: RiskLevel, followup: bool) -> None:
    assessment = classify_text(text, model=None)
    assert (assessment.level, assessment.needs_followup) == (expected, followup), assessment


def test_context_cue_mistakes_are_refused() -> None:
    from bot.domain.risk.rules import parse_context_cues

    with pytest.raises(RuleFileError, match="unknown context cue"):
        parse_context_cues('[context]\npasst = ["years ago"]\n', source="x.toml")
    with pytest.raises(RuleFileError, match="past"):
        parse_context_cues('[context]\npast = ["(years ago"]\n', source="x.toml")
    with pytest.raises(RuleFileError, match="one word"):
        parse_context_cues('[context]\nself = ["i am"]\n', source="x.toml")


def test_every_rule_file_loads_and_ids_are_unique_and_well_formed() -> None:
    everything = load_rules()
    ids = [rule.id for rule in everything.rules]
    assert len(ids) == len(set(ids))
    for language in LANGUAGES:
        rules = load_rules(language).rules
        assert len(rules) >= 15, language
        for rule in rules:
            assert rule.language == language
            assert rule.id.startswith(language.upper() + "-")
            assert rule.category in CATEGORIES
            assert rule.description
            assert rule.examples, f"{rule.id} has no examples"
            if rule.category in URGENT_CATEGORIES and rule.level == URGENT:
                assert rule.not_examples or rule.category == "medical", f"{rule.id} needs not_examples"
    categories = {rule.category for rule in everything.rules}
    assert categories >= URGENT_CATEGORIES and {"use", "craving", "help", "hopeless"} <= categories


@pytest.mark.parametrize("rule_id", [rule.id for rule in load_rules().rules])
def test_rule_examples_and_not_examples(rule_id: str) -> None:
    """Each example fires the rule (at its level or above); no not_example fires it."""
    rule = load_rules().by_id(rule_id)
    problems: list[str] = []
    for text in rule.examples:
        result = assess(text)
        if rule_id not in result.rule_ids or result.level < rule.level:
            problems.append(f"should fire on {text!r}; got {result.level.label} {result.rule_ids}")
    for text in rule.not_examples:
        result = assess(text)
        if rule_id in result.rule_ids:
            problems.append(f"must not fire on {text!r}")
    assert not problems, f"{rule_id}: " + "; ".join(problems)


def test_examples_cover_both_scripts_for_hindi_and_marathi() -> None:
    for language in ("hi", "mr"):
        examples = [text for rule in load_rules(language).rules for text in rule.examples]
        devanagari = sum(any("\u0900" <= ch <= "\u097f" for ch in text) for text in examples)
        latin = sum(text.isascii() for text in examples)
        assert devanagari >= 20 and latin >= 20, (language, devanagari, latin)


VALID_RULE = """
language = "en"
[[rule]]
id = "EN-SUI-900"
category = "suicide"
level = "urgent"
description = "test"
patterns = ["want to die"]
"""


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (('id = "EN-SUI-900"', 'id = "HI-SUI-900"'), "id must look like"),
        (('category = "suicide"', 'category = "sadness"'), "unknown category"),
        (('level = "urgent"', 'level = "severe"'), "unknown risk level"),
        (('level = "urgent"', 'level = "none"'), "would never raise"),
        (('description = "test"', 'description = ""'), "needs a description"),
        (('patterns = ["want to die"]', "patterns = []"), "at least one entry"),
        (('patterns = ["want to die"]', 'patterns = ["want (to die"]'), "ends too early"),
        (('patterns = ["want to die"]', 'patterns = ["want (to/) die"]'), "empty choice"),
        (('patterns = ["want to die"]', 'patterns = ["re:(a+)+"]'), "repeats a repeated group"),
        (('description = "test"', 'description = "test"\nexmaples = ["x"]'), "unknown field"),
    ],
)
def test_rule_file_mistakes_are_refused_with_a_clear_message(change: tuple[str, str], message: str) -> None:
    text = VALID_RULE.replace(*change)
    with pytest.raises(RuleFileError, match=message):
        parse_rules(text, language="en", source="test.toml")


def test_unknown_negation_settings_are_refused() -> None:
    text = VALID_RULE.replace('language = "en"', 'language = "en"\n[negation]\nbefor = ["not"]')
    with pytest.raises(RuleFileError, match="unknown negation setting"):
        parse_rules(text, language="en")


def test_duplicate_ids_are_refused() -> None:
    with pytest.raises(RuleFileError, match="duplicate"):
        parse_rules(VALID_RULE + VALID_RULE.split("\n", 2)[2], language="en")


@pytest.mark.parametrize(
    ("pattern", "text", "matches"),
    [
        ("kill myself", "i will kill myself", True),
        ("kill*", "killing", True),
        ("*cide", "suicide", True),
        ("want/wish to die", "wish to die", True),
        ("(end it all/end my life)", "end my life", True),
        ("[really/so] sad", "so sad", True),
        ("[really/so] sad", "sad", True),
        ("want ... die", "want to really die", True),
        ("want ... die", "want to go and then die", False),
        ("want ...5 die", "want to go and then die", True),
        ("((want/wish) to die/be dead)", "wish to die", True),
        ("I'm done", "im done", True),
        ("re:(?<= )k[aeiou]l", "kil", True),
    ],
)
def test_pattern_language(pattern: str, text: str, matches: bool) -> None:
    import re

    from bot.domain.risk.normalise import normalise

    regex = re.compile(compile_pattern(pattern).regex)
    assert bool(regex.search(normalise(text).text)) is matches


@pytest.mark.parametrize("pattern", ["", "...", "[optional]", "a ...9 b", "a /", "(a/)", "re:", "word ...", "(a|b) c"])
def test_bad_patterns_are_refused(pattern: str) -> None:
    with pytest.raises(PatternError):
        compile_pattern(pattern)


# --- purity and robustness -----------------------------------------------------------------------

FORBIDDEN = ("telegram", "sqlmodel", "sqlalchemy", "asyncio")


def test_risk_package_imports_only_the_standard_library() -> None:
    """The package and the parents Python imports with it (bot, bot.domain)."""
    parents = [ROOT / "bot" / "__init__.py", ROOT / "bot" / "domain" / "__init__.py"]
    for path in [*RISK_PACKAGE.glob("*.py"), *parents]:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                if node.level:  # relative import inside the package
                    continue
                names = [node.module or ""]
            else:
                continue
            for name in names:
                top = name.split(".")[0]
                assert top in sys.stdlib_module_names or top == "__future__", f"{path.name} imports {name}"
                assert top not in FORBIDDEN


NASTY = st.one_of(
    st.text(max_size=300),
    st.text(alphabet=st.characters(min_codepoint=0x0590, max_codepoint=0x06FF), max_size=200),  # Hebrew, Arabic (RTL)
    st.text(alphabet=st.characters(min_codepoint=0x0900, max_codepoint=0x097F), max_size=200),  # Devanagari
    st.text(
        alphabet=st.sampled_from(
            "\u200b\u200c\u200d\u202e\u2066\ufeff\x00\x07\x1b\n\r\t.!?।…'’ 😭🔪💊🙏🏽"
            "\U0001f9d1\u200d\U0001f91d\u200d\U0001f9d1"
        ),
        max_size=200,
    ),
    st.lists(
        st.sampled_from(
            ["i", "want", "to", "die", "not", "nahi", "मरना", "चाहता", "हूँ", "k1ll", "myself", ".", "!", "..."]
        ),
        max_size=40,
    ).map(" ".join),
)


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(NASTY)
def test_assess_never_raises_and_is_deterministic(text: str) -> None:
    first = assess(text)
    second = assess(text)
    assert first == second
    assert isinstance(first.level, RiskLevel)
    assert format_classification(first).count("\t") == 1
    assert all(isinstance(r.matched, str) and len(r.matched) <= 80 for r in first.reasons)


@settings(max_examples=15, deadline=None)
@given(st.text(min_size=1, max_size=30), st.integers(min_value=50, max_value=500))
def test_assess_handles_long_repetitive_text(chunk: str, times: int) -> None:
    text = (chunk * times)[:5_000]
    assert assess(text) == assess(text)


def test_huge_mixed_input_is_fast_enough_and_still_finds_danger() -> None:
    filler = "आज ठीक हूँ. I am fine 🙂 ‮ok‬ \x00\x1f ठीक आहे. " * 400
    start = time.perf_counter()
    result = assess(filler + " I want to die")
    assert time.perf_counter() - start < 5
    assert result.level == URGENT


def test_typical_message_is_quick() -> None:
    assess("warm up")
    start = time.perf_counter()
    for _ in range(200):
        assess("kal raat fir se pi li, ab bahut guilt ho raha hai")
    assert (time.perf_counter() - start) / 200 < 0.02
