"""Set-based ``INSERT ... ON CONFLICT`` for the two dialects the tracker supports."""

from collections.abc import Callable, Sequence
from operator import itemgetter
from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session


def dialect_insert(session: Session, table: Any) -> Any:
    """An INSERT that knows ``on_conflict_do_update``/``do_nothing`` on this session's database."""
    dialect = session.get_bind().dialect.name
    if dialect not in _DIALECT_INSERTS:
        raise NotImplementedError(f"set-based upserts are written for SQLite and PostgreSQL, not {dialect}")
    return _DIALECT_INSERTS[dialect](table)


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


class DriverInsert:
    """An INSERT (plain, or with the ON CONFLICT clause ``conflict`` adds) that big imports run thousands of rows
    through: rendered once per dialect by SQLAlchemy, then executed through the driver's executemany.

    SQLAlchemy processes every parameter of every row through its generic execution machinery, which on a first
    import cost about as much as SQLite's own work. Here a row's values are picked in column order in one call,
    and only the columns whose type has a bind processor (dates, aware timestamps, JSON) go through it: the one
    SQLAlchemy itself caches and applies for that column on that dialect, so the stored values are exactly what
    an ORM or Core insert stores. Rows are dicts keyed by column name, or tuples already in ``columns`` order.
    With ``driver_values`` the rows already hold what the driver takes (``tracker.prepare`` writes JSON and dates
    as text) and go to it untouched.
    """

    def __init__(self, table: Any, columns: Sequence[str],
                 conflict: Callable[[Any], Any] | None = None, *, driver_values: bool = False):
        self.table, self.columns, self.conflict = table, tuple(columns), conflict
        self.driver_values = driver_values
        self._compiled: dict[str, tuple[str, tuple[str, ...], bool, list[tuple[int, Callable[[Any], Any]]]]] = {}

    @classmethod
    def upsert(cls, table: Any, columns: Sequence[str], keys: Sequence[str],
               update_cols: Sequence[str]) -> "DriverInsert":
        """On a key conflict, overwrite ``update_cols`` with the incoming row's values."""
        return cls(table, columns, lambda stmt: stmt.on_conflict_do_update(
            index_elements=list(keys), set_={c: stmt.excluded[c] for c in update_cols}))

    def _for(self, dialect: Any) -> tuple[str, tuple[str, ...], bool, list[tuple[int, Callable[[Any], Any]]]]:
        found = self._compiled.get(dialect.name)
        if found is None:
            stmt = _DIALECT_INSERTS[dialect.name](self.table)
            if self.conflict is not None:
                stmt = self.conflict(stmt)
            compiled = stmt.compile(dialect=dialect, column_keys=list(self.columns))
            # Positional SQL binds in the table's column order; named SQL takes the columns as given.
            order = tuple(compiled.positiontup or ()) if compiled.positional else self.columns
            if sorted(order) != sorted(self.columns):
                raise ValueError(f"{self.table.name}: the statement binds {order}, not {self.columns}")
            processors = [] if self.driver_values else [
                (n, proc) for n, c in enumerate(order)
                if (proc := self.table.c[c].type._cached_bind_processor(dialect)) is not None]
            found = self._compiled[dialect.name] = (compiled.string, order, compiled.positional, processors)
        return found

    def execute(self, session: Session, rows: Sequence[dict[str, Any]] | Sequence[tuple[Any, ...]]) -> None:
        if not rows:
            return
        conn = session.connection()
        sql, order, positional, processors = self._for(conn.dialect)
        values: Sequence[Any]
        if isinstance(rows[0], dict):
            pick = itemgetter(*order)
            values = [pick(row) for row in rows] if len(order) > 1 else [(pick(row),) for row in rows]
        elif order != self.columns:
            raise ValueError(f"{self.table.name}: rows as tuples must be in the order {order}")
        else:
            values = rows
        if processors:
            rows_out = [list(row) for row in values]
            for n, proc in processors:
                # By identity: a batch's rows share objects (the batch's one timestamp, None), converted once.
                # The caller's ``rows`` keep every original value alive, so no id is reused in this loop.
                done: dict[int, Any] = {}
                for row in rows_out:
                    value = row[n]
                    key = id(value)
                    if key in done:
                        row[n] = done[key]
                    else:
                        row[n] = done[key] = proc(value)
            values = [tuple(row) for row in rows_out]
        if not positional:
            values = [dict(zip(order, row, strict=True)) for row in values]
        conn.exec_driver_sql(sql, values)


_DIALECT_INSERTS = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}
