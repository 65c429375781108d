"""Helpers shared by the spider tests and the crawl benchmark: real sample bills and spider subprocesses."""

import datetime as dt
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

from spider_forks import run_scrapy
from sqlalchemy import func, select
from sqlmodel import Session

from tracker.models import CrawlRun

REPO_ROOT = Path(__file__).resolve().parents[2]
API_KEY = "test-key"

TEST_CONFIG = """
[crawl]
contact = "tests@example.org"
autothrottle = false
default_sources = ["govinfo_billstatus"]

[crawl.scrapy]
LOG_LEVEL = "INFO"
CONCURRENT_REQUESTS = 8
DOWNLOAD_TIMEOUT = 2.0
RETRY_TIMES = 2
RETRY_BACKOFF_BASE = 0.3
RETRY_BACKOFF_MAX = 1.0
RETRY_AFTER_MAX = 5
INGEST_BATCH_SIZE = 5

[sources.govinfo_billstatus]
congresses = [117]
types = ["hr", "s"]

[sources.congress_api]
congresses = [117]
"""


@dataclass(frozen=True)
class SampleBill:
    congress: int
    bill_type: str
    number: str
    body: bytes
    lastmod: dt.datetime


def _update_date(body: bytes) -> dt.datetime:
    found = re.search(rb"<updateDate>([^<]+)</updateDate>", body)
    assert found, "every BILLSTATUS sample carries an updateDate"
    return dt.datetime.fromisoformat(found.group(1).decode().replace("Z", "+00:00"))


def sample(path: Path) -> SampleBill:
    body = path.read_bytes()
    match = re.search(r"(\d+)/bills/([a-z]+)/[a-z]+(\d+)/fdsys_billstatus\.xml$", path.as_posix()) or \
        re.search(r"BILLSTATUS-(\d+)([a-z]+?)(\d+)\.xml$", path.name)
    assert match, path
    # The files carry no lastmod stamp of their own; their updateDate stands in for the sitemap's lastmod.
    return SampleBill(int(match.group(1)), match.group(2), match.group(3), body, _update_date(body))


def run_spider(env: dict[str, str], name: str, *args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """``python -m scrapy crawl NAME ARGS...`` from the repository root, as `tracker crawl` runs it (forked from a
    process that has imported Scrapy already: tests/scrapers/spider_forks.py)."""
    return run_scrapy(["crawl", name, *args], env=env, cwd=REPO_ROOT, timeout=timeout)


def last_run(session: Session) -> CrawlRun:
    """The newest CrawlRun, read afresh (the spider wrote it from another process)."""
    session.expire_all()
    return session.execute(select(CrawlRun).order_by(CrawlRun.id.desc()).limit(1)).scalar_one()


def count(session: Session, model: type, *where: object) -> int:
    return session.execute(select(func.count()).select_from(model).where(*where)).scalar_one()
