"""A channel-neutral message with choices, shaped into what WhatsApp accepts.

Services write choices as rows of ``(label, choice id)`` (the outbox payload's ``buttons``) or a
reply keyboard of labels (``keyboard``, the main menu). WhatsApp has neither; it has

* up to 3 **reply buttons**, titles ≤ 20 characters, body ≤ 1,024;
* a **list** of up to 10 rows behind a button (≤ 20): row titles ≤ 24, descriptions ≤ 72;
* plain **text** up to 4,096 characters.

So :func:`render` gives buttons for ≤ 3 choices, a list for ≤ 10, and beyond that numbered text
("1. …" to "12. …", "Reply with the number of your choice"). Titles are cut on a word boundary with "…" (never inside a
Devanagari conjunct or an emoji) and kept unique; a cut row keeps its full label as the
description. A body too long for its message goes first as plain text. Lengths are counted in
UTF-16 units, which is never less than Meta's count in characters.

Every rendering comes with :class:`Offered`: what a typed answer may be. :func:`parse_reply` turns
"3", "३" (Devanagari digits), or a label typed out (any case and spacing) into the choice id. When
every label starts with its own number (a 0–10 craving scale, "3 days"), that number is the answer,
not the position. Keyboard labels come back as text (the bot reads a menu tap as the label typed):
their ids are ``txt:<label>`` (:func:`answer_text`).

The few words the rendering adds (list button, menu, reply hint) are the caller's, from the
catalogs (:class:`Words`): this module is standard library only.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from .capabilities import TELEGRAM, WHATSAPP, Capabilities

__all__ = [
    "TELEGRAM",
    "TEXT_CHOICE",
    "WHATSAPP",
    "ButtonsMessage",
    "Capabilities",
    "Choice",
    "ListMessage",
    "Message",
    "Offered",
    "Rendering",
    "Row",
    "TextMessage",
    "Words",
    "answer_text",
    "parse_reply",
    "render",
    "shorten",
    "split_text",
    "width",
]

MAX_TEXT = 4096
MAX_INTERACTIVE_BODY = 1024
MAX_BUTTON_TITLE = 20
MAX_ROW_TITLE = 24
MAX_ROW_DESCRIPTION = 72
MAX_LIST_BUTTON = 20
MAX_ROW_ID = 200  # a button id may be 256; the row's 200 bounds both
ELLIPSIS = "…"
TEXT_CHOICE = "txt:"

Choices = Sequence[Sequence[tuple[str, str]] | Sequence[Sequence[str]]]


@dataclass(frozen=True, slots=True)
class Words:
    """The rendering's own words in the recipient's language (bot/i18n/locales/*/whatsapp.ftl)."""

    list_button: str  # the button that opens a list: "Choose"
    menu_button: str  # the same for the main menu: "Menu"
    reply_number: str  # under numbered choices: "Reply with the number of your choice."


@dataclass(frozen=True, slots=True)
class Choice:
    key: str  # what a person types: "3"
    label: str  # the service's full label
    choice_id: str  # callback data, or txt:<label> for a keyboard


@dataclass(frozen=True, slots=True)
class Offered:
    """The choices a message offered, kept (as JSON) until the answer comes."""

    choices: tuple[Choice, ...] = ()

    def to_json(self) -> list[list[str]]:
        return [[c.key, c.label, c.choice_id] for c in self.choices]

    @classmethod
    def from_json(cls, rows: Any) -> Offered:
        """Rows stored by :meth:`to_json`; anything malformed offers nothing."""
        if not isinstance(rows, list):
            return cls()
        good = [r for r in rows if isinstance(r, list) and len(r) == 3 and all(isinstance(x, str) for x in r)]
        return cls(tuple(Choice(*r) for r in good)) if len(good) == len(rows) else cls()


@dataclass(frozen=True, slots=True)
class TextMessage:
    body: str

    def graph(self) -> dict[str, Any]:
        """The Cloud API send body, without ``to`` and ``messaging_product``."""
        return {"type": "text", "text": {"body": self.body}}


@dataclass(frozen=True, slots=True)
class ButtonsMessage:
    body: str
    buttons: tuple[tuple[str, str], ...]  # (id, title)

    def graph(self) -> dict[str, Any]:
        buttons = [{"type": "reply", "reply": {"id": i, "title": title}} for i, title in self.buttons]
        return {
            "type": "interactive",
            "interactive": {"type": "button", "body": {"text": self.body}, "action": {"buttons": buttons}},
        }


@dataclass(frozen=True, slots=True)
class Row:
    id: str
    title: str
    description: str | None = None


@dataclass(frozen=True, slots=True)
class ListMessage:
    body: str
    button: str
    rows: tuple[Row, ...]

    def graph(self) -> dict[str, Any]:
        rows = [
            {"id": r.id, "title": r.title, **({"description": r.description} if r.description else {})}
            for r in self.rows
        ]
        return {
            "type": "interactive",
            "interactive": {
                "type": "list",
                "body": {"text": self.body},
                "action": {"button": self.button, "sections": [{"rows": rows}]},
            },
        }


Message = TextMessage | ButtonsMessage | ListMessage


@dataclass(frozen=True, slots=True)
class Rendering:
    """The messages to send in order (only the last carries the choices) and what they offered."""

    messages: tuple[Message, ...]
    offered: Offered = field(default_factory=Offered)


# --- lengths and cutting ------------------------------------------------------------------------


def width(text: str) -> int:
    """Length in UTF-16 units: an emoji outside the BMP counts 2, never less than Meta's count."""
    return len(text.encode("utf-16-le")) // 2


def _joins_previous(char: str) -> bool:
    """A character that belongs to the one before it: a vowel sign, nukta, virama, ZWJ, a variation
    selector or a skin tone."""
    return (
        unicodedata.category(char) in ("Mn", "Mc", "Me")
        or char in "\u200c\u200d"
        or "\ufe00" <= char <= "\ufe0f"
        or "\U0001f3fb" <= char <= "\U0001f3ff"
    )


def _safe_cut(text: str, cut: int) -> int:
    """Move ``cut`` left until it does not split a letter from its marks or a conjunct."""
    while 0 < cut < len(text) and (
        _joins_previous(text[cut]) or unicodedata.combining(text[cut - 1]) == 9 or text[cut - 1] == "\u200d"
    ):
        cut -= 1
    return cut


def _prefix_within(text: str, limit: int) -> int:
    """The longest prefix (in characters) whose width is ≤ limit, not splitting a grapheme."""
    total = 0
    for index, char in enumerate(text):
        total += width(char)
        if total > limit:
            return _safe_cut(text, index)
    return len(text)


def shorten(label: str, limit: int) -> str:
    """``label`` in at most ``limit`` UTF-16 units: cut after a whole word, with "…" when cut."""
    text = " ".join(label.split())
    if width(text) <= limit:
        return text
    room = limit - width(ELLIPSIS)
    cut = _prefix_within(text, room)
    space = text.rfind(" ", 0, cut + 1)
    if space > 0 and space >= room // 3:  # a word boundary that keeps a useful part
        cut = space
    head = text[:cut].rstrip(" ,;:-–—(")
    return (head or text[: _prefix_within(text, room)]) + ELLIPSIS


def split_text(text: str, limit: int) -> list[str]:
    """``text`` in parts of at most ``limit`` units, cut at a paragraph, a line, or a space."""
    parts: list[str] = []
    rest = text.strip()
    while width(rest) > limit:
        cut = _prefix_within(rest, limit)
        for boundary in ("\n\n", "\n", " "):
            at = rest.rfind(boundary, 0, cut + 1)
            if at > 0:
                cut = at
                break
        parts.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    if rest:
        parts.append(rest)
    return parts


def _tail_within(text: str, limit: int) -> tuple[str, str]:
    """(head, tail): the longest tail of at most ``limit`` starting at a boundary; head may be ""."""
    text = text.strip()
    if width(text) <= limit:
        return "", text
    head_parts = split_text(text, limit)
    return "\n\n".join(head_parts[:-1]), head_parts[-1]


# --- the choices ---------------------------------------------------------------------------------

_LEADING_NUMBER = re.compile(r"^(\d+)(?:\s|$)")


def _flatten(buttons: Choices | None, keyboard: Sequence[Sequence[str]] | None) -> list[tuple[str, str]]:
    """(label, choice id) in reading order; keyboard labels answer as text."""
    if buttons:
        return [(str(b[0]), str(b[1])) for row in buttons for b in row]
    if keyboard:
        return [(label, TEXT_CHOICE + label) for row in keyboard for label in row]
    return []


def _keys(labels: list[str]) -> list[str]:
    """What each choice is answered by: its own leading number when every label has a distinct one
    (a craving scale 0–10, "1 day" … "14 days"), else its position 1, 2, 3…"""
    numbers = [_LEADING_NUMBER.match(_normalise(label)) for label in labels]
    own = [m.group(1).lstrip("0") or "0" for m in numbers if m]
    if len(own) == len(labels) and len(set(own)) == len(own):
        return own
    return [str(n) for n in range(1, len(labels) + 1)]


def _unique_titles(choices: list[Choice], limit: int) -> list[str]:
    titles = [shorten(c.label, limit) for c in choices]
    seen: dict[str, list[int]] = {}
    for index, title in enumerate(titles):
        seen.setdefault(_normalise(title), []).append(index)
    for indexes in seen.values():
        if len(indexes) > 1:
            for index in indexes:
                suffix = f" ({choices[index].key})"
                titles[index] = shorten(choices[index].label, limit - width(suffix)) + suffix
    if len({_normalise(t) for t in titles}) < len(titles):  # a label that already ends in "(2)"
        titles = [shorten(f"{c.key}. {c.label}", limit) for c in choices]
    return titles


def render(
    text: str,
    words: Words,
    *,
    buttons: Choices | None = None,
    keyboard: Sequence[Sequence[str]] | None = None,
) -> Rendering:
    """The messages WhatsApp accepts for ``text`` and its choices (buttons win over a keyboard)."""
    pairs = _flatten(buttons, keyboard)
    for label, choice_id in pairs:
        if not choice_id or width(choice_id) > MAX_ROW_ID:
            raise ValueError("a choice id is 1 to 200 characters")
        if not label.strip():
            raise ValueError("a choice needs a label")
    if len({choice_id for _, choice_id in pairs}) < len(pairs):
        raise ValueError("choice ids must be unique")
    if not pairs:
        return Rendering(tuple(TextMessage(part) for part in split_text(text, MAX_TEXT)))
    keys = _keys([label for label, _ in pairs])
    choices = [Choice(key, label, choice_id) for key, (label, choice_id) in zip(keys, pairs, strict=True)]
    offered = Offered(tuple(choices))
    if len(choices) > WHATSAPP.choices_max:
        return Rendering(_numbered(text, choices, words), offered)
    head, body = _tail_within(text, MAX_INTERACTIVE_BODY)
    lead = tuple(TextMessage(part) for part in split_text(head, MAX_TEXT))
    if len(choices) <= WHATSAPP.buttons_max:
        titles = _unique_titles(choices, MAX_BUTTON_TITLE)
        message: Message = ButtonsMessage(body, tuple((c.choice_id, t) for c, t in zip(choices, titles, strict=True)))
    else:
        titles = _unique_titles(choices, MAX_ROW_TITLE)
        rows = tuple(_row(c, title) for c, title in zip(choices, titles, strict=True))
        button = words.menu_button if keyboard and not buttons else words.list_button
        message = ListMessage(body, shorten(button, MAX_LIST_BUTTON), rows)
    return Rendering((*lead, message), offered)


def _row(choice: Choice, title: str) -> Row:
    """A list row; a title that had to be cut shows the whole label below it, as far as it fits."""
    whole = " ".join(choice.label.split())
    return Row(choice.choice_id, title, None if title == whole else shorten(whole, MAX_ROW_DESCRIPTION))


def _numbered(text: str, choices: list[Choice], words: Words) -> tuple[Message, ...]:
    own_numbers = [c.key for c in choices] != [str(n) for n in range(1, len(choices) + 1)]
    if all(_normalise(c.label) == c.key for c in choices):
        lines = " · ".join(c.label for c in choices)  # a bare scale: 0 · 1 · 2 … 10
    elif own_numbers:
        lines = "\n".join(" ".join(c.label.split()) for c in choices)
    else:
        lines = "\n".join(f"{c.key}. {' '.join(c.label.split())}" for c in choices)
    block = f"{lines}\n\n{words.reply_number}"
    head, body = _tail_within(text, max(MAX_TEXT - width(block) - 2, 1))
    lead = [TextMessage(part) for part in split_text(head, MAX_TEXT)]
    tail = f"{body}\n\n{block}" if body else block
    return (*lead, *(TextMessage(part) for part in split_text(tail, MAX_TEXT)))


# --- typed answers -------------------------------------------------------------------------------

_DEVANAGARI_DIGITS = {ord("०") + n: str(n) for n in range(10)}
_TRAILING = " .,!?।)"


def _normalise(text: str) -> str:
    """Case, spacing, full-width forms and Devanagari digits folded, so "  ३ " reads as "3"."""
    folded = unicodedata.normalize("NFKC", text).translate(_DEVANAGARI_DIGITS).casefold()
    return " ".join(folded.split()).strip(_TRAILING).lstrip("(")


def parse_reply(text: str, offered: Offered) -> str | None:
    """The choice id a typed answer means, or None: a key ("3", "३", "3."), or a label typed out,
    with or without its emoji ("craving help" for "🆘 Craving help")."""
    typed = _normalise(text)
    if not typed:
        return None
    for choice in offered.choices:
        if typed == choice.key:
            return choice.choice_id
    for fold in (_normalise, _bare):
        typed_form = fold(text)
        matches = [c for c in offered.choices if typed_form and fold(c.label) == typed_form]
        if len(matches) == 1:
            return matches[0].choice_id
        if matches:  # the same words on two choices: ask again rather than guess
            return None
    return None


def _bare(text: str) -> str:
    """The words of a label without its emoji: "🆘 Craving help" → "craving help", "Done ✓" → "done".
    Symbols go, with what glues emoji together (ZWJ, variation selectors, keycaps); vowel signs stay."""
    return _normalise("".join(" " if _is_emoji_part(char) else char for char in unicodedata.normalize("NFKC", text)))


def _is_emoji_part(char: str) -> bool:
    return (
        unicodedata.category(char) in ("So", "Sk", "Sm", "Sc", "Me") or char == "\u200d" or "\ufe00" <= char <= "\ufe0f"
    )


def answer_text(choice_id: str) -> str | None:
    """The label a keyboard choice answers with (the bot reads it as typed text), else None."""
    return choice_id[len(TEXT_CHOICE) :] if choice_id.startswith(TEXT_CHOICE) else None
