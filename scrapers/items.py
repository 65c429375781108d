"""What spiders hand to the item pipeline (``scrapers.pipelines.IngestPipeline``).

Spiders discover and fetch; a feed's parser turns each document into a validated ``BillRecord``; the pipeline
stores it through ``tracker.ingest``. Besides bills, a spider reports documents it found unchanged (so their
stamps move on), listings it finished (so the next run can skip them) and failures (recorded on the CrawlRun
with the URL and the reason). ``group`` names the listing an item came from (``117hr``): a failure anywhere in
a group keeps that listing's stamp from advancing, so the next run looks at it again.
"""

from dataclasses import dataclass

from tracker.ingest import SourceDocumentInfo
from tracker.records import BillRecord, HearingRecord, VersionTextRecord


@dataclass
class BillItem:
    record: BillRecord
    document: SourceDocumentInfo
    group: str | None = None
    # Nothing upstream changed on the bill itself: only what it is read with (a committee renamed in pubinfo's
    # LOCATION_CODE_TBL). Stored quietly, as ``tracker.ingest.IngestItem.correction`` says.
    correction: bool = False

    def __repr__(self) -> str:  # Scrapy logs items; a whole bill would flood the log
        return f"BillItem({self.record.source_key}, {self.document.locator})"


@dataclass
class UnchangedDocument:
    """Fetched (or answered 304) and found identical to what is stored: only its stamps are refreshed."""

    document: SourceDocumentInfo
    group: str | None = None


@dataclass
class ListingDone:
    """A listing whose every listed document was handled; stored at the end of the run if its group is clean."""

    document: SourceDocumentInfo
    group: str


@dataclass
class HearingBatch:
    """Hearings (with their agenda items) one listing produced; stored after the run's bills, so agenda items
    can link to bills fetched in the same run."""

    records: list[HearingRecord]

    def __repr__(self) -> str:
        return f"HearingBatch({len(self.records)} hearings)"


@dataclass
class TextItem:
    """A version's text read from its own document (GovInfo's bill XML): fills that version of a stored bill."""

    record: VersionTextRecord
    document: SourceDocumentInfo

    def __repr__(self) -> str:  # a bill's text would flood the log
        return f"TextItem({self.record.bill_source_key} {self.record.code}, {self.document.locator})"


@dataclass
class FetchFailure:
    url: str
    reason: str
    group: str | None = None
