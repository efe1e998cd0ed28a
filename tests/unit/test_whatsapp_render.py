"""Choices as WhatsApp allows them: buttons, a list, numbered text; typed answers read back.

Every rendering is checked by the sandbox emulator's own validation (Meta's limits), so the two
cannot drift apart.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain.callbacks import encode
from bot.domain.whatsapp.render import (
    ELLIPSIS,
    TELEGRAM,
    TEXT_CHOICE,
    WHATSAPP,
    ButtonsMessage,
    ListMessage,
    Offered,
    TextMessage,
    Words,
    answer_text,
    parse_reply,
    render,
    shorten,
    split_text,
    width,
)
from bot.i18n import LANGUAGES, t
from sandbox.whatsapp.templates import TemplateRegistry
from sandbox.whatsapp.validation import check_message


def words(lang: str = "en") -> Words:
    return Words(
        list_button=t(lang, "wa-list-button"),
        menu_button=t(lang, "wa-menu-button"),
        reply_number=t(lang, "wa-reply-number"),
    )


def accepted(rendering) -> list[dict]:
    """Each message as the emulator records it: raises GraphError where Meta would refuse."""
    return [check_message(message.graph(), TemplateRegistry()) for message in rendering.messages]


def choices(*labels: str) -> list[list[tuple[str, str]]]:
    return [[(label, f"id:{n}") for n, label in enumerate(labels, start=1)]]


def test_no_choices_is_plain_text():
    rendering = render("Hello", words())
    assert rendering.messages == (TextMessage("Hello"),)
    assert rendering.offered == Offered()
    assert accepted(rendering)[0]["text"] == "Hello"


def test_three_choices_are_reply_buttons_in_reading_order():
    rendering = render(
        "Did you use today?", words(), buttons=[[("No", "a"), ("Yes", "b")], [("I'd rather not say", "c")]]
    )
    (message,) = rendering.messages
    assert isinstance(message, ButtonsMessage)
    assert message.buttons == (("a", "No"), ("b", "Yes"), ("c", "I'd rather not say"))
    assert accepted(rendering)[0]["buttons"] == [("a", "No"), ("b", "Yes"), ("c", "I'd rather not say")]


def test_four_choices_are_a_list():
    rendering = render("Pause for how long?", words(), buttons=choices("1 day", "3 days", "7 days", "14 days"))
    (message,) = rendering.messages
    assert isinstance(message, ListMessage)
    assert message.button == "Choose"
    assert [row.title for row in message.rows] == ["1 day", "3 days", "7 days", "14 days"]
    assert accepted(rendering)[0]["list_button"] == "Choose"


def test_ten_choices_are_still_a_list_and_eleven_are_numbered_text():
    ten = render("Pick one", words(), buttons=choices(*(f"Option {n}" for n in "ABCDEFGHIJ")))
    assert isinstance(ten.messages[0], ListMessage)
    assert len(accepted(ten)[0]["rows"]) == 10
    eleven = render("Pick one", words(), buttons=choices(*(f"Option {n}" for n in "ABCDEFGHIJK")))
    (message,) = eleven.messages
    assert isinstance(message, TextMessage)
    assert message.body.startswith("Pick one\n\n1. Option A\n2. Option B\n")
    assert "11. Option K" in message.body
    assert message.body.endswith("Reply with the number of your choice.")
    assert parse_reply("11", eleven.offered) == "id:11"
    assert parse_reply("option k", eleven.offered) == "id:11"
    assert parse_reply("12", eleven.offered) is None
    accepted(eleven)


def test_the_craving_scale_0_to_10_is_answered_by_its_own_numbers():
    scale = [
        [(str(n), encode("ci", 7, "crav", n)) for n in range(0, 6)],
        [(str(n), encode("ci", 7, "crav", n)) for n in range(6, 11)],
    ]
    rendering = render("How strong is the craving?", words("hi"), buttons=scale)
    (message,) = rendering.messages
    assert "0 · 1 · 2 · 3 · 4 · 5 · 6 · 7 · 8 · 9 · 10" in message.body
    assert message.body.endswith(t("hi", "wa-reply-number"))
    assert parse_reply("0", rendering.offered) == "ci:v1:7:crav:0"
    assert parse_reply("10", rendering.offered) == "ci:v1:7:crav:10"
    assert parse_reply("३", rendering.offered) == "ci:v1:7:crav:3"  # Devanagari digit
    assert parse_reply("१०", rendering.offered) == "ci:v1:7:crav:10"
    assert parse_reply("11", rendering.offered) is None


def test_mood_faces_make_a_list_and_a_typed_number_is_the_mood():
    faces = {1: "1 😞", 2: "2 🙁", 3: "3 😐", 4: "4 🙂", 5: "5 😄"}
    rendering = render("How are you feeling?", words("mr"), buttons=[[(f, f"m{n}") for n, f in faces.items()]])
    (message,) = rendering.messages
    assert isinstance(message, ListMessage) and message.button == t("mr", "wa-list-button")
    accepted(rendering)
    assert parse_reply(" ४ ", rendering.offered) == "m4"
    assert parse_reply("4 🙂", rendering.offered) == "m4"


def test_a_number_at_the_start_of_every_label_is_the_answer_not_the_position():
    rendering = render("Pause for how long?", words(), buttons=choices("1 day", "3 days", "7 days", "14 days"))
    assert parse_reply("3", rendering.offered) == "id:2"
    assert parse_reply("14", rendering.offered) == "id:4"
    assert parse_reply("2", rendering.offered) is None
    assert parse_reply("7 DAYS", rendering.offered) == "id:3"


def test_a_label_typed_without_its_emoji_still_answers():
    keyboard = [[t("en", "menu-craving"), t("en", "menu-talk")], [t("en", "menu-settings"), t("en", "menu-help")]]
    offered = render("…", words(), keyboard=keyboard).offered
    assert answer_text(parse_reply("craving help", offered) or "") == t("en", "menu-craving")
    assert answer_text(parse_reply("  SETTINGS ", offered) or "") == t("en", "menu-settings")
    hindi = render("…", words("hi"), buttons=[[(t("hi", "btn-done"), "done"), (t("hi", "btn-skip"), "skip")]]).offered
    assert parse_reply("हो गया", hindi) == "done"  # "हो गया ✓" without the tick; vowel signs kept
    assert parse_reply("हो गय", hindi) is None
    twins = render("?", words(), buttons=[[("🙂 Fine", "a"), ("🙁 Fine", "b")]]).offered
    assert parse_reply("fine", twins) is None  # two choices with the same words: ask again
    assert parse_reply("🙁 fine", twins) == "b"


def test_typed_answers_are_case_space_and_punctuation_insensitive():
    offered = render("?", words(), buttons=choices("Stress", "Loneliness", "Boredom", "Friends")).offered
    assert parse_reply("  LONELINESS ", offered) == "id:2"
    assert parse_reply("2.", offered) == "id:2"
    assert parse_reply("(3)", offered) == "id:3"
    assert parse_reply("२", offered) == "id:2"
    assert parse_reply("lonely", offered) is None
    assert parse_reply("", offered) is None
    assert parse_reply("0", offered) is None
    assert parse_reply("3", Offered()) is None


def test_long_devanagari_labels_are_cut_on_a_word_and_never_inside_a_letter():
    label = "मुझे अपने परामर्शदाता से बात करनी है"  # "I need to talk to my counsellor"
    rendering = render("क्या करना चाहेंगे?", words("hi"), buttons=[[(label, "a"), ("अभी नहीं", "b")]])
    (message,) = rendering.messages
    title = message.buttons[0][1]
    assert width(title) <= 20 and title.endswith(ELLIPSIS)
    assert label.startswith(title[:-1])
    assert label[len(title) - 1] == " "  # the cut is at a space: whole words only
    accepted(rendering)


def test_a_word_longer_than_the_title_is_cut_without_splitting_a_conjunct():
    word = "स्वास्थ्यविज्ञानसम्बन्धीपरामर्श"  # one long word full of conjuncts and vowel signs
    title = shorten(word, 20)
    assert width(title) <= 20 and title.endswith(ELLIPSIS)
    last = title[-2]
    assert last != "\u094d"  # never ends on a virama (half a conjunct)
    assert word[len(title) - 1] not in "\u093e\u093f\u0940\u0941\u0942\u0947\u0948\u094b\u094c\u094d\u0902"


def test_emoji_count_double_and_are_never_split():
    title = shorten("🙂" * 15, 20)
    assert width(title) <= 20
    assert title == "🙂" * 9 + ELLIPSIS
    family = "👨‍👩‍👧 " * 5
    cut = shorten(family, 20)
    assert width(cut) <= 20
    assert not cut[:-1].endswith("\u200d")


def test_duplicate_titles_after_cutting_are_made_unique():
    labels = ("Talk to my counsellor today please", "Talk to my counsellor tomorrow please", "Later")
    rendering = render("?", words(), buttons=choices(*labels))
    titles = [title for _, title in rendering.messages[0].buttons]
    assert len(set(titles)) == 3
    assert all(width(title) <= 20 for title in titles)
    assert titles[0].endswith("(1)") and titles[1].endswith("(2)") and titles[2] == "Later"
    accepted(rendering)


def test_identical_labels_are_made_unique_in_a_list_too():
    rendering = render("?", words(), buttons=choices("Same", "Same", "Same", "Other"))
    titles = [row.title for row in rendering.messages[0].rows]
    assert titles == ["Same (1)", "Same (2)", "Same (3)", "Other"]
    accepted(rendering)
    assert parse_reply("same", rendering.offered) is None  # three labels match: ask again, do not guess
    assert parse_reply("2", rendering.offered) == "id:2"


def test_a_cut_row_keeps_its_whole_label_as_the_description():
    label = "Call me at the centre this evening after seven"
    rendering = render("?", words(), buttons=choices(label, "Tomorrow", "Never mind", "Something else"))
    row = rendering.messages[0].rows[0]
    assert row.title.endswith(ELLIPSIS) and width(row.title) <= 24
    assert row.description == label
    assert rendering.messages[0].rows[1].description is None


def test_a_long_body_goes_first_as_text_and_the_choices_stay_together():
    body = "\n\n".join(f"Paragraph {n}. " + "words " * 40 for n in range(8))
    rendering = render(body, words(), buttons=choices("Yes", "No"))
    *lead, last = rendering.messages
    assert lead and all(isinstance(m, TextMessage) for m in lead)
    assert isinstance(last, ButtonsMessage) and width(last.body) <= 1024
    assert " ".join(" ".join(m.body for m in lead).split() + last.body.split()) == " ".join(body.split())
    accepted(rendering)


def test_very_long_text_is_split_under_4096():
    body = ("A sentence that goes on. " * 400).strip()
    parts = split_text(body, 4096)
    assert len(parts) == 3 and all(width(p) <= 4096 for p in parts)
    assert " ".join(parts) == body
    rendering = render(body, words())
    assert [m.body for m in rendering.messages] == parts
    accepted(rendering)


def test_the_main_menu_keyboard_is_a_menu_list_answered_as_text():
    keyboard = [[t("hi", "menu-craving"), t("hi", "menu-talk")], [t("hi", "menu-settings"), t("hi", "menu-help")]]
    rendering = render("…", words("hi"), keyboard=keyboard)
    (message,) = rendering.messages
    assert isinstance(message, ListMessage) and message.button == t("hi", "wa-menu-button")
    accepted(rendering)
    tapped = message.rows[1].id
    assert answer_text(tapped) == t("hi", "menu-talk")
    assert answer_text(parse_reply("2", rendering.offered) or "") == t("hi", "menu-talk")
    assert answer_text("ci:v1:7:crav:3") is None
    assert tapped.startswith(TEXT_CHOICE)


def test_offered_survives_json_and_malformed_json_offers_nothing():
    offered = render("?", words(), buttons=choices("Yes", "No", "Maybe", "Later")).offered
    assert Offered.from_json(offered.to_json()) == offered
    assert Offered.from_json("nonsense") == Offered()
    assert Offered.from_json([["1", "Yes"]]) == Offered()


def test_choice_ids_must_be_unique_and_fit():
    with pytest.raises(ValueError):
        render("?", words(), buttons=[[("A", "same"), ("B", "same")]])
    with pytest.raises(ValueError):
        render("?", words(), buttons=[[("A", "x" * 201)]])
    with pytest.raises(ValueError):
        render("?", words(), buttons=[[("  ", "blank")]])


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_words_fit_their_places(lang):
    assert 1 <= width(t(lang, "wa-list-button")) <= 20
    assert 1 <= width(t(lang, "wa-menu-button")) <= 20


def test_capabilities_tell_channels_apart_without_naming_them():
    assert (WHATSAPP.buttons_max, WHATSAPP.list_max, WHATSAPP.choices_max) == (3, 10, 10)
    assert not WHATSAPP.can_protect and not WHATSAPP.can_delete and not WHATSAPP.can_edit
    assert WHATSAPP.window_hours == 24 and not WHATSAPP.persistent_menu
    assert TELEGRAM.can_protect and TELEGRAM.can_delete and TELEGRAM.can_edit
    assert TELEGRAM.window_hours is None and TELEGRAM.persistent_menu
    assert TELEGRAM.choices_max == 100  # an inline keyboard: Telegram needs no list and no numbers


# --- any labels, any count: Meta accepts it and every choice can be answered -------------------------

_LABEL = st.text(
    alphabet=st.one_of(
        st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")),
        st.sampled_from("अआकखगघचजटडतदनपबमयरलवशसह्ािीुूेैोौंँ़ \u200d🙂👨‍👩‍👧"),
    ),
    min_size=1,
    max_size=60,
).filter(lambda s: s.strip() != "")


@settings(max_examples=150, deadline=None)
@given(labels=st.lists(_LABEL, min_size=1, max_size=14))
def test_any_labels_render_to_what_meta_accepts_and_each_key_answers_its_choice(labels):
    buttons = [[(label, f"c{n}") for n, label in enumerate(labels)]]
    rendering = render("Pick one", words(), buttons=buttons)
    accepted(rendering)  # raises GraphError where the Cloud API would refuse
    last = rendering.messages[-1]
    if isinstance(last, ButtonsMessage):
        titles = [title for _, title in last.buttons]
        assert len(labels) <= 3 and all(1 <= width(t) <= 20 for t in titles)
    elif isinstance(last, ListMessage):
        titles = [row.title for row in last.rows]
        assert 3 < len(labels) <= 10 and all(1 <= width(t) <= 24 for t in titles)
    else:
        titles = []
        assert len(labels) > 10
    assert len(set(titles)) == len(titles)
    for n, choice in enumerate(rendering.offered.choices):
        assert choice.choice_id == f"c{n}"
        assert parse_reply(choice.key, rendering.offered) == choice.choice_id


@settings(max_examples=150, deadline=None)
@given(label=_LABEL, limit=st.integers(min_value=2, max_value=72))
def test_shorten_never_exceeds_its_limit_and_keeps_a_prefix(label, limit):
    title = shorten(label, limit)
    assert 1 <= width(title) <= limit
    whole = " ".join(label.split())
    assert title == whole or (title.endswith(ELLIPSIS) and whole.startswith(title[:-1]))
