"""``govinfo_text``: the words of federal bills, from the GovInfo XML of each tracked bill's latest version.

    scrapy crawl govinfo_text [-a scope=tracked|all] [-a limit=500] [-a congress=119]

What to fetch comes from the database (``tracker.federal_texts``): the latest version of each federal bill in
scope (by default those flagged, on a watchlist or with a position; ``scope = "all"`` in ``[sources.govinfo_text]``
or ``-a scope=all``: every bill of the configured Congresses) whose text is not stored yet, the most recently
active bills first, at most ``max_texts`` (``-a limit``) per run. A version's text, once stored, is not fetched
again: GovInfo does not change a published version. BILLSTATUS (``govinfo_billstatus``) or the Congress.gov API
must have stored the bills and their versions first.

Each document goes through ``tracker.sources.govinfo_text``; a document that names another bill version than the
one asked for, or that cannot be read, is a failure with its URL and reason, and the other texts are stored. The
texts fill their versions (``BillVersion.text``) through ``tracker.ingest``, and their bills are flagged again on
their words in the same transaction. Base URL: ``[sources.govinfo_text] base_url`` (GOVINFO_BASE_URL); throttling,
robots.txt, retries and the hourly request budget (``max_requests_per_hour``) are the other spiders'.

When texts were asked for and none could be read, the run fails (exit 5; 6 when GovInfo could not be reached).
"""

from collections.abc import AsyncIterator, Iterator
from typing import Any

from scrapy.http import Request, Response
from twisted.python.failure import Failure

from scrapers.base import TrackerSpider, sha256
from scrapers.items import FetchFailure, TextItem
from tracker.config import crawl_settings
from tracker.crawling import EXIT_USAGE
from tracker.federal_texts import SCOPES, TextTarget
from tracker.ingest import SourceDocumentInfo
from tracker.records import ParseError, VersionTextRecord
from tracker.sources.govinfo_listing import CANONICAL_BASE, rebase
from tracker.sources.govinfo_text import SOURCE_NAME as TEXT_KEYS
from tracker.sources.govinfo_text import parse_bill_text

NAME = "govinfo_text"


class GovinfoTextSpider(TrackerSpider):
    name = NAME
    source_name = NAME
    requests_per_hour = 1800

    def __init__(self, *args: Any, scope: str | None = None, limit: str | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        options = crawl_settings().sources[NAME].options
        self.scope = str(scope or options.get("scope", "tracked"))
        if self.scope not in SCOPES:
            self.fail(f"scope {self.scope!r}: expected one of {', '.join(SCOPES)}", EXIT_USAGE)
        try:
            self.limit = int(limit if limit is not None else options.get("max_texts", 500))
            if self.limit < 1:
                raise ValueError
        except ValueError:
            self.fail(f"limit {limit or options.get('max_texts')!r}: expected a whole number above 0", EXIT_USAGE)
            self.limit = 0
        self.read = 0  # texts parsed and handed to the pipeline
        self.note = ""

    def base_url(self) -> str:
        base = self.settings.get("GOVINFO_TEXT_BASE_URL") or CANONICAL_BASE
        return base if base.endswith("/") else base + "/"

    def scope_args(self) -> dict[str, Any]:
        return {**super().scope_args(), "scope": self.scope, "limit": self.limit}

    async def start(self) -> AsyncIterator[Any]:
        if self.fatal or self.store is None:
            return
        found = await self.store.call(self.store.store.text_targets, scope=self.scope, congresses=self.congresses,
                                      limit=self.limit)
        self.listed = found.in_scope
        self.note = (f"{found.in_scope} federal bills in scope ({self.scope}), {found.stored} with their latest "
                     f"text stored" + (f", {found.beyond_limit} left for the next run (limit {self.limit})"
                                       if found.beyond_limit else ""))
        self.logger.info("%s; fetching %d texts", self.note, len(found.targets))
        for target in found.targets:
            self.attempted += 1
            yield Request(rebase(target.url, self.base_url()), callback=self.parse_text, errback=self.text_failed,
                          dont_filter=True, headers={"Accept": "application/xml"}, cb_kwargs={"target": target})

    def parse_text(self, response: Response, target: TextTarget) -> Iterator[Any]:
        self.responses += 1
        stats = self.crawler.stats
        if stats is not None:
            stats.inc_value("tracker/bill_documents")
        try:
            parsed = parse_bill_text(response.body, target.url)
        except ParseError as exc:
            yield FetchFailure(target.url, exc.reason)
            return
        named = f"{parsed.source_key} {parsed.version_code}"
        if (parsed.source_key and parsed.source_key != target.source_key) or (
                parsed.version_code and parsed.version_code != target.code):
            yield FetchFailure(target.url, f"the document is the text of {named}, expected {target.expected}")
            return
        self.read += 1
        last_modified = response.headers.get(b"Last-Modified")
        etag = response.headers.get(b"ETag")
        yield TextItem(
            VersionTextRecord(source_name=TEXT_KEYS, bill_source_key=target.source_key, code=target.code,
                              media_type="application/xml" if parsed.format == "xml" else "text/html",
                              format=parsed.format, text=parsed.text),
            SourceDocumentInfo(target.url, sha256(response.body),
                               last_modified=last_modified.decode("latin-1") if last_modified else None,
                               etag=etag.decode("latin-1") if etag else None))

    def text_failed(self, failure: Failure) -> Iterator[Any]:
        self.note_failure(failure)
        target: TextTarget = failure.request.cb_kwargs["target"]  # type: ignore[attr-defined]
        yield FetchFailure(target.url, self.describe(failure))

    def progress_note(self) -> str:
        return self.note

    def judge(self) -> None:
        super().judge()
        if self.fatal is None and self.attempted and not self.read:
            self.fail(f"none of the {self.attempted} texts asked for could be read from {self.base_url()} (see the "
                      "run's errors)")
