"""A run whose process died without finishing it is marked interrupted, not left `running` for ever."""

import datetime as dt
import json
import os
import signal
import socket
import subprocess
import sys
import textwrap

from realdata_paths import REPO_ROOT, require_realdata
from sqlalchemy import Engine, func, select
from sqlmodel import Session
from typer.testing import CliRunner

from tracker import overview
from tracker.cli import app
from tracker.ingest import start_run
from tracker.models import Bill, CrawlRun
from tracker.models.base import utcnow
from tracker.run_owner import is_gone, owner_token, shown_status, sweep_abandoned_runs

# Starts a run as `tracker import` does, commits it, says so, then waits to be killed.
_OWNER_SCRIPT = textwrap.dedent("""
    import sys, time
    from sqlmodel import Session
    from tracker import db
    from tracker.ingest import start_run
    with Session(db.make_engine(sys.argv[1])) as s:
        run = start_run(s, source="import", kind="import", args={"path": "/feed"})
        s.commit()
        print(run.id, flush=True)
        time.sleep(600)
""")


def test_this_process_is_alive_and_other_hosts_are_not_judged() -> None:
    me = owner_token()
    host, pid, started = me.rsplit("/", 2)
    assert host == socket.gethostname() and int(pid) == os.getpid()
    assert not is_gone(me)
    assert not is_gone(f"another-host.example/{pid}/{started}")  # its processes are not visible here
    assert not is_gone("not an owner")


def test_a_reused_pid_is_told_apart_by_its_start_time() -> None:
    host, pid, started = owner_token().rsplit("/", 2)
    if not started:  # no /proc on this system: only a dead pid can be told
        return
    assert is_gone(f"{host}/{pid}/{int(started) + 1}")


def test_a_killed_process_leaves_its_run_interrupted_with_what_it_saved(database_url: str, engine: Engine) -> None:
    with subprocess.Popen([sys.executable, "-c", _OWNER_SCRIPT, database_url], cwd=REPO_ROOT,
                          env={**os.environ, "PYTHONPATH": str(REPO_ROOT)}, stdout=subprocess.PIPE,
                          text=True) as child:
        try:
            assert child.stdout is not None
            run_id = int(child.stdout.readline())
            with Session(engine) as s:
                assert sweep_abandoned_runs(s) == 0  # its process still runs
                assert s.get(CrawlRun, run_id).status == "running"  # type: ignore[union-attr]
            child.send_signal(signal.SIGKILL)
        finally:
            if child.poll() is None:
                child.kill()
    assert child.returncode == -signal.SIGKILL

    # What an operator or a council member looks at shows it, without writing (a dashboard's database role may
    # only read): `tracker runs`, the dashboard's source pages.
    result = CliRunner().invoke(app, ["runs", "--json"])
    assert result.exit_code == 0, result.output
    (row,) = json.loads(result.stdout)
    assert row["id"] == run_id and row["status"] == "interrupted" and row["finished_at"] is None
    assert f"(pid {child.pid}) was gone" in row["message"]
    with Session(engine) as s:
        assert [r["status"] for r in overview.recent_runs(s)] == ["interrupted"]
        assert {f.source: f.last_run_status for f in overview.freshness(s)} == {"import": "interrupted"}
        assert s.get(CrawlRun, run_id).status == "running"  # type: ignore[union-attr]

    with Session(engine) as s:  # the next run marks it in the database, and keeps its own owner
        later = start_run(s, source="import", kind="import")
        s.commit()
        stored = s.get(CrawlRun, run_id)
        assert stored is not None and stored.status == "interrupted" and "was gone" in (stored.message or "")
        assert later.status == "running" and later.owner == owner_token()
        assert {f.source: f.last_run_status for f in overview.freshness(s)} == {"import": "running"}


def test_another_hosts_run_is_presumed_ended_after_twice_the_crawl_limit(session: Session) -> None:
    # A scheduler container recreated after a hard kill: its old host name is gone, and nothing here can see
    # its processes. The limit is twice [crawl] max_run_hours (12 by default).
    now = utcnow()
    old = CrawlRun(source="govinfo_billstatus", started_at=now - dt.timedelta(hours=25),
                   owner="4f2a9c1e7b3d/7/123")
    recent = CrawlRun(source="congress_api", started_at=now - dt.timedelta(hours=23), owner="4f2a9c1e7b3d/8/124")
    session.add_all([old, recent])
    session.commit()
    status, message = shown_status(old)
    assert status == "interrupted" and session.get(CrawlRun, old.id).status == "running"  # shown, not written
    assert message == ("presumed ended without finishing: no end 24 hours after it started, and its process runs "
                       "on host 4f2a9c1e7b3d, which this machine cannot check; what it saved before is kept")
    assert shown_status(recent) == ("running", None)
    assert sweep_abandoned_runs(session) == 1
    assert (old.status, recent.status) == ("interrupted", "running")


def test_a_run_left_running_by_a_version_that_recorded_no_owner_is_presumed_ended_after_the_limit(
        session: Session) -> None:
    # Versions before migration 0010 recorded no owner; a run they left `running` (a crawl killed hard, or stopped
    # for the upgrade) said `running` for ever after upgrading: on the dashboard's sources page and in `tracker
    # runs`. Its process cannot be checked, as another host's cannot.
    now = utcnow()
    old = CrawlRun(source="govinfo_billstatus", started_at=now - dt.timedelta(days=9), owner=None)
    recent = CrawlRun(source="ca_pubinfo", started_at=now - dt.timedelta(hours=2), owner=None)
    session.add_all([old, recent])
    session.commit()
    assert shown_status(old) == ("interrupted", "presumed ended without finishing: no end 24 hours after it "
                                 "started, and the version of the tracker that started it did not record its "
                                 "process; what it saved before is kept")
    assert shown_status(recent) == ("running", None)
    assert sweep_abandoned_runs(session) == 1
    assert (old.status, recent.status) == ("interrupted", "running")


# `tracker import` killed outright (kill -9, the out-of-memory killer) once two batches are committed.
_KILLED_AFTER_TWO_BATCHES = textwrap.dedent("""
    import os, sys
    from pathlib import Path
    import tracker.importer
    from tracker import db
    from tracker.importer import import_path

    stored = tracker.importer._ingest_batch
    batches = []

    def ingest_then_die(*args, **kwargs):
        result = stored(*args, **kwargs)  # committed
        batches.append(result)
        if len(batches) == 2:
            os._exit(137)
        return result

    tracker.importer._ingest_batch = ingest_then_die
    import_path(db.make_engine(sys.argv[1]), Path(sys.argv[2]), batch_size=10, workers=1)
""")


def test_an_import_killed_part_way_shows_the_bills_it_committed(database_url: str, engine: Engine) -> None:
    # The run's counts were written only when the import ended: one killed after committing batches showed
    # "0 new" in `tracker runs` and on the dashboard, although its bills were stored.
    folder = require_realdata("billstatus", "usgpo_samples")
    child = subprocess.run([sys.executable, "-c", _KILLED_AFTER_TWO_BATCHES, database_url, str(folder)],
                           cwd=REPO_ROOT, env={**os.environ, "PYTHONPATH": str(REPO_ROOT)}, timeout=600)
    assert child.returncode == 137
    with Session(engine) as s:
        stored = s.execute(select(func.count()).select_from(Bill)).scalar_one()
    assert stored >= 10

    result = CliRunner().invoke(app, ["runs", "--json"])
    assert result.exit_code == 0, result.output
    (row,) = json.loads(result.stdout)
    assert row["status"] == "interrupted"
    assert row["new"] + row["updated"] == stored
    assert row["fetched"] >= stored
