"""Copies of a SQLite database, taken while the tracker runs.

The organisation's own data (positions and their history, notes, triage, assignments, watchlists, users) exists
nowhere else: crawled bills can be fetched again, those cannot. SQLite's online backup API copies the database
page by page as one consistent snapshot, WAL included, while crawls and the dashboard keep using it; copying the
file with ``cp`` can catch it mid-write and leaves out what still sits in the ``-wal`` file. ``tracker db
upgrade`` takes such a copy before it migrates a database that holds a schema: on SQLite a migration's DDL is
not all in one transaction, so a migration that fails half-way could otherwise leave a database neither old nor
new. PostgreSQL has ``pg_dump`` for this.

A restore goes through the same API into the live file (``restore_sqlite``). Copying a backup over the file with
``cp`` is not a restore: a ``-wal`` file left beside it (a process killed, a power cut) is replayed into the copied
file on the next open, and the "restored" database holds the changes made after the backup.
"""

import datetime as dt
import sqlite3
import stat
from contextlib import closing, suppress
from pathlib import Path

from sqlalchemy import Engine

from tracker import db

BACKUP_FOLDER = "backups"  # beside the database file


class BackupError(RuntimeError):
    """The backup could not be written (the message names the file)."""


def backup_before_migrating(engine: Engine, revision: str = "head") -> tuple[Path, str] | None:
    """Copy a SQLite database that has a schema and is about to be migrated; returns (copy, the revision it
    is at), or None when there is nothing to keep (another database, a new one, nothing to migrate). A database
    of newer code is refused (``SchemaTooNew``) before anything is written."""
    path, current = db.sqlite_file(engine), db.current_revision(engine)
    if path is None or current is None or current == (db.head_revision() if revision == "head" else revision):
        return None
    db.refuse_newer(engine)
    return backup_sqlite(path, default_backup_path(path, label=f"at-{current}")), current


def default_backup_path(database: Path, *, label: str = "", now: dt.datetime | None = None) -> Path:
    """``backups/<name>[-label]-<UTC stamp>.db`` beside ``database``."""
    stamp = (now or dt.datetime.now(dt.UTC)).strftime("%Y%m%dT%H%M%SZ")
    return database.parent / BACKUP_FOLDER / f"{database.stem}{f'-{label}' if label else ''}-{stamp}.db"


def backup_sqlite(database: Path, target: Path) -> Path:
    """Copy ``database`` to ``target`` (which must not exist) as one consistent snapshot; returns ``target``."""
    if target.exists():
        raise BackupError(f"{target} exists already: a backup never overwrites a file")
    partial = target.with_name(target.name + ".partial")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        # Read-only: the backup must not create the database or change it (mode=ro still reads the WAL).
        with closing(sqlite3.connect(f"{database.resolve().as_uri()}?mode=ro", uri=True)) as source, \
                closing(sqlite3.connect(partial)) as copy:
            source.backup(copy)
            # One self-contained file: a copy in WAL mode (the original's) grows -wal and -shm files beside it
            # whenever it is opened, a restore or an inspection with `sqlite3` included.
            copy.execute("PRAGMA journal_mode=DELETE")
        # The copy holds what the original does (password hashes too): no wider access than the original's.
        partial.chmod(stat.S_IMODE(database.stat().st_mode))
        partial.replace(target)  # a complete copy or none: never a half-written file under the final name
    except (sqlite3.Error, OSError) as exc:
        with suppress(OSError):  # no folder, or a file where it should be: there is no partial copy either
            partial.unlink(missing_ok=True)
        raise BackupError(f"backing up {database} to {target} failed: {exc}") from None
    return target


class RestoreRefused(ValueError):
    """The file given is not a backup this tracker can restore (the message says why)."""


def backup_revision(backup: Path) -> str:
    """The migration a backup file is at; RestoreRefused when it is no intact tracker database."""
    if not backup.is_file():
        raise RestoreRefused(f"{backup} does not exist or is not a file")
    try:
        with closing(sqlite3.connect(f"{backup.resolve().as_uri()}?mode=ro", uri=True)) as conn:
            check = conn.execute("PRAGMA quick_check").fetchall()
            if check != [("ok",)]:
                raise RestoreRefused(f"{backup} is damaged (SQLite's check: {check[0][0]})")
            found = conn.execute("SELECT version_num FROM alembic_version").fetchall()
    except sqlite3.DatabaseError as exc:
        raise RestoreRefused(f"{backup} is not a tracker database ({exc})") from None
    if len(found) != 1:
        raise RestoreRefused(f"{backup} is not a tracker database (no migration recorded in it)")
    return str(found[0][0])


def restore_sqlite(backup: Path, database: Path) -> Path | None:
    """Make ``database`` hold what ``backup`` holds; returns the copy kept of what it held before (None when
    there was no database file). The caller has checked ``backup`` (``backup_revision``) and that no scheduler
    runs. Through SQLite's backup API into the live database: SQLite first settles whatever log is beside it,
    then every page is replaced, so nothing of the old content survives, and readers never see half a file."""
    kept = backup_sqlite(database, default_backup_path(database, label="before-restore")) \
        if database.exists() else None
    try:
        database.parent.mkdir(parents=True, exist_ok=True)
        with closing(sqlite3.connect(f"{backup.resolve().as_uri()}?mode=ro", uri=True)) as source, \
                closing(sqlite3.connect(database, timeout=db.SQLITE_BUSY_TIMEOUT_MS / 1000)) as target:
            source.backup(target)
    except (sqlite3.Error, OSError) as exc:
        raise BackupError(f"restoring {database} from {backup} failed: {exc}"
                          + (f"; what it held is in {kept}" if kept else "")) from None
    return kept
