"""Which bills go into a packet: a selection resolved to an ordered list of bill ids, in one SQL query.

Criteria combine with AND (``--topic ai --position support``: AI bills the council supports); several
values of one criterion combine with OR (``--topic ai --topic privacy``). Every name is checked first,
so a typo says "no topic 'a1'; known: ..." instead of quietly exporting nothing.
"""

import datetime as dt
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import and_, case, func, or_, select
from sqlmodel import Session

from tracker.exports.errors import NoSuchBill, SelectionError
from tracker.exports.packet import committee_label, fmt_date, sponsor_clause, stage_label
from tracker.member_names import Seen, merges, name_tokens
from tracker.models import (
    Bill,
    BillMatch,
    CommitteeReferral,
    Hearing,
    HearingItem,
    Jurisdiction,
    LegislativeSession,
    PersonVote,
    Position,
    SavedFilter,
    Sponsorship,
    Stance,
    Topic,
    User,
    VoteEvent,
    Watchlist,
    WatchlistItem,
)
from tracker.models.enums import Priority
from tracker.names import folded as _folded
from tracker.queries import BillFilter, apply_filter, find_bills, name_choices

ORDERS = ("priority", "recent", "identifier", "given")
_PRIORITY_RANK = {str(p.value): rank for rank, p in enumerate(Priority)}  # High, Medium, Low


@dataclass(frozen=True)
class Selection:
    """What to export. Empty tuples mean "no condition"; exporting everything takes ``all_bills=True``.

    ``filter`` carries saved-filter criteria (jurisdiction, session, stages, text) in the bill list's terms.
    ``order``: ``priority`` (the council's High first, then most recent action), ``recent``,
    ``identifier``, or ``given`` (the order of ``bills``); ``None`` picks ``given`` for a list of bills and
    ``priority`` otherwise.
    """

    bills: tuple[int, ...] = ()
    topics: tuple[str, ...] = ()
    positions: tuple[str, ...] = ()
    priorities: tuple[str, ...] = ()
    jurisdictions: tuple[str, ...] = ()
    watchlists: tuple[str, ...] = ()
    # Legislators, by member id (S000510) or the words of their name ("Adam Smith"): bills each sponsors or
    # cosponsors (withdrawn cosponsorships do not count). A lobbyist's packet for a meeting with one of them.
    sponsors: tuple[str, ...] = ()
    # Committees, by code (hsif00) or the words of their name with the chamber ("House Energy and Commerce"):
    # bills referred to each (a subcommittee: to it). A lobbyist's packet for a meeting with a committee's staff.
    committees: tuple[str, ...] = ()
    # Days: bills on the agenda of a hearing held (not cancelled) on any of them. A packet for a hearing day.
    hearing_dates: tuple[dt.date, ...] = ()
    filter: BillFilter | None = None
    all_bills: bool = False
    order: str | None = None
    limit: int | None = None
    # A filter saved on the dashboard's triage or search page, by name (``triage:NAME`` / ``search:NAME`` when
    # both pages have one) or by id (``#ID``, as the dashboard names it). Visible: ``user_id``'s own filters and
    # shared ones (only shared ones without a user).
    saved_filter: str | None = None
    user_id: int | None = None

    def has_criteria(self) -> bool:
        flt = self.filter
        has_filter = bool(flt and (flt.jurisdiction or flt.session or flt.stage or flt.text))
        return bool(
            self.bills
            or self.topics
            or self.positions
            or self.priorities
            or self.jurisdictions
            or self.watchlists
            or self.sponsors
            or self.committees
            or self.hearing_dates
            or has_filter
            or self.saved_filter
            or self.all_bills
        )


@dataclass(frozen=True)
class ResolvedSelection:
    bill_ids: list[int]
    description: str  # for the cover page and messages: "Topic: Artificial intelligence · Position: Support"
    criteria: dict[str, Any] = field(default_factory=dict)  # the same, machine-readable (JSON export)


def _known(values: Sequence[str]) -> str:
    shown = ", ".join(sorted(values)[:30])
    return shown + (", ..." if len(values) > 30 else "") if values else "none defined yet"


def _topics(session: Session, wanted: Sequence[str]) -> list[Topic]:
    """The topics named (slug or name: tracker.matching.topics.resolve_topic), every unknown one named at once."""
    from tracker.matching.topics import TopicError, resolve_topic, unknown_topic_message

    found, missing = [], []
    for name in wanted:
        try:
            found.append(resolve_topic(session, name))
        except TopicError:
            missing.append(name)
    if missing:
        raise SelectionError(unknown_topic_message(missing, list(session.execute(select(Topic)).scalars())))
    return list({t.id: t for t in found}.values())


def _stances(session: Session, wanted: Sequence[str]) -> list[str]:
    names = list(session.execute(select(Stance.name)).scalars())
    by_lower = {n.lower(): n for n in names}
    missing = [w for w in wanted if w.strip().lower() not in by_lower]
    if missing:
        raise SelectionError(f"No position {', '.join(map(repr, missing))}; positions: {', '.join(names)}")
    return list(dict.fromkeys(by_lower[w.strip().lower()] for w in wanted))


def _priorities(wanted: Sequence[str]) -> list[str]:
    by_lower = {p.lower(): p for p in _PRIORITY_RANK}
    missing = [w for w in wanted if w.strip().lower() not in by_lower]
    if missing:
        raise SelectionError(
            f"No priority {', '.join(map(repr, missing))}; priorities: {', '.join(_PRIORITY_RANK)}"
        )
    return list(dict.fromkeys(by_lower[w.strip().lower()] for w in wanted))


def _jurisdictions(session: Session, wanted: Sequence[str]) -> list[Jurisdiction]:
    rows = list(session.execute(select(Jurisdiction)).scalars())
    by_key = {j.id.lower(): j for j in rows}
    missing = [w for w in wanted if w.strip().lower() not in by_key]
    if missing:
        raise SelectionError(
            f"No jurisdiction {', '.join(map(repr, missing))}; stored: {_known([j.id for j in rows])}"
        )
    return list({j.id: j for j in (by_key[w.strip().lower()] for w in wanted)}.values())


def _watchlists(session: Session, wanted: Sequence[str], user_id: int | None) -> list[Watchlist]:
    """Shared watchlists and ``user_id``'s own, as the dashboard shows them: another person's private list is
    neither exported nor named in the error."""
    visible = or_(Watchlist.shared, Watchlist.owner_id == user_id) if user_id is not None else Watchlist.shared
    rows = list(session.execute(select(Watchlist).where(visible).order_by(Watchlist.id)).scalars())
    found: dict[int, Watchlist] = {}
    for ref in wanted:
        key = ref.strip()
        matches = [w for w in rows if (key.isdigit() and w.id == int(key))] or [
            w for w in rows if w.name.lower() == key.lower()
        ]
        if not matches:
            raise SelectionError(f"No watchlist {ref!r}; watchlists: {_known([w.name for w in rows])}")
        if len(matches) > 1:
            raise SelectionError(
                f"{len(matches)} watchlists are called {ref!r}; name one by id: "
                f"{', '.join(str(w.id) for w in matches)}"
            )
        found[matches[0].id] = matches[0]  # type: ignore[index]
    return list(found.values())


@dataclass(frozen=True)
class Legislator:
    name: str
    person_id: str | None  # None: only feeds that name sponsors without an id know this person
    # Where a feed that gives no id names this person otherwise ("Limón" for LegiScan's "Monique Limón"): each
    # (jurisdiction, session identifier, name as stored), joined by tracker.member_names.
    also_named: tuple[tuple[str, str, str], ...] = ()

    def criterion(self) -> dict[str, Any]:
        """As the packet's JSON and tracker.exports.packet read it."""
        out: dict[str, Any] = {"name": self.name, "person_id": self.person_id}
        if self.also_named:
            out["also_named"] = [{"jurisdiction": j, "session": sess, "name": n} for j, sess, n in self.also_named]
        return out


def _people(session: Session, rows: Sequence[Any]) -> list[Legislator]:
    """The legislators behind sponsorship rows (name, person id, jurisdiction, session id, session identifier).

    Feeds name one person differently: LegiScan "Monique Limón" with a people_id, California's pubinfo only
    "Limón". Within each session, tracker.member_names joins a name-only sponsor to the one member (with an id,
    or a fuller name) the name fits among every sponsor and roll-call member of that session, and to nobody when
    several or none fit; two ids are never joined. Chambers are not known for sponsors, so every member of the
    session is a candidate, which joins less than the scorecard does, never more."""
    sessions = {(r[2], r[3]) for r in rows}
    if not sessions:
        return []
    ident = {sid: si for _, _, _, sid, si in rows}
    in_sessions = or_(*(and_(Bill.jurisdiction_id == j, Bill.session_id == sid) for j, sid in sessions))
    seen_rows = set(session.execute(
        select(Sponsorship.name, Sponsorship.person_id, Bill.jurisdiction_id, Bill.session_id)
        .join(Bill, Bill.id == Sponsorship.bill_id).where(in_sessions).distinct()).all())
    seen_rows |= set(session.execute(
        select(PersonVote.name, PersonVote.person_id, Bill.jurisdiction_id, Bill.session_id)
        .join(VoteEvent, VoteEvent.id == PersonVote.vote_event_id).join(Bill, Bill.id == VoteEvent.bill_id)
        .where(in_sessions, PersonVote.name.is_not(None)).distinct()).all())

    def key(name: str, person_id: str | None, juris: str, sid: int) -> tuple[Any, ...]:
        return ("id", person_id) if person_id else ("name", juris, sid, _folded(name))

    spelled: dict[tuple[Any, ...], set[str]] = {}
    seen = set()
    for name, person_id, juris, sid in seen_rows:
        if name and name.strip():
            k = key(name, person_id, juris, sid)
            spelled.setdefault(k, set()).add(name)
            seen.add(Seen(key=k, name=name, chamber="", session=(juris, sid)))
    joined = merges(seen)

    found: dict[tuple[Any, ...], dict[str, Any]] = {}
    for name, person_id, juris, sid, _ in rows:
        own = key(name, person_id, juris, sid)
        top = joined.get(own, own)
        person = found.setdefault(top, {"names": Counter(), "spellings": set()})
        if own[0] == "id" or top == own:
            person["names"][name] += 1
    for own, top in joined.items():  # every spelling of the people found, found or not by the words typed
        if top in found and own[0] == "name" and own != top:
            _, juris, sid, _ = own
            found[top]["spellings"] |= {(juris, ident.get(sid) or _session_identifier(session, sid), n)
                                        for n in spelled.get(own, ())}
    people: dict[tuple[Any, ...], Legislator] = {}
    for top, person in found.items():
        if top[0] == "id":
            name = person["names"].most_common(1)[0][0] if person["names"] else min(spelled.get(top, {top[1]}))
            people[top] = Legislator(name=name, person_id=top[1], also_named=tuple(sorted(person["spellings"])))
            continue
        # Name-only in every feed: one person by the name, whatever the session (as before: nothing to tell
        # two such apart), with the spellings that joined it.
        name = max(person["names"] or spelled.get(top, {""}), key=lambda n: (len(name_tokens(n)), n))
        merged = people.get(("name", _folded(name)))
        spellings = tuple(sorted(person["spellings"] | set(merged.also_named if merged else ())))
        people[("name", _folded(name))] = Legislator(name=name, person_id=None, also_named=spellings)
    return list(people.values())


def _session_identifier(session: Session, session_id: int) -> str:
    return session.execute(select(LegislativeSession.identifier).where(
        LegislativeSession.id == session_id)).scalar_one()


def _sponsors(session: Session, wanted: Sequence[str]) -> list[Legislator]:
    """The legislator each reference names: a member id, else every word of it in the sponsor's name, with the
    other spellings tracker.member_names joins to them ("Limón" and "Monique Limón"). A reference that fits
    several people is refused with their names, so "Smith" never exports five members' bills under one
    heading."""
    found: dict[tuple[str, str | None], Legislator] = {}
    columns = (Sponsorship.name, Sponsorship.person_id, Bill.jurisdiction_id, Bill.session_id,
               LegislativeSession.identifier)
    for ref in wanted:
        key = ref.strip()
        base = (select(*columns).join(Bill, Bill.id == Sponsorship.bill_id)
                .join(LegislativeSession, LegislativeSession.id == Bill.session_id).distinct())
        rows = session.execute(base.where(func.lower(Sponsorship.person_id) == key.lower())).all()
        if not rows and key.split():
            # Accents and case ignored, in Python: SQL's LIKE would not find "Limón" for "Limon" on either database.
            words = _folded(key).split()
            rows = [row for row in session.execute(base).all() if all(word in _folded(row[0]) for word in words)]
        people = _people(session, rows)
        exact = [p for p in people if _folded(p.name) == _folded(key)
                 or any(_folded(n) == _folded(key) for _, _, n in p.also_named)]
        if len(people) > 1 and len(exact) == 1:
            people = exact
        if not people:
            raise SelectionError(f"No sponsor or cosponsor matches {ref!r}; give a member id or words of the name.")
        if len(people) > 1:
            names = sorted(p.name + (f" ({p.person_id})" if p.person_id else "") for p in people)
            raise SelectionError(f"{ref!r} fits {len(names)} legislators: {_known(names)}; give more of the name "
                                 "or a member id.")
        person = people[0]
        found[(person.name if person.person_id is None else "", person.person_id)] = person
    return list(found.values())


@dataclass(frozen=True)
class Committee:
    label: str  # "House Energy and Commerce Committee", as the packet's Committees line names it
    jurisdiction: str
    code: str | None
    names: tuple[str, ...]  # as stored: a renamed committee keeps its code under each name
    chamber: str | None
    parent_code: str | None = None  # a subcommittee's committee
    labels: tuple[str, ...] = ()  # the label under each stored name, for matching


def _folded_words(text: str) -> list[str]:
    """Words with case and accents ignored, so "energy & commerce" finds "Energy and Commerce"."""
    return re.findall(r"\w+", _folded(text))


def _fits(ref_words: list[str], label: str) -> bool:
    words = _folded_words(label)
    return bool(ref_words) and all(any(w.startswith(r) for w in words) for r in ref_words)


def _committee_choice(committee: Committee, *, with_jurisdiction: bool) -> str:
    """``House Energy and Commerce Committee (US, hsif00)``: a committee as a refusal names it."""
    said = [committee.jurisdiction.upper()] if with_jurisdiction else []
    said += [committee.code] if committee.code else []
    return committee.label + (f" ({', '.join(said)})" if said else "")


def _committees(session: Session, wanted: Sequence[str], jurisdictions: Sequence[str] = ()) -> list[Committee]:
    """The committee each reference names: a code, else every word of it (or its start) in the name with the
    chamber. One that fits several committees is refused naming them, so "Commerce" never mixes the House's
    and the Senate's bills under one heading; a reference that is one committee's whole name picks it.
    ``jurisdictions``: only their committees count (two legislatures may each have a Judiciary Committee)."""
    where = [Bill.jurisdiction_id.in_(jurisdictions)] if jurisdictions else []
    rows = session.execute(
        select(Bill.jurisdiction_id, CommitteeReferral.code, CommitteeReferral.name, CommitteeReferral.chamber,
               CommitteeReferral.parent_code, func.count()).join(Bill, Bill.id == CommitteeReferral.bill_id)
        .where(*where).group_by(Bill.jurisdiction_id, CommitteeReferral.code, CommitteeReferral.name,
                                CommitteeReferral.chamber, CommitteeReferral.parent_code)
    ).all()
    groups: dict[tuple[str, ...], list[tuple[str, str | None, str, str | None, str | None, int]]] = {}
    for jurisdiction, code, name, chamber, parent_code, n in rows:
        key = (jurisdiction, code.lower()) if code else (jurisdiction, "", chamber or "", name)
        groups.setdefault(key, []).append((jurisdiction, code, name, chamber, parent_code, n))
    parents: dict[tuple[str, str], str] = {}  # (jurisdiction, code) -> a committee's label, for its subcommittees
    for (jurisdiction, *rest), members in groups.items():
        if rest[0] and not any(m[4] for m in members):
            usual = Counter({(m[2], m[3]): m[5] for m in members}).most_common(1)[0][0]
            parents[(jurisdiction, rest[0])] = committee_label(usual[0], usual[1], jurisdiction)
    known: list[Committee] = []
    for members in groups.values():
        usual = Counter({(name, chamber): n for _, _, name, chamber, _, n in members}).most_common(1)[0][0]
        jurisdiction, code = members[0][0], members[0][1]
        parent_code = next((m[4] for m in members if m[4]), None)
        parent = parents.get((jurisdiction, parent_code.lower())) if parent_code else None
        names = tuple(dict.fromkeys(m[2] for m in members))
        known.append(Committee(
            label=committee_label(usual[0], usual[1], jurisdiction, parent=parent), jurisdiction=jurisdiction,
            code=code, names=names, chamber=usual[1], parent_code=parent_code,
            labels=tuple(committee_label(n, usual[1], jurisdiction, parent=parent) for n in names)))
    found: dict[tuple[str, str | None, str], Committee] = {}
    for ref in wanted:
        key = ref.strip()
        matches = [c for c in known if c.code and c.code.lower() == key.lower()]
        if not matches:
            words = _folded_words(key)
            matches = [c for c in known if any(_fits(words, label) for label in c.labels)]
            exact = [c for c in matches if any(_folded_words(label) == words for label in c.labels)]
            if len(matches) > 1 and len(exact) == 1:
                matches = exact
            heads = [c for c in matches if c.parent_code is None]
            if len(matches) > 1 and len(heads) == 1 and heads[0].code and all(
                    (c.parent_code or "").lower() == heads[0].code.lower() for c in matches if c is not heads[0]):
                matches = heads  # "House Armed Services": the committee, not also each of its subcommittees
        if not matches:
            raise SelectionError(f"No committee matches {ref!r}; give a committee code (hsif00) or words of its "
                                 "name with the chamber ('House Energy and Commerce').")
        if len(matches) > 1:
            several = len({c.jurisdiction for c in matches}) > 1  # then say whose: the labels may be the same
            names = sorted(_committee_choice(c, with_jurisdiction=several) for c in matches)
            raise SelectionError(f"{ref!r} fits {len(names)} committees: {_known(names)}; give more of the name "
                                 "or its code" + (", or a jurisdiction." if several else "."))
        committee = matches[0]
        found[(committee.jurisdiction, committee.code, committee.label)] = committee
    return list(found.values())


def _saved_filter(session: Session, ref: str, user_id: int | None) -> SavedFilter:
    visible = select(SavedFilter).where(
        or_(SavedFilter.shared, SavedFilter.owner_id == user_id) if user_id is not None else SavedFilter.shared
    )
    rows = list(session.execute(visible.order_by(SavedFilter.page, SavedFilter.name, SavedFilter.id)).scalars())
    key, page = ref.strip(), None
    by_id = re.fullmatch(r"#(\d+)", key)
    if by_id and not any(f.name == key for f in rows):  # the dashboard's reference: names may repeat
        found = [f for f in rows if f.id == int(by_id[1])]
        if not found:
            raise SelectionError(f"No saved filter {ref!r} visible to you (deleted, or no longer shared).")
        return found[0]
    if not any(f.name == key for f in rows) and key.partition(":")[0] in ("triage", "search"):
        page, _, key = key.partition(":")
        key = key.strip()
    matches = [f for f in rows if f.name == key and page in (None, f.page)] or [
        f for f in rows if f.name.lower() == key.lower() and page in (None, f.page)
    ]
    own = [f for f in matches if f.owner_id == user_id]
    matches = own or matches  # the user's own filter wins over someone else's shared one of the same name
    if not matches:
        known = [f"{f.page}:{f.name}" for f in rows]
        who = "visible to you" if user_id is not None else "shared (give --owner for private ones)"
        raise SelectionError(f"No saved filter {ref!r}; saved filters {who}: {_known(known)}")
    if len(matches) > 1:
        raise SelectionError(
            f"{len(matches)} saved filters are called {ref!r} "
            f"({', '.join(f'{f.page}:{f.name}' for f in matches)}); prefix the name with its page, or give --owner."
        )
    return matches[0]


def _saved_filter_bills(session: Session, saved: SavedFilter, user_id: int | None) -> Any:
    """A select of the bill ids the dashboard page shows for the saved widget values (every page of them),
    built by the page's own query code so the packet never drifts from what people saw."""
    p = saved.params or {}
    if saved.page == "search":
        from tracker.search import SearchFilter, search_bill_ids

        return search_bill_ids(session, p.get("q") or "", SearchFilter.from_saved(p))
    if saved.page == "triage":
        from tracker.triage import InboxFilter, TriageError, _inbox_query

        try:
            from tracker.visits import new_since_for

            # "Only bills assigned to me" and "only new since your last visit": the exporting user's, or the
            # owner's when nobody is named (CLI).
            reader = user_id or saved.owner_id
            flt = InboxFilter.from_saved(p, assignee_id=reader,
                                         new_from=new_since_for(session, reader_id=reader).at)
            inbox_query, _ = _inbox_query(session, [Bill.id], flt)
        except (TriageError, ValueError) as exc:
            raise SelectionError(f"Saved filter {saved.name!r} cannot be applied: {exc}") from None
        shown = inbox_query.subquery("inbox")
        return select(shown.c.id)
    raise SelectionError(f"Saved filter {saved.name!r} is for page {saved.page!r}; only triage and search export.")


def resolve_bill_refs(
    session: Session,
    refs: Sequence[str],
    *,
    jurisdiction: str | None = None,
    session_identifier: str | None = None,
) -> list[int]:
    """Bill ids for references as people type them (``42``, ``HR 3684``, ``hr3684``), in the order given."""
    ids: list[int] = []
    for ref in refs:
        found = find_bills(session, ref, jurisdiction=jurisdiction, session_identifier=session_identifier)
        if not found:
            raise NoSuchBill(f"No bill matches {ref!r}.")
        if len(found) > 1:
            raise SelectionError(
                f"{ref!r} matches {len(found)} bills (ids {name_choices(session, found)}); "
                "add --session or --jurisdiction, or use an id."
            )
        ids.append(found[0])
    return list(dict.fromkeys(ids))


def resolve_selection(session: Session, selection: Selection) -> ResolvedSelection:
    """The selection's bills, ordered, after checking every name it uses."""
    if not selection.has_criteria():
        raise SelectionError(
            "Say which bills to export: a topic, position, priority, jurisdiction, watchlist, sponsor, committee, "
            "hearing day, filter, saved filter or bill ids (or all bills explicitly)."
        )
    order = selection.order or ("given" if selection.bills else "priority")
    if order not in ORDERS:
        raise SelectionError(f"Unknown order {order!r}; one of: {', '.join(ORDERS)}")
    if selection.limit is not None and selection.limit < 1:
        raise SelectionError("The limit must be at least 1.")

    parts: list[str] = []
    criteria: dict[str, Any] = {}
    query = (
        select(Bill.id)
        .join(LegislativeSession, Bill.session_id == LegislativeSession.id)
        .outerjoin(Position, Position.bill_id == Bill.id)
    )

    if selection.bills:
        wanted = list(dict.fromkeys(selection.bills))
        present = set(session.execute(select(Bill.id).where(Bill.id.in_(wanted))).scalars())
        missing = [b for b in wanted if b not in present]
        if missing:
            raise NoSuchBill(f"No bill with id {', '.join(map(str, missing))}.")
        query = query.where(Bill.id.in_(wanted))
        parts.append(f"{len(wanted)} chosen bill{'s' if len(wanted) != 1 else ''}")
        criteria["bills"] = wanted
    if selection.topics:
        topics = _topics(session, selection.topics)
        flagged = select(BillMatch.bill_id).where(
            BillMatch.topic_id.in_([t.id for t in topics]), BillMatch.flagged.is_(True)
        )
        query = query.where(Bill.id.in_(flagged))
        parts.append("Topic: " + " or ".join(t.name for t in topics))
        criteria["topics"] = [t.slug for t in topics]
    if selection.positions:
        stances = _stances(session, selection.positions)
        query = query.where(Position.stance.in_(stances))
        parts.append("Position: " + " or ".join(stances))
        criteria["positions"] = stances
    if selection.priorities:
        priorities = _priorities(selection.priorities)
        query = query.where(Position.priority.in_(priorities))
        parts.append("Priority: " + " or ".join(priorities))
        criteria["priorities"] = priorities
    if selection.jurisdictions:
        jurisdictions = _jurisdictions(session, selection.jurisdictions)
        query = query.where(Bill.jurisdiction_id.in_([j.id for j in jurisdictions]))
        parts.append("Jurisdiction: " + " or ".join(j.name for j in jurisdictions))
        criteria["jurisdictions"] = [j.id for j in jurisdictions]
    if selection.watchlists:
        lists = _watchlists(session, selection.watchlists, selection.user_id)
        members = select(WatchlistItem.bill_id).where(WatchlistItem.watchlist_id.in_([w.id for w in lists]))
        query = query.where(Bill.id.in_(members))
        parts.append("Watchlist: " + " or ".join(w.name for w in lists))
        criteria["watchlists"] = [w.name for w in lists]
    if selection.sponsors:
        people = _sponsors(session, selection.sponsors)
        criteria["sponsors"] = [p.criterion() for p in people]
        sponsoring = (select(Sponsorship.bill_id).join(Bill, Bill.id == Sponsorship.bill_id)
                      .join(LegislativeSession, LegislativeSession.id == Bill.session_id)
                      .where(Sponsorship.withdrawn_date.is_(None), sponsor_clause(criteria["sponsors"]))
                      .correlate(None))  # its own Bill, not the outer query's
        query = query.where(Bill.id.in_(sponsoring))
        parts.append("Sponsor or cosponsor: " + " or ".join(p.name for p in people))
    if selection.committees:
        committees = _committees(session, selection.committees, criteria.get("jurisdictions", ()))
        referred = select(CommitteeReferral.bill_id).join(Bill, Bill.id == CommitteeReferral.bill_id).where(or_(*(
            and_(Bill.jurisdiction_id == c.jurisdiction, func.lower(CommitteeReferral.code) == c.code.lower())
            if c.code else  # a feed that gives no code: by the name and chamber as stored
            and_(Bill.jurisdiction_id == c.jurisdiction, CommitteeReferral.code.is_(None),
                 CommitteeReferral.name.in_(c.names),
                 CommitteeReferral.chamber.is_(None) if c.chamber is None else CommitteeReferral.chamber == c.chamber)
            for c in committees)))
        query = query.where(Bill.id.in_(referred))
        parts.append("Committee: " + " or ".join(c.label for c in committees))
        criteria["committees"] = [{"name": c.label, "code": c.code, "jurisdiction": c.jurisdiction}
                                  for c in committees]
    if selection.hearing_dates:
        days = sorted(set(selection.hearing_dates))
        on_agenda = select(HearingItem.bill_id).join(Hearing, Hearing.id == HearingItem.hearing_id).where(
            Hearing.date.in_(days), Hearing.cancelled.is_not(True), HearingItem.bill_id.is_not(None))
        query = query.where(Bill.id.in_(on_agenda))
        parts.append("On a hearing agenda: " + " or ".join(fmt_date(day) for day in days))
        criteria["hearing_dates"] = [day.isoformat() for day in days]
    flt = selection.filter
    if flt is not None:
        query = apply_filter(session, query, flt)
        for label, value in (
            ("Jurisdiction", flt.jurisdiction),
            ("Session", flt.session),
            ("Stage", ", ".join(stage_label(st) for st in flt.stage)),
            ("Text", f"“{flt.text}”" if flt.text else None),
        ):
            if value:
                parts.append(f"{label}: {value}")
        criteria["filter"] = {
            "jurisdiction": flt.jurisdiction,
            "session": flt.session,
            "stage": list(flt.stage),
            "text": flt.text,
        }
    if selection.saved_filter:
        saved = _saved_filter(session, selection.saved_filter, selection.user_id)
        query = query.where(Bill.id.in_(_saved_filter_bills(session, saved, selection.user_id)))
        page = "search" if saved.page == "search" else "triage inbox"
        parts.append(f"Saved filter: {saved.name} ({page})")
        owner = session.get(User, saved.owner_id)
        criteria["saved_filter"] = {
            "name": saved.name,
            "page": saved.page,
            "owner": owner.email if owner else None,
            "shared": saved.shared,
            "params": dict(saved.params or {}),
        }
    if selection.all_bills and not parts:
        parts.append("All stored bills")
        criteria["all"] = True

    recent = (Bill.latest_action_date.desc().nulls_last(), Bill.jurisdiction_id, Bill.identifier, Bill.id)
    if order == "given" and selection.bills:
        rank = case({bill_id: i for i, bill_id in enumerate(dict.fromkeys(selection.bills))}, value=Bill.id)
        query = query.order_by(rank, Bill.id)
    elif order == "identifier":
        # "HR 9" before "HR 10": type, then the number's length, then the number as text.
        query = query.order_by(
            Bill.jurisdiction_id,
            LegislativeSession.identifier,
            Bill.bill_type,
            func.length(Bill.number),
            Bill.number,
            Bill.id,
        )
    elif order == "recent" or (order == "given" and not selection.bills):
        query = query.order_by(*recent)
    else:
        priority_rank = case(_PRIORITY_RANK, value=Position.priority, else_=len(_PRIORITY_RANK))
        query = query.order_by(priority_rank, *recent)
    if selection.limit is not None:
        query = query.limit(selection.limit)
        criteria["limit"] = selection.limit
    criteria["order"] = order
    ids = list(session.execute(query).scalars())
    return ResolvedSelection(bill_ids=ids, description=" · ".join(parts), criteria=criteria)
