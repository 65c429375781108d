"""What every Policy Tracker spider shares: scope arguments, the crawl's database handle, failure reporting.

A spider only discovers and fetches. Its ``store`` (set up here, driven by the item pipeline) answers what
earlier crawls remembered; the pipeline does all writing. When a spider cannot do its job at all (no API key,
bad arguments, nothing listed where bills were expected, no network) it calls ``fail`` and the pipeline marks
the run failed and makes ``scrapy crawl`` exit with the matching code.
"""

import asyncio
import functools
import hashlib
import inspect
import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

import scrapy
from scrapy import exceptions as scrapy_errors
from scrapy.settings import BaseSettings
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.internet import error as net
from twisted.python.failure import Failure
from twisted.web._newclient import ResponseFailed

from scrapers.source_hosts import OffHostRequest
from tracker import db
from tracker.config import BILL_TYPES, crawl_settings, current_congress, default_congresses
from tracker.crawling import EXIT_FAILED, EXIT_OFFLINE, EXIT_USAGE
from tracker.crawlstore import CrawlStore

log = logging.getLogger(__name__)
T = TypeVar("T")

# Connection-level failures: the host could not be reached at all (as opposed to an answer we did not like).
# Scrapy 2.19 wraps Twisted's errors in its own (CannotResolveHostError...); both are listed.
UNREACHABLE = (scrapy_errors.CannotResolveHostError, scrapy_errors.DownloadConnectionRefusedError,
               net.DNSLookupError, net.ConnectionRefusedError, net.ConnectError, net.TCPTimedOutError,
               net.NoRouteError)
_TIMEOUTS = (scrapy_errors.DownloadTimeoutError, net.TimeoutError, net.TCPTimedOutError)
_TRUNCATED = (scrapy_errors.ResponseDataLossError, ResponseFailed)


class DatabaseThread:
    """Runs the crawl's database work on one worker thread, so the reactor never blocks on it."""

    def __init__(self, store: CrawlStore):
        self.store = store
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="tracker-db")

    async def call(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, functools.partial(fn, *args, **kwargs))

    def shutdown(self) -> None:
        self._executor.submit(self.store.close).result()
        self._executor.shutdown(wait=True)


class _UnreachableWithoutTraceback(logging.Filter):
    """Scrapy's robots.txt middleware logs a failed download with its whole traceback. When the host cannot be
    reached (``make run`` without network, a mirror that is down) the spider says so in one line of its own, so
    the middleware's line is kept as a warning, without the traceback that made a plain outage look like a
    crash."""

    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        if isinstance(exc, (*UNREACHABLE, *_TIMEOUTS)):
            record.exc_info, record.exc_text = None, None
            record.levelno, record.levelname = logging.WARNING, "WARNING"
        return True


_ROBOTS_LOG_FILTER = _UnreachableWithoutTraceback()


class SecretRedactor(logging.Filter):
    """Takes API keys out of every log line. LegiScan's key has to travel in the URL (``?key=...``), and Scrapy
    and our middleware log request URLs on their own (``Gave up retrying <GET ...>``, a 429's pause): the key
    then reached the terminal, the scheduler's journal and whatever collects either. Installed on the handlers,
    so records from every logger pass through it; each spider registers the key it read."""

    def __init__(self) -> None:
        super().__init__()
        self.secrets: set[str] = set()

    def filter(self, record: logging.LogRecord) -> bool:
        if not self.secrets:
            return True
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001  (a malformed record is logging's business, not ours)
            return True
        redacted = message
        for secret in self.secrets:
            redacted = redacted.replace(secret, "[redacted]")
        if redacted != message:
            record.msg, record.args = redacted, None
        if record.exc_info and record.exc_text is None and any(s in repr(record.exc_info[1]) for s in self.secrets):
            record.exc_info, record.exc_text = None, None  # a traceback that would quote the key: the line alone
        return True


REDACTOR = SecretRedactor()


def hide_in_logs(secret: str) -> None:
    """Redact ``secret`` from every log line of this process from now on (too short a value is not a secret)."""
    if len(secret) < 4:
        return
    REDACTOR.secrets.add(secret)
    for handler in logging.getLogger().handlers:
        if REDACTOR not in handler.filters:
            handler.addFilter(REDACTOR)


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def describe_failure(failure: Failure, timeout: float | None = None) -> str:
    """A reason a person can act on, for the CrawlRun's error list."""
    exc = failure.value
    retries = getattr(failure, "request", None)
    tries = ""
    if retries is not None and retries.meta.get("retry_times"):
        tries = f" (after {retries.meta['retry_times']} retries)"
    if isinstance(exc, HttpError):
        response = exc.response
        return f"HTTP {response.status} {response_status(response.status)}{tries}"
    detail = str(exc).strip()
    if isinstance(exc, OffHostRequest):
        return detail
    if isinstance(exc, ResponseFailed):
        detail = "; ".join(str(r.value) or type(r.value).__name__ for r in exc.reasons)
    detail = f": {detail}" if detail else ""
    if isinstance(exc, (scrapy_errors.CannotResolveHostError, net.DNSLookupError)):
        return f"DNS lookup failed (no network, or a wrong base URL?){tries}"
    if isinstance(exc, _TIMEOUTS):
        return f"timed out{f' after {timeout:g} s' if timeout else ''}{tries}"
    if isinstance(exc, (scrapy_errors.DownloadConnectionRefusedError, net.ConnectionRefusedError)):
        return f"connection refused{tries}"
    if isinstance(exc, _TRUNCATED):
        return f"connection closed before the whole body arrived (truncated){detail}{tries}"
    return f"{type(exc).__name__}{detail}{tries}"


def response_status(status: int) -> str:
    from http import HTTPStatus

    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""


def spider_arguments(spider: type) -> list[str]:
    """The ``-a`` arguments a spider reads, its own first: the named parameters of the ``__init__`` methods of
    its class tree (ours; Scrapy's own takes any)."""
    names: list[str] = []
    for klass in spider.__mro__:
        init = klass.__dict__.get("__init__")
        if init is None or not klass.__module__.startswith("scrapers"):
            continue
        names += [p.name for p in inspect.signature(init).parameters.values()
                  if p.kind is p.KEYWORD_ONLY and p.name not in names]
    return names


class TrackerSpider(scrapy.Spider):
    """Base spider. Arguments: ``-a congress=118[,119]`` (default: the current Congress), ``-a types=hr,s``."""

    source_name: str = ""
    allowed_types: tuple[str, ...] = BILL_TYPES
    # The hourly request budget (MAX_REQUESTS_PER_HOUR) when the source's `max_requests_per_hour` option does not
    # set one; None: no budget of the spider's own (the project setting's).
    requests_per_hour: int | None = None

    @classmethod
    def update_settings(cls, settings: BaseSettings) -> None:
        super().update_settings(settings)
        if cls.requests_per_hour is not None:
            options = crawl_settings().sources[cls.source_name or cls.name].options
            settings.set("MAX_REQUESTS_PER_HOUR", int(options.get("max_requests_per_hour", cls.requests_per_hour)),
                         priority="spider")

    def __init__(self, *args: Any, congress: str | None = None, types: str | None = None, **kwargs: Any):
        # Scrapy makes any other -a an attribute and the crawl ran on its defaults: a typo (-a congres=118)
        # crawled the current Congress. Every argument a spider reads is a named parameter of an __init__ in its
        # class tree, so what is left here is read by none: refused below (exit 2), naming what the spider takes.
        unread = sorted(kwargs)
        super().__init__(*args)
        self.fatal: str | None = None
        self.refreshing = False  # --refresh, with documents an older parser read to fetch again (CrawlStore)
        self.fatal_exit = EXIT_FAILED
        if unread:
            self.fail(f"-a {', '.join(unread)}: {self.name} takes no such argument; it takes "
                      f"-a {', '.join(spider_arguments(type(self)))}", EXIT_USAGE)
        self.listed = 0  # documents the listings named (in scope)
        self.attempted = 0  # documents fetched because they were new or changed
        self.responses = 0  # any answer from upstream, even an error status
        self.unreachable: list[str] = []  # connection-level failures (offline detection)
        self._congress_arg, self._types_arg = congress, types
        self.congresses: tuple[int, ...] = ()
        self.types: tuple[str, ...] = ()
        self.store: DatabaseThread | None = None

    @classmethod
    def from_crawler(cls, crawler: Any, *args: Any, **kwargs: Any) -> "TrackerSpider":
        spider = super().from_crawler(crawler, *args, **kwargs)
        logging.getLogger("scrapy.downloadermiddlewares.robotstxt").addFilter(_ROBOTS_LOG_FILTER)  # once: a set
        spider._resolve_scope()
        engine = db.make_engine()
        spider.store = DatabaseThread(CrawlStore(engine, cls.source_name or cls.name,
                                                 embed=crawler.settings.getbool("TRACKER_EMBED", True),
                                                 refresh=crawler.settings.getbool("TRACKER_REFRESH", False),
                                                 keep_errors_days=crawl_settings().keep_errors_days))
        return spider

    def _resolve_scope(self) -> None:
        source = crawl_settings().sources.get(self.source_name or self.name)
        try:
            congresses = tuple(int(c) for c in (self._congress_arg or "").split(",") if c.strip())
        except ValueError:
            self.fail(f"-a congress={self._congress_arg!r}: expected Congress numbers such as 118 or 118,119",
                      EXIT_USAGE)
            congresses = ()
        types = tuple(t.strip().lower() for t in (self._types_arg or "").split(",") if t.strip())
        unknown = [t for t in types if t not in self.allowed_types]
        if unknown:
            self.fail(f"-a types: unknown bill type(s) {', '.join(unknown)}; "
                      f"known: {', '.join(self.allowed_types)}", EXIT_USAGE)
        configured = source.congresses if source else ()
        self.congresses = congresses or configured or default_congresses()
        self.types = (tuple(t for t in types if t not in unknown) or (source.types if source else ())
                      or self.allowed_types)
        out_of_range = [c for c in self.congresses if c < 93 or c > current_congress() + 1]
        if out_of_range:
            self.fail(f"-a congress: {', '.join(map(str, out_of_range))} is outside what the feed covers "
                      f"(93rd to {current_congress()}th Congress)", EXIT_USAGE)

    def scope_args(self) -> dict[str, Any]:
        return {"congresses": list(self.congresses), "types": list(self.types)}

    def fail(self, reason: str, exit_code: int = EXIT_FAILED) -> None:
        """The run cannot do its job: the pipeline records it as failed with ``reason``."""
        if self.fatal is None:
            self.fatal, self.fatal_exit = reason, exit_code
            log.error("%s: %s", self.name, reason)

    def note_failure(self, failure: Failure) -> None:
        if isinstance(failure.value, UNREACHABLE):
            self.unreachable.append(describe_failure(failure))
        elif isinstance(failure.value, HttpError):
            self.responses += 1

    def judge(self) -> None:
        """Called at close: turn "nothing listed" into a loud failure. Subclasses add their own rules."""
        if self.fatal is None and self.responses == 0 and self.unreachable:
            self.fail(f"cannot reach {self.base_url()}: {self.unreachable[0]}", EXIT_OFFLINE)

    def base_url(self) -> str:
        raise NotImplementedError

    def public_url(self, url: str) -> str:
        """``url`` as it may be stored and shown: spiders whose URLs carry a key or token leave it out."""
        return url

    def progress_note(self) -> str:
        """A spider's own words for the run summary (e.g. how much it could skip)."""
        return ""

    def describe(self, failure: Failure) -> str:
        return describe_failure(failure, self.settings.getfloat("DOWNLOAD_TIMEOUT"))
