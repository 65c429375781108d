"""The database side of one crawl: its CrawlRun, what earlier crawls remembered, and the batched writes.

Spiders read through here what they need to crawl incrementally (stored documents' stamps, when the last
successful run started, how many API requests recent runs made); the item pipeline writes through here, and
every write goes through ``tracker.ingest``, the only writer of crawled data. Synchronous and Scrapy-free: the
pipeline runs it on one worker thread so the reactor never waits for the database.

A refreshing crawl (`tracker crawl SOURCE --refresh`, ``refresh``) fetches again the documents an older version of
the source's parser read (``tracker.readings``), whose bytes are not kept and which upstream says did not change:
they are left out of what it remembers and its windows start from nothing, so the spider lists the whole source
and fetches them as if new (without conditional requests); spiders whose listings have stamps of their own read
them all (``refreshing``). What comes back as the same upstream copy is stored as a correction, which records no
changes. Without such documents it crawls as usual.
"""

import datetime as dt
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine, func, or_, select
from sqlmodel import Session

from tracker import db
from tracker.config import DEFAULT_KEEP_ERRORS_DAYS
from tracker.importer import _ingest_batch as ingest_batch_isolating  # one bad bill costs only itself
from tracker.importer import _ingest_texts as ingest_texts_flagging  # texts and their bills' flags together
from tracker.importer import describe_error
from tracker.ingest import IngestItem, Ingestor, IngestResult, SourceDocumentInfo, finish_run, record_error, start_run
from tracker.models import CrawlError, CrawlRun, SourceDocument
from tracker.models.base import utcnow
from tracker.models.enums import RunStatus
from tracker.readings import mark_rereadings, stale_condition
from tracker.records import HearingRecord, VersionTextRecord
from tracker.run_history import prune_quietly
from tracker.run_owner import running_run

if TYPE_CHECKING:
    from tracker.federal_texts import TextScope

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class KnownDocument:
    content_hash: str
    last_modified: str | None
    etag: str | None


@dataclass
class RunTotals:
    result: IngestResult = field(default_factory=IngestResult)
    errors: list[tuple[str, str]] = field(default_factory=list)
    texts: int = 0  # version texts attached (govinfo_text)
    text_waiting: int = 0  # texts whose bill or version was no longer stored


class CrawlStore:
    """One crawl's database work. Not thread-safe: call it from one thread at a time."""

    def __init__(self, engine: Engine, source_name: str, *, embed: bool = True, refresh: bool = False,
                 keep_errors_days: float = DEFAULT_KEEP_ERRORS_DAYS):
        self.engine = engine
        self.source_name = source_name
        self.embed = embed  # False: flag without embedding (`tracker crawl --no-embed`, setting TRACKER_EMBED)
        self.refresh = refresh  # `tracker crawl --refresh` (setting TRACKER_REFRESH)
        self.keep_errors_days = keep_errors_days  # [crawl] keep_errors_days: older runs' errors go at the end
        self._older: dict[str, str] | None = None  # refresh: locator -> stored hash of what an older parser read
        self.session = Session(engine, expire_on_commit=False)
        self.run: CrawlRun | None = None
        self.ingestor: Ingestor | None = None
        self.totals = RunTotals()
        self._recorded_errors = 0

    # -- reading ----------------------------------------------------------------------------------------------

    def check_schema(self) -> None:
        db.check_schema(self.engine)  # raises db.SchemaNotReady naming `tracker db upgrade`

    def older_readings(self) -> dict[str, str]:
        """Refreshing: this source's documents an older parser read, with their stored hash; else nothing."""
        if self._older is None:
            self._older = {} if not self.refresh else dict(self.session.execute(
                select(SourceDocument.locator, SourceDocument.content_hash).where(
                    SourceDocument.source_name == self.source_name, SourceDocument.bill_id.is_not(None),
                    stale_condition())).all())
        return self._older

    @property
    def refreshing(self) -> bool:
        return bool(self.older_readings())

    def known_documents(self, prefixes: Sequence[str] = ()) -> dict[str, KnownDocument]:
        """Stored documents of this source (optionally only locators under ``prefixes``), by locator. Refreshing,
        not the documents to fetch again (a spider whose listings could skip them checks ``refreshing``)."""
        query = select(SourceDocument.locator, SourceDocument.content_hash, SourceDocument.last_modified,
                       SourceDocument.etag).where(SourceDocument.source_name == self.source_name)
        if prefixes:
            query = query.where(or_(*(SourceDocument.locator.startswith(p, autoescape=True) for p in prefixes)))
        if self.refreshing:
            query = query.where(~stale_condition())
        return {loc: KnownDocument(digest, lastmod, etag)
                for loc, digest, lastmod, etag in self.session.execute(query)}

    def text_targets(self, *, scope: str, congresses: Sequence[int], limit: int) -> "TextScope":
        """The federal versions whose text the ``govinfo_text`` crawl fetches (``tracker.federal_texts``)."""
        from tracker.federal_texts import text_targets

        scope_found = text_targets(self.session, scope=scope, congresses=congresses, limit=limit)
        self.session.rollback()  # a read: no transaction left open while the crawl runs
        return scope_found

    def last_success_started(self, *, congress: int | None = None,
                             types: Sequence[str] | None = None) -> dt.datetime | None:
        """When the latest fully successful run of this source covering ``congress`` and every one of ``types``
        started: the start of the window that is certain to have been read for all of them.

        Each type is looked up on its own and the oldest answer wins. A run of ``-a types=s`` says nothing about
        House bills: taking its start for a run of every type moved the window past House bills updated since
        the last run that did list them, and they were never fetched."""
        if self.refreshing:
            return None  # the whole listing: documents to fetch again may be anywhere in it
        rows = self.session.execute(
            select(CrawlRun.started_at, CrawlRun.args).where(
                CrawlRun.source == self.source_name, CrawlRun.kind == "crawl",
                CrawlRun.status == str(RunStatus.succeeded)).order_by(CrawlRun.started_at.desc()).limit(200)
        ).all()
        covering = [(started, args or {}) for started, args in rows
                    if congress is None or congress in (args or {}).get("congresses", [])]
        if not types:
            return covering[0][0] if covering else None
        starts = []
        for bill_type in types:
            # A run recorded without its types (older versions) listed every type.
            found = next((started for started, args in covering
                          if not args.get("types") or bill_type in args["types"]), None)
            if found is None:
                return None
            starts.append(found)
        return min(starts)

    def last_success_covering(self, key: str, value: str) -> dt.datetime | None:
        """When the latest fully successful run whose scope argument ``key`` included ``value`` started (state
        feeds: ``states``/``clients``), so each state's or council's incremental window is its own."""
        if self.refreshing:
            return None
        rows = self.session.execute(
            select(CrawlRun.started_at, CrawlRun.args).where(
                CrawlRun.source == self.source_name, CrawlRun.kind == "crawl",
                CrawlRun.status == str(RunStatus.succeeded)).order_by(CrawlRun.started_at.desc()).limit(200)
        )
        for started, args in rows:
            if value in ((args or {}).get(key) or []):
                return started
        return None

    def resume_point(self, key: str, value: str, stat: str, *, session: str | None) -> str | None:
        """Where the listing of ``value`` (scope ``key``) can resume: the stat ``stat`` of the newest run that
        covered it with the same ``session`` scope after its latest successful one (a listing cut short by a
        daily quota, an outage, a stop), or None when none did."""
        if self.refreshing:
            return None
        rows = self.session.execute(
            select(CrawlRun.status, CrawlRun.args).where(
                CrawlRun.source == self.source_name, CrawlRun.kind == "crawl").order_by(CrawlRun.started_at.desc())
            .limit(200))
        for status, args in rows:
            args = args or {}
            if value not in (args.get(key) or []) or args.get("session") != session:
                continue
            if status == str(RunStatus.succeeded):
                return None
            found = (args.get("stats") or {}).get(stat)
            if found:
                return str(found)
        return None

    def running_here(self) -> CrawlRun | None:
        """A run of this source in progress in a live process of this machine (``run_owner.running_run``)."""
        return running_run(self.engine, self.source_name)

    def requests_in_last_hour(self, now: dt.datetime | None = None) -> list[tuple[dt.datetime, int]]:
        """``(finished_at, requests)`` of this source's runs that ended within the hour (rate-limit budgets)."""
        now = now or utcnow()
        rows = self.session.execute(
            select(CrawlRun.finished_at, CrawlRun.args).where(
                CrawlRun.source == self.source_name, CrawlRun.finished_at.is_not(None),
                CrawlRun.finished_at >= now - dt.timedelta(hours=1))
        )
        return [(finished, int(((args or {}).get("stats") or {}).get("requests", 0))) for finished, args in rows]

    def known_broken(self, locators: Sequence[str]) -> dict[str, dt.datetime]:
        """Which of ``locators`` are documents broken upstream rather than signs of a broken feed: each failed in
        an earlier run of this source, and a run of this source since that failure (that one included) stored
        or kept documents (succeeded or partial). Returns each such locator with when it first failed.

        A file that stays broken upstream is fetched again by every run, since nothing of it was stored; when
        it is the only document that changed, the run would read "every bill fetched failed" each time. Runs
        that only ever failed prove nothing about the parser, so a feed whose format broke stays failed. "First"
        is the first failure still kept: older runs' errors go after [crawl] keep_errors_days (tracker.run_history),
        and a document still broken has failed again in every run since."""
        if self.run is None or not locators:
            return {}
        good_runs = [str(RunStatus.succeeded), str(RunStatus.partial)]
        last_good = self.session.execute(
            select(func.max(CrawlRun.id)).where(CrawlRun.source == self.source_name, CrawlRun.id != self.run.id,
                                                CrawlRun.status.in_(good_runs))).scalar()
        if last_good is None:
            return {}
        found: dict[str, dt.datetime] = {}
        unique = sorted(set(locators))
        for start in range(0, len(unique), 500):
            rows = self.session.execute(
                select(CrawlError.locator, func.min(CrawlError.at), func.min(CrawlError.run_id))
                .join(CrawlRun, CrawlRun.id == CrawlError.run_id)
                .where(CrawlRun.source == self.source_name, CrawlRun.id != self.run.id,
                       CrawlError.locator.in_(unique[start:start + 500]))
                .group_by(CrawlError.locator))
            found.update({locator: first for locator, first, first_run in rows if first_run <= last_good})
        return found

    # -- writing ----------------------------------------------------------------------------------------------

    def open_run(self, args: dict[str, Any]) -> int:
        if self.refreshing:
            args = {**args, "refresh": len(self.older_readings())}  # documents an older parser read
        self.run = start_run(self.session, source=self.source_name, kind="crawl", args=args)
        self.session.commit()
        self.ingestor = Ingestor(self.session, run=self.run)
        assert self.run.id is not None
        return self.run.id

    def write(self, items: Sequence[IngestItem], touched: Sequence[SourceDocumentInfo]) -> list[tuple[str, str]]:
        """Store a batch of bills, then refresh stamps of unchanged documents; returns the items that failed."""
        assert self.ingestor is not None, "open_run first"
        errors: list[tuple[str, str]] = []
        self._mark_corrections(items)
        if items:
            self.totals.result.add(ingest_batch_isolating(self.session, self.ingestor, list(items), errors,
                                                          embed=self.embed))
        if touched:
            try:
                self.ingestor.touch_documents(self.source_name, touched)
                self.session.commit()
            except Exception as exc:  # noqa: BLE001  (stamps only cost a refetch next time: report, go on)
                self.session.rollback()
                self.ingestor.forget()
                errors.append((touched[0].locator, f"could not remember {len(touched)} document stamps: "
                                                   f"{describe_error(exc)}"[:2000]))
        self.totals.errors.extend(errors)
        return errors

    def write_texts(self, items: Sequence[tuple[VersionTextRecord, SourceDocumentInfo]]) -> int:
        """Fill versions with the texts read and flag their bills, as ``tracker import`` does (one transaction per
        batch); returns how many texts were attached. Failures go on the run's errors with each text's URL."""
        assert self.ingestor is not None, "open_run first"
        errors: list[tuple[str, str]] = []
        tally = ingest_texts_flagging(self.session, self.ingestor, list(items), errors, len(items) or 1, flag=True,
                                      embed=self.embed)
        self.totals.texts += tally.attached
        self.totals.text_waiting += tally.waiting
        self.totals.errors.extend(errors)
        return tally.attached

    def _mark_corrections(self, items: Sequence[IngestItem]) -> None:
        """Refreshing: a document an older parser read that comes back as the same upstream copy is a correction
        of our reading, not news (``tracker.readings.mark_rereadings``)."""
        mark_rereadings(self.session, items, self.older_readings())

    def write_hearings(self, records: Sequence[HearingRecord]) -> None:
        """Store hearings and their agenda items (``Ingestor.ingest_hearings``); a failure is reported."""
        assert self.ingestor is not None, "open_run first"
        try:
            self.ingestor.ingest_hearings(records)
            self.session.commit()
        except Exception as exc:  # noqa: BLE001  (hearings never cost the run its bills)
            self.session.rollback()
            self.ingestor.forget()
            self.totals.errors.append(("hearings", f"{len(records)} hearings not stored: "
                                                   f"{describe_error(exc)}"[:2000]))

    def add_errors(self, errors: Sequence[tuple[str, str]]) -> None:
        self.totals.errors.extend(errors)

    def finish(self, *, status: RunStatus, message: str, fetched: int, stats: dict[str, Any]) -> CrawlRun:
        assert self.run is not None, "open_run first"
        run = self.run
        for locator, reason in self.totals.errors[self._recorded_errors:]:
            record_error(self.session, run=run, locator=locator[:2000], reason=reason)
        self._recorded_errors = len(self.totals.errors)
        run.fetched = fetched
        run.args = {**(run.args or {}), "stats": stats}  # a new dict: JSON columns do not track mutation
        finish_run(self.session, run=run, result=self.totals.result, message=message, status=status)
        self.session.commit()
        prune_quietly(self.session, keep_days=self.keep_errors_days)
        return run

    def close(self) -> None:
        self.session.close()
