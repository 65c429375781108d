"""Downloader middleware: retries with exponential backoff, ``Retry-After`` and an hourly request budget.

Replaces Scrapy's RetryMiddleware (same settings: RETRY_TIMES, RETRY_HTTP_CODES, RETRY_EXCEPTIONS) and adds:

- RETRY_BACKOFF_BASE / RETRY_BACKOFF_MAX: the n-th retry of a request waits base * 2**(n-1) seconds (+-20 %
  jitter, capped), so a struggling server is not hammered by immediate retries;
- 429 (and 503 with ``Retry-After``): the whole crawl pauses for as long as ``Retry-After`` says (seconds or an
  HTTP date; RETRY_AFTER_DEFAULT when absent, never more than RETRY_AFTER_MAX), then retries the request, up to
  RATE_LIMIT_RETRY_TIMES times;
- MAX_REQUESTS_PER_HOUR (0: no budget): a sliding one-hour window; a request that would exceed it waits for
  the oldest one to leave the window. Congress.gov allows 5,000 requests an hour per key.

Waiting happens in ``process_request`` with ``asyncio.sleep``, so the reactor keeps serving other work.
"""

import asyncio
import datetime as dt
import email.utils
import logging
import random
import time
from collections import deque
from collections.abc import Callable

from scrapy.downloadermiddlewares.retry import RetryMiddleware, get_retry_request
from scrapy.http import Request, Response
from scrapy.settings import BaseSettings
from scrapy.utils.response import response_status_message

log = logging.getLogger(__name__)


class HourlyBudget:
    """At most ``limit`` requests in any sliding window of ``window`` seconds (``limit`` 0: unlimited)."""

    def __init__(self, limit: int, window: float = 3600.0, clock: Callable[[], float] = time.monotonic):
        self.limit = limit
        self.window = window
        self.clock = clock
        self._sent: deque[float] = deque()

    def preload(self, count: int, at: float) -> None:
        """Count ``count`` requests made at monotonic time ``at`` (by earlier runs with the same key)."""
        if self.limit:
            self._sent.extend([at] * count)
            while len(self._sent) > self.limit:  # only the newest ``limit`` can still matter
                self._sent.popleft()

    def delay(self) -> float:
        """Seconds to wait before the next request may go."""
        if not self.limit:
            return 0.0
        now = self.clock()
        while self._sent and self._sent[0] <= now - self.window:
            self._sent.popleft()
        if len(self._sent) < self.limit:
            return 0.0
        return self._sent[len(self._sent) - self.limit] + self.window - now

    def spend(self) -> None:
        if self.limit:
            self._sent.append(self.clock())


def retry_after_seconds(value: bytes | str | None, now: dt.datetime | None = None) -> float | None:
    """``Retry-After`` as seconds: delta-seconds or an HTTP date (RFC 9110 section 10.2.3)."""
    if value is None:
        return None
    text = (value.decode("latin-1") if isinstance(value, bytes) else value).strip()
    if text.isdigit():
        return float(text)
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    when = when.replace(tzinfo=dt.UTC) if when.tzinfo is None else when
    return max(0.0, (when - (now or dt.datetime.now(dt.UTC))).total_seconds())


class BackoffRetryMiddleware(RetryMiddleware):
    def __init__(self, settings: BaseSettings):
        super().__init__(settings)
        self.backoff_base = settings.getfloat("RETRY_BACKOFF_BASE", 1.0)
        self.backoff_max = settings.getfloat("RETRY_BACKOFF_MAX", 60.0)
        self.retry_after_default = settings.getfloat("RETRY_AFTER_DEFAULT", 60.0)
        self.retry_after_max = settings.getfloat("RETRY_AFTER_MAX", 3600.0)
        self.rate_limit_retry_times = settings.getint("RATE_LIMIT_RETRY_TIMES", 5)
        self.budget = HourlyBudget(settings.getint("MAX_REQUESTS_PER_HOUR", 0))
        self.paused_until = 0.0  # monotonic time before which no request leaves (Retry-After)

    # -- waiting ----------------------------------------------------------------------------------------------

    async def process_request(self, request: Request) -> None:
        while True:
            now = time.monotonic()
            wait = max(self.paused_until - now, request.meta.get("backoff_until", 0.0) - now, self.budget.delay())
            if wait <= 0:
                break
            if wait > 5:
                log.info("waiting %.0f s before %s", wait, request.url)
            await asyncio.sleep(wait)
        self.budget.spend()
        stats = self.crawler.stats
        if stats is not None:
            stats.inc_value("tracker/requests")
        return None

    # -- deciding ---------------------------------------------------------------------------------------------

    def process_response(self, request: Request, response: Response) -> Request | Response:
        if request.meta.get("dont_retry", False):
            return response
        retry_after = response.headers.get(b"Retry-After")
        if response.status == 429 or (response.status == 503 and retry_after is not None):
            return self._rate_limited(request, response, retry_after)
        if response.status in self.retry_http_codes:
            return self._backoff(self._retry(request, response_status_message(response.status))) or response
        return response

    def process_exception(self, request: Request, exception: Exception) -> Request | Response | None:
        if isinstance(exception, self.exceptions_to_retry) and not request.meta.get("dont_retry", False):
            return self._backoff(self._retry(request, exception))
        return None

    def _backoff(self, retry: Request | None) -> Request | None:
        if retry is not None:
            attempt = retry.meta.get("retry_times", 1)
            delay = min(self.backoff_max, self.backoff_base * 2 ** (attempt - 1)) * random.uniform(0.8, 1.2)
            retry.meta["backoff_until"] = time.monotonic() + delay
        return retry

    def _rate_limited(self, request: Request, response: Response, retry_after: bytes | None) -> Request | Response:
        seconds = retry_after_seconds(retry_after)
        delay = min(self.retry_after_max, self.retry_after_default if seconds is None else seconds)
        self.paused_until = max(self.paused_until, time.monotonic() + delay)
        stats = self.crawler.stats
        if stats is not None:
            stats.inc_value("tracker/rate_limited")
        log.warning("%s answered %d for %s: pausing %.1f s (Retry-After: %s)", request.url.split("/")[2],
                    response.status, request.url, delay, retry_after.decode("latin-1") if retry_after else "absent")
        assert self.crawler.spider is not None
        retry = get_retry_request(request, spider=self.crawler.spider, reason=f"{response.status} rate limited",
                                  max_retry_times=self.rate_limit_retry_times, stats_base_key="retry_rate_limit")
        return retry or response
