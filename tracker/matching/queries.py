"""Flagged bills for the morning triage: the CLI (`tracker bills list --flagged`), the dashboard and alerts."""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator
from typing import Any

from sqlalchemy import func, literal, select
from sqlmodel import Session

from tracker.models import Bill, BillMatch, LegislativeSession, Topic
from tracker.queries import BillFilter, apply_filter, bill_summary, ordered_as_searched


def _flagged_query(session: Session, columns: Any, flt: BillFilter, topic: str | None) -> Any:
    matched = select(BillMatch.bill_id).join(Topic, Topic.id == BillMatch.topic_id).where(
        BillMatch.flagged, Topic.enabled)
    if topic:
        matched = matched.where(Topic.slug == topic)
    query = select(*columns).join(LegislativeSession, Bill.session_id == LegislativeSession.id).where(
        Bill.id.in_(matched))
    return apply_filter(session, query, flt)


def list_flagged(session: Session, flt: BillFilter = BillFilter(), *, topic: str | None = None,
                 limit: int | None = None, offset: int = 0, include_unflagged_topics: bool = False
                 ) -> list[dict[str, Any]]:
    """Flagged bills, strongest first (with text: as search ranks them), each with its topics, scores, matched
    terms and evidence.

    With ``topic``, strongest for that topic: a bill flagged weakly for it but strongly for another topic must
    not lead the topic's list.
    """
    strength = _topic_strength(topic) if topic else _best_strength()
    # With words, the best match first, as the Search page lists them (its topic filter too); the flag breaks ties.
    query, searched = ordered_as_searched(session, _flagged_query(session, [Bill, LegislativeSession.identifier],
                                                                  flt, topic), flt)
    query = (query.join(strength, strength.c.bill_id == Bill.id)
             .order_by(*searched, strength.c.score.desc(), strength.c.keyword_score.desc(),
                       Bill.latest_action_date.desc().nulls_last(), Bill.id.desc())
             .offset(offset))
    if limit is not None:
        query = query.limit(limit)
    rows = session.execute(query).all()
    ids = [bill.id for bill, _ in rows]
    topics = topics_for(session, ids, flagged_only=not include_unflagged_topics)
    out = []
    for bill, session_identifier in rows:
        item = bill_summary(bill, session_identifier)
        item["topics"] = topics.get(bill.id, [])
        out.append(item)
    return out


def _best_strength() -> Any:
    """Per bill: its best flagged score over the topics. Keyword scores are not comparable across topics (each
    is measured against its own threshold), so ties fall back to the most recent action."""
    return (select(BillMatch.bill_id, func.max(BillMatch.score).label("score"),
                   literal(0.0).label("keyword_score"))
            .where(BillMatch.flagged).group_by(BillMatch.bill_id).subquery())


def _topic_strength(topic: str) -> Any:
    """Per bill: its score for one topic, with the raw keyword score to break ties. The combined score is a
    logistic curve that saturates (a keyword score of twice the threshold and above all give 0.8808), so
    without the keyword score a bill that barely reaches twice the threshold ties with one far above it."""
    return (select(BillMatch.bill_id, BillMatch.score.label("score"), BillMatch.keyword_score.label("keyword_score"))
            .join(Topic, Topic.id == BillMatch.topic_id).where(BillMatch.flagged, Topic.slug == topic)
            .subquery())


def flag_counts(session: Session, topic_ids: list[int] | None = None) -> tuple[int, int]:
    """Bills flagged and topic flags over the enabled topics (or these of them), as stored now."""
    query = (select(func.count(func.distinct(BillMatch.bill_id)), func.count()).select_from(BillMatch)
             .join(Topic, Topic.id == BillMatch.topic_id).where(BillMatch.flagged, Topic.enabled))
    if topic_ids is not None:
        query = query.where(BillMatch.topic_id.in_(topic_ids))
    bills, flags = session.execute(query).one()
    return int(bills), int(flags)


def count_flagged(session: Session, flt: BillFilter = BillFilter(), *, topic: str | None = None) -> int:
    return session.execute(_flagged_query(session, [func.count()], flt, topic).select_from(Bill)).scalar_one()


def with_topics(session: Session, bills: Iterable[dict[str, Any]], *, batch: int = 500
                ) -> Iterator[dict[str, Any]]:
    """Whole bills (``tracker.queries.bill_details``) with ``topics``: every topic with a stored score, flagged
    ones first, read ``batch`` bills at a time."""
    rest = iter(bills)
    while chunk := list(itertools.islice(rest, batch)):
        topics = topics_for(session, [b["id"] for b in chunk], flagged_only=False)
        for bill in chunk:
            bill["topics"] = sorted(topics.get(bill["id"], []), key=lambda t: (not t["flagged"], -t["score"]))
            yield bill


def topics_for(session: Session, bill_ids: list[int], *, flagged_only: bool = True) -> dict[int, list[dict[str, Any]]]:
    """Each bill's topic matches, best first. ``score`` is on the flag's scale (>= 0.5 exactly when flagged);
    an unflagged topic is listed only when something speaks for it in particular (tracker.matching.store)."""
    if not bill_ids:
        return {}
    query = (select(BillMatch, Topic.slug, Topic.name, Topic.threshold).join(Topic, Topic.id == BillMatch.topic_id)
             .where(BillMatch.bill_id.in_(bill_ids), Topic.enabled)
             .order_by(BillMatch.bill_id, BillMatch.score.desc()).execution_options(populate_existing=True))
    if flagged_only:
        query = query.where(BillMatch.flagged)
    out: dict[int, list[dict[str, Any]]] = {}
    for m, slug, name, threshold in session.execute(query):
        out.setdefault(m.bill_id, []).append({
            "topic": slug, "name": name, "flagged": m.flagged, "score": m.score,
            "keyword_score": m.keyword_score, "threshold": threshold, "semantic_score": m.semantic_score,
            "learned_score": m.learned_score, "matched_terms": m.matched_terms, "evidence": m.evidence,
            "rule_version": m.rule_version,
            "matched_at": m.matched_at.isoformat() if m.matched_at else None,
        })
    return out
