"""`tracker status`: whether the scheduler runs and each enabled source is crawled on its own schedule."""

import datetime as dt
import json
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlmodel import Session
from typer.testing import CliRunner

from tracker import config, health
from tracker.cli import app
from tracker.models import CrawlRun
from tracker.models.base import utcnow
from tracker.scheduler import scheduler_lock

# govinfo every 4 hours; congress_api enabled but never crawled.
SETTINGS = """
[sources.govinfo_billstatus]
schedule = "20 */4 * * *"
[sources.congress_api]
enabled = true
"""


@pytest.fixture
def settings_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "tracker.toml"
    path.write_text(SETTINGS)
    monkeypatch.setenv("TRACKER_CONFIG", str(path))
    config.settings.cache_clear()
    yield path
    config.settings.cache_clear()


def _crawl(session: Session, source: str, started: dt.datetime, status: str) -> None:
    session.add(CrawlRun(source=source, kind="crawl", started_at=started, finished_at=started + dt.timedelta(minutes=3),
                         status=status))
    session.commit()


def test_a_dead_scheduler_and_a_crawl_that_stopped_are_reported(engine: Engine, session: Session,
                                                                 settings_file: Path) -> None:
    # What an operator had: the overview warned after 26 hours whatever the cadence, listed no source that never
    # ran, and nothing said whether `tracker schedule` was running. A four-hourly crawl that last succeeded 12
    # hours ago (then failed) has missed its turns; congress_api, enabled, never ran at all. Twelve hours hold
    # three four-hourly turns whatever the time of day (thirteen held three or four).
    now = utcnow()
    _crawl(session, "govinfo_billstatus", now - dt.timedelta(hours=12), "succeeded")
    _crawl(session, "govinfo_billstatus", now - dt.timedelta(hours=9), "failed")
    result = CliRunner().invoke(app, ["status"])
    assert result.exit_code == 1, result.output
    said = " ".join(result.output.split())
    assert "scheduler: NOT RUNNING" in said
    assert "ATTENTION: the scheduler is not running" in said
    assert "ATTENTION: govinfo_billstatus: stale, 3 scheduled turns (20 */4 * * * UTC) since its last success" in said
    assert "ATTENTION: congress_api: enabled, and no crawl of it has succeeded yet" in said


def test_a_running_scheduler_and_fresh_sources_are_ok(engine: Engine, session: Session, settings_file: Path) -> None:
    now = utcnow()
    _crawl(session, "govinfo_billstatus", now - dt.timedelta(hours=5), "failed")
    _crawl(session, "govinfo_billstatus", now - dt.timedelta(hours=3), "succeeded")  # within its last turn or two
    _crawl(session, "congress_api", now - dt.timedelta(hours=1), "partial")  # some bills failed: still crawling
    with scheduler_lock(engine):
        assert health.scheduler_running(engine)
        result = CliRunner().invoke(app, ["status", "--json"])
    assert not health.scheduler_running(engine)  # read without taking the lock: released with the scheduler
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["ok"] and report["scheduler_running"] and report["problems"] == []
    assert {s["source"]: s["last_status"] for s in report["sources"]} == {
        "govinfo_billstatus": "succeeded", "congress_api": "partial"}


def test_turns_are_counted_on_the_sources_own_schedule() -> None:
    since = dt.datetime(2026, 3, 2, 6, 0, tzinfo=dt.UTC)
    assert health._turns_since("20 */4 * * *", since, since + dt.timedelta(hours=9)) == 2  # 08:20, 12:20
    assert health._turns_since("0 6 * * *", since, since + dt.timedelta(days=6)) == 6  # daily
