"""Database fixtures: SQLite by default; the same suite runs on PostgreSQL when DATABASE_URL names one.

The schema is built once per session with the real migrations; each test then starts from empty tables
(a copied SQLite file, or TRUNCATE on PostgreSQL), keeping the seeded position vocabulary.
"""

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlmodel import Session, SQLModel

from tracker import config, db

PRESERVED_TABLES = {"alembic_version", "stance"}  # seeded by migrations


def _test_backend_url() -> str | None:
    url = os.environ.get("DATABASE_URL")
    return config.normalize_database_url(url) if url and not url.startswith("sqlite") else None


@pytest.fixture(scope="session")
def _template(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A migrated database: a SQLite file to copy per test, or the server database migrated once."""
    server_url = _test_backend_url()
    if server_url:
        engine = db.make_engine(server_url)
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        db.upgrade(engine)
        engine.dispose()
        return server_url
    path = tmp_path_factory.mktemp("template") / "template.db"
    engine = db.make_engine(f"sqlite:///{path}")
    db.upgrade(engine)
    engine.dispose()
    return str(path)


@pytest.fixture
def database_url(_template: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A migrated, empty database for one test; also what the CLI and subprocesses see as DATABASE_URL."""
    if _test_backend_url():
        url = _template
        engine = db.make_engine(url)
        tables = [t.name for t in SQLModel.metadata.sorted_tables if t.name not in PRESERVED_TABLES]
        with engine.begin() as conn:
            conn.execute(text("TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " RESTART IDENTITY CASCADE"))
        engine.dispose()
    else:
        path = tmp_path / "tracker.db"
        shutil.copyfile(_template, path)
        url = f"sqlite:///{path}"
    monkeypatch.setenv("DATABASE_URL", url)
    config.settings.cache_clear()
    db.get_engine.cache_clear()
    yield url
    db.get_engine.cache_clear()
    config.settings.cache_clear()


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    eng = db.make_engine(database_url)
    yield eng
    eng.dispose()


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    with Session(engine, expire_on_commit=False) as s:
        yield s
