"""Every catalog has every key, and every message formats in every language."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fluent.syntax import FluentParser, ast

from bot.i18n import LANGUAGES, LOCALES, normalise_language, t

SAMPLE_ARGS = {
    "pseudonym": "Lotus 7",
    "time": "20:00",
    "days": 3,
    "date": "01/12/2026",
    "helplines": "112",
    "title": "T",
    "body": "B",
    "strength": 7,
    "name": "N",
    "center": "C",
    "role": "counsellor",
    "question": "Q",
    "answer": "A",
}


def _ids(lang: str) -> dict[str, set[str]]:
    """message id → the variables it uses, per language, parsed from the .ftl files. An id defined
    twice (in one file or in two) fails: the bundle would silently keep only one of them."""
    found: dict[str, set[str]] = {}
    where: dict[str, str] = {}
    for path in sorted((LOCALES / lang).glob("*.ftl")):
        resource = FluentParser().parse(path.read_text(encoding="utf-8"))
        junk = [entry for entry in resource.body if isinstance(entry, ast.Junk)]
        assert not junk, f"{path}: unparsable entries {[j.content[:60] for j in junk]}"
        for entry in resource.body:
            if isinstance(entry, ast.Message):
                name = entry.id.name
                assert name not in where, f"{lang}: {name!r} is defined in {where[name]} and again in {path.name}"
                where[name] = path.name
                found[name] = _variables(entry)
    return found


def _variables(node: object) -> set[str]:
    names: set[str] = set()

    def visit(item: object) -> None:
        if isinstance(item, ast.VariableReference):
            names.add(item.id.name)
        if isinstance(item, ast.BaseNode):
            for value in vars(item).values():
                for child in value if isinstance(value, list) else [value]:
                    visit(child)

    visit(node)
    return names


def test_every_language_has_exactly_the_same_keys_and_variables() -> None:
    english = _ids("en")
    assert len(english) > 100
    for lang in LANGUAGES[1:]:
        other = _ids(lang)
        assert set(other) == set(english), (
            f"{lang}: missing {set(english) - set(other)}, extra {set(other) - set(english)}"
        )
        for key, variables in english.items():
            assert other[key] == variables, f"{lang}:{key} uses {other[key]}, English uses {variables}"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_message_formats_without_errors(lang: str) -> None:
    for key in _ids(lang):
        text = t(lang, key, **SAMPLE_ARGS)
        assert text.strip(), key
        assert "{" not in text, f"{lang}:{key} left a placeable unformatted: {text!r}"


def test_no_user_facing_word_is_written_inline_in_handlers() -> None:
    """Handlers hold keys, not sentences: no string literal there looks like prose."""
    for path in Path("handlers").glob("*.py"):
        for line in path.read_text(encoding="utf-8").splitlines():
            stripped = line.strip()
            if stripped.startswith(("#", '"""')) or "log." in stripped:
                continue
            assert not any(word in stripped for word in ('"Please', '"Sorry', '"Thank', '"Welcome')), (path, line)


def test_voice_is_person_first() -> None:
    for lang in LANGUAGES:
        for key in _ids(lang):
            text = t(lang, key, **SAMPLE_ARGS).lower()
            # "de-addiction" is the helpline's official name; a person is never "an addict".
            assert not re.search(r"\baddicts?\b|\balcoholics?\b|\bjunkie|नशेड़ी|व्यसनी", text), (lang, key)


@pytest.mark.parametrize(
    ("code", "expected"), [("hi-IN", "hi"), ("mr", "mr"), ("en-GB", "en"), (None, "en"), ("ta", "en")]
)
def test_telegram_language_codes_map_to_ours(code: str | None, expected: str) -> None:
    assert normalise_language(code) == expected
