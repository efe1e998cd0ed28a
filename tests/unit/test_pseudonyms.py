"""Pseudonyms: friendly, unique, and never derived from who someone is."""

from __future__ import annotations

import inspect
import random
import re

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain.pseudonyms import WORDS, generate_pseudonym, normalise_pseudonym

PATTERN = re.compile(r"^[A-Z][a-z]+ \d+$")


def test_word_list() -> None:
    assert len(WORDS) >= 60
    assert len({w.casefold() for w in WORDS}) == len(WORDS)
    assert all(re.fullmatch(r"[A-Z][a-z]+", w) for w in WORDS)
    assert {"Lotus", "Banyan", "Neem", "Peepal", "Sparrow", "Koel", "Tulsi", "Diya"} <= set(WORDS)


def test_shape_and_range() -> None:
    rng = random.Random(7)
    for _ in range(500):
        name = generate_pseudonym(rng, ())
        word, number = name.split(" ")
        assert PATTERN.match(name)
        assert word in WORDS
        assert 1 <= int(number) <= 99


def test_reproducible_with_the_same_seed() -> None:
    assert generate_pseudonym(random.Random(42), []) == generate_pseudonym(random.Random(42), [])


def test_unique_case_insensitively() -> None:
    rng = random.Random(1)
    first = generate_pseudonym(random.Random(1), [])
    taken = {first.upper(), first.lower(), f"  {first}  "}
    assert generate_pseudonym(rng, taken).casefold() != first.casefold()


def test_widens_the_range_when_1_to_99_is_full() -> None:
    every_small_name = {f"{word} {n}" for word in WORDS for n in range(1, 100)}
    name = generate_pseudonym(random.Random(3), every_small_name)
    assert PATTERN.match(name)
    assert name not in every_small_name
    assert int(name.split(" ")[1]) >= 100


def test_many_members_all_distinct() -> None:
    rng = random.Random(11)
    taken: list[str] = []
    for _ in range(3000):
        taken.append(generate_pseudonym(rng, taken))
    assert len({normalise_pseudonym(n) for n in taken}) == len(taken)


def test_never_takes_personal_data() -> None:
    assert list(inspect.signature(generate_pseudonym).parameters) == ["rng", "taken"]


@settings(max_examples=200)
@given(
    st.integers(min_value=0, max_value=2**32),
    st.lists(
        st.one_of(
            st.builds(lambda w, n: f"{w} {n}", st.sampled_from(WORDS), st.integers(1, 120)),
            st.builds(lambda w, n: f"{w.upper()} {n}", st.sampled_from(WORDS), st.integers(1, 99)),
            st.text(max_size=12),
        ),
        max_size=300,
    ),
)
def test_property_always_unique_and_well_formed(seed: int, taken: list[str]) -> None:
    name = generate_pseudonym(random.Random(seed), taken)
    assert PATTERN.match(name)
    assert normalise_pseudonym(name) not in {normalise_pseudonym(t) for t in taken}
