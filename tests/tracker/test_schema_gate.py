"""The schema gate (``tracker.db``) answers exactly as Alembic would, without importing Alembic."""

import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, text

from tracker import db

REPO_ROOT = Path(__file__).resolve().parents[2]


def test_head_revision_read_from_the_files_is_alembics_head() -> None:
    alembic_head = ScriptDirectory.from_config(db.alembic_config("sqlite://")).get_current_head()
    assert db.declared_heads() == [alembic_head]
    assert db.head_revision() == alembic_head


def test_current_revision_is_alembics_on_a_migrated_and_on_an_empty_database(engine: Engine, tmp_path: Path) -> None:
    with engine.connect() as conn:
        assert db.current_revision(engine) == MigrationContext.configure(conn).get_current_revision()
    assert db.current_revision(engine) == db.head_revision()
    db.check_schema(engine)  # passes

    sqlite3.connect(tmp_path / "empty.db").close()  # a database file without tables
    empty = db.make_engine(f"sqlite:///{tmp_path / 'empty.db'}")
    assert db.current_revision(empty) is None
    with pytest.raises(db.SchemaNotReady, match="has no schema. Run `tracker db upgrade` first"):
        db.check_schema(empty)
    empty.dispose()


def test_a_missing_sqlite_file_is_refused_and_left_uncreated(tmp_path: Path) -> None:
    where = tmp_path / "var" / "tracker.db"
    engine = db.make_engine(f"sqlite:///{where}")
    assert db.current_revision(engine) is None
    with pytest.raises(db.SchemaNotReady, match=r"does not exist \(no file at .*\). Run `tracker db upgrade`"):
        db.check_schema(engine)
    assert not where.parent.exists()  # neither the folder nor the file: only `tracker db upgrade` creates them
    db.upgrade(engine)
    db.check_schema(engine)
    engine.dispose()


def test_a_database_migrated_by_newer_code_says_to_upgrade_the_tracker(engine: Engine) -> None:
    # A revision this code does not have: `tracker db upgrade` cannot help (Alembic: "Can't locate revision").
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    try:
        with pytest.raises(db.SchemaTooNew, match="at migration 9999, which this code does not have: a newer "
                                                  "version of the tracker migrated it") as refused:
            db.check_schema(engine)
        assert "Upgrade the tracker" in str(refused.value) and "Run `tracker db upgrade` first" not in str(
            refused.value)
        with pytest.raises(db.SchemaTooNew):
            db.upgrade(engine)
        assert db.current_revision(engine) == "9999"  # left as it is
    finally:
        with engine.begin() as conn:
            conn.execute(text("UPDATE alembic_version SET version_num = :head"), {"head": db.head_revision()})


def test_known_revisions_are_alembics() -> None:
    script = ScriptDirectory.from_config(db.alembic_config("sqlite://"))
    assert db.known_revisions() == {s.revision for s in script.walk_revisions()}


def test_a_database_behind_the_code_is_refused(engine: Engine) -> None:
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '0001'"))
    try:
        with pytest.raises(db.SchemaNotReady, match=f"is at migration 0001, the code needs {db.head_revision()}"):
            db.check_schema(engine)
    finally:
        with engine.begin() as conn:
            conn.execute(text("UPDATE alembic_version SET version_num = :head"), {"head": db.head_revision()})


def test_unusual_migration_files_are_left_to_alembic(tmp_path: Path) -> None:
    (tmp_path / "0001_a.py").write_text('revision: str = "0001"\ndown_revision: str | None = None\n')
    (tmp_path / "0002_b.py").write_text('revision = "0002"\ndown_revision = "0001"\n')
    assert db.declared_heads(tmp_path) == ["0002"]
    (tmp_path / "0003_c.py").write_text('revision = "0003"\ndown_revision = "0001"\n')  # a branch
    assert db.declared_heads(tmp_path) == ["0002", "0003"]
    (tmp_path / "0004_d.py").write_text('revision = make_id()\ndown_revision = "0003"\n')
    assert db.declared_heads(tmp_path) is None  # not a literal: head_revision() asks Alembic


def test_the_gate_does_not_import_alembic() -> None:
    # Every crawl, CLI command and dashboard start passes the gate; Alembic is ~0.15 s of imports.
    probe = ("import sys; from tracker import db; e = db.make_engine('sqlite://'); "
             "print(db.current_revision(e), db.head_revision()); print('alembic' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", probe], cwd=REPO_ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["None", db.head_revision(), "False"]


def test_migration_0009_keeps_the_stored_documents_and_their_unique_key(tmp_path: Path) -> None:
    """SQLite rebuilds the table to change the locator's type (batch mode): rows, index and key must survive."""
    from sqlalchemy import inspect
    from sqlalchemy.exc import IntegrityError

    engine = db.make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    db.upgrade(engine, "0008")
    insert = text("INSERT INTO sourcedocument (source_name, locator, content_hash, fetched_at) "
                  "VALUES ('govinfo_billstatus', :locator, 'abc', '2026-01-01 00:00:00')")
    with engine.begin() as conn:
        conn.execute(insert, {"locator": "/data/BILLSTATUS-117hr1.xml"})
    db.upgrade(engine, "0009")
    with engine.begin() as conn:
        assert conn.execute(text("SELECT locator FROM sourcedocument")).scalars().all() == [
            "/data/BILLSTATUS-117hr1.xml"]
        conn.execute(insert, {"locator": "/" + "x" * 3000})
    with pytest.raises(IntegrityError), engine.begin() as conn:
        conn.execute(insert, {"locator": "/data/BILLSTATUS-117hr1.xml"})
    columns = {c["name"]: c["type"] for c in inspect(engine).get_columns("sourcedocument")}
    assert str(columns["locator"]) == "TEXT"
    assert "ix_sourcedocument_content_hash" in {i["name"] for i in inspect(engine).get_indexes("sourcedocument")}
    engine.dispose()


def test_migration_0011_keys_stored_documents_by_their_locator_hash(database_url: str) -> None:
    """Rows stored before get their key; the key is unique per source; a locator too long for a PostgreSQL
    index entry is stored."""
    from alembic import command
    from sqlalchemy.exc import IntegrityError

    from tracker.models import SourceDocument

    engine = db.make_engine(database_url)
    cfg = db.alembic_config(database_url)
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0010")
    insert = text("INSERT INTO sourcedocument (source_name, locator, content_hash, fetched_at) "
                  "VALUES (:source, :locator, 'abc', '2026-01-01 00:00:00')")
    stored = [("govinfo_billstatus", "/data/BILLSTATUS-117hr1.xml"), ("import_archive", "/data/c117.tar.gz"),
              ("govinfo_billstatus", "/data/c117.tar.gz!data/117/bills/hr/hr2/fdsys_billstatus.xml")]
    with engine.begin() as conn:
        conn.execute(insert, [{"source": s, "locator": loc} for s, loc in stored])
    db.upgrade(engine)
    with engine.begin() as conn:
        keys = conn.execute(text("SELECT source_name, locator, locator_key FROM sourcedocument")).all()
    assert sorted(keys) == sorted((s, loc, SourceDocument.key_for(loc)) for s, loc in stored)
    insert_keyed = text("INSERT INTO sourcedocument (source_name, locator, locator_key, content_hash, fetched_at) "
                        "VALUES (:source, :locator, :key, 'abc', '2026-01-01 00:00:00')")
    long_locator = "/" + "".join(chr(0x4E00 + i % 5000) for i in range(4000))  # 12 KB of UTF-8, no repeats
    with engine.begin() as conn:
        conn.execute(insert_keyed, {"source": "import_archive", "locator": long_locator,
                                    "key": SourceDocument.key_for(long_locator)})
    with pytest.raises(IntegrityError), engine.begin() as conn:
        conn.execute(insert_keyed, {"source": stored[0][0], "locator": stored[0][1],
                                    "key": SourceDocument.key_for(stored[0][1])})
    engine.dispose()
