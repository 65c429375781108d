"""The one item pipeline: validated bills -> ``tracker.ingest`` in batches, one CrawlRun per crawl.

Opening the spider checks the schema and starts the CrawlRun. Bills are written in batches (INGEST_BATCH_SIZE)
through the same code as ``tracker import``: one transaction per batch, retried bill by bill if the batch fails,
so a bad bill costs only itself and a bill is never half-written. Failures reported by the spider (URL and
reason) go on the run's error list. Closing the spider writes what is left, remembers finished listings whose
group had no failure, and sets the run's status:

- failed: the spider could not do its job (no key, nothing listed where bills were expected, unreachable) or
  every bill it tried failed;
- interrupted: the crawl was stopped (SIGTERM, Ctrl-C, its own deadline: ``scrapers.deadline``) before it
  finished: what it fetched is stored, but it is not a success (``tracker import`` records an interrupted import
  the same way);
- partial: some bills failed;
- succeeded: otherwise.

The status decides ``scrapy crawl``'s exit code (see ``tracker.crawling``), stored as the stat
``tracker/exit_code`` for ``scrapers.commands.crawl``.
"""

import asyncio
import logging
import os
from typing import Any

from pydantic import ValidationError
from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem
from twisted.python.failure import Failure

from scrapers.base import DatabaseThread, TrackerSpider
from scrapers.deadline import DEADLINE_STAT
from scrapers.items import BillItem, FetchFailure, HearingBatch, ListingDone, TextItem, UnchangedDocument
from tracker import db
from tracker.crawling import EXIT_FAILED, EXIT_OK, EXIT_PARTIAL, EXIT_SCHEMA, LAUNCH_ID_ENV
from tracker.ingest import IngestItem, SourceDocumentInfo
from tracker.models.enums import RunStatus
from tracker.records import BillRecord, VersionTextRecord

log = logging.getLogger(__name__)


class IngestPipeline:
    def __init__(self, crawler: Crawler):
        self.crawler = crawler
        self.batch_size = crawler.settings.getint("INGEST_BATCH_SIZE", 200)
        self.bills: list[IngestItem] = []
        self.touched: list[SourceDocumentInfo] = []
        self.listings: list[ListingDone] = []
        self.hearings: list[HearingBatch] = []
        self.texts: list[tuple[VersionTextRecord, SourceDocumentInfo]] = []
        self.failures: list[tuple[str, str]] = []
        self.failed_groups: set[str] = set()
        self.group_of: dict[str, str | None] = {}  # document locator -> group, to blame store failures
        self.stored = 0
        self.run_id: int | None = None
        self._lock = asyncio.Lock()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> "IngestPipeline":
        pipeline = cls(crawler)
        crawler.signals.connect(pipeline.spider_error, signal=signals.spider_error)
        return pipeline

    def spider_error(self, failure: Failure, response: Any, spider: Any) -> None:
        """A spider callback that raised: Scrapy only logs it, and whatever that response held is lost. It goes on
        the run's error list with its URL, so the run is partial (or failed) and says what broke, instead of
        succeeding without the documents the callback never handed over."""
        url = getattr(response, "url", None) or getattr(getattr(failure, "request", None), "url", "") or "?"
        reason = f"internal error while reading the response: {type(failure.value).__name__}: {failure.value}"
        self._fail(self.spider.public_url(url), reason, None)

    @property
    def spider(self) -> TrackerSpider:
        spider = self.crawler.spider
        assert isinstance(spider, TrackerSpider), "IngestPipeline serves Policy Tracker spiders only"
        return spider

    @property
    def db(self) -> DatabaseThread:
        assert self.spider.store is not None
        return self.spider.store

    # -- lifecycle --------------------------------------------------------------------------------------------

    async def open_spider(self) -> None:
        spider = self.spider
        try:
            await self.db.call(self.db.store.check_schema)
        except db.SchemaNotReady as exc:
            spider.fail(str(exc), EXIT_SCHEMA)
            return
        # Two crawls of one source fetch everything twice, and each spends the source's hourly request budget as
        # if alone (it counts finished runs): the second one started on this machine (by hand, next to the
        # scheduler's) does not start.
        if (busy := await self.db.call(self.db.store.running_here)) is not None:
            spider.fail(f"run {busy.id} of {spider.name} (started {busy.started_at:%Y-%m-%d %H:%M} UTC by "
                        f"{busy.owner}) is still running on this machine: this crawl is not started. Let it "
                        "finish (`tracker runs`), or stop it first.", EXIT_PARTIAL)
            return
        args = {**spider.scope_args(), "base_url": spider.base_url()}
        if launch_id := os.environ.get(LAUNCH_ID_ENV):  # the parent (`tracker crawl`) finds its run by it
            args["launch_id"] = launch_id
        self.run_id = await self.db.call(self.db.store.open_run, args)
        log.info("crawl run %s started: %s %s", self.run_id, spider.name, spider.scope_args())

    async def close_spider(self) -> None:
        spider = self.spider
        stats = self.crawler.stats
        assert stats is not None
        try:
            if self.run_id is None:  # the schema check failed: nothing can be recorded
                stats.set_value("tracker/exit_code", spider.fatal_exit)
                return
            await self._flush()
            clean = [ls.document for ls in self.listings if ls.group not in self.failed_groups]
            if clean:
                await self._write([], clean)
            if self.hearings:
                await self.db.call(self.db.store.write_hearings, [r for b in self.hearings for r in b.records])
            if not self._stopped():
                # A verdict on the feed ("listed nothing": empty upstream, a changed format) needs a crawl that ran
                # to its end: one stopped while it still waited for the listing heard nothing from the feed.
                spider.judge()
            status, code, message = await self._verdict()
            counters = {k.split("/", 1)[1]: v for k, v in stats.get_stats().items() if k.startswith("tracker/")}
            run = await self.db.call(self.db.store.finish, status=status, message=message,
                                     fetched=counters.get("bill_documents", 0),
                                     stats={**counters, "requests": counters.get("requests", 0)})
            stats.set_value("tracker/exit_code", code)
            level = logging.INFO if status == RunStatus.succeeded else logging.WARNING
            log.log(level, "crawl run %s %s: %s", run.id, status, message)
        finally:
            await asyncio.get_running_loop().run_in_executor(None, self.db.shutdown)

    def _stopped(self) -> bool:
        """Stopped (SIGTERM/Ctrl-C, `crawler.stop()`) rather than finished: the close reason is only published after
        the pipelines close, but a stopped engine says it."""
        engine = self.crawler.engine
        return engine is not None and not engine.running

    async def _verdict(self) -> tuple[RunStatus, int, str]:
        spider = self.spider
        stats = self.crawler.stats
        assert stats is not None
        result = self.db.store.totals.result
        errors = len(self.db.store.totals.errors)
        reason = "shutdown" if self._stopped() else "finished"
        summary = "; ".join(part for part in (
            spider.progress_note(),
            f"{spider.listed} listed, {spider.attempted} fetched as new or changed "
            f"({stats.get_value('tracker/not_modified', 0)} not modified)",
            f"{result.superseded} superseded by a newer copy of the same bill" if result.superseded else "",
            f"{self.db.store.totals.texts} texts attached" if self.db.store.totals.texts else "",
            f"{self.db.store.totals.text_waiting} texts not attached (their bill or version is no longer stored)"
            if self.db.store.totals.text_waiting else "",
            f"{stats.get_value('tracker/requests', 0)} requests") if part)
        if spider.fatal:
            return RunStatus.failed, spider.fatal_exit, f"{spider.fatal} ({summary})"
        # A stopped run says nothing about the feed, even when all it fetched before the stop failed (requests cut
        # short by the stop fail too): interrupted, so the next run picks up where it ended.
        if reason != "finished":
            if deadline := stats.get_value(DEADLINE_STAT):  # it stopped itself at the scheduler's limit
                reason = f"stopped after {deadline}"
            return RunStatus.interrupted, EXIT_PARTIAL, f"interrupted ({reason}) ({summary})"
        handled = (result.new + result.updated + result.unchanged + result.superseded
                   + stats.get_value("tracker/unchanged_documents", 0) + self.db.store.totals.texts)
        if spider.attempted and errors and not handled:
            failed = [locator for locator, _ in self.db.store.totals.errors]
            known = await self.db.call(self.db.store.known_broken, failed)
            if len(known) < len(set(failed)):
                return RunStatus.failed, EXIT_FAILED, f"every bill fetched failed ({summary})"
            since = min(known.values()).date().isoformat()
            return RunStatus.partial, EXIT_PARTIAL, (
                f"only documents that are broken upstream were fetched, and they failed again "
                f"({len(known)}, failing since {since}; the feed itself works) ({summary})")
        if errors:
            return RunStatus.partial, EXIT_PARTIAL, summary
        return RunStatus.succeeded, EXIT_OK, summary

    # -- items ------------------------------------------------------------------------------------------------

    async def process_item(self, item: Any) -> Any:
        stats = self.crawler.stats
        assert stats is not None
        if isinstance(item, BillItem):
            record = item.record
            if not isinstance(record, BillRecord):  # a spider handing over a plain dict: validate it here
                try:
                    record = BillRecord.model_validate(record)
                except ValidationError as exc:
                    self._fail(item.document.locator, f"invalid record: {exc.errors()[0]['msg']}", item.group)
                    raise DropItem(f"invalid record from {item.document.locator}") from None
            self.bills.append(IngestItem(record, item.document, correction=item.correction))
            self.group_of[item.document.locator] = item.group
            stats.inc_value("tracker/bills_parsed")
        elif isinstance(item, UnchangedDocument):
            self.touched.append(item.document)
            stats.inc_value("tracker/unchanged_documents")
        elif isinstance(item, ListingDone):
            self.listings.append(item)
        elif isinstance(item, HearingBatch):
            self.hearings.append(item)
        elif isinstance(item, TextItem):
            self.texts.append((item.record, item.document))
            stats.inc_value("tracker/texts_parsed")
        elif isinstance(item, FetchFailure):
            self._fail(item.url, item.reason, item.group)
        else:
            raise DropItem(f"not a Policy Tracker item: {type(item).__name__}")
        if (len(self.bills) >= self.batch_size or len(self.touched) >= 5 * self.batch_size
                or len(self.texts) >= self.batch_size):
            await self._flush()
        return item

    def _fail(self, locator: str, reason: str, group: str | None) -> None:
        log.warning("failed: %s: %s", locator, reason)
        self.failures.append((locator, reason))
        if group:
            self.failed_groups.add(group)
        stats = self.crawler.stats
        if stats is not None:
            stats.inc_value("tracker/failures")

    async def _flush(self) -> None:
        async with self._lock:  # items arrive concurrently; batches are written one at a time, in order
            bills, self.bills = self.bills, []
            touched, self.touched = self.touched, []
            texts, self.texts = self.texts, []
            failures, self.failures = self.failures, []
            if failures:
                await self.db.call(self.db.store.add_errors, failures)
            if bills or touched:
                await self._write(bills, touched)
            if texts:  # after the bills: a text fills a version of a stored bill
                await self.db.call(self.db.store.write_texts, texts)

    async def _write(self, bills: list[IngestItem], touched: list[SourceDocumentInfo]) -> None:
        errors = await self.db.call(self.db.store.write, bills, touched)
        for locator, _reason in errors:
            group = self.group_of.get(locator)
            if group:
                self.failed_groups.add(group)
        self.stored += len(bills) - len(errors)
