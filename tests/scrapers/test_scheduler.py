"""``tracker schedule``: jobs kept in the database, and a real scheduler process firing a crawl job and stopping
gracefully on SIGTERM while that crawl runs; crawls stopped (at max_run_hours, by SIGTERM to `tracker crawl`)
end with their runs recorded."""

import datetime as dt
import logging
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from apscheduler.schedulers.background import BackgroundScheduler
from crawl_helpers import REPO_ROOT, TEST_CONFIG, SampleBill
from feedserver import Fault, FeedServer, GovinfoMirror
from sqlalchemy import Engine, func, inspect, select, text
from sqlmodel import Session

from tracker import config, crawling
from tracker.alerts.jobs import JOB_ID as ALERT_JOB_ID
from tracker.config import crawl_settings
from tracker.crawling import EXIT_PARTIAL
from tracker.ingest import start_run
from tracker.matching.jobs import JOB_FUNCTION as LEARN_JOB_FUNCTION
from tracker.matching.jobs import JOB_ID as LEARN_JOB_ID
from tracker.models import CrawlRun
from tracker.scheduler import (
    JOB_FUNCTION,
    SchedulerBusy,
    build_scheduler,
    cron,
    embeds_after_crawls,
    run_source_job,
    scheduler_lock,
    sync_jobs,
)


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
    feed: FeedServer, govinfo: GovinfoMirror, billstatus_117: list[SampleBill], crawl_env: dict[str, str],
    session: Session,
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture,
) -> None:
    # Every bill times out on every try (2 s each, six tries), which keeps the crawl busy for half a minute; the
    # limit is 10 seconds, well after the crawl process has started even on a loaded machine (a SIGTERM before
    # Scrapy's handlers are in place just kills it), and requests in flight end within 2 s.
    Path(crawl_env["TRACKER_CONFIG"]).write_text(TEST_CONFIG.replace(
        "[crawl]\n", f"[crawl]\nmax_run_hours = {10 / 3600}\n").replace("RETRY_TIMES = 2", "RETRY_TIMES = 5"))
    for key, value in crawl_env.items():
        monkeypatch.setenv(key, value)
    config.settings.cache_clear()
    for bill in billstatus_117:
        feed.fault(govinfo.bill_path(bill.congress, bill.bill_type, bill.number),
                   Fault("delay", seconds=3.0, times=None))
    with caplog.at_level(logging.WARNING, logger="tracker.scheduler"):
        code = run_source_job("govinfo_billstatus")
    config.settings.cache_clear()
    assert code == EXIT_PARTIAL
    assert "crawl govinfo_billstatus reached [crawl] max_run_hours (0.00277778) and was stopped" in caplog.text
    run = session.execute(select(CrawlRun)).scalar_one()
    assert run.status == "interrupted"
    assert "interrupted (stopped after [crawl] max_run_hours (0.00277778 h))" in (run.message or ""), run.message


@pytest.mark.realdata
@pytest.mark.slow
def test_a_crawl_that_does_not_stop_after_max_run_hours_is_ended_and_its_run_closed(
    feed: FeedServer, govinfo: GovinfoMirror, crawl_env: dict[str, str], session: Session,
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture,
) -> None:
    # A server that stalls: each try of one bill waits 30 s for an answer, and a graceful Scrapy stop waits for
    # the requests in flight, so the crawl does not end within the grace after its deadline. It closes its own
    # run as interrupted and exits, instead of leaving it "running" until some later run sweeps it.
    # The limit, 10 s, leaves the crawl process time to start and open its run even on a loaded machine.
    stalling = TEST_CONFIG.replace("DOWNLOAD_TIMEOUT = 2.0", "DOWNLOAD_TIMEOUT = 60.0").replace(
        "[crawl]\n", f"[crawl]\nmax_run_hours = {10 / 3600}\n")
    Path(crawl_env["TRACKER_CONFIG"]).write_text(stalling)
    for key, value in crawl_env.items():
        monkeypatch.setenv(key, value)
    monkeypatch.setattr(crawling, "TERM_GRACE_SECONDS", 0.5)
    config.settings.cache_clear()
    feed.fault(govinfo.bill_path(117, "hr", "4350"), Fault("delay", seconds=30.0, times=None))
    with caplog.at_level(logging.WARNING, logger="tracker.scheduler"):
        code = run_source_job("govinfo_billstatus")
    config.settings.cache_clear()
    assert code == EXIT_PARTIAL
    run = session.execute(select(CrawlRun)).scalar_one()
    assert run.status == "interrupted" and run.finished_at is not None
    assert run.message == ("stopped after [crawl] max_run_hours (0.00277778 h) and forced to end when it had not "
                           "stopped within 0.5 s; what it saved before is kept")


@pytest.mark.realdata
@pytest.mark.slow
def test_a_crawl_whose_scheduler_was_killed_still_stops_at_max_run_hours(
    feed: FeedServer, govinfo: GovinfoMirror, billstatus_117: list[SampleBill], crawl_env: dict[str, str],
    session: Session, tmp_path: Path,
) -> None:
    # `kill -9` of `tracker schedule` (or the OOM killer) leaves its crawl running: a process of its own session
    # that nobody stops at max_run_hours any more. It held its source for as long as it liked (each later turn is
    # skipped while it runs). Every bill here times out on every one of 40 tries, minutes of crawling; the limit
    # is 10 s, and requests in flight end within 2 s of a stop.
    Path(crawl_env["TRACKER_CONFIG"]).write_text(TEST_CONFIG.replace(
        "[crawl]\n", f"[crawl]\nmax_run_hours = {10 / 3600}\n").replace("RETRY_TIMES = 2", "RETRY_TIMES = 40")
        .replace("[sources.govinfo_billstatus]\n", '[sources.govinfo_billstatus]\nschedule = "0 0 1 1 *"\n'))
    for bill in billstatus_117:
        feed.fault(govinfo.bill_path(bill.congress, bill.bill_type, bill.number),
                   Fault("delay", seconds=3.0, times=None))
    # Output to files: the orphaned crawl keeps the scheduler's output open, and a pipe would never close.
    with open(tmp_path / "schedule.log", "wb") as log_file:
        scheduler = subprocess.Popen([sys.executable, "-m", "tracker", "schedule", "--now"], cwd=REPO_ROOT,
                                     env=crawl_env, stdout=log_file, stderr=subprocess.STDOUT)
    crawl_pids: list[int] = []
    try:
        deadline = time.monotonic() + 60
        while not (crawl_pids and session.execute(select(CrawlRun.id)).first()):
            assert time.monotonic() < deadline and scheduler.poll() is None, (tmp_path / "schedule.log").read_text()
            crawl_pids = [pid for pid in _children(scheduler.pid) if b"scrapy" in _cmdline(pid)]
            session.commit()  # a new transaction: see the run the crawl wrote since
            time.sleep(0.2)
        scheduler.kill()
        scheduler.wait()
        crawl_pid = crawl_pids[0]
        deadline = time.monotonic() + 90
        while _alive(crawl_pid) and time.monotonic() < deadline:
            time.sleep(0.5)
        assert not _alive(crawl_pid), "the crawl of a killed scheduler ran on past max_run_hours"
    finally:
        if scheduler.poll() is None:
            scheduler.kill()
            scheduler.wait()
        for pid in crawl_pids:
            _kill_if_alive(pid)
    session.expire_all()
    run = session.execute(select(CrawlRun)).scalar_one()
    assert run.status == "interrupted" and run.finished_at is not None
    assert "stopped after [crawl] max_run_hours (0.00277778 h)" in (run.message or ""), run.message


def _cmdline(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return b""


def _alive(pid: int) -> bool:
    """PID runs (a zombie does not: an orphan's new parent may be slow to reap it, or not reap it at all)."""
    try:
        return "zombie" not in Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False


@pytest.mark.realdata
@pytest.mark.slow
def test_a_crawl_forced_down_by_a_second_sigterm_does_not_exit_as_a_success(
    feed: FeedServer, govinfo: GovinfoMirror, crawl_env: dict[str, str], session: Session,
) -> None:
    # The first SIGTERM asks Scrapy to finish what is in flight; a second forces it down without closing the
    # spider, so the run records no end. Exit 0 then told the scheduler (and scripts) the crawl had succeeded.
    crawl = _stalled_crawl(feed, govinfo, crawl_env, ["scrapy", "crawl", "govinfo_billstatus"])
    try:
        crawl.send_signal(signal.SIGTERM)
        time.sleep(0.5)
        crawl.send_signal(signal.SIGTERM)
        _, err = crawl.communicate(timeout=30)
    finally:
        if crawl.poll() is None:
            crawl.kill()
    assert "forcing unclean shutdown" in err
    assert crawl.returncode == EXIT_PARTIAL, err[-3000:]


@pytest.mark.realdata
@pytest.mark.slow
def test_tracker_crawl_passes_sigterm_on_to_its_crawl_and_reports_it(
    feed: FeedServer, govinfo: GovinfoMirror, crawl_env: dict[str, str], session: Session,
) -> None:
    # `tracker crawl` under systemd or `docker stop`: SIGTERM killed it at once and left the crawl (a session of
    # its own) running with no parent. Now the crawl is told, stops, and is reported; a second SIGTERM (Scrapy
    # then stops without recording its run) still ends with the run closed as interrupted.
    parent = _stalled_crawl(feed, govinfo, crawl_env, ["tracker", "crawl", "govinfo_billstatus"])
    crawl_pids: list[int] = []
    try:
        crawl_pids = _children(parent.pid)
        assert crawl_pids, "tracker crawl started no crawl process"
        parent.send_signal(signal.SIGTERM)
        time.sleep(0.5)
        parent.send_signal(signal.SIGTERM)
        out, err = parent.communicate(timeout=30)
    finally:
        # A failure above must not leave the crawl (a session of its own) running, nor the parent to be reaped
        # by the garbage collector in a later test (a ResourceWarning there fails that other test).
        if parent.poll() is None:
            parent.kill()
            parent.communicate()
        for pid in crawl_pids:
            _kill_if_alive(pid)
    crawl_pid = crawl_pids[0]
    assert parent.returncode == EXIT_PARTIAL, err[-3000:]
    assert not Path(f"/proc/{crawl_pid}").exists() or "zombie" in Path(f"/proc/{crawl_pid}/status").read_text()
    assert "Stopped by SIGTERM." in err
    run = session.execute(select(CrawlRun)).scalar_one()
    assert run.status == "interrupted" and run.finished_at is not None
    assert "interrupted" in " ".join(out.split()) and f"(run {run.id})" in out


@pytest.mark.realdata
def test_a_crawl_stopped_before_anything_was_listed_is_interrupted_not_an_empty_feed(
    feed: FeedServer, govinfo: GovinfoMirror, crawl_env: dict[str, str], session: Session,
) -> None:
    # `tracker schedule --now` stopped (Ctrl-C, systemctl stop) while its first crawl still waited for GovInfo's
    # sitemap index: the run was recorded as failed, "GovInfo listed no BILLSTATUS files ...: upstream is empty or
    # its listing format changed", a verdict on the feed from a crawl that never heard from it.
    index = "sitemap/bulkdata/BILLSTATUS/sitemapindex.xml"
    feed.fault(index, Fault("delay", seconds=5.0, times=None))
    code, _, err = _run_until(["scrapy", "crawl", "govinfo_billstatus"], crawl_env, lambda: bool(feed.requests(index)))
    run = session.execute(select(CrawlRun)).scalar_one()
    assert (run.status, code) == ("interrupted", EXIT_PARTIAL), (run.message, err[-3000:])
    assert "upstream is empty" not in (run.message or "")


def _children(pid: int) -> list[int]:
    """The processes whose parent is PID, read from /proc: `pgrep` is not there on a minimal Debian (procps is not
    part of it), and the suite must pass where only Python and make are installed."""
    children = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            # "pid (comm) state ppid ...": comm may hold spaces and parentheses, so split after its last ")"
            fields = stat.read_text().rpartition(")")[2].split()
        except OSError:  # the process ended meanwhile
            continue
        if int(fields[1]) == pid:
            children.append(int(stat.parent.name))
    return sorted(children)


def _kill_if_alive(pid: int) -> None:
    """Kill the crawl PID if it still runs (and PID was not reused since by another program)."""
    try:
        if b"crawl" in Path(f"/proc/{pid}/cmdline").read_bytes():
            os.kill(pid, signal.SIGKILL)
    except (FileNotFoundError, ProcessLookupError):
        pass


def _stalled_crawl(feed: FeedServer, govinfo: GovinfoMirror, env: dict[str, str],
                   module_args: list[str]) -> subprocess.Popen[str]:
    """``python -m MODULE_ARGS`` started on a feed where one bill stalls for 30 s a try, returned once that bill
    is in flight: a SIGTERM then meets a crawl that cannot finish what it has in flight."""
    Path(env["TRACKER_CONFIG"]).write_text(TEST_CONFIG.replace("DOWNLOAD_TIMEOUT = 2.0", "DOWNLOAD_TIMEOUT = 60.0"))
    feed.fault(govinfo.bill_path(117, "hr", "4350"), Fault("delay", seconds=30.0, times=None))
    process = subprocess.Popen([sys.executable, "-m", *module_args], cwd=REPO_ROOT, env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 30
    while not feed.requests("bulkdata/BILLSTATUS/117/hr/BILLSTATUS-117hr4350.xml"):
        if time.monotonic() > deadline or process.poll() is not None:
            process.kill()
            raise AssertionError(process.communicate())
        time.sleep(0.1)
    return process


def test_a_turn_is_skipped_while_a_run_of_the_source_is_in_progress(
    crawl_env: dict[str, str], govinfo: GovinfoMirror, session: Session, monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    # A crawl started by hand (`tracker crawl`), here by this very process, which is alive: the scheduled turn
    # must not start a second crawl of the same source beside it.
    for key, value in crawl_env.items():
        monkeypatch.setenv(key, value)
    config.settings.cache_clear()
    running = start_run(session, source="govinfo_billstatus", args={"congresses": [117]})
    session.commit()
    # Real crawls against the feed server (run_crawl was replaced by a stub here): a turn that was not skipped
    # leaves a second run in the table.
    with caplog.at_level(logging.WARNING, logger="tracker.scheduler"):
        assert run_source_job("govinfo_billstatus") == 0
    config.settings.cache_clear()
    assert f"run {running.id} (started " in caplog.text and "is still running; this turn is skipped" in caplog.text
    assert session.execute(select(CrawlRun.id)).scalars().all() == [running.id]

    # A run of another host cannot be checked (a scheduler container killed and recreated has a new name):
    # it does not hold the source's turns.
    running.owner = "gone-container/41/12345"
    session.add(running)
    session.commit()
    assert run_source_job("govinfo_billstatus") == 0
    config.settings.cache_clear()
    session.expire_all()
    runs = session.execute(select(CrawlRun.id, CrawlRun.source, CrawlRun.status).order_by(CrawlRun.id)).all()
    assert [(source, status) for _, source, status in runs] == [
        ("govinfo_billstatus", "running"), ("govinfo_billstatus", "succeeded")]


def test_only_one_scheduler_runs_on_a_database(engine: Engine) -> None:
    with scheduler_lock(engine):
        with pytest.raises(SchedulerBusy, match="another `tracker schedule` is running on this database"):
            with scheduler_lock(engine):
                pass
    with scheduler_lock(engine):  # released when the first one stopped
        pass


def test_a_second_scheduler_process_is_refused(crawl_env: dict[str, str], session: Session) -> None:
    # APScheduler 3 does not share a job store between schedulers: both would run every job (two crawls of one
    # source at once, two alert passes). The second `tracker schedule` says so and exits 1; the first goes on.
    Path(crawl_env["TRACKER_CONFIG"]).write_text(TEST_CONFIG.replace(
        "[sources.govinfo_billstatus]\n", '[sources.govinfo_billstatus]\nschedule = "0 0 1 1 *"\n'))
    second: list[subprocess.CompletedProcess[str]] = []

    def refused() -> bool:
        if not _stored_jobs(session):
            return False  # the first one has not started yet
        second.append(subprocess.run([sys.executable, "-m", "tracker", "schedule"], cwd=REPO_ROOT, env=crawl_env,
                                     capture_output=True, text=True, timeout=60))
        return True

    code, _, err = _schedule_until(crawl_env, [], refused)
    assert code == 0, err[-3000:]
    assert second[0].returncode == 1, second[0].stderr[-3000:]
    assert "another `tracker schedule` is running on this database" in second[0].stderr
    assert "Scheduler started" not in second[0].stderr


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
    return _run_until(["tracker", "schedule", *args], env, ready)


def _run_until(module_args: list[str], env: dict[str, str], ready: Callable[[], bool]) -> tuple[int, str, str]:
    """``python -m MODULE ARGS...`` in a process of its own until ``ready()`` (30 s at most), then SIGTERM, as
    systemctl stop or Ctrl-C sends it: (exit code, stdout, stderr)."""
    process = subprocess.Popen([sys.executable, "-m", *module_args], cwd=REPO_ROOT, env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 30
        while not ready():
            assert time.monotonic() < deadline and process.poll() is None, process.communicate()
            time.sleep(0.1)
        process.send_signal(signal.SIGTERM)
        out, err = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    return process.returncode, out, err


def _stored_jobs(session: Session) -> list[str]:
    session.commit()  # a new transaction: see what the scheduler process wrote since
    if not inspect(session.get_bind()).has_table("apscheduler_jobs"):
        return []
    return list(session.execute(text("SELECT id FROM apscheduler_jobs")).scalars())


@pytest.mark.parametrize(("expression", "days"), [
    ("45 6 * * 1-5", ["Mon", "Tue", "Wed", "Thu", "Fri"]),
    ("0 6 * * 0", ["Sun"]), ("0 6 * * 7", ["Sun"]), ("0 6 * * 1", ["Mon"]),
    ("0 6 * * 0,6", ["Sat", "Sun"]), ("0 6 * * */2", ["Sun", "Tue", "Thu", "Sat"]),
    ("0 6 * * 1-7/3", ["Mon", "Thu", "Sun"]),
    ("0 6 * * mon-fri", ["Mon", "Tue", "Wed", "Thu", "Fri"]), ("0 6 * * *", None),
])
def test_days_of_the_week_are_read_as_crontab_numbers(expression: str, days: list[str] | None) -> None:
    # APScheduler 3 numbers the days from Monday = 0: "1-5" (crontab's Monday to Friday) crawled Tuesday to
    # Saturday, "0" (Sunday) on Mondays, and "7" (Sunday too) was refused.
    trigger = cron(expression, "schedule")
    at = dt.datetime(2026, 3, 1, tzinfo=dt.UTC)  # a Sunday
    fired = []
    for _ in range(14):
        at = trigger.get_next_fire_time(None, at + dt.timedelta(minutes=1))
        fired.append(at.strftime("%a"))
    order = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
    assert sorted(set(fired), key=order.index) == sorted(days or order, key=order.index)


def test_a_scheduled_crawl_reads_again_what_an_older_parser_read(
    crawl_env: dict[str, str], feed: FeedServer, govinfo: GovinfoMirror, session: Session,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # After an upgrade that fixed a parser, crawled bills kept the old reading until someone ran
    # `tracker crawl SOURCE --refresh`; on a server that runs by itself nobody reads `tracker status`.
    from tracker.models import Bill, BillChange, BillSource, SourceDocument
    from tracker.readings import older_readings

    for key, value in crawl_env.items():
        monkeypatch.setenv(key, value)
    config.settings.cache_clear()
    assert run_source_job("govinfo_billstatus") == 0
    right = dict(session.execute(select(Bill.id, Bill.stage)).all())
    assert right
    session.execute(SourceDocument.__table__.update().where(SourceDocument.bill_id.is_not(None)).values(read_by=0))
    session.execute(Bill.__table__.update().values(stage="failed"))
    session.execute(BillSource.__table__.update().values(content_hash="read by version 0"))
    session.commit()
    changes = session.execute(select(func.count()).select_from(BillChange)).scalar_one()

    feed.reset_log()
    assert run_source_job("govinfo_billstatus") == 0
    config.settings.cache_clear()
    session.expire_all()
    assert dict(session.execute(select(Bill.id, Bill.stage)).all()) == right
    assert older_readings(session) == []
    assert session.execute(select(func.count()).select_from(BillChange)).scalar_one() == changes  # no news
    fetched = len(feed.requests("bulkdata/BILLSTATUS/117/", status=200))
    assert fetched >= len(right)

    # Nothing older left: the next turn crawls as usual, conditional requests and all.
    feed.reset_log()
    assert run_source_job("govinfo_billstatus") == 0
    config.settings.cache_clear()
    assert feed.requests("bulkdata/BILLSTATUS/117/", status=200) == []


def test_refreshing_can_be_left_to_people(crawl_env: dict[str, str], feed: FeedServer, govinfo: GovinfoMirror,
                                          session: Session, monkeypatch: pytest.MonkeyPatch) -> None:
    from tracker.models import SourceDocument
    from tracker.readings import older_readings

    Path(crawl_env["TRACKER_CONFIG"]).write_text(
        TEST_CONFIG.replace("[crawl]\n", "[crawl]\nrefresh_older_readings = false\n"))
    for key, value in crawl_env.items():
        monkeypatch.setenv(key, value)
    config.settings.cache_clear()
    assert run_source_job("govinfo_billstatus") == 0
    session.execute(SourceDocument.__table__.update().where(SourceDocument.bill_id.is_not(None)).values(read_by=0))
    session.commit()
    assert run_source_job("govinfo_billstatus") == 0
    config.settings.cache_clear()
    session.expire_all()
    assert older_readings(session) != []


def test_no_embedding_process_follows_a_crawl_while_semantic_relevance_is_off(
        monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    monkeypatch.setenv("TRACKER_SEMANTIC", "off")
    assert not embeds_after_crawls()
    monkeypatch.setenv("TRACKER_SEMANTIC", "of")  # misspelt: said at every turn, not read as "auto"
    with caplog.at_level(logging.WARNING, logger="tracker.scheduler"):
        assert not embeds_after_crawls()
    assert "crawled bills are not embedded: TRACKER_SEMANTIC or [matching] semantic: expected one of auto, on, off, " \
           "got 'of'" in caplog.text
