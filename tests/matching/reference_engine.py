"""The per-occurrence evaluator the engine used before matches were counted (issue 4, point 6), kept as the
definition the faster engine must reproduce: every match becomes an occurrence record, every matched rule's
occurrences are sorted for evidence (past MAX_EVIDENCE_OCCURRENCES, the first ones in text order), and snippets
mark the occurrence found. ``snippet`` keeps the plain look-behind pattern the engine's faster one must equal.

Only what the fast path replaced lives here; rule trees with AND/NOT/NEAR are evaluated by the engine's own
``_eval``, which both paths share.
"""

from __future__ import annotations

import re
from collections import defaultdict
from typing import Any

from tracker.matching.automaton import word_end
from tracker.matching.engine import (
    FIELDS,
    MAX_EVIDENCE_OCCURRENCES,
    MAX_TERMS,
    SNIPPET_WORDS,
    BillDoc,
    Candidate,
    RuleSet,
    TopicResult,
    _CompiledRule,
    _CompiledTopic,
    _eval,
    _Occ,
    evidence_entries,
    repetition,
    span_term,
)
from tracker.matching.folding import Offsets, normalize_with_offsets


class RefHits:
    """Every occurrence of every atom, as records, from ``Matcher.scan``."""

    def __init__(self, doc: BillDoc, rule_set: RuleSet):
        self.doc = doc
        self.atom_index = rule_set.atom_index
        self.norms: dict[tuple[str, int], bytes] = {}
        self.offsets: dict[tuple[str, int], Offsets | None] = {}
        self.by_atom: dict[int, list[_Occ]] = defaultdict(list)
        self.near_cache: dict[int, list[_Occ]] = {}
        for field_name in sorted(doc.fields, key=lambda f: FIELDS.index(f) if f in FIELDS else 9):
            for part_index, text in enumerate(doc.fields[field_name]):
                if not text:
                    continue
                norm, self.offsets[(field_name, part_index)] = normalize_with_offsets(text)
                self.norms[(field_name, part_index)] = norm
                for atom, start, end in rule_set.matcher.scan(text, norm, self.offsets[(field_name, part_index)]):
                    self.by_atom[atom].append(_Occ(atom, field_name, part_index, start, end))
        self.present = frozenset(self.by_atom)

    def occs(self, atom: int) -> list[_Occ]:
        return self.by_atom.get(atom, [])

    def size(self, field_name: str) -> int:
        return sum(len(t) for t in self.doc.fields.get(field_name, ()))


def evaluate(rule_set: RuleSet, doc: BillDoc) -> list[TopicResult]:
    hits = RefHits(doc, rule_set)
    if not hits.present:
        return []
    results = []
    for topic in rule_set.topics:
        result = _score_topic(rule_set, topic, hits)
        if result is not None:
            results.append(result)
    return results


def _score_topic(rule_set: RuleSet, topic: _CompiledTopic, hits: RefHits) -> TopicResult | None:
    total = 0.0
    occs: list[tuple[_Occ, _CompiledRule]] = []
    matched = 0
    for compiled in topic.rules:
        if not (compiled.atom_ids & hits.present):
            continue
        if compiled.simple:
            scored = _score_simple(rule_set, compiled, hits)
        else:
            scored = rule_set._score_rule(compiled, hits)  # type: ignore[arg-type]
        if scored is None:
            continue
        score, rule_occs = scored
        total += score
        matched += 1
        occs.extend((o, compiled) for o in _first_occurrences(rule_occs))
    if not matched:
        return None
    result = TopicResult(topic.spec.id, round(total, 4), rules_matched=matched)
    for compiled in topic.excludes:
        if compiled.atom_ids & hits.present and _eval(compiled.rule.root, None, hits)[0]:  # type: ignore[arg-type]
            result.vetoed_by = compiled.spec.expression
            result.keyword_score = 0.0
            break
    result.matched_terms, result.evidence = _evidence(occs, hits)
    return result


def _first_occurrences(occs: list[_Occ]) -> list[_Occ]:
    """All of a rule's occurrences, or the first MAX_EVIDENCE_OCCURRENCES in text order and the first of each
    atom not among them."""
    order = {name: i for i, name in enumerate(FIELDS)}
    ordered = sorted(occs, key=lambda o: (order.get(o.field, 9), o.part, o.start, o.end, o.atom))
    if len(ordered) <= MAX_EVIDENCE_OCCURRENCES:
        return ordered
    kept = ordered[:MAX_EVIDENCE_OCCURRENCES]
    atoms = {o.atom for o in kept}
    for occ in ordered[MAX_EVIDENCE_OCCURRENCES:]:
        if occ.atom not in atoms:
            atoms.add(occ.atom)
            kept.append(occ)
    return kept


def _score_simple(rule_set: RuleSet, compiled: _CompiledRule, hits: RefHits) -> tuple[float, list[_Occ]] | None:
    occs = [o for a in compiled.simple or () for o in hits.by_atom.get(rule_set.atom_index[a], ())]
    if not occs:
        return None
    per_field: dict[str, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    for o in occs:
        per_field[o.field][o.atom] += 1
    best = max(rule_set.field_weights.get(f, 1.0) * repetition(f, max(c.values()), hits.size(f))
               for f, c in per_field.items())
    return compiled.spec.weight * best, occs


def _evidence(occs: list[tuple[_Occ, _CompiledRule]], hits: RefHits) -> tuple[list[str], list[dict[str, Any]]]:
    order = {name: i for i, name in enumerate(FIELDS)}
    raw_counts: dict[bytes, int] = defaultdict(int)
    raw_first: dict[bytes, tuple[_Occ, _CompiledRule]] = {}
    seen: set[tuple[str, int, int, int]] = set()
    for occ, compiled in sorted(occs, key=lambda p: (order.get(p[0].field, 9), p[0].part, p[0].start)):
        key = (occ.field, occ.part, occ.start, occ.atom)
        if key in seen:
            continue
        seen.add(key)
        norm = hits.norms[(occ.field, occ.part)]
        if occ.marks:  # a NEAR span: its two terms, marked (not counted: its ends are)
            raw = span_term(norm, occ.marks).encode("utf-8")
        else:
            raw = norm[occ.start:word_end(norm, occ.end)]
            raw_counts[raw] += 1
        raw_first.setdefault(raw, (occ, compiled))
    counts: dict[str, int] = defaultdict(int)
    for raw, n in raw_counts.items():
        counts[" ".join(raw.decode("utf-8").split())] += n
    first: dict[str, tuple[_Occ, _CompiledRule]] = {}
    for raw, pair in raw_first.items():
        first.setdefault(" ".join(raw.decode("utf-8").split()), pair)
    terms = sorted(counts, key=lambda t: (-counts[t], t))[:MAX_TERMS]
    candidates = [Candidate((order.get(occ.field, 9), -counts.get(term, 1), n), term, occ.field, occ.part, occ.start,
                            compiled.spec.expression, occ.marks)
                  for n, (term, (occ, compiled)) in enumerate(first.items())]
    return terms, evidence_entries(candidates, hits)  # type: ignore[arg-type]


def snippet(original: str, term: str, *, hint: float = 0.0, words: int = SNIPPET_WORDS) -> str:
    parts = [re.escape(w) for w in term.split(" ") if w]
    pattern = re.compile(r"(?<![^\W_])" + r"[\W_]+".join(parts) + r"(?![^\W_])", re.IGNORECASE)
    guess = max(0, int(hint * len(original)) - 400)
    m = pattern.search(original, guess) or pattern.search(original)
    if m is None:
        return f"[[{term}]]"
    reach = 20 * words
    before = original[max(0, m.start() - reach):m.start()]
    after = original[m.end():m.end() + reach]
    before_words, after_words = before.split(), after.split()
    text = "[[" + " ".join(m.group(0).split()) + "]]"
    if before_words:
        glue = "" if not before[-1].isspace() else " "
        text = " ".join(before_words[-words:]) + glue + text
    if after_words:
        glue = "" if not after[0].isspace() else " "
        text = text + glue + " ".join(after_words[:words])
    if len(before_words) > words or m.start() > reach:
        text = "… " + text
    if len(after_words) > words or m.end() + reach < len(original):
        text = text + " …"
    return text
