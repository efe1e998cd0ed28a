"""Load and validate the clinician-edited rule files.

One TOML file per language lives in ``rules/`` next to this module
(``en.toml``, ``hi.toml``, ``mr.toml``) plus ``checkin.toml`` for the
check-in thresholds. TOML was chosen because it allows comments, needs no
quoting gymnastics for Devanagari and is read by the standard library.

Validation is strict and the error names the file and rule: a typo in a
rule must fail the test suite and the deploy, never silently switch a rule
off.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from .models import RiskLevel
from .normalise import normalise
from .patterns import PatternError, Starts, compile_pattern, union_of_starts

LANGUAGES: tuple[str, ...] = ("en", "hi", "mr")

URGENT_CATEGORIES = frozenset({"suicide", "self_harm", "overdose", "harm_others", "goodbye", "medical"})
CATEGORIES = URGENT_CATEGORIES | frozenset(
    {"use", "craving", "help", "hopeless", "abuse", "withdrawal", "distress", "trigger", "override"}
)
# ``model = "ignore"``: where the rule matches, the trained model is not asked (see engine.assess)
MODEL_SETTINGS = ("", "ignore")

_ID_SHAPE = re.compile(r"^(?P<lang>[A-Z]{2})-[A-Z]{2,6}-\d{3}$")
_RULE_KEYS = frozenset(
    {
        "id",
        "category",
        "level",
        "description",
        "patterns",
        "unless",
        "followup",
        "if_negated",
        "examples",
        "not_examples",
        "model",
    }
)


class RuleFileError(ValueError):
    """A rule file that cannot be used; the message names file and rule."""


@dataclass(frozen=True)
class Negation:
    """How one language marks negation, used to soften but never hide a rule.

    ``before`` cues are looked for in the ``before_window`` words preceding a
    match ("not going to kill myself"), ``after`` cues in the words following
    it (Hindi and Marathi put the negation after the verb: "मरायचं नाही"),
    ``adjacent`` cues only in the word right before the match ("no craving",
    "quit drinking", but not "no energy, no hope"), and single-word cues
    also inside a match's ``...`` gap. A ``breaker``
    word ends the search (a new clause began), and ``not_negation`` phrases
    look like negation but are not ("pata nahi", "nahi to" = otherwise).
    """

    before: tuple[tuple[str, ...], ...] = ()
    after: tuple[tuple[str, ...], ...] = ()
    adjacent: tuple[tuple[str, ...], ...] = ()
    before_window: int = 2
    after_window: int = 0
    breakers: frozenset[str] = frozenset()
    not_negation: tuple[tuple[str, ...], ...] = ()

    @property
    def single_word_cues(self) -> frozenset[str]:
        return frozenset(cue[0] for cue in (*self.before, *self.after, *self.adjacent) if len(cue) == 1)


CONTEXT_KINDS = ("past", "teaching", "recovered", "present", "self")
SELF_WINDOW = 5  # words before a match looked at for a ``self`` cue


@dataclass(frozen=True)
class Context:
    """Cues that say a rule's words are not about the member, here and now (``[context]`` in a rule file).

    Each cue is a pattern in the rules' own pattern language. ``past``: a strong past-time marker
    ("years ago", "pichhle saal", "varshapurvi", "used to"; never a bare "ago" or "pehle");
    ``teaching``: the words are a topic (a session, training, poster, "how to help someone who");
    ``recovered``: the past is set against a well present ("today I'm grateful", "ab theek hu");
    ``present``: danger now or again ("tonight", "aaj raat", "again", "still", "finish it"), which
    cancels the three others anywhere in the message; ``self``: a first-person word ("i", "maine",
    "mi") in the SELF_WINDOW words before a match, which keeps a teaching frame from cancelling it
    ("in the session I admitted I relapsed"). How the engine uses them: engine.py and
    docs/clinical-rules.md ("Past, teaching and recovery cues").
    """

    past: re.Pattern[str] | None = None
    teaching: re.Pattern[str] | None = None
    recovered: re.Pattern[str] | None = None
    present: re.Pattern[str] | None = None
    self_words: frozenset[str] = frozenset()
    starts: dict[str, Starts | None] = field(default_factory=dict)  # per cue kind, see patterns.Starts


@dataclass(frozen=True)
class Rule:
    """One clinician rule, compiled."""

    id: str
    language: str
    category: str
    level: RiskLevel
    description: str
    patterns: tuple[str, ...]
    unless: tuple[str, ...]
    followup: bool
    if_negated: RiskLevel
    examples: tuple[str, ...]
    not_examples: tuple[str, ...]
    regex: re.Pattern[str]
    unless_regex: re.Pattern[str] | None
    literal_words: frozenset[str]
    negation: Negation
    pattern_literals: tuple[frozenset[str], ...] = ()
    model: str = ""
    starts: Starts | None = None  # the words a match can begin with (None: any); see scan.py
    unless_starts: Starts | None = None

    @property
    def silences_model(self) -> bool:
        """An override: the model is not asked about the sentence this rule matches."""
        return self.model == "ignore"

    def literals_for(self, match: re.Match[str]) -> frozenset[str]:
        """Literal words of the pattern that produced ``match``.

        Each pattern is compiled as its own named group (``_p0``, ``_p1``…),
        so a word that one pattern asks for ("dont want to live") does not
        stop the same word counting as negation inside another pattern's gap.
        """
        name = match.lastgroup
        if name and name.startswith("_p") and name[2:].isdigit():
            index = int(name[2:])
            if index < len(self.pattern_literals):
                return self.pattern_literals[index]
        return self.literal_words


@dataclass(frozen=True)
class CheckinPolicy:
    """Thresholds for check-in answers and history (rules/checkin.toml)."""

    used_yes_level: RiskLevel = RiskLevel.CONCERN
    used_undisclosed_level: RiskLevel = RiskLevel.WATCH
    craving_concern_at: int = 8
    streak_days: int = 3
    streak_craving_at_least: int = 7
    streak_mood_at_most: int = 1
    streak_level: RiskLevel = RiskLevel.CONCERN
    trend_window_days: int = 7
    trend_min_points: int = 3
    trend_mood_slope: float = -0.3
    trend_craving_slope: float = 0.5
    trend_level: RiskLevel = RiskLevel.WATCH
    missed_days: int = 2
    missed_level: RiskLevel = RiskLevel.WATCH
    history_days: int = 14


@dataclass(frozen=True)
class RuleSet:
    """Everything the engine needs: text rules and check-in thresholds."""

    rules: tuple[Rule, ...]
    languages: tuple[str, ...]
    checkin: CheckinPolicy
    context: Context = Context()

    def by_id(self, rule_id: str) -> Rule:
        for rule in self.rules:
            if rule.id == rule_id:
                return rule
        raise KeyError(rule_id)


def load_rules(language: str | None = None) -> RuleSet:
    """Packaged rules for one language, or all of them (the default).

    Members mix languages in one message, so the engine applies every
    language's rules to every message; ``language`` exists for tooling and
    tests. Parsed once per process.
    """
    if language is not None and language not in LANGUAGES:
        raise ValueError(f"unknown language {language!r} (expected one of {LANGUAGES})")
    return _load_packaged((language,) if language else LANGUAGES)


@cache
def _load_packaged(languages: tuple[str, ...]) -> RuleSet:
    folder = resources.files(__package__).joinpath("rules")
    rules: list[Rule] = []
    cues: dict[str, list[str]] = {kind: [] for kind in CONTEXT_KINDS}
    for language in languages:
        text = folder.joinpath(f"{language}.toml").read_text(encoding="utf-8")
        rules.extend(parse_rules(text, language=language, source=f"{language}.toml"))
        for kind, patterns in parse_context_cues(text, source=f"{language}.toml").items():
            cues[kind].extend(patterns)
    policy = parse_checkin_policy(folder.joinpath("checkin.toml").read_text(encoding="utf-8"))
    _check_unique_ids(rules)
    # Members mix languages in one sentence: every file's cues apply to every message, like its rules.
    return RuleSet(
        rules=tuple(rules), languages=languages, checkin=policy, context=compile_context(cues, source="rules/*.toml")
    )


def parse_context_cues(text: str, *, source: str = "<rules>") -> dict[str, tuple[str, ...]]:
    """The ``[context]`` cue patterns of one rule file (checked: unknown keys and bad patterns refused)."""
    raw = tomllib.loads(text).get("context", {})
    if not isinstance(raw, dict):
        raise RuleFileError(f"{source}: [context] must be a table")
    unknown = set(raw) - set(CONTEXT_KINDS)
    if unknown:
        raise RuleFileError(f"{source}: unknown context cue list(s) {sorted(unknown)}; known: {list(CONTEXT_KINDS)}")
    cues = {kind: _string_list(raw, kind, f"{source}: [context]") for kind in CONTEXT_KINDS}
    compile_context(cues, source=source)
    return cues


def compile_context(cues: dict[str, Any], *, source: str) -> Context:
    compiled: dict[str, re.Pattern[str] | None] = {}
    starts: dict[str, Starts | None] = {}
    for kind in CONTEXT_KINDS[:-1]:
        patterns = tuple(cues.get(kind, ()))
        compiled[kind], _, starts[kind] = (
            _compile_all(patterns, f"{source}: [context] {kind}") if patterns else (None, (), None)
        )
    words = [tuple(t for t in normalise(str(w)).tokens if t != "\n") for w in cues.get("self", ())]
    if any(len(w) != 1 for w in words):
        raise RuleFileError(f"{source}: [context] self: one word per entry")
    return Context(**compiled, self_words=frozenset(w[0] for w in words), starts=starts)


def load_rules_file(path: str | Path) -> list[Rule]:
    """Parse a rules file from disk (for drafting a new file before packaging)."""
    file = Path(path)
    return parse_rules(file.read_text(encoding="utf-8"), language=file.stem, source=str(file))


def parse_rules(text: str, *, language: str, source: str = "<rules>") -> list[Rule]:
    """Parse and compile one language's rule file."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise RuleFileError(f"{source}: not valid TOML: {exc}") from None
    declared = data.get("language", language)
    if declared != language:
        raise RuleFileError(f"{source}: says language = {declared!r}, expected {language!r}")
    negation = _parse_negation(data.get("negation", {}), source)
    raw_rules = data.get("rule", [])
    if not isinstance(raw_rules, list) or not raw_rules:
        raise RuleFileError(f"{source}: no [[rule]] entries")
    rules = [_parse_rule(raw, language, negation, source) for raw in raw_rules]
    _check_unique_ids(rules)
    return rules


def parse_checkin_policy(text: str) -> CheckinPolicy:
    """Parse rules/checkin.toml; missing keys keep the documented defaults."""
    data = tomllib.loads(text)
    default = CheckinPolicy()
    use = data.get("use", {})
    craving = data.get("craving", {})
    streak = data.get("streak", {})
    trend = data.get("trend", {})
    missed = data.get("missed", {})
    return CheckinPolicy(
        used_yes_level=_level(use.get("yes_level"), default.used_yes_level),
        used_undisclosed_level=_level(use.get("undisclosed_level"), default.used_undisclosed_level),
        craving_concern_at=int(craving.get("concern_at", default.craving_concern_at)),
        streak_days=int(streak.get("days", default.streak_days)),
        streak_craving_at_least=int(streak.get("craving_at_least", default.streak_craving_at_least)),
        streak_mood_at_most=int(streak.get("mood_at_most", default.streak_mood_at_most)),
        streak_level=_level(streak.get("level"), default.streak_level),
        trend_window_days=int(trend.get("window_days", default.trend_window_days)),
        trend_min_points=int(trend.get("min_points", default.trend_min_points)),
        trend_mood_slope=float(trend.get("mood_slope_per_day", default.trend_mood_slope)),
        trend_craving_slope=float(trend.get("craving_slope_per_day", default.trend_craving_slope)),
        trend_level=_level(trend.get("level"), default.trend_level),
        missed_days=int(missed.get("days", default.missed_days)),
        missed_level=_level(missed.get("level"), default.missed_level),
        history_days=int(data.get("history_days", default.history_days)),
    )


def _level(value: Any, default: RiskLevel) -> RiskLevel:
    return default if value is None else RiskLevel.parse(str(value))


_NEGATION_KEYS = frozenset({"before", "after", "adjacent", "before_window", "after_window", "breakers", "not_negation"})


def _parse_negation(raw: dict[str, Any], source: str) -> Negation:
    unknown = set(raw) - _NEGATION_KEYS
    if unknown:
        raise RuleFileError(f"{source}: unknown negation setting(s) {sorted(unknown)}")

    def phrases(key: str) -> tuple[tuple[str, ...], ...]:
        values = raw.get(key, [])
        if not isinstance(values, list):
            raise RuleFileError(f"{source}: negation.{key} must be a list of words")
        folded = (tuple(t for t in normalise(str(v)).tokens if t != "\n") for v in values)
        return tuple(p for p in folded if p)

    breakers = frozenset(word for phrase in phrases("breakers") for word in phrase)
    return Negation(
        before=phrases("before"),
        after=phrases("after"),
        adjacent=phrases("adjacent"),
        before_window=int(raw.get("before_window", 2)),
        after_window=int(raw.get("after_window", 0)),
        breakers=breakers,
        not_negation=phrases("not_negation"),
    )


def _parse_rule(raw: dict[str, Any], language: str, negation: Negation, source: str) -> Rule:
    rule_id = str(raw.get("id", "")).strip()
    where = f"{source}: rule {rule_id or '<without id>'}"
    unknown = set(raw) - _RULE_KEYS
    if unknown:
        raise RuleFileError(f"{where}: unknown field(s) {sorted(unknown)}")
    shape = _ID_SHAPE.match(rule_id)
    if not shape or shape["lang"] != language.upper():
        raise RuleFileError(f"{where}: id must look like {language.upper()}-SUI-001")
    category = str(raw.get("category", "")).strip()
    if category not in CATEGORIES:
        raise RuleFileError(f"{where}: unknown category {category!r}; known: {sorted(CATEGORIES)}")
    description = str(raw.get("description", "")).strip()
    if not description:
        raise RuleFileError(f"{where}: needs a description for the counsellor")
    try:
        level = RiskLevel.parse(str(raw.get("level", "")))
        if_negated = _level(raw.get("if_negated"), _default_if_negated(level))
    except ValueError as exc:
        raise RuleFileError(f"{where}: {exc}") from None
    model = str(raw.get("model", "")).strip()
    if model not in MODEL_SETTINGS:
        raise RuleFileError(f'{where}: model = {model!r}; the only setting is model = "ignore"')
    if level == RiskLevel.NONE and model != "ignore":
        raise RuleFileError(
            f"{where}: level 'none' would never raise anything (only an override with model = \"ignore\" may have it)"
        )
    patterns = _string_list(raw, "patterns", where, required=True)
    unless = _string_list(raw, "unless", where)
    regex, per_pattern, starts = _compile_all(patterns, where)
    literals = frozenset().union(*per_pattern)
    unless_regex, _, unless_starts = _compile_all(unless, where) if unless else (None, (), None)
    return Rule(
        id=rule_id,
        language=language,
        category=category,
        level=level,
        description=description,
        patterns=patterns,
        unless=unless,
        followup=bool(raw.get("followup", False)),
        if_negated=min(if_negated, level),
        examples=_string_list(raw, "examples", where),
        not_examples=_string_list(raw, "not_examples", where),
        regex=regex,
        unless_regex=unless_regex,
        literal_words=literals,
        negation=negation,
        pattern_literals=per_pattern,
        model=model,
        starts=starts,
        unless_starts=unless_starts,
    )


def _default_if_negated(level: RiskLevel) -> RiskLevel:
    """Negation softens an urgent rule to concern (a clinician still looks)
    but cancels lower rules ("I didn't drink today" is good news)."""
    return RiskLevel.CONCERN if level == RiskLevel.URGENT else RiskLevel.NONE


def _string_list(raw: dict[str, Any], key: str, where: str, required: bool = False) -> tuple[str, ...]:
    value = raw.get(key, [])
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise RuleFileError(f"{where}: {key} must be a list of strings")
    if required and not value:
        raise RuleFileError(f"{where}: needs at least one entry in {key}")
    return tuple(value)


def _compile_all(
    patterns: tuple[str, ...], where: str
) -> tuple[re.Pattern[str], tuple[frozenset[str], ...], Starts | None]:
    """One regex for all of a rule's patterns, each in a named group, plus
    each pattern's literal words (in pattern order) and the words a match can begin with."""
    sources: list[str] = []
    literals: list[frozenset[str]] = []
    starts: list[Starts | None] = []
    for index, pattern in enumerate(patterns):
        try:
            compiled = compile_pattern(pattern)
        except PatternError as exc:
            raise RuleFileError(f"{where}: {exc}") from None
        sources.append(f"(?P<_p{index}>{compiled.word_regex})")
        literals.append(frozenset(compiled.literal_words))
        starts.append(compiled.starts)
    try:
        # A literal leading space (consumed; see engine._matches) lets the
        # regex engine skip straight to word starts.
        regex = re.compile(" (?:" + "|".join(sources) + ")")
    except re.error as exc:  # e.g. a raw pattern reusing a group name
        raise RuleFileError(f"{where}: patterns do not compile together: {exc}") from None
    return regex, tuple(literals), union_of_starts(starts)


def _check_unique_ids(rules: list[Rule]) -> None:
    seen: set[str] = set()
    for rule in rules:
        if rule.id in seen:
            raise RuleFileError(f"duplicate rule id {rule.id}")
        seen.add(rule.id)
