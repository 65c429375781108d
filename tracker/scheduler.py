"""``tracker schedule``: one APScheduler 3.x job per enabled source, each crawl in its own process.

- Cadence: ``[sources.NAME] schedule`` in crontab syntax (minute hour day month day-of-week, UTC).
- Persistent job store: table ``apscheduler_jobs`` in the tracker's own database (APScheduler creates and owns
  it). Jobs name their function as ``tracker.scheduler:run_source_job``, so they survive restarts; a run that
  came due while the scheduler was down fires once at start-up (coalesced, within ``misfire_grace_time``).
- At most one instance of each job; a crawl still running when its next turn comes is not doubled.
- SIGTERM or Ctrl-C: no new crawls start, running ones are asked to stop (Scrapy finishes what is in flight
  and records the run), and the scheduler exits once they have.
"""

import datetime as dt
import logging
import signal
from typing import Any

from apscheduler.events import EVENT_SCHEDULER_STARTED
from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger
from sqlalchemy import Engine

from tracker import crawling
from tracker.config import CrawlSettings, SourceSettings, crawl_settings

log = logging.getLogger(__name__)

JOB_FUNCTION = "tracker.scheduler:run_source_job"
JOB_PREFIX = "crawl:"
JOBSTORE_TABLE = "apscheduler_jobs"
MISFIRE_GRACE_SECONDS = 6 * 3600
STOP_TIMEOUT_SECONDS = 300


def run_source_job(source: str) -> int:
    """The scheduled job: crawl ``source`` with its configured scope in a subprocess; returns the exit code."""
    crawl = crawl_settings()
    cfg = crawl.sources.get(source)
    if cfg is None:
        log.error("scheduled source %r is no longer configured; skipping", source)
        return crawling.EXIT_USAGE
    log.info("crawl %s starting", source)
    limit = crawl.max_run_hours * 3600
    # The spider reads its scope from the config.
    outcome = crawling.run_crawl(source, log_level="WARNING", timeout=limit)
    if outcome.seconds >= limit:
        log.warning("crawl %s reached [crawl] max_run_hours (%g) and was stopped; what it fetched is kept",
                    source, crawl.max_run_hours)
    level = logging.INFO if outcome.ok else logging.WARNING
    log.log(level, "crawl %s finished in %.0f s with exit code %d (see `tracker runs`)", source, outcome.seconds,
            outcome.exit_code)
    if outcome.exit_code in (crawling.EXIT_OK, crawling.EXIT_PARTIAL):  # it stored bills: embed them
        code = crawling.run_embed_catch_up()
        if code:
            log.warning("embedding the bills crawled from %s ended with exit code %d; `tracker topics embed` "
                        "retries", source, code)
    return outcome.exit_code


def trigger_for(source: SourceSettings) -> CronTrigger:
    try:
        return CronTrigger.from_crontab(source.schedule, timezone=dt.UTC)
    except ValueError as exc:
        raise SystemExit(f"[sources.{source.name}] schedule = {source.schedule!r} is not a crontab expression "
                         f"(minute hour day month day-of-week): {exc}") from None


def build_scheduler(engine: Engine, crawl: CrawlSettings | None = None, *, run_now: bool = False,
                    scheduler_class: type[BaseScheduler] = BlockingScheduler) -> Any:
    """A scheduler whose jobs are brought in line with the configuration when it starts."""
    crawl = crawl or crawl_settings()
    from tracker.alerts.jobs import trigger as alerts_trigger
    from tracker.matching.jobs import trigger as learn_trigger

    for source in crawl.sources.values():
        if source.enabled:
            trigger_for(source)  # a bad schedule stops us here, before anything starts
    alerts_trigger()
    learn_trigger()
    scheduler = scheduler_class(
        jobstores={"default": SQLAlchemyJobStore(engine=engine, tablename=JOBSTORE_TABLE)},
        executors={"default": ThreadPoolExecutor(max_workers=len(crawl.sources) + 2)},  # + alerts, learning
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": MISFIRE_GRACE_SECONDS},
        timezone=dt.UTC,
    )
    scheduler.add_listener(lambda _event: sync_jobs(scheduler, crawl, run_now=run_now), EVENT_SCHEDULER_STARTED)
    return scheduler


def sync_jobs(scheduler: BaseScheduler, crawl: CrawlSettings, *, run_now: bool = False) -> None:
    """Make the stored jobs match the configuration: one per enabled source, with its cadence.

    A stored job whose cadence did not change keeps its next run time, so a run missed while the scheduler
    was down still fires (once: coalesced); jobs of sources no longer enabled are removed.
    """
    wanted = {JOB_PREFIX + name: source for name, source in sorted(crawl.sources.items()) if source.enabled}
    for job in scheduler.get_jobs():
        if job.id.startswith(JOB_PREFIX) and job.id not in wanted:
            log.info("removing job %s: source no longer enabled", job.id)
            job.remove()
    now = dt.datetime.now(dt.UTC)
    for job_id, source in wanted.items():
        trigger, job = trigger_for(source), scheduler.get_job(job_id)
        if job is None or str(job.trigger) != str(trigger) or job.func_ref != JOB_FUNCTION:
            scheduler.add_job(JOB_FUNCTION, trigger=trigger, args=[source.name], id=job_id,
                              name=f"crawl {source.name}", replace_existing=True)
        if run_now:
            scheduler.modify_job(job_id, next_run_time=now)
    from tracker.alerts.jobs import sync_alert_job  # digests and instant alerts run in the same service
    from tracker.matching.jobs import sync_learn_job  # and the nightly learning from triage

    sync_alert_job(scheduler)
    sync_learn_job(scheduler)
    for job in scheduler.get_jobs():
        log.info("%s: %s, next run %s", job.id, job.trigger, job.next_run_time)


def serve_forever(engine: Engine, crawl: CrawlSettings | None = None, *, run_now: bool = False) -> int:
    """Run the scheduler in the foreground until SIGTERM/SIGINT; returns the process exit code."""
    scheduler = build_scheduler(engine, crawl, run_now=run_now)
    stopping: list[int] = []

    def stop(signum: int, _frame: Any) -> None:
        if stopping:
            return
        stopping.append(signum)
        asked = crawling.terminate_all(signal.SIGTERM)
        log.warning("%s received: no new crawls; asked %d running crawl(s) to stop", signal.Signals(signum).name,
                    asked)
        scheduler.shutdown(wait=False)

    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        scheduler.start()
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    if not crawling.wait_all(STOP_TIMEOUT_SECONDS):
        log.error("crawls still running after %d s were killed", STOP_TIMEOUT_SECONDS)
        return 1
    log.info("scheduler stopped")
    return 0
