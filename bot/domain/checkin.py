"""The daily check-in as a pure state machine.

mood (1–5) → craving (0–10) → triggers (pick any, then "done") → use (no /
yes / rather not say) → note (free text or skip) → finished.

Answers come from buttons (already values) or from typed text in English,
Hindi or Marathi, which :func:`parse_typed` turns into the same values.
:func:`apply_answer` validates an answer against the step the conversation
is on, so a tap on an old button can never overwrite a later answer; it
raises :class:`InvalidAnswer` carrying an i18n key the handler can show.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection, Mapping
from dataclasses import dataclass, replace
from types import MappingProxyType

from bot.domain.coping import TRIGGERS

__all__ = [
    "ALREADY_ANSWERED",
    "DONE",
    "INVALID_KEYS",
    "MAX_NOTE_CHARS",
    "STALE",
    "STEPS",
    "USE_ANSWERS",
    "CheckinState",
    "InvalidAnswer",
    "apply_answer",
    "new_checkin",
    "parse_typed",
    "summary_fields",
]

STEPS: tuple[str, ...] = ("mood", "craving", "triggers", "use", "note")
USE_ANSWERS: tuple[str, ...] = ("no", "yes", "undisclosed")
DONE = "done"  # the answer that closes the triggers step
MAX_NOTE_CHARS = 1000
MOOD_RANGE = range(1, 6)
CRAVING_RANGE = range(0, 11)

# A button from a check-in that is closed, or for a question not asked yet.
STALE = "checkin-stale"
# A button for a question of this check-in that was already answered.
ALREADY_ANSWERED = "checkin-stale-answer"
INVALID_KEYS: Mapping[str, str] = MappingProxyType(
    {
        "mood": "checkin-invalid-mood",
        "craving": "checkin-invalid-craving",
        "triggers": "checkin-invalid-triggers",
        "use": "checkin-invalid-use",
        "note": "checkin-invalid-note",  # not text, or over MAX_NOTE_CHARS
    }
)


class InvalidAnswer(ValueError):
    """An answer that can't be applied; ``reason_key`` is the i18n message id to show."""

    def __init__(self, reason_key: str) -> None:
        super().__init__(reason_key)
        self.reason_key = reason_key


@dataclass(frozen=True)
class CheckinState:
    """Answers so far; ``step`` is the question being asked, None once finished."""

    step: str | None
    mood: int | None = None
    craving: int | None = None
    triggers: frozenset[str] = frozenset()
    used: str | None = None
    note: str | None = None

    def __post_init__(self) -> None:
        if self.step is not None and self.step not in STEPS:
            raise ValueError(f"unknown check-in step {self.step!r}")

    @property
    def finished(self) -> bool:
        return self.step is None


def new_checkin() -> CheckinState:
    """A check-in that has just been sent: asking for mood."""
    return CheckinState(step=STEPS[0])


def _next_step(step: str) -> str | None:
    index = STEPS.index(step)
    return STEPS[index + 1] if index + 1 < len(STEPS) else None


def apply_answer(state: CheckinState, step: str, value: object) -> CheckinState:
    """The state after answering ``step`` with ``value``.

    * mood: int 1–5; craving: int 0–10 (a digit string such as the "4" from
      callback data is accepted too);
    * triggers: a trigger id toggles it and stays on the step, ``"done"``
      moves on, and a collection of ids (a typed list) adds them all and
      moves on;
    * use: one of :data:`USE_ANSWERS`;
    * note: text, stripped, at most :data:`MAX_NOTE_CHARS`; None or blank
      skips it.

    An answer to a step other than the current one (an old or forged button)
    raises ``InvalidAnswer("checkin-stale-answer")`` when that question was
    already answered, and ``InvalidAnswer("checkin-stale")`` otherwise.  A
    value out of range raises ``InvalidAnswer`` with the step's key
    (:data:`INVALID_KEYS`).
    """
    if step != state.step:
        raise InvalidAnswer(_stale_reason(state, step))
    if step == "mood":
        return replace(state, mood=_score(value, MOOD_RANGE, step), step=_next_step(step))
    if step == "craving":
        return replace(state, craving=_score(value, CRAVING_RANGE, step), step=_next_step(step))
    if step == "triggers":
        return _apply_triggers(state, value)
    if step == "use":
        if not isinstance(value, str) or value not in USE_ANSWERS:
            raise InvalidAnswer(INVALID_KEYS[step])
        return replace(state, used=value, step=_next_step(step))
    return replace(state, note=_clean_note(value), step=_next_step(step))


def _stale_reason(state: CheckinState, step: object) -> str:
    if step not in STEPS:
        return STALE
    if state.step is None or STEPS.index(step) < STEPS.index(state.step):
        return ALREADY_ANSWERED
    return STALE


def _score(value: object, allowed: range, step: str) -> int:
    if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) <= 2:
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or value not in allowed:
        raise InvalidAnswer(INVALID_KEYS[step])
    return value


def _apply_triggers(state: CheckinState, value: object) -> CheckinState:
    if value == DONE:
        return replace(state, step=_next_step("triggers"))
    if isinstance(value, str):
        if value not in TRIGGERS:
            raise InvalidAnswer(INVALID_KEYS["triggers"])
        return replace(state, triggers=state.triggers ^ {value})
    if isinstance(value, Collection) and all(isinstance(v, str) and v in TRIGGERS for v in value):
        return replace(state, triggers=state.triggers | frozenset(value), step=_next_step("triggers"))
    raise InvalidAnswer(INVALID_KEYS["triggers"])


def _clean_note(value: object) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise InvalidAnswer(INVALID_KEYS["note"])
    text = value.strip()
    if len(text) > MAX_NOTE_CHARS:
        raise InvalidAnswer(INVALID_KEYS["note"])
    return text or None


def summary_fields(state: CheckinState) -> dict[str, object]:
    """The answers as plain values for storage (triggers as a sorted list)."""
    return {
        "mood": state.mood,
        "craving": state.craving,
        "triggers": sorted(state.triggers),
        "used": state.used,
        "note": state.note,
        "completed": state.finished,
    }


# --- Typed answers -----------------------------------------------------------

# Word tables grouped by language, several words a line (one a line would triple them):
# fmt: off
_NUMBER_WORDS: Mapping[str, int] = MappingProxyType(
    {
        # English
        "zero": 0, "none": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5,
        "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
        # Hindi, Latin script
        "shunya": 0, "shoonya": 0, "sifar": 0, "ek": 1, "do": 2, "teen": 3, "tin": 3,
        "char": 4, "chaar": 4, "panch": 5, "paanch": 5, "chhah": 6, "chhe": 6, "cheh": 6,
        "saat": 7, "sat": 7, "aath": 8, "aat": 8, "nau": 9, "das": 10, "dus": 10,
        # Marathi, Latin script
        "don": 2, "pach": 5, "saha": 6, "daha": 10,
        # Hindi, Devanagari
        "शून्य": 0, "एक": 1, "दो": 2, "तीन": 3, "चार": 4, "पाँच": 5, "पांच": 5,
        "छह": 6, "छः": 6, "छे": 6, "सात": 7, "आठ": 8, "नौ": 9, "दस": 10,
        # Marathi, Devanagari
        "दोन": 2, "पाच": 5, "सहा": 6, "नऊ": 9, "दहा": 10,
    }
)

_USE_WORDS: Mapping[str, str] = MappingProxyType(
    {
        **dict.fromkeys(
            (
                "yes", "y", "yeah", "yep", "haan", "han", "ha", "haa", "haanji", "haan ji",
                "ji haan", "hanji", "ho", "hoy", "हाँ", "हां", "हा", "हाँ जी",
                "हां जी", "जी हाँ", "जी हां", "होय", "हो",
            ),
            "yes",
        ),
        **dict.fromkeys(
            (
                "no", "n", "nope", "nahi", "nahin", "nai", "nahi ji", "na", "naa", "nako",
                "nahi kiya", "नहीं", "नही", "ना", "नहीं जी", "नाही", "नाय", "नको",
            ),
            "no",
        ),
        **dict.fromkeys(
            (
                "prefer not", "prefer not to say", "rather not say", "rather not",
                "skip", "pass", "private", "nahi batana", "nahi bataunga",
                "nahi bataungi", "nahi sangayach", "nahi sangaycha", "sangaycha nahi",
                "नहीं बताना", "नहीं बताऊँगा", "नहीं बताऊँगी", "बताना नहीं", "सांगायचं नाही",
                "सांगायचे नाही", "नाही सांगायचं",
            ),
            "undisclosed",
        ),
    }
)

_TRIGGER_WORDS: Mapping[str, str] = MappingProxyType(
    {
        **{trigger: trigger for trigger in TRIGGERS},
        **dict.fromkeys(
            (
                "stressed", "tension", "tensed", "pressure", "work", "worry", "worried",
                "anxiety", "anxious", "tanav", "tanaav", "chinta", "kaam", "dabav",
                "तनाव", "टेंशन", "टेन्शन", "चिंता", "दबाव", "काम",
                "ताण", "तणाव", "काळजी",
            ),
            "stress",
        ),
        **dict.fromkeys(
            (
                "friends", "friend", "company", "dost", "dosto", "yaar", "yaaron", "log",
                "sangat", "mitra", "lok", "दोस्त", "यार", "लोग", "संगत", "मित्र", "लोक",
            ),
            "people",
        ),
        **dict.fromkeys(
            (
                "place", "bar", "theka", "adda", "jagah", "jaga", "thikan", "ठेका",
                "अड्डा", "जगह", "जागा", "ठिकाण",
            ),
            "places",
        ),
        **dict.fromkeys(
            (
                "bored", "boring", "bore", "khali", "khaali", "kantala", "ऊब", "बोरियत",
                "बोर", "खाली", "कंटाळा",
            ),
            "boredom",
        ),
        **dict.fromkeys(
            (
                "lonely", "alone", "akela", "akeli", "akelapan", "ekta", "ekti", "ekata",
                "ekatepana", "अकेला", "अकेली", "अकेलापन", "एकटा", "एकटी", "एकटं", "एकटे",
                "एकटेपणा",
            ),
            "loneliness",
        ),
        **dict.fromkeys(
            (
                "angry", "gussa", "ghussa", "krodh", "raag", "chidchid", "गुस्सा", "क्रोध",
                "राग", "चिडचिड",
            ),
            "anger",
        ),
        **dict.fromkeys(
            (
                "celebrate", "party", "wedding", "festival", "shaadi", "shadi", "tyohar",
                "jashn", "utsav", "san", "lagna", "पार्टी", "शादी", "त्योहार", "जश्न",
                "उत्सव", "सण", "लग्न",
            ),
            "celebration",
        ),
        **dict.fromkeys(
            (
                "withdrawal", "ache", "aches", "sick", "ill", "dard", "dukhna", "dukhane",
                "दर्द", "बीमार", "वेदना", "दुखणं", "दुखणे", "आजारी",
            ),
            "pain",
        ),
        **dict.fromkeys(
            (
                "payday", "salary", "cash", "debt", "paisa", "paise", "tankhwah", "pagar",
                "karz", "karza", "पैसा", "पैसे", "तनख्वाह", "पगार", "कर्ज", "कर्ज़",
            ),
            "money",
        ),
        **dict.fromkeys(
            (
                "wife", "husband", "parents", "fight", "parivar", "ghar",
                "gharwale", "jhagda", "kutumb", "gharche", "bhandan", "परिवार", "घर",
                "घरवाले", "झगड़ा", "झगडा", "कुटुंब", "घरचे", "भांडण",
            ),
            "family",
        ),
        **dict.fromkeys(("else", "anya", "itar", "dusra", "अन्य", "इतर", "दूसरा", "दुसरं"), "other"),
    }
)

# Whole answers that close the triggers step with nothing (more) to add.
_DONE_PHRASES = frozenset(
    {
        "done", "ok", "okay", "that's all", "thats all", "nothing", "none", "no", "nahi",
        "skip", "ho gaya", "hogaya", "ho gya", "bas", "bus", "kuch nahi", "kuchh nahi",
        "zala", "jhala", "jhale", "zale", "kahi nahi", "हो गया", "होगया", "बस", "कुछ नहीं",
        "नहीं", "झालं", "झाले", "झाला", "काही नाही", "नाही",
    }
)
# Single words that, among trigger words, also mean "that's all".
_DONE_WORDS = frozenset({"done", "bas", "bus", "hogaya", "बस", "झालं", "झाले", "झाला"})

_NOTE_SKIPS = frozenset(
    {
        "skip", "-", "no", "none", "nothing", "n/a", "na", "nahi", "nahin", "kuch nahi",
        "nako", "kahi nahi", "नहीं", "कुछ नहीं", "नाही", "काही नाही", "नको",
    }
)
# fmt: on

_ZERO_WIDTH = dict.fromkeys(map(ord, "\u200b\u200c\u200d\ufeff"))
_EDGE_PUNCTUATION = " \t\n\r.,!?;:।॥\"'“”‘’()"
_TOKEN_SPLIT = re.compile(r"[\s,;/&+|।॥.!?()\"“”]+")
_CONNECTORS = frozenset({"and", "aur", "or", "ya", "ani", "aani", "और", "या", "आणि", "किंवा", "va", "व"})
_SCORE_RE = re.compile(r"^(\d{1,3})(?:\s*/\s*(?:5|10))?$")


def _normalise(text: str) -> str:
    """NFC, no zero-width joiners, ASCII digits, casefolded, single spaces, bare edges."""
    text = unicodedata.normalize("NFC", text).translate(_ZERO_WIDTH)
    text = "".join(str(unicodedata.decimal(ch)) if ch.isdecimal() else ch for ch in text)
    return " ".join(text.casefold().split()).strip(_EDGE_PUNCTUATION)


def parse_typed(step: str, text: str) -> object:
    """Turn a typed answer into the value :func:`apply_answer` takes for ``step``.

    Numbers in ASCII or Devanagari digits ("४", "7/10") or words in the three
    languages; yes/no in many spellings ("haan", "nahi", "होय", "नाही",
    "prefer not"); triggers as a list of ids or everyday words ("tanav,
    akela", "ताण आणि एकटं") returned as a frozenset, or ``"done"``; a note as
    text, or None for "skip" / "-" / "no".  Raises :class:`InvalidAnswer`
    with the step's key for anything it can't read (``"checkin-stale"`` for
    an unknown step), and never any other exception.
    """
    if step not in STEPS:
        raise InvalidAnswer(STALE)
    if not isinstance(text, str):
        raise InvalidAnswer(INVALID_KEYS[step])
    if step == "note":
        return _parse_note(text)
    normalised = _normalise(text)
    if step == "mood":
        return _score(_parse_number(normalised, step), MOOD_RANGE, step)
    if step == "craving":
        return _score(_parse_number(normalised, step), CRAVING_RANGE, step)
    if step == "use":
        if normalised in _USE_WORDS:
            return _USE_WORDS[normalised]
        raise InvalidAnswer(INVALID_KEYS[step])
    return _parse_triggers(normalised)


def _parse_number(text: str, step: str) -> int:
    match = _SCORE_RE.match(text)
    if match:
        return int(match.group(1))
    if text in _NUMBER_WORDS:
        return _NUMBER_WORDS[text]
    raise InvalidAnswer(INVALID_KEYS[step])


def _parse_triggers(text: str) -> frozenset[str] | str:
    """Lenient on purpose: "I was stressed at work" finds stress and ignores the rest."""
    if text in _DONE_PHRASES:
        return DONE
    found: set[str] = set()
    done = False
    for token in _TOKEN_SPLIT.split(text):
        if token in _TRIGGER_WORDS:
            found.add(_TRIGGER_WORDS[token])
        elif token in _DONE_WORDS:
            done = True
    if found:
        return frozenset(found)
    if done:
        return DONE
    raise InvalidAnswer(INVALID_KEYS["triggers"])


def _parse_note(text: str) -> str | None:
    stripped = text.strip()
    if _normalise(stripped) in _NOTE_SKIPS or not stripped:
        return None
    if len(stripped) > MAX_NOTE_CHARS:
        raise InvalidAnswer(INVALID_KEYS["note"])
    return stripped
