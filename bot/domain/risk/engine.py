"""The risk engine: text rules + check-in signals → one assessment.

Pure and synchronous: no I/O beyond reading the packaged rule files once,
no clock unless the caller omits ``today``. Safe to call from a handler,
a batch job or the CLI.

Safety choices, all deliberate:

* every language's rules run on every message, because members mix
  languages mid-sentence;
* negation alone can soften an urgent rule to concern (and mark it for
  follow-up) but never hide it: "I'm not going to kill myself" still
  reaches a counsellor; only the model, reading the whole message and
  finding it far from any alert, can quiet such a softened match further
  ("I don't want to die anymore, life is good now");
* an ``unless`` idiom only cancels the match it overlaps, so "dying to see
  the match, I want to die" is still urgent;
* a rule that finds nothing is retried with sentence punctuation removed,
  so "kill. myself." is still caught;
* a strong past-time cue ("six months ago", "pichhle saal", "used to") or
  a teaching frame ("in today's session on overdose") in the sentence of a
  match turns an urgent rule into the follow-up questions and cancels a
  lower one, unless a present cue ("tonight", "again", "still") is anywhere
  in the message; see :func:`_in_context`;
* the trained model (classifier.py) reads every message too, and the final
  level is the more severe of rules and model: the model can raise a level,
  and lower a topic rule's (use, craving, help, overdose, medical…)
  alert to watch or drop its follow-up questions, when it finds the whole
  message far from any alert ("our session on relapse", "what is naloxone
  for in an overdose"); a suicide, self-harm, goodbye or harm-to-others
  rule only when the rule's own negation or past cue had already softened
  its match ("I don't want to die anymore"); never such a rule's plain
  match, an override or a message of fewer than three words (see
  :func:`_quieted`). A score
  near the urgent boundary asks the C-SSRS follow-up questions instead of
  staying silent. Only an override rule (``model = "ignore"``) takes a
  sentence out of the model's hands.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from typing import cast

from .checkin import checkin_signals
from .classifier import MIN_WORDS, RiskModel, Verdict, is_word, packaged_model
from .models import CheckinAnswers, DayRecord, Reason, RiskAssessment, RiskLevel, Signal
from .normalise import SENTENCE_BREAK, Normalised, normalise, without_sentence_breaks
from .rules import SELF_WINDOW, Context, Negation, Rule, RuleSet, load_rules
from .scan import Scanner

MAX_MATCHED_CHARS = 80
# In a teaching frame these categories' words are a topic ("overdose signs", "relapse is a process"): the
# rule is cancelled. The others (suicide, self-harm, goodbye, harm to others) get the follow-up questions.
TOPIC_CATEGORIES = frozenset(
    {"overdose", "medical", "withdrawal", "use", "craving", "help", "trigger", "hopeless", "distress", "abuse"}
)
MODEL_RULE_ID = "MODEL"
# Quieting (round 5, training-side CV in docs/clinical-rules.md): a topic rule's follow-up questions are
# not asked when the model's P(urgent) is below QUIET_ASK_BELOW, and its concern becomes watch when the
# model's P(urgent) + P(concern) is below QUIET_CONCERN_BELOW. See _quieted.
QUIET_ASK_BELOW = 0.4
QUIET_CONCERN_BELOW = 0.2
# Round 9 (training-side CV, docs/clinical-rules.md): an urgent rule on a topic (overdose, a medical
# emergency, withdrawal: the words sessions teach and members tell as news) becomes watch when the model
# gives P(urgent) below QUIET_URGENT_BELOW and P(urgent) + P(concern) below QUIET_CONCERN_BELOW. Out of
# fold this lost no urgent message and took a tenth of the alerts on ordinary messages away.
QUIET_URGENT_BELOW = 0.1
# Round 15 (training-side CV, docs/clinical-rules.md): the same two limits quiet a suicide, self-harm,
# goodbye or harm-to-others rule whose match its own negation or past cue had already softened ("I don't
# want to die anymore, life is good now"): out of fold, alerts and questions on ordinary messages 0.134 ->
# 0.120, no urgent or concern message lost. A plain match of those rules is never quieted (that lost
# "having suicidal thoughts since the fight with my wife", which the model put at 0.04).
PACKAGED = object()  # assess(model=PACKAGED): the shipped model, if the package has one


def assess(
    text: str | None = None,
    *,
    answers: CheckinAnswers | None = None,
    history: Sequence[DayRecord] = (),
    today: date | None = None,
    missed_days: int = 0,
    model: RiskModel | None | object = PACKAGED,
) -> RiskAssessment:
    """Assess free text, today's check-in answers and recent history together.

    ``model=None`` runs the rules alone (evaluation of the rules, tests);
    a :class:`RiskModel` replaces the shipped one (evaluation splits).
    """
    rules = load_rules()
    signals: list[Signal] = []
    if text:
        chosen = packaged_model() if model is PACKAGED else cast(RiskModel | None, model)
        signals.extend(text_signals(str(text), rules, chosen))
    signals.extend(checkin_signals(answers, history, today, missed_days, rules.checkin))
    return combine(signals)


def classify_text(text: str, *, model: RiskModel | None | object = PACKAGED) -> RiskAssessment:
    """Text-only assessment (evaluation, CLI, circle messages)."""
    return assess(text, model=model)


def format_classification(assessment: RiskAssessment) -> str:
    """``"urgent\\tEN-SUI-001,EN-SUI-004"``; ``"none\\t"`` when nothing fired; ``MODEL`` when the model did."""
    return f"{assessment.level.label}\t{','.join(assessment.rule_ids)}"


def explain_classification(assessment: RiskAssessment) -> str:
    """``saathi risk classify --explain``: the level, which layer fired, and why.

    ``"urgent\\trules+model\\tEN-SUI-001 (suicide): want to die | MODEL: urgent 0.97"``.
    """
    layers = {"model" if r.rule_id == MODEL_RULE_ID else "rules" for r in assessment.reasons}
    layer = "+".join(name for name in ("rules", "model") if name in layers) or "-"
    if assessment.needs_followup:
        layer += " (follow-up questions)"
    why = " | ".join(
        f"{r.rule_id}: {r.matched}" if r.rule_id == MODEL_RULE_ID else f"{r.rule_id} ({r.category}): {r.matched}"
        for r in assessment.reasons
    )
    return f"{assessment.level.label}\t{layer}\t{why or '-'}"


def classify_lines(lines: Iterable[str], *, explain: bool = False) -> Iterator[str]:
    """One classification line per input line, for ``saathi risk classify``.

    Blank lines still produce ``"none\\t"`` so output lines stay aligned
    with input lines.
    """
    show = explain_classification if explain else format_classification
    for line in lines:
        yield show(classify_text(line.rstrip("\r\n")))


def combine(signals: Iterable[Signal]) -> RiskAssessment:
    """Merge signals: level is the highest, one reason per rule id.

    Reasons are ordered by level (most serious first), then rule id, so the
    output is deterministic and the counsellor reads the worst first.
    """
    best: dict[str, Signal] = {}
    for signal in signals:
        if signal.level == RiskLevel.NONE:
            continue
        kept = best.get(signal.rule_id)
        if kept is None or signal.level > kept.level:
            best[signal.rule_id] = signal
    ordered = sorted(best.values(), key=lambda s: (-s.level, s.rule_id))
    level = max((s.level for s in ordered), default=RiskLevel.NONE)
    return RiskAssessment(
        level=RiskLevel(level),
        reasons=tuple(s.reason() for s in ordered),
        needs_followup=any(s.followup for s in ordered),
    )


def text_signals(text: str, rules: RuleSet, model: RiskModel | None = None) -> list[Signal]:
    """Signals from every rule that matches ``text``, and from the model if it fires."""
    norm = normalise(text)
    if not norm.tokens:
        return []
    scan = Scanner(norm)
    matched = _rule_signals(norm, scan, rules)
    if model is None:
        return [signal for _, signal in matched]
    verdict = model.verdict(norm, skip=_silenced(norm, scan, rules))
    words = sum(map(is_word, norm.tokens))
    signals = [_quieted(rule, signal, verdict, words) for rule, signal in matched]
    if verdict.fired:
        signals.append(_model_signal(verdict))
    return signals


def _quieted(rule: Rule, signal: Signal, verdict: Verdict, words: int) -> Signal:
    """A rule's signal after the model's view of the message (QUIET_* above).

    A topic rule (on use, craving, help, hopelessness, overdose, a medical emergency…) reads a word,
    not who is speaking or when: "our session on relapse", "I used to drink, not anymore", "naloxone
    saves a life in an overdose". When the model, which reads the whole message, finds it far from
    urgent, a concern-level rule's follow-up questions are not asked; when it finds it far from any
    alert, the rule's concern becomes watch, and so does an urgent topic rule's alert if the model's
    P(urgent) is lower still (no alert, the reason kept, marked "quieted" with the scores). A suicide,
    self-harm, goodbye or harm-to-others rule only when its match was already doubted by the rule's
    own negation or past cue and the model finds the message as far from an alert (round 15, above):
    never such a rule's plain match, an override, or a message of fewer than MIN_WORDS words (the
    model does not read those).
    """
    if not verdict.scored or words < MIN_WORDS or rule.silences_model:
        return signal
    level, followup = signal.level, signal.followup
    far_from_any_alert = verdict.p_urgent + verdict.p_concern < QUIET_CONCERN_BELOW
    far_from_urgent_too = far_from_any_alert and verdict.p_urgent < QUIET_URGENT_BELOW  # what an urgent rule needs
    if rule.category not in TOPIC_CATEGORIES:
        # Suicide, self-harm, goodbye, harm to others: only a match the rule itself already doubted (a
        # negation or a past cue lowered it: "I don't want to die anymore", "that year I wanted to end it
        # all"), and only when the model agrees, as far from any alert as an urgent topic rule must be.
        if signal.level < rule.level and far_from_urgent_too:
            level, followup = min(level, RiskLevel.WATCH), False
    elif rule.level >= RiskLevel.URGENT:
        if level >= RiskLevel.CONCERN and far_from_urgent_too:
            level, followup = RiskLevel.WATCH, False
    else:
        if followup and verdict.p_urgent < QUIET_ASK_BELOW:
            followup = False
        if level == RiskLevel.CONCERN and far_from_any_alert:
            level = RiskLevel.WATCH
    if (level, followup) == (signal.level, signal.followup):
        return signal
    why = f"quieted, model urgent {verdict.p_urgent:.2f} concern {verdict.p_concern:.2f}"
    return Signal(signal.rule_id, signal.category, level, f"{signal.matched} [{why}]", followup)


def _model_signal(verdict: Verdict) -> Signal:
    return Signal(MODEL_RULE_ID, "model", verdict.level, _shorten(verdict.describe()), verdict.followup)


def _silenced(norm: Normalised, scan: Scanner, rules: RuleSet) -> list[tuple[int, int]]:
    """Token ranges matched by override rules with ``model = "ignore"`` (their idioms excepted)."""
    ranges: list[tuple[int, int]] = []
    for rule in rules.rules:
        if not rule.silences_model:
            continue
        unless = (
            []
            if rule.unless_regex is None
            else [(s, e) for _, s, e in scan.matches(rule.unless_regex, rule.unless_starts)]
        )
        for _, start, end in scan.matches(rule.regex, rule.starts):
            if not any(u_start < end and start < u_end for u_start, u_end in unless):
                ranges.append((norm.token_index(start), norm.token_index(end - 1)))
    return ranges


@dataclass(frozen=True)
class _Cues:
    """Where a message's context cues are (rules.Context): sentence numbers, and the whole message."""

    sentence_of: tuple[int, ...]  # sentence number of each token
    past: frozenset[int]
    teaching: frozenset[int]
    recovered: bool
    present: bool
    tokens: tuple[str, ...] = ()
    self_words: frozenset[str] = frozenset()

    def first_person_before(self, first: int) -> bool:
        """A first-person word ("i", "maine", "mi") in the SELF_WINDOW words before token ``first``."""
        for index in range(first - 1, max(-1, first - 1 - SELF_WINDOW), -1):
            if self.tokens[index] == SENTENCE_BREAK:
                return False
            if self.tokens[index] in self.self_words:
                return True
        return False


NO_CUES = _Cues((), frozenset(), frozenset(), False, False)


def _find_cues(norm: Normalised, scan: Scanner, context: Context) -> _Cues:
    if context.past is None and context.teaching is None:
        return NO_CUES
    sentence_of: list[int] = []
    number = 0
    for token in norm.tokens:
        sentence_of.append(number)
        number += token == SENTENCE_BREAK

    def sentences(kind: str, regex: re.Pattern[str] | None) -> frozenset[int]:
        if regex is None:
            return frozenset()
        found = scan.matches(regex, context.starts.get(kind))
        return frozenset(sentence_of[norm.token_index(start)] for _, start, _ in found)

    def anywhere(kind: str, regex: re.Pattern[str] | None) -> bool:
        return regex is not None and scan.search(regex, context.starts.get(kind)) is not None

    return _Cues(
        tuple(sentence_of),
        sentences("past", context.past),
        sentences("teaching", context.teaching),
        anywhere("recovered", context.recovered),
        anywhere("present", context.present),
        norm.tokens,
        context.self_words,
    )


def _in_context(
    rule: Rule, cues: _Cues, first: int, last: int, level: RiskLevel, followup: bool
) -> tuple[RiskLevel, bool]:
    """A rule's level and follow-up flag after the context cues of the match's sentence.

    A present cue anywhere in the message ("tonight", "again", "still") leaves everything as it is.
    Otherwise, with a past cue in the sentence: an urgent rule asks the follow-up questions (no
    alert; "last year I tried to hang myself" deserves a question, never silence), a lower rule is
    cancelled, and both are cancelled when the message sets that past against a well present
    ("… today I'm grateful"). With a teaching frame in the sentence: a topic rule (overdose,
    withdrawal, use…) is cancelled, a suicide, self-harm, goodbye or harm-to-others rule asks the
    follow-up questions, except a match of one word ("a workshop on suicide prevention": the word is
    the topic), which is cancelled too; unless a first-person word comes just before the match ("in
    the session I admitted I relapsed" is a lapse, told in a session).
    """
    if cues is NO_CUES or cues.present or level == RiskLevel.NONE:
        return level, followup
    sentence = cues.sentence_of[first]
    if sentence in cues.past:
        if cues.recovered or rule.level < RiskLevel.URGENT:
            return RiskLevel.NONE, False
        return min(level, RiskLevel.WATCH), True
    if sentence in cues.teaching and not cues.first_person_before(first):
        if rule.category in TOPIC_CATEGORIES or rule.level < RiskLevel.URGENT or first == last:
            return RiskLevel.NONE, False
        return min(level, RiskLevel.WATCH), True
    return level, followup


def _rule_signals(norm: Normalised, scan: Scanner, rules: RuleSet) -> list[tuple[Rule, Signal]]:
    joined = without_sentence_breaks(norm)
    joined_scan = scan if joined is norm else Scanner(joined)
    cues = _find_cues(norm, scan, rules.context)
    joined_cues: _Cues | None = None
    signals: list[tuple[Rule, Signal]] = []
    for rule in rules.rules:
        signal = _best_match(rule, norm, scan, cues)
        if signal is None and joined is not norm:
            # "kill. myself." or "I. Want. To. Die.": punctuation must not
            # split a phrase. Only tried when the sentence-aware pass found
            # nothing, so it can add a signal but never weaken one.
            if joined_cues is None:
                joined_cues = _find_cues(joined, joined_scan, rules.context)
            signal = _best_match(rule, joined, joined_scan, joined_cues)
        if signal is not None:
            signals.append((rule, signal))
    return signals


def _best_match(rule: Rule, norm: Normalised, scan: Scanner, cues: _Cues = NO_CUES) -> Signal | None:
    """The strongest occurrence of ``rule`` in the message, if any.

    A later un-negated occurrence beats an earlier negated one: "I won't
    kill myself... actually I will kill myself" is urgent.
    """
    best: Signal | None = None
    unless_spans: list[tuple[int, int]] | None = None
    for match, start, end in scan.matches(rule.regex, rule.starts):
        if rule.unless_regex is not None:
            if unless_spans is None:
                unless_spans = [(s, e) for _, s, e in scan.matches(rule.unless_regex, rule.unless_starts)]
            if any(u_start < end and start < u_end for u_start, u_end in unless_spans):
                continue
        first, last = norm.token_index(start), norm.token_index(end - 1)
        cue = _negation_cue(norm, rule, first, last, rule.literals_for(match))
        if cue is None:
            level, followup = rule.level, rule.followup
        else:
            level = rule.if_negated
            followup = rule.followup or rule.level == RiskLevel.URGENT
            first, last = min(first, cue), max(last, cue)
        level, followup = _in_context(rule, cues, first, last, level, followup)
        if best is None or level > best.level:
            matched = _shorten(norm.source_text(first, last))
            best = Signal(rule.id, rule.category, level, matched, followup)
        if best.level == rule.level:
            break
    return best


def _negation_cue(
    norm: Normalised, rule: Rule, first: int, last: int, literals: frozenset[str] | None = None
) -> int | None:
    """Token index of a negation that applies to the match, or None."""
    negation = rule.negation
    tokens = norm.tokens
    single = negation.single_word_cues
    asked_for = rule.literal_words if literals is None else literals
    for index in range(first, last + 1):
        # Inside the match only a word the pattern did not ask for counts:
        # "suicide nahi karunga" matched through a "..." gap.
        if tokens[index] in single and tokens[index] not in asked_for and not _is_not_negation(tokens, index, negation):
            return index
    if (
        first > 0
        and any(_phrase_at(tokens, first - 1, cue, ending=True) for cue in negation.adjacent)
        and not _is_not_negation(tokens, first - 1, negation)
    ):
        return first - 1
    before = _scan(tokens, range(first - 1, max(-1, first - 1 - negation.before_window), -1), negation, "before")
    if before is not None:
        return before
    return _scan(tokens, range(last + 1, min(len(tokens), last + 1 + negation.after_window)), negation, "after")


def _scan(tokens: tuple[str, ...], positions: range, negation: Negation, side: str) -> int | None:
    cues = negation.before if side == "before" else negation.after
    for index in positions:
        word = tokens[index]
        if word == SENTENCE_BREAK:
            return None
        for cue in cues:
            if _phrase_at(tokens, index, cue, ending=(side == "before")) and not _is_not_negation(
                tokens, index, negation
            ):
                return index
        if word in negation.breakers:
            return None
    return None


def _phrase_at(tokens: tuple[str, ...], index: int, phrase: tuple[str, ...], ending: bool) -> bool:
    """Whether ``phrase`` ends (or starts) at ``index``."""
    start = index - len(phrase) + 1 if ending else index
    if start < 0 or start + len(phrase) > len(tokens):
        return False
    return tokens[start : start + len(phrase)] == phrase


def _is_not_negation(tokens: tuple[str, ...], index: int, negation: Negation) -> bool:
    """Whether the word at ``index`` is part of a look-alike such as "pata nahi"."""
    for phrase in negation.not_negation:
        for offset, word in enumerate(phrase):
            if word == tokens[index] and _phrase_at(tokens, index - offset, phrase, ending=False):
                return True
    return False


def _shorten(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= MAX_MATCHED_CHARS else text[: MAX_MATCHED_CHARS - 1] + "…"


def reasons_text(reasons: Iterable[Reason]) -> str:
    """Human-readable reasons, one per line, for counsellor notifications."""
    return "\n".join(f"{r.rule_id} ({r.category}): {r.matched}" for r in reasons)
