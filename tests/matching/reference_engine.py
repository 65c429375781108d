"""The per-occurrence evaluator the engine used before matches were counted (issue 4, point 6), kept as the
definition the faster engine must reproduce: every match becomes an occurrence record, every matched rule's
occurrences are sorted for evidence (past MAX_EVIDENCE_OCCURRENCES, the first ones in text order), and snippets
mark the occurrence found. ``snippet`` keeps the plain look-behind pattern the engine's faster one must equal.

Rule trees with AND/NOT/NEAR are evaluated here as the engine evaluated them before NEAR read its common
operands only near the rare one (2026-12-07): every occurrence of both sides paired by a sweep over all of
them, and every field evaluated in full.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections import defaultdict
from typing import Any

from tracker.matching.automaton import word_end
from tracker.matching.engine import (
    FIELDS,
    MAX_EVIDENCE_OCCURRENCES,
    MAX_NEAR_SPANS,
    MAX_TERMS,
    NEAR_BYTES_PER_WORD,
    SNIPPET_WORDS,
    BillDoc,
    Candidate,
    RuleSet,
    TopicResult,
    _CompiledRule,
    _CompiledTopic,
    _Occ,
    evidence_entries,
    repetition,
    span_term,
)
from tracker.matching.folding import Offsets, normalize_with_offsets
from tracker.matching.rules import And as AndNode
from tracker.matching.rules import Atom, InField, Near, Node, Not, Or, Term


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
            scored = _score_rule(rule_set, compiled, hits)
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
        if compiled.atom_ids & hits.present and _eval(compiled.rule.root, None, hits)[0]:
            result.vetoed_by = compiled.spec.expression
            result.keyword_score = 0.0
            break
    result.matched_terms, result.evidence = _evidence(occs, hits)
    return result


def _score_rule(rule_set: RuleSet, compiled: _CompiledRule, hits: RefHits) -> tuple[float, list[_Occ]] | None:
    """A rule with AND, NOT, NEAR or field scopes, every field evaluated in full."""
    weight = compiled.spec.weight
    best: float | None = None
    evidence: list[_Occ] = []  # from every field where the rule holds, for terms and snippets
    for field_name in FIELDS:
        ok, occs = _eval(compiled.rule.root, field_name, hits)
        if not ok:
            continue
        evidence.extend(occs)
        # Repetition: how often the most repeated term (or NEAR pair) occurs, so "privacy AND children"
        # found once is one match, not two.
        per_atom: dict[int, set[tuple[int, int]]] = defaultdict(set)
        for o in occs:
            per_atom[o.atom].add((o.part, o.start))
        spans = per_atom.get(-1)
        count = len(spans) if spans else max((len(v) for v in per_atom.values()), default=1)
        score = weight * rule_set.field_weights.get(field_name, 1.0) * repetition(field_name, count,
                                                                             hits.size(field_name))
        if best is None or score > best:
            best = score
    if best is not None:
        return best, evidence
    ok, occs = _eval(compiled.rule.root, None, hits)
    if not ok:
        return None
    fields_used = {o.field for o in occs} or set(FIELDS)
    return weight * min(rule_set.field_weights.get(f, 1.0) * repetition(f, 1, hits.size(f))
                        for f in fields_used), occs


def _eval(node: Node, scope: str | None, hits: RefHits, named: bool = False) -> tuple[bool, list[_Occ]]:
    """Whether ``node`` holds in ``scope`` (one field, or the whole bill when None), and the hits that show it.

    ``named``: the scope is a field the rule names (``title:(...)``). Otherwise it is only the field being
    scored, and a NOT looks at the whole bill: "privacy AND NOT health" does not hold for a bill whose title
    says health and whose summary says privacy, and neither does "privacy AND NOT title:health"."""
    if isinstance(node, Term):
        found = [o for a in node.atoms for o in _atom_occs(a, scope, hits)]
        return bool(found), found
    if isinstance(node, AndNode):
        out: list[_Occ] = []
        for child in node.children:
            ok, occs = _eval(child, scope, hits, named)
            if not ok:
                return False, []
            out.extend(occs)
        return True, out
    if isinstance(node, Or):
        out = []
        any_ok = False
        for child in node.children:
            ok, occs = _eval(child, scope, hits, named)
            if ok:
                any_ok = True
                out.extend(occs)
        return any_ok, out
    if isinstance(node, Not):
        ok, _ = _eval(node.child, scope if named else None, hits, named)
        return not ok, []
    if isinstance(node, InField):
        if scope is not None and scope != node.field:
            return False, []
        return _eval(node.child, node.field, hits, True)
    return _eval_near(node, scope, hits)


def _atom_occs(atom: Atom, scope: str | None, hits: RefHits) -> list[_Occ]:
    occs = hits.occs(hits.atom_index[atom])
    if scope is None:
        return list(occs)
    return [o for o in occs if o.field == scope]


def _eval_near(node: Near, scope: str | None, hits: RefHits) -> tuple[bool, list[_Occ]]:
    found = hits.near_cache.get(id(node))
    if found is None:
        found = hits.near_cache[id(node)] = _near_spans(node, hits)
    if scope is not None:
        found = [o for o in found if o.field == scope]
    return bool(found), found


def _near_spans(node: Near, hits: RefHits) -> list[_Occ]:
    """Pairs of (left, right) occurrences at most ``distance`` words apart, per field part.

    Candidates come from a sorted sweep by offset within a byte window; only those have the words between
    them counted, so a 500-page bill costs no more than its hits."""
    left = _eval(node.left, None, hits)[1]
    right = _eval(node.right, None, hits)[1]
    if not left or not right:
        return []
    by_part: dict[tuple[str, int], tuple[list[_Occ], list[_Occ]]] = defaultdict(lambda: ([], []))
    for occ in left:
        by_part[(occ.field, occ.part)][0].append(occ)
    for occ in right:
        by_part[(occ.field, occ.part)][1].append(occ)
    window = (node.distance + 1) * NEAR_BYTES_PER_WORD
    found: list[_Occ] = []
    for key, (lefts, rights) in by_part.items():
        if not lefts or not rights:
            continue
        norm = hits.norms[key]
        rights = sorted(rights, key=lambda o: o.start)
        starts = [o.start for o in rights]
        spans = 0
        for lo in sorted(lefts, key=lambda o: o.start):
            i = bisect_left(starts, lo.start - window)
            while i < len(rights) and starts[i] <= lo.start + window:
                ro = rights[i]
                i += 1
                if ro.start == lo.start:
                    continue
                first, second = (lo, ro) if lo.start < ro.start else (ro, lo)
                between = len(norm[word_end(norm, first.end):second.start].split())  # words strictly between
                if between < node.distance:
                    # one span from the first word to the last, so evidence shows both terms in context
                    first_end, end = word_end(norm, first.end), word_end(norm, max(lo.end, ro.end))
                    # Adjacent or overlapping terms are marked as one: "[[data brokers]]".
                    marks = (((first.start, first_end), (second.start, word_end(norm, second.end)))
                             if between and second.start >= first_end else ((first.start, end),))
                    found.append(_Occ(-1, lo.field, lo.part, first.start, end, marks))
                    found.extend((lo, ro))
                    spans += 1
                    break
            if spans >= MAX_NEAR_SPANS:
                break
    return found


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
