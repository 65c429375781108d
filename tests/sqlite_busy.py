"""SQLite's one writer held by another connection, as an import's or a crawl's batch holds it, for the tests of what
a page or a command says when it waits that out."""

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from tracker import db


@contextmanager
def writer_held(database_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Hold the write lock of ``database_url``'s file for the block, with the tracker's busy timeout shortened from
    30 s to 0.2 s. The tracker's engines are dropped before (they were opened with the long wait) and after (the
    ones opened inside have the short one, which the test's monkeypatch no longer stands behind)."""
    monkeypatch.setattr(db, "SQLITE_BUSY_TIMEOUT_MS", 200)
    db.dispose_engines()
    writer = sqlite3.connect(database_url.removeprefix("sqlite:///"), isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")
    try:
        yield
    finally:
        writer.execute("ROLLBACK")
        writer.close()
        db.dispose_engines()
