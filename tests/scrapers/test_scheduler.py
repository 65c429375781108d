"""``tracker schedule``: jobs kept in the database, and a real scheduler process firing a crawl job and stopping
gracefully on SIGTERM while that crawl runs."""

import datetime as dt
import logging
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from apscheduler.schedulers.background import BackgroundScheduler
from crawl_helpers import REPO_ROOT, TEST_CONFIG
from feedserver import Fault, FeedServer, GovinfoMirror
from sqlalchemy import Engine, inspect, select, text
from sqlmodel import Session

from tracker import config
from tracker.alerts.jobs import JOB_ID as ALERT_JOB_ID
from tracker.config import crawl_settings
from tracker.crawling import EXIT_PARTIAL
from tracker.matching.jobs import JOB_FUNCTION as LEARN_JOB_FUNCTION
from tracker.matching.jobs import JOB_ID as LEARN_JOB_ID
from tracker.models import CrawlRun
from tracker.scheduler import JOB_FUNCTION, build_scheduler, run_source_job, sync_jobs


@pytest.fixture(autouse=True)
def _no_stored_jobs(engine: Engine) -> None:
    # APScheduler owns its table, outside our metadata: the PostgreSQL test database keeps it between tests.
    with engine.begin() as conn:
        conn.execute(text("DROP TABLE IF EXISTS apscheduler_jobs"))


def _settings(**sources: dict[str, object]):  # type: ignore[no-untyped-def]
    return crawl_settings(env={}, doc={"sources": sources})


def test_jobs_follow_the_configuration_and_persist(engine: Engine) -> None:
    crawl = _settings(govinfo_billstatus={"enabled": True, "schedule": "15 */4 * * *"},
                      congress_api={"enabled": True, "schedule": "45 6 * * 1-5"})
    scheduler = build_scheduler(engine, crawl, scheduler_class=BackgroundScheduler)
    scheduler.start(paused=True)
    try:
        jobs = {job.id: job for job in scheduler.get_jobs()}
        # + tracker.alerts and the nightly learning from triage
        assert set(jobs) == {"crawl:govinfo_billstatus", "crawl:congress_api", "alerts:send", "matching:learn"}
        learn = jobs["matching:learn"]
        assert learn.func_ref == LEARN_JOB_FUNCTION and str(learn.trigger) == (
            "cron[month='*', day='*', day_of_week='*', hour='8', minute='30']")
        govinfo = jobs["crawl:govinfo_billstatus"]
        assert govinfo.func_ref == JOB_FUNCTION and govinfo.args == ("govinfo_billstatus",)
        assert (govinfo.coalesce, govinfo.max_instances) == (True, 1)
        assert str(govinfo.trigger) == "cron[month='*', day='*', day_of_week='*', hour='*/4', minute='15']"
        kept = govinfo.next_run_time

        # A new configuration: govinfo unchanged (keeps its next run), congress_api disabled (removed).
        sync_jobs(scheduler, _settings(govinfo_billstatus={"enabled": True, "schedule": "15 */4 * * *"},
                                       congress_api={"enabled": False}))
        assert [job.id for job in scheduler.get_jobs() if job.id.startswith("crawl:")] == ["crawl:govinfo_billstatus"]
        assert scheduler.get_job("crawl:govinfo_billstatus").next_run_time == kept
        sync_jobs(scheduler, _settings(govinfo_billstatus={"enabled": True, "schedule": "0 6 * * *"}))
        assert "hour='6'" in str(scheduler.get_job("crawl:govinfo_billstatus").trigger)
    finally:
        scheduler.shutdown(wait=False)
    with engine.connect() as conn:  # the job store is a table in our own database
        assert sorted(conn.execute(text("SELECT id FROM apscheduler_jobs")).scalars()) == [
            "alerts:send", "crawl:govinfo_billstatus", "matching:learn"]


def test_a_bad_schedule_is_refused_before_starting(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(SystemExit, match="not a crontab expression"):
        build_scheduler(engine, _settings(govinfo_billstatus={"schedule": "every four hours"}))
    monkeypatch.setenv("TRACKER_LEARN_SCHEDULE", "nightly")
    with pytest.raises(SystemExit, match="TRACKER_LEARN_SCHEDULE = 'nightly' is not a crontab expression"):
        build_scheduler(engine, _settings())


@pytest.mark.realdata
@pytest.mark.slow
def test_the_scheduler_fires_a_crawl_and_stops_gracefully(
    feed: FeedServer, govinfo: GovinfoMirror, crawl_env: dict[str, str], session: Session,
) -> None:
    # A yearly cadence, so only --now starts the crawl; one slow bill keeps it running until SIGTERM arrives.
    Path(crawl_env["TRACKER_CONFIG"]).write_text(TEST_CONFIG.replace(
        "[sources.govinfo_billstatus]\n", '[sources.govinfo_billstatus]\nschedule = "0 0 1 1 *"\n'))
    feed.fault(govinfo.bill_path(117, "hr", "4350"), Fault("delay", seconds=1.5, times=None))
    code, _, err = _schedule_until(crawl_env, ["--now"], lambda: bool(
        feed.requests("bulkdata/BILLSTATUS/117/hr/BILLSTATUS-117hr4350.xml")))
    assert code == 0, err[-3000:]
    assert "SIGTERM received" in err and "crawl govinfo_billstatus finished" in err
    run = session.execute(select(CrawlRun)).scalar_one()
    assert run.source == "govinfo_billstatus" and run.finished_at is not None
    # Stopped mid-way (the slow bill was in flight): recorded as interrupted, not as a success.
    assert run.status == "interrupted" and "interrupted (shutdown)" in (run.message or "")
    stored = session.execute(text("SELECT id, next_run_time FROM apscheduler_jobs WHERE id LIKE 'crawl:%'")).all()
    assert [row[0] for row in stored] == ["crawl:govinfo_billstatus"]
    assert dt.datetime.fromtimestamp(stored[0][1], dt.UTC).year > dt.datetime.now(dt.UTC).year - 1


@pytest.mark.realdata
@pytest.mark.slow
def test_a_scheduled_crawl_is_stopped_at_max_run_hours(
    feed: FeedServer, govinfo: GovinfoMirror, crawl_env: dict[str, str], session: Session,
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture,
) -> None:
    # A bill that times out on every try keeps the crawl busy for several seconds; the limit is 4 seconds.
    Path(crawl_env["TRACKER_CONFIG"]).write_text(TEST_CONFIG.replace(
        "[crawl]\n", f"[crawl]\nmax_run_hours = {4 / 3600}\n"))
    for key, value in crawl_env.items():
        monkeypatch.setenv(key, value)
    config.settings.cache_clear()
    feed.fault(govinfo.bill_path(117, "hr", "4350"), Fault("delay", seconds=3.0, times=None))
    with caplog.at_level(logging.WARNING, logger="tracker.scheduler"):
        code = run_source_job("govinfo_billstatus")
    config.settings.cache_clear()
    assert code == EXIT_PARTIAL
    assert "crawl govinfo_billstatus reached [crawl] max_run_hours (0.00111111) and was stopped" in caplog.text
    run = session.execute(select(CrawlRun)).scalar_one()
    assert run.status == "interrupted" and "interrupted (shutdown)" in (run.message or "")


def test_with_no_source_enabled_the_scheduler_runs_the_alert_and_learning_jobs(
    crawl_env: dict[str, str], session: Session,
) -> None:
    # A team that imports by hand still wants its digests from `tracker schedule`.
    Path(crawl_env["TRACKER_CONFIG"]).write_text(TEST_CONFIG.replace(
        "[sources.govinfo_billstatus]\n", "[sources.govinfo_billstatus]\nenabled = false\n"))
    code, out, err = _schedule_until(crawl_env, [], lambda: len(_stored_jobs(session)) == 2)
    assert code == 0, err[-3000:]
    assert "No source is enabled" in err and "scheduling the alert and learning jobs only" in " ".join(err.split())
    assert "Scheduling the alert job and learning from triage;" in " ".join(out.split())
    assert sorted(_stored_jobs(session)) == [ALERT_JOB_ID, LEARN_JOB_ID]


def _schedule_until(env: dict[str, str], args: list[str], ready: Callable[[], bool]) -> tuple[int, str, str]:
    """`tracker schedule` in a process of its own until ``ready()``, then SIGTERM: (exit code, stdout, stderr)."""
    scheduler = subprocess.Popen([sys.executable, "-m", "tracker", "schedule", *args], cwd=REPO_ROOT, env=env,
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 30
        while not ready():
            assert time.monotonic() < deadline and scheduler.poll() is None, scheduler.communicate()
            time.sleep(0.1)
        scheduler.send_signal(signal.SIGTERM)
        out, err = scheduler.communicate(timeout=30)
    finally:
        if scheduler.poll() is None:
            scheduler.kill()
    return scheduler.returncode, out, err


def _stored_jobs(session: Session) -> list[str]:
    session.commit()  # a new transaction: see what the scheduler process wrote since
    if not inspect(session.get_bind()).has_table("apscheduler_jobs"):
        return []
    return list(session.execute(text("SELECT id FROM apscheduler_jobs")).scalars())
