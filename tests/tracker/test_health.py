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


def test_alert_email_linking_to_this_machine_only_is_reported(engine: Engine, settings_file: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    # tracker.example.toml ships dashboard_url = "http://localhost:8501" and feeds_url = "http://localhost:8502".
    # A chamber that set SMTP and nothing else mailed every council member digests whose bill links and
    # one-click unsubscribe pointed at their own computer; nothing said so.
    for name in ("TRACKER_DASHBOARD_URL", "TRACKER_FEEDS_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("SMTP_HOST", "smtp.chamber.example")
    crawl = config.crawl_settings(env={}, doc={"sources": {"govinfo_billstatus": {"enabled": False}}})
    problems = [p for p in health.check(engine, crawl).problems if p.startswith("alert emails link")]
    assert len(problems) == 2, problems
    assert "http://localhost:8501 ([alerts] dashboard_url, TRACKER_DASHBOARD_URL)" in problems[0]
    assert "http://localhost:8502 ([alerts] feeds_url, TRACKER_FEEDS_URL)" in problems[1]

    monkeypatch.setenv("TRACKER_DASHBOARD_URL", "https://tracker.chamber.example")
    monkeypatch.setenv("TRACKER_FEEDS_URL", "http://[::1]:8502")
    (problem,) = [p for p in health.check(engine, crawl).problems if p.startswith("alert emails link")]
    assert "http://[::1]:8502" in problem
    monkeypatch.setenv("TRACKER_FEEDS_URL", "https://feeds.chamber.example")
    assert not [p for p in health.check(engine, crawl).problems if p.startswith("alert emails link")]
    monkeypatch.setenv("SMTP_HOST", "")  # no email sent: where its links point matters to nobody yet
    monkeypatch.setenv("TRACKER_DASHBOARD_URL", "http://127.0.0.1:8501")
    assert not [p for p in health.check(engine, crawl).problems if p.startswith("alert emails link")]


def test_status_says_on_which_clock_digests_go_out(engine: Engine, settings_file: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    # [alerts] timezone is UTC unless set, and nothing an operator looks at said so: a Chicago office's 7:00 daily
    # digest reached its people at 1:00 or 2:00 in the morning. `tracker status` (and the Sources page, through
    # health.check) now names the hour, the weekday and the zone, and when it is UTC, the setting to change.
    monkeypatch.delenv("TRACKER_ALERTS_TIMEZONE", raising=False)
    result = CliRunner().invoke(app, ["status"])
    said = " ".join(result.output.split())
    assert ("digests: daily at 07:00, weekly on Monday at 07:00, UTC (set [alerts] timezone or "
            "TRACKER_ALERTS_TIMEZONE to your office's, such as America/Chicago)") in said, said

    settings_file.write_text(SETTINGS + '[alerts]\ntimezone = "America/Chicago"\ndaily_hour = 8\nweekly_day = "fri"\n')
    config.settings.cache_clear()
    result = CliRunner().invoke(app, ["status", "--json"])
    report = json.loads(result.stdout)
    assert report["digest_times"] == "daily at 08:00, weekly on Friday at 08:00, America/Chicago time"
    assert report["digest_timezone"] == "America/Chicago"
    monkeypatch.setenv("TRACKER_ALERTS_TIMEZONE", "Europe/Paris")  # the variable wins, as documented
    assert health.check(engine, config.crawl_settings()).digest_times.endswith(", Europe/Paris time")
