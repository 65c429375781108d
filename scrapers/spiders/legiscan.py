"""``legiscan``: the LegiScan API, fetching only bills whose ``change_hash`` moved.

    LEGISCAN_API_KEY=... scrapy crawl legiscan -a states=ca [-a session=2172]

Per state, one ``getMasterListRaw`` (the current session, or ``-a session=<session_id>``): ``bill_id`` and
``change_hash`` for every bill. A bill whose hash equals the one stored with it (``SourceDocument.etag``) costs
nothing more; otherwise ``getBill``, then ``getBillText`` for each text ``doc_id`` never fetched before (LegiScan
asks that no document be fetched twice; its HTML becomes the version's text). That is the manual's cheap change
detection (FORMATS.md section 4) and keeps a run within the public tier's 30,000 queries a month. A bill a text of
which could not be fetched is not remembered with its ``change_hash``, so the next run reads it again for that
text.

The key (LEGISCAN_API_KEY) must travel as the ``key`` query parameter, so every URL that is logged or stored
(document locators, errors) is written without it. Without a key the spider says so and exits 2; LegiScan
answers a bad key with HTTP 200 and ``status: ERROR``, which fails the run the same way.
"""

import re
from collections.abc import AsyncIterator, Iterator
from typing import Any
from urllib.parse import urlencode

from scrapy.http import Request, Response
from twisted.python.failure import Failure

from scrapers.base import sha256
from scrapers.items import BillItem, FetchFailure, UnchangedDocument
from scrapers.state_base import StateFeedSpider
from tracker.crawling import EXIT_USAGE
from tracker.crawlstore import KnownDocument
from tracker.ingest import SourceDocumentInfo
from tracker.records import ParseError
from tracker.sources.legiscan import SOURCE_NAME, parse_bill, parse_bill_text, parse_masterlist

CANONICAL = "https://api.legiscan.com/"
_KEY = re.compile(r"([?&])key=[^&]*&?")


def public(url: str) -> str:
    """A LegiScan URL without its key, for logs, errors and stored locators."""
    return _KEY.sub(lambda m: m.group(1), url).rstrip("?&")


class LegiScanSpider(StateFeedSpider):
    name = "legiscan"
    source_name = SOURCE_NAME
    base_setting = "LEGISCAN_BASE_URL"
    key_env_setting = "LEGISCAN_API_KEY_ENV"
    key_help = "Register for one at https://legiscan.com/legiscan."

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.known: dict[str, KnownDocument] = {}
        self.lists_read = 0
        self.lists_failed = 0
        self.empty_lists: list[str] = []

    def public_url(self, url: str) -> str:
        return public(url)

    def _request(self, op: str, callback: Any, errback: Any, **params: str) -> Request:
        query = urlencode({"key": self.api_key, "op": op, **params})
        return Request(f"{self.base_url()}?{query}", dont_filter=True, callback=callback, errback=errback,
                       headers={"Accept": "application/json"})

    async def start(self) -> AsyncIterator[Any]:
        if not await self.keyed_state_start("LEGISCAN_API_KEY"):
            return
        for state in self.states:
            params = {"id": self.session} if self.session and self.session.isdigit() else {"state": state.upper()}
            yield self._request("getMasterListRaw", self.parse_masterlist, self.list_failed, **params)

    def parse_masterlist(self, response: Response) -> Iterator[Any]:
        self.responses += 1
        try:
            listing = parse_masterlist(response.body, public(response.url))
        except ParseError as exc:
            self.lists_failed += 1
            if "API key" in exc.reason or "key" in exc.reason.lower():
                self.fail(f"LegiScan refused the key in LEGISCAN_API_KEY: {exc.reason}", EXIT_USAGE)
            yield FetchFailure(exc.locator, f"master list: {exc.reason}")
            return
        self.lists_read += 1
        if not listing.bills:  # the master list is always the whole session: empty means a wrong scope or an outage
            self.empty_lists.append(public(response.url))
        for bill_id, (_number, change_hash) in listing.bills.items():
            self.listed += 1
            locator = f"{CANONICAL}?op=getBill&id={bill_id}"
            known = self.known.get(locator)
            if known is not None and known.etag == change_hash:
                continue
            self.attempted += 1
            request = self._request("getBill", self.parse_bill, self.bill_failed, id=bill_id)
            request.cb_kwargs.update(locator=locator, change_hash=change_hash)
            yield request

    async def parse_bill(self, response: Response, locator: str, change_hash: str) -> AsyncIterator[Any]:
        self.responses += 1
        stats = self.crawler.stats
        if stats is not None:
            stats.inc_value("tracker/bill_documents")
        try:
            record = parse_bill(response.body, locator)
        except ParseError as exc:
            yield FetchFailure(exc.locator, exc.reason)
            return
        versions = []
        fetched: list[SourceDocumentInfo] = []
        text_failed = False
        for version in record.versions:
            text_locator = f"{CANONICAL}?op=getBillText&id={version.code}"
            if not version.code or text_locator in self.known:
                versions.append(version)
                continue
            text, body = await self._text(version.code, text_locator)
            if isinstance(text, FetchFailure):
                text_failed = True
                yield text
                versions.append(version)
                continue
            fetched.append(SourceDocumentInfo(text_locator, sha256(body)))
            versions.append(version.model_copy(update={"text": text}))
        record = record.model_copy(update={"versions": versions})
        # The change_hash moves with fields no record holds: a bill that reads as stored is not written again.
        digest = record.change_digest()
        known = self.known.get(locator)
        # A bill with a text that could not be fetched is stored without its change_hash, so the next run reads it
        # again and retries that text; remembered, the bill was skipped until LegiScan changed it, its text never.
        document = SourceDocumentInfo(locator, digest, etag=None if text_failed else change_hash)
        if not fetched and not text_failed and known is not None and known.content_hash == digest:
            yield UnchangedDocument(document)  # the new change_hash is remembered
            return
        yield BillItem(record, document)
        for text_document in fetched:  # remembered, so a text document is never fetched twice
            yield UnchangedDocument(text_document)

    async def _text(self, doc_id: str, locator: str) -> tuple[Any, bytes]:
        assert self.crawler.engine is not None
        request = self._request("getBillText", None, None, id=doc_id)
        try:
            response = await self.crawler.engine.download_async(request)
        except Exception as exc:  # noqa: BLE001  (this text fails, the bill is still stored)
            failure = Failure(exc)
            failure.request = request  # type: ignore[attr-defined]
            self.note_failure(failure)
            return FetchFailure(locator, self.describe(failure)), b""
        self.responses += 1
        if response.status != 200:
            return FetchFailure(locator, f"HTTP {response.status}"), b""
        try:
            return parse_bill_text(response.body, locator).text, response.body
        except ParseError as exc:
            return FetchFailure(exc.locator, exc.reason), b""

    def list_failed(self, failure: Failure) -> Iterator[Any]:
        self.note_failure(failure)
        self.lists_failed += 1
        yield FetchFailure(public(failure.request.url),  # type: ignore[attr-defined]
                           f"master list: {self.describe(failure)}")

    def bill_failed(self, failure: Failure) -> Iterator[Any]:
        self.note_failure(failure)
        yield FetchFailure(public(failure.request.url), self.describe(failure))  # type: ignore[attr-defined]

    def judge(self) -> None:
        super().judge()
        if self.fatal is None and self.lists_failed and not self.lists_read:
            self.fail("no master list could be read from LegiScan (see the run's errors)")
        if self.fatal is None and self.empty_lists and self.listed == 0:
            self.fail(f"LegiScan's master list named no bill ({self.empty_lists[0]}): a wrong state or session, "
                      "or LegiScan is failing")
