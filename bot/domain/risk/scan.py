"""Finding a rule's matches in a long message without trying the rule at every word.

A rule regex (" (?:pattern|pattern…)") is tried by ``re`` at every space of the text, and each
try walks all of its patterns' alternatives: about a quarter of a millisecond per rule on a
4,096-character message, and the engine asks some sixty rules twice. Most patterns can only begin
with a few words (patterns.Starts: "want/wish to die" begins with "want" or "wish"), so
:class:`Scanner` lists where those words stand and tries the regex only there (``re.match`` at
each such space, in order): the first that matches is exactly what ``regex.search`` would have
found, because no match can begin anywhere else. A pattern that can begin with any word (a raw
``re:`` regex, ``*cide``) makes its rule searched the ordinary way. Standard library only.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterator
from itertools import chain
from re import Match, Pattern

from .normalise import Normalised
from .patterns import Starts


class Scanner:
    """One normalised message, with the offsets of each of its words (built once per message)."""

    def __init__(self, norm: Normalised) -> None:
        self.text = norm.text
        self._at: dict[str, list[int]] = {}  # token → offsets of the space before each occurrence
        for token, start in zip(norm.tokens, norm.starts, strict=True):
            self._at.setdefault(token, []).append(start - 1)
        self._words = frozenset(self._at)
        self._sorted = sorted(self._at)
        self._candidates: dict[Starts, list[int]] = {}

    def candidates(self, starts: Starts) -> list[int]:
        """Offsets (in order) of the spaces before every word a match described by ``starts`` can begin with."""
        found = self._candidates.get(starts)
        if found is None:
            lists = [self._at[word] for word in self._words & starts.words]
            for prefix in starts.prefixes:
                index = bisect_left(self._sorted, prefix)
                while index < len(self._sorted) and self._sorted[index].startswith(prefix):
                    lists.append(self._at[self._sorted[index]])
                    index += 1
            found = self._candidates[starts] = sorted(set(chain.from_iterable(lists)))
        return found

    def search(self, regex: Pattern[str], starts: Starts | None, pos: int = 0) -> Match[str] | None:
        """``regex.search(self.text, pos)``, trying only where a match can begin."""
        if starts is None:
            return regex.search(self.text, pos)
        offsets = self.candidates(starts)
        for offset in offsets[bisect_left(offsets, pos) :]:
            match = regex.match(self.text, offset)
            if match is not None:
                return match
        return None

    def matches(self, regex: Pattern[str], starts: Starts | None = None) -> Iterator[tuple[Match[str], int, int]]:
        """Matches of a rule regex with their word span (spaces trimmed).

        Rule regexes start by consuming the space before a word and end after
        the space following their last word, so each search restarts on that
        trailing space: back-to-back occurrences are all found.
        """
        text = self.text
        pos = 0
        while True:
            match = self.search(regex, starts, pos)
            if match is None:
                return
            start, end = match.start(), match.end()
            pos = end - 1 if end > start + 1 and text[end - 1] == " " else max(end, start + 1)
            while start < end and text[start] in " \n":
                start += 1
            while end > start and text[end - 1] in " \n":
                end -= 1
            if end > start:
                yield match, start, end
