"""How the legislator a packet was chosen for (``--sponsor``) voted on the council's key bills.

A lobbyist meeting a member wants the record beside the bills: "you voted with us on 1 of 3 key votes". The votes
are the scorecard's (tracker.scorecard: each chamber's final floor passage of the bills the council supports or
opposes, or the roll calls staff marked), in each session of the packet's bills the member is on, so bills they did
not sponsor count too. A session with no key vote, or none cast by the member, still gets a record that says so: an
empty section would read as a clean record.
"""

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, select
from sqlmodel import Session

from tracker.exports.packet import fmt_date
from tracker.exports.safety import clean_text
from tracker.models import Bill, Jurisdiction, LegislativeSession, Sponsorship
from tracker.scorecard import members_matching, scorecard
from tracker.sources.states import chamber_name

WITH_US = "with us"  # tracker.scorecard's verdicts, as the writers word them
AGAINST_US = "against us"


@dataclass(frozen=True)
class RecordedVote:
    """One key vote the member cast (or missed): the bill, the council's side, their vote and what it means."""

    bill: str
    title: str
    stance: str  # the council's position on the bill
    with_us: str  # the vote that is with the council: "yes" or "no"
    vote: str  # as the feed recorded it: yes, no, absent, not voting...
    verdict: str  # "with us", "against us" or "absent/not voting"
    date: dt.date | None
    chamber: str  # "Assembly", "Senate", "House"...
    motion: str | None
    result: str | None
    yes: int | None
    no: int | None

    @property
    def vote_label(self) -> str:
        """``Yes — with us``; a missed vote as the feed names it (``Absent``)."""
        said = self.vote.capitalize()
        return f"{said} — {self.verdict}" if self.verdict in (WITH_US, AGAINST_US) else said

    @property
    def roll_call_label(self) -> str:
        """``House · House Passed, Mar 3, 2014 · passed 70–48``; ``Assembly Floor, Mar 22, 1999 · passed 59–16``."""
        tally = f"{self.yes}–{self.no}" if self.yes is not None and self.no is not None else ""
        outcome = " ".join(p for p in ((self.result or "").lower(), tally) if p)
        # pubinfo gives no motion, only the body ("Assembly Floor"), which already names the chamber.
        chamber = "" if self.motion and self.motion.lower().startswith(self.chamber.lower()) else self.chamber
        where = " · ".join(p for p in (chamber, self.motion or "") if p)
        return " · ".join(p for p in (", ".join(p for p in (where, fmt_date(self.date)) if p), outcome) if p)


@dataclass(frozen=True)
class VotingRecord:
    legislator: str
    person_id: str | None
    jurisdiction: str
    session: str
    scope: str  # "California · 1999-2000 First Extraordinary Session"
    chamber: str | None  # as stored: lower, upper ("lower/upper" for one name in both)
    chamber_label: str | None  # "Assembly"
    party: str | None
    district: str | None
    with_us: int
    against_us: int
    absent: int
    score: float | None
    votes: tuple[RecordedVote, ...]
    key_votes: int  # key votes in the session, in either chamber
    note: str | None = None  # why there are no votes, when there are none

    @property
    def heading(self) -> str:
        return f"How {self.legislator} voted on the council’s key bills"

    @property
    def member_label(self) -> str:
        """``Assembly · District 12 · D``: what the feeds say of the member in this session."""
        return " · ".join(p for p in (self.chamber_label, f"District {self.district}" if self.district else None,
                                      self.party) if p)

    @property
    def summary(self) -> str:
        if not self.votes:
            return self.note or ""
        cast = self.with_us + self.against_us
        score = f" ({self.score:g}%)" if self.score is not None else ""
        missed = f"; absent or not voting on {self.absent}" if self.absent else ""
        return (f"Voted with the council on {self.with_us} of {cast} key vote{'s' if cast != 1 else ''} cast"
                f"{score}{missed}. Key votes: each chamber’s final floor vote on the bills the council supports "
                "or opposes.")

    def as_json(self) -> dict[str, Any]:
        return {
            "legislator": self.legislator, "person_id": self.person_id, "jurisdiction": self.jurisdiction,
            "session": self.session, "scope": self.scope, "chamber": self.chamber, "party": self.party,
            "district": self.district, "with_us": self.with_us, "against_us": self.against_us,
            "absent": self.absent, "score": self.score, "key_votes": self.key_votes, "note": self.note,
            "votes": [{"bill": v.bill, "title": v.title, "stance": v.stance, "with_us": v.with_us, "vote": v.vote,
                       "verdict": v.verdict, "date": v.date.isoformat() if v.date else None, "chamber": v.chamber,
                       "motion": v.motion, "result": v.result, "yes": v.yes, "no": v.no} for v in self.votes],
        }


_FLOORS = {"lower": "House", "upper": "Senate"}  # Congress (chamber_name names the states' chambers)


def contents_labels(records: Sequence[VotingRecord]) -> list[str]:
    """Each record's line in the contents: its heading, with its session when a legislator has several."""
    seen = [r.legislator for r in records]
    return [r.heading + (f" · {r.scope}" if seen.count(r.legislator) > 1 else "") for r in records]


def _chamber(chamber: str | None, jurisdiction: str) -> str:
    names = (chamber_name(c, jurisdiction) or c for c in (chamber or "").split("/") if c)
    return "/".join(_FLOORS.get(n, n) for n in names)


def _day(text: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text) if text else None
    except ValueError:
        return None


def gather_voting_records(session: Session, bill_ids: Sequence[int],
                          legislators: Sequence[dict[str, Any]]) -> tuple[VotingRecord, ...]:
    """Each legislator's record in each session of the packet's bills they sponsor or cosponsor (``legislators``:
    the selection's ``sponsors`` criterion, ``{"name", "person_id"}``), the most recent session first."""
    if not legislators or not bill_ids:
        return ()
    order = {bill_id: i for i, bill_id in enumerate(bill_ids)}
    # Sessions newest first, by the latest action of the packet's bills in each (every feed dates actions; not
    # every one dates its sessions): in the bills' order, which is the council's priority, a member's 2015 record
    # came between 2021's and 2018's.
    recency: dict[tuple[str, str], dt.date] = {}
    # Each legislator's sessions: those of the packet's bills they sponsor or cosponsor (two members from two
    # states in one packet must not each get a record in the other's legislature).
    scopes: dict[tuple[str, str], str] = {}
    wanted: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for person in legislators:
        on = (Sponsorship.person_id == person["person_id"] if person.get("person_id") else
              and_(Sponsorship.person_id.is_(None), Sponsorship.name == person["name"]))
        rows = session.execute(
            select(Bill.id, Bill.jurisdiction_id, LegislativeSession.identifier, LegislativeSession.name,
                   Jurisdiction.name, Bill.latest_action_date)
            .join(LegislativeSession, LegislativeSession.id == Bill.session_id)
            .join(Jurisdiction, Jurisdiction.id == Bill.jurisdiction_id)
            .join(Sponsorship, Sponsorship.bill_id == Bill.id)
            .where(Bill.id.in_(list(bill_ids)), Sponsorship.withdrawn_date.is_(None), on).distinct()).all()
        for _, jurisdiction, identifier, name, jurisdiction_name, latest in sorted(rows, key=lambda r: order[r[0]]):
            scopes.setdefault((jurisdiction, identifier), clean_text(f"{jurisdiction_name} · {name}"))
            recency[(jurisdiction, identifier)] = max(latest or dt.date.min,
                                                      recency.get((jurisdiction, identifier), dt.date.min))
            people = wanted.setdefault((jurisdiction, identifier), [])
            if person not in people:
                people.append(person)
    out: list[VotingRecord] = []
    for (jurisdiction, identifier), scope in sorted(scopes.items(), key=lambda item: recency[item[0]], reverse=True):
        card = scorecard(session, jurisdiction=jurisdiction, session_identifier=identifier)
        titles = {k.vote_event_id: k for k in card.key_votes}
        for person in wanted[(jurisdiction, identifier)]:
            name = clean_text(person["name"])
            members = members_matching(card, person_id=person.get("person_id"), name=person["name"])
            if not members:
                # The record's scope is printed beside the note.
                n = len(card.key_votes)
                note = ("No key votes in this session: no bill the council supports or opposes has a final floor "
                        "roll call stored." if not n else
                        ("The key vote stored for this session gives a tally only, no member's vote." if n == 1 else
                         f"The {n} key votes stored for this session give tallies only, no member's vote.")
                        if not any(k.members for k in card.key_votes) else
                        f"{name} cast none of the {n} key vote{'s' if n != 1 else ''} stored for this session (a "
                        "member of the other chamber, or the feeds name them otherwise).")
                out.append(VotingRecord(name, person.get("person_id"), jurisdiction, identifier, scope, None, None,
                                        None, None, 0, 0, 0, None, (), len(card.key_votes), note))
                continue
            for m in members:
                votes = tuple(RecordedVote(
                    bill=clean_text(k.bill), title=clean_text(k.title), stance=clean_text(k.stance),
                    with_us=k.with_us, vote=clean_text(v.option), verdict=v.verdict, date=_day(k.date),
                    chamber=_chamber(k.chamber, jurisdiction), motion=clean_text(k.motion or k.body) or None,
                    result=clean_text(k.result) or None, yes=k.yes, no=k.no)
                    for v in m.votes for k in (titles[v.vote_event_id],))
                out.append(VotingRecord(
                    clean_text(m.name), m.person_id, jurisdiction, identifier, scope, m.chamber,
                    _chamber(m.chamber, jurisdiction) or None, clean_text(m.party) or None,
                    clean_text(m.district) or None, m.with_us, m.against_us, m.absent, m.score, votes,
                    len(card.key_votes)))
    return tuple(out)
