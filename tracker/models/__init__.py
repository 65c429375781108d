"""Every table, by name: ``from tracker.models import Bill`` imports the module that defines it, and only that.

Names resolve on first use (PEP 562) so that a process loads only the tables it works with: a scheduled crawl
never builds the organisation's, the alerts' or the flagging's models, whose classes were a tenth of its start-up
(docs/benchmarks.md). The models hold no ORM relationships, and foreign keys name tables, so a model never needs
another's class. Whatever reads ``SQLModel.metadata`` as the whole schema (Alembic) calls ``load_all`` first.
"""

import importlib
from typing import Any

# module -> the tables it defines
_MODULES: dict[str, tuple[str, ...]] = {
    "alerts": ("AlertCursor", "AlertDelivery", "AlertDigest", "AlertEvent", "AlertProfile", "AlertSubscription",
               "UnsubscribeLink"),
    "crawled": ("Bill", "BillAction", "BillSource", "BillSubject", "BillVersion", "CommitteeReferral",
                "Jurisdiction", "LegislativeSession", "RelatedBill", "SourceDocument", "Sponsorship"),
    "hearings": ("Hearing", "HearingItem"),
    "matching": ("BillEmbedding", "FullRescore", "RelevanceModel"),
    "ops": ("BillChange", "CrawlError", "CrawlRun"),
    "org": ("Assignment", "BillMatch", "FirstFlag", "InboxVisit", "KeyVoteMark", "Note", "Position",
            "PositionHistory", "SavedFilter", "SignInFailure", "Stance", "Topic", "TopicRule", "TriageState", "User",
            "UserSession", "Watchlist", "WatchlistItem"),
    "pubinfo": ("PubinfoLoad", "PubinfoRow"),
    "votes": ("PersonVote", "VoteEvent"),
}
_HOME = {name: module for module, names in _MODULES.items() for name in names}

# Tables whose rows come from feeds: ingest may replace these; nothing else writes them.
_CRAWLED_NAMES = ("Jurisdiction", "LegislativeSession", "Bill", "BillSource", "BillAction", "Sponsorship",
                  "CommitteeReferral", "BillSubject", "BillVersion", "RelatedBill", "SourceDocument", "Hearing",
                  "HearingItem", "VoteEvent", "PersonVote")

__all__ = sorted([*_HOME, "CRAWLED_TABLES", "load_all"])


def load_all() -> None:
    """Import every model module, so ``SQLModel.metadata`` holds the whole schema."""
    for module in _MODULES:
        importlib.import_module(f"{__name__}.{module}")


def __getattr__(name: str) -> Any:
    if name == "CRAWLED_TABLES":
        value: Any = tuple(__getattr__(n) for n in _CRAWLED_NAMES)
    elif name in _HOME:
        value = getattr(importlib.import_module(f"{__name__}.{_HOME[name]}"), name)
    else:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    globals()[name] = value  # resolved once
    return value


def __dir__() -> list[str]:
    return __all__
