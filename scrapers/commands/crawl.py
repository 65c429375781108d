"""``scrapy crawl NAME``, exiting with the CrawlRun's verdict (see ``tracker.crawling`` for the codes).

Scrapy's own ``crawl`` exits 0 whenever the crawler started, even if the spider fetched nothing; a scheduler
or a shell script then cannot tell a silent empty scrape from a good run. The item pipeline stores its verdict
in the stat ``tracker/exit_code``, and this command returns it.
"""

import argparse

from scrapy.commands.crawl import Command as ScrapyCrawlCommand
from scrapy.exceptions import UsageError


class Command(ScrapyCrawlCommand):
    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if len(args) != 1:
            raise UsageError("give exactly one spider name (see `scrapy list`)")
        assert self.crawler_process
        crawler = self._create_crawler(args[0])
        self.crawler_process.crawl(crawler, **opts.spargs)
        self.crawler_process.start()
        if self.crawler_process.bootstrap_failed:
            self.exitcode = 1
            return
        stats = crawler.stats
        self.exitcode = int(stats.get_value("tracker/exit_code", 0)) if stats is not None else 0
