"""Full-text search over bill titles, summaries and version text: SQLite FTS5 or PostgreSQL text search,
set up by migration 0003 and, on PostgreSQL, made to read words as SQLite does by migration 0012. Filters,
ranking and paging run in SQL."""

import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import String, Text, cast, false, func, literal_column, or_, select, text
from sqlalchemy.dialects.postgresql import TSQUERY
from sqlmodel import Session

from tracker.models import Bill, BillMatch, BillVersion, LegislativeSession, Position, Topic
from tracker.queries import bill_summary

# Letters and digits, as SQLite's unicode61 tokenizer reads words (the underscore separates words there too).
_WORD = re.compile(r"[^\W_]+", re.UNICODE)
# The same expressions as migration 0012's (PostgreSQL uses an expression index only for the same expression).
PG_CONFIG = "tracker_search"
SHORT_WORD_MARK = "0qq"  # what 0012's tracker_search_words appends to short words, taken off the result
PG_BILL_DOC = "bill.search_doc"
PG_VERSION_DOC = (f"(regexp_replace((to_tsvector('{PG_CONFIG}', tracker_search_words(left(coalesce(billversion.text, "
                  f"''), 500000))))::text, '{SHORT_WORD_MARK}''', '''', 'g')::tsvector)")


@dataclass(frozen=True)
class SearchFilter:
    jurisdiction: str | None = None
    stages: tuple[str, ...] = ()
    topic: str | None = None  # only bills flagged for this topic
    position: str | None = None  # the council's stance

    @classmethod
    def from_saved(cls, params: dict[str, Any]) -> "SearchFilter":
        """The filter a saved search's widget values (``q_*``) stand for; the words themselves are ``q``."""
        return cls(jurisdiction=params.get("q_jurisdiction") or None, stages=tuple(params.get("q_stages") or ()),
                   topic=params.get("q_topic") or None, position=params.get("q_position") or None)


def _terms(query: str) -> list[str]:
    return _WORD.findall(query or "")


def fts5_query(query: str, *, prefix: bool = True) -> str:
    """The user's words as an FTS5 query: each quoted (so nothing they type is an operator), all required,
    the last one as a prefix (unless ``prefix`` is off) so results come while typing."""
    terms = [t.replace('"', "") for t in _terms(query)]
    return " ".join(f'"{t}"' + ("*" if prefix and i == len(terms) - 1 else "") for i, t in enumerate(terms))


def _pg_tsquery(query: str, *, prefix: bool) -> Any:
    """The user's words as a PostgreSQL query: the same words as FTS5's, all required, each read as the documents
    are (migration 0012: SQLite's words and stems), the last one as a prefix when ``prefix`` is on.

    The words are split here, as for SQLite, and each is a query of its own: PostgreSQL's query parser reads
    "data-broker" as a compound that also needs the token "data-broker" itself, and drops stop words, so "the"
    alone became an empty query that found nothing.
    """
    terms = _terms(query)
    # A word typed twice is asked once; the rest are joined as a balanced tree: a chain of 150 "&&" nested
    # that deep, and compiling it overflowed Python's stack (a pasted paragraph crashed the search page).
    wanted = dict.fromkeys((term, prefix and i == len(terms) - 1) for i, term in enumerate(terms))
    parts = [_pg_term(term, prefix=is_prefix) for term, is_prefix in wanted]
    while len(parts) > 1:
        parts = [parts[i].op("&&")(parts[i + 1]) if i + 1 < len(parts) else parts[i] for i in range(0, len(parts), 2)]
    return parts[0]


def _pg_term(term: str, *, prefix: bool) -> Any:
    # SQLite does not stem a word under three letters: "as"* is every word that starts with "as" (stemmed, it
    # would start with "a"). The term holds letters and digits only: quoting it is enough.
    config = "simple" if prefix and len(term) < 3 else PG_CONFIG
    word = func.quote_literal(func.tracker_search_words(term), type_=String)
    tsq = func.to_tsquery(literal_column(f"'{config}'::regconfig"), word.concat(":*") if prefix else word)
    return cast(func.regexp_replace(cast(tsq, Text), f"{SHORT_WORD_MARK}'", "'", "g"), TSQUERY)


def _matching_ids(session: Session, query: str, *, prefix: bool = True) -> Any:
    """A select of (bill id, rank) for the words, lower rank first."""
    if session.get_bind().dialect.name == "postgresql":
        tsq = _pg_tsquery(query, prefix=prefix)
        in_bill = select(Bill.id.label("bill_id"), func.ts_rank(literal_column(PG_BILL_DOC), tsq).label("rank")
                         ).where(literal_column(PG_BILL_DOC).op("@@")(tsq))
        in_text = select(BillVersion.bill_id.label("bill_id"), literal_column("0.0").label("rank")
                         ).where(literal_column(PG_VERSION_DOC).op("@@")(tsq))
        union = in_bill.union_all(in_text).subquery()
        # ts_rank is larger for better matches; negate so "lower is better" like FTS5's bm25.
        return select(union.c.bill_id, (-func.max(union.c.rank)).label("rank")).group_by(union.c.bill_id)
    return select(literal_column("rowid").label("bill_id"), literal_column("bm25(bill_fts, 10.0, 4.0, 1.0)")
                  .label("rank")).select_from(text("bill_fts")).where(text("bill_fts MATCH :q")
                                                                       ).params(q=fts5_query(query, prefix=prefix))


def matching_bill_ids(session: Session, query: str) -> Any:
    """A select of the ids of bills matching every word of ``query`` as whole words (their stems); none when it
    holds no word."""
    if not _terms(query):
        return select(Bill.id).where(false())
    hits = _matching_ids(session, query, prefix=False).subquery()
    return select(hits.c.bill_id)


def _filters(flt: SearchFilter) -> list[Any]:
    where: list[Any] = []
    if flt.jurisdiction:
        where.append(Bill.jurisdiction_id == flt.jurisdiction)
    if flt.stages:
        where.append(Bill.stage.in_(list(flt.stages)))
    if flt.topic:
        where.append(Bill.id.in_(select(BillMatch.bill_id).join(Topic, Topic.id == BillMatch.topic_id)
                                 .where(BillMatch.flagged, Topic.slug == flt.topic)))
    if flt.position:
        where.append(Bill.id.in_(select(Position.bill_id).where(Position.stance == flt.position)))
    return where


def search(session: Session, query: str, flt: SearchFilter = SearchFilter(), *, limit: int = 50,
           offset: int = 0) -> tuple[list[dict[str, Any]], int]:
    """Bills matching every word (best first) and the total count. Without words, the bills the filters choose
    (latest action first): "which bills do we support" has no words; without words or filters, nothing."""
    where = _filters(flt)
    if not _terms(query):
        return _filtered(session, where, limit=limit, offset=offset) if where else ([], 0)
    hits = _matching_ids(session, query).cte("hits")
    if session.get_bind().dialect.name == "sqlite":
        # Otherwise a selective filter lets SQLite drive from Bill and rerun the FTS match once per candidate
        # bill (seconds at 100,000 bills instead of milliseconds). PostgreSQL plans the inlined form well.
        hits = hits.prefix_with("MATERIALIZED")
    base = (select(Bill, LegislativeSession.identifier, hits.c.rank).join(hits, hits.c.bill_id == Bill.id)
            .join(LegislativeSession, LegislativeSession.id == Bill.session_id).where(*where))
    rows = session.execute(base.order_by(hits.c.rank, Bill.latest_action_date.desc().nulls_last(), Bill.id.desc())
                           .limit(limit).offset(offset)).all()
    total = session.execute(_count(session, query, hits, where)).scalar_one()
    return [bill_summary(bill, ident) for bill, ident, _ in rows], total


def _filtered(session: Session, where: list[Any], *, limit: int, offset: int) -> tuple[list[dict[str, Any]], int]:
    base = select(Bill, LegislativeSession.identifier).join(
        LegislativeSession, LegislativeSession.id == Bill.session_id).where(*where)
    rows = session.execute(base.order_by(Bill.latest_action_date.desc().nulls_last(), Bill.id.desc())
                           .limit(limit).offset(offset)).all()
    total = session.execute(select(func.count()).select_from(Bill).where(*where)).scalar_one()
    return [bill_summary(bill, ident) for bill, ident in rows], total


def _count(session: Session, query: str, hits: Any, where: list[Any]) -> Any:
    """How many bills match; on PostgreSQL without ranking (ts_rank rereads every matching document)."""
    if session.get_bind().dialect.name != "postgresql":
        return select(func.count()).select_from(Bill).join(hits, hits.c.bill_id == Bill.id).where(*where)
    tsq = _pg_tsquery(query, prefix=True)
    in_text = select(BillVersion.bill_id).where(literal_column(PG_VERSION_DOC).op("@@")(tsq))
    return select(func.count()).select_from(Bill).where(
        or_(literal_column(PG_BILL_DOC).op("@@")(tsq), Bill.id.in_(in_text)), *where)


def highlight_terms(query: str) -> list[str]:
    """The words to mark in shown results."""
    return [t for t in _terms(query) if len(t) > 1]


__all__ = ["SearchFilter", "fts5_query", "highlight_terms", "search"]
