"""Coping strategies, and which one to suggest after a check-in or in a craving.

The catalogue is data: each :class:`Strategy` has an ``id`` that is also the
stem of its Fluent messages (``coping-<id>-title`` / ``coping-<id>-body`` in
``bot/i18n/locales/*/coping.ftl``) and a set of tags saying when it helps.
Choosing is a small, transparent scoring over those tags, so counsellors can
read why something was suggested and tests can pin it down.  It is
deterministic: ``rotation`` (e.g. the day number) varies the pick among
equally good strategies so members don't see the same card every day.

After a lapse only strategies tagged ``used`` are offered: reaching out,
looking after the body and planning the next day, never anything that could
read as "you knew better".
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from types import MappingProxyType

__all__ = [
    "CATALOGUE",
    "HIGH_CRAVING",
    "LOW_MOOD",
    "STRATEGIES",
    "TRIGGERS",
    "Strategy",
    "choose_coping",
    "should_suggest_counsellor",
    "toolkit",
]

TRIGGERS: tuple[str, ...] = (
    "stress",
    "people",
    "places",
    "boredom",
    "loneliness",
    "anger",
    "celebration",
    "pain",  # pain or withdrawal
    "money",
    "family",  # family conflict
    "other",
)

HIGH_CRAVING = 7  # craving 7–10 of 10: an urge happening now
LOW_CRAVING_MAX = 3  # craving 0–3 of 10
LOW_MOOD = 2  # mood 1–2 of 5

# Tags beyond the triggers.
CRAVING_HIGH = "craving_high"
CRAVING_LOW = "craving_low"
MOOD_LOW = "mood_low"
MOOD_OK = "mood_ok"
USED = "used"  # suitable, and kind, right after a lapse
URGE = "urge"  # works on an urge within minutes (breathing, riding it out)
NOT_AFTER_USE = "not_after_use"  # fine before, but reads as blame after a lapse

# How much each kind of fit counts.  Triggers are what the member told us
# about today, so they weigh more than mood; a strong craving outweighs both.
_WEIGHT_CRAVING_HIGH = 3
_WEIGHT_CRAVING_MID = 1
_WEIGHT_CRAVING_LOW = 1
_WEIGHT_MOOD_LOW = 2
_WEIGHT_MOOD_OK = 1
_WEIGHT_TRIGGER = 2


@dataclass(frozen=True)
class Strategy:
    """One thing a person can do right now; its words live in coping.ftl."""

    id: str
    tags: frozenset[str]

    @property
    def title_key(self) -> str:
        return f"coping-{self.id}-title"

    @property
    def body_key(self) -> str:
        return f"coping-{self.id}-body"


def _s(id: str, *tags: str) -> Strategy:
    return Strategy(id, frozenset(tags))


# Order matters only as the stable tie-break before rotation.
STRATEGIES: tuple[Strategy, ...] = (
    _s("urge_surfing", URGE, CRAVING_HIGH, "stress"),
    _s("delay_distract_decide", URGE, CRAVING_HIGH, "people"),
    _s("box_breathing", URGE, CRAVING_HIGH, MOOD_LOW, "stress", "anger"),
    _s("halt", CRAVING_LOW, MOOD_LOW, "other"),
    _s("grounding_54321", CRAVING_HIGH, MOOD_LOW),
    _s("call_sponsor", CRAVING_HIGH, MOOD_LOW, USED, "loneliness", "people", "celebration"),
    _s("play_the_tape_forward", CRAVING_HIGH, NOT_AFTER_USE, "celebration"),
    _s("walk_outside", CRAVING_LOW, MOOD_OK, "boredom", "places"),
    _s("water_and_food", CRAVING_LOW, MOOD_OK, USED, "pain"),
    _s("journal", CRAVING_LOW, MOOD_OK, USED, "family", "other"),
    _s("gratitude_three", CRAVING_LOW, MOOD_OK),
    _s("call_counsellor", CRAVING_HIGH, MOOD_LOW, USED, "pain", "family"),
    _s("attend_meeting", CRAVING_LOW, MOOD_OK, USED, "loneliness"),
    _s("change_place", CRAVING_HIGH, "places", "people", "celebration"),
    _s("cold_water", CRAVING_HIGH, "anger"),
    _s("music", CRAVING_LOW, MOOD_LOW, MOOD_OK, "boredom"),
    _s("prayer_or_meditation", CRAVING_LOW, MOOD_OK, "stress", "other"),
    _s("plan_tomorrow", CRAVING_LOW, MOOD_OK, USED, "money"),
    _s("rest_and_sleep", CRAVING_LOW, MOOD_LOW, USED, "pain"),
    _s("reach_out_friend", MOOD_LOW, USED, "loneliness"),
    _s("hand_over_cash", CRAVING_HIGH, "money"),
    _s("step_away", CRAVING_LOW, "anger", "family"),
    _s("busy_hands", CRAVING_LOW, MOOD_OK, "boredom"),
)

CATALOGUE: Mapping[str, Strategy] = MappingProxyType({s.id: s for s in STRATEGIES})


def _weights(*, mood: int | None, craving: int | None, triggers: Collection[str]) -> dict[str, int]:
    """Tag → how much a strategy carrying it fits these answers."""
    weights: dict[str, int] = {}
    if craving is not None:
        if craving >= HIGH_CRAVING:
            weights[CRAVING_HIGH] = _WEIGHT_CRAVING_HIGH
        elif craving <= LOW_CRAVING_MAX:
            weights[CRAVING_LOW] = _WEIGHT_CRAVING_LOW
        else:
            weights[CRAVING_HIGH] = _WEIGHT_CRAVING_MID
    if mood is not None:
        if mood <= LOW_MOOD:
            weights[MOOD_LOW] = _WEIGHT_MOOD_LOW
        else:
            weights[MOOD_OK] = _WEIGHT_MOOD_OK
    for trigger in triggers:
        if trigger in TRIGGERS:
            weights[trigger] = _WEIGHT_TRIGGER
    return weights


def _score(strategy: Strategy, weights: Mapping[str, int]) -> int:
    return sum(weights.get(tag, 0) for tag in strategy.tags)


def _ranked(candidates: Collection[Strategy], weights: Mapping[str, int], rotation: int) -> list[Strategy]:
    """Best first; within each score band, catalogue order rotated by ``rotation``."""
    bands: dict[int, list[Strategy]] = {}
    for strategy in candidates:
        bands.setdefault(_score(strategy, weights), []).append(strategy)
    ranked: list[Strategy] = []
    for score in sorted(bands, reverse=True):
        band = bands[score]
        shift = rotation % len(band)
        ranked.extend(band[shift:] + band[:shift])
    return ranked


def _candidates(used: str | None) -> list[Strategy]:
    if used == "yes":
        return [s for s in STRATEGIES if USED in s.tags]
    if used == "undisclosed":
        # They may have used; stay on the safe side of kindness.
        return [s for s in STRATEGIES if NOT_AFTER_USE not in s.tags]
    return list(STRATEGIES)


def choose_coping(
    *,
    mood: int | None,
    craving: int | None,
    triggers: Collection[str],
    used: str | None,
    rotation: int = 0,
) -> Strategy:
    """The strategy that best fits today's check-in answers.

    Each strategy scores the weights of the tags it shares with the answers
    (strong craving → urge tools, low mood → connection and grounding, each
    trigger → strategies made for it); ``used == "yes"`` limits the choice to
    kind after-lapse strategies.  Unknown trigger ids are ignored.
    """
    weights = _weights(mood=mood, craving=craving, triggers=triggers)
    return _ranked(_candidates(used), weights, rotation)[0]


def toolkit(
    *,
    craving: int | None = None,
    trigger: str | None = None,
    count: int = 3,
    rotation: int = 0,
) -> list[Strategy]:
    """A few strategies for a craving happening right now.

    The first is always a breathing or urge-riding tool (tag ``urge``),
    because that is what works within minutes; the rest are the best fits
    for the craving level and trigger.  No duplicates; ``count`` is capped by
    the catalogue size.
    """
    if count < 1:
        raise ValueError(f"count must be at least 1, got {count}")
    weights = _weights(mood=None, craving=craving, triggers=(trigger,) if trigger else ())
    ranked = _ranked(STRATEGIES, weights, rotation)
    first = next(s for s in ranked if URGE in s.tags)
    rest = [s for s in ranked if s is not first]
    return [first, *rest[: count - 1]]


def should_suggest_counsellor(*, triggers: Collection[str], used: str | None) -> bool:
    """Whether to add "your counsellor can help with this" to the suggestion.

    Pain or withdrawal may need medical care, and a lapse is worth talking
    through with someone trained: in both cases the strategy card alone is
    not enough, whatever it is.
    """
    return used == "yes" or "pain" in triggers
