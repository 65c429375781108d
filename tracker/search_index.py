"""SQLite's search index (``bill_fts``, migration 0003) kept in step once per ingest batch, not row by row.

The triggers that keep ``bill_fts`` current re-index a bill each time its row or a version with text is written.
That is right for a single edit, but during an import FTS5 takes about six times longer row by row than for the
same bills in one statement (docs/benchmarks.md): the triggers were half of the writer's time on a first import.

``batch_indexing`` therefore takes the FTS triggers out for the length of one batch and re-indexes the bills the
batch wrote in one statement at its end, all inside the batch's own write transaction:

- SQLite has one writer at a time, so no other connection can write a bill while the triggers are out;
- DDL is transactional in SQLite: readers (WAL) see the committed schema, triggers included, and a rollback or a
  crash puts the triggers back as they were;
- the triggers are recreated from their own SQL in ``sqlite_master``, even when the batch fails, so a caller
  that commits after an error still leaves them in place.

PostgreSQL keeps its search document as a generated column (migration 0003) and the parts of each version's text
and of each long summary by triggers (0033, 0034): nothing to do there.
"""

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import bindparam, text
from sqlmodel import Session

# The triggers that write bill_fts on an insert or update (the delete trigger only removes a row: left alone).
DEFERRED_TRIGGERS = ("bill_fts_ai", "bill_fts_au", "billversion_fts_ins", "billversion_fts_del",
                     "billversion_fts_upd")

# The document the triggers index (migration 0025's _SQLITE_REFRESH, 0003's with the legislators' names), for
# many bills at once. Kept identical: tests/tracker/test_search_index.py compares the two on real bills.
_REFRESH = (
    text("DELETE FROM bill_fts WHERE rowid IN :ids").bindparams(bindparam("ids", expanding=True)),
    text("""INSERT INTO bill_fts(rowid, title, summary, body, sponsor, cosponsors)
SELECT b.id, coalesce(b.title, '') || ' ' || coalesce(b.short_title, '') || ' ' || coalesce(b.popular_title, ''),
       coalesce(b.summary_text, ''),
       coalesce((SELECT group_concat(v.text, ' ') FROM billversion v WHERE v.bill_id = b.id), ''),
       coalesce(b.sponsor_names, ''), coalesce(b.cosponsor_names, '')
FROM bill b WHERE b.id IN :ids""").bindparams(bindparam("ids", expanding=True)),
)


def refresh(session: Session, bill_ids: set[int]) -> None:
    """Re-index these bills in ``bill_fts`` (SQLite), as the triggers would have one by one."""
    if not bill_ids:
        return
    ids = sorted(bill_ids)
    for statement in _REFRESH:
        session.execute(statement, {"ids": ids})


@contextmanager
def batch_indexing(session: Session) -> Iterator[set[int]]:
    """Write bills without row-by-row indexing: add the id of every bill written to the set this yields.

    Must run inside the batch's transaction (the caller commits or rolls back).
    """
    written: set[int] = set()
    if session.get_bind().dialect.name != "sqlite":
        yield written
        return
    raw = session.connection().connection.dbapi_connection
    if raw is not None and not raw.in_transaction:
        # pysqlite begins a transaction only before its first DML statement; DDL before that would autocommit.
        raw.execute("BEGIN")
    triggers = session.execute(
        text("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND name IN :names")
        .bindparams(bindparam("names", expanding=True)), {"names": list(DEFERRED_TRIGGERS)}).all()
    conn = session.connection()
    for name, _ in triggers:
        conn.exec_driver_sql(f'DROP TRIGGER "{name}"')
    try:
        yield written
        refresh(session, written)
    finally:
        for _, sql in triggers:
            conn.exec_driver_sql(sql)  # as stored: no bind-parameter parsing of its text
