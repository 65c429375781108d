"""Every table, imported here so ``SQLModel.metadata`` (and Alembic) sees the whole schema."""

from tracker.models.alerts import AlertCursor, AlertDelivery, AlertDigest, AlertEvent, AlertProfile, AlertSubscription
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
from tracker.models.hearings import Hearing, HearingItem
from tracker.models.matching import BillEmbedding, RelevanceModel
from tracker.models.ops import BillChange, CrawlError, CrawlRun
from tracker.models.org import (
    Assignment,
    BillMatch,
    Note,
    Position,
    PositionHistory,
    SavedFilter,
    Stance,
    Topic,
    TopicRule,
    TriageState,
    User,
    Watchlist,
    WatchlistItem,
)
from tracker.models.pubinfo import PubinfoLoad, PubinfoRow
from tracker.models.votes import PersonVote, VoteEvent

# Tables whose rows come from feeds: ingest may replace these; nothing else writes them.
CRAWLED_TABLES = (
    Jurisdiction, LegislativeSession, Bill, BillSource, BillAction, Sponsorship, CommitteeReferral,
    BillSubject, BillVersion, RelatedBill, SourceDocument, Hearing, HearingItem, VoteEvent, PersonVote,
)

__all__ = [
    "AlertCursor", "AlertDelivery", "AlertDigest", "AlertEvent", "AlertProfile", "AlertSubscription",
    "Assignment", "Bill", "BillAction", "BillChange", "BillEmbedding", "BillMatch", "BillSource",
    "BillSubject", "BillVersion", "CRAWLED_TABLES", "CommitteeReferral", "CrawlError", "CrawlRun",
    "Hearing", "HearingItem", "Jurisdiction", "LegislativeSession", "Note", "PersonVote", "Position",
    "PositionHistory", "PubinfoLoad", "PubinfoRow",
    "RelatedBill",
    "RelevanceModel", "SavedFilter",
    "SourceDocument", "Sponsorship", "Stance", "Topic", "TopicRule", "TriageState", "User", "VoteEvent",
    "Watchlist", "WatchlistItem",
]
