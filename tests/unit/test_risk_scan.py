"""scan.Scanner: a rule tried only where its first words stand finds exactly what ``re`` finds
trying it at every word."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.domain.risk.normalise import normalise, without_sentence_breaks
from bot.domain.risk.patterns import Starts, compile_pattern
from bot.domain.risk.rules import load_rules
from bot.domain.risk.scan import Scanner

RULES = load_rules()
# Words of the rules' own examples, so random messages hit (and nearly hit) real patterns.
WORDS = sorted(
    {
        token
        for rule in RULES.rules
        for example in (*rule.examples, *rule.not_examples)
        for token in normalise(example).tokens
        if token != "\n"
    }
)


def _everywhere(scan: Scanner, regex, starts):  # type: ignore[no-untyped-def]
    return [(m.group(0), a, b) for m, a, b in scan.matches(regex, starts)]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from([*WORDS, ".", "!", "2", "k1ll"]), max_size=60))
def test_every_rule_finds_the_same_matches_as_a_plain_search(words: list[str]) -> None:
    norm = normalise(" ".join(words))
    for form in (norm, without_sentence_breaks(norm)):
        scan = Scanner(form)
        for rule in RULES.rules:
            assert _everywhere(scan, rule.regex, rule.starts) == _everywhere(scan, rule.regex, None), rule.id
            if rule.unless_regex is not None:
                found = _everywhere(scan, rule.unless_regex, rule.unless_starts)
                assert found == _everywhere(scan, rule.unless_regex, None), rule.id


@pytest.mark.parametrize(
    ("pattern", "starts"),
    [
        ("want/wish to die", Starts(words=frozenset({"want", "wish"}))),
        ("[really/so] kill* myself", Starts(words=frozenset({"realy", "so"}), prefixes=frozenset({"kil"}))),
        ("(end it all/end my life)", Starts(words=frozenset({"end"}))),
        ("[so] ... die", None),
        ("*cide", None),
        ("re:(?:help|halp)(?= \\n| $)", Starts(prefixes=frozenset({"help", "halp"}))),
        ("re:in (?:19|20)[0-9][0-9]", Starts(prefixes=frozenset({"in"}))),
        ("re:a b|c d", None),
        ("re:(?:[0-9]+|one) days", None),
    ],
)
def test_the_words_a_pattern_can_begin_with(pattern: str, starts: Starts | None) -> None:
    assert compile_pattern(pattern).starts == starts
