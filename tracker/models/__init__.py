"""Every table, imported here so ``SQLModel.metadata`` (and Alembic) sees the whole schema."""

from tracker.models.crawled import (
    Bill,
    BillAction,
    BillSource,
    BillSubject,
    BillVersion,
    CommitteeReferral,
    Jurisdiction,
    LegislativeSession,
    RelatedBill,
    SourceDocument,
    Sponsorship,
)
from tracker.models.ops import BillChange, CrawlError, CrawlRun
from tracker.models.org import (
    Assignment,
    BillMatch,
    Note,
    Position,
    PositionHistory,
    Stance,
    Topic,
    TopicRule,
    TriageState,
    User,
    Watchlist,
    WatchlistItem,
)

# Tables whose rows come from feeds: ingest may replace these; nothing else writes them.
CRAWLED_TABLES = (
    Jurisdiction, LegislativeSession, Bill, BillSource, BillAction, Sponsorship, CommitteeReferral,
    BillSubject, BillVersion, RelatedBill, SourceDocument,
)

__all__ = [
    "Assignment", "Bill", "BillAction", "BillChange", "BillMatch", "BillSource", "BillSubject", "BillVersion",
    "CRAWLED_TABLES", "CommitteeReferral", "CrawlError", "CrawlRun", "Jurisdiction", "LegislativeSession", "Note",
    "Position", "PositionHistory", "RelatedBill", "SourceDocument", "Sponsorship", "Stance", "Topic", "TopicRule",
    "TriageState", "User", "Watchlist", "WatchlistItem",
]
