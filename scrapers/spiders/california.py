"""``california``: the Legislature's ``pubinfo`` bulk download (downloads.leginfo.legislature.ca.gov).

    scrapy crawl california [-a archive=pubinfo_2025.zip]

1. the directory index (an Apache listing) names the archives with their modification times; the newest
   ``pubinfo_daily_{Day}.zip`` is the full snapshot of the current session's bill tables, rebuilt nightly
   (``-a archive=`` picks another, e.g. the weekly ``pubinfo_2025.zip`` or an older session's);
2. the archive is fetched conditionally (``If-Modified-Since``/``If-None-Match`` from the last run): a 304 ends
   the run with nothing to do;
3. otherwise its tables are joined by ``tracker.sources.ca_pubinfo.parse_tables`` and every bill whose record
   hashes differently from the stored one is written; a bad row or bill is recorded and the rest goes on. The
   archive's stamps are remembered only when every bill in it was stored, so a failure is retried next run.

The daily snapshot rather than the incremental ``pubinfo_{Day}.zip`` is read because an incremental holds only
the rows that changed (a bill's new history lines, not its whole history), while each bill record replaces the
bill's children: the snapshot is the idempotent way the Legislature documents (FORMATS.md section 5). It is
about 1 GB; PUBINFO_MAX_BYTES (default 2 GiB) bounds what is accepted.
"""

import email.utils
import io
import zipfile
from collections.abc import AsyncIterator, Iterator
from pathlib import PurePosixPath
from typing import Any

from scrapy.http import Request, Response
from twisted.python.failure import Failure

from scrapers.base import sha256
from scrapers.items import BillItem, FetchFailure, ListingDone, UnchangedDocument
from scrapers.state_base import StateFeedSpider
from tracker.crawlstore import KnownDocument
from tracker.ingest import SourceDocumentInfo
from tracker.records import BillRecord, ParseError
from tracker.sources.ca_pubinfo import SOURCE_NAME, TABLE_COLUMNS, newest_daily, parse_directory_index, parse_tables

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

    def _resolve_scope(self) -> None:
        super()._resolve_scope()
        self.states = ("ca",)

    def scope_args(self) -> dict[str, Any]:
        return {"states": ["ca"], "archive": self.archive}

    async def start(self) -> AsyncIterator[Any]:
        if self.fatal or self.store is None:
            return
        self.known = await self.store.call(self.store.store.known_documents)
        if self.archive:
            yield self._archive_request(self.archive)
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
        name = newest_daily(index)
        if name is None:
            self.fail(f"the pubinfo index at {response.url} lists no pubinfo_daily_*.zip")
            return
        yield self._archive_request(name)

    def _archive_request(self, name: str) -> Request:
        locator = CANONICAL + name
        headers = {}
        known = self.known.get(locator)
        if known is not None and known.last_modified:
            headers["If-Modified-Since"] = known.last_modified
        if known is not None and known.etag:
            headers["If-None-Match"] = known.etag
        limit = self.settings.getint("PUBINFO_MAX_BYTES", DEFAULT_MAX_BYTES)
        return Request(self.base_url() + name, headers=headers, dont_filter=True, callback=self.parse_archive,
                       errback=self.archive_failed, cb_kwargs={"locator": locator},
                       meta={"handle_httpstatus_list": [304], "download_maxsize": limit,
                             "download_warnsize": 0})

    def parse_archive(self, response: Response, locator: str) -> Iterator[Any]:
        self.responses += 1
        stamp = _header(response, b"Last-Modified")
        etag = _header(response, b"ETag")
        if response.status == 304:
            stats = self.crawler.stats
            if stats is not None:
                stats.inc_value("tracker/not_modified")
            known = self.known.get(locator)
            yield UnchangedDocument(SourceDocumentInfo(locator, known.content_hash if known else "",
                                                       last_modified=stamp or (known.last_modified if known
                                                                               else None), etag=etag))
            return
        self.attempted += 1
        group = PurePosixPath(locator).name
        try:
            archive = zipfile.ZipFile(io.BytesIO(response.body))
            members = {PurePosixPath(n).name: n for n in archive.namelist() if not n.endswith("/")}
            tables = {t: archive.read(members[f"{t}.dat"]) for t in TABLE_COLUMNS if f"{t}.dat" in members}
            records = list(parse_tables(tables, lambda n: archive.read(members[n]) if n in members else None,
                                        locator))
        except (zipfile.BadZipFile, OSError, EOFError) as exc:
            yield FetchFailure(locator, f"not a readable zip archive: {exc}", group)
            return
        except ParseError as exc:
            yield FetchFailure(exc.locator, exc.reason, group)
            return
        stats = self.crawler.stats
        for found in records:
            if isinstance(found, ParseError):
                yield FetchFailure(found.locator, found.reason, group)
                continue
            yield from self._bill(found, group, stats)
        yield ListingDone(SourceDocumentInfo(locator, sha256(response.body), last_modified=stamp, etag=etag), group)

    def _bill(self, record: BillRecord, group: str, stats: Any) -> Iterator[Any]:
        self.listed += 1
        locator = f"pubinfo:{record.source_key}"  # as `tracker import` names it, so both skip the same bills
        digest = record.content_hash()
        known = self.known.get(locator)
        if known is not None and known.content_hash == digest:
            yield UnchangedDocument(SourceDocumentInfo(locator, digest), group)
            return
        if stats is not None:
            stats.inc_value("tracker/bill_documents")
        yield BillItem(record, SourceDocumentInfo(locator, digest), group)

    def index_failed(self, failure: Failure) -> Iterator[Any]:
        self.note_failure(failure)
        yield FetchFailure(failure.request.url, f"directory index: {self.describe(failure)}")  # type: ignore[attr-defined]

    def archive_failed(self, failure: Failure) -> Iterator[Any]:
        self.note_failure(failure)
        self.attempted += 1
        url = failure.request.url  # type: ignore[attr-defined]
        yield FetchFailure(url, self.describe(failure), PurePosixPath(url).name)

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
