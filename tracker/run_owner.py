"""Which process owns a crawl or import run, and whether that process is still alive.

A run is ``running`` from ``start_run`` until ``finish_run``. A process killed hard (SIGKILL, the machine's
out-of-memory killer, a power cut) never reaches ``finish_run``, and its run would say ``running`` for ever:
the dashboard would show a crawl in progress that is not, and the source's freshness would rest on it. So each
run records its owner, ``host/pid/start``. Readers show such a run as ``interrupted`` (``shown_status``) without
writing: a dashboard may connect with a role that cannot. The next run to start marks them in the database
(``sweep_abandoned_runs``). The process start time (Linux ``/proc``) tells a reused pid from the original.

Nothing here can see another host's processes (another machine, or another container: a container's host name
changes when it is recreated, so a scheduler container killed hard leaves its run to a host that is gone). Such
a run is taken as abandoned once it has run twice as long as a scheduled crawl may (``[crawl] max_run_hours``,
24 hours by default): the scheduler stops its crawls at that limit, and an import takes minutes. So is a run a
version before migration 0010 started, which recorded no owner.
"""

import datetime as dt
import os
import socket

from sqlalchemy import Engine, select
from sqlmodel import Session

from tracker.config import crawl_settings
from tracker.crawling import run_source
from tracker.models import CrawlRun
from tracker.models.base import utcnow
from tracker.models.enums import RunStatus


def _start_time(pid: int) -> str | None:
    """The process's start time in clock ticks since boot (``/proc/PID/stat`` field 22), None where there is
    no such process or no ``/proc``."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            stat = f.read()
    except OSError:
        return None
    # The command name (field 2) is in parentheses and may hold spaces or ")": fields 3.. follow the last ")".
    return stat[stat.rindex(b")") + 2:].split()[19].decode()


def owner_token() -> str:
    """This process, as a run's ``owner``."""
    pid = os.getpid()
    return f"{socket.gethostname()}/{pid}/{_start_time(pid) or ''}"


def is_gone(owner: str) -> bool:
    """True when ``owner`` was a process on this host that no longer runs (or whose pid another process
    now has). False for another host's process, or an owner this cannot read."""
    parts = owner.rsplit("/", 2)
    if len(parts) != 3 or not parts[1].isdigit():
        return False
    host, pid, started = parts[0], int(parts[1]), parts[2]
    if host != socket.gethostname():
        return False
    if os.path.isdir("/proc/self"):
        now_started = _start_time(pid)
        return now_started is None or (bool(started) and now_started != started)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:  # alive, owned by another user
        return False
    return False


def foreign_run_limit() -> dt.timedelta:
    """How long a run owned by another host may say ``running`` before it is taken as abandoned."""
    return dt.timedelta(hours=2 * crawl_settings().max_run_hours)


def abandoned_because(run: CrawlRun, *, now: dt.datetime | None = None,
                      foreign_limit: dt.timedelta | None = None) -> str | None:
    """Why a ``running`` run is abandoned (its message as an interrupted run), or None when it may still run."""
    if run.status != RunStatus.running.value:
        return None
    now = now or utcnow()
    kept = "what it saved before is kept"
    limit = foreign_limit or foreign_run_limit()
    if run.owner is None:  # started by a version before migration 0010: its process cannot be checked
        if run.started_at < now - limit:
            return (f"presumed ended without finishing: no end {limit.total_seconds() / 3600:g} hours after it "
                    f"started, and the version of the tracker that started it did not record its process; {kept}")
        return None
    parts = run.owner.rsplit("/", 2)
    if is_gone(run.owner):
        return (f"ended without finishing: its process (pid {parts[1]}) was gone when checked at "
                f"{now:%Y-%m-%d %H:%M UTC} (killed or crashed); {kept}")
    if len(parts) == 3 and parts[0] != socket.gethostname() and run.started_at < now - limit:
        return (f"presumed ended without finishing: no end {limit.total_seconds() / 3600:g} hours after it "
                f"started, and its process runs on host {parts[0]}, which this machine cannot check; {kept}")
    return None


def shown_status(run: CrawlRun, *, now: dt.datetime | None = None) -> tuple[str, str | None]:
    """(status, message) as a reader should show them: ``interrupted`` for an abandoned run."""
    why = abandoned_because(run, now=now)
    return (RunStatus.interrupted.value, why) if why else (run.status, run.message)


def sweep_abandoned_runs(session: Session, *, now: dt.datetime | None = None) -> int:
    """Mark ``interrupted`` every abandoned running run; returns how many. The caller commits. What such a run
    committed before it died stays (each batch is its own transaction)."""
    found = 0
    limit = foreign_run_limit()
    for run in session.execute(select(CrawlRun).where(CrawlRun.status == RunStatus.running.value)).scalars():
        why = abandoned_because(run, now=now, foreign_limit=limit)
        if why:
            run.status, run.message = RunStatus.interrupted.value, why
            session.add(run)
            found += 1
    return found


def close_launched_run(engine: Engine, source: str, launch_id: str, why: str) -> int | None:
    """After a crawl's process has ended: mark ``interrupted`` the run it left ``running`` (killed, or forced down
    by a second signal, it could not record its end), found by the ``launch_id`` its parent gave it; its id."""
    with Session(engine) as session:
        for run in session.execute(select(CrawlRun).where(CrawlRun.source == run_source(source),
                                                          CrawlRun.status == RunStatus.running.value)
                                   .order_by(CrawlRun.id.desc()).limit(20)).scalars():
            if (run.args or {}).get("launch_id") == launch_id:
                run.status, run.finished_at = RunStatus.interrupted.value, utcnow()
                run.message = f"{why}; what it saved before is kept"
                session.add(run)
                session.commit()
                return run.id
    return None


def close_own_runs(engine: Engine, why: str) -> list[int]:
    """Mark ``interrupted`` the runs this process still has ``running`` (it is about to exit without finishing
    them: a crawl forced down at its deadline); their ids."""
    closed = []
    with Session(engine) as session:
        for run in session.execute(select(CrawlRun).where(CrawlRun.status == RunStatus.running.value,
                                                          CrawlRun.owner == owner_token())).scalars():
            run.status, run.finished_at = RunStatus.interrupted.value, utcnow()
            run.message = f"{why}; what it saved before is kept"
            session.add(run)
            assert run.id is not None
            closed.append(run.id)
        session.commit()
    return closed


def running_run(engine: Engine, source: str) -> CrawlRun | None:
    """A run of ``source`` in progress in a live process of this machine. A run owned by another host cannot be
    checked: it may be the crawl of a scheduler container that was killed and recreated (a new host name), and
    holding the source's turns on it until it is presumed ended (twice max_run_hours) would stop crawling."""
    host = socket.gethostname()
    with Session(engine) as session:
        for run in session.execute(select(CrawlRun).where(CrawlRun.source == run_source(source),
                                                          CrawlRun.status == RunStatus.running.value)
                                   .order_by(CrawlRun.id.desc())).scalars():
            if (run.owner or "").rsplit("/", 2)[0] == host and abandoned_because(run) is None:
                return run
    return None
