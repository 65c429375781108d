"""Writers for a bill's roll calls and calendar entries, called by ``tracker.ingest.Ingestor`` in its transaction.

Both are keyed by the source's own ids (``VoteEvent``: source name + roll-call key; a calendar entry's hearing:
source name + ``{bill source key}/calendar/{entry key}``), so every source that delivered a bill keeps its own
rows, a re-ingest updates them in place, and a roll call or hearing that left the bill's record is deleted. Which
source's roll calls a reader shows is ``tracker.votes.votes_for_bill``'s rule, not a storage one.
"""

from collections.abc import Sequence
from typing import Any

from sqlalchemy import delete, func, or_, select
from sqlmodel import Session

from tracker.models import BillSource, Hearing, HearingItem, PersonVote, VoteEvent
from tracker.records import RollCallRecord
from tracker.sql_keys import keys_in
from tracker.upsert import dialect_insert

VOTE_COLUMNS = ("date", "chamber", "body", "motion", "result", "yes_count", "no_count", "other_count",
                "absent_count", "url", "roll_number")
CALENDAR_MARK = "/calendar/"  # in a hearing's source key: the hearing came from a bill's own calendar


# Sources whose roll calls come in two documents, each with part of them: LegiScan's bill ``votes[]`` (the URL; in
# the XML flavour no counts, and never the members) and its roll-call files (counts and members, no URL). There a
# value or a member list one document lacks keeps what the other stored. Every other source's bill record holds
# the whole roll call (pubinfo: the motion from BILL_MOTION_TBL, the members from BILL_DETAIL_VOTE_TBL; Open
# States: the vote event), so what it lacks is gone upstream and goes here too: a motion dropped from the table,
# members' votes no longer listed. Kept, they stayed stored for good.
PARTIAL_ROLL_CALL_SOURCES = frozenset({"legiscan"})


def write_votes(session: Session, bills: Sequence[tuple[int, str, list[dict[str, Any]]]]) -> None:
    """Replace the roll calls each (bill id, source name) delivered with ``votes`` (prepared vote dicts).

    Of a source in ``PARTIAL_ROLL_CALL_SOURCES``, members' votes are replaced only for roll calls whose ``people``
    is a list (None keeps what a fuller document, a LegiScan roll-call file, stored) and a value the bill's
    document lacks keeps the stored one; of any other source, the roll call is replaced as delivered."""
    scope = {(bill_id, source): {v["source_key"] for v in votes} for bill_id, source, votes in bills}
    if not scope:
        return
    stale = [vid for vid, bill_id, source, key in session.execute(
        select(VoteEvent.id, VoteEvent.bill_id, VoteEvent.source_name, VoteEvent.source_key).where(
            keys_in((VoteEvent.source_name, VoteEvent.bill_id), [(name, bill_id) for bill_id, name in scope])))
        if key not in scope[(bill_id, source)]]
    if stale:
        session.execute(delete(PersonVote).where(PersonVote.vote_event_id.in_(stale)))
        session.execute(delete(VoteEvent).where(VoteEvent.id.in_(stale)))
    _upsert_events(session, [(bill_id, source, v) for bill_id, source, votes in bills for v in votes])


def _complete(source: str) -> bool:
    return source not in PARTIAL_ROLL_CALL_SOURCES


def write_roll_calls(session: Session, records: Sequence[RollCallRecord]) -> tuple[int, int]:
    """Roll calls that travel on their own, attached to the bill their source knows by ``bill_source_key``.

    Returns (stored, skipped): a roll call whose bill the source has not delivered yet is skipped; importing
    the bill and then the roll call again stores it."""
    latest = {(r.source_name, r.source_key): r for r in records}
    wanted = {(r.source_name, r.bill_source_key) for r in latest.values()}
    if not wanted:
        return 0, 0
    bills = {(name, key): bill_id for name, key, bill_id in session.execute(
        select(BillSource.source_name, BillSource.source_key, BillSource.bill_id).where(
            keys_in((BillSource.source_name, BillSource.source_key), list(wanted))))}
    rows = []
    for r in latest.values():
        bill_id = bills.get((r.source_name, r.bill_source_key))
        if bill_id is not None:
            rows.append((bill_id, r.source_name, r.model_dump(exclude={"source_name", "bill_source_key"})))
    _upsert_events(session, rows)
    return len(rows), len(latest) - len(rows)


def _upsert_events(session: Session, rows: list[tuple[int, str, dict[str, Any]]]) -> None:
    if not rows:
        return
    for partial in (True, False):
        part = [row for row in rows if _complete(row[1]) != partial]
        if part:
            session.execute(_event_upsert(session, partial=partial), [
                {"bill_id": bill_id, "source_name": source, "source_key": v["source_key"],
                 **{c: v[c] for c in VOTE_COLUMNS}} for bill_id, source, v in part])
    with_people = {(source, v["source_key"]): v["people"] if v["people"] is not None else []
                   for _, source, v in rows if v["people"] is not None or _complete(source)}
    if not with_people:
        return
    ids = {(name, key): vid for name, key, vid in session.execute(
        select(VoteEvent.source_name, VoteEvent.source_key, VoteEvent.id).where(
            keys_in((VoteEvent.source_name, VoteEvent.source_key), list(with_people))))}
    session.execute(delete(PersonVote).where(PersonVote.vote_event_id.in_(list(ids.values()))))
    people = [{"vote_event_id": ids[key], "name": p["name"], "person_id": p["person_id"], "option": p["option"],
               "party": p.get("party"), "district": p.get("district")}
              for key, members in with_people.items() for p in members]
    if people:
        session.execute(dialect_insert(session, PersonVote.__table__), people)


def _event_upsert(session: Session, *, partial: bool) -> Any:
    table = VoteEvent.__table__
    stmt = dialect_insert(session, table)
    # Partial documents (PARTIAL_ROLL_CALL_SOURCES): one that lacks a value never blanks one the other stored.
    merged = {c: func.coalesce(stmt.excluded[c], table.c[c]) if partial else stmt.excluded[c] for c in VOTE_COLUMNS}
    merged["bill_id"] = stmt.excluded.bill_id
    return stmt.on_conflict_do_update(
        index_elements=["source_name", "source_key"], set_=merged,
        # An unchanged roll call is not rewritten: re-reading the same feed writes nothing.
        where=or_(*(table.c[c].is_distinct_from(value) for c, value in merged.items())))


def calendar_key(bill_source_key: str, entry_key: str) -> str:
    return f"{bill_source_key}{CALENDAR_MARK}{entry_key}"


def drop_stale_calendar(session: Session, bills: Sequence[tuple[int, str, str, set[str]]]) -> None:
    """Delete calendar hearings a bill's record no longer lists, per (bill id, source name, bill source key,
    hearing keys kept): a hearing moved to another day has a new key, and the old one must not linger as
    "upcoming". One query for the batch, through the agenda items that link the hearings to the bills."""
    by_bill = {(bill_id, source): (calendar_key(bill_key, ""), keep) for bill_id, source, bill_key, keep in bills}
    if not by_bill:
        return
    stale = []
    for hid, bill_id, source, key in session.execute(
            select(Hearing.id, HearingItem.bill_id, Hearing.source_name, Hearing.source_key)
            .join(HearingItem, HearingItem.hearing_id == Hearing.id)
            .where(HearingItem.bill_id.in_({b for b, _ in by_bill}),
                   Hearing.source_key.contains(CALENDAR_MARK, autoescape=True))):
        prefix, keep = by_bill.get((bill_id, source), ("", None))
        if keep is not None and key.startswith(prefix) and key not in keep:
            stale.append(hid)
    if stale:
        session.execute(delete(HearingItem).where(HearingItem.hearing_id.in_(stale)))
        session.execute(delete(Hearing).where(Hearing.id.in_(stale)))
