"""What a crawl costs before and around its first request (issue 3, point 9: a no-change re-crawl is mostly
start-up): only the spider that runs is imported, components a crawl never uses are not, the `tracker crawl`
parent stays thin, and robots.txt does not hold the first real request back by a politeness delay."""

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import pytest
from crawl_helpers import REPO_ROOT, SampleBill, run_spider
from feedserver import FeedServer, GovinfoMirror
from scrapy.http import Request
from scrapy.settings import Settings
from scrapy.spiderloader import SpiderLoader
from typer.testing import CliRunner

from scrapers.robots_slot import ROBOTS_SLOT_PREFIX, RobotsTxtSlotMiddleware
from scrapers.spider_loader import ByNameSpiderLoader
from tracker.cli import LazyGroups, app
from tracker.crawling import EXIT_OK, spider_names

SPIDERS = Settings({"SPIDER_MODULES": ["scrapers.spiders"]})


def imported_modules(stderr: str) -> set[str]:
    """Module names from ``python -X importtime`` output."""
    return {line.rsplit("|", 1)[1].strip() for line in stderr.splitlines() if line.startswith("import time:")}


def test_each_spider_module_is_named_after_its_spider() -> None:
    # The rule both ByNameSpiderLoader and `tracker crawl` (without importing Scrapy) rely on.
    scrapy_loader = SpiderLoader.from_settings(SPIDERS)
    assert sorted(scrapy_loader.list()) == spider_names()
    for name in spider_names():
        assert scrapy_loader._found[name] == [(f"scrapers.spiders.{name}", scrapy_loader.load(name).__name__)]
    ours = ByNameSpiderLoader.from_settings(SPIDERS)
    assert ours.load("govinfo_billstatus") is scrapy_loader.load("govinfo_billstatus")
    assert sorted(ours.list()) == spider_names()
    with pytest.raises(KeyError, match="Spider not found: nowhere"):
        ByNameSpiderLoader.from_settings(SPIDERS).load("nowhere")


def test_loading_one_spider_imports_no_other() -> None:
    probe = ("import sys; from scrapy.settings import Settings; from scrapers.spider_loader import ByNameSpiderLoader;"
             "ByNameSpiderLoader.from_settings(Settings({'SPIDER_MODULES': ['scrapers.spiders']}))"
             ".load('govinfo_billstatus');"
             "print(sorted(m for m in sys.modules if m.startswith('scrapers.spiders.')))")
    done = subprocess.run([sys.executable, "-c", probe], cwd=REPO_ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "['scrapers.spiders.govinfo_billstatus']"


def test_the_tracker_cli_imports_neither_scrapy_nor_the_database_layer() -> None:
    # `tracker crawl` is the parent of every hand-run crawl: the subprocess does the heavy imports, once.
    done = subprocess.run([sys.executable, "-X", "importtime", "-c", "import tracker.cli"], cwd=REPO_ROOT,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    modules = imported_modules(done.stderr)
    assert "tracker.cli" in modules
    assert not {m for m in modules if m.split(".")[0] in ("scrapy", "sqlalchemy", "sqlmodel", "alembic", "numpy")}
    assert not {"tracker.models", "tracker.alerts.cli", "tracker.exports.cli", "tracker.matching.cli"} & modules


def test_lazy_command_groups_are_listed_and_run() -> None:
    runner = CliRunner()
    listing = runner.invoke(app, ["--help"], env={"COLUMNS": "200"})
    assert listing.exit_code == 0, listing.output
    for group in [*LazyGroups.lazy, "crawl", "runs", "db", "bills"]:
        assert f" {group} " in listing.output
    for group in LazyGroups.lazy:
        result = runner.invoke(app, [group, "--help"], env={"COLUMNS": "200"})
        assert result.exit_code == 0, result.output
        usage = " ".join(result.output.split())
        if group in ("export", "scorecard"):  # one command each, no sub-commands
            assert f" {group} [OPTIONS] " in usage and "COMMAND" not in usage
        else:
            assert f" {group} [OPTIONS] COMMAND [ARGS]..." in usage


def test_robots_txt_gets_a_slot_of_its_own_and_nothing_else_does() -> None:
    middleware = RobotsTxtSlotMiddleware()
    robots = Request("https://www.govinfo.gov/robots.txt", meta={"dont_obey_robotstxt": True})
    middleware.process_request(robots)
    assert robots.meta["download_slot"] == ROBOTS_SLOT_PREFIX + "www.govinfo.gov"
    for request in (Request("https://www.govinfo.gov/sitemap/bulkdata/BILLSTATUS/sitemapindex.xml"),
                    Request("https://www.govinfo.gov/robots.txt"),  # asked for by a spider: paced like the rest
                    Request("https://www.govinfo.gov/a/robots.txt", meta={"dont_obey_robotstxt": True})):
        middleware.process_request(request)
        assert "download_slot" not in request.meta


@pytest.mark.realdata
@pytest.mark.slow
def test_a_crawl_paces_requests_but_not_behind_robots_txt(
    crawl_env: dict[str, str], feed: FeedServer, govinfo: GovinfoMirror, billstatus_117: list[SampleBill],
    tmp_path: Path,
) -> None:
    assert run_spider(crawl_env, "govinfo_billstatus", "-a", "congress=117", "-a", "types=hr").returncode == EXIT_OK
    bill = next(b for b in billstatus_117 if b.bill_type == "hr")
    govinfo.set_bill(117, "hr", bill.number, bill.body, dt.datetime.now(dt.UTC))  # re-published: one request
    feed.reset_log()
    delay = 1.5  # a fixed delay, so the gaps are exact; AutoThrottle's start delay works through the same slot
    loaded = tmp_path / "modules.json"
    # `scrapy crawl`, noting at exit which modules it imported (Scrapy's logging takes over stderr, so
    # `python -X importtime` would lose most of its lines).
    probe = (f"import atexit, json, sys; atexit.register(lambda: open({str(loaded)!r}, 'w')"
             ".write(json.dumps(sorted(sys.modules)))); from scrapy.cmdline import execute; execute()")
    done = subprocess.run(
        [sys.executable, "-c", probe, "crawl", "govinfo_billstatus", "-a", "congress=117", "-a", "types=hr",
         "-s", f"DOWNLOAD_DELAY={delay}", "-s", "DOWNLOAD_DELAY_JITTER=0", "-s", "LOG_LEVEL=WARNING"],
        cwd=REPO_ROOT, env=crawl_env, capture_output=True, text=True, timeout=60)
    assert done.returncode == EXIT_OK, done.stderr[-3000:]
    hits = feed.requests()
    assert [h.path for h in hits] == ["/robots.txt", "/sitemap/bulkdata/BILLSTATUS/sitemapindex.xml",
                                      "/sitemap/bulkdata/BILLSTATUS/117hr/sitemap.xml",
                                      "/" + govinfo.bill_path(117, "hr", bill.number)]
    at = [h.at for h in hits]
    assert at[1] - at[0] < delay / 2  # the index follows robots.txt's answer at once
    assert at[2] - at[1] >= delay * 0.95 and at[3] - at[2] >= delay * 0.95  # everything after it is paced

    # A scheduled crawl imports only its spider and what it uses.
    modules = set(json.loads(loaded.read_text()))
    assert "scrapers.spiders.govinfo_billstatus" in modules
    unused = {"scrapers.spiders.california", "scrapers.spiders.legiscan", "scrapers.spiders.congress_api",
              "scrapy.extensions.remote_control", "scrapy.extensions.telnet", "scrapy.downloadermiddlewares.cookies",
              "aiohttp", "tldextract", "alembic"}
    assert not unused & modules


def test_a_crawl_loads_its_spider_without_collections_and_collects_once_it_runs(
    crawl_env: dict[str, str], feed: FeedServer, govinfo: GovinfoMirror, billstatus_117: list[SampleBill],
) -> None:
    # The crawl command pauses the cyclic collector while the spider and the ORM are imported; a crawl that
    # left it paused would grow without bound, so what the process sees after the crawl is checked here.
    probe = ("import atexit, gc, json, sys\n"
             "import scrapy.spiderloader as loader\n"
             "seen = []\n"
             "load = loader.SpiderLoader._load_spiders\n"
             "def spy(self, module): seen.append(gc.isenabled()); return load(self, module)\n"
             "loader.SpiderLoader._load_spiders = spy\n"
             "atexit.register(lambda: print(json.dumps({'collecting_while_loading': seen,"
             " 'collecting_after': gc.isenabled(), 'frozen': gc.get_freeze_count()})))\n"
             "from scrapy.cmdline import execute\n"
             "sys.argv = ['scrapy', 'crawl', 'govinfo_billstatus', '-a', 'congress=117', '-a', 'types=hr']\n"
             "execute()\n")
    done = subprocess.run([sys.executable, "-c", probe], cwd=REPO_ROOT, env=crawl_env, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == EXIT_OK, done.stderr[-3000:]
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report["collecting_while_loading"] == [False]  # the spider's module, imported with collection paused
    assert report["collecting_after"] is True
    assert report["frozen"] > 10_000  # what start-up built is out of the collector's sight


@pytest.mark.parametrize(("setting", "embeds"), [(None, True), ("0", False)])
def test_no_embed_reaches_the_crawls_writer(database_url: str, setting: str | None, embeds: bool) -> None:
    # `tracker crawl --no-embed` sets TRACKER_EMBED=0: the crawl flags its batches without loading the model.
    from scrapy.utils.test import get_crawler

    from scrapers.spiders.govinfo_billstatus import GovinfoBillstatusSpider

    crawler = get_crawler(GovinfoBillstatusSpider, {"TRACKER_EMBED": setting} if setting else {})
    spider = GovinfoBillstatusSpider.from_crawler(crawler)
    try:
        assert spider.store.store.embed is embeds
    finally:
        spider.store.shutdown()
