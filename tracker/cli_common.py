"""What every ``tracker`` sub-command shares: exit codes, the schema gate and plain output helpers.

Exit codes: 0 success; 1 the command ran but some items failed (named on stderr); 2 bad usage or input that
cannot be read, including a name that does not exist (topic, rule, position, watchlist, user...: a typo in a
known list); 3 the database cannot be used (not migrated, unreachable, or DATABASE_URL is wrong); 4 nothing
found for the path given, for a bill reference, or for an export's selection.
"""

import json
import sys
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import typer

from tracker.search_syntax import CLI_HELP
from tracker.terminal import SafeConsole

if TYPE_CHECKING:
    from sqlalchemy import Engine

# SQLAlchemy is imported by the commands that use the database, not here: `tracker crawl` starts its crawl
# subprocess first and opens the database while the crawl runs (see tracker.crawl_cli).

EXIT_PARTIAL, EXIT_USAGE, EXIT_SCHEMA, EXIT_NOT_FOUND = 1, 2, 3, 4

out = SafeConsole()
err = SafeConsole(stderr=True)

TEXT_FILTER_HELP = ("A bill number (HR 1234, H.R. 1234, AB 5, Int 0123-2024: that number's bills first, in every "
                    "session) and/or words in the title, summary or text, as the dashboard's search finds them: "
                    + CLI_HELP)


def database_problem(exc: BaseException) -> str | None:
    """What to tell the user when ``exc`` means the configured database cannot be used at all, else None."""
    if not type(exc).__module__.startswith(("sqlalchemy", "tracker.db")):
        return None  # SQLAlchemy is not imported by every command (see above)
    from sqlalchemy.exc import DatabaseError, OperationalError

    from tracker import db

    # SchemaTooNew: a command that migrates (`tracker run`) meets a database a newer tracker migrated.
    if isinstance(exc, (db.DatabaseUrlError, db.SchemaTooNew)):
        return str(exc)
    # DatabaseError itself, not its subclasses (IntegrityError... are about the data): SQLite's "file is not a
    # database" or "database disk image is malformed", a DATABASE_URL naming the wrong or a damaged file.
    if isinstance(exc, OperationalError) or type(exc) is DatabaseError:
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig is not None else str(exc)
        from tracker.importer import disk_full

        if disk_full(exc):
            where = db.sqlite_file(db.get_engine()) or db.display_url()
            return (f"The disk holding {where} is full ({reason}). What was committed before is kept; free space, "
                    "then run the command again.")
        if reason == "database is locked":  # SQLite's one writer, held past the busy timeout: nothing to fix
            return (f"The database {db.display_url()} is busy: another process (an import or a crawl) kept it "
                    f"locked for {db.SQLITE_BUSY_TIMEOUT_MS / 1000:g} s. Try again in a moment.")
        # SQLite has no server: its errors here are the file's (missing folder, permissions, not a database).
        check = ("that this user may read and write the file and its folder (SQLite writes its -wal and -shm "
                 "files beside it)" if db.display_url().startswith("sqlite") else "that the server is running")
        return f"The database {db.display_url()} cannot be used: {reason}. Check DATABASE_URL and {check}."
    return None


def semantic_problem(exc: BaseException) -> str | None:
    """What to tell the user when ``exc`` says semantic relevance is required but cannot run (TRACKER_SEMANTIC=on
    without the extra): a setting to fix, raised from deep inside any command that scores bills, else None."""
    module = sys.modules.get("tracker.matching.semantic")  # not imported: the exception cannot be its own
    if module is None or not isinstance(exc, module.SemanticUnavailable):
        return None
    return str(exc)


def migrated_engine() -> "Engine":
    """The configured database, or exit 3 with the command that fixes it."""
    from tracker import db

    engine = db.get_engine()
    try:
        db.check_schema(engine)
    except db.SchemaNotReady as exc:
        err.print(str(exc), markup=False, highlight=False, style="red", soft_wrap=True)
        raise typer.Exit(EXIT_SCHEMA) from None
    return engine


def fail(message: str, code: int = EXIT_USAGE) -> typer.Exit:
    """Print ``message`` (never read as markup: it may quote upstream text) and return the exit to raise.

    One line, never wrapped at a terminal's width: a log or `grep` keeps the path or URL it names whole."""
    err.print(message, markup=False, highlight=False, style="red", soft_wrap=True)
    return typer.Exit(code)


def print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n")


def print_json_list(items: Iterable[Any]) -> None:
    """A JSON array written item by item, so a long list never sits in memory twice."""
    write = sys.stdout.write
    write("[")
    for n, item in enumerate(items):
        write(("," if n else "") + "\n  " + json.dumps(item, indent=2, ensure_ascii=False, default=str)
              .replace("\n", "\n  "))
    write("\n]\n")
