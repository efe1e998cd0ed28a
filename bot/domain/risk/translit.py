"""A rough Devanagari → Latin spelling, so the model reads हिंदी and Hinglish words alike.

Members write Hindi and Marathi in both scripts ("मरना चाहता हूँ", "marna chahta hu"). The model's
character n-grams only share what is spelt alike, so it learns each script apart, from half the
examples. :func:`romanise` spells an already-normalised Devanagari word the way members type it in
Latin letters (inherent "a" dropped at the end of a word and before a full syllable, doubled
letters collapsed like every Latin word): मरना → marna, करना → karna, मरायच → marayach, समझना →
samajhna. It is a feature view for the model, not a transliteration for people: it need only land
near the common romanised spelling. Standard library only.
"""

from __future__ import annotations

from functools import lru_cache

_CONSONANTS = {
    "क": "k",
    "ख": "kh",
    "ग": "g",
    "घ": "gh",
    "ङ": "n",
    "च": "ch",
    "छ": "ch",
    "ज": "j",
    "झ": "jh",
    "ञ": "n",
    "ट": "t",
    "ठ": "th",
    "ड": "d",
    "ढ": "dh",
    "ण": "n",
    "त": "t",
    "थ": "th",
    "द": "d",
    "ध": "dh",
    "न": "n",
    "प": "p",
    "फ": "ph",
    "ब": "b",
    "भ": "bh",
    "म": "m",
    "य": "y",
    "र": "r",
    "ल": "l",
    "ळ": "l",
    "व": "v",
    "श": "sh",
    "ष": "sh",
    "स": "s",
    "ह": "h",
    "ऱ": "r",
    "क़": "k",
    "ख़": "kh",
    "ग़": "g",
    "ज़": "z",
    "ड़": "d",
    "ढ़": "dh",
    "फ़": "f",
    "य़": "y",
}
_VOWELS = {
    "अ": "a",
    "आ": "a",
    "इ": "i",
    "ई": "i",
    "उ": "u",
    "ऊ": "u",
    "ए": "e",
    "ऐ": "ai",
    "ओ": "o",
    "औ": "au",
    "ऋ": "ri",
    "ऍ": "e",
    "ऑ": "o",
}
_SIGNS = {
    "ा": "a",
    "ि": "i",
    "ी": "i",
    "ु": "u",
    "ू": "u",
    "े": "e",
    "ै": "ai",
    "ो": "o",
    "ौ": "au",
    "ृ": "ri",
    "ॅ": "e",
    "ॉ": "o",
}
_VIRAMA = "्"
_INHERENT = "\0"  # a consonant's own "a", until the schwa rule decides


def is_devanagari_word(word: str) -> bool:
    return any("\u0900" <= char <= "\u097f" for char in word)


@lru_cache(maxsize=65536)
def romanise(word: str) -> str:
    """Latin spelling of a normalised Devanagari word (other characters kept as they are)."""
    units: list[list[str]] = []  # [consonant or "", vowel or _INHERENT or ""]
    for char in word:
        if char in _CONSONANTS:
            units.append([_CONSONANTS[char], _INHERENT])
        elif char in _SIGNS and units and units[-1][1] == _INHERENT:
            units[-1][1] = _SIGNS[char]
        elif char == _VIRAMA and units and units[-1][1] == _INHERENT:
            units[-1][1] = ""
        elif char in _VOWELS:
            units.append(["", _VOWELS[char]])
        elif char in _SIGNS or char == _VIRAMA:
            continue
        else:
            units.append([char, ""])
    # Schwa deletion, right to left: the inherent "a" goes at the end of the word, and between a
    # syllable with a vowel and one with a full vowel (क-र-ना → kar-na, म-र-ना → mar-na).
    count = len(units)
    for index in range(count - 1, -1, -1):
        if units[index][1] != _INHERENT:
            continue
        if (
            index == count - 1
            and index > 0
            or 0 < index < count - 1
            and units[index - 1][1] != ""
            and units[index + 1][1] not in ("", _INHERENT)
        ):
            units[index][1] = ""
        elif (
            0 < index < count - 1
            and units[index - 1][1] != ""
            and units[index + 1][1] == _INHERENT
            and index + 1 == count - 1
        ):
            units[index][1] = "a"
        else:
            units[index][1] = "a"
    text = "".join(consonant + vowel for consonant, vowel in units)
    out: list[str] = []
    for char in text:  # doubled letters collapse, as in every Latin word (normalise.py)
        if not out or out[-1] != char or char.isdigit():
            out.append(char)
    return "".join(out)
