"""Compile the clinician-facing pattern language to regular expressions.

Clinicians write word sequences, not regexes (full guide with examples in
docs/clinical-rules.md):

=====================  ====================================================
``kill myself``        these words, in this order, next to each other
``kill*``              a word starting with "kill" (kill, kills, killing)
``*cide``              a word ending with "cide"
``*``                  any one word
``want/wish``          one word out of several (outside brackets only)
``(end it all/end my life)``  one phrase out of several
``[really/so]``        optional: one of these phrases, or nothing
``...``                a gap of up to 3 words (``...5``: up to 5)
``re:<regex>``         escape hatch: a raw Python regex on normalised text,
                       tried at the start of each word
=====================  ====================================================

Inside brackets ``/`` separates whole phrases; nest brackets for a one-word
choice inside a phrase: ``((want/wish) to die/be dead)``.

Every word is folded by :func:`normalise` exactly like the member's text,
so ``don't``, ``हूँ`` or ``jeena`` in a rule also match ``dont``, ``हु``,
``jeeena``. The generated regex is linear: words are delimited by single
spaces and wildcards never cross a space, so there is no nested ambiguous
repetition for the engine to backtrack through.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .normalise import SENTENCE_BREAK, normalise

WORD = r"[^ \n]"
DEFAULT_GAP = 3
MAX_GAP = 8
RAW_PREFIX = "re:"
LOOKBEHIND = "(?<= )"

_TOKEN = re.compile(r"\s+|\(|\)|\[|\]|/|\.{3}\d*|[^\s()\[\]/.]+|\.+")
# A group that ends with a quantifier and is itself quantified: the classic
# catastrophic-backtracking shape, refused in raw patterns.
_NESTED_QUANTIFIER = re.compile(r"[*+}]\)[*+{?]")


class PatternError(ValueError):
    """A rule pattern that cannot be compiled; the message says why."""


@dataclass(frozen=True)
class Starts:
    """The first word of every possible match: one of ``words``, or a word beginning with one of
    ``prefixes`` (a pattern word ``kil*``). Lets the engine try a pattern only where such a word
    stands instead of at every word of a long message (scan.py)."""

    words: frozenset[str] = frozenset()
    prefixes: frozenset[str] = frozenset()

    def __or__(self, other: Starts) -> Starts:
        return Starts(self.words | other.words, self.prefixes | other.prefixes)


def union_of_starts(starts: list[Starts | None]) -> Starts | None:
    """Where any of several patterns can begin (None when one of them can begin anywhere)."""
    out = Starts()
    for one in starts:
        if one is None:
            return None
        out |= one
    return out


@dataclass
class CompiledPattern:
    """Regex source for one pattern plus the literal words it contains.

    ``regex`` matches at the start of a word (it begins with ``(?<= )``);
    ``word_regex`` is the same without that look-behind, for use after a
    consumed space. Rule files combine ``" (?:" + word_regex + ...)`` so the
    regex engine can jump from space to space instead of trying every
    character (``re`` only skips ahead for a literal first character).
    """

    regex: str
    literal_words: set[str] = field(default_factory=set)
    starts: Starts | None = None  # the words a match can begin with; None: any word (raw regexes)

    @property
    def word_regex(self) -> str:
        if self.regex.startswith(LOOKBEHIND):
            return self.regex[len(LOOKBEHIND) :]
        return self.regex


def compile_pattern(pattern: str) -> CompiledPattern:
    """Compile one clinician pattern (or ``re:`` raw regex) to regex source."""
    text = pattern.strip()
    if not text:
        raise PatternError("empty pattern")
    if text.startswith(RAW_PREFIX):
        return _compile_raw(text[len(RAW_PREFIX) :].strip())
    if "|" in text:
        raise PatternError(f"use '/' between choices, not '|', in {text!r} ('|' is for re: patterns)")
    parser = _Parser(text)
    return parser.parse()


def _compile_raw(raw: str) -> CompiledPattern:
    """A raw regex is tried at the start of each word, like every pattern;
    a leading ``(?<= )`` written by the author is accepted and redundant."""
    if not raw:
        raise PatternError("empty raw regex after 're:'")
    while raw.startswith(LOOKBEHIND):
        raw = raw[len(LOOKBEHIND) :]
    if not raw:
        raise PatternError("raw regex has nothing after '(?<= )'")
    if _NESTED_QUANTIFIER.search(raw):
        raise PatternError(f"raw regex {raw!r} repeats a repeated group (slow); rewrite it")
    try:
        re.compile(raw)
    except re.error as exc:
        raise PatternError(f"raw regex {raw!r} does not compile: {exc}") from None
    return CompiledPattern(regex=f"{LOOKBEHIND}(?:{raw})", starts=_raw_starts(raw))


_PLAIN = r"[^()\[\]{}?*+.^$\\|]+"  # text without regex syntax: itself
_RAW_CHOICE = re.compile(rf"\(\?:({_PLAIN}(?:\|{_PLAIN})*)\)(?![?*{{])")
_RAW_WORD = re.compile(r"([^()\[\]{}?*+.^$\\| ]+) ")


def _has_top_level_choice(raw: str) -> bool:
    """Whether ``raw`` has a ``|`` outside every group ("a b|c d": it may begin with either)."""
    depth, index, in_class = 0, 0, False
    while index < len(raw):
        char = raw[index]
        if char == "\\":
            index += 1
        elif in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif char == "|" and depth == 0:
            return True
        index += 1
    return False


def _raw_starts(raw: str) -> Starts | None:
    """The first words of a raw regex that begins with plain words: ``(?:help|halp) …`` or ``in …``
    (a match begins with a word starting so); None for anything else (tried at every word)."""
    choice = _RAW_CHOICE.match(raw) or _RAW_WORD.match(raw)
    if choice is None or _has_top_level_choice(raw):
        return None
    heads = [option.split(" ")[0] for option in choice.group(1).split("|")]
    return None if not all(heads) else Starts(prefixes=frozenset(heads))


@dataclass(frozen=True)
class _First:
    """Where the matches of a run of pattern items can begin, and whether the run can match nothing."""

    first: Starts | None
    nullable: bool

    def then(self, item: _First) -> _First:
        """This run followed by ``item``: ``item``'s first words count while this run can be empty."""
        if not self.nullable:
            return self
        both = None if self.first is None or item.first is None else self.first | item.first
        return _First(both, item.nullable)


class _Parser:
    """Recursive-descent parser producing regex source directly.

    Every item's regex consumes its words *and the space after each word*,
    so items concatenate without separators and a match always ends on a
    word boundary.
    """

    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = [t for t in _TOKEN.findall(text)]
        self.pos = 0
        self.literals: set[str] = set()

    def parse(self) -> CompiledPattern:
        regex, required, starts = self._sequence(top=True)
        self._skip_space()
        if self.pos < len(self.tokens):
            raise PatternError(f"unexpected {self.tokens[self.pos]!r} in {self.text!r}")
        if not required:
            raise PatternError(f"pattern {self.text!r} needs at least one word that is not optional")
        return CompiledPattern(regex=LOOKBEHIND + regex, literal_words=self.literals, starts=starts.first)

    # -- grammar ---------------------------------------------------------------
    def _sequence(self, top: bool) -> tuple[str, bool, _First]:
        """Items up to a closing bracket or (inside brackets) a ``/``."""
        parts: list[str] = []
        required = False
        previous_gap = False
        first = _First(Starts(), nullable=True)
        while True:
            self._skip_space()
            token = self._peek()
            if token is None or token in (")", "]") or (token == "/" and not top):
                break
            if token == "/":
                raise PatternError(f"'/' must sit between two words in {self.text!r}")
            if token in ("(", "["):
                part, part_required, part_first = self._group()
                required = required or part_required
                previous_gap = False
            elif token.startswith("..."):
                if previous_gap or not parts:
                    raise PatternError(f"a gap must follow a word in {self.text!r}")
                part = self._gap()
                part_first = _First(None, nullable=True)  # after an empty optional group: any word
                previous_gap = True
            elif token.startswith("."):
                raise PatternError(f"stray {token!r} in {self.text!r} (a gap is '...')")
            else:
                part, part_first = self._word_choice(top)
                required = True
                previous_gap = False
            first = first.then(part_first)
            parts.append(part)
        if previous_gap:
            raise PatternError(f"a gap cannot end {self.text!r}")
        return "".join(parts), required, first

    def _group(self) -> tuple[str, bool, _First]:
        opener = self._next()
        closer = ")" if opener == "(" else "]"
        options: list[str] = []
        all_required = True
        firsts: list[_First] = []
        while True:
            regex, required, first = self._sequence(top=False)
            if not regex:
                raise PatternError(f"empty choice inside {opener}{closer} in {self.text!r}")
            options.append(regex)
            firsts.append(first)
            all_required = all_required and required
            token = self._next()
            if token == closer:
                break
            if token != "/":
                raise PatternError(f"missing {closer!r} in {self.text!r}")
        body = "(?:" + "|".join(options) + ")"
        optional = opener == "["
        first = _First(union_of_starts([f.first for f in firsts]), nullable=optional or any(f.nullable for f in firsts))
        return (body + "?" if optional else body), (all_required and not optional), first

    def _gap(self) -> str:
        token = self._next()
        digits = token[3:]
        size = int(digits) if digits else DEFAULT_GAP
        if not 1 <= size <= MAX_GAP:
            raise PatternError(f"gap {token!r} must be between ...1 and ...{MAX_GAP}")
        return f"(?:{WORD}+ ){{0,{size}}}"

    def _word_choice(self, top: bool) -> tuple[str, _First]:
        words = [self._next()]
        while top:
            save = self.pos
            self._skip_space()
            if self._peek() != "/":
                self.pos = save
                break
            self._next()
            self._skip_space()
            token = self._peek()
            if token is None or token in "()[]/" or token.startswith("."):
                raise PatternError(f"'/' must sit between two words in {self.text!r}")
            words.append(self._next())
        regex = "(?:" + "|".join(self._word(word) for word in words) + ") "
        return regex, _First(union_of_starts([self._starts(word) for word in words]), nullable=False)

    def _starts(self, word: str) -> Starts | None:
        """The tokens a match of pattern word ``word`` begins with."""
        head = word.split("*")[0]
        if not head:
            return None  # "*", "*cide": any word
        folded = self._fold(head, word)
        if "*" in word and " " not in folded:
            return Starts(prefixes=frozenset({folded}))
        return Starts(words=frozenset({folded.split(" ")[0]}))

    def _word(self, word: str) -> str:
        if word.strip("*") == "":
            return f"{WORD}+"
        pieces = word.split("*")
        out: list[str] = []
        for index, piece in enumerate(pieces):
            if index:
                out.append(f"{WORD}*")
            if piece:
                folded = self._fold(piece, word)
                if "*" not in word:
                    self.literals.update(folded.split(" "))
                out.append(re.escape(folded).replace("\\ ", " "))
        return "".join(out)

    def _fold(self, piece: str, word: str) -> str:
        tokens = normalise(piece).tokens
        if not tokens:
            raise PatternError(f"word {word!r} in {self.text!r} has no letters")
        if SENTENCE_BREAK in tokens:
            raise PatternError(f"word {word!r} in {self.text!r} contains sentence punctuation")
        return " ".join(tokens)

    # -- token helpers -------------------------------------------------------
    def _peek(self) -> str | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def _next(self) -> str:
        token = self._peek()
        if token is None:
            raise PatternError(f"pattern {self.text!r} ends too early")
        self.pos += 1
        return token

    def _skip_space(self) -> None:
        while self.pos < len(self.tokens) and self.tokens[self.pos].isspace():
            self.pos += 1
