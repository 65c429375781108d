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
