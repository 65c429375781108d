"""Read-side queries shared by the CLI, the dashboard and exports. Filters and limits run in SQL."""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlmodel import Session

from tracker.models import (
    Bill,
    BillAction,
    BillSource,
    BillSubject,
    BillVersion,
    CommitteeReferral,
    LegislativeSession,
    RelatedBill,
    Sponsorship,
)
from tracker.votes import hearings_for_bill, votes_for_bill


@dataclass(frozen=True)
class BillFilter:
    jurisdiction: str | None = None
    session: str | None = None  # the session identifier ("117"), not its row id
    stage: Sequence[str] = ()
    text: str | None = None  # words, found as the dashboard's search finds them (tracker.search)


def apply_filter(session: Session, query: Any, flt: BillFilter) -> Any:
    """Narrow a select() over Bill joined to LegislativeSession by ``flt`` (the session picks the search
    dialect)."""
    if flt.jurisdiction:
        query = query.where(Bill.jurisdiction_id == flt.jurisdiction)
    if flt.session:
        query = query.where(LegislativeSession.identifier == flt.session)
    if flt.stage:
        query = query.where(Bill.stage.in_(list(flt.stage)))
    if flt.text is not None:
        from tracker.search import matching_bill_ids  # tracker.search builds on this module

        query = query.where(Bill.id.in_(matching_bill_ids(session, flt.text)))
    return query


def list_bills(session: Session, flt: BillFilter = BillFilter(), *, limit: int | None = None,
               offset: int = 0) -> list[dict[str, Any]]:
    query = apply_filter(
        session,
        select(Bill, LegislativeSession.identifier).join(LegislativeSession, Bill.session_id == LegislativeSession.id),
        flt,
    ).order_by(Bill.latest_action_date.desc().nulls_last(), Bill.id.desc()).offset(offset)
    if limit is not None:
        query = query.limit(limit)
    return [bill_summary(bill, session_identifier) for bill, session_identifier in session.execute(query)]


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


def find_bills(session: Session, ref: str, *, jurisdiction: str | None = None,
               session_identifier: str | None = None) -> list[int]:
    """Bill ids for a reference: a numeric id, or an identifier such as ``HR 3684`` / ``hr3684``."""
    if ref.isdigit():
        return [int(ref)] if session.get(Bill, int(ref)) else []
    identifier = normalize_identifier(ref)
    query = select(Bill.id).join(LegislativeSession, Bill.session_id == LegislativeSession.id).where(
        Bill.identifier == identifier)
    if jurisdiction:
        query = query.where(Bill.jurisdiction_id == jurisdiction)
    if session_identifier:
        query = query.where(LegislativeSession.identifier == session_identifier)
    return list(session.execute(query.order_by(Bill.id)).scalars())


def normalize_identifier(ref: str) -> str:
    """``hr3684``, ``H.R. 3684`` and ``HR 3684`` all name ``HR 3684``."""
    compact = "".join(ch for ch in ref.upper() if ch.isalnum())
    head = compact.rstrip("0123456789")
    tail = compact[len(head):]
    return f"{head} {int(tail)}" if head and tail else ref.strip().upper()


def bill_detail(session: Session, bill_id: int) -> dict[str, Any] | None:
    """The whole bill with its crawled children, as plain JSON-ready data."""
    bill = session.get(Bill, bill_id)
    if bill is None:
        return None
    leg_session = session.get(LegislativeSession, bill.session_id)

    def rows(model: Any, *order: Any) -> list[Any]:
        return list(session.execute(select(model).where(model.bill_id == bill_id).order_by(*order)).scalars())

    out = bill_summary(bill, leg_session.identifier if leg_session else "")
    out.update({
        "session_name": leg_session.name if leg_session else None,
        "bill_type": bill.bill_type,
        "number": bill.number,
        "classification": bill.classification,
        "origin_chamber": bill.origin_chamber,
        "short_title": bill.short_title,
        "popular_title": bill.popular_title,
        "summary": bill.summary_text,
        "status_text": bill.status_text,
        "upstream_updated_at": _iso(bill.upstream_updated_at),
        "source_name": bill.source_name,
        "source_urls": bill.source_urls,
        "last_fetched_at": _iso(bill.last_fetched_at),
        "sources": [{"source": s.source_name, "key": s.source_key, "url": s.url,
                     "last_fetched_at": _iso(s.last_fetched_at)} for s in rows(BillSource, BillSource.id)],
        "actions": [{"date": _iso(a.date), "time": a.time, "text": a.text, "actor": a.actor,
                     "action_code": a.action_code, "type": a.action_type, "classification": a.classification,
                     "committees": a.committees} for a in rows(BillAction, BillAction.order)],
        "sponsorships": [{"name": s.name, "kind": s.kind, "person_id": s.person_id, "party": s.party,
                          "state": s.state, "district": s.district, "is_original": s.is_original,
                          "date": _iso(s.sponsored_date), "withdrawn_date": _iso(s.withdrawn_date)}
                         for s in rows(Sponsorship, Sponsorship.order)],
        "committees": [{"name": c.name, "code": c.code, "chamber": c.chamber, "parent_code": c.parent_code,
                        "referred_date": _iso(c.referred_date), "activities": c.activities}
                       for c in rows(CommitteeReferral, CommitteeReferral.id)],
        "subjects": [s.name for s in rows(BillSubject, BillSubject.name)],
        "versions": [{"label": v.label, "code": v.code, "date": _iso(v.date), "url": v.url, "format": v.format,
                      "links": v.links, "has_text": v.text is not None}
                     for v in rows(BillVersion, BillVersion.date, BillVersion.id)],
        "related_bills": [{"jurisdiction": r.jurisdiction_id, "session": r.session_identifier,
                           "identifier": r.identifier, "title": r.title, "relationship": r.relationship,
                           "identified_by": r.identified_by} for r in rows(RelatedBill, RelatedBill.id)],
    })
    out["votes"], out["votes_elsewhere"] = votes_for_bill(session, bill_id)
    out["hearings"] = hearings_for_bill(session, bill_id)
    return out


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None
