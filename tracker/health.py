"""``tracker status``: is the tracker doing its job? For the person who runs it, and for a monitor that runs it
every hour and raises the alarm on a non-zero exit.

The dashboard's freshness table judged every source by one age (26 hours) and listed only sources that had run:
a source enabled but never crawled was not there at all, a four-hourly crawl that had stopped was not stale for a
day, and nothing said whether ``tracker schedule`` was running. Here each enabled source is judged by its own
schedule (how many of its turns have come since its last success), and the scheduler by the lock every
scheduler holds while it runs. Bills an older version of their feed's parser read (``tracker.readings``) are
named with what reads them again: after an upgrade that fixed a parser, nothing else would say so.
"""

import datetime as dt
import fcntl
import ipaddress
import os
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from sqlalchemy import Engine, func, inspect, select, text
from sqlmodel import Session

from tracker import crawling, db
from tracker.alerts.settings import AlertConfigError, SmtpSettings, alert_settings, smtp_settings
from tracker.config import CrawlSettings
from tracker.models import CrawlRun
from tracker.models.alerts import AlertDigest
from tracker.models.base import utcnow
from tracker.models.enums import RunStatus
from tracker.readings import OlderReadings, older_readings
from tracker.run_owner import running_run

MISSED_TURNS_STALE = 2  # turns that came (and ended) since the last success before a source needs attention
OVERDUE_JOB = dt.timedelta(minutes=15)  # a stored job this far past its run time: no scheduler is firing it
RECENT_DIGESTS = dt.timedelta(days=7)  # failed digests older than this were seen (or retried) long ago


@dataclass
class SourceHealth:
    source: str
    schedule: str
    last_success: dt.datetime | None
    last_status: str | None
    running: bool
    missed_turns: int
    problem: str | None = None


@dataclass
class Health:
    scheduler_running: bool
    overdue_jobs: list[tuple[str, dt.datetime]]
    sources: list[SourceHealth]
    failed_digests: int
    retrying_digests: int
    older_readings: list[OlderReadings] = field(default_factory=list)
    # Alerts waiting for a digest while no SMTP server is set: none of them will ever be sent (people without
    # subscriptions of their own get their role's defaults, so this is every team that has not set [smtp]).
    unsent_alerts: int = 0
    alert_email_configured: bool = True
    # When digests go out and on which clock ([alerts] timezone, UTC unless set); None: [alerts] cannot be read
    # (a problem of its own).
    digest_times: str | None = None
    digest_timezone: str | None = None
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def scheduler_running(engine: Engine) -> bool:
    """Whether a ``tracker schedule`` holds this database's scheduler lock (``tracker.scheduler.scheduler_lock``),
    read without taking it."""
    from tracker.scheduler import _SCHEDULER_LOCK

    if engine.dialect.name == "postgresql":
        with engine.connect() as conn:
            return bool(conn.execute(text(
                "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted AND classid = :key "
                "AND objid::bigint = (hashtext(current_schema())::bigint & 4294967295) AND objsubid = 2"),
                {"key": _SCHEDULER_LOCK}).scalar_one())
    path = db.sqlite_file(engine)
    lock_path = f"{path}.scheduler.lock" if path else None
    if lock_path is None or not os.path.exists(lock_path):
        return False
    fd = os.open(lock_path, os.O_RDONLY)
    try:
        # A shared lock is refused while a scheduler holds its exclusive one; granted, it is given back at once.
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)  # releases the shared lock, if taken
    return False


def _overdue_jobs(engine: Engine, now: dt.datetime) -> list[tuple[str, dt.datetime]]:
    from tracker.scheduler import JOBSTORE_TABLE

    if not inspect(engine).has_table(JOBSTORE_TABLE):
        return []
    with engine.connect() as conn:
        rows = conn.execute(text(f"SELECT id, next_run_time FROM {JOBSTORE_TABLE} WHERE next_run_time IS NOT NULL"))
        due = [(job, dt.datetime.fromtimestamp(at, dt.UTC)) for job, at in rows]
    return sorted((job, at) for job, at in due if at < now - OVERDUE_JOB)


def _turns_since(schedule: str, since: dt.datetime, now: dt.datetime, limit: int = 10) -> int:
    """How many times the crontab ``schedule`` fired after ``since`` and up to ``now`` (at most ``limit``)."""
    from tracker.scheduler import cron

    trigger = cron(schedule, "schedule")
    turns, at = 0, trigger.get_next_fire_time(None, since + dt.timedelta(seconds=1))
    while at is not None and at <= now and turns < limit:
        turns += 1
        at = trigger.get_next_fire_time(at, at + dt.timedelta(seconds=1))
    return turns


def _this_machine_only(url: str) -> bool:
    """Whether ``url`` names this computer (localhost, 127.0.0.1, ::1): a link in an email that nobody reading it
    elsewhere can open."""
    host = (urlsplit(url).hostname or "").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _email_link_problems(smtp: SmtpSettings) -> list[str]:
    """The [alerts] addresses that digests link to (bills; feeds and one-click unsubscribe), when email goes out
    and they name this machine, as tracker.example.toml ships them."""
    if not smtp.configured:
        return []
    try:
        cfg = alert_settings()
    except AlertConfigError as exc:
        return [str(exc)]
    return [f"alert emails link to {url} ([alerts] {key}, {variable}), which opens only on this machine: set the "
            "address people reach it at"
            for key, variable, url in (("dashboard_url", "TRACKER_DASHBOARD_URL", cfg.dashboard_url),
                                       ("feeds_url", "TRACKER_FEEDS_URL", cfg.feeds_url))
            if _this_machine_only(url)]


def _aware(value: dt.datetime) -> dt.datetime:
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def check(engine: Engine, crawl: CrawlSettings, *, now: dt.datetime | None = None,
          smtp: SmtpSettings | None = None) -> Health:
    from tracker.alerts.delivery import pending_counts

    now = _aware(now or utcnow())
    smtp = smtp or smtp_settings()
    ok = (RunStatus.succeeded.value, RunStatus.partial.value)
    sources = []
    with Session(engine) as session:
        for cfg in (c for c in crawl.sources.values() if c.enabled):
            name = crawling.run_source(cfg.name)
            last_success = session.execute(select(func.max(CrawlRun.started_at)).where(
                CrawlRun.source == name, CrawlRun.kind == "crawl", CrawlRun.status.in_(ok))).scalar_one()
            last = session.execute(select(CrawlRun.status).where(CrawlRun.source == name, CrawlRun.kind == "crawl")
                                   .order_by(CrawlRun.started_at.desc(), CrawlRun.id.desc()).limit(1)).scalar()
            running = running_run(engine, cfg.name) is not None
            missed = _turns_since(cfg.schedule, _aware(last_success), now) if last_success else 0
            missed = max(0, missed - (1 if running else 0))  # the turn in progress has not missed anything
            health = SourceHealth(cfg.name, cfg.schedule, last_success, last, running, missed)
            if last_success is None:
                health.problem = f"{cfg.name}: enabled, and no crawl of it has succeeded yet"
            elif missed >= MISSED_TURNS_STALE:
                health.problem = (f"{cfg.name}: stale, {missed}{'+' if missed >= 10 else ''} scheduled turns "
                                  f"({cfg.schedule} UTC) since its last success at {last_success:%Y-%m-%d %H:%M} UTC")
            sources.append(health)
        digests = dict(session.execute(select(AlertDigest.status, func.count()).where(
            AlertDigest.status.in_(["failed", "retrying"]), AlertDigest.created_at >= now - RECENT_DIGESTS)
            .group_by(AlertDigest.status)).all())
        older = older_readings(session)
        waiting = pending_counts(session) if not smtp.configured else {}
    report = Health(scheduler_running=scheduler_running(engine), overdue_jobs=_overdue_jobs(engine, now),
                    sources=sources, failed_digests=digests.get("failed", 0),
                    retrying_digests=digests.get("retrying", 0), older_readings=older,
                    unsent_alerts=sum(waiting.values()), alert_email_configured=smtp.configured)
    try:
        alerts = alert_settings()
        report.digest_times, report.digest_timezone = alerts.send_times(), alerts.timezone_name
    except AlertConfigError:
        pass  # reported by _email_link_problems when email goes out
    if not report.scheduler_running:
        report.problems.append("the scheduler is not running: no `tracker schedule` holds this database's "
                               "scheduler lock (no crawls, alerts or learning happen)")
    for job, at in report.overdue_jobs:
        report.problems.append(f"job {job} was due at {at:%Y-%m-%d %H:%M} UTC and has not run")
    report.problems += [s.problem for s in sources if s.problem]
    if report.failed_digests:
        report.problems.append(f"{report.failed_digests} alert digest(s) of the last 7 days failed for good "
                               "(`tracker alerts log --status failed`, `tracker alerts retry ID`)")
    if report.unsent_alerts:
        report.problems.append(f"alert email is not set up (SMTP_HOST, or [smtp] host in tracker.toml): "
                               f"{report.unsent_alerts} alert(s) for {len(waiting)} person(s) wait and none is "
                               "sent until it is")
    report.problems += _email_link_problems(smtp)
    report.problems += [o.describe() for o in older]
    return report
