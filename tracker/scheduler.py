"""``tracker schedule``: one APScheduler 3.x job per enabled source, each crawl in its own process.

- Cadence: ``[sources.NAME] schedule`` in crontab syntax (minute hour day month day-of-week, UTC).
- Persistent job store: table ``apscheduler_jobs`` in the tracker's own database (APScheduler creates and owns
  it). Jobs name their function as ``tracker.scheduler:run_source_job``, so they survive restarts; a run that
  came due while the scheduler was down fires once at start-up (coalesced, within ``misfire_grace_time``).
- At most one instance of each job; a crawl still running when its next turn comes is not doubled, nor is
  one started by hand (``tracker crawl``) on this machine: the turn is skipped while a live process of this
  host runs that source.
- One scheduler per database: APScheduler 3 does not coordinate two schedulers sharing a job store (each runs
  every job: two crawls of one source at once, two alert passes), so a second ``tracker schedule`` is refused
  while the first holds the scheduler lock (PostgreSQL: an advisory lock on a connection held open;
  SQLite: a lock file beside the database, ``flock``).
- A crawl keeps ``max_run_hours`` itself (``scrapers.deadline``): at the limit it stops as on SIGTERM, and if it
  has not stopped 60 s later (a graceful Scrapy stop waits for requests in flight, and a server that stalls
  keeps them there) it closes its run as ``interrupted`` and exits. So a crawl whose scheduler was killed
  (kill -9, the out-of-memory killer) still ends at the limit. Should the crawl be hung beyond that, the
  scheduler sends SIGTERM a minute later and kills it 60 s after, closing its run here, saying why.
- Each scheduled crawl also fetches again the documents an older version of its parser read (``--refresh``,
  ``[crawl] refresh_older_readings``), so a server upgraded with a parser fix brings its crawled bills up to it.
- SIGTERM or Ctrl-C: no new crawls start, running ones are asked to stop (Scrapy finishes what is in flight
  and records the run), and the scheduler exits once they have.
"""

import contextlib
import datetime as dt
import logging
import os
import signal
import socket
import uuid
from collections.abc import Iterator
from typing import Any

from apscheduler.events import EVENT_SCHEDULER_STARTED
from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger
from sqlalchemy import Engine

from tracker import crawling, db
from tracker.config import ConfigError, CrawlSettings, SourceSettings, crawl_settings
from tracker.models.base import utcnow
from tracker.run_owner import close_launched_run, running_run

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
    engine = db.get_engine()
    busy = running_run(engine, source)
    if busy is not None:  # e.g. a `tracker crawl` started by hand: two crawls of one source would race
        log.warning("crawl %s: run %s (started %s UTC by %s) is still running; this turn is skipped", source,
                    busy.id, f"{busy.started_at:%Y-%m-%d %H:%M}", busy.owner)
        return crawling.EXIT_OK
    log.info("crawl %s starting", source)
    limit = crawl.max_run_hours * 3600
    launch_id = f"schedule-{uuid.uuid4().hex}"
    # The spider reads its scope from the config. It keeps the limit itself (scrapers.deadline), so a crawl
    # whose scheduler is killed meanwhile still ends at it, and records why. Refreshing changes nothing unless
    # an older parser read some of the source's documents (tracker.crawlstore); a long refresh that reaches the
    # limit goes on at the next turn, since what it fetched is no longer counted as older.
    refresh = {"TRACKER_REFRESH": "1"} if crawl.refresh_older_readings else None
    outcome = crawling.run_crawl(source, settings=refresh, log_level="WARNING", max_seconds=limit,
                                 launch_id=launch_id)
    if outcome.seconds >= limit:
        log.warning("crawl %s reached [crawl] max_run_hours (%g) and was stopped; what it fetched is kept",
                    source, crawl.max_run_hours)
    # The crawl's process has ended: a run of it still "running" will never record its end (killed, or forced
    # down by a second signal), so it is closed here rather than left for a later run's sweep.
    if outcome.stopped_by_parent:  # hung past its own deadline and grace: stopped from here
        why = f"stopped by the scheduler after [crawl] max_run_hours ({crawl.max_run_hours:g} h)"
        if outcome.exit_code < 0:
            why += f" and killed when it did not stop within {crawling.TERM_GRACE_SECONDS:g} s"
    elif outcome.exit_code < 0:
        why = f"ended by signal {-outcome.exit_code} before it could record its end"
    else:
        why = f"ended (exit code {outcome.exit_code}) before it could record its end"
    closed = close_launched_run(engine, source, launch_id, why)
    if closed is not None:
        log.warning("crawl %s: run %s marked interrupted (%s)", source, closed, why)
    level = logging.INFO if outcome.ok else logging.WARNING
    log.log(level, "crawl %s finished in %.0f s with exit code %d (see `tracker runs`)", source, outcome.seconds,
            outcome.exit_code)
    if outcome.exit_code in (crawling.EXIT_OK, crawling.EXIT_PARTIAL) and embeds_after_crawls():  # it stored bills
        code = crawling.run_embed_catch_up()
        if code:
            log.warning("embedding the bills crawled from %s ended with exit code %d; `tracker topics embed` "
                        "retries", source, code)
    return outcome.exit_code


def embeds_after_crawls() -> bool:
    """Whether crawled bills get embedded, by the settings the scheduler runs with (as its crawls' are): with
    semantic relevance off or not installed, the embedding process only started and ended, two seconds of a
    core after every crawl."""
    from tracker.matching import semantic

    try:
        return semantic.enabled()
    except semantic.SemanticUnavailable as exc:  # switched on without the model, or misspelt: say so each turn
        log.warning("crawled bills are not embedded: %s", exc)
        return False


_DAY_NAMES = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")  # crontab's numbers: 0 (and 7) is Sunday


def _crontab_days(field: str) -> str:
    """A crontab day-of-week field with its numbers as day names. APScheduler 3 numbers days from Monday = 0, so
    read as it is, crontab's "1-5" (Monday to Friday) fired Tuesday to Saturday and "0" (Sunday) on Mondays."""
    if not any(c.isdigit() for c in field):
        return field  # "*", names: the same in both
    days: set[int] = set()
    for part in field.split(","):
        span, _, step = part.partition("/")
        if span == "*":
            first, last = 0, 6
        elif "-" in span:
            first_text, _, last_text = span.partition("-")
            first, last = int(first_text), int(last_text)
        else:
            first = last = int(span)
            if step:  # "1/2": from Monday on, every other day
                last = 7
        if not (0 <= first <= 7 and 0 <= last <= 7 and first <= last):
            raise ValueError(f"{part!r} is not a day of the week (0-7, 0 and 7 Sunday)")
        days.update(day % 7 for day in range(first, last + 1, int(step) if step else 1))
    return ",".join(_DAY_NAMES[day] for day in sorted(days))


def cron(expression: str, setting: str) -> CronTrigger:
    """A crontab expression (UTC) as a trigger, or SystemExit naming the ``setting`` it came from."""
    try:
        fields = expression.split()
        if len(fields) == 5:
            fields[4] = _crontab_days(fields[4])
        return CronTrigger.from_crontab(" ".join(fields), timezone=dt.UTC)
    except ValueError as exc:
        raise ConfigError(f"{setting} = {expression!r} is not a crontab expression "
                         f"(minute hour day month day-of-week): {exc}") from None


def trigger_for(source: SourceSettings) -> CronTrigger:
    return cron(source.schedule, f"[sources.{source.name}] schedule")


def build_scheduler(engine: Engine, crawl: CrawlSettings | None = None, *, run_now: bool = False,
                    scheduler_class: type[BaseScheduler] = BlockingScheduler) -> Any:
    """A scheduler whose jobs are brought in line with the configuration when it starts."""
    crawl = crawl or crawl_settings()
    from tracker.alerts.jobs import trigger as alerts_trigger
    from tracker.matching.jobs import trigger as learn_trigger

    for source in crawl.sources.values():
        if source.enabled:
            trigger_for(source)  # a bad schedule stops us here, before anything starts
    alerts_trigger()  # and so does a bad [alerts] setting: in the start-up listener it was only logged
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
    jobs = [(job_id, JOB_FUNCTION, trigger_for(source), f"crawl {source.name}", [source.name])
            for job_id, source in wanted.items()]
    # Digests and instant alerts, and the nightly learning from triage, run in the same service.
    from tracker.alerts import jobs as alert_jobs
    from tracker.matching import jobs as learn_jobs

    jobs += [(m.JOB_ID, m.JOB_FUNCTION, m.trigger(), m.JOB_NAME, []) for m in (alert_jobs, learn_jobs)]
    for job_id, func_ref, trigger, name, args in jobs:
        job = scheduler.get_job(job_id)
        if job is None or str(job.trigger) != str(trigger) or job.func_ref != func_ref:
            scheduler.add_job(func_ref, trigger=trigger, args=args, id=job_id, name=name, replace_existing=True)
        if run_now:  # --now: every job once at start
            scheduler.modify_job(job_id, next_run_time=now)
    for job in scheduler.get_jobs():
        log.info("%s: %s, next run %s", job.id, job.trigger, job.next_run_time)


class SchedulerBusy(RuntimeError):
    """Another ``tracker schedule`` runs on this database."""


# PostgreSQL: the two-number form of advisory locks: this number, and the schema's name hashed, so trackers in two
# schemas of one database (the test suite's, for one) each have their own scheduler (tracker.ingest's writer lock
# is keyed the same way, under another first number).
_SCHEDULER_LOCK = 0x7363_6864  # "schd"
_PG_TRY_LOCK = f"SELECT pg_try_advisory_lock({_SCHEDULER_LOCK}, hashtext(current_schema()))"
_PG_UNLOCK = f"SELECT pg_advisory_unlock({_SCHEDULER_LOCK}, hashtext(current_schema()))"


@contextlib.contextmanager
def scheduler_lock(engine: Engine) -> Iterator[None]:
    """Hold the database's one scheduler slot for the life of the block, or raise SchedulerBusy."""
    if engine.dialect.name == "postgresql":
        conn = engine.connect()  # held open: a session-level advisory lock ends with its connection
        try:
            if not conn.exec_driver_sql(_PG_TRY_LOCK).scalar():
                raise SchedulerBusy("another `tracker schedule` is running on this database (it holds the "
                                    "scheduler's advisory lock); stop it first, or let it be the one")
            conn.commit()
            try:
                yield
            finally:
                conn.exec_driver_sql(_PG_UNLOCK)
                conn.commit()
        finally:
            conn.close()
        return
    path = engine.url.database if engine.dialect.name == "sqlite" else None
    if not path or path == ":memory:":
        yield
        return
    import fcntl

    lock_path = f"{path}.scheduler.lock"
    fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 200, 0).decode(errors="replace").strip() or "unknown"
            raise SchedulerBusy(f"another `tracker schedule` is running on this database ({holder}; lock file "
                                f"{lock_path}); stop it first, or let it be the one") from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"host {socket.gethostname()}, pid {os.getpid()}, since "
                      f"{utcnow():%Y-%m-%d %H:%M} UTC\n".encode(), 0)
        yield
    finally:
        os.close(fd)  # releases the lock


def serve_forever(engine: Engine, crawl: CrawlSettings | None = None, *, run_now: bool = False) -> int:
    """Run the scheduler in the foreground until SIGTERM/SIGINT; returns the process exit code (1 when another
    scheduler already runs on this database)."""
    try:
        with scheduler_lock(engine):
            return _serve(engine, crawl, run_now=run_now)
    except SchedulerBusy as exc:
        log.error("%s", exc)
        return 1


def _serve(engine: Engine, crawl: CrawlSettings | None, *, run_now: bool) -> int:
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
