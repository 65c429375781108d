"""Each migration taken back and forward again on a database holding real bills and the organisation's data.

Runs on SQLite and, with DATABASE_URL, on PostgreSQL. Every row of the tables the first migration creates must be
there afterwards, as it was; the tables later migrations add are left empty here, since going back before a
migration drops what it added.
"""

from collections.abc import Iterator

import pytest
from alembic.script import ScriptDirectory
from realdata_paths import require_realdata
from schema_drift import schema_drift
from sqlalchemy import Engine, func, inspect, select, text
from sqlmodel import Session

from tracker import db, notes, positions, triage, users, watchlists
from tracker.importer import import_path
from tracker.ingest import record_error
from tracker.models import Bill, CrawlRun

# The organisation's tables and the crawled ones that point at them or at runs: compared row by row.
COMPARED_ROWS = ("position", "positionhistory", "note", "triagestate", "assignment", "watchlist", "watchlistitem",
                 "user", "crawlrun", "crawlerror", "billchange", "billsource", "sourcedocument")
# Columns a later migration adds to those tables: going back before it drops them with their values.
ADDED_LATER = {"crawlrun": {"owner"}}  # 0010


def _snapshot(engine: Engine) -> dict[str, object]:
    tables = sorted(t for t in inspect(engine).get_table_names()
                    if t != "alembic_version" and not t.startswith(("bill_fts", "sqlite_")))
    with engine.connect() as conn:
        counts = {t: conn.execute(text(f'SELECT count(*) FROM "{t}"')).scalar_one() for t in tables}
        rows = {}
        for t in COMPARED_ROWS:
            columns = ", ".join(f'"{c["name"]}"' for c in inspect(conn).get_columns(t)
                                if c["name"] not in ADDED_LATER.get(t, ()))
            rows[t] = [tuple(r) for r in conn.execute(text(f'SELECT {columns} FROM "{t}"')).all()]
    return {"counts": counts, "rows": {t: sorted(r, key=repr) for t, r in rows.items()}}


@pytest.fixture
def filled(engine: Engine) -> Iterator[Engine]:
    """Real BILLSTATUS files imported, and positions (two versions each), notes, triage, an assignment and a
    watchlist on them, with an error recorded against the import."""
    report = import_path(engine, require_realdata("billstatus", "usgpo_samples", "actions-committees"),
                         workers=0, flag=False)
    assert report.result.new >= 5
    with Session(engine) as s:
        admin = users.add_user(s, email="ada@example.org", role="admin")
        staff = users.add_user(s, email="sam@example.org", role="staff", actor=admin)
        bills = list(s.execute(text("SELECT id FROM bill ORDER BY id LIMIT 5")).scalars())
        for bill in bills:
            positions.set_position(s, actor=staff, bill_id=bill, stance="Support", expected_version=None)
            positions.set_position(s, actor=admin, bill_id=bill, stance="Oppose", rationale="Wider scope ✓",
                                   expected_version=1)
            notes.add_note(s, actor=staff, bill_id=bill, body=f"Asked the sponsor's office about {bill}.")
        triage.mark_relevant(s, actor=staff, bill_ids=bills[:3])
        triage.dismiss(s, actor=staff, bill_ids=bills[3:])
        triage.assign(s, actor=admin, bill_ids=bills[:2], assignee_id=staff.id, task="Brief the council")
        watchlist = watchlists.create_watchlist(s, actor=staff, name="Q3 meetings")
        watchlists.add_bills(s, actor=staff, watchlist_id=watchlist.id, bill_ids=bills)
        run = s.get(CrawlRun, report.run.id)
        record_error(s, run=run, locator="BILLSTATUS-116hr0.xml", reason="a damaged file")
        s.commit()
        assert s.execute(text("SELECT count(*) FROM billchange WHERE run_id IS NOT NULL")).scalar_one() >= 5
        assert s.execute(select(func.count()).select_from(Bill)).scalar_one() == report.result.new
    yield engine
    db.upgrade(engine)  # a failed step must not leave the database of the next test (PostgreSQL) behind


def test_each_migration_goes_back_and_forward_again_keeping_the_data(filled: Engine) -> None:
    before = _snapshot(filled)
    script = ScriptDirectory.from_config(db.alembic_config("sqlite://"))
    head = db.head_revision()
    for revision in (s.revision for s in script.walk_revisions() if s.revision != head):
        db.downgrade(filled, revision)
        assert db.current_revision(filled) == revision
        db.upgrade(filled)
        assert _snapshot(filled) == before, f"data changed going back to {revision} and forward again"
    assert schema_drift(filled) == []
    with filled.connect() as conn:  # foreign keys are enforced again on SQLite once the migrations are done
        if conn.dialect.name == "sqlite":
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar_one() == 1

