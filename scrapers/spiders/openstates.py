"""``openstates``: Open States API v3 ``/bills``, any state, bills updated since the last successful run.

    OPENSTATES_API_KEY=... scrapy crawl openstates -a states=ca [-a session=20252026]

One listing per state (and session, when given): ``/bills?jurisdiction=ca&sort=updated_asc&per_page=20`` with
``include`` of actions, sponsorships, versions, abstracts, sources and votes, and ``updated_since`` = the state's last
successful run minus STATE_FEED_OVERLAP_HOURS (``updated_at`` marks real data changes, FORMATS.md section 3),
then every page up to ``pagination.max_page``. Each result is parsed by ``tracker.sources.openstates`` and
stored unless its content hashes as before; a bad result is recorded with its page URL and the run goes on. A
full listing (no ``updated_since``) that names no bill at all fails the run: the state or session is wrong, or
upstream is broken.

Beside each state's bills, its committee hearings: ``/events?jurisdiction=ca`` with ``include`` of agenda,
participants, documents, links and sources, ``after`` = the same window start as the bills (events are
future-facing: every hearing from then on is read again, so a moved or cancelled one is updated), or
FIRST_RUN_EVENT_DAYS back on a state's first run. Open States hides deleted events unless asked, so a second
listing with ``deleted=true`` marks those cancelled instead of leaving them "upcoming". Every page is followed;
the hearings go to the pipeline as ``HearingBatch`` items, stored after the run's bills so agenda items link
to bills crawled in the same run. Many states publish no events: an empty events listing is normal. A failed or
malformed events page or event is recorded like a bill's, and events count neither as listed bills nor as bill
lists read.

The key (OPENSTATES_API_KEY) travels in the ``X-API-KEY`` header, never in URLs. Without it the spider says so
and exits 2; a refused key (401/403) does the same. The default tier allows 10 requests a minute: 429 pauses
the crawl as ``Retry-After`` says (scrapers.middlewares), and MAX_REQUESTS_PER_HOUR keeps the pace below it.
"""

import datetime as dt
from collections.abc import AsyncIterator, Iterator
from typing import Any
from urllib.parse import urlencode

from scrapy.http import Request, Response
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from scrapers.items import BillItem, FetchFailure, HearingBatch, UnchangedDocument
from scrapers.state_base import StateFeedSpider
from tracker.crawling import EXIT_USAGE
from tracker.crawlstore import KnownDocument
from tracker.ingest import SourceDocumentInfo
from tracker.records import BillRecord, ParseError
from tracker.sources.openstates import SOURCE_NAME, parse_bills_page, parse_events_page

INCLUDES = ("actions", "sponsorships", "versions", "abstracts", "sources", "votes")
EVENT_INCLUDES = ("agenda", "participants", "documents", "links", "sources")
PER_PAGE = 20  # the API's maximum
MAX_PAGES = 5000
# A state's first run reads hearings from this many days back: enough for the recent ones a bill page shows,
# without paging through years of past meetings (the listing is ordered by start date, oldest first).
FIRST_RUN_EVENT_DAYS = 30
LISTED_THROUGH = "listed_through"  # the run stat telling where a state's listing got to


class OpenStatesSpider(StateFeedSpider):
    name = "openstates"
    source_name = SOURCE_NAME
    requests_per_hour = 600
    base_setting = "OPENSTATES_BASE_URL"
    key_env_setting = "OPENSTATES_API_KEY_ENV"
    key_help = "Get one at https://open.pluralpolicy.com/accounts/profile/."

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.known: dict[str, KnownDocument] = {}
        self.lists_read = 0  # bill lists only: events never decide the empty-scrape verdict
        self.lists_failed = 0
        self.empty_full_lists: list[str] = []
        self.listed_through: dict[str, str] = {}  # state -> updated_at of the last bill read in order
        self.listing_broken: set[str] = set()  # states whose listing had a gap (a bad bill, a page that failed)

    def _headers(self) -> dict[str, str]:
        return {"X-API-KEY": self.api_key, "Accept": "application/json"}

    async def start(self) -> AsyncIterator[Any]:
        if not await self.keyed_state_start("OPENSTATES_API_KEY"):
            return
        for state in self.states:
            since = await self.since(state)
            updated_since = since.strftime("%Y-%m-%dT%H:%M:%S") if since else None
            # A listing cut short (the default tier's 250 requests a day end a big state's first listing) resumes
            # where the last run's got to: it is sorted by updated_at, so every bill updated before was read.
            # Started again from the first page each time, such a state never finished.
            resume = await self.store.call(self.store.store.resume_point, "states", state,
                                           f"{LISTED_THROUGH}/{state}", session=self.session)
            if resume and (updated_since is None or resume > updated_since):
                updated_since = resume
                self.logger.info("%s: resuming the listing cut short last time, at %s", state, resume)
            query: list[tuple[str, str]] = [("jurisdiction", state), ("sort", "updated_asc"),
                                            ("per_page", str(PER_PAGE))]
            if self.session:
                query.append(("session", self.session))
            if updated_since is not None:
                query.append(("updated_since", updated_since))
            query += [("include", name) for name in INCLUDES]
            self.logger.info("%s: %s", state, f"bills updated since {updated_since} UTC" if updated_since
                             else "every bill")
            yield self._page("bills", query, 1)
            for listing in self._event_queries(state, since):
                yield self._page("events", listing, 1)

    def _event_queries(self, state: str, since: dt.datetime | None) -> Iterator[list[tuple[str, str]]]:
        """The live events from the window's start on, then the deleted ones of the same window."""
        # A UTC day, like ``since``: the window does not depend on the crawl host's time zone.
        after = since.date() if since else dt.datetime.now(dt.UTC).date() - dt.timedelta(days=FIRST_RUN_EVENT_DAYS)
        query = [("jurisdiction", state), ("after", after.isoformat()), ("per_page", str(PER_PAGE)),
                 *(("include", name) for name in EVENT_INCLUDES)]
        self.logger.info("%s: hearings starting after %s", state, after)
        yield query
        yield [*query, ("deleted", "true")]

    def _page(self, path: str, query: list[tuple[str, str]], page: int) -> Request:
        url = f"{self.base_url()}{path}?{urlencode([*query, ('page', str(page))])}"
        bills = path == "bills"
        return Request(url, headers=self._headers(), dont_filter=True,
                       callback=self.parse_page if bills else self.parse_events,
                       errback=self.list_failed if bills else self.events_failed,
                       cb_kwargs={"query": query, "page": page})

    def parse_page(self, response: Response, query: list[tuple[str, str]], page: int) -> Iterator[Any]:
        self.responses += 1
        state = dict(query)["jurisdiction"]
        try:
            parsed = parse_bills_page(response.body, response.url)
        except ParseError as exc:
            self.lists_failed += 1
            self.listing_broken.add(state)
            yield FetchFailure(response.url, f"bill list: {exc.reason}")
            return
        self.lists_read += 1
        if page == 1 and not parsed.bills and all(key != "updated_since" for key, _ in query):
            self.empty_full_lists.append(response.url)
        for found in parsed.bills:
            self.listed += 1
            if isinstance(found, ParseError):
                self.listing_broken.add(state)  # resume no later than here: the bad bill is read again
                yield FetchFailure(found.locator, found.reason)
                continue
            self._read_through(state, found)
            yield from self._bill(found)
        if parsed.page < parsed.max_page and page < MAX_PAGES:
            yield self._page("bills", query, page + 1)

    def parse_events(self, response: Response, query: list[tuple[str, str]], page: int) -> Iterator[Any]:
        self.responses += 1
        try:
            parsed = parse_events_page(response.body, response.url)
        except ParseError as exc:
            yield FetchFailure(response.url, f"event list: {exc.reason}")
            return
        hearings = []
        for found in parsed.hearings:
            if isinstance(found, ParseError):
                yield FetchFailure(found.locator, f"event: {found.reason}")
            else:
                hearings.append(found)
        stats = self.crawler.stats
        if stats is not None:
            stats.inc_value("tracker/events_listed", len(parsed.hearings))
        if hearings:
            yield HearingBatch(hearings)
        if parsed.page < parsed.max_page and page < MAX_PAGES:
            yield self._page("events", query, page + 1)

    def _read_through(self, state: str, record: BillRecord) -> None:
        """Remember (stat ``tracker/listed_through/{state}``) how far this state's listing was read without a gap."""
        if state in self.listing_broken or record.upstream_updated_at is None:
            return
        stamp = record.upstream_updated_at.strftime("%Y-%m-%dT%H:%M:%S")  # updated_since >= it: read again, harmless
        if stamp > self.listed_through.get(state, ""):
            self.listed_through[state] = stamp
            stats = self.crawler.stats
            if stats is not None:
                stats.set_value(f"tracker/{LISTED_THROUGH}/{state}", stamp)

    def _bill(self, record: BillRecord) -> Iterator[Any]:
        locator = f"{self.base_url()}bills/{record.source_key}"
        digest = record.change_digest()  # a moved updated_at alone is no change to store
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
        self.lists_failed += 1
        self.listing_broken.add(dict(failure.request.cb_kwargs["query"])["jurisdiction"])  # type: ignore[attr-defined]
        yield self._listing_failed(failure, "bill list")

    def events_failed(self, failure: Failure) -> Iterator[Any]:
        yield self._listing_failed(failure, "event list")

    def _listing_failed(self, failure: Failure, what: str) -> FetchFailure:
        self.note_failure(failure)
        if isinstance(failure.value, HttpError) and failure.value.response.status in (401, 403):
            env = self.settings.get(self.key_env_setting or "") or "OPENSTATES_API_KEY"
            self.fail(f"Open States refused the key in {env} (HTTP {failure.value.response.status})", EXIT_USAGE)
        return FetchFailure(failure.request.url, f"{what}: {self.describe(failure)}")  # type: ignore[attr-defined]

    def judge(self) -> None:
        super().judge()
        if self.fatal is None and self.lists_failed and not self.lists_read:
            self.fail("no bill list could be read from Open States (see the run's errors)")
        if self.fatal is None and self.empty_full_lists and self.listed == 0:
            self.fail(f"Open States listed no bills where a full list was expected ({self.empty_full_lists[0]})")
