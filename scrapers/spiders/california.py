"""``california``: the Legislature's ``pubinfo`` bulk download (downloads.leginfo.legislature.ca.gov).

    scrapy crawl california [-a archive=pubinfo_2025.zip | -a archive=pubinfo_Tue.zip]

1. the directory index (an Apache listing) names the archives with their modification times;
   ``tracker.sources.ca_pubinfo_updates.plan_updates`` decides what to read: a full load first when nothing
   was loaded yet, when the current session's weekly ``pubinfo_{YYYY}.zip`` was rebuilt after the last full
   load, when the last full load was never completely written, or when the chain of nightly incrementals has a
   hole (a Monday-to-Saturday day without its ``pubinfo_{Day}.zip`` since the last full load: the files are
   named by weekday and overwritten after a week, so a missed one cannot be caught up); the full load reads the
   newest full archive listed (the weekly or a ``pubinfo_daily_{Day}.zip`` snapshot). Then every incremental
   listed as newer than the full load, oldest first;
2. each archive is fetched conditionally (``If-Modified-Since``/``If-None-Match`` from the run that last
   stored all of it): an incremental already applied answers 304 and is skipped;
3. its rows are staged (``tracker.pubinfo_staging``): a full load replaces its sessions' rows, an incremental
   is merged in on the row keys (REPLACE, never over a newer ``trans_update``; a ``.lob`` in it replaces the
   version's text). The bills with a row in the archive are rebuilt from the staged rows by the same join as
   ``tracker import`` (``ca_pubinfo.join_rows``), and each whose record hashes differently from the stored one
   is written through the pipeline (changes recorded, flagging). A bad row or bill is recorded and the rest
   goes on; the archive's stamps are remembered only when all of it was stored, so a failure is retried.

``-a archive=NAME`` reads that one archive: an incremental name is merged, anything else is a full load (an
older session's ``pubinfo_2023.zip``...). A full archive is about 1 GB; PUBINFO_MAX_BYTES (default 2 GiB)
bounds what is accepted.
"""

import datetime as dt
import email.utils
import io
import zipfile
from collections import deque
from collections.abc import AsyncIterator, Iterator
from pathlib import PurePosixPath
from typing import Any

from scrapy.http import Request, Response
from twisted.python.failure import Failure

from scrapers.base import sha256
from scrapers.items import BillItem, FetchFailure, ListingDone, UnchangedDocument
from scrapers.state_base import StateFeedSpider
from tracker import pubinfo_staging as staging
from tracker.crawlstore import KnownDocument
from tracker.ingest import SourceDocumentInfo
from tracker.models.pubinfo import PubinfoLoad
from tracker.records import BillRecord, ParseError
from tracker.sources.ca_pubinfo import (
    SOURCE_NAME,
    newest_daily,
    parse_directory_index,
    read_tables,
    zip_tables,
)
from tracker.sources.ca_pubinfo_updates import FullLoad, is_incremental, plan_updates

CANONICAL = "https://downloads.leginfo.legislature.ca.gov/"
DEFAULT_MAX_BYTES = 2 * 1024 ** 3


class CaliforniaSpider(StateFeedSpider):
    name = "california"
    source_name = SOURCE_NAME
    base_setting = "PUBINFO_BASE_URL"

    def __init__(self, *args: Any, archive: str | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.archive = (archive or "").strip() or None
        self.known: dict[str, KnownDocument] = {}
        self.index_read = False
        self.last_full: tuple[FullLoad, PubinfoLoad] | None = None
        self.queue: deque[tuple[str, str, dt.datetime | None]] = deque()  # (name, full|incremental, index time)

    def _resolve_scope(self) -> None:
        super()._resolve_scope()
        self.states = ("ca",)

    def scope_args(self) -> dict[str, Any]:
        return {"states": ["ca"], "archive": self.archive}

    async def start(self) -> AsyncIterator[Any]:
        if self.fatal or self.store is None:
            return
        self.known = await self.store.call(self.store.store.known_documents)
        # --refresh with bills an older parser read: a full load, however well the last one was stored.
        store = self.store.store
        self.refreshing = await self.store.call(lambda: store.refreshing)
        self.last_full = await self.store.call(staging.last_full_load, self.store.store.session)
        if self.archive:
            self.queue.append((self.archive, "incremental" if is_incremental(self.archive) else "full", None))
            for request in self._next():
                yield request
            return
        yield Request(self.base_url(), dont_filter=True, callback=self.parse_index, errback=self.index_failed)

    def parse_index(self, response: Response) -> Iterator[Any]:
        self.responses += 1
        try:
            index = parse_directory_index(response.body, response.url)
        except ParseError as exc:
            yield FetchFailure(exc.locator, exc.reason)
            return
        self.index_read = True
        held = self.last_full[0] if self.last_full and self._stored(self.last_full[1]) else None
        plan = plan_updates(index, held)
        if held is None and plan.full is None:
            plan.full, plan.gap = newest_daily(index), None  # an index without times: the newest snapshot
            if plan.full is None:
                self.fail(f"the pubinfo index at {response.url} lists no full archive (pubinfo_daily_*.zip)")
                return
        if plan.gap:  # the rows held may miss a day's changes until the next full archive
            yield FetchFailure(response.url, f"pubinfo updates: {plan.gap}")
        if plan.full:
            reason = plan.reason
            if self.last_full is not None and held is None:
                reason = f"the last full load ({self.last_full[1].archive}) was not completely stored"
            self.logger.info("pubinfo: full load of %s (%s)", plan.full, reason or "first load")
            self.queue.append((plan.full, "full", index.get(plan.full)))
        self.queue.extend((name, "incremental", index.get(name)) for name in plan.incrementals)
        yield from self._next()

    def _stored(self, load: PubinfoLoad) -> bool:
        """Whether the crawl that made this full load stored all of it (its stamps were remembered)."""
        if self.refreshing:
            return False
        known = self.known.get(CANONICAL + PurePosixPath(load.archive).name)
        if known is None or (load.last_modified is None and load.etag is None):
            return False
        return known.last_modified == load.last_modified and known.etag == load.etag

    def _next(self) -> Iterator[Request]:
        """The next archive: one at a time, in order, as each merge builds on the one before."""
        if self.queue:
            name, kind, listed_at = self.queue.popleft()
            yield self._archive_request(name, kind, listed_at)

    def _archive_request(self, name: str, kind: str, listed_at: dt.datetime | None) -> Request:
        locator = CANONICAL + name
        headers = {}
        known = self.known.get(locator)
        if known is not None and known.last_modified:
            headers["If-Modified-Since"] = known.last_modified
        if known is not None and known.etag:
            headers["If-None-Match"] = known.etag
        limit = self.settings.getint("PUBINFO_MAX_BYTES", DEFAULT_MAX_BYTES)
        return Request(self.base_url() + name, headers=headers, dont_filter=True, callback=self.parse_archive,
                       errback=self.archive_failed,
                       cb_kwargs={"locator": locator, "kind": kind, "listed_at": listed_at},
                       meta={"handle_httpstatus_list": [304], "download_maxsize": limit,
                             "download_warnsize": 0})

    async def parse_archive(self, response: Response, locator: str, kind: str,
                            listed_at: dt.datetime | None) -> AsyncIterator[Any]:
        for item in await self._archive(response, locator, kind, listed_at):
            yield item
        for request in self._next():
            yield request

    async def _archive(self, response: Response, locator: str, kind: str,
                       listed_at: dt.datetime | None) -> list[Any]:
        assert self.store is not None
        self.responses += 1
        stamp = _header(response, b"Last-Modified")
        etag = _header(response, b"ETag")
        stats = self.crawler.stats
        if response.status == 304:
            if stats is not None:
                stats.inc_value("tracker/not_modified")
            known = self.known.get(locator)
            return [UnchangedDocument(SourceDocumentInfo(locator, known.content_hash if known else "",
                                                         last_modified=stamp or (known.last_modified if known
                                                                                 else None), etag=etag))]
        self.attempted += 1
        group = PurePosixPath(locator).name
        out: list[Any] = []
        errors: list[tuple[str, str]] = []
        try:
            tables, read_lob = zip_tables(zipfile.ZipFile(io.BytesIO(response.body)))
            if kind == "full" and "BILL_TBL" not in tables:
                raise ParseError(locator, "no BILL_TBL.dat in the download")
            rows = read_tables(tables, locator, errors)
            if kind == "full" and not rows.get("BILL_TBL"):  # a full load replaces the rows held: never by nothing
                raise ParseError(locator, "BILL_TBL.dat holds no bill: the download is empty or cut short")
        except (zipfile.BadZipFile, OSError, EOFError) as exc:
            return [FetchFailure(locator, f"not a readable zip archive: {exc}", group)]
        except ParseError as exc:
            return [FetchFailure(exc.locator, exc.reason, group)]

        out.extend(FetchFailure(where, reason, group) for where, reason in errors)  # malformed rows
        try:
            staged, records = await self.store.call(
                staging.stage_archive, self.store.store.session, group, rows, read_lob,
                incremental=kind == "incremental", locator=locator, listed_at=staging.index_stamp(listed_at),
                last_modified=stamp, etag=etag)
        except (zipfile.BadZipFile, OSError, EOFError) as exc:  # a .lob member that cannot be read
            await self.store.call(self.store.store.session.rollback)
            return [*out, FetchFailure(locator, f"not a readable zip archive: {exc}", group)]
        out.extend(FetchFailure(where, reason, group) for where, reason in staged.problems)
        if stats is not None:
            stats.inc_value("tracker/pubinfo_rows_changed", staged.changed)
            stats.inc_value(f"tracker/pubinfo_{kind}_archives")
        rebuilt = set()
        for found in records:
            if isinstance(found, ParseError):
                out.append(FetchFailure(found.locator, found.reason, group))
                continue
            rebuilt.add(found.source_key)
            out.extend(self._bill(found, group, stats, correction=found.source_key in staged.renamed))
        waiting = staged.bills - rebuilt
        if waiting and kind == "incremental" and stats is not None:
            # Rows of bills whose BILL_TBL row was never seen: kept, and used once that row arrives.
            stats.inc_value("tracker/pubinfo_bills_without_bill_row", len(waiting))
        self.logger.info("pubinfo %s %s: %d rows staged, %d bills rebuilt", kind, group, staged.changed,
                         len(rebuilt))
        out.append(ListingDone(SourceDocumentInfo(locator, sha256(response.body), last_modified=stamp, etag=etag),
                               group))
        return out

    def _bill(self, record: BillRecord, group: str, stats: Any, *, correction: bool = False) -> Iterator[Any]:
        self.listed += 1
        locator = f"pubinfo:{record.source_key}"  # as `tracker import` names it, so both skip the same bills
        digest = record.content_hash()
        known = self.known.get(locator)
        if known is not None and known.content_hash == digest:
            yield UnchangedDocument(SourceDocumentInfo(locator, digest), group)
            return
        if stats is not None:
            stats.inc_value("tracker/bill_documents")
        yield BillItem(record, SourceDocumentInfo(locator, digest), group, correction=correction)

    def index_failed(self, failure: Failure) -> Iterator[Any]:
        self.note_failure(failure)
        yield FetchFailure(failure.request.url, f"directory index: {self.describe(failure)}")  # type: ignore[attr-defined]

    def archive_failed(self, failure: Failure) -> Iterator[Any]:
        self.note_failure(failure)
        self.attempted += 1
        url = failure.request.url  # type: ignore[attr-defined]
        yield FetchFailure(url, self.describe(failure), PurePosixPath(url).name)
        yield from self._next()  # a later incremental never undoes a newer row, so the others still apply

    def judge(self) -> None:
        super().judge()
        if self.fatal is None and not self.archive and not self.index_read and self.responses:
            self.fail("the pubinfo directory index could not be read (see the run's errors)")


def _header(response: Response, name: bytes) -> str | None:
    value = response.headers.get(name)
    if not value:
        return None
    text = value.decode("latin-1")
    if name == b"Last-Modified":
        try:
            email.utils.parsedate_to_datetime(text)
        except (TypeError, ValueError):
            return None
    return text
