"""Source-independent stage engine: per-source action rules (data) -> action classifications -> one Stage.

Each feed describes its actions differently (action codes, free text, both), so each source module keeps a tuple
of ``ActionRule`` describing its vocabulary, and everything after classification is shared: the same
classifications always lead to the same stage, whichever feed they came from. Everything here is pure and
deterministic; compiled rule sets are cached per rule tuple.
"""

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from tracker.models.enums import STAGE_PROGRESS, Chamber, Stage

__all__ = [
    "ActionRule",
    "Step",
    "classify",
    "classify_actions",
    "derive_stage",
]


@dataclass(frozen=True)
class ActionRule:
    """One normalized meaning of an action, recognised by upstream codes and/or a text pattern.

    Matching: an action that carries a code is classified by its code alone, because codes are assigned by
    clerks and are more reliable than prose (a House "Rule H. Res. 5 passed House." is the passage of the *rule*,
    not of the bill); ``pattern`` then only narrows a code that carries several meanings, when
    ``code_needs_pattern`` is set. An action without a code is classified by ``pattern`` alone.
    """

    classification: str  # Open States' action classification name where one exists
    codes: frozenset[str] = frozenset()
    pattern: str | None = None  # case-insensitive, searched in the action text
    code_needs_pattern: bool = False
    regex: re.Pattern[str] | None = field(init=False, repr=False, compare=False, default=None)

    def __post_init__(self) -> None:
        if not isinstance(self.codes, frozenset):  # accept any iterable of codes but keep the rule hashable
            object.__setattr__(self, "codes", frozenset(self.codes))
        if self.code_needs_pattern and not self.pattern:
            raise ValueError(f"rule {self.classification!r}: code_needs_pattern without a pattern")
        if self.pattern is not None:
            object.__setattr__(self, "regex", re.compile(self.pattern, re.IGNORECASE))


class _RuleIndex(NamedTuple):
    by_code: dict[str, tuple[tuple[str, re.Pattern[str] | None], ...]]
    by_text: tuple[tuple[str, re.Pattern[str]], ...]
    text_cache: dict[str, tuple[str, ...]]


_TEXT_CACHE_LIMIT = 50_000


_INDEXES: dict[int, tuple[tuple[ActionRule, ...], _RuleIndex]] = {}


def _index(rules: tuple[ActionRule, ...]) -> _RuleIndex:
    # Looked up by identity: hashing a tuple of rules on every call would cost more than classifying.
    entry = _INDEXES.get(id(rules))
    if entry is None or entry[0] is not rules:
        entry = _INDEXES[id(rules)] = (rules, _build_index(rules))
    return entry[1]


def _build_index(rules: tuple[ActionRule, ...]) -> _RuleIndex:
    # A code lookup instead of a scan over every rule, and a cache for uncoded texts (clerks repeat the same
    # sentences: "Read twice and referred to the Committee on Finance."): the importer classifies ~90,000
    # actions per Congress.
    by_code: dict[str, list[tuple[str, re.Pattern[str] | None]]] = {}
    for rule in rules:
        for code in rule.codes:
            by_code.setdefault(code, []).append((rule.classification, rule.regex if rule.code_needs_pattern else None))
    by_text = tuple((rule.classification, rule.regex) for rule in rules if rule.regex is not None)
    return _RuleIndex({code: tuple(found) for code, found in by_code.items()}, by_text, {})


def classify(code: str | None, text: str, rules: tuple[ActionRule, ...]) -> list[str]:
    """Classifications of one action, in rule order, without duplicates."""
    index = _index(rules)
    found: list[str] = []
    if code:
        for classification, narrow in index.by_code.get(code, ()):
            if (narrow is None or narrow.search(text)) and classification not in found:
                found.append(classification)
        return found
    cached = index.text_cache.get(text)
    if cached is None:
        for classification, regex in index.by_text:
            if regex.search(text) and classification not in found:
                found.append(classification)
        if len(index.text_cache) >= _TEXT_CACHE_LIMIT:
            index.text_cache.clear()
        index.text_cache[text] = cached = tuple(found)
    return list(cached)


def classify_actions(actions: Iterable[tuple[str | None, str]], rules: tuple[ActionRule, ...]) -> list[list[str]]:
    """Classify ``(code, text)`` pairs; the result lines up with the input."""
    return [classify(code, text, rules) for code, text in actions]


class Step(NamedTuple):
    """The two things stage derivation needs from an action (``ActionRecord`` has the same attributes)."""

    actor: Chamber | str | None
    classification: Sequence[str]


_RANK = {stage: rank for rank, stage in enumerate(STAGE_PROGRESS)}

# Classifications that move a bill to a fixed stage whatever the bill type.
_FIXED_PROGRESS = {
    "introduction": Stage.introduced,
    "referral-committee": Stage.in_committee,
    "committee-passage": Stage.in_committee,
    "committee-passage-favorable": Stage.in_committee,
    "committee-passage-unfavorable": Stage.in_committee,
    "executive-receipt": Stage.sent_to_executive,
    "executive-signature": Stage.enacted,
    "became-law": Stage.enacted,
}
_OUTCOMES = {
    "executive-veto": Stage.vetoed,
    "veto-override-failure": Stage.vetoed,
    "failure": Stage.failed,
    "withdrawal": Stage.withdrawn,
}
_CHAMBERS = (Chamber.lower, Chamber.upper)


def _kind(bill_classification: str | None) -> str:
    text = (bill_classification or "bill").lower()
    if "concurrent" in text:
        return "concurrent"
    if "joint" in text or "resolution" not in text:
        return "law"  # bills and joint resolutions travel the same road to the executive
    return "simple"


def derive_stage(
    actions: Iterable[Any],
    origin_chamber: Chamber | str | None,
    bill_classification: str | None = "bill",
) -> Stage:
    """The stage a bill's classified actions (chronological; objects with ``actor`` and ``classification``) reached.

    The furthest stage of ``STAGE_PROGRESS`` wins, unless a terminal outcome (veto, failure, withdrawal) came
    later and no later action moved the bill further on (a failed passage vote that is reconsidered and then
    passes is passage; a veto followed by override votes in both chambers is law). What counts as a failure is
    the source rules' business: a failed motion to suspend the rules, for one, is not. Passage is counted per
    chamber, so the same event recorded twice (upstream feeds often list it once per source system) is harmless.

    Per bill type:
    - bills and joint resolutions: one chamber's passage is ``passed_origin_chamber``, both are
      ``passed_both_chambers``; only presentment and signature go further, which is also why a joint
      resolution proposing a constitutional amendment (sent to the states, not the President) stays at
      ``passed_both_chambers``;
    - concurrent resolutions need no signature: agreement by both chambers is their final stage, ``enacted``;
    - simple resolutions concern one chamber only: its agreement is their final stage, recorded as ``enacted``
      (adopted) so that "done" means the same thing for every measure type.
    """
    kind = _kind(bill_classification)
    origin = origin_chamber if origin_chamber in _CHAMBERS else None
    reached = Stage.introduced
    outcome: Stage | None = None
    passed: set[Any] = set()
    overridden: set[Any] = set()
    for action in actions:
        target = reached
        new_outcome: Stage | None = None
        for classification in action.classification:
            stage = _FIXED_PROGRESS.get(classification)
            if classification in _OUTCOMES:
                new_outcome = _OUTCOMES[classification]
            elif classification == "passage":
                passed.add(_passing_chamber(action.actor, origin))
                stage = _after_passage(kind, len(passed))
            elif classification == "concurrence" and kind != "simple":
                # Agreeing to the other chamber's version means both chambers have now passed one text.
                stage = Stage.enacted if kind == "concurrent" else Stage.passed_both_chambers
            elif classification == "veto-override-passage":
                overridden.add(_passing_chamber(action.actor, origin))
                stage = Stage.enacted if len(overridden) >= 2 else None
            if stage is not None and _RANK[stage] > _RANK[target]:
                target = stage
        if _RANK[target] > _RANK[reached]:
            reached = target
            outcome = None  # the bill moved on after whatever stopped it
        if new_outcome is not None:
            outcome = new_outcome
    return outcome or reached


def _passing_chamber(actor: Any, origin: Chamber | None) -> Any:
    # An unattributed vote counts as the origin chamber's: it can never claim a second chamber on its own.
    return actor if actor in _CHAMBERS else (origin or "unknown")


def _after_passage(kind: str, chambers_passed: int) -> Stage:
    if kind == "simple":
        return Stage.enacted
    if chambers_passed >= 2:
        return Stage.enacted if kind == "concurrent" else Stage.passed_both_chambers
    return Stage.passed_origin_chamber
