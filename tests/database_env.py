"""Point the tracker (and the subprocesses a test starts) at one database for the length of a test."""

from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from tracker import config, db


@contextmanager
def using_database(url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """DATABASE_URL set to ``url``, with the cached settings and engines read afresh on the way in and out."""
    monkeypatch.setenv("DATABASE_URL", url)
    config.settings.cache_clear()
    db.dispose_engines()
    try:
        yield url
    finally:
        db.dispose_engines()
        config.settings.cache_clear()
