"""The alert job lives in the crawl scheduler's APScheduler service, stored by module:function reference."""

import datetime as dt

import pytest
from apscheduler.schedulers.background import BackgroundScheduler
from sqlalchemy import Engine

from tests.alerts.conftest import Mailbox, World, bill_record
from tracker import config
from tracker.alerts import subscriptions
from tracker.alerts.jobs import JOB_FUNCTION, JOB_ID, run_alerts_job
from tracker.alerts.settings import AlertConfigError, smtp_settings
from tracker.config import crawl_settings
from tracker.scheduler import build_scheduler


def test_the_scheduler_holds_the_alert_job(engine: Engine, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("TRACKER_ALERTS_SCHEDULE", "*/10 * * * *")
    scheduler = build_scheduler(engine, crawl_settings(env={}, doc={}), scheduler_class=BackgroundScheduler)
    scheduler.start(paused=True)
    try:
        job = scheduler.get_job(JOB_ID)
        assert job.func_ref == JOB_FUNCTION and (job.coalesce, job.max_instances) == (True, 1)
        assert "minute='*/10'" in str(job.trigger)
    finally:
        scheduler.shutdown(wait=False)


def test_the_job_sends_what_is_due(world: World, smtp: Mailbox) -> None:
    subscriptions.subscribe(world.session, user=world.staff, kind="topic", target="ai", cadence="instant")
    world.session.commit()
    world.store(bill_record(951, "Artificial Intelligence Audit Act"))
    assert run_alerts_job()["sent"] >= 1
    assert any(r == ["sam@chamber.example"] for r in smtp.recipients)
    assert run_alerts_job()["sent"] == 0


def test_now_runs_the_alert_job_at_start_too(engine: Engine, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    # `tracker schedule --now`: every job once at start, not only the crawls.
    monkeypatch.setenv("TRACKER_ALERTS_SCHEDULE", "0 7 * * *")
    scheduler = build_scheduler(engine, crawl_settings(env={}, doc={}), run_now=True,
                                scheduler_class=BackgroundScheduler)
    scheduler.start(paused=True)
    try:
        assert scheduler.get_job(JOB_ID).next_run_time <= dt.datetime.now(dt.UTC)
    finally:
        scheduler.shutdown(wait=False)


def test_a_bad_alert_setting_stops_the_scheduler_before_it_starts(engine: Engine, tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    # Found in the start-up listener it was only logged, and the service ran on without its alert job.
    toml = tmp_path / "tracker.toml"
    toml.write_text('[alerts]\ndaily_hour = "7am"\n')
    monkeypatch.setenv("TRACKER_CONFIG", str(toml))
    config.settings.cache_clear()
    try:
        with pytest.raises(SystemExit, match=r"\[alerts\] daily_hour = '7am' is not a whole number"):
            build_scheduler(engine, crawl_settings(env={}, doc={}), scheduler_class=BackgroundScheduler)
    finally:
        config.settings.cache_clear()


def test_a_password_in_clear_text_across_the_network_is_refused(engine: Engine, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    env = {"SMTP_HOST": "mail.chamber.example", "SMTP_SECURITY": "none", "SMTP_USER": "alerts", "SMTP_PASSWORD": "x"}
    with pytest.raises(AlertConfigError, match="would send the SMTP password to mail.chamber.example in clear text"):
        smtp_settings(env=env, doc={})
    for relay in ("127.0.0.1", "localhost", "::1"):  # a relay on this machine: nothing crosses the network
        assert smtp_settings(env={**env, "SMTP_HOST": relay}, doc={}).security == "none"
    assert smtp_settings(env={**env, "SMTP_USER": ""}, doc={}).user is None  # no login: nothing secret to send
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(SystemExit, match="use starttls or tls"):  # and `tracker schedule` does not start
        build_scheduler(engine, crawl_settings(env={}, doc={}), scheduler_class=BackgroundScheduler)
