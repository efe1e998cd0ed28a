"""Text normalisation for risk matching.

Members type on cheap phones, in three languages and two scripts, with
stretched letters ("sooo"), digits for letters ("k1ll"), invisible
characters pasted from other apps and inconsistent Devanagari spelling
(हूँ / हूं / हु). Rules are written once, in ordinary spelling; both the
rule patterns and the member's message go through :func:`normalise`, so
every variant folds to the same form and a rule never has to list them.

The output is a list of word tokens. Sentence ends (. ! ? ; । and line
breaks) become a ``"\\n"`` token so that a phrase or a negation never
reaches across sentences. Each token remembers the slice of the original
text it came from, so a counsellor is shown the words the member typed,
not our folded form.

Folding, in order:

* first :func:`bot.domain.textnorm.filter_text`, the normalisation every text
  filter shares (NFKC, zero-width and control characters removed), so the
  contact filter, the abuse lists and the risk rules read the same text;
* Unicode NFC, then per character NFKD + casefold (ﬁ → fi, Ｋ → k, é → e);
* zero-width and other format characters (ZWJ, ZWNJ, soft hyphen, BOM,
  bidi marks) and Latin combining accents are dropped;
* a few Cyrillic look-alikes map to Latin (а → a);
* digits and symbols used as letters inside a Latin word: 0→o 1→i 3→e
  4→a 5→s 7→t @→a $→s !→i |→l ("k1ll", "su1cide", "m@rna", "k!ll"),
  only for a single digit in a word that also has letters, so "10mg" and
  "2 pegs" stay as they are; a "2" between letters is the word "to"
  ("want2die" → "want 2 die");
* Devanagari: nukta dropped (ज़ → ज), chandrabindu, anusvara and visarga
  dropped (हूँ / हूं → हु, दुःख → दुख), long ī/ū folded to short (ी → ि,
  ू → ु, ई → इ, ऊ → उ), candra vowels folded (ॉ → ो, ॅ → े, ॲ → अे);
  Devanagari digits become ASCII digits;
* apostrophes vanish ("don't" → "dont"); other punctuation, symbols and
  emoji separate words; a dot ends a sentence only when it is not inside a
  word ("kill.myself" is two words in one sentence) and not an ellipsis;
* three or more single letters in a row are one spelled-out word
  ("s u i c i d e", "d-i-e");
* any run of the same letter collapses to one ("sooo" → "so",
  "kill" → "kil", "jeena" → "jena"); digits are never collapsed;
* common spellings of frequent romanised Hindi/Marathi words fold to one
  form ("nhi"/"nahin" → "nahi", "kr" → "kar", "khtm" → "khatam",
  "jindagi" → "zindagi", "bohot" → "bahut"), see ``_ROMAN_VARIANTS``.
  Only whole words are mapped, and only words that are not also English.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from dataclasses import dataclass

from ..textnorm import filter_text  # bot/domain/textnorm.py, standard library only

SENTENCE_BREAK = "\n"

_APOSTROPHES = frozenset("'’‘ʼ`´′")
_HARD_BREAKS = frozenset("?;।॥\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029")

# Devanagari spelling variation that members do not distinguish reliably.
_DEVANAGARI_FOLD: dict[str, str] = {
    "\u093c": "",  # nukta
    "\u0900": "",  # inverted candrabindu
    "\u0901": "",  # candrabindu
    "\u0902": "",  # anusvara
    "\u0903": "",  # visarga
    "\u0940": "\u093f",  # ी → ि
    "\u0942": "\u0941",  # ू → ु
    "\u0908": "\u0907",  # ई → इ
    "\u090a": "\u0909",  # ऊ → उ
    "\u0949": "\u094b",  # ॉ → ो
    "\u0945": "\u0947",  # ॅ → े
    "\u0911": "\u0913",  # ऑ → ओ
    "\u090d": "\u090f",  # ऍ → ए
    "\u0970": " ",  # abbreviation sign
    "\u0972": "\u0905\u0947",  # ॲ (Marathi candra A) → अ + े, as typed "अ‍ॅ"
}

# Cyrillic letters that look Latin; cheap insurance against pasted text.
_CONFUSABLES: dict[str, str] = {
    "а": "a",
    "е": "e",
    "о": "o",
    "р": "p",
    "с": "c",
    "у": "y",
    "х": "x",
    "і": "i",
    "ј": "j",
    "ѕ": "s",
    "к": "k",
    "м": "m",
    "т": "t",
    "ο": "o",
}

# Romanised Hindi/Marathi spellings members use interchangeably, keyed by
# the already-collapsed form ("nahii" has become "nahi" before lookup).
# Whole words only; never an English word ("me", "he", "man", "main").
_ROMAN_VARIANTS: dict[str, str] = {
    # no / not
    "nhi": "nahi",
    "nahin": "nahi",
    "nai": "nahi",
    "nahe": "nahi",
    "nhin": "nahi",
    "nahii": "nahi",
    # am / is
    "hon": "hu",
    "hun": "hu",
    "hn": "hu",
    "hoo": "hu",
    # do / did / doing
    "kr": "kar",
    "krna": "karna",
    "krne": "karne",
    "kro": "karo",
    "krta": "karta",
    "krti": "karti",
    "krte": "karte",
    "krke": "karke",
    "krunga": "karunga",
    "krungi": "karungi",
    "krdo": "kardo",
    "krdu": "kardu",
    "krdunga": "kardunga",
    "krlo": "karlo",
    "krli": "karli",
    "krlia": "karliya",
    "kia": "kiya",
    "lia": "liya",
    "dia": "diya",
    "pia": "piya",
    # -ing
    "rha": "raha",
    "rhi": "rahi",
    "rhe": "rahe",
    "gya": "gaya",
    "gyi": "gayi",
    # want
    "chata": "chahta",
    "chahata": "chahta",
    "chati": "chahti",
    "chahati": "chahti",
    "chate": "chahte",
    "chahiy": "chahiye",
    "chaiye": "chahiye",
    "chahie": "chahiye",
    "chahye": "chahiye",
    # good, life, much, finished, very
    "achha": "acha",
    "achcha": "acha",
    "acchha": "acha",
    "jindagi": "zindagi",
    "zindgi": "zindagi",
    "jindgi": "zindagi",
    "zndgi": "zindagi",
    "jndgi": "zindagi",
    "zindage": "zindagi",
    "jindage": "zindagi",
    "jyada": "zyada",
    "zyda": "zyada",
    "jyda": "zyada",
    "jiyada": "zyada",
    "khtm": "khatam",
    "khatm": "khatam",
    "khatham": "khatam",
    "bohot": "bahut",
    "bahot": "bahut",
    "bhot": "bahut",
    "bht": "bahut",
    "bohat": "bahut",
    # me, sometimes, feels, know, alcohol, to die, to live
    "muje": "mujhe",
    "mjhe": "mujhe",
    "mujhay": "mujhe",
    "kbhi": "kabhi",
    "lgta": "lagta",
    "lgti": "lagti",
    "lgt": "lagta",
    "pta": "pata",
    "daro": "daru",
    "mrna": "marna",
    "mrne": "marne",
    "jina": "jena",
    "jine": "jene",
    "jeney": "jene",
    "jiney": "jene",
    "marana": "marna",
    "marney": "marne",
    "mrney": "marne",
    "peney": "pene",
    "piney": "pene",
    "karney": "karne",
    "krney": "karne",
}

_DIGIT_LEET: dict[str, str] = {"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t"}
_INNER_LEET: dict[str, str] = {"@": "a", "$": "s", "!": "i", "|": "l"}
_LEET_TOKEN = re.compile(r"[A-Za-z0-9@$!|]+")

# Combining marks that only carry accents (Latin and generic ranges, variation
# selectors). Devanagari vowel signs are marks too, so they must not be here.
_DROPPED_MARK_RANGES: tuple[tuple[int, int], ...] = (
    (0x0300, 0x036F),
    (0x1AB0, 0x1AFF),
    (0x1DC0, 0x1DFF),
    (0x20D0, 0x20FF),
    (0xFE00, 0xFE0F),
    (0xFE20, 0xFE2F),
    (0xE0100, 0xE01EF),
)


@dataclass(frozen=True)
class Normalised:
    """A message folded for matching, with a way back to the original.

    ``text`` is the token list joined by single spaces with a space at each
    end (``" i want \\n bye "``), which lets compiled patterns use a space as
    the word boundary in every script.
    """

    source: str
    tokens: tuple[str, ...]
    spans: tuple[tuple[int, int], ...]
    text: str
    starts: tuple[int, ...]

    def token_index(self, offset: int) -> int:
        """Index of the token that contains ``offset`` in :attr:`text`."""
        return max(0, bisect_right(self.starts, offset) - 1)

    def source_text(self, first: int, last: int) -> str:
        """Original text covered by tokens ``first``..``last`` inclusive."""
        start = self.spans[first][0]
        end = self.spans[last][1]
        return self.source[start:end]


def normalise(text: str) -> Normalised:
    """Fold ``text`` into match tokens; see the module docstring for the rules."""
    source = unicodedata.normalize("NFC", filter_text(text))
    leet = _leet_substitutions(source)
    tokens: list[str] = []
    spans: list[tuple[int, int]] = []
    current: list[str] = []
    current_start = current_end = 0

    def close_word() -> None:
        if current:
            word = "".join(current)
            tokens.append(_ROMAN_VARIANTS.get(word, word))
            spans.append((current_start, current_end))
            current.clear()

    folds = _FOLDS
    for index, char in enumerate(source):
        folded = leet.get(index) if leet else None
        if folded is None and char in _CONTEXTUAL:
            folded = _contextual(source, index)
        if folded is None:
            folded = folds.get(char)
            if folded is None:
                if len(folds) >= _FOLDS_LIMIT:
                    folds.clear()
                folded = folds[char] = _fold_char(char)
        if not folded and current:
            current_end = index + 1  # a dropped sign (ँ, ZWJ) still belongs to the word
        for out in folded:
            if out == " ":
                close_word()
            elif out == SENTENCE_BREAK:
                close_word()
                if tokens and tokens[-1] != SENTENCE_BREAK:
                    tokens.append(SENTENCE_BREAK)
                    spans.append((index, index + 1))
            elif current and current[-1] == out and not out.isdigit():
                current_end = index + 1  # collapse "sooo" but keep the span
            else:
                if not current:
                    current_start = index
                current.append(out)
                current_end = index + 1
    close_word()
    if tokens and tokens[-1] == SENTENCE_BREAK:
        tokens.pop()
        spans.pop()
    _join_spelled_out(tokens, spans)
    return _assemble(source, tokens, spans)


def without_sentence_breaks(norm: Normalised) -> Normalised:
    """The same message with its sentence breaks removed.

    The engine retries a rule on this form when the rule found nothing in
    the normal form, so punctuation typed between words ("kill. myself.",
    "I. Want. To. Die.") cannot split a dangerous phrase.
    """
    keep = [i for i, token in enumerate(norm.tokens) if token != SENTENCE_BREAK]
    if len(keep) == len(norm.tokens):
        return norm
    return _assemble(norm.source, [norm.tokens[i] for i in keep], [norm.spans[i] for i in keep])


def _join_spelled_out(tokens: list[str], spans: list[tuple[int, int]]) -> None:
    """Merge a run of three or more single Latin letters into one word.

    "s u i c i d e" and "d-i-e" become "suicide" and "die" (doubled letters
    collapsed as everywhere else). Real text almost never has three
    one-letter words in a row, so nothing ordinary is joined.
    """
    index = 0
    while index < len(tokens):
        end = index
        while end < len(tokens) and len(tokens[end]) == 1 and "a" <= tokens[end] <= "z":
            end += 1
        if end - index >= 3:
            letters: list[str] = []
            for letter in tokens[index:end]:
                if not letters or letters[-1] != letter:
                    letters.append(letter)
            word = "".join(letters)
            tokens[index:end] = [_ROMAN_VARIANTS.get(word, word)]
            spans[index:end] = [(spans[index][0], spans[end - 1][1])]
        index += 1


def normalise_text(text: str) -> str:
    """The folded form as one line; handy for rule authors and tests."""
    return " ".join(normalise(text).tokens).replace(" \n ", " | ")


def _assemble(source: str, tokens: list[str], spans: list[tuple[int, int]]) -> Normalised:
    starts: list[int] = []
    offset = 1
    for token in tokens:
        starts.append(offset)
        offset += len(token) + 1
    text = " " + " ".join(tokens) + " " if tokens else " "
    return Normalised(source, tuple(tokens), tuple(spans), text, tuple(starts))


def _leet_substitutions(source: str) -> dict[int, str]:
    """Positions in ``source`` where a digit or symbol stands for a letter."""
    subs: dict[int, str] = {}
    for match in _LEET_TOKEN.finditer(source):
        word = match.group()
        if word.isalpha() or not any(ch.isascii() and ch.isalpha() for ch in word):
            continue  # letters only: nothing stands for a letter
        base = match.start()
        for offset, char in enumerate(word):
            replacement = _leet_char(word, offset, char)
            if replacement is not None:
                subs[base + offset] = replacement
    return subs


def _leet_char(word: str, offset: int, char: str) -> str | None:
    prev_char = word[offset - 1] if offset > 0 else ""
    next_char = word[offset + 1] if offset + 1 < len(word) else ""
    if char in _DIGIT_LEET:
        if prev_char.isdigit() or next_char.isdigit():
            return None  # "10mg", "2020": a real number
        return _DIGIT_LEET[char]
    if char == "2" and prev_char.isalpha() and next_char.isalpha():
        return " 2 "  # "want2die": the digit stands for the word "to"
    if char in _INNER_LEET:
        inner = prev_char.isalnum() and next_char.isalnum()
        leading_dollar = char == "$" and not prev_char and next_char.isalpha()
        return _INNER_LEET[char] if inner or leading_dollar else None
    return None


def _contextual(source: str, index: int) -> str | None:
    """Punctuation whose meaning depends on its neighbours."""
    char = source[index]
    prev_char = source[index - 1] if index > 0 else ""
    next_char = source[index + 1] if index + 1 < len(source) else ""
    if char == ".":
        # One dot ends a sentence; an ellipsis ("want to... die") does not,
        # nor a dot inside a word ("kill.myself", "d.i.e", "2.5").
        if "." in (prev_char, next_char) or (prev_char.isalnum() and next_char.isalnum()):
            return " "
        return SENTENCE_BREAK
    if char == "!":
        return SENTENCE_BREAK
    if char == ":" and _is_devanagari(prev_char) and _is_devanagari(next_char):
        return ""  # a colon typed for visarga: स्वत:ला
    return None


def _is_devanagari(char: str) -> bool:
    return bool(char) and "\u0900" <= char <= "\u097f"


_CONTEXTUAL = frozenset(".!:")  # the characters _contextual reads
_FOLDS: dict[str, str] = {}  # _fold_char's answers (messages reuse a small alphabet)
_FOLDS_LIMIT = 8192


def _fold_char(char: str) -> str:
    """Fold one character; cached because messages reuse a small alphabet."""
    if char in _APOSTROPHES:
        return ""
    if char in _HARD_BREAKS:
        return SENTENCE_BREAK
    if char in _DEVANAGARI_FOLD:
        return _DEVANAGARI_FOLD[char]
    parts: list[str] = []
    for piece in unicodedata.normalize("NFKD", unicodedata.normalize("NFKD", char).casefold()):
        parts.append(_fold_piece(piece))
    return "".join(parts)


def _fold_piece(piece: str) -> str:
    if piece in _DEVANAGARI_FOLD:
        return _DEVANAGARI_FOLD[piece]
    category = unicodedata.category(piece)
    if category == "Cf" or _is_dropped_mark(piece):
        return ""
    if category == "Nd":
        return str(unicodedata.digit(piece))
    if category[0] in "LM":
        return _CONFUSABLES.get(piece, piece)
    return " "


def _is_dropped_mark(char: str) -> bool:
    code = ord(char)
    return any(low <= code <= high for low, high in _DROPPED_MARK_RANGES)
