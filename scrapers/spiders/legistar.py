"""``legistar``: city councils and county boards through the Legistar Web API (matters and events).

    scrapy crawl legistar -a clients=lacounty,chicago

Per client (``-a clients=`` or ``[sources.legistar] clients``; tracker.sources.legistar.CLIENTS maps each to
its jurisdiction):

1. ``/{client}/matters`` filtered on ``MatterLastModifiedUtc gt datetime'<last run - overlap>'`` (everything on
   the first run), ordered by that stamp, paged with ``$top``/``$skip`` by 1,000 (the API's cap) until a page
   comes back short; repeated ids across pages are read once;
2. per matter ``/histories``, ``/sponsors`` and ``/attachments``, parsed together into one bill; a matter any
   part of which fails is recorded with the URL and the reason, and the run goes on;
3. ``/{client}/events`` changed since the last run (on the first run: meetings from 90 days back on), each with
   its ``/eventitems``, stored as hearings whose agenda items link to the matters they name.

Clients that require a token get it from LEGISTAR_TOKEN (sent as the ``token`` query parameter; stored URLs
leave it out).
"""

import datetime as dt
import os
import re
from collections.abc import AsyncIterator, Iterator
from typing import Any
from urllib.parse import urlencode

from scrapy.http import Request, Response
from twisted.python.failure import Failure

from scrapers.base import hide_in_logs
from scrapers.items import BillItem, FetchFailure, HearingBatch, UnchangedDocument
from scrapers.state_base import StateFeedSpider
from tracker.crawling import EXIT_USAGE
from tracker.crawlstore import KnownDocument
from tracker.ingest import SourceDocumentInfo
from tracker.records import ParseError
from tracker.sources.legistar import SOURCE_NAME, client_jurisdiction, parse_events, parse_list, parse_matter

CANONICAL = "https://webapi.legistar.com/v1/"
PAGE = 1000  # the API returns at most 1,000 items per request
MAX_PAGES = 200
FIRST_RUN_EVENT_DAYS = 90


_TOKEN = re.compile(r"([?&])token=[^&]*&?")


def public(url: str) -> str:
    """A Legistar URL without its token, for logs, errors and stored locators."""
    return _TOKEN.sub(lambda m: m.group(1), url).rstrip("?&")


class FetchError(Exception):
    def __init__(self, url: str, reason: str):
        super().__init__(f"{url}: {reason}")
        self.url, self.reason = url, reason


class LegistarSpider(StateFeedSpider):
    name = "legistar"
    source_name = SOURCE_NAME
    base_setting = "LEGISTAR_BASE_URL"
    scope_key = "clients"

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.known: dict[str, KnownDocument] = {}
        self.lists_read = 0
        self.lists_failed = 0
        # Matter lists alone decide whether the run stored anything: events are read beside them.
        self.matter_lists_read = 0
        self.matter_lists_failed = 0
        self.empty_full_lists: list[str] = []
        self.token = ""

    def public_url(self, url: str) -> str:
        return public(url)

    def _url(self, path: str, **params: str) -> str:
        query = {**params, **({"token": self.token} if self.token else {})}
        return f"{self.base_url()}{path}" + (f"?{urlencode(query)}" if query else "")

    async def start(self) -> AsyncIterator[Any]:
        if self.fatal or self.store is None:
            return
        if not self.clients:
            self.fail("no Legistar client to crawl: pass -a clients=lacounty or set [sources.legistar] clients",
                      EXIT_USAGE)
            return
        for client in self.clients:
            try:
                client_jurisdiction(client)
            except ValueError as exc:
                self.fail(f"{exc} (add it to tracker.sources.legistar.CLIENTS)", EXIT_USAGE)
                return
        self.token = os.environ.get("LEGISTAR_TOKEN", "").strip()
        hide_in_logs(self.token)  # it travels in the URL, and Scrapy's retry lines quote request URLs
        self.known = await self.store.call(self.store.store.known_documents)
        for client in self.clients:
            since = await self.since(client)
            stamp = since.strftime("%Y-%m-%dT%H:%M:%S") if since else None
            matter_filter = {"$filter": f"MatterLastModifiedUtc gt datetime'{stamp}'"} if stamp else {}
            yield self._list(client, "matters", {**matter_filter, "$orderby": "MatterLastModifiedUtc"}, 0)
            if stamp:
                event_filter = f"EventLastModifiedUtc gt datetime'{stamp}'"
            else:
                first = dt.date.today() - dt.timedelta(days=FIRST_RUN_EVENT_DAYS)
                event_filter = f"EventDate ge datetime'{first.isoformat()}'"
            yield self._list(client, "events", {"$filter": event_filter, "$orderby": "EventDate"}, 0)

    def _list(self, client: str, what: str, params: dict[str, str], skip: int) -> Request:
        url = self._url(f"{client}/{what}", **params, **{"$top": str(PAGE), "$skip": str(skip)})
        return Request(url, dont_filter=True, headers={"Accept": "application/json"},
                       callback=self.parse_matters if what == "matters" else self.parse_events,
                       errback=self.matter_list_failed if what == "matters" else self.list_failed,
                       cb_kwargs={"client": client, "params": params, "skip": skip})

    # -- matters --------------------------------------------------------------------------------------------

    def parse_matters(self, response: Response, client: str, params: dict[str, str], skip: int) -> Iterator[Any]:
        self.responses += 1
        try:
            matters = parse_list(response.body, public(response.url))
        except ParseError as exc:
            self.lists_failed += 1
            self.matter_lists_failed += 1
            yield FetchFailure(exc.locator, f"matter list: {exc.reason}")
            return
        self.lists_read += 1
        self.matter_lists_read += 1
        if skip == 0 and not matters and "$filter" not in params:  # the first run's full list names nothing
            self.empty_full_lists.append(public(response.url))
        for matter in matters:
            matter_id = matter.get("MatterId")
            locator = f"{CANONICAL}{client}/matters/{matter_id}"
            self.listed += 1
            stamp = str(matter.get("MatterLastModifiedUtc") or "") or None
            known = self.known.get(locator)
            if known is not None and stamp and known.last_modified == stamp:
                continue
            # Pages can repeat a matter: read it once. What was stored for it stays, to compare the matter with.
            self.known[locator] = KnownDocument(known.content_hash if known else "", stamp, None)
            self.attempted += 1
            yield self._matter_request(client, matter, locator, stamp)
        if len(matters) >= PAGE and skip // PAGE < MAX_PAGES:
            yield self._list(client, "matters", params, skip + PAGE)

    def _matter_request(self, client: str, matter: dict[str, Any], locator: str, stamp: str | None) -> Request:
        url = self._url(f"{client}/matters/{matter.get('MatterId')}/histories")
        return Request(url, dont_filter=True, callback=self.fetch_matter, errback=self.part_failed,
                       cb_kwargs={"client": client, "matter": matter, "locator": locator, "stamp": stamp})

    async def fetch_matter(self, response: Response, client: str, matter: dict[str, Any], locator: str,
                           stamp: str | None) -> AsyncIterator[Any]:
        self.responses += 1
        stats = self.crawler.stats
        if stats is not None:
            stats.inc_value("tracker/bill_documents")
        try:
            parts = {"histories": parse_list(response.body, public(response.url))}
            for name in ("sponsors", "attachments"):
                parts[name] = await self._get_list(self._url(f"{client}/matters/{matter.get('MatterId')}/{name}"))
            record = parse_matter(matter, parts, client=client, locator=locator)
        except FetchError as exc:
            yield FetchFailure(exc.url, exc.reason)
            return
        except ParseError as exc:
            yield FetchFailure(exc.locator, exc.reason)
            return
        digest = record.change_digest()  # a moved MatterLastModifiedUtc alone is no change to store
        known = self.known.get(locator)
        if known is not None and known.content_hash == digest:
            yield UnchangedDocument(SourceDocumentInfo(locator, digest, last_modified=stamp))
            return
        yield BillItem(record, SourceDocumentInfo(locator, digest, last_modified=stamp))

    async def _get_list(self, url: str) -> list[dict[str, Any]]:
        assert self.crawler.engine is not None
        request = Request(url, dont_filter=True, headers={"Accept": "application/json"})
        shown = public(url)
        try:
            response = await self.crawler.engine.download_async(request)
        except Exception as exc:  # noqa: BLE001  (this matter or event fails, the run goes on)
            failure = Failure(exc)
            failure.request = request  # type: ignore[attr-defined]
            self.note_failure(failure)
            raise FetchError(shown, self.describe(failure)) from None
        self.responses += 1
        if response.status != 200:
            raise FetchError(shown, f"HTTP {response.status}")
        try:
            return parse_list(response.body, shown)
        except ParseError as exc:
            raise FetchError(shown, exc.reason) from None

    # -- events ---------------------------------------------------------------------------------------------

    async def parse_events(self, response: Response, client: str, params: dict[str, str], skip: int
                           ) -> AsyncIterator[Any]:
        self.responses += 1
        try:
            events = parse_list(response.body, public(response.url))
        except ParseError as exc:
            self.lists_failed += 1
            yield FetchFailure(exc.locator, f"event list: {exc.reason}")
            return
        self.lists_read += 1
        items: dict[int, list[dict[str, Any]]] = {}
        for event in events:
            event_id = event.get("EventId")
            if not isinstance(event_id, int):
                continue
            try:
                items[event_id] = await self._get_list(self._url(f"{client}/events/{event_id}/eventitems"))
            except FetchError as exc:
                yield FetchFailure(exc.url, f"agenda: {exc.reason}")
        hearings = []
        for found in parse_events(events, items, client=client, locator=f"{CANONICAL}{client}/events"):
            if isinstance(found, ParseError):
                yield FetchFailure(found.locator, found.reason)
            else:
                hearings.append(found)
        if hearings:
            yield HearingBatch(hearings)
        if len(events) >= PAGE and skip // PAGE < MAX_PAGES:
            yield self._list(client, "events", params, skip + PAGE)

    # -- failures -------------------------------------------------------------------------------------------

    def list_failed(self, failure: Failure) -> Iterator[Any]:
        self.note_failure(failure)
        self.lists_failed += 1
        yield FetchFailure(public(failure.request.url), f"list: {self.describe(failure)}")  # type: ignore[attr-defined]

    def matter_list_failed(self, failure: Failure) -> Iterator[Any]:
        self.matter_lists_failed += 1
        yield from self.list_failed(failure)

    def part_failed(self, failure: Failure) -> Iterator[Any]:
        self.note_failure(failure)
        yield FetchFailure(public(failure.request.url), self.describe(failure))  # type: ignore[attr-defined]

    def judge(self) -> None:
        super().judge()
        if self.fatal is None and self.lists_failed and not self.lists_read:
            self.fail("no matter or event list could be read from Legistar (see the run's errors)")
        if self.fatal is None and self.matter_lists_failed and not self.matter_lists_read:
            self.fail("no matter list could be read from Legistar (see the run's errors)")
        if self.fatal is None and self.empty_full_lists and self.listed == 0:
            self.fail(f"Legistar listed no matter where a full list was expected ({self.empty_full_lists[0]}): "
                      "a wrong client name, or Legistar is failing")

