"""Set-based ``INSERT ... ON CONFLICT`` for the two dialects the tracker supports."""

from collections.abc import Sequence
from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session


def dialect_insert(session: Session, table: Any) -> Any:
    """An INSERT that knows ``on_conflict_do_update``/``do_nothing`` on this session's database."""
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        return postgresql.insert(table)
    if dialect == "sqlite":
        return sqlite.insert(table)
    raise NotImplementedError(f"set-based upserts are written for SQLite and PostgreSQL, not {dialect}")


def upsert(session: Session, model: Any, rows: list[dict[str, Any]], keys: Sequence[str],
           update_cols: Sequence[str] | None) -> None:
    """Insert ``rows`` in one executemany; on a key conflict update ``update_cols`` (or, with None, skip)."""
    if not rows:
        return
    stmt = dialect_insert(session, model.__table__)
    if update_cols:
        stmt = stmt.on_conflict_do_update(index_elements=list(keys), set_={c: stmt.excluded[c] for c in update_cols})
    else:
        stmt = stmt.on_conflict_do_nothing(index_elements=list(keys))
    session.execute(stmt, rows)


class DriverUpsert:
    """``upsert`` through the driver's executemany, for the few statements a big import runs thousands of rows
    through (bills, their sources and documents).

    SQLAlchemy processes every parameter of every row through its generic machinery, which on a first import
    costs about as much as SQLite's own work. Here the SQL is rendered once per dialect and each column's value
    goes through that column type's own bind processor (dates, aware timestamps, JSON), so the stored values are
    exactly what ``upsert`` stores.
    """

    def __init__(self, table: Any, columns: Sequence[str], keys: Sequence[str], update_cols: Sequence[str]):
        self.table, self.columns, self.keys, self.update_cols = table, tuple(columns), tuple(keys), tuple(update_cols)
        self._compiled: dict[str, tuple[str, list[Any]]] = {}

    def _for(self, dialect: Any) -> tuple[str, list[Any]]:
        found = self._compiled.get(dialect.name)
        if found is None:
            quote = dialect.identifier_preparer.quote
            mark = "?" if dialect.paramstyle == "qmark" else "%s"
            sets = ", ".join(f"{quote(c)} = excluded.{quote(c)}" for c in self.update_cols)
            sql = (f"INSERT INTO {quote(self.table.name)} ({', '.join(quote(c) for c in self.columns)}) "
                   f"VALUES ({', '.join([mark] * len(self.columns))}) "
                   f"ON CONFLICT ({', '.join(quote(c) for c in self.keys)}) DO UPDATE SET {sets}")
            # The processor SQLAlchemy itself caches and applies for this column on this dialect.
            processors = [self.table.c[c].type._cached_bind_processor(dialect) for c in self.columns]
            found = self._compiled[dialect.name] = (sql, processors)
        return found

    def execute(self, session: Session, rows: list[dict[str, Any]]) -> None:
        if not rows:
            return
        conn = session.connection()
        sql, processors = self._for(conn.dialect)
        steps = list(zip(self.columns, processors, strict=True))
        conn.exec_driver_sql(sql, [tuple(row[c] if proc is None else proc(row[c]) for c, proc in steps)
                                   for row in rows])
