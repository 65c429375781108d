"""A crawl's own deadline: a scheduled crawl stops itself at ``[crawl] max_run_hours``, whoever is left to watch.

The scheduler stops a crawl that reaches the limit, but only while the scheduler lives: killed outright (kill -9,
the out-of-memory killer) it leaves its crawl running in a session of its own, with no limit at all, and every
later turn of that source is skipped while it runs. So the crawl process keeps the deadline itself
(``TRACKER_MAX_RUN_SECONDS``, given by the scheduler; 0: none, as for ``tracker crawl`` by hand):

- at the deadline it sends itself SIGTERM, the stop the scheduler would send: Scrapy finishes what is in flight
  and the item pipeline records the run as ``interrupted``, saying it reached the limit (the stat
  ``tracker/deadline``); never "finished", as Scrapy's own CLOSESPIDER_TIMEOUT would have it;
- ``TRACKER_STOP_GRACE_SECONDS`` later, if it is still running (a server that stalls keeps requests in flight),
  it closes its own run as ``interrupted`` and exits at once, so nothing is left "running".

A thread keeps the time, so a reactor blocked on a stalled database call still meets the deadline.
"""

import logging
import os
import signal
import threading

from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured

from tracker.crawling import EXIT_PARTIAL

log = logging.getLogger(__name__)

DEADLINE_STAT = "tracker/deadline"
RECORD_TIMEOUT_SECONDS = 30.0  # how long the forced end waits to record the run before it exits regardless


def limit_text(seconds: float) -> str:
    return f"[crawl] max_run_hours ({seconds / 3600:g} h)"


class RunDeadline:
    def __init__(self, crawler: Crawler, seconds: float, grace: float):
        self.crawler = crawler
        self.seconds = seconds
        self.grace = grace
        self._stop = threading.Event()  # set when the crawl ends on its own: the timer has nothing left to do
        self._thread = threading.Thread(target=self._watch, name="run-deadline", daemon=True)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> "RunDeadline":
        seconds = crawler.settings.getfloat("TRACKER_MAX_RUN_SECONDS", 0.0)
        if seconds <= 0:
            raise NotConfigured  # no message: Scrapy logs one as a warning, on every crawl started by hand
        extension = cls(crawler, seconds, crawler.settings.getfloat("TRACKER_STOP_GRACE_SECONDS", 60.0))
        from scrapy import signals

        crawler.signals.connect(extension._stop.set, signal=signals.engine_stopped)
        extension._thread.start()  # from the crawler's creation: as close to the process's start as can be
        return extension

    def _watch(self) -> None:
        if self._stop.wait(self.seconds):
            return
        if self.crawler.stats is not None:
            self.crawler.stats.set_value(DEADLINE_STAT, limit_text(self.seconds))
        log.warning("this crawl reached %s: stopping it; what it fetched is kept", limit_text(self.seconds))
        os.kill(os.getpid(), signal.SIGTERM)  # Scrapy's graceful stop, as the scheduler's SIGTERM
        if self._stop.wait(self.grace):
            return
        why = (f"stopped after {limit_text(self.seconds)} and forced to end when it had not stopped within "
               f"{self.grace:g} s")
        log.error("this crawl %s", why)
        recorder = threading.Thread(target=_close_own_runs, args=(why,), daemon=True)
        recorder.start()
        recorder.join(RECORD_TIMEOUT_SECONDS)  # a database that does not answer must not keep us alive
        logging.shutdown()
        os._exit(EXIT_PARTIAL)


def _close_own_runs(why: str) -> None:
    from tracker import db
    from tracker.run_owner import close_own_runs

    try:
        close_own_runs(db.get_engine(), why)
    except Exception:  # noqa: BLE001  (the run is then closed by the next run's sweep: its process is gone)
        log.exception("could not record the end of this crawl's run")
