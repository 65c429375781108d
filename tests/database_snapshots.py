"""A test database's contents kept after a costly build (importing real files) and put back for the next test that
builds the same thing, instead of importing again: on SQLite a copy of the file, on PostgreSQL a copy of each
filled table in a schema of its own.

A snapshot stands for a build only from the same starting point, so the row counts before the build are part of
its key: a test that starts from other rows builds for itself. The build's own code still runs for the first test
of each key in each worker, and every test reads what it left.
"""

import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, Engine, text

from tracker import db

_TABLES = text("SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename")
_STORED_COLUMNS = text("""
    SELECT column_name FROM information_schema.columns
    WHERE table_schema = current_schema() AND table_name = :table AND is_generated = 'NEVER'
    ORDER BY ordinal_position""")
_SEQUENCES = text("""
    SELECT sequencename, last_value FROM pg_sequences
    WHERE schemaname = current_schema() AND last_value IS NOT NULL""")


@dataclass
class Snapshots:
    """The snapshots of one test process, by key; ``directory`` holds the SQLite copies."""

    directory: Any
    preserved: frozenset[str]
    empty: Callable[[Connection], None]  # how a server schema is emptied between tests
    taken: dict[tuple[object, ...], Any] = field(default_factory=dict)

    def restore_or_build(self, key: str, engine: Engine, build: Callable[[], Any]) -> Any:
        """``build()``'s result, with the database as ``build`` leaves it: built the first time, put back from
        the snapshot after that (``build``'s result must then be plain data, as it is returned again)."""
        full_key = (key, tuple(sorted(_row_counts(engine, self.preserved).items())))
        if full_key in self.taken:
            result, where = self.taken[full_key]
            _restore(engine, where, self.empty)
            return result
        result = build()
        self.taken[full_key] = (result, _take(engine, self.directory / f"{len(self.taken)}.db", self.preserved))
        return result

    def drop(self, engine: Engine) -> None:
        for _, where in self.taken.values():
            if isinstance(where, str):
                with engine.begin() as conn:
                    conn.execute(text(f'DROP SCHEMA IF EXISTS "{where}" CASCADE'))


def _row_counts(engine: Engine, preserved: frozenset[str]) -> dict[str, int]:
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            tables = conn.execute(text("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE "
                                       "'sqlite_%' AND sql NOT LIKE 'CREATE VIRTUAL%'")).scalars().all()
        else:
            tables = conn.execute(_TABLES).scalars().all()
        return {t: conn.execute(text(f'SELECT count(*) FROM "{t}"')).scalar_one()
                for t in tables if t not in preserved}


def _take(engine: Engine, path: Any, preserved: frozenset[str]) -> Any:
    if engine.dialect.name == "sqlite":
        _close_connections(engine)
        _copy_sqlite(engine.url.database, str(path))
        return path
    with engine.begin() as conn:
        schema = f"{conn.execute(text('SELECT current_schema()')).scalar_one()}_snapshot_{path.stem}"
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        for table in _filled_tables(conn, preserved):
            columns = _columns(conn, table)
            conn.execute(text(f'CREATE TABLE "{schema}"."{table}" AS SELECT {columns} FROM "{table}"'))
        conn.execute(text(f'CREATE TABLE "{schema}"."_sequences" AS {_SEQUENCES.text}'))
    return schema


def _restore(engine: Engine, where: Any, empty: Callable[[Connection], None]) -> None:
    if engine.dialect.name == "sqlite":
        _close_connections(engine)
        _copy_sqlite(str(where), engine.url.database)
        return
    with engine.begin() as conn:
        empty(conn)
        # Rows go back as they were taken: no trigger re-derives them and no foreign key orders the tables
        # (the test role is the server's superuser).
        conn.execute(text("SET LOCAL session_replication_role = replica"))
        for table in conn.execute(text("SELECT tablename FROM pg_tables WHERE schemaname = :s AND tablename "
                                       "<> '_sequences'"), {"s": where}).scalars():
            columns = _columns(conn, table)
            conn.execute(text(f'INSERT INTO "{table}" ({columns}) SELECT {columns} FROM "{where}"."{table}"'))
        for sequence, value in conn.execute(text(f'SELECT * FROM "{where}"."_sequences"')).all():
            conn.execute(text("SELECT setval(:sequence, :value)"), {"sequence": f'"{sequence}"', "value": value})


def _filled_tables(conn: Connection, preserved: frozenset[str]) -> Iterator[str]:
    for table in conn.execute(_TABLES).scalars().all():
        if table not in preserved and conn.execute(text(f'SELECT EXISTS (SELECT 1 FROM "{table}")')).scalar():
            yield table


def _columns(conn: Connection, table: str) -> str:
    """The table's stored columns (a generated column is computed again on insert)."""
    return ", ".join(f'"{c}"' for c in conn.execute(_STORED_COLUMNS, {"table": table}).scalars())


def _close_connections(engine: Engine) -> None:
    """The test's engine and the tracker's own (the CLI's) leave no connection on the file being copied."""
    engine.dispose()
    db.dispose_engines()


def _copy_sqlite(source: str, target: str) -> None:
    """SQLite's online backup: whole pages, the write-ahead log's included, into the target file."""
    src, dst = sqlite3.connect(source), sqlite3.connect(target)
    try:
        src.backup(dst)
    finally:
        src.close()
        dst.close()
