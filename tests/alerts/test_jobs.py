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


def test_alerts_that_cannot_go_out_are_reported_by_status_and_the_job(world: World, engine: Engine, caplog,
                                                                       monkeypatch) -> None:  # type: ignore[no-untyped-def]
    # A new team's first week: people subscribed, [smtp] host left empty as tracker.example.toml ships it. The
    # alert job logged "0 sent" at INFO, `tracker status` said OK on alerts (and exit 0 once the crawls ran), and
    # the Sources page said "alert email goes out": nobody learnt that no digest would ever be sent.
    import logging

    from tracker import health

    monkeypatch.setenv("SMTP_HOST", "")
    subscriptions.subscribe(world.session, user=world.staff, kind="topic", target="ai", cadence="instant")
    world.session.commit()
    world.store(bill_record(952, "Artificial Intelligence Audit Act"))
    with caplog.at_level(logging.INFO, logger="tracker.alerts.jobs"):
        run_alerts_job()
    warned = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert any("SMTP is not configured" in m and "wait for a run that can send them" in m for m in warned), warned

    crawl = crawl_settings(env={}, doc={"sources": {"govinfo_billstatus": {"enabled": False}}})
    report = health.check(engine, crawl)
    assert not report.alert_email_configured and report.unsent_alerts >= 1
    problem = next(p for p in report.problems if p.startswith("alert email is not set up"))
    assert f"{report.unsent_alerts} alert(s) for 1 person(s) wait" in problem and "[smtp] host" in problem

    monkeypatch.setenv("SMTP_HOST", "smtp.chamber.example")  # set up: what waits will go out, nothing to report
    report = health.check(engine, crawl)
    assert report.alert_email_configured and report.unsent_alerts == 0
    assert not any(p.startswith("alert email is not set up") for p in report.problems)
