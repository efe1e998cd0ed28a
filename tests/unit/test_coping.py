"""Coping strategy catalogue, choice and toolkit, and its three translations."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fluent.syntax import ast, parse
from hypothesis import given
from hypothesis import strategies as st

from bot.domain.coping import (
    CATALOGUE,
    STRATEGIES,
    TRIGGERS,
    Strategy,
    choose_coping,
    should_suggest_counsellor,
    toolkit,
)

LOCALES = Path(__file__).resolve().parents[2] / "bot" / "i18n" / "locales"
LANGUAGES = ("en", "hi", "mr")
REQUIRED = {
    "urge_surfing",
    "delay_distract_decide",
    "halt",
    "grounding_54321",
    "call_sponsor",
    "box_breathing",
    "play_the_tape_forward",
    "walk_outside",
    "water_and_food",
    "journal",
    "gratitude_three",
    "call_counsellor",
    "attend_meeting",
    "change_place",
    "cold_water",
    "music",
    "prayer_or_meditation",
    "plan_tomorrow",
    "rest_and_sleep",
    "reach_out_friend",
}
KNOWN_TAGS = {"craving_high", "craving_low", "mood_low", "mood_ok", "used", "urge", "not_after_use", *TRIGGERS}
AFTER_USE = {
    "call_counsellor",
    "plan_tomorrow",
    "reach_out_friend",
    "call_sponsor",
    "attend_meeting",
    "water_and_food",
    "rest_and_sleep",
    "journal",
}

moods = st.none() | st.integers(min_value=1, max_value=5)
cravings = st.none() | st.integers(min_value=0, max_value=10)
trigger_sets = st.frozensets(st.sampled_from(TRIGGERS))
uses = st.sampled_from([None, "no", "yes", "undisclosed"])


def messages(lang: str) -> dict[str, ast.Message]:
    resource = parse((LOCALES / lang / "coping.ftl").read_text(encoding="utf-8"))
    assert not [e for e in resource.body if isinstance(e, ast.Junk)], f"{lang}/coping.ftl has syntax errors"
    return {e.id.name: e for e in resource.body if isinstance(e, ast.Message)}


def text_of(message: ast.Message) -> str:
    return "".join(el.value for el in message.value.elements if isinstance(el, ast.TextElement))


class TestCatalogue:
    def test_has_the_required_strategies(self) -> None:
        assert set(CATALOGUE) >= REQUIRED
        assert len(STRATEGIES) >= 18

    def test_ids_are_unique_and_fluent_safe(self) -> None:
        ids = [s.id for s in STRATEGIES]
        assert len(ids) == len(set(ids))
        assert all(re.fullmatch(r"[a-z][a-z0-9_]*", i) for i in ids)

    def test_tags_are_known(self) -> None:
        for strategy in STRATEGIES:
            assert strategy.tags <= KNOWN_TAGS, strategy.id

    def test_every_trigger_has_strategies(self) -> None:
        for trigger in TRIGGERS:
            assert any(trigger in s.tags for s in STRATEGIES), trigger

    def test_strategy_is_frozen_with_message_keys(self) -> None:
        strategy = CATALOGUE["halt"]
        assert strategy.title_key == "coping-halt-title"
        assert strategy.body_key == "coping-halt-body"
        with pytest.raises(AttributeError):
            strategy.id = "other"  # type: ignore[misc]

    def test_triggers(self) -> None:
        assert TRIGGERS == (
            "stress",
            "people",
            "places",
            "boredom",
            "loneliness",
            "anger",
            "celebration",
            "pain",
            "money",
            "family",
            "other",
        )


class TestTranslations:
    @pytest.mark.parametrize("lang", LANGUAGES)
    def test_every_strategy_has_title_and_body(self, lang: str) -> None:
        found = messages(lang)
        for strategy in STRATEGIES:
            for key in (strategy.title_key, strategy.body_key):
                assert key in found, f"{lang}: {key} missing"
                assert text_of(found[key]).strip(), f"{lang}: {key} empty"

    def test_languages_have_the_same_ids(self) -> None:
        en, hi, mr = (set(messages(lang)) for lang in LANGUAGES)
        assert en == hi == mr

    @pytest.mark.parametrize("lang", ["hi", "mr"])
    def test_hindi_and_marathi_are_in_devanagari(self, lang: str) -> None:
        for key, message in messages(lang).items():
            assert re.search(r"[\u0900-\u097F]", text_of(message)), f"{lang}: {key} has no Devanagari"

    @pytest.mark.parametrize("lang", LANGUAGES)
    def test_bodies_are_short(self, lang: str) -> None:
        for strategy in STRATEGIES:
            body = text_of(messages(lang)[strategy.body_key])
            assert len(body) <= 320, f"{lang}: {strategy.id} body is long"
            sentences = [s for s in re.split(r"[.?!।]\s*", body) if s.strip()]
            assert 1 <= len(sentences) <= 3, f"{lang}: {strategy.id} has {len(sentences)} sentences"

    def test_english_never_says_addict(self) -> None:
        for key, message in messages("en").items():
            assert not re.search(r"\baddicts?\b|\bjunkie|\bclean\b|\bdirty\b", text_of(message), re.I), key


class TestChooseCoping:
    def test_high_craving_picks_an_urge_tool(self) -> None:
        chosen = choose_coping(mood=3, craving=9, triggers=(), used="no")
        assert "craving_high" in chosen.tags

    @pytest.mark.parametrize(
        ("trigger", "fitting"),
        [
            ("loneliness", {"call_sponsor", "reach_out_friend", "attend_meeting"}),
            ("places", {"change_place", "walk_outside"}),
            ("anger", {"box_breathing", "cold_water", "step_away"}),
            ("boredom", {"walk_outside", "music", "busy_hands"}),
            ("pain", {"water_and_food", "rest_and_sleep", "call_counsellor"}),
            ("money", {"hand_over_cash", "plan_tomorrow"}),
            ("family", {"step_away", "journal", "call_counsellor"}),
        ],
    )
    @pytest.mark.parametrize("rotation", range(4))
    def test_trigger_specific(self, trigger: str, fitting: set[str], rotation: int) -> None:
        chosen = choose_coping(mood=3, craving=4, triggers={trigger}, used="no", rotation=rotation)
        assert chosen.id in fitting

    def test_high_craving_and_loneliness_is_calling_the_sponsor(self) -> None:
        assert choose_coping(mood=2, craving=8, triggers=["loneliness"], used="no").id == "call_sponsor"

    def test_places_is_change_place(self) -> None:
        assert choose_coping(mood=3, craving=8, triggers=["places"], used="no").id == "change_place"

    def test_low_mood_and_low_craving(self) -> None:
        chosen = choose_coping(mood=1, craving=1, triggers=(), used="no")
        assert {"mood_low", "craving_low"} <= chosen.tags

    @given(moods, cravings, trigger_sets, st.integers(min_value=0, max_value=1000))
    def test_after_use_only_kind_strategies(self, mood, craving, triggers, rotation) -> None:
        chosen = choose_coping(mood=mood, craving=craving, triggers=triggers, used="yes", rotation=rotation)
        assert chosen.id in AFTER_USE
        assert "used" in chosen.tags
        assert chosen.id != "play_the_tape_forward"

    @given(moods, cravings, trigger_sets, st.integers(min_value=0, max_value=1000))
    def test_undisclosed_never_gets_the_consequences_one(self, mood, craving, triggers, rotation) -> None:
        chosen = choose_coping(mood=mood, craving=craving, triggers=triggers, used="undisclosed", rotation=rotation)
        assert "not_after_use" not in chosen.tags

    def test_after_use_with_pain_includes_counsellor_suggestion(self) -> None:
        assert should_suggest_counsellor(triggers={"pain"}, used="no")
        assert should_suggest_counsellor(triggers=(), used="yes")
        assert not should_suggest_counsellor(triggers={"stress"}, used="no")
        assert not should_suggest_counsellor(triggers=(), used=None)

    def test_rotation_varies_among_equals(self) -> None:
        picks = {choose_coping(mood=None, craving=None, triggers=(), used="yes", rotation=r).id for r in range(10)}
        assert len(picks) > 3

    def test_rotation_is_periodic_and_deterministic(self) -> None:
        args = {"mood": 4, "craving": 2, "triggers": ["boredom"], "used": "no"}
        first = [choose_coping(**args, rotation=r) for r in range(20)]
        second = [choose_coping(**args, rotation=r) for r in range(20)]
        assert first == second

    def test_negative_and_huge_rotation(self) -> None:
        for rotation in (-1, -17, 10**12):
            assert isinstance(choose_coping(mood=3, craving=5, triggers=(), used="no", rotation=rotation), Strategy)

    def test_unknown_trigger_is_ignored(self) -> None:
        assert choose_coping(mood=3, craving=5, triggers=["nonsense"], used=None) == choose_coping(
            mood=3, craving=5, triggers=[], used=None
        )

    @given(moods, cravings, trigger_sets, uses, st.integers())
    def test_always_returns_a_catalogue_strategy(self, mood, craving, triggers, used, rotation) -> None:
        chosen = choose_coping(mood=mood, craving=craving, triggers=triggers, used=used, rotation=rotation)
        assert CATALOGUE[chosen.id] is chosen


class TestToolkit:
    def test_default_is_three_with_an_urge_tool_first(self) -> None:
        kit = toolkit()
        assert len(kit) == 3
        assert "urge" in kit[0].tags

    @given(
        cravings,
        st.none() | st.sampled_from(TRIGGERS),
        st.integers(min_value=1, max_value=30),
        st.integers(min_value=0, max_value=100),
    )
    def test_shape(self, craving, trigger, count, rotation) -> None:
        kit = toolkit(craving=craving, trigger=trigger, count=count, rotation=rotation)
        assert len(kit) == min(count, len(STRATEGIES))
        assert len({s.id for s in kit}) == len(kit)
        assert any("urge" in s.tags for s in kit)

    def test_fits_the_trigger(self) -> None:
        kit = toolkit(craving=8, trigger="money")
        assert "hand_over_cash" in [s.id for s in kit]

    def test_high_craving_is_all_in_the_moment(self) -> None:
        assert all("craving_high" in s.tags for s in toolkit(craving=9))

    def test_count_must_be_positive(self) -> None:
        with pytest.raises(ValueError):
            toolkit(count=0)
