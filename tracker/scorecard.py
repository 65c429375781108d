"""The legislator scorecard: how each member voted on the key votes of bills the council supports or opposes.

Key votes, by default: each chamber's final floor passage roll call on the bills of a jurisdiction and session
(or a date range) that hold an active position whose stance says which vote is "with us"
(``Stance.scorecard_vote``: "yes" for Support and Support if amended, "no" for Oppose and Oppose unless amended,
migration 0019; other stances leave their bills out). Staff may take any other roll call of such a bill in, or a
default one out (``mark_key_vote``: an append-only ``KeyVoteMark`` history of who, when and why); the roles that may
set positions may do it, checked here. Marks are versioned per roll call as positions are (tracker.positions): a
save names the version it started from, and one made after someone else's mark is refused (``KeyVoteConflict``).

One roll call per bill and chamber: where two feeds hold the same floor vote (pubinfo and LegiScan), the one with
members' votes and then the highest-ranked source (``tracker.votes.source_rank``, the bill page's rule) is used.
Members are matched by their feed's person id, else by name: a name-only vote (pubinfo names members, nothing
more) joins the one member, in the same chamber and session, that the name fits ("Thompson" joins "Bruce
Thompson" when no other Thompson sits in that chamber; tracker.member_names), else stands under its name and
chamber.
Party and district come from the members' votes where the feed gave them (LegiScan's people files), else from
their sponsorships.

A member's score is the share of their votes cast (with us + against us) that were with us; absences, "not
voting", abstentions and excused votes are counted apart and do not lower it.
"""

import datetime as dt
import re
from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import Any, NoReturn

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from tracker.member_names import Seen, merges, name_tokens
from tracker.models import (
    Bill,
    KeyVoteMark,
    LegislativeSession,
    PersonVote,
    Position,
    Sponsorship,
    Stance,
    User,
    VoteEvent,
)
from tracker.models.base import utcnow
from tracker.models.enums import VoteOption
from tracker.names import by_name, folded
from tracker.permissions import Action, require
from tracker.references import session_words
from tracker.sources.states import STATE_NAMES
from tracker.sources.states import chamber_name as state_chamber_name
from tracker.votes import source_rank

DECISIONS = ("include", "exclude", "default")
SIDES = ("yes", "no")

# What makes a roll call a chamber's final floor passage vote, kept as data. A floor vote: the feed names the floor
# (pubinfo "Assembly Floor") or no body at all (LegiScan, whose committee votes say "Committee" in the motion);
# pubinfo's committee codes (CX03, CS44) and motions naming a committee are not. Passage: the wording says so
# (LegiScan "House Passed", "Senate Passed As Amended", "House Adopted" for resolutions, concurrence, third
# reading), or the feed gives no wording (pubinfo floor votes: the chamber's last floor vote on the bill is its
# passage or its concurrence in the other house's amendments). Procedural motions are never passage.
FLOOR_BODY = re.compile(r"\bfloor\b", re.IGNORECASE)
COMMITTEE = re.compile(r"\bcomm(?:ittee|\.)|\bsubcommittee\b|\bdo pass\b", re.IGNORECASE)
PASSAGE = re.compile(r"\bpass(?:ed|age)?\b|\bthird reading\b|\bfinal\b|\badopt(?:ed|ion)?\b|\bconcur", re.IGNORECASE)
PROCEDURAL = re.compile(r"\breconsider|\btabl(?:e|ed|ing)\b|\bcloture\b|previous question|\bsuspend", re.IGNORECASE)
AMENDMENT = re.compile(r"\bamendment", re.IGNORECASE)

WITH, AGAINST, ABSENT = "with us", "against us", "absent/not voting"
CAST = {VoteOption.yes.value: "yes", VoteOption.no.value: "no"}


DECISION_WORDS = {"include": "a key vote", "exclude": "not a key vote", "default": "as the rule says"}


class ScorecardError(ValueError):
    """Bad input: unknown roll call, decision or session, dates the wrong way round."""


class KeyVoteConflict(RuntimeError):
    """Someone marked the roll call after the version the editor started from: nothing was written."""

    def __init__(self, *, vote_event_id: int, roll_call: str, expected_version: int, current: dict[str, Any]) -> None:
        self.vote_event_id = vote_event_id
        self.expected_version = expected_version
        self.current = current  # _describe_mark's shape: the mark in force now
        super().__init__(
            f"Not saved: {current.get('author') or 'someone'} marked this roll call ({roll_call}) "
            f"\"{DECISION_WORDS.get(current['decision'], current['decision'])}\" at {current.get('marked_at') or ''} "
            f"(version {current['version']}"
            + (f", reason: {current['reason']!r}" if current.get("reason") else "")
            + "). Review their mark, then save again.")


def is_final_passage_candidate(*, body: str | None, motion: str | None, chamber: str | None) -> bool:
    """Whether a roll call is a floor vote on passage (the last one per chamber is the key vote)."""
    if not chamber:
        return False
    if body and (not FLOOR_BODY.search(body) or COMMITTEE.search(body)):
        return False
    if motion is None or not motion.strip():
        return body is not None  # no wording: only a roll call the feed places on the floor
    if COMMITTEE.search(motion) or PROCEDURAL.search(motion):
        return False
    if AMENDMENT.search(motion) and not re.search(r"\bconcur", motion, re.IGNORECASE):
        return False  # a vote on an amendment, not on the bill (concurring in amendments is the bill's last vote)
    return bool(PASSAGE.search(motion))


@dataclass
class KeyVote:
    vote_event_id: int
    source: str
    source_key: str
    bill_id: int
    bill: str
    title: str
    stance: str
    with_us: str  # the member vote that is with us: "yes" or "no"
    chamber: str | None
    date: str | None
    body: str | None
    motion: str | None
    result: str | None
    yes: int | None
    no: int | None
    why: str  # "final floor passage", or "included by ... on ..."
    url: str | None = None
    members: bool = True  # False: the feed gave the tallies only, so the vote scores nobody
    chamber_name: str | None = None  # as the state's readers say it: "Assembly", "House", "Senate"

    @property
    def label(self) -> str:
        return f"{self.bill} ({self.chamber_name or self.chamber or '?'}, {self.date or 'no date'})"


@dataclass
class MemberVote:
    vote_event_id: int
    bill: str
    chamber: str | None
    date: str | None
    option: str  # as stored: yes, no, not voting, absent...
    verdict: str  # WITH, AGAINST or ABSENT
    stance: str | None = None  # the council's position on the bill, which makes the vote with or against us
    chamber_name: str | None = None


@dataclass
class Legislator:
    name: str
    person_id: str | None
    chamber: str | None
    party: str | None = None
    district: str | None = None
    with_us: int = 0
    against_us: int = 0
    absent: int = 0
    votes: list[MemberVote] = field(default_factory=list)
    chamber_name: str | None = None  # "Assembly", "Senate"; "Assembly/Senate" for a member seen in both

    @property
    def score(self) -> float | None:
        """Percent of votes cast that were with us; None when the member cast none."""
        cast = self.with_us + self.against_us
        return round(100.0 * self.with_us / cast, 1) if cast else None


@dataclass
class Scorecard:
    jurisdiction: str
    session: str | None
    start: dt.date | None
    end: dt.date | None
    chamber: str | None
    key_votes: list[KeyVote]
    legislators: list[Legislator]
    generated_at: dt.datetime

    def describe(self) -> str:
        parts = [STATE_NAMES.get(self.jurisdiction, self.jurisdiction.upper())]
        if self.session:
            parts.append(session_words(self.jurisdiction, self.session))
        if self.start or self.end:
            parts.append(f"{self.start or '…'} to {self.end or '…'}")
        if self.chamber:
            parts.append(f"{self.chamber} chamber")
        return ", ".join(parts)

    def as_json(self) -> dict[str, Any]:
        """Plain JSON-ready data (``tracker scorecard --json``)."""
        return {
            "jurisdiction": self.jurisdiction, "session": self.session,
            "start": self.start.isoformat() if self.start else None, "end": self.end.isoformat() if self.end else None,
            "chamber": self.chamber, "generated_at": self.generated_at.isoformat(timespec="seconds"),
            "key_votes": [asdict(k) for k in self.key_votes],
            "legislators": [{**{k: v for k, v in asdict(m).items() if k != "votes"}, "score": m.score,
                             "votes": [asdict(v) for v in m.votes]} for m in self.legislators],
        }


def _scope(session: Session, *, jurisdiction: str, session_identifier: str | None, chamber: str | None) -> list[Any]:
    where: list[Any] = [Bill.jurisdiction_id == jurisdiction]
    if session_identifier:
        session_id = session.execute(select(LegislativeSession.id).where(
            LegislativeSession.jurisdiction_id == jurisdiction,
            LegislativeSession.identifier == session_identifier)).scalar_one_or_none()
        if session_id is None:
            known = session.execute(select(LegislativeSession.identifier).where(
                LegislativeSession.jurisdiction_id == jurisdiction).order_by(LegislativeSession.identifier)).scalars()
            raise ScorecardError(f"No session {session_identifier!r} stored for {jurisdiction!r}; stored: "
                                 f"{', '.join(known) or 'none'}.")
        where.append(Bill.session_id == session_id)
    if chamber:
        where.append(VoteEvent.chamber == chamber)
    return where


def roll_calls(session: Session, *, jurisdiction: str, session_identifier: str | None = None,
               start: dt.date | None = None, end: dt.date | None = None,
               chamber: str | None = None) -> list[dict[str, Any]]:
    """Every roll call on the bills in scope that hold a scored position, each with ``key`` (whether it counts),
    ``default`` (the final-passage rule takes it) and ``mark`` (staff's latest mark, if any): what the dashboard
    offers for marking and what ``scorecard`` counts. Oldest first per bill.

    A date range keeps the roll calls that fall in it, but which one is a chamber's final vote is decided over all
    of them: a passage later amended and passed again outside the range is not the final vote."""
    if start and end and start > end:
        raise ScorecardError(f"The range starts ({start}) after it ends ({end}).")
    where = _scope(session, jurisdiction=jurisdiction, session_identifier=session_identifier, chamber=chamber)
    rows = session.execute(
        select(VoteEvent, Bill.identifier, Bill.title, Position.stance, Stance.scorecard_vote)
        .join(Bill, Bill.id == VoteEvent.bill_id).join(Position, Position.bill_id == Bill.id)
        .join(Stance, Stance.name == Position.stance)
        .where(*where, Stance.scorecard_vote.in_(SIDES))
        .order_by(Bill.id, VoteEvent.date, VoteEvent.id)).all()
    if not rows:
        return []
    events = {e.id: e for e, *_ in rows}
    with_members = set(session.execute(select(PersonVote.vote_event_id).where(
        PersonVote.vote_event_id.in_(list(events))).distinct()).scalars())
    # Per bill, chamber and source: the last floor passage vote. Per bill and chamber: one source's.
    last: dict[tuple[int, str, str], VoteEvent] = {}
    for e in events.values():
        if is_final_passage_candidate(body=e.body, motion=e.motion, chamber=e.chamber):
            known = last.get((e.bill_id, e.chamber or "", e.source_name))
            if known is None or (e.date or dt.date.min, e.id or 0) >= (known.date or dt.date.min, known.id or 0):
                last[(e.bill_id, e.chamber or "", e.source_name)] = e
    chosen: dict[tuple[int, str], VoteEvent] = {}
    for (bill_id, chamber_name, _), e in last.items():
        other = chosen.get((bill_id, chamber_name))
        if other is None or _rank(e, with_members) > _rank(other, with_members):
            chosen[(bill_id, chamber_name)] = e
    defaults = {e.id for e in chosen.values()}
    marks = _latest_marks(session, list(events.values()))
    out = []
    for e, identifier, title, stance, side in rows:
        if (start and (e.date is None or e.date < start)) or (end and (e.date is None or e.date > end)):
            continue
        mark = marks.get((e.source_name, e.source_key))
        decision = mark["decision"] if mark else "default"
        key = e.id in defaults if decision == "default" else decision == "include"
        # ``version``: the mark's, 0 when none; what a save from this listing names as its expected version.
        out.append({"vote_event_id": e.id, "source": e.source_name, "source_key": e.source_key, "bill_id": e.bill_id,
                    "bill": identifier, "title": title, "stance": stance, "with_us": side, "chamber": e.chamber,
                    "date": e.date.isoformat() if e.date else None, "body": e.body, "motion": e.motion,
                    "result": e.result, "yes": e.yes_count, "no": e.no_count, "url": e.url,
                    "chamber_name": chamber_names(e.chamber, jurisdiction),
                    "members": e.id in with_members, "default": e.id in defaults, "key": key, "mark": mark,
                    "version": mark["version"] if mark else 0})
    return out


def _rank(e: VoteEvent, with_members: set[int]) -> tuple[bool, int, str]:
    # A roll call without members' votes scores nobody: one that has them wins, then the bill page's source order.
    return e.id in with_members, *source_rank(e.source_name)


def _latest_marks(session: Session, events: list[VoteEvent]) -> dict[tuple[str, str], dict[str, Any]]:
    """Staff's latest mark on each of ``events`` (read by bill: far fewer values than roll calls)."""
    wanted = {(e.source_name, e.source_key) for e in events}
    if not wanted:
        return {}
    found: dict[tuple[str, str], dict[str, Any]] = {}
    rows = session.execute(
        select(KeyVoteMark, User.email, User.name).outerjoin(User, User.id == KeyVoteMark.author_id)
        .where(KeyVoteMark.bill_id.in_({e.bill_id for e in events}))
        .order_by(KeyVoteMark.version, KeyVoteMark.id))
    for mark, email, name in rows:
        if (mark.source_name, mark.source_key) in wanted:
            found[(mark.source_name, mark.source_key)] = _describe_mark(mark, name or email)
    return found


def _describe_mark(mark: KeyVoteMark, author: str | None) -> dict[str, Any]:
    return {"decision": mark.decision, "reason": mark.reason, "author": author, "version": mark.version,
            "marked_at": mark.marked_at.isoformat(timespec="seconds") if mark.marked_at else None}


def scorecard(session: Session, *, jurisdiction: str, session_identifier: str | None = None,
              start: dt.date | None = None, end: dt.date | None = None, chamber: str | None = None) -> Scorecard:
    """The key votes in scope and every member who voted on one, best score first within each chamber."""
    calls = [c for c in roll_calls(session, jurisdiction=jurisdiction, session_identifier=session_identifier,
                                   start=start, end=end, chamber=chamber) if c["key"]]
    key_votes = [KeyVote(
        vote_event_id=c["vote_event_id"], source=c["source"], source_key=c["source_key"], bill_id=c["bill_id"],
        bill=c["bill"], title=c["title"], stance=c["stance"], with_us=c["with_us"], chamber=c["chamber"],
        date=c["date"], body=c["body"], motion=c["motion"], result=c["result"], yes=c["yes"], no=c["no"],
        url=c["url"], why=_why(c), members=c["members"], chamber_name=c["chamber_name"]) for c in calls]
    key_votes.sort(key=lambda k: (k.date or "", k.bill, k.chamber or ""))
    legislators = _legislators(session, jurisdiction, key_votes)
    return Scorecard(jurisdiction=jurisdiction, session=session_identifier, start=start, end=end, chamber=chamber,
                     key_votes=key_votes, legislators=legislators, generated_at=utcnow())


def members_matching(card: Scorecard, *, person_id: str | None, name: str) -> list[Legislator]:
    """The scorecard's members who are this legislator (a sponsor, as a packet's ``--sponsor`` names them): by the
    feed's person id, else by the name as votes are matched (pubinfo names authors and voters alike, with no id).
    Several when one name sat in both chambers; none when the legislator cast no key vote."""
    if person_id:
        found = [m for m in card.legislators if m.person_id == person_id]
        if found:
            return found
    wanted = _fold(name)
    return [m for m in card.legislators if _fold(m.name) == wanted] if wanted else []


def chamber_names(chamber: str | None, jurisdiction: str) -> str | None:
    """"lower" as California's readers say it, "Assembly" (tracker.sources.states.chamber_name); a member seen in
    both chambers ("lower/upper") as "Assembly/Senate"."""
    if not chamber:
        return chamber
    return "/".join(state_chamber_name(part, jurisdiction) or part for part in chamber.split("/"))


def _why(call: dict[str, Any]) -> str:
    mark = call["mark"]
    if mark and mark["decision"] == "include":
        return f"included by {mark['author'] or 'someone'} on {(mark['marked_at'] or '')[:10]}"
    return "final floor passage"


def _fold(name: str) -> str:
    """A member's name as votes are matched by it: ``folded``, punctuation read as spaces."""
    return " ".join(re.sub(r"[^\w\s]", " ", folded(name)).split())


# What each feed calls the member id it gives, for a member it names by no other means.
_MEMBER_IDS = {"legiscan": "LegiScan people_id", "openstates": "Open States person id",
               "ca_pubinfo": "California pubinfo member id"}


def unnamed_member(source: str, person_id: str | None) -> str:
    """"Unnamed member (LegiScan people_id 6492)": a member no feed names, by whose id it is."""
    return f"Unnamed member ({_MEMBER_IDS.get(source, f'{source} id')} {person_id})"


def _legislators(session: Session, jurisdiction: str, key_votes: list[KeyVote]) -> list[Legislator]:
    by_event = {k.vote_event_id: k for k in key_votes}
    if not by_event:
        return []
    votes = session.execute(select(PersonVote).where(PersonVote.vote_event_id.in_(list(by_event)))
                            .order_by(PersonVote.id)).scalars().all()
    bill_session = dict(session.execute(select(Bill.id, Bill.session_id).where(
        Bill.id.in_({k.bill_id for k in key_votes}))).all())
    # Members with a feed id, by their names, then name-only votes: one key each, joined where tracker.member_names
    # finds exactly one member the name fits in the same chamber and session ("Thompson", "Bruce Thompson").
    names: dict[str, Counter[str]] = {}
    seen: set[Seen] = set()
    for v in votes:
        kv = by_event[v.vote_event_id]
        place = dict(chamber=kv.chamber or "", session=bill_session.get(kv.bill_id))
        if v.person_id:
            if v.name:
                names.setdefault(v.person_id, Counter())[v.name] += 1
                seen.add(Seen(key=("id", v.person_id), name=v.name, **place))
        elif v.name:
            seen.add(Seen(key=("name", kv.chamber or "", _fold(v.name)), name=v.name, **place))
    joined = merges(seen)
    # A member the roll calls give only an id (LegiScan without their people file): the name a bill of the same
    # legislature gives that id as sponsor, else a label saying whose id it is; never a bare number.
    unnamed = {v.person_id for v in votes if v.person_id and v.person_id not in names}
    if unnamed:
        for name, pid in session.execute(select(Sponsorship.name, Sponsorship.person_id).join(
                Bill, Bill.id == Sponsorship.bill_id).where(Bill.jurisdiction_id == jurisdiction,
                                                           Sponsorship.person_id.in_(sorted(unnamed)))):
            if name and name.strip():
                names.setdefault(pid, Counter())[name] += 1
    feed = {k.vote_event_id: k.source for k in key_votes}

    members: dict[tuple[str, ...], Legislator] = {}
    said: dict[tuple[str, ...], tuple[Counter[str], Counter[str]]] = {}  # the votes' own party and district
    for v in votes:
        kv = by_event[v.vote_event_id]
        if v.person_id:
            key: tuple[str, ...] = ("id", v.person_id)
        elif v.name:
            own: tuple[str, ...] = ("name", kv.chamber or "", _fold(v.name))
            key = joined.get(own, own)  # type: ignore[assignment]
        else:
            continue  # neither id nor name: nobody to put it under
        member = members.get(key)
        if member is None:
            pid = key[1] if key[0] == "id" else None
            name = names[pid].most_common(1)[0][0] if pid and pid in names else (
                v.name or unnamed_member(feed[v.vote_event_id], pid))
            member = members[key] = Legislator(name=name, person_id=pid, chamber=kv.chamber)
        elif key[0] == "name" and v.name and len(name_tokens(v.name)) > len(name_tokens(member.name)):
            member.name = v.name  # a name-only member under the fullest of the names joined
        parties, districts = said.setdefault(key, (Counter(), Counter()))
        if v.party:
            parties[v.party] += 1
        if v.district:
            districts[v.district] += 1
        if kv.chamber and member.chamber and kv.chamber != member.chamber:
            member.chamber = "/".join(sorted({*member.chamber.split("/"), kv.chamber}))
        cast = CAST.get(v.option)
        verdict = ABSENT if cast is None else WITH if cast == kv.with_us else AGAINST
        if verdict == WITH:
            member.with_us += 1
        elif verdict == AGAINST:
            member.against_us += 1
        else:
            member.absent += 1
        member.votes.append(MemberVote(vote_event_id=kv.vote_event_id, bill=kv.bill, chamber=kv.chamber,
                                       date=kv.date, option=v.option, verdict=verdict, stance=kv.stance,
                                       chamber_name=kv.chamber_name))
    _party_and_district(session, jurisdiction, list(members.values()))
    for key, (parties, districts) in said.items():  # the roll calls' own word first (LegiScan's people files)
        member = members[key]
        member.party = parties.most_common(1)[0][0] if parties else member.party
        member.district = districts.most_common(1)[0][0] if districts else member.district
    order = {k.vote_event_id: i for i, k in enumerate(key_votes)}
    for member in members.values():
        member.votes.sort(key=lambda mv: order[mv.vote_event_id])
        member.chamber_name = chamber_names(member.chamber, jurisdiction)
    return sorted(members.values(), key=lambda m: (m.chamber or "", -(m.score if m.score is not None else -1),
                                                   by_name(m.name)))


def _party_and_district(session: Session, jurisdiction: str, members: list[Legislator]) -> None:
    """From the members' sponsorships in the jurisdiction, where a feed gave party or district: by person id,
    else by the exact name."""
    ids = {m.person_id for m in members if m.person_id}
    names = {m.name for m in members if not m.person_id}
    if not ids and not names:
        return
    found: dict[tuple[str, str], tuple[str | None, str | None]] = {}
    for clause, kind in ((Sponsorship.person_id.in_(ids), "id"), (Sponsorship.name.in_(names), "name")):
        if (kind == "id" and not ids) or (kind == "name" and not names):
            continue
        rows = session.execute(
            select(Sponsorship.person_id, Sponsorship.name, Sponsorship.party, Sponsorship.district)
            .join(Bill, Bill.id == Sponsorship.bill_id)
            .where(clause, Bill.jurisdiction_id == jurisdiction,
                   func.coalesce(Sponsorship.party, Sponsorship.district).is_not(None))
            .order_by(Bill.latest_action_date, Sponsorship.id))
        for pid, name, party, district in rows:  # the latest bill's wins
            ident = (kind, pid if kind == "id" else name)
            was = found.get(ident, (None, None))
            found[ident] = (party or was[0], district or was[1])
    for m in members:
        party, district = found.get(("id", m.person_id) if m.person_id else ("name", m.name), (None, None))
        m.party, m.district = party, district


def mark_key_vote(session: Session, *, actor: User, vote_event_id: int, decision: str, expected_version: int,
                  reason: str | None = None) -> dict[str, Any]:
    """Take a roll call into the scorecard ("include"), leave it out ("exclude"), or let the final-passage rule
    decide again ("default"). Recorded with who, when and why; returns the mark as ``key_vote_history`` lists it.

    ``expected_version`` is the version of the mark the editor saw (``roll_calls``' ``version``, 0 for none): if
    someone marked the roll call since, KeyVoteConflict carries their mark and nothing is written."""
    require(actor, Action.mark_key_vote)
    if decision not in DECISIONS:
        raise ScorecardError(f"Unknown decision {decision!r}; one of: {', '.join(DECISIONS)}")
    event = session.get(VoteEvent, vote_event_id)
    if event is None:
        raise ScorecardError(f"No roll call with id {vote_event_id}.")
    current = _current_mark(session, event)
    if (current.version if current else 0) != expected_version:
        _refuse(session, event, expected_version, current)
    mark = KeyVoteMark(bill_id=event.bill_id, source_name=event.source_name, source_key=event.source_key,
                       decision=decision, reason=(reason or "").strip() or None, author_id=actor.id,
                       marked_at=utcnow(), version=expected_version + 1)
    # The unique (roll call, version) index is the compare-and-set: of two saves that both passed the check above,
    # the second fails here. Only this insert is undone (a savepoint): the caller's other work stays.
    try:
        with session.begin_nested():
            session.add(mark)
            session.flush()
    except IntegrityError:
        _refuse(session, event, expected_version, _current_mark(session, event))
    return _describe_mark(mark, actor.name or actor.email)


def _current_mark(session: Session, event: VoteEvent) -> KeyVoteMark | None:
    return session.execute(
        select(KeyVoteMark).where(KeyVoteMark.source_name == event.source_name,
                                  KeyVoteMark.source_key == event.source_key)
        .order_by(KeyVoteMark.version.desc()).limit(1).execution_options(populate_existing=True)
    ).scalar_one_or_none()


def _refuse(session: Session, event: VoteEvent, expected_version: int, current: KeyVoteMark | None) -> NoReturn:
    if current is None:  # the editor named a version, and the roll call has no mark at all
        raise ScorecardError(f"Roll call {event.id} has no mark version {expected_version}; it has none yet (0).")
    author = session.get(User, current.author_id) if current.author_id else None
    bill = session.get(Bill, event.bill_id)
    named = chamber_names(event.chamber, bill.jurisdiction_id) if bill else event.chamber
    roll_call = ", ".join(str(x) for x in (bill.identifier if bill else None, named,
                                           event.date.isoformat() if event.date else None) if x)
    raise KeyVoteConflict(vote_event_id=event.id or 0, roll_call=roll_call, expected_version=expected_version,
                          current=_describe_mark(current, (author.name or author.email) if author else None))


def key_vote_history(session: Session, *, vote_event_id: int) -> list[dict[str, Any]]:
    """Every mark made on the roll call, newest first."""
    event = session.get(VoteEvent, vote_event_id)
    if event is None:
        raise ScorecardError(f"No roll call with id {vote_event_id}.")
    rows = session.execute(
        select(KeyVoteMark, User.email, User.name).outerjoin(User, User.id == KeyVoteMark.author_id)
        .where(KeyVoteMark.source_name == event.source_name, KeyVoteMark.source_key == event.source_key)
        .order_by(KeyVoteMark.version.desc(), KeyVoteMark.id.desc()))
    return [_describe_mark(mark, name or email) for mark, email, name in rows]


def sessions_with_positions(session: Session) -> list[tuple[str, str, str]]:
    """(jurisdiction, session identifier, session name) holding a scored position on a bill with roll calls:
    what the dashboard offers, newest session first."""
    rows = session.execute(
        select(Bill.jurisdiction_id, LegislativeSession.identifier, LegislativeSession.name)
        .join(LegislativeSession, LegislativeSession.id == Bill.session_id)
        .join(Position, Position.bill_id == Bill.id).join(Stance, Stance.name == Position.stance)
        .where(Stance.scorecard_vote.in_(SIDES), select(VoteEvent.id).where(VoteEvent.bill_id == Bill.id).exists())
        .distinct()).all()
    return sorted(((j, i, n) for j, i, n in rows), key=lambda r: (r[0], r[1]), reverse=True)
