"""Rate limits and Retry-After (scrapers.middlewares), and the crawl configuration (tracker.config)."""

import datetime as dt
import logging
import sys
from pathlib import Path

import pytest
from scrapy.exceptions import DownloadConnectionRefusedError

from scrapers.base import _ROBOTS_LOG_FILTER
from scrapers.middlewares import HourlyBudget, retry_after_seconds
from tracker.config import crawl_settings, current_congress, default_congresses
from tracker.scheduler import trigger_for

REPO_ROOT = Path(__file__).resolve().parents[2]


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_hourly_budget_stays_under_the_limit() -> None:
    clock = Clock()
    budget = HourlyBudget(5000, clock=clock)
    for _ in range(5000):
        assert budget.delay() == 0
        budget.spend()
        clock.now += 0.1  # 5,000 requests in 500 s: far faster than the API allows
    # The 5,001st waits until the first leaves the one-hour window.
    assert budget.delay() == pytest.approx(3600 - 500)
    clock.now += 3600 - 500 + 0.001
    assert budget.delay() == 0


def test_hourly_budget_counts_earlier_runs() -> None:
    clock = Clock()
    budget = HourlyBudget(10, clock=clock)
    budget.preload(10, at=clock.now - 1800)  # a run half an hour ago spent the whole budget
    assert budget.delay() == pytest.approx(1800)
    assert HourlyBudget(0, clock=clock).delay() == 0  # 0: no budget


def test_retry_after_in_seconds_or_as_a_date() -> None:
    now = dt.datetime(2026, 3, 1, 12, 0, 0, tzinfo=dt.UTC)
    assert retry_after_seconds(b"120") == 120
    assert retry_after_seconds("Sun, 01 Mar 2026 12:00:30 GMT", now=now) == 30
    assert retry_after_seconds("Sun, 01 Mar 2026 11:00:00 GMT", now=now) == 0
    assert retry_after_seconds(b"soon") is None and retry_after_seconds(None) is None


def test_configuration_file_and_environment(tmp_path: Path) -> None:
    doc = {"crawl": {"contact": "policy@chamber.example", "congresses": [118, 119], "states": ["ca", "NY"],
                     "scrapy": {"download_delay": 2}},
           "sources": {"govinfo_billstatus": {"types": ["HR", "s"], "schedule": "0 5 * * *"},
                       "congress_api": {"enabled": True, "max_requests_per_hour": 1000}}}
    crawl = crawl_settings(env={}, doc=doc)
    govinfo, api = crawl.source("govinfo_billstatus"), crawl.source("congress_api")
    assert "policy@chamber.example" in crawl.user_agent and "policy-tracker" in crawl.user_agent
    assert (govinfo.types, govinfo.congresses, govinfo.schedule) == (("hr", "s"), (118, 119), "0 5 * * *")
    assert govinfo.base_url == "https://www.govinfo.gov/" and api.base_url == "https://api.congress.gov/v3/"
    assert api.enabled and api.options["max_requests_per_hour"] == 1000 and api.api_key({}) is None
    assert crawl.states == ("CA", "NY") and crawl.scrapy == {"DOWNLOAD_DELAY": 2}

    env = {"GOVINFO_BASE_URL": "http://mirror.test/", "CONGRESS_API_BASE_URL": "http://api.mirror.test/v3/",
           "TRACKER_SOURCES": "congress_api", "TRACKER_CONGRESSES": "117", "CONGRESS_API_KEY": "k"}
    crawl = crawl_settings(env=env, doc=doc)
    assert crawl.source("govinfo_billstatus").base_url == "http://mirror.test/"
    assert crawl.source("congress_api").base_url == "http://api.mirror.test/v3/"
    assert [n for n, s in crawl.sources.items() if s.enabled] == ["congress_api"]
    assert crawl.source("govinfo_billstatus").congresses == (117,)
    assert crawl.source("congress_api").api_key(env) == "k"
    with pytest.raises(KeyError, match="unknown source"):
        crawl.source("nowhere")
    with pytest.raises(SystemExit, match="Congress numbers"):
        crawl_settings(env={"TRACKER_CONGRESSES": "the current one"}, doc={})
    assert crawl.max_run_hours == 12 and crawl_settings(env={}, doc={"crawl": {"max_run_hours": 3}}).max_run_hours == 3
    for bad in (0, -1, "soon", float("inf"), float("nan")):
        with pytest.raises(SystemExit, match="crawl.max_run_hours: expected a number of hours above 0"):
            crawl_settings(env={}, doc={"crawl": {"max_run_hours": bad}})


def test_example_configuration_is_valid() -> None:
    import tomllib

    doc = tomllib.loads((REPO_ROOT / "tracker.example.toml").read_text())
    crawl = crawl_settings(env={}, doc=doc)
    for source in crawl.sources.values():
        trigger_for(source)  # every schedule is a crontab expression
    assert set(crawl.default_sources) <= set(crawl.sources)


def test_current_congress() -> None:
    assert current_congress(dt.date(2021, 6, 1)) == 117
    assert current_congress(dt.date(2025, 1, 2)) == 118  # a Congress begins on January 3
    assert current_congress(dt.date(2025, 1, 3)) == 119
    assert current_congress(dt.date(2026, 12, 31)) == 119


def test_crawls_keep_reading_the_last_congress_early_in_the_next() -> None:
    # Bills presented in the 119th's last days are signed in January 2027, and GovInfo adds public law numbers
    # for weeks: for 60 days a crawl with no Congress configured covers both.
    assert default_congresses(dt.date(2026, 12, 6)) == (119,)
    assert default_congresses(dt.date(2027, 1, 2)) == (119,)
    assert default_congresses(dt.date(2027, 1, 3)) == (119, 120)
    assert default_congresses(dt.date(2027, 3, 3)) == (119, 120)
    assert default_congresses(dt.date(2027, 3, 4)) == (120,)


def test_an_unreachable_robots_txt_is_one_warning_line_not_a_traceback() -> None:
    # `make run` without network printed Scrapy's whole traceback for robots.txt before the spider's own line.
    def record(exc: Exception) -> logging.LogRecord:
        try:
            raise exc
        except Exception:  # noqa: BLE001  (a logged exception, as the middleware logs it)
            return logging.LogRecord("scrapy.downloadermiddlewares.robotstxt", logging.ERROR, __file__, 1,
                                     "Error downloading %s", ("robots.txt",), sys.exc_info())

    offline = record(DownloadConnectionRefusedError("Connection was refused by other side"))
    assert _ROBOTS_LOG_FILTER.filter(offline)
    assert (offline.levelname, offline.exc_info) == ("WARNING", None)
    assert "Traceback" not in logging.Formatter().format(offline)
    bug = record(ValueError("a real bug keeps its traceback"))
    assert _ROBOTS_LOG_FILTER.filter(bug) and bug.levelname == "ERROR" and bug.exc_info is not None


def test_each_feed_spider_paces_itself_by_its_own_hourly_budget(tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    # The published limits (Congress.gov 5,000 an hour a key, Open States' daily quota, GovInfo's fair use) set
    # each spider's default; `max_requests_per_hour` of its [sources.X] table overrides it.
    from scrapy.settings import Settings

    from scrapers.spiders.congress_api import CongressApiSpider
    from scrapers.spiders.govinfo_billstatus import GovinfoBillstatusSpider
    from scrapers.spiders.govinfo_text import GovinfoTextSpider
    from scrapers.spiders.openstates import OpenStatesSpider
    from tracker.config import settings as tracker_settings

    def budget(spider: type) -> int:
        scrapy_settings = Settings()
        spider.update_settings(scrapy_settings)
        return scrapy_settings.getint("MAX_REQUESTS_PER_HOUR")

    config = tmp_path / "tracker.toml"
    config.write_text("[sources.openstates]\nmax_requests_per_hour = 100\n")
    monkeypatch.setenv("TRACKER_CONFIG", str(config))
    tracker_settings.cache_clear()
    try:
        assert [budget(s) for s in (CongressApiSpider, GovinfoTextSpider, OpenStatesSpider)] == [4500, 1800, 100]
        assert budget(GovinfoBillstatusSpider) == 0  # GovInfo's bulk listing: no hourly budget of its own
    finally:
        tracker_settings.cache_clear()
