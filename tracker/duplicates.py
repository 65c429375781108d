"""Bills stored twice by earlier versions, and merging them into one (``tracker db merge-duplicates``).

Before the identity fixes of December 2026 one California extraordinary-session bill could be stored up to three
times: pubinfo's AB 1 of session ``19992000s1``, Open States' AB 1 of session ``19992000 Special Session 1`` and
LegiScan's ``ABX 11`` (AB X1-1 read as type + number). Staff may have judged each copy. The feeds now spell the
bill one way, so the next crawl or ``import --reparse`` moves each feed's source row to the one bill and leaves
the old copies behind, no feed updating them, with whatever positions, notes and assignments staff gave them.

This is not a migration: when two copies carry different positions (or relevance labels, or follow-up given to
different people) no rule can say which one the council meant, and a migration cannot ask. ``find_groups`` says
what is stored twice and what conflicts; ``merge`` moves everything the organisation holds on the other copies
to the surviving bill, and skips (and names) a group with a conflict, which staff settle on the bill pages first.

The surviving bill is the copy the highest-ranked feed owns (``tracker.ingest.precedence``), as if the feeds had
always spelled it one way; it takes the shared spelling (session and number) once the others are gone. Crawled
children of the other copies (actions, sponsors, versions, topic matches, change records) go with them: they are
a lower-ranked feed's view of the same bill. Their feeds' source rows, roll calls, hearing items, fetched
documents and alert events move to the survivor, so nothing is fetched, told or alerted twice.
"""

import datetime as dt
import re
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlmodel import Session

from tracker.file_numbers import file_year
from tracker.ingest import lock_writers, precedence
from tracker.models import (
    AlertEvent,
    AlertSubscription,
    Assignment,
    Bill,
    BillSource,
    FirstFlag,
    HearingItem,
    KeyVoteMark,
    LegislativeSession,
    Note,
    Position,
    PositionHistory,
    SourceDocument,
    TriageState,
    User,
    VoteEvent,
    WatchlistItem,
)
from tracker.sources import legiscan, states
from tracker.upsert import upsert

_YEARS_SPELLING = re.compile(r"(\d{4})(\d{4})?(?:s(\d+))?")


def canonical_key(jurisdiction_id: str, session_identifier: str, identifier: str,
                  session_name: str = "", *, introduced: dt.date | None = None) -> tuple[str, str]:
    """The (session, identifier) the feeds now give a stored bill: Open States' "{years} Special Session {n}" as
    ``{years}s{n}``, LegiScan's California ``ABX 11`` in session ``…s1`` as ``AB 1``, and LegiScan's years in a
    state where Open States names sessions otherwise (``states.OPENSTATES_SESSIONS``: Alabama's ``2025`` is
    ``2025rs``, read from the stored session's name as LegiScan gave it)."""
    if states.is_local(jurisdiction_id):
        # A city's matter without an introduction date is in its file number's year (Legistar reading version 6);
        # earlier versions put it in the year it was last modified (New York City's Int 1299-2018 in 2019).
        year = file_year(identifier) if introduced is None else None
        return year or session_identifier, identifier
    session = states.session_from_openstates(session_identifier) if jurisdiction_id != "us" else session_identifier
    years = _YEARS_SPELLING.fullmatch(session)
    if years and jurisdiction_id in states.OPENSTATES_SESSIONS:
        start, end, special = years.groups()
        session = states.session_identifier(jurisdiction_id, int(start), int(end) if end else None,
                                            int(special or 0), session_name)
    fixed = legiscan.extraordinary_number(jurisdiction_id, identifier.replace(" ", ""), session)
    if fixed != identifier.replace(" ", "") and (normalized := states.normalize_identifier(fixed)) is not None:
        identifier = normalized[0]
    return session, identifier


@dataclass
class StoredCopy:
    bill_id: int
    session_identifier: str
    identifier: str
    source_name: str
    title: str


@dataclass
class DuplicateGroup:
    """Copies of one bill; ``survivor`` keeps them all. ``conflicts`` name what staff must settle first."""

    jurisdiction_id: str
    session_identifier: str  # the shared spelling
    identifier: str
    survivor: StoredCopy
    others: list[StoredCopy]
    conflicts: list[str] = field(default_factory=list)

    @property
    def label(self) -> str:
        return f"{self.jurisdiction_id.upper()} {self.identifier} ({self.session_identifier})"


def _copies(session: Session) -> dict[tuple[str, str, str], list[StoredCopy]]:
    rows = session.execute(select(Bill.id, Bill.jurisdiction_id, LegislativeSession.identifier, Bill.identifier,
                                  Bill.source_name, Bill.title, LegislativeSession.name, Bill.introduced_date)
                           .join(LegislativeSession, LegislativeSession.id == Bill.session_id)
                           .where(Bill.jurisdiction_id != "us"))
    keyed: dict[tuple[str, str, str], list[StoredCopy]] = defaultdict(list)
    for bill_id, jur, sess, ident, source, title, sess_name, introduced in rows:
        keyed[(jur, *canonical_key(jur, sess, ident, sess_name, introduced=introduced))].append(
            StoredCopy(bill_id, sess, ident, source, title))
    return keyed


def find_groups(session: Session) -> list[DuplicateGroup]:
    """Every bill stored under more than one spelling, and every lone bill under a spelling no feed gives any
    more (the next crawl would store it again beside this one): a group of one, renamed by ``merge``."""
    groups = []
    for (jur, sess, ident), copies in sorted(_copies(session).items()):
        if len(copies) == 1 and (copies[0].session_identifier, copies[0].identifier) == (sess, ident):
            continue
        ranked = sorted(copies, key=lambda c: (-precedence(c.source_name),
                                               (c.session_identifier, c.identifier) != (sess, ident), c.bill_id))
        group = DuplicateGroup(jur, sess, ident, ranked[0], ranked[1:])
        group.conflicts = _conflicts(session, [c.bill_id for c in ranked])
        groups.append(group)
    return groups


def _conflicts(session: Session, bill_ids: list[int]) -> list[str]:
    found = []
    positions = _by_value(session.execute(select(Position.stance + " (" + Position.priority + " priority)",
                                                 Position.bill_id).where(Position.bill_id.in_(bill_ids))))
    if len(positions) > 1:
        found.append(f"different positions: {_say(positions)}")
    labels = _by_value(session.execute(select(TriageState.relevance, TriageState.bill_id).where(
        TriageState.bill_id.in_(bill_ids), TriageState.relevance.is_not(None))))
    if len(labels) > 1:
        found.append(f"different relevance labels: {_say(labels)}")
    assignees = _by_value(session.execute(select(func.coalesce(User.name, User.email), Assignment.bill_id)
                                          .join(User, User.id == Assignment.assignee_id)
                                          .where(Assignment.bill_id.in_(bill_ids), ~Assignment.done)))
    if len(assignees) > 1:
        found.append(f"open assignments to different people: {_say(assignees)}")
    return found


def _by_value(rows: Any) -> dict[str, list[int]]:
    found: dict[str, list[int]] = defaultdict(list)
    for value, bill_id in rows:
        found[value].append(bill_id)
    return found


def _say(found: dict[str, list[int]]) -> str:
    return "; ".join(f"{value} on bill {', '.join(map(str, sorted(set(ids))))}" for value, ids in sorted(found.items()))


@dataclass
class MergeReport:
    merged: list[DuplicateGroup] = field(default_factory=list)
    skipped: list[DuplicateGroup] = field(default_factory=list)  # conflicts to settle first
    moved: dict[str, int] = field(default_factory=lambda: defaultdict(int))


def merge(session: Session, groups: list[DuplicateGroup] | None = None) -> MergeReport:
    """Merge each group without a conflict into its survivor, in the caller's transaction. The groups are read
    again under the writers' lock (a crawl storing one of the copies meanwhile waits, then finds the bill kept);
    ``groups`` narrows the merge to those found again with the same bills."""
    lock_writers(session)
    wanted = None if groups is None else {_bills(g) for g in groups}
    report = MergeReport()
    for group in find_groups(session):
        if wanted is not None and _bills(group) not in wanted:
            continue
        if group.conflicts:
            report.skipped.append(group)
            continue
        keep = group.survivor.bill_id
        for other in group.others:
            for what, count in _move(session, other.bill_id, keep).items():
                report.moved[what] += count
        session.flush()
        _rename(session, group)
        report.merged.append(group)
    _drop_empty_sessions(session)
    session.flush()
    return report


def _bills(group: DuplicateGroup) -> frozenset[int]:
    return frozenset([group.survivor.bill_id, *(c.bill_id for c in group.others)])


def _move(session: Session, old: int, keep: int) -> dict[str, int]:
    moved: dict[str, int] = {}

    def repoint(model: Any, column: Any, name: str) -> None:
        moved[name] = session.execute(update(model).where(column == old).values({column.key: keep})).rowcount

    position, kept = (session.execute(select(Position).where(Position.bill_id == b)).scalar_one_or_none()
                      for b in (old, keep))
    if position is not None:
        if kept is None:  # the survivor had none: this copy's position, with its history, is the bill's
            repoint(Position, Position.bill_id, "positions")
        else:  # the same stance and priority (else a conflict): one position, both histories under it
            session.execute(update(PositionHistory).where(PositionHistory.position_id == position.id)
                            .values(position_id=kept.id))
        repoint(PositionHistory, PositionHistory.bill_id, "position history rows")
        session.execute(delete(Position).where(Position.bill_id == old))
    repoint(Note, Note.bill_id, "notes")
    repoint(Assignment, Assignment.bill_id, "assignments")
    # Staff's scorecard marks name their roll call by its feed identity, which moves to the survivor below.
    repoint(KeyVoteMark, KeyVoteMark.bill_id, "key vote marks")
    _merge_triage(session, old, keep, moved)
    _merge_first_flag(session, old, keep)
    present = select(WatchlistItem.watchlist_id).where(WatchlistItem.bill_id == keep).scalar_subquery()
    session.execute(delete(WatchlistItem).where(WatchlistItem.bill_id == old, WatchlistItem.watchlist_id.in_(present)))
    repoint(WatchlistItem, WatchlistItem.bill_id, "watchlist entries")
    followed = (select(AlertSubscription.user_id).where(AlertSubscription.kind == "bill",
                                                        AlertSubscription.target == str(keep)).scalar_subquery())
    session.execute(delete(AlertSubscription).where(AlertSubscription.kind == "bill",
                                                    AlertSubscription.target == str(old),
                                                    AlertSubscription.user_id.in_(followed)))
    moved["bill alert subscriptions"] = session.execute(
        update(AlertSubscription).where(AlertSubscription.kind == "bill", AlertSubscription.target == str(old))
        .values(target=str(keep))).rowcount
    # Crawled rows that name the feed's own identity (or what was already told): the survivor's now.
    for model, column, name in ((BillSource, BillSource.bill_id, "feed source rows"),
                                (VoteEvent, VoteEvent.bill_id, "roll calls"),
                                (HearingItem, HearingItem.bill_id, "hearing items"),
                                (SourceDocument, SourceDocument.bill_id, "fetched documents"),
                                (AlertEvent, AlertEvent.bill_id, "alert events")):
        repoint(model, column, name)
    session.execute(delete(Bill).where(Bill.id == old))
    return {k: v for k, v in moved.items() if v}


def _merge_first_flag(session: Session, old: int, keep: int) -> None:
    """The bill was first flagged when its earliest copy was: the merged bill is not "new" again in the inbox."""
    first = session.execute(select(func.min(FirstFlag.first_flagged_at))
                            .where(FirstFlag.bill_id.in_([old, keep]))).scalar_one()
    if first is None:
        return
    session.execute(delete(FirstFlag).where(FirstFlag.bill_id == old))
    upsert(session, FirstFlag, [{"bill_id": keep, "first_flagged_at": first}], ["bill_id"], ["first_flagged_at"])


def _merge_triage(session: Session, old: int, keep: int, moved: dict[str, int]) -> None:
    """One triage row per bill: the later judgement's status, and the relevance label either copy had (two
    different labels are a conflict, never reached here)."""
    mine, theirs = session.get(TriageState, old), session.get(TriageState, keep)
    if mine is None:
        return
    if theirs is None:
        session.execute(update(TriageState).where(TriageState.bill_id == old).values(bill_id=keep))
        session.expire_all()
        moved["triage states"] = 1
        return
    later = mine if _stamp(mine.changed_at) > _stamp(theirs.changed_at) else theirs
    theirs.status, theirs.user_id, theirs.changed_at = later.status, later.user_id, later.changed_at
    theirs.reason = later.reason  # a dismissal's reason goes with its status
    theirs.relevance = theirs.relevance or mine.relevance
    session.add(theirs)
    session.delete(mine)
    session.flush()
    moved["triage states"] = 1


def _stamp(value: dt.datetime | None) -> dt.datetime:
    return (value or dt.datetime.min).replace(tzinfo=None)


def _rename(session: Session, group: DuplicateGroup) -> None:
    """Give the survivor the shared spelling, in the session the feeds now name (created as they would)."""
    copy = group.survivor
    if (copy.session_identifier, copy.identifier) == (group.session_identifier, group.identifier):
        return
    session_id = session.execute(select(LegislativeSession.id).where(
        LegislativeSession.jurisdiction_id == group.jurisdiction_id,
        LegislativeSession.identifier == group.session_identifier)).scalar_one_or_none()
    if session_id is None:
        name = states.session_name(group.jurisdiction_id, group.session_identifier)
        years = _YEARS_SPELLING.fullmatch(group.session_identifier)
        if name is None and years:
            start, end, special = years.groups()
            name = states.session_name_from_years(int(start), int(end) if end else None, int(special or 0))
        row = LegislativeSession(jurisdiction_id=group.jurisdiction_id, identifier=group.session_identifier,
                                 name=name or group.session_identifier)
        session.add(row)
        session.flush()
        session_id = row.id
    normalized = states.normalize_identifier(group.identifier)
    values: dict[str, Any] = {"session_id": session_id, "identifier": group.identifier}
    if normalized is not None:
        values.update(bill_type=normalized[1], number=normalized[2])
    session.execute(update(Bill).where(Bill.id == copy.bill_id).values(values))


def _drop_empty_sessions(session: Session) -> None:
    """Sessions under a spelling no feed gives any more, once no bill is left in them."""
    for sess in session.execute(select(LegislativeSession)).scalars().all():
        if canonical_key(sess.jurisdiction_id, sess.identifier, "", sess.name)[0] == sess.identifier:
            continue
        if session.execute(select(func.count()).where(Bill.session_id == sess.id)).scalar_one() == 0:
            session.delete(sess)
