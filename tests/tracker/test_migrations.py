"""Each migration taken back and forward again on a database holding real bills and the organisation's data.

Runs on SQLite and, with DATABASE_URL, on PostgreSQL. Every row of the tables the first migration creates must be
there afterwards, as it was; the tables later migrations add are left empty here, since going back before a
migration drops what it added.
"""

import datetime as dt
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic.script import ScriptDirectory
from realdata_paths import REPO_ROOT, require_realdata
from schema_drift import schema_drift
from sqlalchemy import Engine, func, inspect, select, text
from sqlalchemy.engine import make_url
from sqlmodel import Session

from tracker import db, notes, positions, triage, users, watchlists
from tracker.importer import import_path
from tracker.ingest import record_error
from tracker.models import Bill, CrawlRun, User

# The organisation's tables and the crawled ones that point at them or at runs: compared row by row.
COMPARED_ROWS = ("position", "positionhistory", "note", "triagestate", "assignment", "watchlist", "watchlistitem",
                 "user", "crawlrun", "crawlerror", "billchange", "billsource", "sourcedocument")
# Columns a later migration adds to those tables: going back before it drops them with their values.
# 0020 marks the documents stored before it as read by each parser's version 1: after going back before it, a
# document a later version read is marked version 1 (it will be read again, as after an upgrade).
ADDED_LATER = {"crawlrun": {"owner"}, "sourcedocument": {"read_by"}}  # 0010, 0020


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
        if revision == "0005":  # 0006 adds the roll calls' table (BILLSTATUS files fill it): going back drops them
            with filled.begin() as conn:
                conn.execute(text("DELETE FROM voteevent"))
            before = _snapshot(filled)
        db.downgrade(filled, revision)
        assert db.current_revision(filled) == revision
        db.upgrade(filled)
        assert _snapshot(filled) == before, f"data changed going back to {revision} and forward again"
    assert schema_drift(filled) == []
    with filled.connect() as conn:  # foreign keys are enforced again on SQLite once the migrations are done
        if conn.dialect.name == "sqlite":
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar_one() == 1



def _history(engine: Engine) -> list[tuple[object, ...]]:
    """Every history row as 0014 held it (the columns it had), in id order."""
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(text(
            "SELECT id, position_id, bill_id, version, stance, priority, rationale, previous_stance, "
            "previous_priority, author_id, changed_at FROM positionhistory ORDER BY id"))]


def _position_key_on_delete(engine: Engine) -> str | None:
    [key] = [fk for fk in inspect(engine).get_foreign_keys("positionhistory") if fk["referred_table"] == "position"]
    return (key.get("options") or {}).get("ondelete")


def test_0015_keeps_existing_history_and_withdrawals_no_longer_erase_it(filled: Engine) -> None:
    """A database at 0014 holding five positions with two versions each: the history cascaded from the position,
    so deleting one erased its audit trail. After 0015 every row is as it was, a withdrawal keeps them, and
    going back drops only what 0014 cannot hold."""
    db.downgrade(filled, "0014")
    at_0014 = _history(filled)
    assert len(at_0014) == 10 and _position_key_on_delete(filled) == "CASCADE"
    db.upgrade(filled)
    assert db.current_revision(filled) == db.head_revision() and schema_drift(filled) == []
    assert _history(filled) == at_0014
    assert _position_key_on_delete(filled) == "SET NULL"
    with filled.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM positionhistory WHERE withdrawn")).scalar_one() == 0
    with Session(filled) as s:
        staff = s.execute(select(User).where(User.email == "sam@example.org")).scalar_one()
        bill = at_0014[0][2]
        positions.withdraw_position(s, actor=staff, bill_id=bill, expected_version=2, reason="Taken by mistake")
        s.commit()
        assert positions.get_position(s, bill_id=bill) is None
        assert [(h["version"], h["withdrawn"], h["stance"]) for h in positions.history(s, bill_id=bill)] == [
            (3, True, None), (2, False, "Oppose"), (1, False, "Support")]
        assert positions.set_position(s, actor=staff, bill_id=bill, stance="Watch",
                                      expected_version=None)["version"] == 4
        s.commit()
    untouched = [r for r in at_0014 if r[2] != bill]
    assert [r for r in _history(filled) if r[2] != bill] == untouched
    # Back to 0014: the withdrawal and the versions of the withdrawn position go (0014 has no place for them);
    # every other bill's history, and the position set again, stay.
    db.downgrade(filled, "0014")
    assert [r for r in _history(filled) if r[2] != bill] == untouched
    assert [(r[3], r[4]) for r in _history(filled) if r[2] == bill] == [(4, "Watch")]
    assert _position_key_on_delete(filled) == "CASCADE"
    db.upgrade(filled)  # and forward again, from the key the downgrade named
    assert schema_drift(filled) == [] and _position_key_on_delete(filled) == "SET NULL"


@pytest.fixture
def empty_database(database_url: str, tmp_path: Path) -> Iterator[str]:
    """A database with no schema yet, on the dialect the suite runs on (a schema of its own on PostgreSQL)."""
    if not database_url.startswith("sqlite"):
        schema = f"empty_{uuid.uuid4().hex[:8]}"
        admin = db.make_engine(database_url)
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        yield make_url(database_url).update_query_dict({"options": f"-csearch_path={schema}"}).render_as_string(
            hide_password=False)
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()
        return
    yield f"sqlite:///{tmp_path / 'fresh.db'}"


def test_upgrades_started_at_once_run_one_after_the_other(empty_database: str) -> None:
    # Two containers starting together, each running `tracker db upgrade`: all but one failed ("table crawlrun
    # already exists", a duplicate alembic_version on PostgreSQL), and on SQLite, whose migrations ran statement
    # by statement, they could interleave.
    env = {**os.environ, "DATABASE_URL": empty_database}
    runs = [subprocess.Popen([sys.executable, "-m", "tracker", "db", "upgrade", "--no-backup"], cwd=REPO_ROOT,
                             env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True) for _ in range(3)]
    outputs = [run.communicate(timeout=300)[0] for run in runs]
    assert [run.returncode for run in runs] == [0, 0, 0], outputs
    engine = db.make_engine(empty_database)
    assert db.current_revision(engine) == db.head_revision() and schema_drift(engine) == []
    engine.dispose()


def test_a_migration_that_fails_halfway_leaves_nothing_behind(database_url: str) -> None:
    """On SQLite too, where statements ran one by one: the schema and version stay as they were."""
    engine = db.make_engine(database_url)
    with pytest.raises(RuntimeError), db._migrating(engine) as cfg:
        conn = cfg.attributes["connection"]
        conn.execute(text("CREATE TABLE half_done (a integer)"))
        conn.execute(text("UPDATE alembic_version SET version_num = '0001'"))
        raise RuntimeError("a migration failing halfway")
    assert "half_done" not in inspect(engine).get_table_names()
    assert db.current_revision(engine) == db.head_revision()
    engine.dispose()


def test_0024_keeps_existing_feed_urls_working_with_only_a_hash_stored(engine: Engine) -> None:
    """Feed secrets were stored as they are, so a database copy read every feed. After 0024 only their SHA-256 is
    kept, and the URLs already in people's feed readers keep working."""
    db.downgrade(engine, "0023")
    old = "Vx3kq9LrTzYw0b1cPq2sDf4gHj5kLm6n"
    with Session(engine) as s:
        sam = users.add_user(s, email="sam@example.org", role="admin")
        s.commit()
        s.execute(text("INSERT INTO alertprofile (user_id, feed_token, unsubscribe_token, email_enabled, "
                       "defaults_applied, created_at) VALUES (:u, :f, 'unsub-token-0000000000', :t, :t, :c)"),
                  {"u": sam.id, "f": old, "t": True, "c": "2026-12-01 00:00:00"})
        s.commit()
    db.upgrade(engine)
    assert schema_drift(engine) == []
    from tracker.alerts import subscriptions
    with Session(engine) as s:
        assert subscriptions.user_for_feed_token(s, old).email == "sam@example.org"
        row = s.execute(text("SELECT * FROM alertprofile")).one()
        assert old not in [str(v) for v in row]
    db.downgrade(engine, "0023")  # back: the old column holds a usable secret again (a new one; the hash is
    with engine.connect() as conn:  # all there is), never an empty one
        [(value,)] = conn.execute(text("SELECT feed_token FROM alertprofile")).all()
        assert value and value != old
    db.upgrade(engine)


def _session_names(engine: Engine) -> dict[tuple[str, str], str]:
    with engine.connect() as conn:
        return {(j, i): n for j, i, n in conn.execute(text(
            "SELECT jurisdiction_id, identifier, name FROM legislativesession"))}


def test_0026_names_stored_california_extraordinary_sessions_as_california_does(engine: Engine) -> None:
    """The real 1999-2000 pubinfo archive (regular session and First Extraordinary Session) as a version before
    December 2026 stored it: the extraordinary session named "1999-2000 Special Session 1". Upgrading names it as
    California does, as a fresh import would; names a feed gave in its own words are left alone; running the
    step again changes nothing."""
    assert import_path(engine, require_realdata("ca_pubinfo", "pubinfo_nomindnick_ca-leginfo-mcp", "archive",
                                                "1999"), workers=0, flag=False).errors == []
    current = _session_names(engine)
    assert current[("ca", "19992000s1")] == "1999-2000 First Extraordinary Session"
    db.downgrade(engine, "0025")
    with engine.begin() as conn:
        conn.execute(text("UPDATE legislativesession SET name = '1999-2000 Special Session 1' "
                          "WHERE identifier = '19992000s1'"))
        # LegiScan's own wording for another session, and another state's special session: not ours to rename.
        conn.execute(text("INSERT INTO legislativesession (jurisdiction_id, identifier, name) VALUES "
                          "('ca', '20232024s1', '2023-2024 1st Special Session'), "
                          "('ca', '20212022s2', '2021-2022 Special Session 2')"))
    db.upgrade(engine)
    renamed = _session_names(engine)
    assert renamed == {**current, ("ca", "20232024s1"): "2023-2024 1st Special Session",
                       ("ca", "20212022s2"): "2021-2022 Second Extraordinary Session"}
    db.downgrade(engine, "0025")  # the name is right for the version before too: going back keeps it
    assert _session_names(engine) == renamed
    db.upgrade(engine)
    assert _session_names(engine) == renamed


def test_0027_keeps_unsubscribe_links_already_sent_working_with_only_a_hash_stored(engine: Engine) -> None:
    """Unsubscribe secrets were stored as they are; after 0027 only their SHA-256 is kept, and the links in
    emails already sent keep working."""
    db.downgrade(engine, "0026")
    old = "Qm7rT2xLk9PzWv4bNc8dYh3jFs6gKa1e"
    with Session(engine) as s:
        sam = users.add_user(s, email="sam@example.org", role="admin")
        s.commit()
        sam_id = sam.id
        s.execute(text("INSERT INTO alertprofile (user_id, feed_token_hash, unsubscribe_token, email_enabled, "
                       "defaults_applied, created_at) VALUES (:u, NULL, :x, :t, :t, :c)"),
                  {"u": sam_id, "x": old, "t": True, "c": "2026-12-01 00:00:00"})
        s.commit()
    db.upgrade(engine)
    assert schema_drift(engine) == []
    from tracker.alerts import subscriptions
    from tracker.models import AlertProfile
    with engine.connect() as conn:
        stored = [str(v) for t in ("alertprofile", "unsubscribelink")
                  for row in conn.execute(text(f'SELECT * FROM "{t}"')) for v in row]
    assert old not in stored
    with Session(engine) as s:
        assert subscriptions.unsubscribe_by_token(s, old).email == "sam@example.org"
        s.commit()
        assert s.get(AlertProfile, sam_id).email_enabled is False
    db.downgrade(engine, "0026")  # back: the old column holds a usable secret (a new one), never an empty one
    with engine.connect() as conn:
        [(value,)] = conn.execute(text("SELECT unsubscribe_token FROM alertprofile")).all()
        assert value and value != old
    db.upgrade(engine)


def test_0034_indexes_the_long_summaries_already_stored(engine: Engine, tmp_path: Path) -> None:
    """H.R. 1319 of the 117th stored before 0034: the upgrade writes its summary's parts (PostgreSQL), so a phrase
    past the summary's 255th "the" is found at once, and no phrase runs from its titles into its summary (this code
    searches a database at 0034 or later only: at 0033 the parts are gone)."""
    import tarfile

    from tracker.search import matching_bill_ids

    with tarfile.open(require_realdata("billstatus", "congress117", "c117_all.tar.gz"), "r|gz") as tar:
        member = next(m for m in tar if m.name == "data/117/bills/hr/hr1319/fdsys_billstatus.xml")
        (tmp_path / "hr1319.xml").write_bytes(tar.extractfile(member).read())  # type: ignore[union-attr]
    # Stored by this code (which writes later migrations' columns too), then taken back to 0033: the bill as a
    # database at 0033 holds it, without the summary's parts.
    assert import_path(engine, tmp_path / "hr1319.xml", flag=False).errors == []
    db.downgrade(engine, "0033")
    assert "bill_fts_part" not in inspect(engine).get_table_names()

    def found(query: str) -> int:
        with Session(engine) as s:
            return len(s.execute(matching_bill_ids(s, query)).all())

    db.upgrade(engine)
    assert found('"revises the amortization rules"') == 1 == found('"american rescue plan act of 2021"')
    assert found('"act of 2021 american rescue"') == 1  # the short title follows the title: one field
    assert found('"2021 american rescue plan act of 2021 this bill"') == 0  # from the titles into the summary


def test_0035_going_back_keeps_federal_roll_calls_and_drops_only_their_numbers(filled: Engine) -> None:
    """116th H.R. 3055 (actions-committees/) lists seven roll calls bill-level: stored with their roll numbers,
    kept going back to 0034 (which has no such column) and forward again, then without a number until read again."""
    query = text("SELECT id, source_key, roll_number FROM voteevent ORDER BY id")
    with filled.connect() as conn:
        before = [tuple(r) for r in conn.execute(query)]
    assert len(before) == 7 and all(number for _, _, number in before)
    assert sorted(number for _, _, number in before) == [330, 341, 364, 365, 407, 408, 631]
    db.downgrade(filled, "0034")
    assert "roll_number" not in {c["name"] for c in inspect(filled).get_columns("voteevent")}
    db.upgrade(filled)
    with filled.connect() as conn:
        assert [tuple(r) for r in conn.execute(query)] == [(i, key, None) for i, key, _ in before]


def test_0038_dates_the_first_flag_of_bills_flagged_before_it_without_calling_them_new(filled: Engine) -> None:
    """Bills flagged before 0038 get a first flag from what was stored: the alerts' "newly flagged" event where
    alerts reported one, else when the tracker first stored the bill; never the match's own stamp, which the last
    re-score (a rule edit) set to a moment ago and would have called every flagged bill new."""
    from tracker.models import AlertEvent, BillMatch, Topic
    from tracker.models.base import utcnow

    db.downgrade(filled, "0037")
    reported = dt.datetime(2026, 11, 20, 8, 0, tzinfo=dt.UTC)
    with Session(filled) as s:
        old, reported_bill, was_baseline, unflagged = s.execute(select(Bill.id).order_by(Bill.id).limit(4)).scalars()
        seen = dict(s.execute(select(Bill.id, Bill.first_seen_at)).all())
        topic = Topic(slug="broadband", name="Broadband")
        s.add(topic)
        s.flush()
        for bill in (old, reported_bill, was_baseline, unflagged):  # re-scored just now, as a rule edit does
            s.add(BillMatch(bill_id=bill, topic_id=topic.id, score=4.0, flagged=bill != unflagged, rule_version=2,
                            matched_at=utcnow()))
        s.add(AlertEvent(key=f"flag:{reported_bill}:{topic.id}", bill_id=reported_bill, kind="flagged",
                         topic_id=topic.id, occurred_at=reported))
        # Flagged before alerts first ran: the baseline's stamp is that run's, not the flag's.
        s.add(AlertEvent(key=f"flag:{was_baseline}:{topic.id}", bill_id=was_baseline, kind="baseline",
                         topic_id=topic.id, occurred_at=utcnow()))
        s.add(AlertEvent(key=f"flag:{was_baseline}:999", bill_id=was_baseline, kind="flagged", topic_id=999,
                         occurred_at=reported))
        s.commit()
    db.upgrade(filled)
    with Session(filled) as s:
        from tracker.models import FirstFlag

        stamps = dict(s.execute(select(FirstFlag.bill_id, FirstFlag.first_flagged_at)).all())
    assert stamps == {old: seen[old], reported_bill: reported, was_baseline: seen[was_baseline]}
    db.downgrade(filled, "0037")
    assert "firstflag" not in inspect(filled).get_table_names()
    db.upgrade(filled)


def test_0039_adds_the_readers_inbox_visits_and_going_back_drops_only_them(filled: Engine) -> None:
    """Visits recorded after 0039 are the readers' own: going back drops the table (the inbox counts "since
    yesterday" again), and coming forward again starts with none, every reader on the working-day rule."""
    from tracker import visits

    with Session(filled) as s:
        sam = s.execute(select(User).where(User.email == "sam@example.org")).scalar_one()
        visits.record_visit(s, reader=sam, now=dt.datetime(2026, 12, 4, 21, 20, tzinfo=dt.UTC))
        s.commit()
        assert visits.record_visit(s, reader=sam, now=dt.datetime(2026, 12, 7, 14, 0, tzinfo=dt.UTC)).last_visit
        s.commit()
    db.downgrade(filled, "0038")
    assert "inboxvisit" not in inspect(filled).get_table_names()
    db.upgrade(filled)
    assert {c["name"] for c in inspect(filled).get_columns("inboxvisit")} >= {"user_id", "last_seen_at", "cut_off"}
    with Session(filled) as s:
        sam = s.execute(select(User).where(User.email == "sam@example.org")).scalar_one()
        assert not visits.new_since_for(s, reader_id=sam.id).last_visit
