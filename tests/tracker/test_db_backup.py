"""`tracker db backup` and the copy `tracker db upgrade` takes before it migrates a SQLite database."""

import sqlite3
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from database_env import using_database
from sqlalchemy import text
from typer.testing import CliRunner

from tracker import db
from tracker.cli import EXIT_PARTIAL, EXIT_SCHEMA, EXIT_USAGE, app
from tracker.db_backup import BACKUP_FOLDER


@pytest.fixture
def sqlite_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    """A SQLite file of this test's own, whatever database the suite runs on."""
    with using_database(f"sqlite:///{tmp_path / 'tracker.db'}", monkeypatch) as url:
        yield url


def invoke(*args: str):  # type: ignore[no-untyped-def]
    result = CliRunner().invoke(app, list(args), catch_exceptions=False)
    return result


def said(result, expected: str) -> bool:  # type: ignore[no-untyped-def]
    """Whether the output says ``expected``, wherever the terminal wrapped it (long paths break anywhere)."""
    return "".join(expected.split()) in "".join(result.output.split())


def _rows(path: Path, sql: str) -> list[tuple]:
    with sqlite3.connect(path) as conn:
        return conn.execute(sql).fetchall()


def test_a_backup_holds_what_is_still_in_the_write_ahead_log(sqlite_url: str, tmp_path: Path) -> None:
    assert invoke("db", "upgrade").exit_code == 0
    (tmp_path / "tracker.db").chmod(0o600)
    engine = db.make_engine(sqlite_url)
    with engine.connect() as reader:  # an open reader keeps the log from being checkpointed into the file
        reader.execute(text("BEGIN"))
        reader.execute(text("SELECT count(*) FROM note")).scalar_one()
        with engine.begin() as conn:
            conn.execute(text("INSERT INTO jurisdiction (id, name, level) VALUES ('us', 'United States', 'federal')"))
        assert (tmp_path / "tracker.db-wal").stat().st_size > 0
        result = invoke("db", "backup")
        reader.execute(text("ROLLBACK"))
    engine.dispose()
    assert result.exit_code == 0, result.output
    (copy,) = (tmp_path / BACKUP_FOLDER).iterdir()
    assert said(result, f"Backed up {tmp_path / 'tracker.db'} to {copy}")
    assert _rows(copy, "SELECT id FROM jurisdiction") == [("us",)]
    assert _rows(copy, "PRAGMA integrity_check") == [("ok",)]
    assert stat.S_IMODE(copy.stat().st_mode) == 0o600  # no wider access than the original (password hashes)

    again = invoke("db", "backup", "--to", str(copy))
    assert again.exit_code == EXIT_PARTIAL and said(again, "exists already: a backup never overwrites a file")


def test_upgrade_copies_a_database_behind_the_code_before_migrating_it(sqlite_url: str, tmp_path: Path) -> None:
    folder = tmp_path / BACKUP_FOLDER
    previous = sorted(db.known_revisions())[-2]
    assert invoke("db", "upgrade", previous).exit_code == 0 and not folder.exists()  # new: nothing to keep

    result = invoke("db", "upgrade")
    assert result.exit_code == 0, result.output
    (copy,) = folder.iterdir()
    assert copy.name.startswith(f"tracker-at-{previous}-")
    assert said(result, f"(at migration {previous}) to {copy} before migrating")
    assert _rows(copy, "SELECT version_num FROM alembic_version") == [(previous,)]
    assert db.current_revision(db.make_engine(sqlite_url)) == db.head_revision()
    assert invoke("db", "upgrade").exit_code == 0 and len(list(folder.iterdir())) == 1  # nothing to migrate


def test_no_backup_skips_the_copy_and_a_missing_file_is_named(sqlite_url: str, tmp_path: Path) -> None:
    missing = invoke("db", "backup")
    # A missing database is 3 in every command (README "Exit codes"), `db backup` too.
    assert missing.exit_code == EXIT_SCHEMA and said(missing, f"No database file at {tmp_path / 'tracker.db'}")
    assert not (tmp_path / "tracker.db").exists()  # a backup never creates the database
    assert invoke("db", "upgrade", "0012").exit_code == 0
    assert invoke("db", "upgrade", "--no-backup").exit_code == 0
    assert not (tmp_path / BACKUP_FOLDER).exists()
    assert invoke("db", "backup", "--to", str(tmp_path / "copies" / "x.db")).exit_code == 0
    assert _rows(tmp_path / "copies" / "x.db", "SELECT version_num FROM alembic_version") == [(db.head_revision(),)]


def test_a_server_database_is_pointed_to_its_own_tool(monkeypatch: pytest.MonkeyPatch) -> None:
    with using_database("postgresql://tracker@db.example:5432/tracker", monkeypatch):
        result = invoke("db", "backup")  # refused before connecting anywhere
    assert result.exit_code == EXIT_USAGE and said(result, "pg_dump --format=custom")


def test_a_backup_path_that_cannot_be_a_folder_is_named(sqlite_url: str, tmp_path: Path) -> None:
    # `--to` under a file (a typo, a mount that is not there): its folder cannot be made. This was a
    # FileExistsError traceback; the README promises exit 1 naming the file.
    assert invoke("db", "upgrade").exit_code == 0
    (tmp_path / "notes.txt").write_text("a file, not a folder")
    target = tmp_path / "notes.txt" / "copy.db"
    result = invoke("db", "backup", "--to", str(target))
    assert result.exit_code == EXIT_PARTIAL and said(result, f"backing up {tmp_path / 'tracker.db'} to {target} failed")


def test_an_unknown_revision_is_refused_before_any_copy_is_taken(sqlite_url: str, tmp_path: Path) -> None:
    assert invoke("db", "upgrade", "0012").exit_code == 0
    result = invoke("db", "upgrade", "bogus")
    assert result.exit_code == EXIT_USAGE and said(result, "Cannot upgrade to 'bogus'")
    assert not (tmp_path / BACKUP_FOLDER).exists()  # a copy of a database nothing was going to change
    assert invoke("db", "upgrade", "+1").exit_code == 0  # relative targets are Alembic's to resolve
    assert len(list((tmp_path / BACKUP_FOLDER).iterdir())) == 1


# A process that changes the database after the backup and dies before SQLite copies its write-ahead log into
# the file (kill -9, a power cut): the log stays beside the database, holding those changes.
_CHANGE_THEN_CRASH = textwrap.dedent("""
    import os, sqlite3, sys
    conn = sqlite3.connect(sys.argv[1])
    conn.execute("PRAGMA wal_autocheckpoint=0")
    conn.execute("DELETE FROM jurisdiction")
    conn.execute("INSERT INTO jurisdiction (id, name, level) VALUES ('ca', 'California', 'state')")
    conn.commit()
    os._exit(9)
""")


def test_a_restore_brings_back_the_backup_not_what_the_log_held(sqlite_url: str, tmp_path: Path) -> None:
    # README had no way back from a backup; copying it over tracker.db (the obvious restore) let SQLite replay the
    # stale -wal beside it on the next open: the "restored" database held the changes made after the backup.
    live = tmp_path / "tracker.db"
    assert invoke("db", "upgrade").exit_code == 0
    with sqlite3.connect(live) as conn:
        conn.execute("INSERT INTO jurisdiction (id, name, level) VALUES ('us', 'United States', 'federal')")
    backup = tmp_path / "good.db"
    assert invoke("db", "backup", "--to", str(backup)).exit_code == 0
    subprocess.run([sys.executable, "-c", _CHANGE_THEN_CRASH, str(live)], check=False)
    assert (tmp_path / "tracker.db-wal").stat().st_size > 0

    result = invoke("db", "restore", str(backup))
    assert result.exit_code == 0, result.output
    assert _rows(live, "SELECT id FROM jurisdiction") == [("us",)]
    assert _rows(live, "PRAGMA integrity_check") == [("ok",)]
    # What it replaced is kept, the way back from a restore of the wrong file.
    (kept,) = (tmp_path / BACKUP_FOLDER).glob("tracker-before-restore-*.db")
    assert said(result, f"Restored {live} from {backup}") and said(result, str(kept))
    assert _rows(kept, "SELECT id FROM jurisdiction") == [("ca",)]
    # Backups are single files: opening one (to restore it, or with `sqlite3`) leaves no -wal or -shm beside it.
    assert sorted(p.name for p in (tmp_path / BACKUP_FOLDER).iterdir()) == [kept.name]
    assert sorted(p.name for p in tmp_path.glob("good.db*")) == ["good.db"]


def test_a_restore_refuses_what_is_no_tracker_database_and_a_running_scheduler(sqlite_url: str,
                                                                              tmp_path: Path) -> None:
    live = tmp_path / "tracker.db"
    assert invoke("db", "upgrade").exit_code == 0
    not_a_database = tmp_path / "notes.txt"
    not_a_database.write_text("hello")
    result = invoke("db", "restore", str(not_a_database))
    assert result.exit_code == EXIT_USAGE and said(result, "is not a tracker database")
    empty = tmp_path / "empty.db"
    sqlite3.connect(empty).close()
    assert invoke("db", "restore", str(empty)).exit_code == EXIT_USAGE
    assert invoke("db", "restore", str(tmp_path / "missing.db")).exit_code == EXIT_USAGE

    backup = tmp_path / "good.db"
    assert invoke("db", "backup", "--to", str(backup)).exit_code == 0
    from tracker.scheduler import scheduler_lock

    with scheduler_lock(db.make_engine(sqlite_url)):  # a `tracker schedule` running on it
        result = invoke("db", "restore", str(backup))
    assert result.exit_code == EXIT_PARTIAL and said(result, "`tracker schedule` is running on this database")
    assert not (tmp_path / BACKUP_FOLDER).exists() or not list((tmp_path / BACKUP_FOLDER).iterdir())
    assert live.exists()


def test_restore_points_a_server_database_to_its_own_tool(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    with using_database("postgresql://tracker@127.0.0.1:1/tracker", monkeypatch):
        result = invoke("db", "restore", str(tmp_path / "x.db"))
    assert result.exit_code == EXIT_USAGE and said(result, "pg_restore")
