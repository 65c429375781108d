"""``govinfo_billstatus``: GovInfo BILLSTATUS bulk XML, fetched only where it changed.

    scrapy crawl govinfo_billstatus -a congress=118 -a types=hr,s      (default: the current Congress, all types)

Discovery (``tracker.sources.govinfo_listing``):

1. the sitemap index names one sitemap per Congress and bill type with its ``lastmod``; a collection whose
   ``lastmod`` equals the one remembered from the last clean run is skipped without another request;
2. each changed collection's sitemap lists its files with their ``lastmod``; a file whose stamp matches the
   stored one (``SourceDocument.last_modified``, also written by ``tracker import``) is not fetched;
3. where a sitemap is missing, unreadable or empty, the JSON folder listing
   (``bulkdata/json/BILLSTATUS/{congress}/{type}``) stands in for it.

Files that did change are fetched with ``If-Modified-Since``/``If-None-Match`` when we hold a copy; a 304, or a
200 with the bytes we already have, only refreshes the stored stamps. So a run where nothing changed makes
listing requests only (the index alone when no collection moved).

Newest first: bill files are requested in order of their ``lastmod``, most recent first, across collections: bill
requests are held until every listing in scope (sitemaps and any JSON fallback) has been read, then released in
that order. A first crawl of a whole Congress takes a long while; stored in
batches as it goes, its early part is then the bills that moved most recently, which is what a reader of the
dashboard looks at first.

Empty scrapes fail loudly: if the listings for the whole scope name no file at all, the run is marked failed
and ``scrapy crawl`` exits 5 (6 when GovInfo could not be reached).
"""

import functools
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

from scrapy.http import Request, Response
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from scrapers.base import UNREACHABLE, TrackerSpider, sha256
from scrapers.items import BillItem, FetchFailure, ListingDone, UnchangedDocument
from tracker.crawlstore import KnownDocument
from tracker.ingest import SourceDocumentInfo
from tracker.records import ParseError
from tracker.sources.govinfo_billstatus import SOURCE_NAME, parse_billstatus
from tracker.sources.govinfo_listing import (
    CANONICAL_BASE,
    SITEMAP_INDEX_PATH,
    ListedFile,
    billstatus_path,
    collection_sitemap_path,
    http_date,
    listing_path,
    parse_json_listing,
    parse_sitemap_index,
    parse_stamp,
    parse_urlset,
    rebase,
    stamps_match,
)

# Bill requests' scheduler priorities (higher first): their lastmod in seconds since the epoch, a file without a
# readable stamp last. Listings need none: bills are held until every listing is read (listing_callback).
UNSTAMPED_PRIORITY = 0


def recency_priority(stamp: str | None) -> int:
    parsed = parse_stamp(stamp)
    return int(parsed[0].timestamp()) if parsed else UNSTAMPED_PRIORITY


def listing_callback(method: Callable[..., Iterator[Any]]) -> Callable[..., Iterator[Any]]:
    """A listing's callback or errback: once the last listing in flight is read, the held bill requests go out.

    Releasing them together is what makes the order global: a bill request yielded while another listing is
    still being parsed would be downloaded before that listing's newer bills reached the scheduler.
    """

    @functools.wraps(method)
    def wrapper(self: "GovinfoBillstatusSpider", *args: Any, **kwargs: Any) -> Iterator[Any]:
        self.listings_in_flight -= 1
        yield from method(self, *args, **kwargs)  # may ask for another listing (a JSON fallback)
        if self.listings_in_flight == 0 and self.held:
            held, self.held = self.held, []
            yield from sorted(held, key=lambda r: r.priority, reverse=True)

    return wrapper


class GovinfoBillstatusSpider(TrackerSpider):
    name = "govinfo_billstatus"
    source_name = SOURCE_NAME

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.known: dict[str, KnownDocument] = {}
        self.pending: dict[str, int] = {}  # group -> documents still in flight
        self.group_listing: dict[str, SourceDocumentInfo | None] = {}  # what to remember when a group is done
        self.unchanged_groups = 0
        self.empty_groups: list[str] = []
        self.listing_failures = 0
        self.listings_in_flight = 0
        self.held: list[Request] = []  # bill requests waiting for the last listing (see listing_callback)

    def base_url(self) -> str:
        base = self.settings.get("GOVINFO_BASE_URL") or CANONICAL_BASE
        return base if base.endswith("/") else base + "/"

    def url(self, path: str) -> str:
        return self.base_url() + path

    def groups(self) -> list[tuple[int, str]]:
        return [(congress, bill_type) for congress in self.congresses for bill_type in self.types]

    # -- start: the sitemap index ---------------------------------------------------------------------------

    async def start(self) -> AsyncIterator[Any]:
        if self.fatal or self.store is None or self.crawler.stats is None:
            return
        prefixes = [CANONICAL_BASE + f"bulkdata/BILLSTATUS/{c}/" for c in self.congresses]
        prefixes += [CANONICAL_BASE + f"sitemap/bulkdata/BILLSTATUS/{c}" for c in self.congresses]
        self.known = await self.store.call(self.store.store.known_documents, prefixes)
        # --refresh with bills an older parser read: every collection is listed, however unchanged its stamp.
        store = self.store.store
        self.refreshing = await self.store.call(lambda: store.refreshing)
        self.logger.info("scope: Congress %s, types %s; %d documents remembered",
                         ",".join(map(str, self.congresses)), ",".join(self.types), len(self.known))
        yield self._listing_request(self.url(SITEMAP_INDEX_PATH), self.parse_index, self.index_failed)

    def _listing_request(self, url: str, callback: Any, errback: Any, **kwargs: Any) -> Request:
        self.crawler.stats.inc_value("tracker/listing_requests")  # type: ignore[union-attr]
        self.listings_in_flight += 1
        return Request(url, callback=callback, errback=errback, dont_filter=True, **kwargs)

    @listing_callback
    def parse_index(self, response: Response) -> Iterator[Any]:
        self.responses += 1
        try:
            collections = parse_sitemap_index(response.body, response.url)
        except ParseError as exc:
            yield FetchFailure(response.url, f"sitemap index unreadable, using the JSON listings: {exc.reason}")
            collections = {}
        for congress, bill_type in self.groups():
            group = f"{congress}{bill_type}"
            found = collections.get((congress, bill_type))
            if found is None:
                self.logger.info("%s not in the sitemap index: asking the JSON listing", group)
                yield self._json_listing_request(congress, bill_type)
                continue
            loc, lastmod = found
            locator = CANONICAL_BASE + collection_sitemap_path(congress, bill_type)
            known = self.known.get(locator)
            if known and lastmod and stamps_match(known.last_modified, lastmod) and not self.refreshing:
                self.unchanged_groups += 1
                continue
            yield self._listing_request(rebase(loc, self.base_url()), self.parse_collection, self.collection_failed,
                                        cb_kwargs={"congress": congress, "bill_type": bill_type, "stamp": lastmod},
                                        headers={"Accept": "application/xml"})
        if self.unchanged_groups:
            self.logger.info("%d collections unchanged since the last clean run", self.unchanged_groups)

    @listing_callback
    def index_failed(self, failure: Failure) -> Iterator[Any]:
        self.note_failure(failure)
        request = failure.request  # type: ignore[attr-defined]
        if isinstance(failure.value, UNREACHABLE):  # the listings live on the same host: no use asking them
            yield FetchFailure(request.url, f"sitemap index: {self.describe(failure)}")
            return
        yield FetchFailure(request.url, f"sitemap index: {self.describe(failure)}; using the JSON listings")
        for congress, bill_type in self.groups():
            yield self._json_listing_request(congress, bill_type)

    # -- collections ----------------------------------------------------------------------------------------

    @listing_callback
    def parse_collection(self, response: Response, congress: int, bill_type: str, stamp: str | None
                         ) -> Iterator[Any]:
        self.responses += 1
        group = f"{congress}{bill_type}"
        try:
            files = parse_urlset(response.body, response.url)
        except ParseError as exc:
            yield FetchFailure(response.url, f"sitemap unreadable, using the JSON listing: {exc.reason}", group)
            yield self._json_listing_request(congress, bill_type)
            return
        files = [f for f in files if (f.congress, f.bill_type) == (congress, bill_type)]
        if not files:  # an existing collection that lists nothing is suspicious: ask the other listing
            self.logger.warning("%s lists no %s files: asking the JSON listing", response.url, group)
            yield self._json_listing_request(congress, bill_type)
            return
        listing = SourceDocumentInfo(CANONICAL_BASE + collection_sitemap_path(congress, bill_type),
                                     sha256(response.body), last_modified=stamp)
        yield from self._fetch_changed(group, files, listing if stamp else None)

    @listing_callback
    def collection_failed(self, failure: Failure) -> Iterator[Any]:
        self.note_failure(failure)
        request = failure.request  # type: ignore[attr-defined]
        kwargs = request.cb_kwargs
        group = f"{kwargs['congress']}{kwargs['bill_type']}"
        yield FetchFailure(request.url, f"sitemap: {self.describe(failure)}; using the JSON listing", group)
        yield self._json_listing_request(kwargs["congress"], kwargs["bill_type"])

    def _json_listing_request(self, congress: int, bill_type: str) -> Request:
        return self._listing_request(self.url(listing_path(congress, bill_type)), self.parse_json_listing,
                                     self.json_listing_failed, headers={"Accept": "application/json"},
                                     cb_kwargs={"congress": congress, "bill_type": bill_type})

    @listing_callback
    def parse_json_listing(self, response: Response, congress: int, bill_type: str) -> Iterator[Any]:
        self.responses += 1
        group = f"{congress}{bill_type}"
        try:
            files = parse_json_listing(response.body, response.url)
        except ParseError as exc:
            self.listing_failures += 1
            yield FetchFailure(response.url, f"listing unreadable: {exc.reason}", group)
            return
        files = [f for f in files if (f.congress, f.bill_type) == (congress, bill_type)]
        if not files:
            self.empty_groups.append(group)
            self.logger.warning("GovInfo lists no BILLSTATUS files for %s (%s)", group, response.url)
            return
        # The JSON listing has no folder-level stamp, so there is nothing to remember for the group as a whole.
        yield from self._fetch_changed(group, files, None)

    @listing_callback
    def json_listing_failed(self, failure: Failure) -> Iterator[Any]:
        self.note_failure(failure)
        request = failure.request  # type: ignore[attr-defined]
        group = f"{request.cb_kwargs['congress']}{request.cb_kwargs['bill_type']}"
        if isinstance(failure.value, HttpError) and failure.value.response.status == 404:
            # No folder yet: early in a Congress some bill types have no bill at all.
            self.empty_groups.append(group)
            self.logger.info("GovInfo has no BILLSTATUS folder for %s yet (%s)", group, request.url)
            return
        self.listing_failures += 1
        yield FetchFailure(request.url, f"listing: {self.describe(failure)}", group)

    # -- files ----------------------------------------------------------------------------------------------

    def _fetch_changed(self, group: str, files: list[ListedFile], listing: SourceDocumentInfo | None
                       ) -> Iterator[Any]:
        self.listed += len(files)
        changed = []
        for listed in files:
            locator = CANONICAL_BASE + billstatus_path(listed.congress, listed.bill_type, listed.number)
            known = self.known.get(locator)
            if not (known and stamps_match(known.last_modified, listed.stamp)):
                changed.append((listed, locator, known))
        self.attempted += len(changed)
        self.group_listing[group] = listing
        self.pending[group] = self.pending.get(group, 0) + len(changed)  # counted before any answer can arrive
        self.logger.info("%s: %d files listed, %d new or changed", group, len(files), len(changed))
        if not changed:
            yield from self._group_done(group, 0)
            return
        for listed, locator, known in changed:
            headers = {"Accept": "application/xml"}
            if known is not None:  # we hold a copy: let the server say it did not change
                if since := http_date(known.last_modified):
                    headers["If-Modified-Since"] = since
                if known.etag:
                    headers["If-None-Match"] = known.etag
            self.held.append(Request(rebase(listed.url, self.base_url()), headers=headers, callback=self.parse_bill,
                          errback=self.bill_failed, dont_filter=True, priority=recency_priority(listed.stamp),
                          meta={"handle_httpstatus_list": [304]},
                          cb_kwargs={"locator": locator, "stamp": listed.stamp, "group": group, "known": known,
                                     "expected": f"{listed.congress}-{listed.bill_type}-{listed.number}"}))

    def _group_done(self, group: str, finished: int) -> Iterator[Any]:
        self.pending[group] -= finished
        listing = self.group_listing.get(group)
        if self.pending[group] == 0 and listing is not None:
            yield ListingDone(listing, group)

    def parse_bill(self, response: Response, locator: str, stamp: str | None, group: str,
                   known: KnownDocument | None, expected: str) -> Iterator[Any]:
        self.responses += 1
        stats = self.crawler.stats
        assert stats is not None
        etag = response.headers.get(b"ETag")
        etag_text = etag.decode("latin-1") if etag else None
        if response.status == 304 and known is not None:
            stats.inc_value("tracker/not_modified")
            yield UnchangedDocument(SourceDocumentInfo(locator, known.content_hash, stamp or known.last_modified,
                                                       etag_text or known.etag), group)
        else:
            stats.inc_value("tracker/bill_documents")
            yield self._bill_item(response, locator, stamp, group, known, expected, etag_text)
        yield from self._group_done(group, 1)

    def _bill_item(self, response: Response, locator: str, stamp: str | None, group: str,
                   known: KnownDocument | None, expected: str, etag: str | None) -> Any:
        body = response.body
        digest = sha256(body)
        stamp = stamp or _last_modified(response)
        if known is not None and known.content_hash == digest:
            return UnchangedDocument(SourceDocumentInfo(locator, digest, stamp, etag), group)
        try:
            record = parse_billstatus(body, locator)
        except ParseError as exc:
            return FetchFailure(response.url, exc.reason, group)
        if record.source_key != expected:
            return FetchFailure(response.url, f"the file describes bill {record.source_key}, expected {expected}",
                                group)
        return BillItem(record, SourceDocumentInfo(locator, digest, last_modified=stamp, etag=etag), group)

    def bill_failed(self, failure: Failure) -> Iterator[Any]:
        self.note_failure(failure)
        request = failure.request  # type: ignore[attr-defined]
        group = request.cb_kwargs["group"]
        yield FetchFailure(request.url, self.describe(failure), group)
        yield from self._group_done(group, 1)

    def progress_note(self) -> str:
        notes = [f"{self.unchanged_groups} collections unchanged" if self.unchanged_groups else "",
                 f"nothing listed for {', '.join(self.empty_groups)}" if self.empty_groups else ""]
        return "; ".join(n for n in notes if n)

    # -- verdict --------------------------------------------------------------------------------------------

    def judge(self) -> None:
        super().judge()
        if self.fatal is None and self.listed == 0 and self.unchanged_groups == 0:
            scope = f"Congress {','.join(map(str, self.congresses))}, types {','.join(self.types)}"
            if self.listing_failures:
                self.fail(f"GovInfo's listings for {scope} could not be read ({self.listing_failures} failed; "
                          f"see the run's errors)")
            else:
                self.fail(f"GovInfo listed no BILLSTATUS files for {scope}: upstream is empty or its listing "
                          f"format changed (checked {self.url(SITEMAP_INDEX_PATH)} and the JSON listings)")


def _last_modified(response: Response) -> str | None:
    value = response.headers.get(b"Last-Modified")
    return value.decode("latin-1") if value else None

