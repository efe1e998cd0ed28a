"""The check-in state machine and typed answers in English, Hindi and Marathi."""

from __future__ import annotations

import contextlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.domain.checkin import (
    ALREADY_ANSWERED,
    DONE,
    MAX_NOTE_CHARS,
    STALE,
    STEPS,
    USE_ANSWERS,
    CheckinState,
    InvalidAnswer,
    apply_answer,
    new_checkin,
    parse_typed,
    summary_fields,
)
from bot.domain.coping import TRIGGERS


def answered(*answers: tuple[str, object]) -> CheckinState:
    state = new_checkin()
    for step, value in answers:
        state = apply_answer(state, step, value)
    return state


def reason(exc: pytest.ExceptionInfo[InvalidAnswer]) -> str:
    return exc.value.reason_key


class TestStateMachine:
    def test_constants(self) -> None:
        assert STEPS == ("mood", "craving", "triggers", "use", "note")
        assert USE_ANSWERS == ("no", "yes", "undisclosed")

    def test_starts_at_mood(self) -> None:
        assert new_checkin() == CheckinState(step="mood")

    def test_happy_path(self) -> None:
        state = new_checkin()
        state = apply_answer(state, "mood", 4)
        assert state.step == "craving"
        state = apply_answer(state, "craving", 6)
        assert state.step == "triggers"
        state = apply_answer(state, "triggers", "stress")
        state = apply_answer(state, "triggers", "money")
        assert state.step == "triggers"
        state = apply_answer(state, "triggers", DONE)
        assert state.step == "use"
        state = apply_answer(state, "use", "no")
        assert state.step == "note"
        state = apply_answer(state, "note", "  Long day at work, but I called my sponsor.  ")
        assert state == CheckinState(
            step=None,
            mood=4,
            craving=6,
            triggers=frozenset({"stress", "money"}),
            used="no",
            note="Long day at work, but I called my sponsor.",
        )
        assert state.finished

    def test_trigger_button_toggles(self) -> None:
        state = answered(("mood", 3), ("craving", 2), ("triggers", "anger"), ("triggers", "anger"))
        assert state.triggers == frozenset()
        assert state.step == "triggers"

    def test_no_triggers_is_fine(self) -> None:
        assert answered(("mood", 5), ("craving", 0), ("triggers", DONE)).step == "use"

    def test_typed_list_of_triggers_adds_and_moves_on(self) -> None:
        state = answered(("mood", 3), ("craving", 2), ("triggers", "anger"))
        state = apply_answer(state, "triggers", frozenset({"family", "stress"}))
        assert state.triggers == {"anger", "family", "stress"}
        assert state.step == "use"

    def test_callback_digit_strings_are_accepted(self) -> None:
        state = answered(("mood", "2"), ("craving", "10"))
        assert (state.mood, state.craving) == (2, 10)

    def test_note_skip_and_blank(self) -> None:
        base = answered(("mood", 3), ("craving", 1), ("triggers", DONE), ("use", "undisclosed"))
        assert apply_answer(base, "note", None).note is None
        assert apply_answer(base, "note", "   ").note is None
        assert apply_answer(base, "note", None).finished

    def test_note_length_limit(self) -> None:
        base = answered(("mood", 3), ("craving", 1), ("triggers", DONE), ("use", "no"))
        assert apply_answer(base, "note", "x" * MAX_NOTE_CHARS).note == "x" * MAX_NOTE_CHARS
        assert apply_answer(base, "note", " " + "x" * MAX_NOTE_CHARS + " ").note == "x" * MAX_NOTE_CHARS
        with pytest.raises(InvalidAnswer) as exc:
            apply_answer(base, "note", "x" * (MAX_NOTE_CHARS + 1))
        assert reason(exc) == "checkin-invalid-note"

    @pytest.mark.parametrize(
        ("step", "value", "key"),
        [
            ("mood", 0, "checkin-invalid-mood"),
            ("mood", 6, "checkin-invalid-mood"),
            ("mood", True, "checkin-invalid-mood"),
            ("mood", "four", "checkin-invalid-mood"),
            ("mood", 3.0, "checkin-invalid-mood"),
            ("mood", None, "checkin-invalid-mood"),
            ("craving", -1, "checkin-invalid-craving"),
            ("craving", 11, "checkin-invalid-craving"),
            ("craving", "११", "checkin-invalid-craving"),
            ("triggers", "weather", "checkin-invalid-triggers"),
            ("triggers", ["stress", "weather"], "checkin-invalid-triggers"),
            ("triggers", 3, "checkin-invalid-triggers"),
            ("use", "maybe", "checkin-invalid-use"),
            ("use", True, "checkin-invalid-use"),
            ("note", 42, "checkin-invalid-note"),
        ],
    )
    def test_invalid_values(self, step: str, value: object, key: str) -> None:
        state = new_checkin()
        for earlier in STEPS[: STEPS.index(step)]:
            state = apply_answer(state, earlier, {"mood": 3, "craving": 3, "triggers": DONE, "use": "no"}[earlier])
        with pytest.raises(InvalidAnswer) as exc:
            apply_answer(state, step, value)
        assert reason(exc) == key
        assert isinstance(exc.value, ValueError)

    def test_old_button_for_an_answered_question(self) -> None:
        state = answered(("mood", 3), ("craving", 5))
        with pytest.raises(InvalidAnswer) as exc:
            apply_answer(state, "mood", 1)
        assert reason(exc) == ALREADY_ANSWERED == "checkin-stale-answer"

    def test_button_for_a_question_not_asked_yet(self) -> None:
        with pytest.raises(InvalidAnswer) as exc:
            apply_answer(new_checkin(), "use", "yes")
        assert reason(exc) == STALE == "checkin-stale"

    def test_any_button_after_finishing(self) -> None:
        done = answered(("mood", 3), ("craving", 5), ("triggers", DONE), ("use", "no"), ("note", None))
        for step in STEPS:
            with pytest.raises(InvalidAnswer) as exc:
                apply_answer(done, step, "no")
            assert reason(exc) == ALREADY_ANSWERED

    def test_unknown_step(self) -> None:
        with pytest.raises(InvalidAnswer) as exc:
            apply_answer(new_checkin(), "sleep", 3)
        assert reason(exc) == STALE

    def test_state_rejects_unknown_step(self) -> None:
        with pytest.raises(ValueError):
            CheckinState(step="sleep")

    def test_summary_fields(self) -> None:
        state = answered(
            ("mood", 2),
            ("craving", 8),
            ("triggers", "people"),
            ("triggers", "anger"),
            ("triggers", DONE),
            ("use", "yes"),
            ("note", "hard day"),
        )
        assert summary_fields(state) == {
            "mood": 2,
            "craving": 8,
            "triggers": ["anger", "people"],
            "used": "yes",
            "note": "hard day",
            "completed": True,
        }

    def test_summary_of_unfinished(self) -> None:
        fields = summary_fields(answered(("mood", 4)))
        assert fields["completed"] is False
        assert fields["craving"] is None
        assert fields["triggers"] == []

    @given(
        st.lists(
            st.tuples(
                st.sampled_from(STEPS),
                st.one_of(
                    st.integers(-2, 12),
                    st.sampled_from([*TRIGGERS, DONE, *USE_ANSWERS]),
                    st.none(),
                    st.text(max_size=5),
                ),
            ),
            max_size=30,
        )
    )
    def test_random_taps_keep_a_valid_state(self, taps: list[tuple[str, object]]) -> None:
        state = new_checkin()
        for step, value in taps:
            try:
                state = apply_answer(state, step, value)
            except InvalidAnswer as exc:
                assert exc.reason_key.startswith("checkin-")
        assert state.mood is None or 1 <= state.mood <= 5
        assert state.craving is None or 0 <= state.craving <= 10
        assert state.triggers <= set(TRIGGERS)
        assert state.used is None or state.used in USE_ANSWERS


class TestParseTyped:
    @pytest.mark.parametrize(
        ("text", "value"),
        [
            ("4", 4),
            (" 4 ", 4),
            ("४", 4),
            ("4/5", 4),
            ("four", 4),
            ("Five!", 5),
            ("char", 4),
            ("चार", 4),
            ("पाँच", 5),
            ("पांच", 5),
            ("पाच", 5),
            ("एक", 1),
            ("do", 2),
            ("दोन", 2),
        ],
    )
    def test_mood(self, text: str, value: int) -> None:
        assert parse_typed("mood", text) == value

    @pytest.mark.parametrize(
        ("text", "value"),
        [
            ("0", 0),
            ("10", 10),
            ("१०", 10),
            ("७", 7),
            ("7/10", 7),
            ("zero", 0),
            ("ten", 10),
            ("das", 10),
            ("दस", 10),
            ("दहा", 10),
            ("शून्य", 0),
            ("nau", 9),
            ("नऊ", 9),
            ("सात", 7),
        ],
    )
    def test_craving(self, text: str, value: int) -> None:
        assert parse_typed("craving", text) == value

    @pytest.mark.parametrize(
        ("step", "text"),
        [("mood", "6"), ("mood", "0"), ("craving", "11"), ("mood", "good"), ("craving", "lots"), ("mood", "")],
    )
    def test_numbers_out_of_range_or_unreadable(self, step: str, text: str) -> None:
        with pytest.raises(InvalidAnswer) as exc:
            parse_typed(step, text)
        assert reason(exc) == f"checkin-invalid-{step}"

    @pytest.mark.parametrize(
        ("text", "value"),
        [
            ("yes", "yes"),
            ("Yes.", "yes"),
            ("haan", "yes"),
            ("Ha", "yes"),
            ("han", "yes"),
            ("हाँ", "yes"),
            ("हां", "yes"),
            ("होय", "yes"),
            ("हो", "yes"),
            ("ho", "yes"),
            ("no", "no"),
            ("nahi", "no"),
            ("Nahin", "no"),
            ("nai", "no"),
            ("नहीं", "no"),
            ("नही", "no"),
            ("नाही", "no"),
            ("prefer not", "undisclosed"),
            ("Prefer not to say", "undisclosed"),
            ("skip", "undisclosed"),
            ("नहीं बताना", "undisclosed"),
            ("सांगायचं नाही", "undisclosed"),
        ],
    )
    def test_use(self, text: str, value: str) -> None:
        assert parse_typed("use", text) == value

    def test_use_garbage(self) -> None:
        with pytest.raises(InvalidAnswer) as exc:
            parse_typed("use", "sometimes")
        assert reason(exc) == "checkin-invalid-use"

    @pytest.mark.parametrize(
        ("text", "value"),
        [
            ("stress", {"stress"}),
            ("stress, boredom", {"stress", "boredom"}),
            ("Loneliness money", {"loneliness", "money"}),
            ("tanav, akela", {"stress", "loneliness"}),
            ("तनाव और अकेलापन", {"stress", "loneliness"}),
            ("ताण आणि एकटं", {"stress", "loneliness"}),
            ("गुस्सा", {"anger"}),
            ("राग, पैसे", {"anger", "money"}),
            ("bhandan gharche", {"family"}),
            ("I was stressed at work", {"stress"}),
            ("party, friends", {"celebration", "people"}),
            ("dard", {"pain"}),
            ("stress done", {"stress"}),
        ],
    )
    def test_triggers(self, text: str, value: set[str]) -> None:
        assert parse_typed("triggers", text) == frozenset(value)

    @pytest.mark.parametrize(
        "text",
        [
            "done",
            "Done!",
            "ho gaya",
            "bas",
            "बस",
            "हो गया",
            "झालं",
            "none",
            "nothing",
            "kuch nahi",
            "कुछ नहीं",
            "काही नाही",
            "no",
        ],
    )
    def test_triggers_done(self, text: str) -> None:
        assert parse_typed("triggers", text) == DONE

    def test_triggers_garbage(self) -> None:
        with pytest.raises(InvalidAnswer) as exc:
            parse_typed("triggers", "the weather")
        assert reason(exc) == "checkin-invalid-triggers"

    @pytest.mark.parametrize("text", ["skip", "Skip", "-", "no", "nahi", "नहीं", "नाही", "", "   "])
    def test_note_skip(self, text: str) -> None:
        assert parse_typed("note", text) is None

    def test_note_text_is_kept_as_written(self) -> None:
        assert parse_typed("note", "  आज अच्छा दिन था 🌿  ") == "आज अच्छा दिन था 🌿"
        assert parse_typed("note", "No regrets today") == "No regrets today"

    def test_note_too_long(self) -> None:
        with pytest.raises(InvalidAnswer) as exc:
            parse_typed("note", "a" * (MAX_NOTE_CHARS + 1))
        assert reason(exc) == "checkin-invalid-note"

    def test_unknown_step(self) -> None:
        with pytest.raises(InvalidAnswer) as exc:
            parse_typed("sleep", "4")
        assert reason(exc) == STALE

    def test_typed_answers_feed_the_state_machine(self) -> None:
        state = new_checkin()
        for step, text in [
            ("mood", "३"),
            ("craving", "saat"),
            ("triggers", "ताण, पगार"),
            ("use", "नाही"),
            ("note", "बरं वाटतंय"),
        ]:
            state = apply_answer(state, step, parse_typed(step, text))
        assert summary_fields(state) == {
            "mood": 3,
            "craving": 7,
            "triggers": ["money", "stress"],
            "used": "no",
            "note": "बरं वाटतंय",
            "completed": True,
        }

    @given(st.sampled_from([*STEPS, "other"]), st.text())
    def test_never_crashes(self, step: str, text: str) -> None:
        try:
            value = parse_typed(step, text)
        except InvalidAnswer as exc:
            assert exc.reason_key.startswith("checkin-")
            return
        if step in STEPS:
            state = CheckinState(step=step)
            apply_answer(state, step, value)  # whatever parses is a valid answer

    @given(st.sampled_from(STEPS), st.text(alphabet="0123456789०१२३४५६७८९ /", max_size=4000))
    def test_long_digit_strings_do_not_crash(self, step: str, text: str) -> None:
        with contextlib.suppress(InvalidAnswer):
            parse_typed(step, text)
