"""Engine, sessions and the schema gate.

SQLite (the default) runs with WAL, foreign keys and a busy timeout so the dashboard can read while a crawl
writes; any other SQLAlchemy URL comes through ``DATABASE_URL`` (PostgreSQL via psycopg 3 is tested).
"""

import ast
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine, create_engine, event, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError

from tracker.config import normalize_database_url, settings, shown_database_url

if TYPE_CHECKING:
    from alembic.config import Config
    from sqlmodel import Session

# Alembic (~0.15 s of imports) is loaded only to migrate: the schema gate that every crawl, CLI command and
# dashboard start passes reads the version table and the migration files' revision ids directly.

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
_MIGRATION_LOCK = 0x7472_6163_6B65_6D  # PostgreSQL advisory lock key ("trackem"): one for the whole database
SQLITE_BUSY_TIMEOUT_MS = 30_000


class SchemaNotReady(RuntimeError):
    """The database is missing, empty or behind the code's migrations."""


class SchemaTooNew(SchemaNotReady):
    """The database is at a migration this code does not have: a newer tracker migrated it."""


class DatabaseUrlError(ValueError):
    """DATABASE_URL is not a URL SQLAlchemy can connect with."""


def _sqlite_connection(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA synchronous=NORMAL")  # safe with WAL; a full fsync per commit buys nothing here
    # 64 MiB of page cache (default 2 MiB): bulk imports keep the child tables' indexes in memory.
    cursor.execute("PRAGMA cache_size=-65536")
    cursor.close()
    # SQLite's own lower() folds ASCII letters only ("ENTRÉE" became "entrÉe"), PostgreSQL's every letter: a
    # case-insensitive filter (the triage inbox's title filter) must find the same bills on both.
    dbapi_connection.create_function("lower", 1, _lower, deterministic=True)


def _lower(value: object) -> object:
    return value.lower() if isinstance(value, str) else value


def make_engine(url: str | None = None) -> Engine:
    """An engine; nothing is created on disk (``upgrade`` makes a SQLite file's folder, ``check_schema`` refuses a
    file that is not there before SQLite would create an empty one)."""
    url = normalize_database_url(url or settings().database_url)
    try:
        parsed = make_url(url)
        if parsed.get_backend_name() == "sqlite":
            engine = create_engine(url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000})
            event.listen(engine, "connect", _sqlite_connection)
        else:
            engine = create_engine(url, pool_pre_ping=True)
    except (ArgumentError, NoSuchModuleError) as exc:  # neither message repeats the URL, so no password shows
        raise DatabaseUrlError(f"DATABASE_URL is not a database URL the tracker can use: {exc}. Examples: "
                               "sqlite:////var/lib/tracker/tracker.db, postgresql://user@host:5432/dbname") from None
    except ImportError as exc:  # a dialect SQLAlchemy knows (mysql://...) whose driver is not installed
        raise DatabaseUrlError(f"DATABASE_URL names a {parsed.get_backend_name()} database, whose driver "
                               f"({exc.name}) is not installed: the tracker runs on SQLite and PostgreSQL. "
                               "Examples: sqlite:////var/lib/tracker/tracker.db, "
                               "postgresql://user@host:5432/dbname") from None
    return engine


def sqlite_file(engine: Engine) -> Path | None:
    """The file of a SQLite database (None: another database, in memory, or a ``file:`` URI)."""
    url = engine.url
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:" \
            or url.query.get("uri") or url.database.startswith("file:"):
        return None
    return Path(url.database)


def missing_file(engine: Engine) -> Path | None:
    """The SQLite file the engine names when it does not exist: connecting would create it (and only a command
    that creates the schema should)."""
    path = sqlite_file(engine)
    return path if path is not None and not path.exists() else None


def display_url(url: str | None = None) -> str:
    """The configured database URL, password hidden, for messages."""
    return shown_database_url(normalize_database_url(url or settings().database_url))


_ENGINES: dict[str, Engine] = {}


def get_engine(url: str | None = None) -> Engine:
    """One engine (and connection pool) per URL for the life of the process."""
    url = normalize_database_url(url or settings().database_url)
    if url not in _ENGINES:
        _ENGINES[url] = make_engine(url)
    return _ENGINES[url]


def dispose_engines() -> None:
    """Close every pooled connection, e.g. when DATABASE_URL changes in tests or after a fork."""
    while _ENGINES:
        _ENGINES.popitem()[1].dispose()


def alembic_config(engine_url: str) -> "Config":
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.set_main_option("sqlalchemy.url", engine_url.replace("%", "%%"))
    return cfg


def head_revision() -> str | None:
    """The newest migration's revision id: read from the files when they form one line, else by Alembic."""
    heads = declared_heads()
    if heads is not None and len(heads) == 1:
        return heads[0]
    from alembic.script import ScriptDirectory  # branches, merges or an unusual file: Alembic decides

    return ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()


def declared_heads(versions: Path = MIGRATIONS_DIR / "versions") -> list[str] | None:
    """Revisions no other migration names as its ``down_revision``, from the files' own assignments (None: ask
    Alembic, see ``_declared``)."""
    declared = _declared(versions)
    return None if declared is None else sorted(declared[0] - declared[1])


def known_revisions() -> set[str]:
    """Every migration this code has: read from the files, else by Alembic."""
    declared = _declared()
    if declared is not None:
        return declared[0]
    from alembic.script import ScriptDirectory

    return {script.revision for script in ScriptDirectory.from_config(alembic_config("sqlite://")).walk_revisions()}


def _declared(versions: Path = MIGRATIONS_DIR / "versions") -> tuple[set[str], set[str]] | None:
    """The migration files' revisions and the revisions they name as ``down_revision``.

    Alembic's template writes ``revision: str = "0007"`` and ``down_revision: ... = "0006"`` on one line each
    near the top; those lines alone are parsed (a whole initial-schema file takes ~20 ms). None when a file
    does not have both as one-line literals, and Alembic is asked instead.
    """
    revisions: set[str] = set()
    parents: set[str] = set()
    for path in versions.glob("*.py"):
        if path.name.startswith("_"):
            continue
        found: dict[str, object] = {}
        for line in path.read_text(encoding="utf-8").splitlines():
            if not line.startswith(("revision", "down_revision")):
                continue
            try:
                node = ast.parse(line).body[0]
            except SyntaxError:
                return None
            target = node.target if isinstance(node, ast.AnnAssign) else (
                node.targets[0] if isinstance(node, ast.Assign) and len(node.targets) == 1 else None)
            value = getattr(node, "value", None)
            if isinstance(target, ast.Name) and target.id in ("revision", "down_revision") and value is not None:
                try:
                    found[target.id] = ast.literal_eval(value)
                except ValueError:
                    return None
        revision, down = found.get("revision"), found.get("down_revision", ...)
        if not isinstance(revision, str) or not (down is None or isinstance(down, (str, tuple, list))):
            return None
        revisions.add(revision)
        parents.update([down] if isinstance(down, str) else (down or ()))
    return revisions, parents


def current_revision(engine: Engine) -> str | None:
    """The database's migration (None: no schema, or no SQLite file, which is left uncreated). The same answer
    as Alembic's ``MigrationContext``."""
    if missing_file(engine) is not None:
        return None
    with engine.connect() as conn:
        if not inspect(conn).has_table("alembic_version"):
            return None
        versions = [row[0] for row in conn.execute(text("SELECT version_num FROM alembic_version"))]
    if len(versions) > 1:
        raise SchemaNotReady(f"The database has several migration heads ({', '.join(sorted(versions))}).")
    return versions[0] if versions else None


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Migrate to ``revision``; ``SchemaTooNew`` when a newer tracker migrated the database (Alembic would fail
    with "Can't locate revision", and no migration of this code can help)."""
    from alembic import command

    refuse_newer(engine)
    if (path := sqlite_file(engine)) is not None:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)  # the one place a SQLite database is created
        except OSError as exc:  # a file where a folder should be, no permission: name the folder, not a traceback
            folder = exc.filename or path.parent
            raise DatabaseUrlError(f"The database {path} cannot be created: cannot create the folder {folder} "
                                   f"({exc.strerror or exc}). Check DATABASE_URL.") from None
    with _migrating(engine) as cfg:
        command.upgrade(cfg, revision)


def downgrade(engine: Engine, revision: str) -> None:
    """Migrate back to ``revision`` (for developers and tests: no command offers it; a downgrade drops what the
    migrations after ``revision`` added, their tables' rows included)."""
    from alembic import command

    with _migrating(engine) as cfg:
        command.downgrade(cfg, revision)


@contextmanager
def _migrating(engine: Engine) -> Iterator["Config"]:
    """Alembic's configuration bound to one connection, in one transaction where the database can.

    SQLite runs migrations with foreign keys off. Batch mode changes a table by copying it and dropping the
    original, and with foreign keys on, SQLite empties a table it drops first, running the ON DELETE actions of
    every table that references it: migration 0010's downgrade (which rebuilds crawlrun) deleted every crawl error
    and cleared every change's run, and a migration rebuilding ``bill`` would delete every position, note and
    triage state. The pragma does nothing inside a transaction, so it is set before one begins, and set back on
    the same connection before the pool takes it back."""
    cfg = alembic_config(engine.url.render_as_string(hide_password=False))
    with engine.connect() as conn:
        sqlite = conn.dialect.name == "sqlite"
        if sqlite:
            conn.exec_driver_sql("PRAGMA foreign_keys=OFF")
            conn.commit()
        try:
            with conn.begin():
                # One migration at a time: a second `tracker db upgrade` (two containers starting at once) waits
                # here, then reads the version the first left and has nothing to do. Without this the second
                # failed ("table crawlrun already exists", or a duplicate alembic_version on PostgreSQL), and on
                # SQLite, whose migrations ran statement by statement, could interleave with the first.
                # BEGIN IMMEDIATE also makes the whole migration one transaction on SQLite, as on PostgreSQL.
                if sqlite:
                    conn.exec_driver_sql("BEGIN IMMEDIATE")
                elif conn.dialect.name == "postgresql":
                    conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({_MIGRATION_LOCK})")
                cfg.attributes["connection"] = conn
                yield cfg
        finally:
            if sqlite:
                conn.exec_driver_sql("PRAGMA foreign_keys=ON")
                conn.commit()


def refuse_newer(engine: Engine) -> None:
    """Raise ``SchemaTooNew`` when the database is at a migration this code does not know."""
    current = current_revision(engine)
    if current is not None and current not in known_revisions():
        where = engine.url.render_as_string(hide_password=True)
        raise SchemaTooNew(
            f"The database {where} is at migration {current}, which this code does not have: a newer version of "
            f"the tracker migrated it (this code goes up to {head_revision()}). Upgrade the tracker (`git pull` "
            "or `pip install -U policy-tracker`, then `tracker db upgrade`), or set DATABASE_URL to a database "
            "of this version. `tracker db upgrade` cannot help: it does not downgrade.")


def check_schema(engine: Engine) -> None:
    """Refuse to run on a database that is not migrated, naming the command that fixes it: `tracker db upgrade`
    when the database is behind the code, an upgrade of the tracker when a newer one migrated it."""
    current, head = current_revision(engine), head_revision()
    if current != head:
        refuse_newer(engine)
        where = engine.url.render_as_string(hide_password=True)
        if (path := missing_file(engine)) is not None:
            raise SchemaNotReady(f"The database {where} does not exist (no file at {path}). "
                                 "Run `tracker db upgrade` first.")
        state = "has no schema" if current is None else f"is at migration {current}, the code needs {head}"
        raise SchemaNotReady(f"The database {where} {state}. Run `tracker db upgrade` first.")


@contextmanager
def session_scope(engine: Engine | None = None) -> Iterator["Session"]:
    """A session that commits on success and rolls back on error."""
    from sqlmodel import Session

    with Session(engine or get_engine(), expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
