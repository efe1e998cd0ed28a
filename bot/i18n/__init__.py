"""Every word the bot says comes from here: Fluent catalogs in en, hi and mr.

Code holds message ids; ``t(lang, "checkin-ask-mood")`` gives the sentence.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from fluent.runtime import FluentBundle, FluentResource

LANGUAGES: tuple[str, ...] = ("en", "hi", "mr")
DEFAULT_LANGUAGE = "en"
LOCALES = Path(__file__).resolve().parent / "locales"
_FLUENT_LOCALE = {"en": "en-IN", "hi": "hi-IN", "mr": "mr-IN"}


def normalise_language(code: str | None) -> str:
    """Map a Telegram language_code ("hi-IN", "mr") to one we speak."""
    base = (code or "").split("-")[0].lower()
    return base if base in LANGUAGES else DEFAULT_LANGUAGE


@cache
def bundle(lang: str) -> FluentBundle:
    # use_isolating=False: Unicode bidi marks show up as boxes on many low-end phones.
    result = FluentBundle([_FLUENT_LOCALE[lang]], use_isolating=False)
    for path in sorted((LOCALES / lang).glob("*.ftl")):
        result.add_resource(FluentResource(path.read_text(encoding="utf-8")))
    return result


def has(lang: str, key: str) -> bool:
    return bundle(normalise_language(lang)).has_message(key)


def t(lang: str | None, key: str, **args: Any) -> str:
    """The message ``key`` in ``lang``, falling back to English, never raising."""
    code = normalise_language(lang)
    for candidate in (code, DEFAULT_LANGUAGE):
        b = bundle(candidate)
        if b.has_message(key):
            message = b.get_message(key)
            if message.value is None:
                continue
            text, _errors = b.format_pattern(message.value, args)
            return str(text)  # FluentNone only for a missing value, skipped above
    raise KeyError(f"missing message id {key!r}")


def message_ids(lang: str) -> set[str]:
    """All message ids of a language, for the completeness test."""
    return set(bundle(lang)._messages.keys())
