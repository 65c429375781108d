"""Scoring: every rule of every topic evaluated on one automaton pass per field of a bill.

A rule that holds inside one field earns ``rule weight x field weight x repetition``, taking its best field
(title above summary above text); a rule that holds only across fields (A in the title, B in the summary) earns
the weight of the weakest field involved. Repetition saturates (1, 1.5, 1.67 ... never above 2), so a long bill
text that says "broadband" forty times does not outrank a bill about broadband. A topic's keyword score is the
sum over its rules; a hit on one of its exclusion rules vetoes the topic for that bill. Each result keeps the
terms found and a few evidence snippets, the term marked ``[[like this]]`` with some words either side.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from tracker.matching.automaton import Hit, Matcher, normalize_bytes, surface, word_end
from tracker.matching.rules import FIELDS, And, Atom, InField, Near, Node, Not, Or, Rule, Term, parse_rule

DEFAULT_FIELD_WEIGHTS: dict[str, float] = {"title": 3.0, "summary": 1.5, "text": 1.0}
MAX_EVIDENCE = 3
MAX_EVIDENCE_OCCURRENCES = 200  # per rule: what terms and snippets are drawn from
MAX_TERMS = 20
SNIPPET_WORDS = 8


@dataclass(frozen=True)
class RuleSpec:
    """One stored rule as the engine needs it."""

    expression: str
    weight: float = 1.0
    exclude: bool = False
    id: int | None = None


@dataclass(frozen=True)
class TopicSpec:
    id: int
    slug: str
    name: str
    threshold: float
    rule_version: int
    rules: tuple[RuleSpec, ...]
    description: str | None = None


@dataclass
class BillDoc:
    """The text of one bill by field; each field may hold several parts (title, short title, popular title)."""

    bill_id: int
    fields: dict[str, list[str]]

    def size(self) -> int:
        return sum(len(t) for parts in self.fields.values() for t in parts)


@dataclass
class TopicResult:
    topic_id: int
    keyword_score: float
    vetoed_by: str | None = None
    matched_terms: list[str] = field(default_factory=list)
    evidence: list[dict[str, Any]] = field(default_factory=list)
    rules_matched: int = 0


class _Occ(NamedTuple):
    atom: int  # global atom index; -1 for a NEAR span covering both its terms
    field: str
    part: int
    start: int
    end: int


@dataclass
class _CompiledRule:
    spec: RuleSpec
    rule: Rule
    atom_ids: frozenset[int]  # global indices of every atom it mentions
    has_near: bool
    simple: list[Atom] | None = None  # set when the rule is terms joined by OR


@dataclass
class _CompiledTopic:
    spec: TopicSpec
    rules: list[_CompiledRule]
    excludes: list[_CompiledRule]


class _DocHits:
    """The hits of one bill, by atom, with the normalized text of every field part (for NEAR and evidence)."""

    def __init__(self, doc: BillDoc, matcher: Matcher, atom_index: Mapping[Atom, int]):
        self.doc = doc
        self.atom_index = atom_index
        self.norms: dict[tuple[str, int], bytes] = {}
        self.by_atom: dict[int, list[_Occ]] = defaultdict(list)
        self.near_cache: dict[int, list[_Occ]] = {}
        for field_name, parts in doc.fields.items():
            for part_index, text in enumerate(parts):
                if not text:
                    continue
                norm = normalize_bytes(text)
                self.norms[(field_name, part_index)] = norm
                by_atom = self.by_atom
                for atom, start, end in matcher.scan(text, norm):
                    by_atom[atom].append(_Occ(atom, field_name, part_index, start, end))
        self.present = frozenset(self.by_atom)

    def surface(self, occ: _Occ) -> str:
        return surface(self.norms[(occ.field, occ.part)], Hit(occ.atom, occ.start, occ.end))


def _tf(count: int) -> float:
    return 2.0 - 1.0 / count


class RuleSet:
    """Compiled topics: one automaton for all their atoms. Build once per scoring run, reuse for every bill."""

    def __init__(self, topics: Sequence[TopicSpec], field_weights: Mapping[str, float] | None = None):
        self.field_weights = {**DEFAULT_FIELD_WEIGHTS, **(field_weights or {})}
        atom_index: dict[Atom, int] = {}
        self.topics: list[_CompiledTopic] = []
        self._local: dict[int, dict[Atom, int]] = {}
        for spec in topics:
            rules, excludes = [], []
            for rule_spec in spec.rules:
                rule = parse_rule(rule_spec.expression)
                ids = []
                for atom in rule.atoms:
                    ids.append(atom_index.setdefault(atom, len(atom_index)))
                compiled = _CompiledRule(rule_spec, rule, frozenset(ids), _has_near(rule.root),
                                         _simple_atoms(rule.root))
                (excludes if rule_spec.exclude else rules).append(compiled)
            self.topics.append(_CompiledTopic(spec, rules, excludes))
        self.atom_index = atom_index
        self.matcher = Matcher(list(atom_index))

    @classmethod
    def single(cls, expression: str, field_weights: Mapping[str, float] | None = None) -> RuleSet:
        """One rule as a topic of its own: what ``tracker topics test`` runs."""
        spec = TopicSpec(id=0, slug="test", name="test", threshold=0.0, rule_version=0,
                         rules=(RuleSpec(expression),))
        return cls([spec], field_weights)

    # -- evaluation ----------------------------------------------------------------------------------------

    def evaluate(self, doc: BillDoc) -> list[TopicResult]:
        """A result for every topic with at least one hit (topics with none are left out)."""
        hits = _DocHits(doc, self.matcher, self.atom_index)
        if not hits.present:
            return []
        results = []
        for topic in self.topics:
            result = self._score_topic(topic, hits)
            if result is not None:
                results.append(result)
        return results

    def _score_topic(self, topic: _CompiledTopic, hits: _DocHits) -> TopicResult | None:
        total = 0.0
        occs: list[tuple[_Occ, _CompiledRule]] = []
        matched = 0
        for compiled in topic.rules:
            if not (compiled.atom_ids & hits.present):
                continue
            scored = self._score_rule(compiled, hits)
            if scored is None:
                continue
            score, rule_occs = scored
            total += score
            matched += 1
            # Evidence needs the first few occurrences, not all 5,000 of a common word in a long bill text.
            occs.extend((o, compiled) for o in rule_occs[:MAX_EVIDENCE_OCCURRENCES])
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

    def _score_rule(self, compiled: _CompiledRule, hits: _DocHits) -> tuple[float, list[_Occ]] | None:
        if compiled.simple:
            return self._score_simple(compiled, hits)
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
            score = weight * self.field_weights.get(field_name, 1.0) * _tf(count)
            if best is None or score > best:
                best = score
        if best is not None:
            return best, evidence
        ok, occs = _eval(compiled.rule.root, None, hits)
        if not ok:
            return None
        fields_used = {o.field for o in occs} or set(FIELDS)
        return weight * min(self.field_weights.get(f, 1.0) for f in fields_used), occs

    def _score_simple(self, compiled: _CompiledRule, hits: _DocHits) -> tuple[float, list[_Occ]] | None:
        """Terms joined by OR: the best field is where the most repeated term scores most; no tree walk."""
        occs = [o for a in compiled.simple or () for o in hits.by_atom.get(self.atom_index[a], ())]
        if not occs:
            return None
        per_field: dict[str, dict[int, int]] = defaultdict(lambda: defaultdict(int))
        for o in occs:
            per_field[o.field][o.atom] += 1
        best = max(self.field_weights.get(f, 1.0) * _tf(max(counts.values())) for f, counts in per_field.items())
        return compiled.spec.weight * best, occs


def _simple_atoms(node: Node) -> list[Atom] | None:
    """The atoms of a rule that is only terms joined by OR (most rules), else None."""
    if isinstance(node, Term):
        return list(node.atoms)
    if isinstance(node, Or) and all(isinstance(c, Term) for c in node.children):
        return [a for c in node.children for a in c.atoms]  # type: ignore[union-attr]
    return None


def _has_near(node: Node) -> bool:
    if isinstance(node, Near):
        return True
    if isinstance(node, (And, Or)):
        return any(_has_near(c) for c in node.children)
    if isinstance(node, (Not, InField)):
        return _has_near(node.child)
    return False


def _eval(node: Node, scope: str | None, hits: _DocHits) -> tuple[bool, list[_Occ]]:
    """Whether ``node`` holds in ``scope`` (one field, or the whole bill when None), and the hits that show it."""
    if isinstance(node, Term):
        found = [o for a in node.atoms for o in _atom_occs(a, scope, hits)]
        return bool(found), found
    if isinstance(node, And):
        out: list[_Occ] = []
        for child in node.children:
            ok, occs = _eval(child, scope, hits)
            if not ok:
                return False, []
            out.extend(occs)
        return True, out
    if isinstance(node, Or):
        out = []
        any_ok = False
        for child in node.children:
            ok, occs = _eval(child, scope, hits)
            if ok:
                any_ok = True
                out.extend(occs)
        return any_ok, out
    if isinstance(node, Not):
        ok, _ = _eval(node.child, scope, hits)
        return not ok, []
    if isinstance(node, InField):
        if scope is not None and scope != node.field:
            return False, []
        return _eval(node.child, node.field, hits)
    return _eval_near(node, scope, hits)


def _atom_occs(atom: Atom, scope: str | None, hits: _DocHits) -> list[_Occ]:
    occs = hits.by_atom.get(hits.atom_index[atom], ())
    if scope is None:
        return list(occs)
    return [o for o in occs if o.field == scope]


def _eval_near(node: Near, scope: str | None, hits: _DocHits) -> tuple[bool, list[_Occ]]:
    found = hits.near_cache.get(id(node))
    if found is None:
        found = hits.near_cache[id(node)] = _near_spans(node, hits)
    if scope is not None:
        found = [o for o in found if o.field == scope]
    return bool(found), found


MAX_NEAR_SPANS = 50  # per field part: enough to count repetitions, bounded on a 500-page bill


NEAR_BYTES_PER_WORD = 64  # a word and the separators after it rarely take more: pairs further apart are not read


def _near_spans(node: Near, hits: _DocHits) -> list[_Occ]:
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
                    found.append(_Occ(-1, lo.field, lo.part, first.start,
                                      word_end(norm, max(lo.end, ro.end))))
                    found.extend((lo, ro))
                    spans += 1
                    break
            if spans >= MAX_NEAR_SPANS:
                break
    return found


def _evidence(occs: list[tuple[_Occ, _CompiledRule]], hits: _DocHits) -> tuple[list[str], list[dict[str, Any]]]:
    order = {name: i for i, name in enumerate(FIELDS)}
    # Count by the raw matched bytes first (cheap), turn only the distinct ones into readable terms.
    raw_counts: dict[bytes, int] = defaultdict(int)
    raw_first: dict[bytes, tuple[_Occ, _CompiledRule]] = {}
    seen: set[tuple[str, int, int, int]] = set()
    for occ, compiled in sorted(occs, key=lambda p: (order.get(p[0].field, 9), p[0].part, p[0].start)):
        key = (occ.field, occ.part, occ.start, occ.atom)
        if key in seen:
            continue
        seen.add(key)
        norm = hits.norms[(occ.field, occ.part)]
        raw = norm[occ.start:word_end(norm, occ.end)]
        if occ.atom >= 0:  # a NEAR span shows in evidence; its two ends are the matched terms
            raw_counts[raw] += 1
        raw_first.setdefault(raw, (occ, compiled))
    counts: dict[str, int] = defaultdict(int)
    for raw, n in raw_counts.items():
        counts[" ".join(raw.decode("ascii").split())] += n
    first: dict[str, tuple[_Occ, _CompiledRule]] = {}
    for raw, pair in raw_first.items():
        first.setdefault(" ".join(raw.decode("ascii").split()), pair)
    terms = sorted(counts, key=lambda t: (-counts[t], t))[:MAX_TERMS]
    # A NEAR span is the better evidence for its ends: show it instead of them.
    spans = [o[0] for o in first.values() if o[0].atom < 0]
    for span in spans:
        for t in list(first):
            o = first[t][0]
            if o.atom >= 0 and o.field == span.field and o.part == span.part and span.start <= o.start < span.end:
                del first[t]
    evidence = []
    for term, (occ, compiled) in sorted(first.items(), key=lambda kv: (order.get(kv[1][0].field, 9),
                                                                       -counts.get(kv[0], 1)))[:MAX_EVIDENCE]:
        original = hits.doc.fields[occ.field][occ.part]
        norm = hits.norms[(occ.field, occ.part)]
        evidence.append({"field": occ.field, "term": term, "rule": compiled.spec.expression,
                         "snippet": snippet(original, term, hint=occ.start / max(1, len(norm)))})
    return terms, evidence


def snippet(original: str, term: str, *, hint: float = 0.0, words: int = SNIPPET_WORDS) -> str:
    """A few words either side of ``term`` in the original text, the term marked [[like this]]."""
    parts = [re.escape(w) for w in term.split(" ") if w]
    pattern = re.compile(r"(?<![^\W_])" + r"[\W_]+".join(parts) + r"(?![^\W_])", re.IGNORECASE)
    guess = max(0, int(hint * len(original)) - 400)
    m = pattern.search(original, guess) or pattern.search(original)
    if m is None:  # cannot be placed in the original (unusual Unicode): show the normalized words alone
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


def evaluate_many(rule_set: RuleSet, docs: Iterable[BillDoc]) -> Iterable[tuple[BillDoc, list[TopicResult]]]:
    for doc in docs:
        yield doc, rule_set.evaluate(doc)
