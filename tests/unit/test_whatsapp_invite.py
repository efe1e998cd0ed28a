"""wa.me invite links and the first message they prefill."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from bot.domain.whatsapp.invite import normalise_number, parse_start, wa_me_link


def test_the_link_opens_the_centres_number_with_start_and_the_code_typed():
    link = wa_me_link("+91 98000-00001", "abcd2345")
    assert link == "https://wa.me/919800000001?text=START%20ABCD2345"
    parts = urlsplit(link)
    assert parse_qs(parts.query) == {"text": ["START ABCD2345"]}
    assert parse_start(parse_qs(parts.query)["text"][0]) == "ABCD2345"


@pytest.mark.parametrize(
    ("given", "digits"),
    [("919800000001", "919800000001"), ("+91 (980) 000.0001", "919800000001"), ("0091 98000 00001", "919800000001")],
)
def test_numbers_are_reduced_to_their_digits(given, digits):
    assert normalise_number(given) == digits


@pytest.mark.parametrize("bad", ["", "+91", "98000", "+91 98000 0000a", "٩١٩٨٠٠٠٠٠٠٠١", "1" * 16])
def test_what_is_not_a_phone_number_is_refused(bad):
    with pytest.raises(ValueError):
        normalise_number(bad)


@pytest.mark.parametrize("bad", ["", "AB", "ABCD 2345", "ABCD-2345", "कोड12345", "ABCD0123"])
def test_a_code_that_cannot_be_typed_back_is_refused(bad):
    with pytest.raises(ValueError):
        wa_me_link("919800000001", bad)


@pytest.mark.parametrize(
    "text",
    [
        "START ABCD2345",
        "start abcd2345",
        "Start   AbCd2345 ",
        "\u00a0START\u00a0ABCD2345\n",
        "/start ABCD2345",
        "START: ABCD2345",
        "abcd2345",
        " ABCD2345 ",
    ],
)
def test_every_way_of_sending_the_code_gives_the_code(text):
    assert parse_start(text) == "ABCD2345"


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "START",
        "start please",
        "START hello",
        "hello",
        "hellobob",  # eight letters, but L and O are never in a code
        "my code is ABCD2345",
        "START ABCD 2345",
        "STARTABCD2345",
        "ABCD2345 thanks",
    ],
)
def test_messages_without_a_code_give_none(text):
    assert parse_start(text) is None
