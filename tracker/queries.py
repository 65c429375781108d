"""Read-side queries shared by the CLI, the dashboard and exports. Filters and limits run in SQL."""

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import case, func, literal_column, select
from sqlmodel import Session

from tracker.bill_text import current_text
from tracker.file_numbers import file_number, typed_file_number
from tracker.models import (
    Bill,
    BillAction,
    BillSource,
    BillSubject,
    BillVersion,
    CommitteeReferral,
    HearingItem,
    Jurisdiction,
    LegislativeSession,
    RelatedBill,
    Sponsorship,
    VoteEvent,
)
from tracker.models.enums import Level
from tracker.sources.states import normalize_identifier as normalize_state_identifier
from tracker.votes import hearings_for_bill, votes_for_bill


@dataclass(frozen=True)
class BillFilter:
    jurisdiction: str | None = None
    session: str | None = None  # the session identifier ("117"), not its row id
    stage: Sequence[str] = ()
    text: str | None = None  # words, found as the dashboard's search finds them (tracker.search)


def _scope(flt: BillFilter) -> list[Any]:
    """``flt``'s conditions but its words, on Bill and LegislativeSession."""
    where: list[Any] = []
    if flt.jurisdiction:  # codes are stored lower-case ("us", "ca"); people type "US" too
        where.append(Bill.jurisdiction_id == flt.jurisdiction.strip().lower())
    if flt.session:
        where.append(LegislativeSession.identifier == flt.session)
    if flt.stage:
        where.append(Bill.stage.in_(list(flt.stage)))
    return where


def apply_filter(session: Session, query: Any, flt: BillFilter) -> Any:
    """Narrow a select() over Bill joined to LegislativeSession by ``flt`` (the session picks the search
    dialect). Its text is read as the search page reads it (tracker.search.read_query): a bill number, in any
    common spelling, finds that bill in every jurisdiction and session in scope, the other words as words."""
    where = _scope(flt)
    if flt.text is not None:
        from tracker.search import matching_bill_ids  # tracker.search builds on this module

        where.append(Bill.id.in_(matching_bill_ids(session, flt.text, where=_scope(flt))))
    return query.where(*where)


def ordered_as_searched(session: Session, query: Any, flt: BillFilter) -> tuple[Any, list[Any]]:
    """``query`` (a select over Bill) with what it needs to be ordered as search lists ``flt``'s text, and that
    order (none without text; callers add their own after it): the bills the text names by number first, those
    with its other words before the others, the latest introduced first; then the best word match first."""
    if flt.text is None:
        return query, []
    from tracker.search import text_order  # tracker.search builds on this module

    ranked, order = text_order(session, flt.text, where=_scope(flt))
    return (query.outerjoin(ranked, ranked.c.bill_id == Bill.id) if ranked is not None else query), order


def _listed(session: Session, columns: Sequence[Any], flt: BillFilter, limit: int | None, offset: int) -> Any:
    query, order = ordered_as_searched(
        session, select(*columns).join(LegislativeSession, Bill.session_id == LegislativeSession.id), flt)
    query = apply_filter(session, query, flt).order_by(
        *order, Bill.latest_action_date.desc().nulls_last(), Bill.id.desc()).offset(offset)
    return query.limit(limit) if limit is not None else query


def list_bills(session: Session, flt: BillFilter = BillFilter(), *, limit: int | None = None,
               offset: int = 0) -> list[dict[str, Any]]:
    """Matching bills, most recent action first (with text: as search ranks them), as ``bill_summary`` rows."""
    query = _listed(session, [Bill, LegislativeSession.identifier], flt, limit, offset)
    return [bill_summary(bill, session_identifier) for bill, session_identifier in session.execute(query)]


def list_bill_ids(session: Session, flt: BillFilter = BillFilter(), *, limit: int | None = None,
                  offset: int = 0) -> list[int]:
    """The same bills' ids, in the same order (for ``bill_details``)."""
    return list(session.execute(_listed(session, [Bill.id], flt, limit, offset)).scalars())


def count_bills(session: Session, flt: BillFilter = BillFilter()) -> int:
    query = apply_filter(
        session,
        select(func.count()).select_from(Bill).join(LegislativeSession, Bill.session_id == LegislativeSession.id),
        flt,
    )
    return session.execute(query).scalar_one()


def bill_summary(bill: Bill, session_identifier: str) -> dict[str, Any]:
    return {
        "id": bill.id,
        "jurisdiction": bill.jurisdiction_id,
        "session": session_identifier,
        "identifier": bill.identifier,
        "title": bill.title,
        "stage": bill.stage,
        "introduced_date": _iso(bill.introduced_date),
        "latest_action_date": _iso(bill.latest_action_date),
        "latest_action_text": bill.latest_action_text,
        "policy_area": bill.policy_area,
    }


# California prints a bill of its n-th extraordinary session as "ABX1 1", "ABX1-1" or "AB X1-1" (LegiScan: "ABX11",
# which cannot be split without the session, so it is not read here).
_EXTRAORDINARY = re.compile(r"\s*([A-Za-z]+?)\s*X(\d)\s*[-\s]\s*0*(\d+)\s*", re.IGNORECASE)
# A city clerk's file number: "Int 0123-2024" (New York pads the number to four digits, which people often leave
# out: "Int 123-2024"), "Res 0456-2024", "O2018-9628" (Chicago), "2018-0123" (LA Metro).
_FILE_NUMBER = re.compile(r"([A-Za-z]{0,6})[.\s]*(\d+)-(\d+)")
# Spaces, dots and hyphens do not tell two bill numbers apart: "H.R. 1234", "hr1234" and "HR 1234" are one bill,
# and so are "Int 0123-2024" and "int0123-2024". Stored identifiers are compared in this compact form.
_SEPARATORS = str.maketrans("", "", " .-")


def compact_identifier(column: Any) -> Any:
    """The SQL expression of a stored identifier in its compact form (upper case, no spaces, dots or hyphens):
    migration 0015's index ``ix_bill_number_key``, which the databases use only for this very expression, its
    constants written inline (a bound parameter is no constant to them)."""
    expression = func.upper(column)
    for separator in (" ", ".", "-"):
        expression = func.replace(expression, literal_column(f"'{separator}'"), literal_column("''"))
    return expression


def identifier_keys(ref: str) -> set[str]:
    """The compact forms a typed bill number may be stored under: the number as normalized (``H.R. 01234`` ->
    ``HR1234``, tracker.sources.states' spelling, the one every state parser stores), as typed, and for a
    clerk's file number with the number padded to four digits as New York writes it."""
    typed = " ".join(ref.split()).upper()
    keys = {normalize_identifier(typed).translate(_SEPARATORS), typed.translate(_SEPARATORS)}
    if (filed := _FILE_NUMBER.fullmatch(typed)) is not None:
        kind, number, year = filed.groups()
        keys.add(f"{kind}{int(number):04d}{year}")
        keys.add(f"{kind}{number}{int(year)}")  # Chicago's "R2018-872" typed "R2018-0872"
    return {k for k in keys if k}


def numbered_condition(ref: str) -> Any:
    """A condition on Bill: its number is ``ref``, in any spelling ``identifier_keys`` reads (an index search;
    California's extraordinary-session numbers, which need the session, are left to ``find_numbered``)."""
    return compact_identifier(Bill.identifier).in_(sorted(identifier_keys(ref)))


def find_bills(session: Session, ref: str, *, jurisdiction: str | None = None,
               session_identifier: str | None = None) -> list[int]:
    """Bill ids for a reference: a numeric id, or a bill number as people type it (``find_numbered``)."""
    if ref.strip().isdigit():
        return [int(ref)] if session.get(Bill, int(ref)) else []
    return find_numbered(session, [ref], jurisdiction=jurisdiction, session_identifier=session_identifier)[ref]


def find_numbered(session: Session, refs: Sequence[str], *, jurisdiction: str | None = None,
                  session_identifier: str | None = None, where: Sequence[Any] = ()) -> dict[str, list[int]]:
    """The ids of the bills each typed number names, in every jurisdiction and session (narrowed by the options
    and ``where``, conditions on Bill and LegislativeSession), in one query for all of them.

    A number may be spelled any common way: ``HR 3684``, ``H.R. 3684``, ``hr3684``, ``H. R. 3684``, ``S.22``,
    ``H.Res. 5``, ``HJRes 7``, ``A.B. 5``; a city file number as written (``Int 1299-2018``, ``int 1299-2018``,
    ``O2018-9628``) or without New York's zero padding (``Int 123-2024``); a California extraordinary-session
    number (``ABX1 1``: AB 1 of the first extraordinary session). A plain id is not a number here."""
    found: dict[str, list[int]] = {ref: [] for ref in refs}
    keys: dict[str, set[str]] = {}
    special: dict[str, str] = {}  # a California extraordinary-session number: the session suffix it names
    for ref in refs:
        extraordinary = _EXTRAORDINARY.fullmatch(ref)
        if extraordinary:  # "ABX1 1": AB 1 of an extraordinary session, stored as pubinfo numbers it
            kind, session_number, number = extraordinary.groups()
            keys[ref], special[ref] = {f"{kind.upper()}{int(number)}"}, f"s{int(session_number)}"
        else:
            keys[ref] = identifier_keys(ref)
    wanted = sorted(set().union(*keys.values()))
    if not wanted:
        return found
    # One IN over the compact form: the index's own expression (an OR with other terms would read every bill).
    query = (select(Bill.id, compact_identifier(Bill.identifier), LegislativeSession.identifier)
             .join(LegislativeSession, Bill.session_id == LegislativeSession.id)
             .where(compact_identifier(Bill.identifier).in_(wanted), *where))
    if jurisdiction:
        query = query.where(Bill.jurisdiction_id == jurisdiction.strip().lower())
    if session_identifier:
        query = query.where(LegislativeSession.identifier == session_identifier)
    for bill_id, key, session_ident in session.execute(query.order_by(Bill.id)):
        for ref in refs:
            if key in keys[ref] and (ref not in special or session_ident.endswith(special[ref])):
                found[ref].append(bill_id)
    _find_city_files(session, [ref for ref in refs if not found[ref] and ref not in special], found,
                     jurisdiction=jurisdiction, session_identifier=session_identifier, where=where)
    return found


def _find_city_files(session: Session, refs: Sequence[str], found: dict[str, list[int]], *,
                     jurisdiction: str | None, session_identifier: str | None, where: Sequence[Any]) -> None:
    """City files named without their year ("Int 1299", "Res 640", "1299": tracker.file_numbers), added to
    ``found``: a city's matters, whose ``number`` is the file's serial without zeros (the Legistar parser), of that
    number and type (any type for a number alone), in every session. A look-up by the jurisdiction's index: the
    cities' bills only, not the states' and Congress's."""
    typed = {ref: parts for ref in refs if (parts := typed_file_number(ref)) is not None}
    if not typed:
        return
    query = (select(Bill.id, Bill.identifier).join(LegislativeSession, Bill.session_id == LegislativeSession.id)
             .where(Bill.jurisdiction_id.in_(select(Jurisdiction.id).where(Jurisdiction.level == Level.local)),
                    Bill.number.in_(sorted({serial for _, serial in typed.values()})), *where))
    if jurisdiction:
        query = query.where(Bill.jurisdiction_id == jurisdiction.strip().lower())
    if session_identifier:
        query = query.where(LegislativeSession.identifier == session_identifier)
    for bill_id, identifier in session.execute(query.order_by(Bill.id)):
        stored = file_number(identifier)
        for ref, (letters, serial) in typed.items():
            if stored is not None and stored.serial == serial and letters in ("", stored.letters):
                found[ref].append(bill_id)


def bill_choices(session: Session, bill_ids: Sequence[int]) -> list[dict[str, Any]]:
    """The bills a reference matched, to pick from: ``bill_summary`` with the session's name, the most recently
    introduced first (the same number recurs every session: HR 1 of each Congress, AB 1 of a regular and an
    extraordinary session)."""
    rows = session.execute(
        select(Bill, LegislativeSession.identifier, LegislativeSession.name)
        .join(LegislativeSession, Bill.session_id == LegislativeSession.id).where(Bill.id.in_(list(bill_ids)))
        .order_by(Bill.introduced_date.desc().nulls_last(), Bill.id.desc()))
    return [{**bill_summary(bill, identifier), "session_name": name} for bill, identifier, name in rows]


def name_choices(session: Session, bill_ids: Sequence[int], shown: int = 20) -> str:
    """``bill_choices`` in a line, each id with what tells it apart: ``4 (ca 19992000s1 AB 1), 5 (...)``."""
    choices = bill_choices(session, bill_ids)
    named = ", ".join(f"{c['id']} ({c['jurisdiction']} {c['session']} {c['identifier']})" for c in choices[:shown])
    return named + (f" and {len(choices) - shown} more" if len(choices) > shown else "")


def normalize_identifier(ref: str) -> str:
    """``hr3684``, ``H.R. 3684`` and ``HR 3684`` all name ``HR 3684``: the feeds' own spelling
    (``tracker.sources.states.normalize_identifier``), else the reference in upper case."""
    normalized = normalize_state_identifier(ref)
    return normalized[0] if normalized else ref.strip().upper()


def bill_detail(session: Session, bill_id: int) -> dict[str, Any] | None:
    """The whole bill with its crawled children, as plain JSON-ready data."""
    return next(bill_details(session, [bill_id]), None)


DETAIL_BATCH = 500

# Text versions oldest first, so the latest is last as in the action history: dated versions by date, then the
# undated ones (in the 117th Congress only "Enrolled Bill", published without a date, which comes late in a
# bill's life) in the order they were first stored, and the enacted text (a public law) last of all, since it
# is the last text a bill can have: the enrolled bill it was made from, undated, came after it otherwise.
# Among versions of one date, or all undated (Open States' Alabama files date none, and list the floor and
# committee amendments after "Enrolled"), an enrolled version is the later: it is the bill as both chambers
# passed it, amendments included, where an amendment is a page of changes to an earlier version.
# NULLs placed explicitly because the databases disagree on where they sort (SQLite first, PostgreSQL last).
FINAL_VERSION_LABELS = ("Public Law",)
_FINAL = case((BillVersion.label.in_(FINAL_VERSION_LABELS), 1), else_=0)
_ENROLLED = case((func.lower(BillVersion.label).like("enrolled%"), 1), else_=0)
VERSION_ORDER = (_FINAL, BillVersion.date.asc().nulls_last(), _ENROLLED, BillVersion.id.asc())
_VERSION_ORDER_DESC = (_FINAL.desc(), BillVersion.date.desc().nulls_first(), _ENROLLED.desc(), BillVersion.id.desc())


def latest_stored_text(session: Session, *, bill_id: int) -> tuple[str, dt.date | None, str] | None:
    """(label, date, text) of the latest version whose text is stored (VERSION_ORDER), or None."""
    found = session.execute(
        select(BillVersion.label, BillVersion.date, BillVersion.text)
        .where(BillVersion.bill_id == bill_id, BillVersion.text.is_not(None))
        .order_by(*_VERSION_ORDER_DESC)
        .limit(1)).first()
    return (found[0], found[1], found[2]) if found else None


def version_texts(session: Session, *, bill_id: int) -> dict[int, tuple[str, dt.date | None, str | None]]:
    """The bill's versions that have text, by id: (label, date, text), in VERSION_ORDER (the latest last), the
    versions a redline can compare."""
    return {v.id: (v.label, v.date, v.text) for v in session.execute(
        select(BillVersion).where(BillVersion.bill_id == bill_id, BillVersion.text.is_not(None))
        .order_by(*VERSION_ORDER)).scalars()}


def bill_details(session: Session, bill_ids: Sequence[int]) -> Iterator[dict[str, Any]]:
    """Whole bills (as ``bill_detail``) in the order given, missing ids left out; read a batch at a time, each
    child table in one query per batch, so listing thousands stays in bounded memory and few queries."""
    for start in range(0, len(bill_ids), DETAIL_BATCH):
        chunk = list(bill_ids[start:start + DETAIL_BATCH])
        bills = {bill.id: (bill, identifier, name) for bill, identifier, name in session.execute(
            select(Bill, LegislativeSession.identifier, LegislativeSession.name)
            .join(LegislativeSession, Bill.session_id == LegislativeSession.id).where(Bill.id.in_(chunk)))}

        def children(model: Any, *order: Any, chunk: list[int] = chunk) -> dict[int, list[Any]]:
            grouped: dict[int, list[Any]] = defaultdict(list)
            for row in session.execute(select(model).where(model.bill_id.in_(chunk))
                                       .order_by(model.bill_id, *order)).scalars():
                grouped[row.bill_id].append(row)
            return grouped

        sources, actions = children(BillSource, BillSource.id), children(BillAction, BillAction.order)
        sponsors, committees = children(Sponsorship, Sponsorship.order), children(CommitteeReferral,
                                                                                    CommitteeReferral.id)
        subjects, related = children(BillSubject, BillSubject.name), children(RelatedBill, RelatedBill.id)
        versions: dict[int, list[Any]] = defaultdict(list)
        for v in session.execute(  # not the extracted text itself: it can be megabytes a version
                select(BillVersion.bill_id, BillVersion.label, BillVersion.code, BillVersion.date, BillVersion.url,
                       BillVersion.format, BillVersion.links, BillVersion.text.is_not(None).label("has_text"))
                .where(BillVersion.bill_id.in_(chunk)).order_by(BillVersion.bill_id, *VERSION_ORDER)):
            versions[v.bill_id].append(v)
        # Roll calls and hearings are rare (state feeds): looked up only for the bills that have some.
        voted = set(session.execute(select(VoteEvent.bill_id).where(VoteEvent.bill_id.in_(chunk))).scalars())
        heard = set(session.execute(select(HearingItem.bill_id).where(HearingItem.bill_id.in_(chunk))).scalars())
        for bill_id in chunk:
            if bill_id not in bills:
                continue
            bill, identifier, session_name = bills[bill_id]
            out = bill_summary(bill, identifier)
            out.update({
                "session_name": session_name,
                "bill_type": bill.bill_type,
                "number": bill.number,
                "classification": bill.classification,
                "origin_chamber": bill.origin_chamber,
                "short_title": bill.short_title,
                "popular_title": bill.popular_title,
                "summary": bill.summary_text,
                "summary_html": bill.summary_html,
                "status_text": bill.status_text,
                "upstream_updated_at": _iso(bill.upstream_updated_at),
                "source_name": bill.source_name,
                "source_urls": bill.source_urls,
                "content_hash": bill.content_hash,
                "first_seen_at": _iso(bill.first_seen_at),
                "last_fetched_at": _iso(bill.last_fetched_at),
                "last_changed_at": _iso(bill.last_changed_at),
                "sources": [{"source": s.source_name, "key": s.source_key, "url": s.url,
                             "last_fetched_at": _iso(s.last_fetched_at)} for s in sources[bill_id]],
                "actions": [{"date": _iso(a.date), "time": a.time, "text": a.text, "actor": a.actor,
                             "action_code": a.action_code, "type": a.action_type,
                             "classification": a.classification, "committees": a.committees}
                            for a in actions[bill_id]],
                "sponsorships": [{"name": s.name, "kind": s.kind, "person_id": s.person_id, "party": s.party,
                                  "state": s.state, "district": s.district, "is_original": s.is_original,
                                  "date": _iso(s.sponsored_date), "withdrawn_date": _iso(s.withdrawn_date)}
                                 for s in sponsors[bill_id]],
                "committees": [{"name": c.name, "code": c.code, "chamber": c.chamber, "parent_code": c.parent_code,
                                "referred_date": _iso(c.referred_date), "activities": c.activities}
                               for c in committees[bill_id]],
                "subjects": [s.name for s in subjects[bill_id]],
                "versions": [{"label": v.label, "code": v.code, "date": _iso(v.date), "url": v.url,
                              "format": v.format, "links": v.links, "has_text": bool(v.has_text)}
                             for v in versions[bill_id]],
                "related_bills": [{"jurisdiction": r.jurisdiction_id, "session": r.session_identifier,
                                   "identifier": r.identifier, "title": r.title, "relationship": r.relationship,
                                   "identified_by": r.identified_by} for r in related[bill_id]],
            })
            text = current_text(out["versions"])
            out["current_text"] = text.as_json() if text else None
            out["votes"], out["votes_elsewhere"] = votes_for_bill(session, bill_id) if bill_id in voted else ([], {})
            out["hearings"] = hearings_for_bill(session, bill_id) if bill_id in heard else []
            yield out


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None
