"""Fixtures for the spider tests: a local feed server on 127.0.0.1 serving real files, and crawl subprocesses.

Spiders always run as subprocesses (``python -m scrapy crawl ...``, as ``tracker crawl`` runs them): Twisted's
reactor cannot be restarted inside the test process. They write to the test's database (``database_url``),
and read a test configuration that shortens timeouts, retries and backoff so the fault tests stay quick.
"""

import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from crawl_helpers import API_KEY, REPO_ROOT, TEST_CONFIG, SampleBill, sample
from feedserver import CongressApiMirror, FeedServer, GovinfoMirror
from realdata_paths import require_realdata


@pytest.fixture(scope="session")
def billstatus_117() -> list[SampleBill]:
    """Real 117th-Congress BILLSTATUS files of types hr and s: GPO's samples plus the reserved H.R. numbers."""
    future = require_realdata("billstatus", "usgpo_samples", "formatChange", "future")
    misc = require_realdata("billstatus", "misc", "117")
    files = [p for p in sorted(future.glob("BILLSTATUS-117*.xml")) if re.search(r"117(hr|s)\d+\.xml$", p.name)]
    files += sorted(misc.rglob("fdsys_billstatus.xml"))
    return [sample(p) for p in files]


@pytest.fixture(scope="session")
def older_hr6658() -> SampleBill:
    """GPO's earlier snapshot of H.R. 6658 (July 2022): one cosponsor fewer than the later one."""
    return sample(require_realdata("billstatus", "usgpo_samples", "formatChange", "current",
                                    "BILLSTATUS-117hr6658.xml"))


@pytest.fixture
def feed() -> Iterator[FeedServer]:
    server = FeedServer().start()
    yield server
    server.stop()


@pytest.fixture
def govinfo(feed: FeedServer, billstatus_117: list[SampleBill]) -> GovinfoMirror:
    mirror = GovinfoMirror(feed)
    for bill in billstatus_117:
        mirror.set_bill(bill.congress, bill.bill_type, bill.number, bill.body, bill.lastmod)
    return mirror


@pytest.fixture
def congress_api(feed: FeedServer) -> CongressApiMirror:
    """H.R. 21 (117th) from the LoC's real API responses, behind a list page generated in the API's format."""
    folder = require_realdata("congressgov_api")
    mirror = CongressApiMirror(feed, key=API_KEY)
    subresources = {name: (folder / f"bill_117_hr_21_{name}.json").read_bytes() for name in
                    ("actions", "amendments", "committees", "cosponsors", "relatedbills", "subjects", "summaries",
                     "text", "titles")}
    mirror.add_bill((folder / "bill_117_hr_21.json").read_bytes(), subresources)
    return mirror


@pytest.fixture
def crawl_env(database_url: str, feed: FeedServer, tmp_path: Path) -> dict[str, str]:
    config = tmp_path / "tracker.toml"
    config.write_text(TEST_CONFIG)
    env = {k: v for k, v in os.environ.items() if k not in ("CONGRESS_API_KEY", "TRACKER_SOURCES",
                                                            "TRACKER_CONGRESSES")}
    env.update(DATABASE_URL=database_url, TRACKER_CONFIG=str(config), TRACKER_HOME=str(tmp_path / "home"),
               GOVINFO_BASE_URL=feed.url, CONGRESS_API_BASE_URL=feed.url + "v3/",
               SCRAPY_SETTINGS_MODULE="scrapers.settings", PYTHONPATH=str(REPO_ROOT))
    return env


@pytest.fixture
def state_env(crawl_env: dict[str, str], feed: FeedServer) -> dict[str, str]:
    """The state and city spiders pointed at the feed server, their API keys unset (each test sets its own)."""
    env = {k: v for k, v in crawl_env.items() if k not in ("OPENSTATES_API_KEY", "LEGISCAN_API_KEY")}
    env.update(OPENSTATES_BASE_URL=feed.url + "openstates/", LEGISCAN_BASE_URL=feed.url + "legiscan/",
               LEGISTAR_BASE_URL=feed.url + "legistar/", PUBINFO_BASE_URL=feed.url + "pubinfo/")
    return env
