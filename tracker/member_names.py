"""Which roll-call members named differently are the same legislator, conservatively (tracker.scorecard).

Feeds name members their own way: LegiScan gives a person id and "Bruce Thompson", California's pubinfo only the
name the Legislature prints, "Thompson" (or "Rod Pacheco" when two share the surname). A name-only member joins
another only when, in the same chamber and the same session, exactly one member fits the name:

- the names are the same (case, accents, punctuation and Jr./Sr./II/III ignored; "Holland, Stephen" is "Stephen
  Holland"), or
- it is a surname only, and the other name ends with it ("Thompson" in "Bruce Thompson", "Adams Collins" in
  "Nancy Adams Collins"), or
- it is an initial and a surname ("B. Thompson"), and the other name starts with that letter and ends with it.

Anything else stays apart: "Thomson" is not "Thompson", "Pacheco" fits both Pachecos so joins neither, a
"Brown" in the House is not the Senate's, and a name seen in another session is not checked against this one's
members. Two members with different feed ids are never merged, whatever their names.
"""

import re
from collections.abc import Hashable, Iterable
from dataclasses import dataclass

from tracker.names import folded

_SUFFIXES = {"jr", "sr", "ii", "iii", "iv"}


@dataclass(frozen=True)
class Seen:
    """A member as one roll call names them: ``key`` is their identity so far (("id", person id) for a feed's
    id, otherwise a name-only key); ``session`` the bill's session."""

    key: Hashable
    name: str
    chamber: str
    session: Hashable

    @property
    def has_id(self) -> bool:
        return isinstance(self.key, tuple) and bool(self.key) and self.key[0] == "id"


def name_tokens(name: str) -> tuple[str, ...]:
    """The words of a name, folded, in "first ... last" order, without suffixes: "Holland, Stephen" is
    ("stephen", "holland"); hyphens stay inside a word ("strom-martin")."""
    text = folded(name)
    if "," in text:  # "Last, First" (a suffix after the comma is not a first name: "DeBar, Jr.")
        last, _, rest = text.partition(",")
        rest_words = [w for w in re.sub(r"[^\w\s-]", " ", rest).split() if w not in _SUFFIXES]
        text = " ".join([*rest_words, last])
    words = re.sub(r"[^\w\s-]", " ", text).split()
    return tuple(w for w in words if w not in _SUFFIXES)


def _fits(short: tuple[str, ...], full: tuple[str, ...]) -> bool:
    """Whether the name ``short`` can be a shorter way of writing ``full``."""
    if not short or not full:
        return False
    if short == full:
        return True
    if len(short) < len(full) and full[-len(short):] == short:  # a surname, single or compound
        return True
    initial, rest = short[0], short[1:]
    return (len(initial) == 1 and bool(rest) and len(full) > len(rest) and full[-len(rest):] == rest
            and full[0].startswith(initial))


def _specificity(tokens: tuple[str, ...]) -> tuple[int, int]:
    # More words first; a full first name before an initial: the fuller names find their member first.
    return len(tokens), 0 if tokens and len(tokens[0]) == 1 else 1


def merges(seen: Iterable[Seen]) -> dict[Hashable, Hashable]:
    """{name-only key: the key it joins}, for the name-only members that fit exactly one other member in every
    chamber and session they were seen in. The key joined is the feed id's where the group has one."""
    places: dict[Hashable, set[tuple[str, Hashable]]] = {}
    names: dict[Hashable, set[tuple[str, ...]]] = {}
    ids: set[Hashable] = set()
    for s in seen:
        places.setdefault(s.key, set()).add((s.chamber, s.session))
        tokens = name_tokens(s.name)
        if tokens:
            names.setdefault(s.key, set()).add(tokens)
        if s.has_id:
            ids.add(s.key)
    present: dict[tuple[str, Hashable], set[Hashable]] = {}
    for key, where in places.items():
        for place in where:
            present.setdefault(place, set()).add(key)

    parent: dict[Hashable, Hashable] = {k: k for k in places}

    def root(key: Hashable) -> Hashable:
        while parent[key] != key:
            parent[key] = parent[parent[key]]
            key = parent[key]
        return key

    def group_ids(top: Hashable) -> set[Hashable]:
        return {k for k in ids if root(k) == top}

    name_only = [k for k in places if k not in ids and len(names.get(k, ())) == 1]
    name_only.sort(key=lambda k: _specificity(next(iter(names[k]))), reverse=True)
    for key in name_only:
        (tokens,) = names[key]
        groups = set()
        for place in places[key]:
            for other in present[place] - {key}:
                if any(_fits(tokens, full) for full in names.get(other, ())):
                    groups.add(root(other))
        groups.discard(root(key))
        if len(groups) != 1:
            continue  # nobody fits, or more than one member does: left apart
        (target,) = groups
        if len(group_ids(target) | group_ids(root(key))) > 1:
            continue  # two feed ids are two people
        parent[root(key)] = target
    out: dict[Hashable, Hashable] = {}
    for key in name_only:
        top = root(key)
        if top == key:
            continue
        members_ids = group_ids(top)
        out[key] = next(iter(members_ids)) if members_ids else top
    return out
