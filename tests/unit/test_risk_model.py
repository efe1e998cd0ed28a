"""The trained risk model: corpus, stdlib scoring = scikit-learn, reproducible training, the
combination with the rules (the more severe wins, follow-up band, overrides), long and bad input,
the CLI, and the grouped evaluation split."""

from __future__ import annotations

import gzip
import itertools
import json
import re
import sys
import time
from collections import Counter
from functools import lru_cache
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot import cli
from bot.domain.risk import (
    MODEL_RULE_ID,
    RiskLevel,
    assess,
    classify_lines,
    engine,
    explain_classification,
    packaged_model,
)
from bot.domain.risk import classifier as clf
from bot.domain.risk.corpus import FAMILIES, LANGUAGES, CorpusError, load_corpus, parse_corpus
from bot.domain.risk.normalise import normalise
from bot.domain.risk.rules import RuleFileError, RuleSet, load_rules, parse_rules
from tests.unit.test_risk import risk_eval

ROOT = Path(__file__).resolve().parents[2]
URGENT, CONCERN, WATCH, NONE = RiskLevel.URGENT, RiskLevel.CONCERN, RiskLevel.WATCH, RiskLevel.NONE
# A sentence the shipped model scores urgent on its own and the rules do not catch (checked below).
OBLIQUE = "counted them again, forty should be enough, tonight after everyone sleeps"


def model() -> clf.RiskModel:
    shipped = packaged_model()
    assert shipped is not None, "bot/domain/risk/model/risk_model.xz is missing: run saathi risk train"
    return shipped


@lru_cache(maxsize=1)
def corpus():  # type: ignore[no-untyped-def]
    return load_corpus()


# --- the corpus --------------------------------------------------------------------------------


def test_corpus_is_big_covers_every_language_and_family() -> None:
    examples = corpus()
    assert len(examples) >= 3000
    by_language = Counter(e.language for e in examples)
    assert set(by_language) == set(LANGUAGES)
    assert min(by_language.values()) >= 400, by_language
    for language in LANGUAGES:
        families = {e.family for e in examples if e.language == language}
        assert families == set(FAMILIES), (language, set(FAMILIES) - families)
    # every group belongs to one language and one family (the evaluation split relies on it)
    owners: dict[str, set[tuple[str, str]]] = {}
    for e in examples:
        owners.setdefault(e.group, set()).add((e.language, e.family))
    assert all(len(o) == 1 for o in owners.values())


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("maybe\ten\tplan\ten-plan-001\ttext", "label 'maybe'"),
        ("urgent\tfr\tplan\tfr-plan-001\ttext", "language 'fr'"),
        ("concern\ten\tplan\ten-plan-001\ttext", "belongs to label 'urgent'"),
        ("urgent\ten\tplans\ten-plans-001\ttext", "not a known family"),
        ("urgent\ten\tplan\ten-burden-001\ttext", "must start with en-plan-"),
        ("urgent\ten\tplan\ten-plan-001\t ", "empty text"),
        ("urgent\ten\tplan\ten-plan-001", "expected 5"),
    ],
)
def test_corpus_lines_are_checked_strictly(line: str, message: str) -> None:
    with pytest.raises(CorpusError, match=message) as caught:
        parse_corpus("label\tlanguage\tfamily\tgroup\ttext\n" + line + "\n", source="x.tsv")
    assert "x.tsv:2" in str(caught.value)


def test_corpus_needs_its_header_and_refuses_duplicates(tmp_path: Path) -> None:
    with pytest.raises(CorpusError, match="header"):
        parse_corpus("urgent\ten\tplan\ten-plan-001\ttext\n")
    header = "label\tlanguage\tfamily\tgroup\ttext\n"
    (tmp_path / "a.tsv").write_text(header + "none\ten\tidiom\ten-idiom-001\tDying to see you\n", encoding="utf-8")
    (tmp_path / "b.tsv").write_text(header + "none\ten\tidiom\ten-idiom-002\tdying  to see you\n", encoding="utf-8")
    with pytest.raises(CorpusError, match="duplicate of a.tsv:2"):
        load_corpus(tmp_path)


# --- the artifact and scoring ---------------------------------------------------------------------


def test_artifact_is_small_loaded_once_and_matches_the_corpus_and_features() -> None:
    path = clf.packaged_path()
    assert path.stat().st_size < 5_000_000  # the issue's ceiling, in decimal megabytes
    assert packaged_model() is packaged_model()  # cached: read once per process
    meta = model().meta
    from bot.domain.risk.corpus import corpus_digest

    assert meta["corpus_sha256"] == corpus_digest(corpus()), "corpus changed: run saathi risk train"
    assert meta["features"]["digest"] == clf.feature_digest(), "features changed: run saathi risk train"
    with clf.open_artifact(path) as handle:
        head = json.loads(handle.readline())  # the artifact's first line: everything but the terms
    assert head["format"] == clf.LINES_FORMAT and head["count"] == len(model().terms)
    assert "date" not in json.dumps(head["meta"]).lower()  # reproducible: no timestamp anywhere


def test_retraining_reproduces_the_shipped_scores_and_stdlib_scoring_equals_sklearn() -> None:
    """A clean retrain (the same final fit as saathi risk train, same C) gives the shipped model's
    vocabulary and probabilities; the pure-Python scorer gives scikit-learn's to 1e-6 with every digit
    kept, and the shipped file (DIGITS significant digits) to 1e-3."""
    training = pytest.importorskip("bot.risk_training")
    shipped = model()
    examples = corpus()
    with training.threadpool_limits(limits=1):
        vectorizer, classifier = training._fit_arrays(
            [e.text for e in examples], [e.label for e in examples], float(shipped.meta["C"])
        )
    fitted = training.export(vectorizer, classifier, shipped.thresholds, shipped.meta, digits=17)
    assert set(fitted.terms) == set(shipped.terms)
    sample = [e.text for e in examples[::37]] + ["", "ok", OBLIQUE, "आज रात सब खत्म"]
    sk = training.Fitted(vectorizer, classifier, fitted).sklearn_probabilities(sample)
    worst_sklearn = worst_shipped = 0.0
    for text, expected in zip(sample, sk, strict=True):
        mine = fitted.probabilities_of(text)
        theirs = shipped.probabilities_of(text)
        worst_sklearn = max(worst_sklearn, *(abs(mine[c] - expected[c]) for c in expected))
        worst_shipped = max(worst_shipped, *(abs(theirs[c] - expected[c]) for c in expected))
    assert worst_sklearn < 1e-6
    assert worst_shipped < 1e-3  # DIGITS significant digits


def test_thresholds_put_recall_first_within_the_false_alarm_budget() -> None:
    training = pytest.importorskip("bot.risk_training")
    labels = ["urgent"] * 100 + ["concern"] * 100 + ["none"] * 100
    # well separated: the recall targets are reached with high thresholds
    p_urgent = [0.9] * 100 + [0.05] * 100 + [0.02] * 100
    p_concern = [0.05] * 100 + [0.9] * 100 + [0.03] * 100
    easy = training.choose_thresholds(labels, p_urgent, p_concern)
    assert easy.urgent == 0.5 and easy.concern == 0.5  # highest that reaches the target, capped at 0.5
    # overlapping: reaching the targets would flag most ordinary messages; the budget wins
    p_urgent = [i / 100 for i in range(100)] + [0.05] * 100 + [i / 100 for i in range(100)]
    hard = training.choose_thresholds(labels, p_urgent, [0.0] * 300)
    none_flagged = sum(p >= hard.ask for p in p_urgent[200:]) / 100
    assert none_flagged <= training.FALSE_ALARM_BUDGET
    assert hard.ask <= hard.urgent


# --- combination with the rules -----------------------------------------------------------------------


def test_the_model_catches_an_oblique_plan_the_rules_miss() -> None:
    rules_alone = assess(OBLIQUE, model=None)
    combined = assess(OBLIQUE)
    assert rules_alone.level < URGENT
    assert combined.level == URGENT
    (reason,) = [r for r in combined.reasons if r.rule_id == MODEL_RULE_ID]
    assert reason.category == "model" and re.fullmatch(r"urgent [01]\.\d\d", reason.matched)


def test_final_level_is_the_more_severe_and_the_model_lowers_only_a_quieted_topic_rule() -> None:
    """The more severe of rules and model, except a topic rule's alert quieted to watch (engine._quieted)
    when the model finds the message far from any alert; an urgent level only when every rule behind it
    is a topic rule (overdose, medical, withdrawal) and the model's P(urgent) is lower still."""
    for text in ("I want to die", "maine aaj pi li", "मला मरायचं आहे", "I took too much"):
        assert assess(text).level >= assess(text, model=None).level
    shipped = model()
    rules = load_rules()
    quieted = 0
    for e in corpus()[::53]:
        combined, rules_alone = assess(e.text), assess(e.text, model=None)
        verdict = shipped.verdict(normalise(e.text))
        if combined.level == max(rules_alone.level, verdict.level):
            continue
        quieted += 1
        assert rules_alone.level in (CONCERN, URGENT) and (combined.level, verdict.level) == (WATCH, NONE), e.text
        assert verdict.p_urgent + verdict.p_concern < engine.QUIET_CONCERN_BELOW, e.text
        if rules_alone.level == URGENT:
            assert verdict.p_urgent < engine.QUIET_URGENT_BELOW, e.text
        for reason in rules_alone.reasons:
            assert rules.by_id(reason.rule_id).category in engine.TOPIC_CATEGORIES, e.text
    assert quieted < 20  # a few hard negatives, not a lever that silences the rules


def _model_with(thresholds: clf.Thresholds) -> clf.RiskModel:
    from dataclasses import replace

    return replace(model(), thresholds=thresholds)  # the shipped weights and link, other thresholds


def test_a_score_near_the_urgent_boundary_asks_the_followup_questions() -> None:
    p = model().probabilities_of(OBLIQUE)["urgent"]
    assert p < 1.0
    near = _model_with(clf.Thresholds(urgent=(p + 1.0) / 2, concern=clf.NEVER, ask=p - 0.001))
    result = assess(OBLIQUE, model=near)
    assert result.needs_followup
    assert result.level == WATCH  # no alert; the C-SSRS questions decide (safety.screen)
    (reason,) = [r for r in result.reasons if r.rule_id == MODEL_RULE_ID]
    assert re.fullmatch(r"ask [01]\.\d\d", reason.matched)
    below = _model_with(clf.Thresholds(urgent=clf.NEVER, concern=clf.NEVER, ask=(p + 1.0) / 2))
    assert not assess(OBLIQUE, model=below).needs_followup


def test_a_danger_sentence_at_the_end_of_a_long_note_is_not_diluted() -> None:
    filler = "Aaj office gaya, kaam theek tha. Shaam ko chai pi aur bacchon ke saath TV dekha. " * 50
    text = (filler + OBLIQUE)[-4096:]
    assert len(text) == 4096
    result = assess(text)
    assert result.level == URGENT
    (reason,) = [r for r in result.reasons if r.rule_id == MODEL_RULE_ID]
    assert "everyone sleeps" in reason.matched  # the window's own words, for the counsellor


def test_windows_are_whole_sentences_up_to_the_limit_and_long_sentences_overlap() -> None:
    norm = normalise("one two three. " * 100)
    windows = clf.sentence_windows(norm)
    assert len(windows) > 1
    covered = set()
    for first, last in windows:
        assert norm.spans[last][1] - norm.spans[first][0] <= clf.WINDOW_CHARS
        assert norm.tokens[first] == "one" and norm.tokens[last] == "thre"  # whole sentences
        covered.update(range(first, last + 1))
    assert covered >= {i for i, t in enumerate(norm.tokens) if t != "\n"}
    assert (0, 2) in windows  # each sentence alone too, so nothing is diluted by its neighbours
    short = normalise("ok. fine. I am here.")
    assert clf.sentence_windows(short) == [(0, len(short.tokens) - 1)]  # a short message is read whole
    run_on = normalise("word " * 400)
    pieces = clf.sentence_windows(run_on)
    assert all(b[0] <= a[1] for a, b in itertools.pairwise(pieces))  # overlapping: no phrase is cut in two
    assert pieces[-1][1] == len(run_on.tokens) - 1


OVERRIDES = """
language = "en"
[[rule]]
id = "EN-OVR-001"
category = "override"
level = "none"
model = "ignore"
description = "Never escalate on the model's word: a quiz question in the group."
patterns = ["counted them again"]

[[rule]]
id = "EN-OVR-002"
category = "override"
level = "urgent"
description = "Always escalate: a code word the centre agreed with its members."
patterns = ["red umbrella"]
"""


def _with_overrides() -> RuleSet:
    base = load_rules()
    return RuleSet(
        rules=(*base.rules, *parse_rules(OVERRIDES, language="en")), languages=base.languages, checkin=base.checkin
    )


def test_override_rules_silence_the_model_on_their_sentence_only_and_force_a_level(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from bot.domain.risk import engine

    monkeypatch.setattr(engine, "load_rules", _with_overrides)
    assert assess(OBLIQUE).level == NONE  # "never escalate Y": the model is not asked about that sentence
    assert MODEL_RULE_ID not in assess(OBLIQUE).rule_ids
    elsewhere = "counted them again for the quiz. " + OBLIQUE.replace("counted them again, ", "")
    assert assess(elsewhere).level == URGENT  # another sentence is still read by the model
    forced = assess("it is a red umbrella day")
    assert forced.level == URGENT and forced.rule_ids[0] == "EN-OVR-002"  # "always escalate X"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ('level = "none"\nmodel = ""', "only an override"),
        ('level = "none"\nmodel = "off"', 'only setting is model = "ignore"'),
    ],
)
def test_override_mistakes_are_refused(change: str, message: str) -> None:
    text = OVERRIDES.replace('level = "none"\nmodel = "ignore"', change)
    with pytest.raises(RuleFileError, match=message):
        parse_rules(text, language="en")


# --- the issue's false alarms, bad input, the CLI --------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "in today's session they taught us the signs of overdose, like blue lips and slow breathing",
        "counsellor explained relapse is part of recovery, not the end",
        "chai pi ke walk pe gaya",
    ],
)
def test_the_rules_no_longer_fire_on_the_issues_false_alarms(text: str) -> None:
    assert assess(text, model=None).level == NONE


BAD = [
    "",
    " ",
    "😭😭😭🙏🏽",
    "x" * 4096,
    ("मला आज I want to मरायचं " * 300)[:4096],
    "I w\u200ba\u200bn\u200bt to d\u200bi\u200be",
    "hello\x00world\x00",
    "\u202e\u2066\ufeff",
    "١٢٣ عربى",
]


@pytest.mark.parametrize("text", BAD)
def test_bad_input_always_gets_a_level(text: str) -> None:
    result = assess(text)
    assert isinstance(result.level, RiskLevel)
    assert result == assess(text)
    assert explain_classification(result).count("\t") == 2


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=600))
def test_any_text_gets_a_level_from_rules_and_model(text: str) -> None:
    result = assess(text)
    assert isinstance(result.level, RiskLevel)
    assert all(len(r.matched) <= 80 for r in result.reasons)


def test_classify_keeps_its_interface_and_explain_names_the_layer(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    lines = list(classify_lines([OBLIQUE + "\n", "\n", "I want to die\n"]))
    assert lines[0] == "urgent\tMODEL"
    assert lines[1] == "none\t"
    assert lines[2].startswith("urgent\tEN-SUI-001")
    explained = list(classify_lines([OBLIQUE, "hello", "I want to die"], explain=True))
    level, layer, why = explained[0].split("\t")
    assert (level, layer) == ("urgent", "model") and re.match(r"MODEL: urgent [01]\.\d\d", why)
    assert explained[1] == "none\t-\t-"
    assert explained[2].split("\t")[1] in ("rules", "rules+model")
    assert "EN-SUI-001 (suicide): want to die" in explained[2]
    import io

    monkeypatch.setattr(sys, "stdin", io.StringIO(OBLIQUE + "\n"))
    assert cli.main(["risk", "classify", "--explain"]) == 0
    assert capsys.readouterr().out.startswith("urgent\tmodel\tMODEL: urgent")


def test_classification_is_fast() -> None:
    """CPU time, not the wall clock: on a busy machine waiting for a core is not our cost."""
    texts = [e.text for e in corpus()[::11]]
    assess("warm up")
    start = time.process_time()
    for text in texts:
        assess(text)
    assert (time.process_time() - start) / len(texts) < 0.02


# --- the evaluation split ------------------------------------------------------------------------------


def test_round3_holdout_scores_round3_only_trains_on_every_other_round_and_refuses_an_empty_side(
    capsys: pytest.CaptureFixture[str],
) -> None:
    train, test = risk_eval().split_by_group_number(corpus(), 1001)
    assert train and test and len(train) + len(test) == len(corpus())
    assert all(risk_eval().group_number(e) < 1001 for e in train)
    assert all(risk_eval().group_number(e) >= 1001 for e in test)
    train, test = risk_eval().split_by_group_number(corpus(), 501, 1001)
    assert all(501 <= risk_eval().group_number(e) < 1001 for e in test)
    assert any(risk_eval().group_number(e) >= 1001 for e in train)
    from dataclasses import replace

    made_up = [
        replace(corpus()[0], group="en-plan-2500", source="round3-en.tsv"),
        replace(corpus()[0], group="en-plan-3999"),
        replace(corpus()[0], group="en-plan-4001"),
        replace(corpus()[0], group="en-plan-1999"),
    ]
    train, test = risk_eval().split_round3(made_up)
    assert [e.group for e in test] == ["en-plan-2500", "en-plan-3999"]  # round 4 (4001 on) trains
    assert [e.group for e in train] == ["en-plan-4001", "en-plan-1999"]
    if not risk_eval().split_round3(corpus())[1]:  # before round 3 is merged
        assert risk_eval().main(["--holdout-round3"]) == 2
        assert "no corpus lines in round 3" in capsys.readouterr().err


def test_grouped_split_keeps_groups_whole_and_every_family_on_both_sides() -> None:
    train, test = risk_eval().grouped_split(corpus())
    assert not {e.group for e in train} & {e.group for e in test}
    assert len(train) + len(test) == len(corpus())
    for language in LANGUAGES:
        for family in FAMILIES:
            groups = {e.group for e in corpus() if e.language == language and e.family == family}
            if len(groups) >= 2:
                assert any(e.language == language and e.family == family for e in test), (language, family)
                assert any(e.language == language and e.family == family for e in train), (language, family)
    assert 0.15 < len(test) / len(corpus()) < 0.35
    assert risk_eval().grouped_split(corpus()) == (train, test)  # fixed seed


# --- concept features and short messages (round 2) ------------------------------------------------


def _concepts(text: str) -> set[str]:
    return {f for f in clf.features(text) if f.startswith("c:")}


@pytest.mark.parametrize(
    "text",
    [
        "saving up my pills, tonight is the night",
        "goliyan jama ki hain, aaj raat",
        "गोलियां जमा कर ली हैं, आज रात",
        "गोळ्या साठवल्या आहेत, आज रात्री",
        "golya jama kelya, aaj ratri",
    ],
)
def test_concepts_give_one_plan_the_same_features_in_every_language(text: str) -> None:
    assert {"c:means", "c:time-now", "c:means+c:time-now"} <= _concepts(text)


def test_concept_pairs_stay_inside_a_sentence_and_phrases_and_prefixes_match() -> None:
    assert "c:means+c:time-now" not in _concepts("I bought pills for my mother. Tonight we eat out")
    assert {"c:god", "c:take-me", "c:god+c:take-me"} <= _concepts("bhagwan mujhe utha le")
    assert "c:burden" in _concepts("everyone would be better off without me")
    assert "c:means" in _concepts("vihirit udi maren")  # "vihir*" and "udi"
    assert _concepts("hello") == set()


@pytest.mark.parametrize(
    ("devanagari", "latin"),
    [
        ("मरना चाहता हूँ", "marna chahta hu"),
        ("मला मरायचं आहे", "mala marayach ahe"),
        ("करना", "karna"),
        ("समझना", "samajhna"),
        ("गोळ्या साठवल्या", "golya sathvalya"),
        ("आत्महत्या", "atmahatya"),
    ],
)
def test_devanagari_words_also_give_the_features_of_their_latin_spelling(devanagari: str, latin: str) -> None:
    from bot.domain.risk.translit import romanise

    assert " ".join(romanise(token) for token in normalise(devanagari).tokens) == latin
    assert set(clf.features(latin)) <= set(clf.features(devanagari))
    assert romanise("") == "" and romanise("्ा") == ""  # stray signs alone: nothing, never an error


def test_word_pairs_skip_one_word_and_letters_cross_word_boundaries_within_a_sentence() -> None:
    feats = set(clf.features("marna hi chahta. tonight"))
    assert {"s:marna chahta", "w:marna hi", "x:a h", "x:na hi", "x:i cha"} <= feats
    assert not any(f.startswith(("s:", "x:")) and "tonight" in f for f in feats)  # not across a sentence end
    assert set(clf.features("mar jaunga")) & set(clf.features("marjaunga")) >= {"<mar", "ja"}
    assert "x:r ja" in set(clf.features("mar jaunga"))
    assert not any(f.startswith(("s:", "x:")) for f in clf.features("hello"))


def _vocabulary_share(text: str) -> Counter[int]:
    ids = model().weights.ids.ids
    return Counter(ids[f] for f in clf.features(text) if f in ids)


def _scored_ids(text: str) -> Counter[int]:
    term_ids = model().weights.ids
    out: Counter[int] = Counter()
    sentence: list[str] = []
    for token in (*normalise(text).tokens, "\n"):
        if token != "\n":
            sentence.append(token)
        elif sentence:
            out.update(term_ids.sentence(sentence)[0])
            sentence = []
    return out


@pytest.mark.parametrize(
    "text",
    [
        OBLIQUE,
        "marna hi chahta. tonight",
        "a b c d. x y, ab cd efg h",
        "मला आज I want to मरायचं, sab khatam aaj raat",
        "k1ll. mysélf\u200b!! 😭 10mg 2day",
        "",
    ],
)
def test_scoring_by_term_ids_reads_exactly_the_training_features(text: str) -> None:
    """The bot scores with ids (features.TermIds: per word, per word boundary, per sentence), the
    training with strings (features.features): the same features, as many times each."""
    assert _scored_ids(text) == _vocabulary_share(text)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(alphabet="ab cdé.!मरा्ं12", max_size=120))
def test_scoring_by_term_ids_reads_exactly_the_training_features_on_any_text(text: str) -> None:
    assert _scored_ids(text) == _vocabulary_share(text)


def test_a_long_mixed_message_gets_a_level_and_each_window_its_own_score() -> None:
    """Telegram's longest message, of several languages and scripts: a level, and the verdict's
    scores are those of its worst window scored as the training features would score it."""
    lines = [e.text for e in corpus()[::97]]
    text = ". ".join(lines)[:4096]
    assert len(text) == 4096
    result = assess(text)
    assert isinstance(result.level, RiskLevel)
    norm = normalise(text)
    verdict = model().verdict(norm)
    windows = clf.sentence_windows(norm)
    assert len(windows) > 1
    scores = [model().probabilities(clf.token_features(norm.tokens[a : b + 1])) for a, b in windows]
    assert any(abs(p["urgent"] - verdict.p_urgent) < 1e-9 for p in scores)


def test_training_respells_only_training_texts_latin_words_deterministically() -> None:
    training = pytest.importorskip("bot.risk_training")
    text = "zindagi khatam, aaj raat. मरना है"
    assert training.respell(text) == training.respell(text)  # seeded by the text: reproducible
    assert training.respell(text).endswith("मरना है")  # Devanagari untouched
    variants = {training.respell(f"{text} {i}") for i in range(20)}
    assert any("jindagi" in v for v in variants) and any("katam" in v for v in variants)
    assert any(v.startswith("zindagi khatam, aaj raat") for v in variants)  # each change only sometimes
    texts, labels = training.augmented(["aaj raat khatam", "मरना है"], ["urgent", "none"])
    assert texts[:2] == ["aaj raat khatam", "मरना है"] and labels[:2] == ["urgent", "none"]
    assert labels[2:] == ["urgent"] * (len(texts) - 2) and "मरना है" not in texts[2:]


TINY = {"pill": (2.5, (0.5, -1.0, 2.0)), "ok": (1.25, (0.0, 0.0, 0.0)), "गोळ्या": (3.0, (-0.25, 0.0, 1.5))}


def tiny_model() -> clf.RiskModel:
    """Three terms, one of them with every weight 0, as training gives them (a dict)."""
    return clf.RiskModel(("concern", "none", "urgent"), (0.0, 0.1, -0.2), TINY, clf.Thresholds(0.5, 0.5, 0.3))


def test_a_read_model_keeps_its_numbers_once_as_arrays_and_shows_them_as_the_trained_dict() -> None:
    trained, written = TINY, tiny_model()
    data = clf.model_to_dict(written)
    assert data["rows"][data["terms"].index("ok")] == [1.25]  # all-zero weights are left out of the file
    read = clf.model_from_dict(data)
    assert isinstance(read.terms, clf.TermTable) and read.weights is read.terms.weights
    assert dict(read.terms) == trained and len(read.terms) == 3 and "pill" in read.terms and "x" not in read.terms
    for text in ("pill ok", "गोळ्या pill pill", ""):
        assert read.probabilities_of(text) == pytest.approx(written.probabilities_of(text), abs=1e-12)
    with pytest.raises(ValueError, match="2 terms but 3 rows"):
        clf.model_from_dict(data | {"terms": data["terms"][:2]})


def test_the_artifact_is_read_line_by_line_and_an_older_json_artifact_still_reads(tmp_path: Path) -> None:
    training = pytest.importorskip("bot.risk_training")
    trained, written = TINY, tiny_model()
    lines = list(clf.model_lines(written))
    assert json.loads(lines[0])["count"] == 3 and lines[1:4] == ["ok\n", "pill\n", "गोळ्या\n"]  # terms, sorted
    assert lines[4:] == ["1.25\n", "2.5\t0.5\t-1.0\t2.0\n", "3.0\t-0.25\t0.0\t1.5\n"]  # then their numbers
    training.save_model(written, tmp_path / "new.xz")
    training.save_model(written, tmp_path / "new.json.gz")  # the same lines, gzip
    first = (tmp_path / "new.xz").read_bytes()
    training.save_model(written, tmp_path / "new.xz")
    assert (tmp_path / "new.xz").read_bytes() == first  # reproducible, byte for byte
    old = tmp_path / "old.json.gz"
    with gzip.open(old, "wt", encoding="utf-8") as handle:
        json.dump(clf.model_to_dict(written), handle)  # format 2: one JSON document
    for path in (tmp_path / "new.xz", tmp_path / "new.json.gz", old):
        read = clf.load_model(path)
        assert dict(read.terms) == trained and read.thresholds == written.thresholds, path
        assert read.probabilities_of("pill ok") == pytest.approx(written.probabilities_of("pill ok"), abs=1e-12)
    head = json.loads(lines[0])
    with pytest.raises(ValueError, match="line 6: expected 1 or 4 numbers, found 2"):
        clf.model_from_lines(head, iter([*lines[1:5], "2.5\t0.5\n", lines[6]]))
    with pytest.raises(ValueError, match="3 terms announced, 3 terms and 2 rows"):
        clf.model_from_lines(head, iter(lines[1:6]))
    with pytest.raises(ValueError, match="tab or a line break"):
        list(
            clf.model_lines(
                clf.RiskModel(written.classes, written.intercepts, {"a\tb": (1.0, (0.0,) * 3)}, written.thresholds)
            )
        )


def test_both_artifact_links_score_and_an_unknown_one_is_refused() -> None:
    data = clf.model_to_dict(model())
    assert data["format"] == clf.FORMAT and data["link"] in ("softmax", "ovr")
    old = {key: value for key, value in data.items() if key != "link"} | {"format": 1}
    softmax = clf.model_from_dict(old)  # a format 1 file: one multinomial model
    assert softmax.link == "softmax"
    probs = softmax.probabilities_of(OBLIQUE)
    assert abs(sum(probs.values()) - 1.0) < 1e-9
    with pytest.raises(ValueError, match="link"):
        clf.model_from_dict(data | {"link": "probit"})


def test_the_concept_lexicon_is_checked() -> None:
    from bot.domain.risk.concepts import parse_lexicon

    with pytest.raises(ValueError, match=r"\[means\] needs a list"):
        parse_lexicon('[means]\nterms = "pills"\n')
    with pytest.raises(ValueError, match="has no words"):
        parse_lexicon('[means]\nterms = ["!!"]\n')
    lexicon = parse_lexicon('[final]\nterms = ["Akhri", "shevat*", "the end"]\n')
    assert "akhri" in lexicon.exact and ("shevat", "final") in lexicon.prefixes and "the" in lexicon.phrases


def test_short_messages_get_the_stricter_threshold_or_none_at_all() -> None:
    text = "alvida sabko"
    p = model().probabilities_of(text)["urgent"]
    never = _model_with(clf.Thresholds(urgent=0.0, concern=0.0, ask=0.0))  # short = NEVER: not read
    assert never.verdict(normalise(text)) == clf.NO_VERDICT
    strict = _model_with(clf.Thresholds(urgent=0.99, concern=0.99, ask=0.99, short=max(0.0, p - 0.001)))
    verdict = strict.verdict(normalise(text))
    assert verdict.level == URGENT and not verdict.followup
    above = _model_with(clf.Thresholds(urgent=0.0, concern=0.0, ask=0.0, short=min(1.0, p + 0.001)))
    assert above.verdict(normalise(text)).level == RiskLevel.NONE  # never concern or asked


def test_short_threshold_is_chosen_on_short_messages_within_its_budget(monkeypatch: pytest.MonkeyPatch) -> None:
    training = pytest.importorskip("bot.risk_training")
    assert model().thresholds.short == clf.NEVER  # off in the shipped model (see SHORT_MESSAGES)
    monkeypatch.setattr(training, "SHORT_MESSAGES", True)
    labels = ["urgent"] * 10 + ["none"] * 50
    p_urgent = [0.95] * 5 + [0.3] * 5 + [0.6] * 5 + [0.1] * 45
    short = [True] * 60
    chosen = training.choose_short(labels, p_urgent, short, t_urgent=0.5)
    assert 0.6 < chosen <= 0.95  # above every none scored 0.6 (10 % > the 2 % budget)
    assert training.choose_short(labels, [0.1] * 10 + [0.9] * 50, short, 0.5) == clf.NEVER
    assert training.choose_short(labels, p_urgent, [False] * 60, 0.5) == clf.NEVER
