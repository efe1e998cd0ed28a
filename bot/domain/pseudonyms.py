"""Pseudonyms for peer circles: "Lotus 27", "Banyan 4", "Sparrow 61".

In a circle members see each other only by pseudonym.  Recovery carries
stigma, so a pseudonym must never leak who someone is: it is drawn at random
from gentle words and a number, and this module deliberately has no way to
take a person's name, phone number or Telegram handle as input.
"""

from __future__ import annotations

import random
from collections.abc import Collection

__all__ = ["WORDS", "generate_pseudonym", "normalise_pseudonym"]

# Gentle nature and everyday words that read well across India, in one
# capitalised ASCII word each (the tests hold them to ^[A-Z][a-z]+$).
WORDS: tuple[str, ...] = (
    "Lotus",
    "Banyan",
    "Neem",
    "Peepal",
    "Mango",
    "Monsoon",
    "River",
    "Sparrow",
    "Koel",
    "Peacock",
    "Tulsi",
    "Jasmine",
    "Diya",
    "Kite",
    "Harbor",
    "Mogra",
    "Champa",
    "Gulmohar",
    "Ashoka",
    "Sandal",
    "Saffron",
    "Cardamom",
    "Ginger",
    "Coconut",
    "Jamun",
    "Guava",
    "Chikoo",
    "Papaya",
    "Lemon",
    "Marigold",
    "Hibiscus",
    "Bamboo",
    "Cedar",
    "Deodar",
    "Pine",
    "Meadow",
    "Valley",
    "Hill",
    "Lake",
    "Pond",
    "Brook",
    "Shore",
    "Island",
    "Dune",
    "Rain",
    "Cloud",
    "Breeze",
    "Dawn",
    "Dusk",
    "Moon",
    "Star",
    "Comet",
    "Rainbow",
    "Pearl",
    "Coral",
    "Shell",
    "Feather",
    "Pebble",
    "Lantern",
    "Rangoli",
    "Bulbul",
    "Myna",
    "Hornbill",
    "Kingfisher",
    "Heron",
    "Crane",
    "Dove",
    "Robin",
    "Swan",
    "Deer",
    "Dolphin",
    "Firefly",
    "Butterfly",
    "Squirrel",
    "Tamarind",
    "Banana",
    "Lily",
    "Orchid",
    "Sunflower",
    "Fern",
    "Bridge",
    "Boat",
    "Anchor",
    "Compass",
    "Garden",
    "Orchard",
    "Spring",
    "Ember",
)

_FIRST_RANGE = 99
# Random draws per number range before widening it.  With 80+ words a range
# of 1–99 already gives ~8,000 names, so widening only happens in very large
# communities; it guarantees an end instead of looping on a full range.
_ATTEMPTS_PER_RANGE = 50
_WIDEN_FACTOR = 10


def normalise_pseudonym(name: str) -> str:
    """The form used to compare pseudonyms: case- and spacing-insensitive."""
    return " ".join(name.split()).casefold()


def generate_pseudonym(rng: random.Random, taken: Collection[str]) -> str:
    """A fresh pseudonym, unique (case-insensitively) against ``taken``.

    ``rng`` is passed in so tests are reproducible and production can use
    ``random.SystemRandom()`` to make pseudonyms unguessable from join order.
    Numbers start in 1–99; after many collisions the range widens (1–999,
    1–9999, ...) rather than looping forever.
    """
    used = {normalise_pseudonym(name) for name in taken}
    highest = _FIRST_RANGE
    while True:
        for _ in range(_ATTEMPTS_PER_RANGE):
            candidate = f"{rng.choice(WORDS)} {rng.randint(1, highest)}"
            if normalise_pseudonym(candidate) not in used:
                return candidate
        highest *= _WIDEN_FACTOR
