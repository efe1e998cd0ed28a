"""Telegram's ``parse_mode`` handling (HTML, MarkdownV2, Markdown) for the emulator.

Why the emulator parses markup at all: a message with an unescaped ``.`` in MarkdownV2 or a
stray ``<`` in HTML is the most common way a Telegram bot breaks in production - Telegram
answers ``400 Bad Request: can't parse entities: ...`` and the user gets nothing. Catching
that in tests needs the same strictness. Parsing also gives tests what the user really sees
(plain text plus entities), which is also what Telegram returns to the bot.

This is a faithful subset, not Telegram's code: the rules in
https://core.telegram.org/bots/api#formatting-options are enforced, and the error texts
follow Telegram's wording, but exotic corner cases (mentions by id, custom emoji validity)
are accepted without checks.
"""

from __future__ import annotations

import re
from typing import Any

Entity = dict[str, Any]


class EntityParseError(ValueError):
    """Markup Telegram would reject; ``str(err)`` is the detail after "can't parse entities: "."""


def utf16_len(text: str) -> int:
    """Length in UTF-16 code units: the unit of Telegram's entity offsets and lengths."""
    return len(text.encode("utf-16-le")) // 2


def parse_text(text: str, parse_mode: str | None) -> tuple[str, list[Entity]]:
    """Return (plain text, entities) for ``text`` under ``parse_mode`` (case-insensitive)."""
    mode = (parse_mode or "").strip().lower()
    if not mode:
        return text, []
    if mode == "html":
        return _HtmlParser(text).parse()
    if mode == "markdownv2":
        return _MarkdownV2Parser(text).parse()
    if mode == "markdown":
        return _parse_legacy_markdown(text)
    raise EntityParseError(f"Unsupported parse_mode {parse_mode!r}")


def _byte_offset(text: str, index: int) -> int:
    return len(text[:index].encode("utf-8"))


class _Builder:
    """Accumulates output text while tracking the UTF-16 position for entity offsets."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.pos = 0
        self.entities: list[Entity] = []

    def add(self, chunk: str) -> None:
        self.parts.append(chunk)
        self.pos += utf16_len(chunk)

    def entity(self, etype: str, start: int, **extra: Any) -> None:
        if self.pos > start:  # Telegram silently drops empty entities
            self.entities.append({"type": etype, "offset": start, "length": self.pos - start, **extra})

    def result(self) -> tuple[str, list[Entity]]:
        self.entities.sort(key=lambda e: (e["offset"], -e["length"]))
        return "".join(self.parts), self.entities


# --------------------------------------------------------------------------------------- HTML

_HTML_SIMPLE = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "code": "code",
    "pre": "pre",
}
_HTML_SUPPORTED = set(_HTML_SIMPLE) | {"a", "span", "blockquote", "tg-emoji"}
_NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_ENTITY_RE = re.compile(r"&(?:#(\d+)|#[xX]([0-9a-fA-F]+)|([a-zA-Z]+));")
_ATTR_RE = re.compile(r"""([a-zA-Z_][\w-]*)(?:\s*=\s*("[^"]*"|'[^']*'|[^\s"'>]+))?""")
_TAG_NAME_RE = re.compile(r"[a-zA-Z][a-zA-Z0-9-]*")


class _HtmlParser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.out = _Builder()
        # (tag name, start position, attributes, byte offset of the start tag)
        self.stack: list[tuple[str, int, dict[str, str], int]] = []

    def parse(self) -> tuple[str, list[Entity]]:
        text, i = self.text, 0
        while i < len(text):
            char = text[i]
            if char == "<":
                i = self._tag(i)
            elif char == "&":
                i = self._char_ref(i)
            else:
                nxt = min((p for p in (text.find("<", i), text.find("&", i)) if p != -1), default=len(text))
                self.out.add(text[i:nxt])
                i = nxt
        if self.stack:
            raise EntityParseError(f'Can\'t find end tag corresponding to start tag "{self.stack[-1][0]}"')
        return self.out.result()

    def _char_ref(self, i: int) -> int:
        match = _ENTITY_RE.match(self.text, i)
        if match is None:
            self.out.add("&")
            return i + 1
        dec, hexa, name = match.groups()
        if name is not None:
            if name not in _NAMED_ENTITIES:
                self.out.add(match.group(0))  # unknown named entities stay literal
            else:
                self.out.add(_NAMED_ENTITIES[name])
        else:
            self.out.add(chr(int(dec) if dec else int(hexa, 16)))
        return match.end()

    def _tag(self, i: int) -> int:
        text = self.text
        offset = _byte_offset(text, i)
        closing = text.startswith("</", i)
        name_match = _TAG_NAME_RE.match(text, i + (2 if closing else 1))
        name = name_match.group(0).lower() if name_match else ""
        end = text.find(">", i)
        if end == -1:
            raise EntityParseError(f"Unclosed start tag at byte offset {offset}")
        if closing:
            return self._end_tag(name, offset, end)
        if name not in _HTML_SUPPORTED:
            raise EntityParseError(f'Unsupported start tag "{name}" at byte offset {offset}')
        attr_text = text[name_match.end() if name_match else i + 1 : end]
        attrs = {m.group(1).lower(): (m.group(2) or "").strip("\"'") for m in _ATTR_RE.finditer(attr_text)}
        if name == "span" and attrs.get("class") != "tg-spoiler":
            raise EntityParseError(f'Tag "span" must have class "tg-spoiler" at byte offset {offset}')
        self.stack.append((name, self.out.pos, attrs, offset))
        return end + 1

    def _end_tag(self, name: str, offset: int, end: int) -> int:
        if not self.stack:
            raise EntityParseError(f"Unexpected end tag at byte offset {offset}")
        open_name, start, attrs, _ = self.stack.pop()
        if open_name != name:
            raise EntityParseError(
                f'Unmatched end tag at byte offset {offset}, expected "</{open_name}>", found "</{name}>"'
            )
        out = self.out
        if open_name == "a":
            href = attrs.get("href", "")
            match = re.fullmatch(r"tg://user\?id=(\d+)", href)
            if match:
                out.entity("text_mention", start, user={"id": int(match.group(1)), "is_bot": False, "first_name": ""})
            else:
                out.entity("text_link", start, url=href)
        elif open_name == "span":
            out.entity("spoiler", start)
        elif open_name == "blockquote":
            out.entity("expandable_blockquote" if "expandable" in attrs else "blockquote", start)
        elif open_name == "tg-emoji":
            out.entity("custom_emoji", start, custom_emoji_id=attrs.get("emoji-id", ""))
        elif open_name == "code" and self.stack and self.stack[-1][0] == "pre":
            language = attrs.get("class", "")
            if language.startswith("language-"):
                # <pre><code class="language-x"> is one pre entity with a language
                pre_name, pre_start, pre_attrs, pre_offset = self.stack[-1]
                self.stack[-1] = (pre_name, pre_start, {**pre_attrs, "language": language[9:]}, pre_offset)
            else:
                out.entity("code", start)
        elif open_name == "pre" and attrs.get("language"):
            out.entity("pre", start, language=attrs["language"])
        else:
            out.entity(_HTML_SIMPLE[open_name], start)
        return end + 1


# --------------------------------------------------------------------------------- MarkdownV2

_MDV2_RESERVED = set("_*[]()~`>#+-=|{}.!")
_MDV2_NAMES = {
    "bold": "Bold",
    "italic": "Italic",
    "underline": "Underline",
    "strikethrough": "Strikethrough",
    "spoiler": "Spoiler",
    "text_link": "TextUrl",
}


class _MarkdownV2Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.out = _Builder()
        # (entity type, start position, byte offset of the opening marker)
        self.stack: list[tuple[str, int, int]] = []
        self.quote_start: int | None = None

    def parse(self) -> tuple[str, list[Entity]]:
        text, i = self.text, 0
        while i < len(text):
            char = text[i]
            if char == "\\" and i + 1 < len(text) and ord(text[i + 1]) <= 126:
                self.out.add(text[i + 1])
                i += 2
            elif char == "`":
                i = self._code(i)
            elif text.startswith("__", i) or char in "*_~" or text.startswith("||", i):
                i = self._toggle(i)
            elif char == "[":
                self.stack.append(("text_link", self.out.pos, _byte_offset(text, i)))
                i += 1
            elif char == "]" and any(e[0] == "text_link" for e in self.stack):
                i = self._link_end(i)
            elif char == ">" and (i == 0 or text[i - 1] == "\n"):
                if self.quote_start is None:
                    self.quote_start = self.out.pos
                i += 1
            elif char == "\n":
                self._maybe_end_quote(i)
                self.out.add(char)
                i += 1
            elif char in _MDV2_RESERVED:
                raise EntityParseError(f"Character '{char}' is reserved and must be escaped with the preceding '\\'")
            else:
                self.out.add(char)
                i += 1
        if self.quote_start is not None:
            self.out.entity("blockquote", self.quote_start)
        if self.stack:
            etype, _, offset = self.stack[-1]
            raise EntityParseError(f"Can't find end of {_MDV2_NAMES[etype]} entity at byte offset {offset}")
        return self.out.result()

    def _maybe_end_quote(self, i: int) -> None:
        if self.quote_start is not None and not self.text.startswith(">", i + 1):
            self.out.entity("blockquote", self.quote_start)
            self.quote_start = None

    def _toggle(self, i: int) -> int:
        text = self.text
        open_types = [e[0] for e in self.stack]
        if text.startswith("||", i):
            etype, width = "spoiler", 2
        elif text.startswith("__", i) and ("underline" in open_types or "italic" not in open_types):
            etype, width = "underline", 2
        else:
            etype, width = {"*": "bold", "_": "italic", "~": "strikethrough"}[text[i]], 1
        if etype in open_types:
            index = len(open_types) - 1 - open_types[::-1].index(etype)
            _, start, _ = self.stack.pop(index)
            self.out.entity(etype, start)
        else:
            self.stack.append((etype, self.out.pos, _byte_offset(text, i)))
        return i + width

    def _link_end(self, i: int) -> int:
        text = self.text
        if not text.startswith("(", i + 1):
            raise EntityParseError("Character ']' is reserved and must be escaped with the preceding '\\'")
        url_chars: list[str] = []
        j = i + 2
        while j < len(text) and text[j] != ")":
            if text[j] == "\\" and j + 1 < len(text):
                j += 1
            url_chars.append(text[j])
            j += 1
        if j >= len(text):
            raise EntityParseError(f"Can't find end of a URL at byte offset {_byte_offset(text, i + 1)}")
        for index in range(len(self.stack) - 1, -1, -1):
            if self.stack[index][0] == "text_link":
                _, start, _ = self.stack.pop(index)
                self.out.entity("text_link", start, url="".join(url_chars))
                break
        return j + 1

    def _code(self, i: int) -> int:
        text = self.text
        offset = _byte_offset(text, i)
        pre = text.startswith("```", i)
        marker = "```" if pre else "`"
        j = i + len(marker)
        language: str | None = None
        if pre:
            newline = text.find("\n", j)
            first_line = text[j:newline] if newline != -1 else ""
            if newline != -1 and first_line and " " not in first_line and "`" not in first_line:
                language, j = first_line, newline + 1
        chars: list[str] = []
        while j < len(text) and not text.startswith(marker, j):
            if text[j] == "\\" and j + 1 < len(text):
                j += 1
            chars.append(text[j])
            j += 1
        if j >= len(text):
            name = "Pre" if pre else "Code"
            raise EntityParseError(f"Can't find end of {name} entity at byte offset {offset}")
        start = self.out.pos
        self.out.add("".join(chars))
        extra = {"language": language} if language else {}
        self.out.entity("pre" if pre else "code", start, **extra)
        return j + len(marker)


# ----------------------------------------------------------------------------- legacy Markdown

_LEGACY = {"*": "bold", "_": "italic", "`": "code"}
_LEGACY_LINK_RE = re.compile(r"\[([^\]]*)\]\(([^)]*)\)")


def _parse_legacy_markdown(text: str) -> tuple[str, list[Entity]]:
    out = _Builder()
    i = 0
    while i < len(text):
        char = text[i]
        if char == "\\" and i + 1 < len(text) and text[i + 1] in "*_`[":
            out.add(text[i + 1])
            i += 2
            continue
        if char == "[":
            match = _LEGACY_LINK_RE.match(text, i)
            if match is not None:
                start = out.pos
                out.add(match.group(1))
                out.entity("text_link", start, url=match.group(2))
                i = match.end()
                continue
            # "[text]" without a URL stays plain text, like Telegram keeps it
        marker = "```" if text.startswith("```", i) else char
        if marker in _LEGACY or marker == "```":
            end = text.find(marker, i + len(marker))
            if end == -1:
                raise EntityParseError(f"Can't find end of the entity starting at byte offset {_byte_offset(text, i)}")
            start = out.pos
            out.add(text[i + len(marker) : end])
            out.entity("pre" if marker == "```" else _LEGACY[marker], start)
            i = end + len(marker)
            continue
        out.add(char)
        i += 1
    return out.result()
