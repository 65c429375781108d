"""One pass over a document for every atom of every rule: an Aho-Corasick automaton over normalized text.

Why ahocorasick-rs: it wraps the Rust ``aho-corasick`` crate (the automaton behind ripgrep) and builds a real
DFA, so each byte costs one table lookup whatever the number of patterns: the cost grows with the text and not
with the rules (bench/matcher.py measures it). pyahocorasick's trie iterator measured about half the speed on
bill text here, a pure-Python automaton tops out near 10 MB/s, and a regular-expression alternation slows down
as phrases are added.

Normalization makes word boundaries, case and punctuation part of the text the automaton reads: one byte
table turns the UTF-8 text into lowercase words separated by spaces, wrapped in spaces (tracker.matching.folding;
letters outside ASCII are folded first, only where a text has them). A pattern is " word " (or " prefix" for a
wildcard), so a match can only start and end on word boundaries and "machine-learning" reads as "machine
learning"; on ASCII text no per-character work happens in Python.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

import ahocorasick_rs

from tracker.matching.folding import Offsets, char_offset, normalize_bytes, normalize_with_offsets
from tracker.matching.rules import Atom

__all__ = ["Hit", "Matcher", "atom_patterns", "normalize", "normalize_bytes", "singular", "surface", "word_end",
           "word_forms", "words_of"]

# The words of a phrase may be separated by one to three non-word characters: " ", "-", ", ", " & " ("R & D"),
# " - " ("machine - learning"); runs of four or more never. Each gap is a pattern of its own, so a phrase of n
# words has MAX_GAP ** (n - 1) of them: past MAX_VARIANTS (phrases of seven words or more) a phrase allows two,
# which still reads ", " and ". " ("United States Naval Station, Guantanamo Bay, Cuba"), and past 13 words one.
MAX_GAP = 3
MAX_VARIANTS = 3 ** 5
LONG_PHRASE_VARIANTS = 2 ** 12
_NON_PLURAL_ENDINGS = ("ss", "us", "is", "ics")
_UNCHANGED_WORDS = frozenset({"news", "series", "species", "bias", "alias", "canvas", "atlas", "lens", "chaos",
                              "gas", "yes", "this", "has", "was", "does", "less", "ross", "texas",
                              "kansas", "arkansas", "always", "perhaps"})
# Plurals the suffix rules below cannot derive. -f/-fe words are listed one by one: a rule ("safe" -> "saves",
# "belief" -> "believes") would find verbs.
_IRREGULAR_PLURALS = {
    "child": "children", "person": "people", "man": "men", "woman": "women", "foot": "feet", "tooth": "teeth",
    "mouse": "mice", "criterion": "criteria", "phenomenon": "phenomena", "index": "indices", "matrix": "matrices",
    "appendix": "appendices", "life": "lives", "wife": "wives", "knife": "knives", "half": "halves",
    "leaf": "leaves", "shelf": "shelves", "self": "selves", "thief": "thieves", "wolf": "wolves",
}
_IRREGULAR_SINGULARS = {plural: base for base, plural in _IRREGULAR_PLURALS.items()}


def normalize(text: str, *, lower: bool = True) -> str:
    return normalize_bytes(text, lower=lower).decode("utf-8")


def words_of(text: str, *, lower: bool = True) -> list[str]:
    """The words of ``text`` as normalization sees them."""
    return normalize(text, lower=lower).split()


def singular(word: str) -> str:
    """A light English singular (after Harman's S-stemmer): vehicles -> vehicle, companies -> company."""
    return singulars(word)[0]


def singulars(word: str) -> tuple[str, ...]:
    """The singulars ``word`` may be the plural of, likeliest first. English spelling does not say whether
    "-ies" drops "-ies" for "-y" (policies, companies) or only the "s" (cookies, movies), nor whether "-ches"
    drops "-es" (searches) or only the "s" (caches, niches): both are kept, the other reading being no word.
    The same holds for "-oes" (heroes, shoes) and "-ses" (analyses, crises from "-sis"; buses, cases)."""
    if word in _IRREGULAR_SINGULARS:
        return (_IRREGULAR_SINGULARS[word],)
    if len(word) <= 3 or word in _UNCHANGED_WORDS or word.endswith(_NON_PLURAL_ENDINGS) or not word.isalpha():
        return (word,)
    if word.endswith("ies") and len(word) > 4 and word[-4] not in "aeiou":
        return word[:-3] + "y", word[:-1]
    if word.endswith("ses"):  # not "bases": "basis" is another word
        return (word[:-2], word[:-1], word[:-2] + "is") if len(word) > 5 else (word[:-2], word[:-1])
    if word.endswith("oes") or (word.endswith("es") and word[:-2].endswith(("x", "z", "ch", "sh"))):
        return word[:-2], word[:-1]
    if word.endswith("s") and not word.endswith("'s"):
        return (word[:-1],)
    return (word,)


def _plurals(base: str) -> tuple[str, ...]:
    if base in _IRREGULAR_PLURALS:
        return _IRREGULAR_PLURALS[base], base + "s"  # "persons" too
    if base.endswith("is") and len(base) > 3:
        return (base[:-2] + "es",)  # analysis -> analyses
    if base.endswith(("s", "x", "z", "ch", "sh")):
        return (base + "es",)
    if base.endswith("y") and len(base) > 2 and base[-2] not in "aeiou":
        return (base[:-1] + "ies",)
    if base.endswith("o") and len(base) > 2 and base[-2] not in "aeiou":
        return base + "s", base + "es"  # memos, vetoes
    return (base + "s",)


def word_forms(word: str) -> set[str]:
    """The word, its singulars and their plurals; possessives need nothing (' is a separator). A plural that is
    a word of its own ("new" -> "news") is left out."""
    if len(word) <= 2 or not word.isalpha():
        return {word}
    forms = {word}
    for base in singulars(word):
        forms.add(base)
        forms.update(p for p in _plurals(base) if p not in _UNCHANGED_WORDS)
    return forms


def _gaps(n_words: int) -> list[str]:
    """Separator runs allowed between the words of a phrase: 1 to 3 spaces, 1 or 2 for long phrases."""
    joins = max(0, n_words - 1)
    if MAX_GAP ** joins <= MAX_VARIANTS:
        gap = MAX_GAP
    elif 2 ** joins <= LONG_PHRASE_VARIANTS:
        gap = 2
    else:
        gap = 1
    return [" " * g for g in range(1, gap + 1)]


def atom_patterns(atom: Atom) -> list[str]:
    """The automaton keys for one atom: every plural form and every allowed gap between its words."""
    words = words_of(" ".join(atom.words))
    if not words:
        return []
    *head, last = words
    if atom.prefix:
        lasts = [last]
    elif atom.exact or len(atom.words) != len(words):
        lasts = [last]  # exact, or a word that normalization split (an accented letter): no plural guessing
    else:
        lasts = sorted(word_forms(last))
    patterns = []
    for gaps in _gap_combinations(len(words)):
        body = "".join(w + g for w, g in zip(head, gaps, strict=True))
        for form in lasts:
            patterns.append(" " + body + form + ("" if atom.prefix else " "))
    return patterns


# A word written closed up ("wifi", "ecommerce") also finds it hyphenated ("Wi-Fi", "e-commerce"): one key per
# place a hyphen could be, and the hyphen is checked in the text when the key matches (``Matcher.resolve``):
# normalization reads a hyphen as a space, and "therapist" must not find "the rapist". Each part has two letters
# or more, but for the "e-" of e-commerce and e-mail: a key such as " b and " (from "band") would match every
# "(B) and" of a bill's text only to be checked and dropped.
MIN_SPLIT_WORD = 4
# One key per cut makes the keys of a word grow with the square of its length: a pasted 5,000-letter token took
# 14 s to compile and a 100,000-letter one ran out of memory. No word written with a hyphen is this long.
MAX_SPLIT_WORD = 64
HYPHENS = frozenset("-\u2010\u2011")


def hyphen_split_patterns(atom: Atom) -> list[tuple[str, int]]:
    """Keys that find a one-word atom written with a hyphen inside it, each with the hyphen's offset from the
    start of the matched words."""
    if atom.exact or len(atom.words) != 1:
        return []
    words = words_of(atom.words[0])
    if len(words) != 1 or not words[0].isalpha() or not MIN_SPLIT_WORD <= len(words[0]) <= MAX_SPLIT_WORD:
        return []
    word = words[0]
    forms = [word] if atom.prefix else sorted(word_forms(word))
    end = "" if atom.prefix else " "
    # Cuts are counted on each form, not on the word written: "children" also reads "child", and a cut past
    # the end of "child" made a key " child  " whose hyphen lay past the text ("child." raised IndexError).
    return [(f" {form[:cut]} {form[cut:]}{end}", cut) for form in forms
            for cut in range(1 if form[0] == "e" else 2, len(form) - 1)]


def _gap_combinations(n_words: int) -> list[tuple[str, ...]]:
    combos: list[tuple[str, ...]] = [()]
    for _ in range(n_words - 1):
        combos = [c + (g,) for c in combos for g in _gaps(n_words)]
    return combos


class Hit(NamedTuple):
    atom: int  # index into the matcher's atoms
    start: int  # offset of the first matched word in the normalized text
    end: int  # offset just past the last matched word


# A DFA needs memory per state; past this many keys the automaton is a contiguous NFA (a little slower).
DFA_MAX_PATTERNS = 20_000


class Matcher:
    """All atoms compiled into one automaton. ``scan`` returns every occurrence of every atom."""

    def __init__(self, atoms: Sequence[Atom]):
        self.atoms = list(atoms)
        # pattern -> (atom, prefix, the exact words to check, the offset of a hyphen to check)
        entries: dict[str, list[tuple[int, bool, tuple[bytes, ...] | None, int | None]]] = {}
        for index, atom in enumerate(self.atoms):
            exact = tuple(w.encode() for w in words_of(" ".join(atom.words), lower=False)) if atom.exact else None
            for pattern in atom_patterns(atom):
                entries.setdefault(pattern, []).append((index, atom.prefix, exact, None))
            for pattern, hyphen in hyphen_split_patterns(atom):
                entries.setdefault(pattern, []).append((index, atom.prefix, None, hyphen))
        self.pattern_count = len(entries)
        self._targets = [tuple(t) for t in entries.values()]
        # One atom behind a pattern and nothing to check in the text: the common case, handled without an inner
        # loop. A prefix match ends inside its word; callers that show or count words extend it (word_end).
        self._simple = [(t[0][0], 0 if t[0][1] else -1) if len(t) == 1 and t[0][2] is None and t[0][3] is None
                        else None for t in self._targets]
        self.prefix_atoms = frozenset(i for i, a in enumerate(self.atoms) if a.prefix)
        # Per pattern, (atom, term) when a match of it needs no look at the text: one atom, no case to check,
        # whole words. Then the pattern alone says what was found ("data  privacy" reads "data privacy"), so
        # the engine counts matches by pattern instead of handling each one; None for the others.
        self.plain = [(fast[0], " ".join(p.split())) if fast is not None and fast[1] == -1 else None
                      for p, fast in zip(entries, self._simple, strict=True)]
        # Per pattern, the atom when it is the one prefix atom behind it ("cyber*"): the word it ends in varies.
        self.prefixed = [fast[0] if fast is not None and fast[1] == 0 else None for fast in self._simple]
        # Per pattern, (atoms, term) when it is whole words of several atoms with nothing to check ("funds" is
        # "fund" in the plural and the word "funds" of another rule): each match is every one of them.
        self.shared = [(tuple(t[0] for t in targets), " ".join(p.split()))
                       if len(targets) > 1 and all(not t[1] and t[2] is None and t[3] is None for t in targets)
                       else None for p, targets in zip(entries, self._targets, strict=True)]
        # Per pattern, whether its matches are read one by one (``resolve``): none of the three cases above. As
        # lists of booleans the engine picks those matches out with itertools.compress, in C, not a Python loop.
        self.needs_resolve = [a is None and b is None and c is None
                              for a, b, c in zip(self.plain, self.prefixed, self.shared, strict=True)]
        self.is_prefixed = [b is not None for b in self.prefixed]
        # Per atom, the patterns whose matches can be that atom; and the longest pattern, which bounds how far
        # before its end a match starts (matches come in order of their ends: a window of starts is a range).
        self.atom_pattern_ids: list[list[int]] = [[] for _ in self.atoms]
        for pattern_index, targets in enumerate(self._targets):
            for atom_index in dict.fromkeys(t[0] for t in targets):
                self.atom_pattern_ids[atom_index].append(pattern_index)
        self.max_pattern_bytes = max((len(p.encode()) for p in entries), default=0)
        self._automaton = None
        if entries:
            impl = ahocorasick_rs.Implementation.DFA if len(entries) <= DFA_MAX_PATTERNS else None
            self._automaton = ahocorasick_rs.BytesAhoCorasick([p.encode() for p in entries], implementation=impl)

    def find(self, norm: bytes) -> list[tuple[int, int, int]]:
        """The raw automaton matches in normalized text: (pattern index, start, end), the start on the
        pattern's leading space. Overlapping, so " data " and " data privacy " are both reported."""
        if self._automaton is None:
            return []
        return self._automaton.find_matches_as_indexes(norm, overlapping=True)

    def resolve(self, pattern_index: int, start: int, end: int, text: str, cased: list[bytes],
                offsets: Offsets | None = None) -> list[tuple[int, int, int]]:
        """The atom occurrences behind one raw match (see ``find``), as (atom, start, end) offsets of the
        matched words; exact atoms are checked against the cased text (``_cased_words``) and hyphenated
        readings of a closed-up word for their hyphen, ``offsets`` being the lowercase normalization's."""
        fast = self._simple[pattern_index]
        if fast is not None:
            return [(fast[0], start + 1, end + fast[1])]
        start += 1  # skip the leading space of the pattern
        out = []
        for atom_index, prefix, exact, hyphen in self._targets[pattern_index]:
            # A full word ends on the pattern's trailing space; a prefix ends inside its word.
            stop = end if prefix else end - 1
            if exact is not None and _cased_words(text, offsets, start, stop, cased) != exact:
                continue
            if hyphen is not None and text[char_offset(offsets, start + hyphen)] not in HYPHENS:
                continue
            out.append((atom_index, start, stop))
        return out

    def scan(self, text: str, norm: bytes | None = None,
             offsets: Offsets | None = None) -> list[tuple[int, int, int]]:
        """Every atom occurrence in ``text`` as (atom index, start, end) offsets in the normalized text (pass
        ``norm`` and ``offsets`` if the caller already normalized it). For a prefix atom the end is the
        prefix's: ``word_end`` gives the end of the word."""
        if self._automaton is None or not text:
            return []
        if norm is None:
            norm, offsets = normalize_with_offsets(text)
        hits: list[tuple[int, int, int]] = []
        append = hits.append
        cased: list[bytes] = []
        simple = self._simple
        for pattern_index, start, end in self.find(norm):
            fast = simple[pattern_index]
            if fast is not None:
                append((fast[0], start + 1, end + fast[1]))
            else:
                hits.extend(self.resolve(pattern_index, start, end, text, cased, offsets))
        return hits


def _cased_words(text: str, offsets: Offsets | None, start: int, stop: int, cased: list[bytes]) -> tuple[bytes, ...]:
    """The words at ``start:stop`` of the normalized text, with their case. An ASCII text is normalized cased
    once (one table pass, the same offsets); another only where an exact term matched, through ``offsets``:
    normalizing all of it a second time doubled the cost of every text holding a common word such as "it"."""
    if text.isascii():
        if not cased:
            cased.append(normalize_bytes(text, lower=False))
        return tuple(cased[0][start:stop].split())
    piece = text[char_offset(offsets, start):char_offset(offsets, stop)]
    return tuple(normalize_bytes(piece, lower=False).split())


def word_end(norm: bytes, end: int) -> int:
    """The end of the word that ``end`` falls in (normalized text always ends with a space)."""
    return norm.find(b" ", end) if norm[end:end + 1] != b" " else end


def surface(norm: bytes, hit: Hit) -> str:
    """The matched words as normalization reads them (lowercase ASCII, single spaces)."""
    return " ".join(norm[hit.start:word_end(norm, hit.end)].decode("utf-8").split())
