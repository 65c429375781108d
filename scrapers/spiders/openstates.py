"""``openstates``: Open States API v3 ``/bills``, any state, bills updated since the last successful run.

    OPENSTATES_API_KEY=... scrapy crawl openstates -a states=ca [-a session=20252026]

One listing per state (and session, when given): ``/bills?jurisdiction=ca&sort=updated_asc&per_page=20`` with
``include`` of actions, sponsorships, versions, abstracts, sources and votes, and ``updated_since`` = the state's last
successful run minus STATE_FEED_OVERLAP_HOURS (``updated_at`` marks real data changes, FORMATS.md section 3),
then every page up to ``pagination.max_page``. Each result is parsed by ``tracker.sources.openstates`` and
stored unless its content hashes as before; a bad result is recorded with its page URL and the run goes on.

The key (OPENSTATES_API_KEY) travels in the ``X-API-KEY`` header, never in URLs. Without it the spider says so
and exits 2; a refused key (401/403) does the same. The default tier allows 10 requests a minute: 429 pauses
the crawl as ``Retry-After`` says (scrapers.middlewares), and MAX_REQUESTS_PER_HOUR keeps the pace below it.
"""

from collections.abc import AsyncIterator, Iterator
from typing import Any
from urllib.parse import urlencode

from scrapy.http import Request, Response
from scrapy.settings import BaseSettings
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from scrapers.items import BillItem, FetchFailure, UnchangedDocument
from scrapers.state_base import StateFeedSpider
from tracker.config import crawl_settings
from tracker.crawling import EXIT_USAGE
from tracker.crawlstore import KnownDocument
from tracker.ingest import SourceDocumentInfo
from tracker.records import BillRecord, ParseError
from tracker.sources.openstates import SOURCE_NAME, parse_bills_page

INCLUDES = ("actions", "sponsorships", "versions", "abstracts", "sources", "votes")
PER_PAGE = 20  # the API's maximum
MAX_PAGES = 5000


class OpenStatesSpider(StateFeedSpider):
    name = "openstates"
    source_name = SOURCE_NAME
    base_setting = "OPENSTATES_BASE_URL"
    key_env_setting = "OPENSTATES_API_KEY_ENV"
    key_help = "Get one at https://open.pluralpolicy.com/accounts/profile/."

    @classmethod
    def update_settings(cls, settings: BaseSettings) -> None:
        super().update_settings(settings)
        options = crawl_settings().sources[SOURCE_NAME].options
        settings.set("MAX_REQUESTS_PER_HOUR", int(options.get("max_requests_per_hour", 600)), priority="spider")

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.known: dict[str, KnownDocument] = {}
        self.lists_read = 0
        self.lists_failed = 0

    def _headers(self) -> dict[str, str]:
        return {"X-API-KEY": self.api_key, "Accept": "application/json"}

    async def start(self) -> AsyncIterator[Any]:
        if not await self.keyed_state_start("OPENSTATES_API_KEY"):
            return
        for state in self.states:
            since = await self.since(state)
            query: list[tuple[str, str]] = [("jurisdiction", state), ("sort", "updated_asc"),
                                            ("per_page", str(PER_PAGE))]
            if self.session:
                query.append(("session", self.session))
            if since is not None:
                query.append(("updated_since", since.strftime("%Y-%m-%dT%H:%M:%S")))
            query += [("include", name) for name in INCLUDES]
            self.logger.info("%s: %s", state, f"bills updated since {since:%Y-%m-%d %H:%M} UTC" if since
                             else "every bill")
            yield self._page(query, 1)

    def _page(self, query: list[tuple[str, str]], page: int) -> Request:
        url = f"{self.base_url()}bills?{urlencode([*query, ('page', str(page))])}"
        return Request(url, headers=self._headers(), dont_filter=True, callback=self.parse_page,
                       errback=self.list_failed, cb_kwargs={"query": query, "page": page})

    def parse_page(self, response: Response, query: list[tuple[str, str]], page: int) -> Iterator[Any]:
        self.responses += 1
        try:
            parsed = parse_bills_page(response.body, response.url)
        except ParseError as exc:
            self.lists_failed += 1
            yield FetchFailure(response.url, f"bill list: {exc.reason}")
            return
        self.lists_read += 1
        for found in parsed.bills:
            self.listed += 1
            if isinstance(found, ParseError):
                yield FetchFailure(found.locator, found.reason)
                continue
            yield from self._bill(found)
        if parsed.page < parsed.max_page and page < MAX_PAGES:
            yield self._page(query, page + 1)

    def _bill(self, record: BillRecord) -> Iterator[Any]:
        locator = f"{self.base_url()}bills/{record.source_key}"
        digest = record.content_hash()
        stamp = record.upstream_updated_at.isoformat() if record.upstream_updated_at else None
        known = self.known.get(locator)
        if known is not None and known.content_hash == digest:
            yield UnchangedDocument(SourceDocumentInfo(locator, digest, last_modified=stamp))
            return
        self.attempted += 1
        stats = self.crawler.stats
        if stats is not None:
            stats.inc_value("tracker/bill_documents")
        yield BillItem(record, SourceDocumentInfo(locator, digest, last_modified=stamp))

    def list_failed(self, failure: Failure) -> Iterator[Any]:
        self.note_failure(failure)
        self.lists_failed += 1
        if isinstance(failure.value, HttpError) and failure.value.response.status in (401, 403):
            env = self.settings.get(self.key_env_setting or "") or "OPENSTATES_API_KEY"
            self.fail(f"Open States refused the key in {env} (HTTP {failure.value.response.status})", EXIT_USAGE)
        yield FetchFailure(failure.request.url, f"bill list: {self.describe(failure)}")  # type: ignore[attr-defined]

    def judge(self) -> None:
        super().judge()
        if self.fatal is None and self.lists_failed and not self.lists_read:
            self.fail("no bill list could be read from Open States (see the run's errors)")
