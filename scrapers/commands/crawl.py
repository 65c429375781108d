"""``scrapy crawl NAME``, exiting with the CrawlRun's verdict (see ``tracker.crawling`` for the codes).

Scrapy's own ``crawl`` exits 0 whenever the crawler started, even if the spider fetched nothing; a scheduler
or a shell script then cannot tell a silent empty scrape from a good run. The item pipeline stores its verdict
in the stat ``tracker/exit_code``, and this command returns it.

Start-up: the cyclic garbage collector is paused from here until the engine has started. Loading the spider
imports the ORM, SQLAlchemy and pydantic models, which allocate a great many long-lived objects and none that
are garbage; the collections they trigger were about a sixth of that import time, and start-up is most of a
scheduled re-crawl in which nothing changed (docs/benchmarks.md). Once the engine runs, what start-up built is
frozen (moved out of the collector's sight for good) and collection resumes as normal for the crawl itself.
"""

import argparse
import gc

from scrapy import signals
from scrapy.commands.crawl import Command as ScrapyCrawlCommand
from scrapy.exceptions import UsageError

EXIT_INTERRUPTED = 1  # tracker.crawling.EXIT_PARTIAL: some bills failed, or the crawl was stopped before the end


def _resume_collection() -> None:
    gc.freeze()
    gc.enable()


class Command(ScrapyCrawlCommand):
    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if len(args) != 1:
            raise UsageError("give exactly one spider name (see `scrapy list`)")
        assert self.crawler_process
        collecting = gc.isenabled()
        gc.disable()
        try:
            crawler = self._create_crawler(args[0])
            if collecting:
                crawler.signals.connect(_resume_collection, signal=signals.engine_started)
            self.crawler_process.crawl(crawler, **opts.spargs)
            self.crawler_process.start()
        finally:
            if collecting and not gc.isenabled():  # the engine never started
                gc.enable()
        if self.crawler_process.bootstrap_failed:
            self.exitcode = 1
            return
        stats = crawler.stats
        code = stats.get_value("tracker/exit_code") if stats is not None else None
        # No verdict: the item pipeline never closed, so the run did not end as it should (a second SIGTERM or
        # Ctrl-C forces Scrapy down without closing the spider; so does a signal during start-up). Exiting 0
        # told a scheduler or a script that the crawl had succeeded.
        self.exitcode = EXIT_INTERRUPTED if code is None else int(code)
