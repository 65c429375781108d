"""Scoring: every rule of every topic evaluated on one automaton pass per field of a bill.

A rule that holds inside one field earns ``rule weight x field weight x repetition``, taking its best field
(title above summary above text); a rule that holds only across fields (A in the title, B in the summary) earns
the weight of the weakest field involved. Repetition saturates (1, 1.5, 1.67 ... never above 2), so a long bill
text that says "broadband" forty times does not outrank a bill about broadband; in a text longer than about three
pages it is counted per three pages (``repetition``), so passing mentions in a long bill add little. A topic's
keyword score is the sum over its rules; a hit on one of its exclusion rules vetoes the topic for that bill.
Each result keeps the terms found and a few evidence snippets, the term marked ``[[like this]]`` with some words
either side.

Speed: with many rules most matches belong to rules that are plain terms joined by OR, so matches are counted
per pattern (the automaton says which phrase and which plural matched) rather than handled one by one; scores,
matched terms and the first place of each term come from those counts. Occurrence records are made only for
the atoms of rules that need positions (AND, NOT, NEAR, field scopes) and for rules whose evidence is cut at
MAX_EVIDENCE_OCCURRENCES, whose first occurrences must be known in order. The operands of a NEAR are not
collected at all: the rarer side is read from the matches and the other only within a few words of it (the shipped
rules put common words such as "act" and "fund" beside rare ones), and a rule is evaluated only in the fields that
hold one of its terms. The results are the same as handling every occurrence and reading both sides of every NEAR
whole (tests/matching/test_engine_reference.py checks that on real bills; bench/matcher_same.py compares the full
outputs of two versions of the engine on the GovInfo texts and 3,000 bills of the 117th Congress).
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import compress, groupby
from operator import itemgetter
from typing import Any, NamedTuple, Protocol

import numpy as np

from tracker.matching.automaton import Matcher, word_end
from tracker.matching.folding import Offsets, char_offset, normalize_with_offsets
from tracker.matching.rules import FIELDS, And, Atom, InField, Near, Node, Not, Or, Rule, Term, parse_rule

DEFAULT_FIELD_WEIGHTS: dict[str, float] = {"title": 3.0, "summary": 1.5, "text": 1.0}
MAX_EVIDENCE = 3
MAX_EVIDENCE_OCCURRENCES = 200  # per rule: what terms and snippets are drawn from
MAX_TERMS = 20
SNIPPET_WORDS = 8
MARKED = re.compile(r"\[\[(.+?)\]\]", re.S)  # a matched term in a stored snippet


def quote_marks(snippet: str) -> str:
    """A stored snippet for plain text: "shall regulate «automated decision» systems"."""
    return MARKED.sub(lambda m: f"«{m.group(1)}»", snippet)


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
    classification: str | None = None  # "bill", "resolution"...: tracker.matching.ceremonial reads resolutions

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
    marks: tuple[tuple[int, int], ...] = ()  # a span's two terms, (start, end) each: what its evidence marks


@dataclass
class _CompiledRule:
    spec: RuleSpec
    rule: Rule
    atom_ids: frozenset[int]  # global indices of every atom it mentions
    has_near: bool
    simple: list[Atom] | None = None  # set when the rule is terms joined by OR
    simple_ids: list[int] | None = None  # their global indices, in rule order (a repeated term repeats)
    simple_counts: list[tuple[int, int]] | None = None  # (atom, times listed): an atom listed twice counts twice


@dataclass
class _CompiledTopic:
    spec: TopicSpec
    rules: list[_CompiledRule]
    excludes: list[_CompiledRule]


_FIELD_RANK = {name: i for i, name in enumerate(FIELDS)}
_Where = tuple[int, int, int]  # (field rank, part, start): the order evidence is read in
_PATTERN = itemgetter(0)
_END = itemgetter(2)


class _Part:
    """One part of one field (a title, the summary, the text): its automaton matches, in order of their ends."""

    __slots__ = ("field", "index", "matches", "resolved", "pids", "counts", "_ends", "_grouped")

    def __init__(self, field_name: str, index: int, matches: list[tuple[int, int, int]],
                 resolved: dict[int, list[tuple[int, int, int]]], pids: list[int], counts: dict[int, int]):
        self.field = field_name
        self.index = index
        self.matches = matches
        self.resolved = resolved  # match number -> what a match that needed a look at the text turned out to be
        self.pids = pids  # the pattern of each match
        self.counts = counts  # pattern -> matches
        self._ends: list[int] | None = None
        self._grouped: tuple[np.ndarray, np.ndarray] | None = None

    def ends(self) -> list[int]:
        """The end of each match: sorted, so the matches starting in a window are found by bisection."""
        if self._ends is None:
            self._ends = list(map(_END, self.matches))
        return self._ends

    def of_patterns(self, patterns: list[int]) -> list[int]:
        """The numbers of the matches of these patterns (each present in the part), pattern by pattern. The
        matches are grouped by pattern once (a stable sort, in numpy): a NEAR reads one side this way, and
        picking its matches out of all of them, NEAR by NEAR, cost more than the rest of the rule evaluation."""
        if len(self.pids) < 256:
            wanted = set(patterns)
            return list(compress(range(len(self.pids)), map(wanted.__contains__, self.pids)))
        if self._grouped is None:
            pids = np.array(self.pids, dtype=np.int64)
            order = np.argsort(pids, kind="stable")
            self._grouped = (order, pids[order])
        order, grouped = self._grouped
        counts = self.counts
        return [k for first, pattern in zip(np.searchsorted(grouped, patterns).tolist(), patterns, strict=True)
                for k in order[first:first + counts[pattern]].tolist()]


class _NearSide(NamedTuple):
    """One side of a NEAR, compiled: its atoms with their places in the side's list (a term listed twice is
    there twice) and every automaton pattern that can find one of them."""

    ranks: dict[int, tuple[int, ...]]
    patterns: frozenset[int]


# An occurrence on one side of a NEAR: (start, place in the side's list, match number, place among the atoms that
# match found, end, atom). Sorted, these come in the order a stable sort by start of the side's occurrence list
# (term by term, each in automaton order) gives, which decides which pair each occurrence makes.
_SideOcc = tuple[int, int, int, int, int, int]


class _DocHits:
    """The hits of one bill, counted: per field and atom (scores), per atom and matched term with the first
    place it occurs (terms and evidence); occurrence records only for the atoms that need them (``occs``)."""

    def __init__(self, doc: BillDoc, rule_set: RuleSet):
        matcher = rule_set.matcher
        self.doc = doc
        self.atom_index = rule_set.atom_index
        self.norms: dict[tuple[str, int], bytes] = {}
        self.offsets: dict[tuple[str, int], Offsets | None] = {}  # to take a match back to the original text
        self.near_cache: dict[int, list[_Occ]] = {}
        self.by_atom: dict[int, list[_Occ]] = {}
        self.field_counts: dict[str, dict[int, int]] = {}
        self.totals: dict[int, int] = defaultdict(int)  # atom -> occurrences in the whole bill
        # atom -> term -> [count, first _Where, field name], for the atoms of OR rules (RuleSet.term_atoms)
        self.terms: dict[int, dict[str, list[Any]]] = {}
        self._plain = plain = matcher.plain
        self._prefixed = prefixed = matcher.prefixed
        self._shared = shared = matcher.shared
        self._atom_patterns = matcher.atom_pattern_ids
        self._max_pattern = matcher.max_pattern_bytes
        self._near_sides = rule_set.near_sides
        self.term_ids = rule_set.term_ids
        needs_resolve, word_prefix = matcher.needs_resolve, rule_set.word_prefix
        term_atoms = rule_set.term_atoms
        self._parts: list[_Part] = []
        self._scoped: dict[tuple[int, str], list[_Occ]] = {}  # (atom, field) -> its occurrences there
        self.heads: dict[int, list[_Occ]] = {}  # first occurrences of atoms of rules whose evidence is cut
        totals, terms = self.totals, self.terms
        add_term = self._add_term
        # Title, summary, text: occurrence records are then collected in text order (evidence cut at
        # MAX_EVIDENCE_OCCURRENCES keeps the first ones), whatever order the fields were given in.
        for field_name, parts in sorted(doc.fields.items(), key=lambda kv: _FIELD_RANK.get(kv[0], 9)):
            rank = _FIELD_RANK.get(field_name, 9)
            for part_index, text in enumerate(parts):
                if not text:
                    continue
                norm, self.offsets[(field_name, part_index)] = normalize_with_offsets(text)
                self.norms[(field_name, part_index)] = norm
                matches = matcher.find(norm)
                if not matches:
                    continue
                counts = self.field_counts.setdefault(field_name, defaultdict(int))
                pids = list(map(_PATTERN, matches))
                # The first match of a pattern is its leftmost (matches come in order of their ends).
                first_at = dict(zip(reversed(pids), range(len(pids) - 1, -1, -1), strict=True))
                resolved: dict[int, list[tuple[int, int, int]]] = {}
                has_prefix = has_other = False
                pattern_counts = Counter(pids)
                for pattern, n in pattern_counts.items():
                    info = plain[pattern]
                    if info is None:
                        if (many := shared[pattern]) is not None:
                            where = (rank, part_index, matches[first_at[pattern]][1] + 1)
                            for atom in many[0]:
                                counts[atom] += n
                                totals[atom] += n
                                if atom in term_atoms:
                                    add_term(atom, many[1], n, where, field_name)
                        elif (atom := prefixed[pattern]) is None:
                            has_other = True
                        elif atom in term_atoms:
                            has_prefix = True
                        else:  # no evidence is drawn from the words it found: the count is enough
                            counts[atom] += n
                            totals[atom] += n
                        continue
                    atom, term = info
                    counts[atom] += n
                    totals[atom] += n
                    if atom not in term_atoms:
                        continue
                    # _add_term inlined: this runs for every pattern found in every bill
                    where = (rank, part_index, matches[first_at[pattern]][1] + 1)
                    by_term = terms.get(atom)
                    if by_term is None:
                        terms[atom] = {term: [n, where, field_name]}
                    elif (seen := by_term.get(term)) is None:
                        by_term[term] = [n, where, field_name]
                    else:
                        seen[0] += n
                        if where < seen[1]:
                            seen[1], seen[2] = where, field_name
                if has_prefix:
                    # A prefix ("cyber*") matches many different words: count by the word found, read up to
                    # the next separator; the first of each word is its leftmost (one pattern, in order of ends).
                    find = norm.find
                    # the prefix matches picked out in C (compress), not by a Python loop over every match
                    found_at = [(prefixed[p], s, e) for p, s, e in
                                map(matches.__getitem__, compress(range(len(pids)), map(word_prefix.__getitem__,
                                                                                        pids)))]
                    keys = [(a, norm[s + 1:find(b" ", e)]) for a, s, e in found_at]
                    first_key = dict(zip(reversed(keys), range(len(keys) - 1, -1, -1), strict=True))
                    for (atom, word), n in Counter(keys).items():
                        counts[atom] += n
                        totals[atom] += n
                        term = word.decode("utf-8") if b"  " not in word else " ".join(word.decode("utf-8").split())
                        add_term(atom, term, n, (rank, part_index, found_at[first_key[(atom, word)]][1] + 1),
                                 field_name)
                if has_other:  # several atoms behind one pattern, or a case to check: one match at a time
                    cased: list[bytes] = []
                    for i in compress(range(len(pids)), map(needs_resolve.__getitem__, pids)):
                        pattern, start, end = matches[i]
                        found = resolved[i] = matcher.resolve(pattern, start, end, text, cased,
                                                              self.offsets[(field_name, part_index)])
                        for atom, a_start, a_end in found:
                            counts[atom] += 1
                            totals[atom] += 1
                            if atom in term_atoms:
                                term = " ".join(norm[a_start:word_end(norm, a_end)].decode("utf-8").split())
                                add_term(atom, term, 1, (rank, part_index, a_start), field_name)
                self._parts.append(_Part(field_name, part_index, matches, resolved, pids, pattern_counts))
        self.present = frozenset(totals)
        self.by_atom = self._collect(self.present & rule_set.positional_atoms)

    def size(self, field_name: str) -> int:
        """Characters in the field, all its parts: what the text's mentions are taken per (``repetition``)."""
        return sum(len(t) for t in self.doc.fields.get(field_name, ()))

    def _add_term(self, atom: int, term: str, n: int, where: _Where, field_name: str) -> None:
        by_term = self.terms.get(atom)
        if by_term is None:
            by_term = self.terms[atom] = {}
        seen = by_term.get(term)
        if seen is None:
            by_term[term] = [n, where, field_name]
        else:
            seen[0] += n
            if where < seen[1]:
                seen[1], seen[2] = where, field_name

    def _collect(self, atoms: Iterable[int], limit: int | None = None) -> dict[int, list[_Occ]]:
        """Occurrence records for these atoms (at most ``limit`` each), in the order the automaton found them
        (NEAR pairs and cut evidence lists depend on that order): one pass over the matches for all of them."""
        need = {a for a in atoms if a in self.totals}
        out: dict[int, list[_Occ]] = {a: [] for a in need}
        if not need:
            return out
        plain, prefixed, shared = self._plain, self._prefixed, self._shared
        wanted: set[int] = set()  # the patterns that can find these atoms: only their matches are read
        for atom in need:
            wanted.update(self._atom_patterns[atom])
        for part in self._parts:
            field_name, part_index, matches, resolved = part.field, part.index, part.matches, part.resolved
            for i in compress(range(len(part.pids)), map(wanted.__contains__, part.pids)):
                pattern, start, end = matches[i]
                info = plain[pattern]
                if info is not None:
                    found = [(info[0], start + 1, end - 1)]
                elif (atom := prefixed[pattern]) is not None:
                    found = [(atom, start + 1, end)]
                elif (many := shared[pattern]) is not None:
                    found = [(atom, start + 1, end - 1) for atom in many[0]]
                else:
                    found = resolved[i]
                for atom, a_start, a_end in found:
                    if atom in need:
                        occs = out[atom]
                        occs.append(_Occ(atom, field_name, part_index, a_start, a_end))
                        if limit is not None and len(occs) >= limit:
                            need.discard(atom)
                if not need:
                    return out
        return out

    def add_heads(self, atoms: Iterable[int]) -> None:
        """The first MAX_EVIDENCE_OCCURRENCES occurrences of these atoms, for rules whose evidence is cut."""
        need = [a for a in atoms if a not in self.by_atom and a not in self.heads]
        if need:
            self.heads.update(self._collect(need, MAX_EVIDENCE_OCCURRENCES))

    def head(self, atom: int) -> list[_Occ]:
        found = self.by_atom.get(atom)
        return found if found is not None else self.heads.get(atom, [])

    def occs(self, atom: int) -> list[_Occ]:
        found = self.by_atom.get(atom)
        if found is None:  # not an atom of a positional rule: collected on demand
            found = self.by_atom[atom] = self._collect((atom,))[atom] if atom in self.totals else []
        return found

    def scoped_occs(self, atom: int, field_name: str) -> list[_Occ]:
        """The atom's occurrences in one field (a rule is evaluated once per field: filtered once)."""
        key = (atom, field_name)
        found = self._scoped.get(key)
        if found is None:
            counts = self.field_counts.get(field_name)
            found = self._scoped[key] = ([o for o in self.occs(atom) if o.field == field_name]
                                         if counts is not None and atom in counts else [])
        return found

    def near_spans(self, node: Near) -> list[_Occ]:
        """Pairs of (left, right) occurrences at most ``distance`` words apart, per field part (``_pairs``).

        The NEAR operands of the shipped rules are often common words ("act", "fund", "service*") beside a rare
        one ("communications", "9-1-1"): the rarer side is read whole and the other only where it starts within
        the byte window of one of its occurrences, found by bisection in the matches (which come in order of
        their ends). No occurrence outside those windows can make a pair, so the pairs are those of reading both
        sides whole (tests/matching/reference_engine.py keeps that definition)."""
        left, right = self._near_sides[id(node)]
        window = (node.distance + 1) * NEAR_BYTES_PER_WORD
        found: list[_Occ] = []
        for part in self._parts:
            in_left = _present(part, left)
            if not in_left:
                continue
            in_right = _present(part, right)
            if not in_right:
                continue
            counts = part.counts
            if sum(map(counts.__getitem__, in_left)) <= sum(map(counts.__getitem__, in_right)):
                lefts = self._side_occs(part, left, in_left)
                rights = self._side_occs(part, right, in_right, _windows(lefts, window)) if lefts else []
            else:
                rights = self._side_occs(part, right, in_right)
                lefts = self._side_occs(part, left, in_left, _windows(rights, window)) if rights else []
            if lefts and rights:
                _pairs(lefts, rights, node.distance, window, self.norms[(part.field, part.index)], part, found)
        return found

    def _side_occs(self, part: _Part, side: _NearSide, present: list[int],
                   windows: list[tuple[int, int]] | None = None) -> list[_SideOcc]:
        """The side's occurrences in the part, sorted (``_SideOcc``), ``present`` being its patterns found there;
        with ``windows`` only those starting inside one of them (disjoint and in order: none is found twice)."""
        plain, prefixed, shared = self._plain, self._prefixed, self._shared
        resolved, matches, pids = part.resolved, part.matches, part.pids
        ranks, patterns = side.ranks, side.patterns
        if windows is None:
            picked: Iterable[tuple[int, int, int]] = [(k, -1, -1) for k in part.of_patterns(present)]
        else:
            ends, longest = part.ends(), self._max_pattern
            # A match starts one byte before its first word and at most ``longest`` bytes before its end, so
            # the matches whose words start in a..b end in a..b - 1 + longest.
            picked = [(k, a, b) for a, b in windows
                      for k in range(bisect_left(ends, a), bisect_right(ends, b - 1 + longest)) if pids[k] in patterns]
        windowed = windows is not None
        out: list[_SideOcc] = []
        for k, a, b in picked:
            # A match's atoms are resolved as in _collect, written out in both rather than called per match:
            # these are the engine's hottest loops (bench/matcher.py).
            pattern, start, end = matches[k]
            info = plain[pattern]
            if info is not None:
                found = [(info[0], start + 1, end - 1)]
            elif (atom := prefixed[pattern]) is not None:
                found = [(atom, start + 1, end)]
            elif (many := shared[pattern]) is not None:
                found = [(atom, start + 1, end - 1) for atom in many[0]]
            else:
                found = resolved[k]
            for place, (atom, a_start, a_end) in enumerate(found):
                places = ranks.get(atom)
                if places is None or (windowed and not a <= a_start <= b):
                    continue
                for rank in places:
                    out.append((a_start, rank, k, place, a_end, atom))
        out.sort()
        return out


def _tf(count: int) -> float:
    return 2.0 - 1.0 / count


# A bill's text is scored on how concentrated a rule's mentions are, not on their number. Federal texts run to
# hundreds of pages, and a 200-page bill names almost every topic's words somewhere ("software" in a list of defense
# articles, an agency's "website", "telecommunications" in an IRS budget line): counted as a title or summary is,
# several rules each adding a little raised flags from 1 to 40 on 12 of 58 real GovInfo text samples, 34 of the 39
# added ones noise (docs/benchmarks.md). So in the text a rule's count is taken per TEXT_REFERENCE_CHARS, about three
# pages, the length of a short state bill: a text up to that long scores exactly as before (a short bill about its
# topic still flags), a longer one needs its mentions as dense as such a bill's, once every three pages for the
# rule's full weight. Below that a rule earns that fraction of its weight (linear up to 1, where it meets _tf), so
# one mention in 200 pages adds 1/60 of it and passing mentions in a long bill do not add up to a threshold.
# 10,000 rather than 30,000 (ten pages): per ten pages the texts still added 17 flags, 13 of them noise (budget
# lines of appropriations bills, a defense bill's AI center). Titles and summaries are scored as they always were.
TEXT_REFERENCE_CHARS = 10_000
DENSITY_FIELDS = frozenset({"text"})


def repetition(field_name: str, count: int, size: int) -> float:
    """The repetition factor of a rule found ``count`` times in a field of ``size`` characters."""
    if field_name not in DENSITY_FIELDS or size <= TEXT_REFERENCE_CHARS:
        return _tf(count)
    dense = count * TEXT_REFERENCE_CHARS / size
    return dense if dense < 1.0 else 2.0 - 1.0 / dense


class RuleSet:
    """Compiled topics: one automaton for all their atoms. Build once per scoring run, reuse for every bill."""

    def __init__(self, topics: Sequence[TopicSpec], field_weights: Mapping[str, float] | None = None):
        self.field_weights = {**DEFAULT_FIELD_WEIGHTS, **(field_weights or {})}
        atom_index: dict[Atom, int] = {}
        self.topics: list[_CompiledTopic] = []
        # Every scoring rule in topic order, the topic of each, and which rules each atom can make hold: a bill
        # then visits only the rules its atoms touch, not all 1,000.
        self._rules: list[_CompiledRule] = []
        self._rule_topic: list[int] = []
        atom_rules: dict[int, list[int]] = defaultdict(list)
        positional: set[int] = set()  # atoms of rules evaluated on occurrence records
        near_nodes: list[Near] = []
        terms: list[Term] = []
        for topic_number, spec in enumerate(topics):
            rules, excludes = [], []
            for rule_spec in spec.rules:
                rule = parse_rule(rule_spec.expression)
                ids = []
                for atom in rule.atoms:
                    ids.append(atom_index.setdefault(atom, len(atom_index)))
                simple = _simple_atoms(rule.root)
                compiled = _CompiledRule(rule_spec, rule, frozenset(ids), _has_near(rule.root), simple)
                if simple:
                    compiled.simple_ids = [atom_index[a] for a in simple]
                    compiled.simple_counts = list(Counter(compiled.simple_ids).items())
                else:
                    # NEAR reads its operands from the matches where it needs them (_DocHits.near_spans)
                    positional.update(atom_index[a] for t in _terms_outside_near(rule.root) for a in t.atoms)
                    near_nodes.extend(_near_nodes(rule.root))
                    terms.extend(_terms_outside_near(rule.root))
                if rule_spec.exclude:
                    excludes.append(compiled)
                    continue
                rules.append(compiled)
                for atom_id in compiled.atom_ids:
                    atom_rules[atom_id].append(len(self._rules))
                self._rules.append(compiled)
                self._rule_topic.append(topic_number)
            self.topics.append(_CompiledTopic(spec, rules, excludes))
        self.atom_index = atom_index
        self._atom_rules = dict(atom_rules)
        self.positional_atoms = frozenset(positional)
        self.matcher = Matcher(list(atom_index))
        # Atoms of scoring rules of terms joined by OR: their evidence is drawn from the terms found, counted
        # per word (``_DocHits.terms``); the other atoms' evidence comes from occurrence records.
        self.term_atoms = frozenset(a for r in self._rules if r.simple_ids for a in r.simple_ids)
        # Per pattern, whether it is a prefix of such an atom, whose matches are counted by the word they end in.
        self.word_prefix = [a is not None and a in self.term_atoms for a in self.matcher.prefixed]
        # Per term node that _eval reads, its atoms' indices (hashing the Atom dataclasses bill after bill cost
        # as much as finding their occurrences).
        self.term_ids = {id(t): tuple(atom_index[a] for a in t.atoms) for t in terms}
        self.near_sides = {id(node): (_near_side(node.left, atom_index, self.matcher),
                                      _near_side(node.right, atom_index, self.matcher)) for node in near_nodes}

    @classmethod
    def single(cls, expression: str, field_weights: Mapping[str, float] | None = None) -> RuleSet:
        """One rule as a topic of its own: what ``tracker topics test`` runs."""
        spec = TopicSpec(id=0, slug="test", name="test", threshold=0.0, rule_version=0,
                         rules=(RuleSpec(expression),))
        return cls([spec], field_weights)

    # -- evaluation ----------------------------------------------------------------------------------------

    def evaluate(self, doc: BillDoc) -> list[TopicResult]:
        """A result for every topic with at least one hit (topics with none are left out)."""
        hits = _DocHits(doc, self)
        if not hits.present:
            return []
        atom_rules = self._atom_rules
        touched = sorted({r for a in hits.present for r in atom_rules.get(a, ())})
        results = []
        for topic_number, group in groupby(touched, key=self._rule_topic.__getitem__):
            result = self._score_topic(self.topics[topic_number], [self._rules[r] for r in group], hits)
            if result is not None:
                results.append(result)
        return results

    def _score_topic(self, topic: _CompiledTopic, touched: list[_CompiledRule], hits: _DocHits) -> TopicResult | None:
        """``touched``: the topic's rules that mention an atom found in the bill, in the topic's order."""
        total = 0.0
        matched = 0
        whole: list[tuple[int, _CompiledRule]] = []  # OR rules whose every occurrence is evidence: counts suffice
        listed: list[tuple[int, _CompiledRule, list[_Occ]]] = []  # the others, with their occurrences in order
        for position, compiled in enumerate(touched):
            if compiled.simple_counts is not None:
                score = self._score_simple(compiled, hits)
                if score is None:
                    continue
                # Evidence needs the first few occurrences, not all 5,000 of a common word in a long bill text.
                if sum(hits.totals.get(a, 0) * n for a, n in compiled.simple_counts) > MAX_EVIDENCE_OCCURRENCES:
                    hits.add_heads(compiled.simple_ids or ())
                    occs = [o for a in compiled.simple_ids or () for o in hits.head(a)]
                    listed.append((position, compiled, first_occurrences(occs)))
                else:
                    whole.append((position, compiled))
            else:
                scored = self._score_rule(compiled, hits)
                if scored is None:
                    continue
                score, rule_occs = scored
                listed.append((position, compiled, first_occurrences(rule_occs)))
            total += score
            matched += 1
        if not matched:
            return None
        result = TopicResult(topic.spec.id, round(total, 4), rules_matched=matched)
        for compiled in topic.excludes:
            # A rule of terms joined by OR holds as soon as one of its atoms was found.
            if compiled.atom_ids & hits.present and (
                    compiled.simple_counts is not None or _eval(compiled.rule.root, None, hits)[0]):
                result.vetoed_by = compiled.spec.expression
                result.keyword_score = 0.0
                break
        result.matched_terms, result.evidence = _evidence(whole, listed, hits)
        return result

    def _score_rule(self, compiled: _CompiledRule, hits: _DocHits) -> tuple[float, list[_Occ]] | None:
        weight = compiled.spec.weight
        best: float | None = None
        evidence: list[_Occ] = []  # from every field where the rule holds, for terms and snippets
        for field_name in FIELDS:
            # A rule holds in a field only through a term found there (rules.py refuses rules that hold through
            # an absence alone): a field with none of its atoms is not evaluated.
            counts = hits.field_counts.get(field_name)
            if counts is None or not any(map(counts.__contains__, compiled.atom_ids)):
                continue
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
            score = weight * self.field_weights.get(field_name, 1.0) * repetition(field_name, count,
                                                                                 hits.size(field_name))
            if best is None or score > best:
                best = score
        if best is not None:
            return best, evidence
        ok, occs = _eval(compiled.rule.root, None, hits)
        if not ok:
            return None
        fields_used = {o.field for o in occs} or set(FIELDS)
        return weight * min(self.field_weights.get(f, 1.0) * repetition(f, 1, hits.size(f))
                            for f in fields_used), occs

    def _score_simple(self, compiled: _CompiledRule, hits: _DocHits) -> float | None:
        """Terms joined by OR: the best field is where the most repeated term scores most; from the counts."""
        best: float | None = None
        for field_name, counts in hits.field_counts.items():
            most = 0
            for atom, times in compiled.simple_counts or ():
                n = counts.get(atom, 0) * times
                if n > most:
                    most = n
            if most:
                score = self.field_weights.get(field_name, 1.0) * repetition(field_name, most,
                                                                            hits.size(field_name))
                if best is None or score > best:
                    best = score
        return None if best is None else compiled.spec.weight * best


def _text_order(occ: _Occ) -> tuple[int, int, int, int, int]:
    return _FIELD_RANK.get(occ.field, 9), occ.part, occ.start, occ.end, occ.atom


def first_occurrences(occs: list[_Occ]) -> list[_Occ]:
    """What a rule's terms and evidence are drawn from: all its occurrences, or past MAX_EVIDENCE_OCCURRENCES
    the first ones in text order and the first of every atom not among them. Cutting the list as the rule
    tree gave it (term by term) made the terms found depend on the order the rule lists them in."""
    if len(occs) <= MAX_EVIDENCE_OCCURRENCES:
        return occs
    ordered = sorted(occs, key=_text_order)
    kept = ordered[:MAX_EVIDENCE_OCCURRENCES]
    seen = {o.atom for o in kept}
    for occ in ordered[MAX_EVIDENCE_OCCURRENCES:]:
        if occ.atom not in seen:
            seen.add(occ.atom)
            kept.append(occ)
    return kept


def _simple_atoms(node: Node) -> list[Atom] | None:
    """The atoms of a rule that is only terms joined by OR (most rules), else None."""
    if isinstance(node, Term):
        return list(node.atoms)
    if isinstance(node, Or) and all(isinstance(c, Term) for c in node.children):
        return [a for c in node.children for a in c.atoms]  # type: ignore[union-attr]
    return None


def _near_nodes(node: Node) -> list[Near]:
    if isinstance(node, Near):
        return [node]
    if isinstance(node, (And, Or)):
        return [n for c in node.children for n in _near_nodes(c)]
    if isinstance(node, (Not, InField)):
        return _near_nodes(node.child)
    return []


def _terms_outside_near(node: Node) -> list[Term]:
    """The terms a rule reads on their own, not as a NEAR operand."""
    if isinstance(node, Term):
        return [node]
    if isinstance(node, (And, Or)):
        return [t for c in node.children for t in _terms_outside_near(c)]
    if isinstance(node, (Not, InField)):
        return _terms_outside_near(node.child)
    return []


def _near_side(node: Node, atom_index: dict[Atom, int], matcher: Matcher) -> _NearSide:
    """A NEAR operand (a term or an OR of terms, rules.py checks) compiled for ``_DocHits.near_spans``."""
    terms = [node] if isinstance(node, Term) else list(node.children)  # type: ignore[union-attr]
    ranks: dict[int, list[int]] = defaultdict(list)
    for rank, atom in enumerate(a for term in terms for a in term.atoms):  # type: ignore[union-attr]
        ranks[atom_index[atom]].append(rank)
    patterns = frozenset(p for a in ranks for p in matcher.atom_pattern_ids[a])
    return _NearSide({a: tuple(r) for a, r in ranks.items()}, patterns)


def _has_near(node: Node) -> bool:
    if isinstance(node, Near):
        return True
    if isinstance(node, (And, Or)):
        return any(_has_near(c) for c in node.children)
    if isinstance(node, (Not, InField)):
        return _has_near(node.child)
    return False


def _eval(node: Node, scope: str | None, hits: _DocHits, named: bool = False) -> tuple[bool, list[_Occ]]:
    """Whether ``node`` holds in ``scope`` (one field, or the whole bill when None), and the hits that show it.

    ``named``: the scope is a field the rule names (``title:(...)``). Otherwise it is only the field being
    scored, and a NOT looks at the whole bill: "privacy AND NOT health" does not hold for a bill whose title
    says health and whose summary says privacy, and neither does "privacy AND NOT title:health"."""
    if isinstance(node, Term):
        ids = hits.term_ids[id(node)]
        if scope is None:
            present = hits.present
            found = [o for a in ids if a in present for o in hits.occs(a)]
        else:
            # a term absent from the field, the usual case, costs one look-up per atom
            present = hits.field_counts.get(scope, ())
            found = [o for a in ids if a in present for o in hits.scoped_occs(a, scope)]
        return bool(found), found
    if isinstance(node, And):
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


def _eval_near(node: Near, scope: str | None, hits: _DocHits) -> tuple[bool, list[_Occ]]:
    found = hits.near_cache.get(id(node))
    if found is None:
        found = hits.near_cache[id(node)] = hits.near_spans(node)
    if scope is not None:
        found = [o for o in found if o.field == scope]
    return bool(found), found


MAX_NEAR_SPANS = 50  # per field part: enough to count repetitions, bounded on a 500-page bill


NEAR_BYTES_PER_WORD = 64  # a word and the separators after it rarely take more: pairs further apart are not read


def _present(part: _Part, side: _NearSide) -> list[int]:
    """The side's patterns that have matches in the part (the more matches, the more of its occurrences there
    may be: the side with fewer is read whole)."""
    counts, patterns = part.counts, side.patterns
    if len(patterns) < len(counts):
        return [p for p in patterns if p in counts]
    return [p for p in counts if p in patterns]


def _windows(occs: list[_SideOcc], window: int) -> list[tuple[int, int]]:
    """The starts within ``window`` bytes of these (sorted) occurrences, as disjoint ranges in order."""
    out: list[list[int]] = []
    for occ in occs:
        a, b = occ[0] - window, occ[0] + window
        if out and a <= out[-1][1]:
            out[-1][1] = b
        else:
            out.append([a, b])
    return [(a, b) for a, b in out]


def _pairs(lefts: list[_SideOcc], rights: list[_SideOcc], distance: int, window: int, norm: bytes, part: _Part,
           found: list[_Occ]) -> None:
    """The NEAR pairs of one field part, appended to ``found`` as (span, left, right) records: each left
    occurrence in order pairs with the first right one (by start) within the byte window whose words between
    them number fewer than ``distance``; at most MAX_NEAR_SPANS. Only candidates have the words between them
    counted, so a 500-page bill costs no more than its hits."""
    field_name, part_index = part.field, part.index
    starts = [o[0] for o in rights]
    n_rights = len(rights)
    spans = 0
    for lo in lefts:
        lo_start = lo[0]
        i = bisect_left(starts, lo_start - window)
        while i < n_rights and starts[i] <= lo_start + window:
            ro = rights[i]
            i += 1
            if ro[0] == lo_start:
                continue
            first, second = (lo, ro) if lo_start < ro[0] else (ro, lo)
            first_end = word_end(norm, first[4])
            between = len(norm[first_end:second[0]].split())  # words strictly between
            if between < distance:
                # one span from the first word to the last, so evidence shows both terms in context
                end = word_end(norm, max(lo[4], ro[4]))
                # Adjacent or overlapping terms are marked as one: "[[data brokers]]".
                marks = (((first[0], first_end), (second[0], word_end(norm, second[4])))
                         if between and second[0] >= first_end else ((first[0], end),))
                found.append(_Occ(-1, field_name, part_index, first[0], end, marks))
                found.append(_Occ(lo[5], field_name, part_index, lo_start, lo[4]))
                found.append(_Occ(ro[5], field_name, part_index, ro[0], ro[4]))
                spans += 1
                break
        if spans >= MAX_NEAR_SPANS:
            break


def _evidence(whole: list[tuple[int, _CompiledRule]], listed: list[tuple[int, _CompiledRule, list[_Occ]]],
              hits: _DocHits) -> tuple[list[str], list[dict[str, Any]]]:
    """Matched terms (most frequent first) and evidence (first place of each term, title first) of one topic.

    Read as one list: the occurrences of the matched rules in rule order, each counted once, ordered by field,
    part and offset (ties: the earlier rule, then its earlier term). ``whole`` rules contribute all the
    occurrences of their atoms, taken from the counts; ``listed`` ones their own occurrence lists."""
    counts: dict[str, int] = {}
    # term -> (order key, field, part, start, rule, marks) of its first occurrence
    first: dict[str, tuple[Any, str, int, int, _CompiledRule, tuple[tuple[int, int], ...]]] = {}
    owner: dict[int, tuple[int, int, _CompiledRule]] = {}  # atom -> the first whole rule listing it
    for position, compiled in whole:
        for place, atom in enumerate(compiled.simple_ids or ()):
            if atom not in owner:
                owner[atom] = (position, place, compiled)
    terms_of = hits.terms
    for atom, (position, place, compiled) in owner.items():
        for term, (n, where, field_name) in terms_of[atom].items() if atom in terms_of else ():
            counts[term] = counts.get(term, 0) + n
            key = (where, position, place)
            seen = first.get(term)
            if seen is None or key < seen[0]:
                first[term] = (key, field_name, where[1], where[2], compiled, ())
    done: set[tuple[str, int, int, int]] = set()
    norms = hits.norms
    for position, compiled, occs in listed:
        for place, occ in enumerate(occs):
            atom, field_name, part, start, end, marks = occ
            mark = (field_name, part, start, atom)
            if mark in done:
                continue
            done.add(mark)
            norm = norms[(field_name, part)]
            if marks:  # a NEAR span shows in evidence with its two terms marked; they count as themselves
                term = span_term(norm, marks)
            else:
                if norm[end] != 32:  # a prefix: read to the end of its word (word_end, inlined: up to 200 a rule)
                    end = norm.find(b" ", end)
                raw = norm[start:end]
                term = raw.decode("utf-8") if b"  " not in raw else " ".join(raw.decode("utf-8").split())
                if atom not in owner:
                    counts[term] = counts.get(term, 0) + 1
            key = ((_FIELD_RANK.get(field_name, 9), part, start), position, place)
            seen = first.get(term)
            if seen is None or key < seen[0]:
                first[term] = (key, field_name, part, start, compiled, marks)
    terms = sorted(counts, key=lambda t: (-counts[t], t))[:MAX_TERMS]
    candidates = [Candidate((key[0][0], -counts.get(term, 1), key), term, field_name, part, start,
                            compiled.spec.expression, marks)
                  for term, (key, field_name, part, start, compiled, marks) in first.items()]
    return terms, evidence_entries(candidates, hits)


SPAN_JOINER = " … "


def span_term(norm: bytes, marks: tuple[tuple[int, int], ...]) -> str:
    """What evidence calls a NEAR span: its two terms, "technology … education"."""
    return SPAN_JOINER.join(" ".join(norm[s:e].decode("utf-8").split()) for s, e in marks)


class Candidate(NamedTuple):
    """The first place of one matched term, as evidence could show it."""

    order: Any  # evidence is shown in this order: title first, then the most frequent terms
    term: str
    field: str
    part: int
    start: int  # in the normalized text
    rule: str
    marks: tuple[tuple[int, int], ...] = ()  # a NEAR span's terms (``_Occ.marks``): marked instead of the whole


class _Texts(Protocol):
    doc: BillDoc
    norms: dict[tuple[str, int], bytes]
    offsets: dict[tuple[str, int], Offsets | None]


def evidence_entries(candidates: list[Candidate], texts: _Texts) -> list[dict[str, Any]]:
    """Snippets for at most MAX_EVIDENCE places, in the candidates' order, never showing the same words twice.

    A term whose first place lies inside another's (the ends of a NEAR span, "data" inside "data privacy")
    shows with it, and a place that overlaps one already shown is skipped: three snippets of one title, each
    marking other words of it, left no room for the summary's evidence."""
    placed = sorted(((c, c.marks[-1][1] if c.marks else _term_end(texts.norms[(c.field, c.part)], c.start, c.term))
                     for c in candidates), key=lambda ce: (ce[0].field, ce[0].part, ce[0].start, -ce[1]))
    kept = []
    reach: dict[tuple[str, int], int] = {}  # per field part, the furthest end of the places before
    for candidate, end in placed:
        where = (candidate.field, candidate.part)
        if reach.get(where, -1) < end:
            kept.append((candidate, end))
            reach[where] = end
    shown: list[tuple[Candidate, int]] = []
    for candidate, end in sorted(kept, key=lambda ce: ce[0].order):
        if any(c.field == candidate.field and c.part == candidate.part and candidate.start < e and c.start < end
               for c, e in shown):
            continue
        shown.append((candidate, end))
        if len(shown) == MAX_EVIDENCE:
            break
    out = []
    for c, end in shown:
        offsets = texts.offsets[(c.field, c.part)]
        marks = [(char_offset(offsets, s), char_offset(offsets, e)) for s, e in c.marks] or None
        out.append({"field": c.field, "term": c.term, "rule": c.rule,
                    "snippet": snippet_at(texts.doc.fields[c.field][c.part], char_offset(offsets, c.start),
                                          char_offset(offsets, end), marks=marks)})
    return out


def _term_end(norm: bytes, start: int, term: str) -> int:
    """The end of the occurrence of ``term`` that starts at ``start`` of the normalized text: past its words and
    the separators between them."""
    end = start
    for _ in range(term.count(" ") + 1):
        while norm[end] == 32:
            end += 1
        end = norm.find(b" ", end)
    return end


@lru_cache(maxsize=4096)
def _term_pattern(term: str) -> re.Pattern[str]:
    """The term's words separated by non-word characters, not inside a longer word, any case.

    "Not preceded by a word character" is checked after the first character, as a two-character look-behind:
    the same matches, but a pattern that starts with a literal lets the regex engine skip ahead to where that
    character occurs instead of trying the look-behind at every position (measured 2.5 times faster)."""
    words = [w for w in term.split(" ") if w]
    if not words:
        return re.compile(r"(?<![^\W_])(?![^\W_])", re.IGNORECASE)
    head, words[0] = words[0][0], words[0][1:]
    body = r"[\W_]+".join(re.escape(w) for w in words)
    return re.compile(re.escape(head) + r"(?<![^\W_][\s\S])" + body + r"(?![^\W_])", re.IGNORECASE)


def snippet(original: str, term: str, *, hint: float = 0.0, words: int = SNIPPET_WORDS) -> str:
    """A few words either side of ``term`` in the original text, the term marked [[like this]]."""
    pattern = _term_pattern(term)
    guess = max(0, int(hint * len(original)) - 400)
    m = pattern.search(original, guess) or pattern.search(original)
    if m is None:  # cannot be placed in the original (unusual Unicode): show the normalized words alone
        return f"[[{term}]]"
    return snippet_at(original, *m.span(), words=words)


def snippet_at(original: str, start: int, end: int, *, words: int = SNIPPET_WORDS,
               marks: Sequence[tuple[int, int]] | None = None) -> str:
    """A few words either side of ``original[start:end]``, which is marked [[like this]]; with ``marks``
    (ranges inside it) only those are, "[[Technology]]; Exploration; [[Education]]"."""
    reach = 20 * words
    before = original[max(0, start - reach):start]
    after = original[end:end + reach]
    # Split off only the words shown: one more part than that means there were more words.
    before_words, after_words = before.rsplit(None, words), after.split(None, words)
    more_before, more_after = len(before_words) > words, len(after_words) > words
    if marks:
        pieces, pos = [], start
        for s, e in marks:
            pieces += [original[pos:s], "[[", original[s:e], "]]"]
            pos = e
        pieces.append(original[pos:end])
        text = " ".join("".join(pieces).split())
    else:
        text = "[[" + " ".join(original[start:end].split()) + "]]"
    if before_words:
        glue = "" if not before[-1].isspace() else " "
        text = " ".join(before_words[1:] if more_before else before_words) + glue + text
    if after_words:
        glue = "" if not after[0].isspace() else " "
        text = text + glue + " ".join(after_words[:words])
    if more_before or start > reach:
        text = "… " + text
    if more_after or end + reach < len(original):
        text = text + " …"
    return text
