"""Quieting (round 5): the model, reading the whole message, can quiet a topic rule's concern alert
when it finds the message far from any alert, never an urgent rule, an override or a short message;
and scoring external corpus-format files once with the shipped engine (scripts/risk_eval.py PATH…)."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from bot.domain.risk import RiskLevel, assess, engine
from bot.domain.risk import classifier as clf
from bot.domain.risk.rules import load_rules
from tests.unit.test_risk import risk_eval

URGENT, CONCERN, WATCH, NONE = RiskLevel.URGENT, RiskLevel.CONCERN, RiskLevel.WATCH, RiskLevel.NONE


def fixed(p_urgent: float, p_concern: float) -> clf.RiskModel:
    """A model that gives every message these probabilities and never fires itself."""
    p_none = 1.0 - p_urgent - p_concern
    return clf.RiskModel(
        classes=("concern", "none", "urgent"),
        intercepts=tuple(math.log(p / (1.0 - p)) for p in (p_concern, p_none, p_urgent)),
        terms={},
        thresholds=clf.Thresholds(urgent=clf.NEVER, concern=clf.NEVER, ask=clf.NEVER),
        link="ovr",
    )


def test_the_fixed_model_gives_its_probabilities_and_never_fires() -> None:
    probs = fixed(0.05, 0.1).probabilities_of("anything at all")
    assert probs["urgent"] == pytest.approx(0.05) and probs["concern"] == pytest.approx(0.1)
    assert assess("the tea was good today", model=fixed(0.05, 0.1)).level == NONE


def test_a_topic_rules_concern_becomes_watch_when_the_model_finds_the_message_far_from_any_alert() -> None:
    text = "I relapsed today after the wedding"
    assert assess(text, model=None).level == CONCERN  # the use rule alone
    quiet = assess(text, model=fixed(0.05, 0.1))  # P(urgent) + P(concern) 0.15 < 0.2
    assert quiet.level == WATCH and not quiet.needs_followup
    assert [r.rule_id for r in quiet.reasons] == [r.rule_id for r in assess(text, model=None).reasons]  # kept
    assert quiet.reasons[0].matched == "relapsed [quieted, model urgent 0.05 concern 0.10]"  # --explain shows why
    assert assess(text, model=fixed(0.05, 0.2)).level == CONCERN  # 0.25: not far enough
    assert assess(text, model=fixed(0.15, 0.1)).level == CONCERN


def test_an_urgent_topic_rule_becomes_watch_only_when_the_model_finds_the_message_far_from_any_alert() -> None:
    text = "its been 2 years since the overdose, doctor says my liver is recovering"
    alone = assess(text, model=None)
    assert alone.level == URGENT and {r.category for r in alone.reasons} == {"overdose"}
    quiet = assess(text, model=fixed(0.05, 0.1))  # P(urgent) 0.05 < 0.1 and 0.15 < 0.2
    assert quiet.level == WATCH and not quiet.needs_followup
    assert [r.rule_id for r in quiet.reasons] == [r.rule_id for r in alone.reasons]  # the reason is kept
    assert quiet.reasons[0].matched.endswith("[quieted, model urgent 0.05 concern 0.10]")
    assert assess(text, model=fixed(0.12, 0.01)).level == URGENT  # P(urgent) not low enough
    assert assess(text, model=fixed(0.05, 0.16)).level == URGENT  # 0.21: not far from an alert


def test_never_a_suicide_rules_plain_match_an_override_or_a_short_message() -> None:
    calm = fixed(0.01, 0.01)
    assert assess("I want to die", model=calm).level == URGENT
    assert assess("I am having suicidal thoughts since the fight", model=calm).level == URGENT
    assert assess("relapsed today", model=calm).level == CONCERN  # two words: the model does not read it
    rules = load_rules()
    assert all(r.category not in engine.TOPIC_CATEGORIES for r in rules.rules if r.silences_model)


def test_a_suicide_rules_match_its_own_negation_softened_is_quieted_only_when_the_model_is_far_from_any_alert() -> None:
    text = "I dont want to die anymore, life is better now"
    negated = assess(text, model=None)  # the rule alone: softened to concern, with the questions, never hidden
    assert negated.level == CONCERN and negated.needs_followup
    assert [r.category for r in negated.reasons] == ["suicide"]
    quiet = assess(text, model=fixed(0.05, 0.1))  # P(urgent) 0.05 < 0.1 and 0.15 < 0.2: the model agrees
    assert quiet.level == WATCH and not quiet.needs_followup
    assert quiet.reasons[0].matched.endswith("[quieted, model urgent 0.05 concern 0.10]")  # kept, with why
    assert assess(text, model=fixed(0.12, 0.01)) == negated  # P(urgent) not low enough: untouched
    assert assess(text, model=fixed(0.05, 0.16)) == negated  # 0.21: not far from an alert
    past = "six months ago I wanted to die"  # a past cue: the questions, unless the model agrees it is over
    assert assess(past, model=None).needs_followup
    assert not assess(past, model=fixed(0.05, 0.1)).needs_followup


def test_a_topic_rules_followup_question_is_quieted_below_the_ask_line() -> None:
    rules = load_rules()
    rule = rules.by_id("EN-USE-003")
    signal = engine.Signal(rule.id, rule.category, WATCH, "relapsed", True)
    norm_verdict = clf.Verdict(NONE, False, 0.3, 0.1, "")
    assert engine._quieted(rule, signal, norm_verdict, words=5).followup is False
    asked = engine._quieted(rule, signal, clf.Verdict(NONE, False, 0.45, 0.1, ""), words=5)
    assert asked.followup is True
    assert engine._quieted(rule, signal, clf.NO_VERDICT, words=5) is signal  # the model read nothing
    assert engine._quieted(rule, signal, norm_verdict, words=2) is signal


CORPUS_HEADER = "label\tlanguage\tfamily\tgroup\ttext\n"


def test_external_corpus_files_are_scored_once_per_language_and_family(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    module = risk_eval()
    first, second = tmp_path / "a-en.tsv", tmp_path / "b-hi-Latn.tsv"
    first.write_text(
        CORPUS_HEADER + "urgent\ten\tplan\ten-plan-9001\tI want to die tonight, I have the rope ready\n"
        "none\ten\tidiom\ten-idiom-9001\tthis heat is killing me, going for chai\n",
        encoding="utf-8",
    )
    second.write_text(
        CORPUS_HEADER + "concern\thi-Latn\tlapse-alcohol\thi-Latn-lapse-alcohol-9001\tmaine aaj phir se pi li\n",
        encoding="utf-8",
    )
    status = module.main([str(first), str(second), "--errors"])
    out = capsys.readouterr().out
    assert "a-en.tsv, b-hi-Latn.tsv" in out and "held out 3" in out
    assert "== rules + model" in out and "== rules only" in out and "== model only" in out
    assert "Per family" in out and "plan" in out and "lapse-alcohol" in out and "hi-Latn" in out
    assert status == (1 if "Targets MISSED" in out else 0)
    plain = [tmp_path / "one.tsv", tmp_path / "two.tsv"]
    plain[0].write_text("en\turgent\tI want to die\n", encoding="utf-8")
    plain[1].write_text("hi-Latn\tnone\tchai pi li, ab walk pe ja raha hu\n", encoding="utf-8")
    assert module.main([str(p) for p in plain]) in (0, 1)
    assert "2 labelled messages" in capsys.readouterr().out
    broken = tmp_path / "broken.tsv"
    broken.write_text(CORPUS_HEADER + "maybe\ten\tplan\ten-plan-9002\tx\n", encoding="utf-8")
    assert module.main([str(first), str(broken)]) == 2
