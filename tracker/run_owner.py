"""Which process owns a crawl or import run, and whether that process is still alive.

A run is ``running`` from ``start_run`` until ``finish_run``. A process killed hard (SIGKILL, the machine's
out-of-memory killer, a power cut) never reaches ``finish_run``, and its run would say ``running`` for ever:
the dashboard would show a crawl in progress that is not, and the source's freshness would rest on it. So each
run records its owner, ``host/pid/start``. Readers show such a run as ``interrupted`` (``shown_status``) without
writing: a dashboard may connect with a role that cannot. The next run to start marks them in the database
(``sweep_abandoned_runs``). The process start time (Linux ``/proc``) tells a reused pid from the original. Runs
owned by another host are left alone: nothing here can see that host's processes.
"""

import datetime as dt
import os
import socket

from sqlalchemy import select
from sqlmodel import Session

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


def _abandoned(run: CrawlRun) -> bool:
    return run.status == RunStatus.running.value and run.owner is not None and is_gone(run.owner)


def _abandoned_message(run: CrawlRun, now: dt.datetime | None = None) -> str:
    pid = (run.owner or "").rsplit("/", 2)[1]
    when = (now or utcnow()).strftime("%Y-%m-%d %H:%M UTC")
    return (f"ended without finishing: its process (pid {pid}) was gone when checked at {when} (killed or "
            "crashed); what it saved before is kept")


def shown_status(run: CrawlRun) -> tuple[str, str | None]:
    """(status, message) as a reader should show them: ``interrupted`` for a run whose process is gone."""
    if _abandoned(run):
        return RunStatus.interrupted.value, _abandoned_message(run)
    return run.status, run.message


def sweep_abandoned_runs(session: Session, *, now: dt.datetime | None = None) -> int:
    """Mark ``interrupted`` every running run whose process on this host is gone; returns how many. The caller
    commits. What such a run committed before it died stays (each batch is its own transaction)."""
    found = 0
    for run in session.execute(select(CrawlRun).where(CrawlRun.status == RunStatus.running.value,
                                                      CrawlRun.owner.is_not(None))).scalars():
        if _abandoned(run):
            run.status, run.message = RunStatus.interrupted.value, _abandoned_message(run, now)
            session.add(run)
            found += 1
    return found
