"""Run errors are kept for [crawl] keep_errors_days; the runs keep their counts.

Before: a document broken upstream was recorded at every run, for ever (bench/operations_growth.py: 6,570 rows a
year for 3 broken documents; a thousand would add some 2 million). Now the errors of runs older than the horizon
go at the end of each crawl and import (or with `tracker db prune-errors`), except the latest run's of each
source; what the run counted stays, and the pages that list runs say why an old run's errors are not shown.
"""

import datetime as dt
import json
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select
from sqlmodel import Session
from typer.testing import CliRunner

from tracker import config, overview
from tracker.cli import app
from tracker.ingest import IngestResult, finish_run, record_error, start_run
from tracker.models import CrawlError, CrawlRun
from tracker.models.base import utcnow


def _run(session: Session, source: str, days_ago: float, broken: int) -> int:
    run = start_run(session, source=source)
    for n in range(broken):
        record_error(session, run=run, locator=f"https://example.org/{source}/broken{n}.xml", reason="cut short")
    finish_run(session, run=run, result=IngestResult())
    run.started_at = utcnow() - dt.timedelta(days=days_ago)
    run.finished_at = run.started_at + dt.timedelta(minutes=2)
    session.commit()
    assert run.id is not None
    return run.id


def _errors(session: Session, run_id: int) -> int:
    return session.execute(select(func.count()).select_from(CrawlError).where(CrawlError.run_id == run_id)
                           ).scalar_one()


@pytest.fixture
def keep_30_days(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "tracker.toml"
    path.write_text("[crawl]\nkeep_errors_days = 30\n")
    monkeypatch.setenv("TRACKER_CONFIG", str(path))
    config.settings.cache_clear()
    yield
    config.settings.cache_clear()


def test_old_runs_lose_their_errors_but_not_their_counts(engine: Engine, session: Session,
                                                         keep_30_days: None) -> None:
    old = _run(session, "govinfo_billstatus", 40, 3)
    recent = _run(session, "govinfo_billstatus", 10, 3)
    latest = _run(session, "govinfo_billstatus", 0.1, 3)
    only = _run(session, "legistar", 200, 2)  # a source that has not run since: its last errors stay

    result = CliRunner().invoke(app, ["db", "prune-errors"])
    assert result.exit_code == 0, result.output
    assert "3 error(s) of runs older than 30 days deleted" in result.output
    session.expire_all()
    assert [_errors(session, r) for r in (old, recent, latest, only)] == [0, 3, 3, 2]
    assert session.get(CrawlRun, old).failed == 3  # the run still says how many documents failed

    shown = CliRunner().invoke(app, ["runs", "--errors", "5", "--json"])
    rows = {row["id"]: row for row in json.loads(shown.stdout)}
    assert (rows[old]["failed"], rows[old]["errors"], rows[old]["errors_pruned"]) == (3, [], True)
    assert len(rows[recent]["errors"]) == 3 and not rows[recent]["errors_pruned"]
    text = CliRunner().invoke(app, ["runs", "--errors", "5"]).output
    assert f"run {old} (govinfo_billstatus): 3 error(s), not kept" in " ".join(text.split())
    fresh = {f.source: f.last_run_errors for f in overview.freshness(session)}
    assert fresh == {"govinfo_billstatus": 3, "legistar": 2}


def test_an_import_prunes_as_it_ends(engine: Engine, session: Session, keep_30_days: None, tmp_path: Path) -> None:
    old = _run(session, "govinfo_billstatus", 31, 2)
    _run(session, "govinfo_billstatus", 0.1, 2)
    broken = tmp_path / "broken.xml"
    broken.write_bytes(b"<billStatus><bill>cut short")
    assert CliRunner().invoke(app, ["import", "--quiet", str(broken)]).exit_code != 0
    session.expire_all()
    assert _errors(session, old) == 0 and session.get(CrawlRun, old).failed == 2


@pytest.mark.parametrize("value", ["0", "-1", '"90"', "true"])
def test_a_horizon_that_is_no_number_of_days_is_refused(value: str) -> None:
    with pytest.raises(config.ConfigError, match="crawl.keep_errors_days"):
        config.crawl_settings(env={}, doc={"crawl": {"keep_errors_days": json.loads(value)}})
