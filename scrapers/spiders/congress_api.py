"""``congress_api``: Congress.gov API v3, bills updated since the last successful run.

    CONGRESS_API_KEY=... scrapy crawl congress_api -a congress=118 -a types=hr,s

1. ``/bill/{congress}`` (or ``/bill/{congress}/{type}`` for a narrower scope) with ``fromDateTime`` = the start
   of the last successful run minus an overlap (CONGRESS_API_OVERLAP_HOURS: ``updateDate`` is often date-only),
   ``sort=updateDate+asc``, 250 per page, following ``pagination.next``. The first run lists the whole Congress;
2. a listed bill whose update stamp equals the stored one (``SourceDocument.last_modified``) is skipped;
3. otherwise its detail, then each sub-resource the detail says is non-empty (actions, cosponsors, committees,
   subjects, summaries, text, titles, relatedbills; CONGRESS_API_SUBRESOURCES), every page, all parsed together by
   ``tracker.sources.congress_api.parse_bill``. A bill any of whose requests still fails after the retries is
   recorded with that URL and the reason; the run goes on.

The key is read from the environment variable CONGRESS_API_KEY (the name is configurable) and sent as the
``X-Api-Key`` header, so it never appears in URLs, logs or the database. Without a key the spider says so and
exits 2. Requests stay under MAX_REQUESTS_PER_HOUR (default 4,500 of the published 5,000 per key), counting
what earlier runs spent in the last hour; a 429 pauses the crawl as ``Retry-After`` says.
"""

import datetime as dt
import os
from collections.abc import AsyncIterator, Iterator
from typing import Any

from scrapy.http import Request, Response
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from scrapers.base import TrackerSpider, hide_in_logs, sha256
from scrapers.items import BillItem, FetchFailure, UnchangedDocument
from scrapers.middlewares import BackoffRetryMiddleware
from tracker.config import BILL_TYPES
from tracker.crawling import EXIT_USAGE
from tracker.crawlstore import KnownDocument
from tracker.ingest import SourceDocumentInfo
from tracker.models.base import utcnow
from tracker.records import ParseError
from tracker.sources.congress_api import (
    CANONICAL_BASE,
    DATA_KEY,
    SOURCE_NAME,
    bill_path,
    parse_bill,
    parse_bill_list,
    parse_page,
    subresource_counts,
)
from tracker.sources.govinfo_listing import rebase

MAX_PAGES = 200  # per list; 250 items a page covers any bill's actions many times over


class FetchError(Exception):
    def __init__(self, url: str, reason: str):
        super().__init__(f"{url}: {reason}")
        self.url, self.reason = url, reason


class CongressApiSpider(TrackerSpider):
    name = "congress_api"
    source_name = SOURCE_NAME
    requests_per_hour = 4500

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.api_key = ""
        self.known: dict[str, KnownDocument] = {}
        self.empty_first_lists: list[str] = []
        self.lists_read = 0
        self.lists_failed = 0
        self.subresources: tuple[str, ...] = ()
        self.requested: set[str] = set()  # bills asked for in this run: a list can name one twice

    def base_url(self) -> str:
        base = self.settings.get("CONGRESS_API_BASE_URL") or CANONICAL_BASE
        return base if base.endswith("/") else base + "/"

    def api_request(self, path: str, query: str, **kwargs: Any) -> Request:
        return Request(f"{self.base_url()}{path}?{query}", headers=self._headers(), dont_filter=True, **kwargs)

    def _headers(self) -> dict[str, str]:
        return {"X-Api-Key": self.api_key, "Accept": "application/json"}

    # -- start: one bill list per Congress (or Congress and type) -------------------------------------------

    async def start(self) -> AsyncIterator[Any]:
        if self.fatal or self.store is None:
            return
        key_env = self.settings.get("CONGRESS_API_KEY_ENV") or "CONGRESS_API_KEY"
        self.api_key = os.environ.get(key_env, "").strip()
        hide_in_logs(self.api_key)  # it travels in a header, but a header can end up in a logged error too
        if not self.api_key:
            self.fail(f"{key_env} is not set: the Congress.gov API needs a key. Get a free one at "
                      f"https://api.data.gov/signup/ and run `export {key_env}=...`", EXIT_USAGE)
            return
        self.subresources = tuple(self.settings.getlist("CONGRESS_API_SUBRESOURCES"))
        store = self.store.store
        await self._count_recent_requests()
        self.known = await self.store.call(
            store.known_documents, [CANONICAL_BASE + f"bill/{c}/" for c in self.congresses])
        overlap = dt.timedelta(hours=self.settings.getfloat("CONGRESS_API_OVERLAP_HOURS", 24))
        whole_congress = set(self.types) == set(BILL_TYPES)
        for congress in self.congresses:
            since = await self.store.call(store.last_success_started, congress=congress, types=self.types)
            query = "format=json&limit=250&sort=updateDate+asc"
            if since is not None:
                query += f"&fromDateTime={(since - overlap).strftime('%Y-%m-%dT%H:%M:%SZ')}"
            self.logger.info("Congress %s: %s", congress,
                             f"bills updated since {since - overlap:%Y-%m-%d %H:%M} UTC" if since else "every bill")
            paths = [f"bill/{congress}"] if whole_congress else [f"bill/{congress}/{t}" for t in self.types]
            for path in paths:
                yield self.api_request(path, query, callback=self.parse_list, errback=self.list_failed,
                                       cb_kwargs={"congress": congress, "first_page": True,
                                                  "incremental": since is not None})

    async def _count_recent_requests(self) -> None:
        """Count what runs in the last hour spent against the same hourly limit."""
        assert self.store is not None
        middleware = self.crawler.get_downloader_middleware(BackoffRetryMiddleware)
        if middleware is None or not middleware.budget.limit:
            return
        import time

        now_utc, now_mono = utcnow(), time.monotonic()
        for finished, count in await self.store.call(self.store.store.requests_in_last_hour):
            finished = finished if finished.tzinfo else finished.replace(tzinfo=dt.UTC)
            middleware.budget.preload(count, now_mono - (now_utc - finished).total_seconds())

    # -- lists ----------------------------------------------------------------------------------------------

    def parse_list(self, response: Response, congress: int, first_page: bool, incremental: bool
                   ) -> Iterator[Any]:
        self.responses += 1
        try:
            page = parse_bill_list(response.body, response.url)
        except ParseError as exc:
            self.lists_failed += 1
            yield FetchFailure(response.url, f"bill list: {exc.reason}")
            return
        self.lists_read += 1
        if first_page and not page.bills and not incremental:
            self.empty_first_lists.append(response.url)
        for bill in page.bills:
            if bill.congress != congress or bill.bill_type not in self.types:
                continue
            self.listed += 1
            locator = CANONICAL_BASE + bill_path(bill.congress, bill.bill_type, bill.number)
            known = self.known.get(locator)
            if known is not None and bill.stamp and known.last_modified == bill.stamp:
                continue
            if locator in self.requested:  # offset pages over a list that moves: one fetch is enough
                continue
            self.requested.add(locator)
            self.attempted += 1
            yield self.api_request(bill_path(bill.congress, bill.bill_type, bill.number), "format=json",
                                   callback=self.parse_bill, errback=self.bill_failed,
                                   cb_kwargs={"locator": locator, "stamp": bill.stamp or None, "known": known})
        if page.next_url:
            next_url = _keep_filters(rebase(page.next_url, self.base_url(), CANONICAL_BASE), response.url)
            yield Request(self._json_url(next_url),
                          headers=self._headers(), dont_filter=True, callback=self.parse_list,
                          errback=self.list_failed,
                          cb_kwargs={"congress": congress, "first_page": False, "incremental": incremental})

    def list_failed(self, failure: Failure) -> Iterator[Any]:
        self.note_failure(failure)
        self.lists_failed += 1
        if isinstance(failure.value, HttpError):
            self._refused(failure.value.response.status)
        yield FetchFailure(failure.request.url, f"bill list: {self.describe(failure)}")  # type: ignore[attr-defined]

    def _refused(self, status: int) -> None:
        """api.data.gov answers 401/403 only about the key (missing, wrong, disabled): the run stops saying so."""
        if status in (401, 403):
            key_env = self.settings.get("CONGRESS_API_KEY_ENV") or "CONGRESS_API_KEY"
            self.fail(f"Congress.gov refused the key in {key_env} (HTTP {status}): "
                      f"check it at https://api.data.gov/signup/", EXIT_USAGE)

    @staticmethod
    def _json_url(url: str) -> str:
        return url if "format=json" in url else url + ("&" if "?" in url else "?") + "format=json"

    # -- bills ----------------------------------------------------------------------------------------------

    async def parse_bill(self, response: Response, locator: str, stamp: str | None,
                         known: KnownDocument | None) -> AsyncIterator[Any]:
        self.responses += 1
        stats = self.crawler.stats
        assert stats is not None
        stats.inc_value("tracker/bill_documents")
        parts: dict[str, list[bytes]] = {}
        try:
            counts = subresource_counts(response.body, response.url)
            for name in self.subresources:
                if counts.get(name, 0) != 0:  # absent or zero: nothing to fetch
                    parts[name] = await self._fetch_pages(f"{locator[len(CANONICAL_BASE):]}/{name}", name)
            digest = sha256(response.body + b"".join(page for pages in parts.values() for page in pages))
            if known is not None and known.content_hash == digest:
                yield UnchangedDocument(SourceDocumentInfo(locator, digest, last_modified=stamp))
                return
            record = parse_bill(response.body, parts, locator)
        except FetchError as exc:
            yield FetchFailure(exc.url, exc.reason)
            return
        except ParseError as exc:
            yield FetchFailure(response.url, exc.reason)
            return
        yield BillItem(record, SourceDocumentInfo(locator, digest, last_modified=stamp))

    async def _fetch_pages(self, path: str, name: str) -> list[bytes]:
        assert self.crawler.engine is not None
        url: str | None = f"{self.base_url()}{path}?format=json&limit=250"
        pages: list[bytes] = []
        while url and len(pages) < MAX_PAGES:
            request = Request(url, headers=self._headers(), dont_filter=True)
            try:
                response = await self.crawler.engine.download_async(request)
            except Exception as exc:  # noqa: BLE001  (whatever the network did: this bill fails, the run goes on)
                failure = Failure(exc)
                failure.request = request  # type: ignore[attr-defined]
                self.note_failure(failure)
                raise FetchError(url, self.describe(failure)) from None
            self.responses += 1
            if response.status != 200:
                self._refused(response.status)
                raise FetchError(url, f"HTTP {response.status}")
            try:
                _, next_url = parse_page(response.body, url, DATA_KEY[name])
            except ParseError as exc:
                raise FetchError(url, exc.reason) from None
            pages.append(response.body)
            url = self._json_url(rebase(next_url, self.base_url(), CANONICAL_BASE)) if next_url else None
        return pages

    def bill_failed(self, failure: Failure) -> Iterator[Any]:
        self.note_failure(failure)
        if isinstance(failure.value, HttpError):  # a key disabled mid-run: said as plainly as at the start
            self._refused(failure.value.response.status)
        yield FetchFailure(failure.request.url, self.describe(failure))  # type: ignore[attr-defined]

    # -- verdict --------------------------------------------------------------------------------------------

    def judge(self) -> None:
        super().judge()
        if self.fatal is None and self.lists_failed and not self.lists_read:
            self.fail("no bill list could be read from Congress.gov (see the run's errors)")
        if self.fatal is None and self.empty_first_lists and self.listed == 0:
            self.fail(f"Congress.gov listed no bills where a full list was expected ({self.empty_first_lists[0]})")


# The list's filter and order, which a ``next`` link must keep: the API's own links carry only offset, limit and
# format (as the feed server writes them), and following one as given read the rest of an incremental list
# unfiltered, in the default order: every later page of the whole Congress, and bills listed twice.
_LIST_FILTERS = ("fromDateTime", "toDateTime", "sort")


def _keep_filters(next_url: str, current_url: str) -> str:
    """``next_url`` with the filters of the page it came from that it lacks."""
    from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

    current = dict(parse_qsl(urlsplit(current_url).query))
    parts = urlsplit(next_url)
    query = parse_qsl(parts.query, keep_blank_values=True)
    have = {key for key, _ in query}
    query += [(key, current[key]) for key in _LIST_FILTERS if key in current and key not in have]
    return urlunsplit(parts._replace(query=urlencode(query, safe=":+")))
