"""The ``tracker`` command line (exit codes in ``tracker.cli_common``)."""

import importlib
import logging
import os
import signal
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import click
import typer
from typer.core import TyperGroup

from tracker.cli_common import (
    EXIT_NOT_FOUND,
    EXIT_PARTIAL,
    EXIT_SCHEMA,
    EXIT_USAGE,
    TEXT_FILTER_HELP,
    database_problem,
    err,
    fail,
    migrated_engine,
    out,
    print_json_list,
    semantic_problem,
)
from tracker.cli_common import print_json as _print_json
from tracker.crawl_cli import crawl_app

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from tracker.importer import ImportReport
    from tracker.ingest import IngestResult
    from tracker.models import CrawlRun


class LazyGroups(TyperGroup):
    """Command groups imported when they are used (or listed by --help), not at every start.

    ``tracker crawl`` is the parent of every scheduled crawl: it must not pay for the alerts, exports, flagging
    and accounts modules (and the numpy, ORM and mail code behind them) that it never calls.
    """

    lazy = {"export": "tracker.exports.cli:export_app", "topics": "tracker.matching.cli:topics_app",
            "users": "tracker.users_cli:users_app", "alerts": "tracker.alerts.cli:alerts_app",
            "scorecard": "tracker.scorecard_cli:scorecard_app", "stances": "tracker.stances_cli:stances_app",
            "key-votes": "tracker.key_votes_cli:key_votes_app"}

    def list_commands(self, ctx: click.Context) -> list[str]:
        eager = super().list_commands(ctx)
        return eager + [name for name in self.lazy if name not in eager]

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self.lazy and cmd_name not in self.commands:
            module, attr = self.lazy[cmd_name].split(":")
            # A group, or the command itself when the app has only one (export): no phantom COMMAND in its usage
            command = typer.main.get_command(getattr(importlib.import_module(module), attr))
            command.name = cmd_name
            self.add_command(command, cmd_name)
        return super().get_command(ctx, cmd_name)

    def invoke(self, ctx: click.Context) -> Any:
        # Any command that cannot open the database, is given a setting it cannot use, or is told to use semantic
        # relevance that is not installed, says so in one line, not with a traceback.
        from tracker.config import ConfigError

        try:
            return super().invoke(ctx)
        except ConfigError as exc:  # a SystemExit whose message would exit 1, the code of failed items
            raise fail(str(exc.code), EXIT_USAGE) from None
        except Exception as exc:
            if (problem := database_problem(exc)) is not None:
                raise fail(problem, EXIT_SCHEMA) from None
            if (problem := semantic_problem(exc)) is not None:
                raise fail(problem, EXIT_USAGE) from None
            raise


app = typer.Typer(help="Policy Tracker: follow tech-relevant bills and the council's positions on them.",
                  no_args_is_help=True, pretty_exceptions_enable=False, cls=LazyGroups)
db_app = typer.Typer(help="Database schema: create and migrate.", no_args_is_help=True)
bills_app = typer.Typer(help="Read stored bills.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(bills_app, name="bills")
app.add_typer(crawl_app)  # crawl, runs, schedule, run


def _engine(check: bool = True) -> "Engine":
    from tracker import db

    return migrated_engine() if check else db.get_engine()


@app.callback()
def main(verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Log debug detail.")] = False) -> None:
    logging.basicConfig(level=logging.DEBUG if verbose else logging.WARNING,
                        format="%(levelname)s %(name)s: %(message)s")


# -- db -----------------------------------------------------------------------------------------------------

@db_app.command("upgrade")
def db_upgrade(
    revision: Annotated[str, typer.Argument(help="Target revision.")] = "head",
    no_backup: Annotated[bool, typer.Option("--no-backup", help="Migrate a SQLite database without first copying "
                                            "it to backups/ beside it.")] = False,
) -> None:
    """Create the schema or bring it up to date (safe to run at every start). A SQLite database that has a schema
    is copied to backups/ beside it before a migration runs."""
    from alembic.util import CommandError

    from tracker import db
    from tracker.upgrade_notes import enabled_rule_ids

    engine = _engine(check=False)
    try:
        if not ("+" in revision or "-" in revision):  # relative targets are resolved against the database
            from alembic.script import ScriptDirectory

            # An unknown target is refused before the copy below: it would keep a database nothing changes.
            ScriptDirectory.from_config(db.alembic_config("sqlite://")).get_revisions(revision)
        if not no_backup:
            backup_before_migrating(engine, revision)
        enabled_before = enabled_rule_ids(engine)
        db.upgrade(engine, revision)
    except db.SchemaTooNew as exc:
        raise fail(str(exc), EXIT_SCHEMA) from None
    except CommandError as exc:
        raise fail(f"Cannot upgrade to {revision!r}: {exc}") from None
    out.print(f"Database {engine.url.render_as_string(hide_password=True)} is at {db.current_revision(engine)}.",
              markup=False, highlight=False)
    print_upgrade_notes(engine, enabled_before)


def print_upgrade_notes(engine: "Engine", enabled_before: set[int]) -> None:
    """After migrating: what the upgrade changed that staff should know, and what is left to do (upgrade_notes)."""
    from sqlmodel import Session

    from tracker import db
    from tracker.upgrade_notes import notes

    if db.current_revision(engine) != db.head_revision():
        return  # a downgrade or a partial upgrade: the models may not match the schema
    with Session(engine) as session:
        for line in notes(session, enabled_before=enabled_before):
            out.print(line, markup=False, highlight=False, soft_wrap=True)


@db_app.command("merge-duplicates")
def db_merge_duplicates(
    apply: Annotated[bool, typer.Option("--apply", help="Merge; without it, only list what would be merged.")]
    = False,
) -> None:
    """Bills an earlier version stored twice (a California extraordinary-session bill from Open States or
    LegiScan beside pubinfo's): list them, and with --apply move the council's positions, history, notes,
    triage, assignments, watchlist entries and bill alerts to one bill. A group whose copies hold different
    positions, relevance labels or assignees is skipped and named (exit 1): settle it on the bill pages first."""
    from sqlmodel import Session

    from tracker.duplicates import find_groups, merge

    engine = _engine()
    with Session(engine) as session:
        groups = find_groups(session)
        if not groups:
            out.print("No bill is stored twice.", markup=False, highlight=False, soft_wrap=True)
            return
        for group in groups:
            survivor = group.survivor
            out.print(f"{group.label}: keep bill {survivor.bill_id} ({survivor.source_name}, stored as "
                      f"{survivor.identifier} in {survivor.session_identifier})"
                      + "".join(f"; merge bill {o.bill_id} ({o.source_name}, {o.identifier} in "
                                f"{o.session_identifier})" for o in group.others),
                      markup=False, highlight=False, soft_wrap=True)
            for conflict in group.conflicts:
                out.print(f"  conflict, not merged: {conflict}", markup=False, highlight=False, soft_wrap=True)
        if not apply:
            out.print("Nothing changed: --apply merges the groups without a conflict.", markup=False,
                      highlight=False, soft_wrap=True)
            return
        session.rollback()  # the listing's read ends: merge() reads again under the writers' lock
        report = merge(session, groups)
        session.commit()
    moved = ", ".join(f"{what} {n}" for what, n in report.moved.items() if n) or "nothing else"
    out.print(f"Merged {len(report.merged)} group(s); moved to the bills kept: {moved}.", markup=False,
              highlight=False, soft_wrap=True)
    if report.skipped:
        raise fail(f"{len(report.skipped)} group(s) not merged for a conflict: give the copies the same position "
                   "(or label, or assignee) on their bill pages, then run this again.", EXIT_PARTIAL)


def backup_before_migrating(engine: "Engine", revision: str = "head") -> None:
    """What `db upgrade` and `run` do before migrating a SQLite database (tracker.db_backup), said on screen."""
    from tracker import db
    from tracker.db_backup import BackupError
    from tracker.db_backup import backup_before_migrating as backup

    try:
        done = backup(engine, revision)
    except BackupError as exc:
        raise fail(f"{exc}; nothing was migrated (--no-backup migrates without a copy)", EXIT_PARTIAL) from None
    if done:
        out.print(f"Backed up {db.sqlite_file(engine)} (at migration {done[1]}) to {done[0]} before migrating.",
                  markup=False, highlight=False)


@db_app.command("backup")
def db_backup(
    to: Annotated[Path | None, typer.Option("--to", help="The copy's path (default: backups/<name>-<UTC time>.db "
                                            "beside the database). Never overwritten.")] = None,
) -> None:
    """Copy the SQLite database, consistently, while the tracker keeps using it (PostgreSQL: use pg_dump)."""
    from tracker import db
    from tracker.db_backup import BackupError, backup_sqlite, default_backup_path

    engine = _engine(check=False)  # a database behind the code may be backed up (before migrating it by hand)
    path = db.sqlite_file(engine)
    if (missing := db.missing_file(engine)) is not None:
        raise fail(f"No database file at {missing}: nothing to back up.", EXIT_SCHEMA)  # as every command
    if path is None:
        raise fail(f"{db.display_url()} is not a SQLite file: back it up with the database's own tool, for "
                   "PostgreSQL `pg_dump --format=custom --file=tracker.dump \"$DATABASE_URL\"` (and pg_restore).")
    try:
        copy = backup_sqlite(path, to or default_backup_path(path))
    except BackupError as exc:
        raise fail(str(exc), EXIT_PARTIAL) from None
    out.print(f"Backed up {path} to {copy} ({copy.stat().st_size / 1e6:.1f} MB).", markup=False, highlight=False)


@db_app.command("restore")
def db_restore(
    backup: Annotated[Path, typer.Argument(help="A copy made by `tracker db backup` (or before a migration).")],
) -> None:
    """Replace the SQLite database with a backup; what it held is kept in backups/ first (PostgreSQL: use
    pg_restore). Stop `tracker schedule` and the dashboard first."""
    from tracker import db
    from tracker.db_backup import BackupError, RestoreRefused, backup_revision, restore_sqlite
    from tracker.scheduler import SchedulerBusy, scheduler_lock

    engine = _engine(check=False)
    path = db.sqlite_file(engine)
    if path is None:
        raise fail(f"{db.display_url()} is not a SQLite file: restore it with the database's own tool, for "
                   "PostgreSQL `pg_restore --clean --if-exists --no-owner --dbname \"$DATABASE_URL\" tracker.dump` "
                   "(see README, Backups).")
    try:
        revision = backup_revision(backup)
    except RestoreRefused as exc:
        raise fail(f"Not restored: {exc}.") from None
    if revision not in db.known_revisions():
        raise fail(f"Not restored: {backup} is at migration {revision}, which this code does not have (a newer "
                   "tracker made it); upgrade the tracker first.", EXIT_SCHEMA)
    try:
        with scheduler_lock(engine):  # held throughout: no scheduler starts on it half-way either
            kept = restore_sqlite(backup, path)
    except SchedulerBusy as exc:
        raise fail(f"Not restored: {exc}.", EXIT_PARTIAL) from None
    except BackupError as exc:
        raise fail(str(exc), EXIT_PARTIAL) from None
    engine.dispose()
    out.print(f"Restored {path} from {backup} (migration {revision})"
              + (f"; what it held before is in {kept}." if kept else "."), markup=False, highlight=False)
    if revision != db.head_revision():
        out.print("Run `tracker db upgrade` before starting the tracker: the backup is of an older version.",
                  markup=False, highlight=False)


@db_app.command("prune-errors")
def db_prune_errors(
    keep_days: Annotated[float | None, typer.Option(min=0.001, help="Keep the errors of runs of the last N days "
                                                    "(default: [crawl] keep_errors_days, 90).")] = None,
) -> None:
    """Delete the errors of old crawl and import runs (each crawl and import does it as it ends); the runs keep
    their counts, and each source's latest run its errors."""
    from sqlmodel import Session

    from tracker.config import crawl_settings
    from tracker.run_history import prune_errors

    days = keep_days if keep_days is not None else crawl_settings().keep_errors_days
    with Session(_engine()) as s:
        deleted = prune_errors(s, keep_days=days)
    out.print(f"{deleted} error(s) of runs older than {days:g} days deleted; the runs keep their counts.",
              markup=False, highlight=False)


@db_app.command("current")
def db_current() -> None:
    """Show the database's migration and the one the code needs."""
    from tracker import db

    engine = _engine(check=False)
    current, head = db.current_revision(engine), db.head_revision()
    if (missing := db.missing_file(engine)) is not None:
        out.print(f"database: does not exist ({missing})   code: {head}", markup=False, highlight=False)
        raise fail("Run `tracker db upgrade` to create it.", EXIT_SCHEMA)
    out.print(f"database: {current or 'no schema'}   code: {head}", markup=False, highlight=False)
    if current != head:
        try:
            db.refuse_newer(engine)
        except db.SchemaTooNew as exc:
            raise fail(str(exc), EXIT_SCHEMA) from None
        raise typer.Exit(EXIT_SCHEMA)


# -- import -------------------------------------------------------------------------------------------------

@app.command("import")
def import_cmd(
    paths: Annotated[list[Path], typer.Argument(help="Files, directory trees or archives (.zip, .tar.gz).")],
    batch_size: Annotated[int, typer.Option(min=1, help="Bills per transaction.")] = 500,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")] = False,
    embed: Annotated[bool, typer.Option("--embed/--no-embed", help="With semantic relevance on, embed the imported "
                                        "bills (small batches as they are flagged, the rest at the end); "
                                        "--no-embed: none now, flag on keywords and embed later with `tracker "
                                        "topics embed`.")] = True,
    reparse: Annotated[bool, typer.Option("--reparse", help="Read every file again, unchanged ones too, and store "
                                          "what this version reads of them (after an upgrade that fixed a parser). "
                                          "Corrections of files imported before are stored quietly: no change "
                                          "records, no alerts.")
                       ] = False,
) -> None:
    """Import bill files without unpacking archives; files already imported are skipped.

    GovInfo BILLSTATUS XML, Open States and LegiScan bill files, California pubinfo downloads (folder or zip).
    Bills are flagged batch by batch; with semantic relevance on, the bills of batches too big to embed inline
    are embedded at the end (about 8 minutes per 10,000 bills on two cores). Other files in folders and
    archives (README.md, .txt, .csv, index.jsonl, unitedstates' data.json) are counted as skipped. Exit 1 when
    some files failed, a path does not exist or the embedding failed (the bills stay imported), 2 when nothing
    could be read, 4 when a path holds no bill files.
    """
    from rich.markup import escape
    from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
    from sqlmodel import Session

    from tracker.config import crawl_settings
    from tracker.importer import ImportPathError, Terminated, import_path
    from tracker.run_history import prune_quietly

    # Ctrl-C and SIGTERM end the run as interrupted, at the next progress step (every batch): a KeyboardInterrupt
    # raised wherever the signal lands could be lost inside the parser pool's machinery (concurrent.futures,
    # multiprocessing), and the import then ran to the end as if nothing had been pressed. A second one stops
    # at once.
    stops: list[int] = []

    def stop_requested(signum: int, _frame: Any) -> None:
        stops.append(signum)
        if len(stops) > 1:
            check_stop()

    def check_stop() -> None:
        if stops:
            raise KeyboardInterrupt if stops[0] == signal.SIGINT else Terminated

    previous = {sig: signal.signal(sig, stop_requested) for sig in (signal.SIGINT, signal.SIGTERM)}

    engine = _engine()
    keep_errors_days = crawl_settings().keep_errors_days  # a mistake in tracker.toml is refused before importing
    code = 0
    missing: list[Path] = []
    imported = False  # some bill stored or found unchanged, in any path
    for path in (p.absolute() for p in paths):  # runs record where the files were, whatever the working dir
        if not path.exists():  # named, and the other paths are still imported
            err.print(f"  [red]failed[/red] {escape(str(path))}: no such file or directory", highlight=False,
                      soft_wrap=True)
            missing.append(path)
            continue
        with Progress(SpinnerColumn(), TextColumn("[bold]{task.description}"), BarColumn(),
                      TextColumn("{task.fields[counts]}"), TimeElapsedColumn(),
                      console=err, disable=quiet, transient=False) as progress:
            task = progress.add_task(str(path), total=None, counts="")

            def on_progress(result: "IngestResult", seen: int, errors: int, task: Any = task) -> None:
                check_stop()
                progress.update(task, counts=f"{seen} read · {result.new} new · {result.updated} updated · "
                                             f"{result.unchanged} unchanged · {errors} failed")

            try:
                report = import_path(engine, path, on_progress=on_progress, batch_size=batch_size,
                                     reparse=reparse, embed=embed)
                check_stop()  # the import had finished: the other paths are not started
            except ImportPathError as exc:  # removed since the check above
                err.print(f"  [red]failed[/red] {escape(str(exc))}", highlight=False, soft_wrap=True)
                missing.append(path)
                continue
            except BaseException:
                if stops:  # what failed while stopping is part of the stop: the run says interrupted
                    _print_stopped_run(engine, path)
                    raise typer.Exit(128 + stops[0]) from None
                raise
        r = report.result
        imported = imported or bool(r.new or r.updated or r.unchanged or r.superseded)
        others = f", {report.skipped} other files skipped" if report.skipped else ""
        _print_import_summary(path, report.run, superseded=r.superseded, others=others, corrected=r.corrected,
                              reparse=reparse)
        _print_import_errors(report.errors, len(report.errors))
        code = max(code, _import_exit_code(report))
    with Session(engine) as s:  # runs' errors kept for [crawl] keep_errors_days, as at the end of a crawl
        prune_quietly(s, keep_days=keep_errors_days)
    for sig, handler in previous.items():  # the embedding catch-up below stops as any command does
        signal.signal(sig, handler)
    if missing:  # README: 1 when the rest was imported, 2 when nothing could be read
        code = max(code, EXIT_PARTIAL if imported else EXIT_USAGE)  # each one was named where it came
    if imported:
        from tracker.matching.cli import catch_up_embeddings

        code = max(code, catch_up_embeddings(engine, embed=embed, quiet=quiet))
    raise typer.Exit(code)


def _print_import_summary(path: Path, run: "CrawlRun", *, superseded: int, others: str, corrected: int = 0,
                          reparse: bool = True) -> None:
    why = "--reparse" if reparse else "read by an older parser before"
    updated = f"{run.updated - corrected} updated" + (f", {corrected} corrected ({why})" if corrected else "")
    superseded_text = f"{superseded} superseded by a newer copy, " if superseded else ""
    out.print(f"{path}: {run.fetched} read, {run.new} new, {updated}, {run.unchanged} unchanged, "
              f"{superseded_text}{run.failed} failed{others} (run {run.id})", highlight=False, markup=False,
              soft_wrap=True)


def _print_import_errors(errors: list[tuple[str, str]], total: int) -> None:
    from rich.markup import escape

    for locator, reason in errors[:50]:
        # One line per file, never wrapped into the path: a log or `grep` keeps it whole.
        err.print(f"  [red]failed[/red] {escape(locator)}: {escape(reason)}", highlight=False, soft_wrap=True)
    if total > 50:
        err.print(f"  ... and {total - 50} more (see `tracker runs`)")


def _print_stopped_run(engine: "Engine", path: Path) -> None:
    """What a stopped import had done, as a finished one says it, and the run's note on the stop ("interrupted
    (Ctrl-C): only the batches committed before it are stored ...; import again to finish."). The importer has
    recorded the run by the time its exception arrives here; it is this process's latest import run."""
    from sqlalchemy import func, select
    from sqlmodel import Session

    from tracker.models import CrawlError, CrawlRun
    from tracker.run_owner import owner_token

    with Session(engine) as s:
        run = s.execute(select(CrawlRun).where(CrawlRun.kind == "import", CrawlRun.owner == owner_token())
                        .order_by(CrawlRun.id.desc()).limit(1)).scalar_one_or_none()
        if run is None or run.args.get("path") != str(path):  # stopped before the run was recorded
            err.print(f"{path}: interrupted before anything was imported", markup=False, highlight=False,
                      soft_wrap=True)
            return
        errors = [(e.locator, e.reason) for e in s.execute(
            select(CrawlError).where(CrawlError.run_id == run.id).order_by(CrawlError.id).limit(50)).scalars()]
        failed = s.execute(select(func.count()).select_from(CrawlError).where(CrawlError.run_id == run.id)
                           ).scalar_one()
    # Superseded copies and other files are counted in the message, which follows.
    _print_import_summary(path, run, superseded=0, others="")
    _print_import_errors(errors, failed)
    err.print(run.message or "interrupted", markup=False, highlight=False, soft_wrap=True)


def _import_exit_code(report: "ImportReport") -> int:
    r, errors = report.result, len(report.errors)
    if not report.run.fetched and not errors:
        others = f" ({report.skipped} other files skipped)" if report.skipped else ""
        err.print(f"  no bill files found in {report.run.args.get('path')}{others}", highlight=False, markup=False,
                  soft_wrap=True)
        return EXIT_NOT_FOUND
    if errors and not (r.new or r.updated or r.unchanged or r.superseded):
        return EXIT_USAGE  # nothing in the path could be read
    return EXIT_PARTIAL if errors else 0


# -- bills --------------------------------------------------------------------------------------------------

def _stored_scope(jurisdiction: str | None, session: str | None) -> str | None:
    """The jurisdiction as stored (codes are lower case: ``CA`` is ``ca``). One that is not stored, or a session
    that is not (in that jurisdiction), fails naming what is: either would only have matched no bill."""
    from sqlalchemy import select
    from sqlmodel import Session

    from tracker.models import Jurisdiction, LegislativeSession

    with Session(_engine()) as s:
        if jurisdiction is not None:
            stored = s.execute(select(Jurisdiction.id).order_by(Jurisdiction.id)).scalars().all()
            if jurisdiction.strip().lower() not in stored:
                raise fail(f"No jurisdiction {jurisdiction!r}; stored: {', '.join(stored) or 'none yet'}")
            jurisdiction = jurisdiction.strip().lower()
        if session is not None:
            query = select(LegislativeSession.identifier).distinct().order_by(LegislativeSession.identifier)
            if jurisdiction is not None:
                query = query.where(LegislativeSession.jurisdiction_id == jurisdiction)
            sessions = s.execute(query).scalars().all()
            if session not in sessions:
                where = f" in {jurisdiction}" if jurisdiction else ""
                raise fail(f"No session {session!r}{where}; stored: {', '.join(sessions) or 'none yet'}")
    return jurisdiction


@bills_app.command("list")
def bills_list(
    jurisdiction: Annotated[str | None, typer.Option(help="Jurisdiction code, e.g. us, ca.")] = None,
    session: Annotated[str | None, typer.Option(help="Session identifier, e.g. 117.")] = None,
    stage: Annotated[list[str] | None, typer.Option(help="Stage key, as --json gives it, e.g. "
                                                         "passed_origin_chamber (repeatable).")] = None,
    text: Annotated[str | None, typer.Option(help=TEXT_FILTER_HELP)] = None,
    limit: Annotated[int | None, typer.Option(min=1, help="At most this many (default: all with --json, "
                                                          "50 in the table).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Every matching bill as JSON, whole (as `bills show "
                                                         "--json`; with --flagged: topics, scores, evidence).")
                       ] = False,
    flagged: Annotated[bool, typer.Option("--flagged", help="Only flagged bills, with topics and evidence.")] = False,
    topic: Annotated[str | None, typer.Option(help="Only bills flagged for this topic (slug or name).")] = None,
) -> None:
    """List stored bills, most recent action first (--flagged: strongest flags first; --text: as the dashboard's
    search ranks them, a typed bill number's bills first, then the best match)."""
    from rich.table import Table
    from rich.text import Text
    from sqlmodel import Session

    from tracker.exports.packet import stage_label
    from tracker.matching.queries import with_topics
    from tracker.models.enums import Stage
    from tracker.queries import BillFilter, bill_details, count_bills, list_bill_ids, list_bills
    from tracker.references import bill_reference
    from tracker.terminal import printable, whole_column

    bad = [s for s in stage or [] if s not in Stage.__members__]
    if bad:
        raise fail(f"Unknown stage {', '.join(bad)}; one of: {', '.join(Stage.__members__)}")
    jurisdiction = _stored_scope(jurisdiction, session)
    flt = BillFilter(jurisdiction=jurisdiction, session=session, stage=tuple(stage or ()), text=text)
    if flagged or topic:
        from tracker.matching.cli import print_flagged

        print_flagged(flt, topic=topic, limit=limit, as_json=as_json)
        return
    with Session(_engine()) as s:
        if as_json:
            print_json_list(with_topics(s, bill_details(s, list_bill_ids(s, flt, limit=limit))))
            return
        shown = limit or 50
        rows, total = list_bills(s, flt, limit=shown), count_bills(s, flt)
    # The stage in the dashboard's words ("Passed first chamber"), kept whole; --json and --stage keep the keys.
    stages = [stage_label(b["stage"], b["jurisdiction"]) for b in rows]
    table = Table("id", "bill", whole_column("stage", stages), "latest action", "title")
    table.columns[4].overflow = "fold"  # a long word of a title goes on the next line, not behind an ellipsis
    # Text cells: upstream text such as "[section 2]" is shown as it is, never read as markup.
    for b, stage_words in zip(rows, stages, strict=True):
        ref = bill_reference(b["jurisdiction"], b["session"], b["identifier"], compact=True)
        # Cleaned before the table measures them (tracker.terminal): a control character measured as nothing and
        # printed as U+FFFD made a title wider than its column, and its end was cut off.
        table.add_row(str(b["id"]), Text(printable(ref)), Text(stage_words),
                      b["latest_action_date"] or "", Text(printable(b["title"][:90])))
    out.print(table)
    out.print(f"{len(rows)} of {total} bills shown.")


SHOWN_VERSIONS = 10  # every version of any 117th-Congress bill (8 at most); state bills can have more
SHOWN_ACTIONS = 10
# Of a stored text, `bills show --text` prints this much unless --full: a bill's first pages, where its short title,
# table of contents and findings are; an omnibus runs to millions of characters.
SHOWN_TEXT_CHARS = 20_000


def _print_latest(what: str, total: int, shown: int) -> None:
    """Say so when the text view leaves some out: nothing is hidden without a word."""
    if total > shown:
        out.print(f"  (the latest {shown} of {total} {what}; --json for all)", markup=False, highlight=False)


def _cosponsors(sponsorships: list[dict[str, Any]]) -> str:
    """The current cosponsors, as Congress.gov counts them, and those who withdrew: "44 (7 withdrawn)"."""
    cosponsors = [s for s in sponsorships if s["kind"] == "cosponsor"]
    withdrawn = sum(1 for s in cosponsors if s["withdrawn_date"])
    return f"{len(cosponsors) - withdrawn}" + (f" ({withdrawn} withdrawn)" if withdrawn else "")


@bills_app.command("show")
def bills_show(
    ref: Annotated[str, typer.Argument(help="Bill id, or identifier such as 'HR 3684'.")],
    jurisdiction: Annotated[str | None, typer.Option(help="Jurisdiction code, to disambiguate.")] = None,
    session: Annotated[str | None, typer.Option(help="Session identifier, to disambiguate.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="The whole bill as JSON.")] = False,
    text: Annotated[bool, typer.Option("--text", help="Print the latest stored text of the bill (where a feed "
                                                     "gives it) instead, or say where to read it.")] = False,
    full: Annotated[bool, typer.Option("--full", help=f"With --text: all of it, not the first "
                                                      f"{SHOWN_TEXT_CHARS:,} characters.")] = False,
) -> None:
    """Show one bill with its actions, sponsors, committees, subjects, versions, current text (label, date and a
    link to each rendition), roll calls and hearings."""
    from rich.text import Text
    from sqlmodel import Session

    from tracker.exports.packet import stage_label
    from tracker.matching.queries import with_topics
    from tracker.queries import bill_choices, bill_details, find_bills, latest_stored_text
    from tracker.shown_actions import shown_actions
    from tracker.votes import roll_call_label, tally_label

    jurisdiction = _stored_scope(jurisdiction, None)  # a session not stored: the bill's own sessions are listed
    with Session(_engine()) as s:
        ids = find_bills(s, ref, jurisdiction=jurisdiction, session_identifier=session)
        if not ids:
            elsewhere = find_bills(s, ref, jurisdiction=jurisdiction) if session else []
            if not elsewhere:
                raise fail(f"No bill matches {ref!r}.", EXIT_NOT_FOUND)
            err.print(f"{ref!r} is not in session {session!r}; it is in:", markup=False, highlight=False)
            _print_choices(bill_choices(s, elsewhere))
            raise typer.Exit(EXIT_NOT_FOUND)
        if len(ids) > 1:
            err.print(f"{ref!r} matches {len(ids)} bills; pick one by id, or by --jurisdiction and --session:",
                      markup=False, highlight=False)
            _print_choices(bill_choices(s, ids))
            raise typer.Exit(EXIT_USAGE)
        detail = next(with_topics(s, bill_details(s, ids[:1])))
        stored = latest_stored_text(s, bill_id=ids[0]) if text else None
    if text:
        _print_stored_text(detail, stored, full=full)
        return
    if as_json:
        _print_json(detail)
        return
    out.print(Text(f"{detail['jurisdiction']} {detail['session']} {detail['identifier']}", style="bold"),
              Text(f"({stage_label(detail['stage'], detail['jurisdiction'])})"), highlight=False)
    out.print(detail["title"], markup=False, highlight=False)
    for label, key in (("Introduced", "introduced_date"), ("Latest action", "latest_action_text"),
                       ("Policy area", "policy_area")):
        if detail.get(key):
            out.print(f"{label}: {detail[key]}", markup=False, highlight=False)
    from tracker.exports.packet import official_status

    if status := official_status(detail["status_text"], detail["latest_action_text"]):
        out.print(f"Official status: {status}", markup=False, highlight=False)  # as the bill page says it
    sponsors = [s for s in detail["sponsorships"] if s["kind"] == "primary"]
    if sponsors:
        out.print("Sponsor: " + "; ".join(s["name"] for s in sponsors), markup=False, highlight=False)
    if unranked := [s for s in detail["sponsorships"] if s["kind"] == "sponsor"]:  # SponsorshipKind.sponsor
        out.print("Sponsors (primary sponsor not recorded): " + "; ".join(s["name"] for s in unranked),
                  markup=False, highlight=False)
    # Actions as listed below: one line for an action two recording systems both list (--json keeps each).
    actions = shown_actions(detail["actions"])
    out.print(f"Cosponsors: {_cosponsors(detail['sponsorships'])}   Actions: {len(actions)}   "
              f"Versions: {len(detail['versions'])}", markup=False, highlight=False)
    if detail["committees"]:
        from tracker.exports.packet import describe_committees

        # As the bill page and packets name them, with the chamber: California has two "Appropriations".
        out.print("Committees: " + "; ".join(
            c["committee"] + (f" ({c['last action']})" if c["last action"] else "")
            for c in describe_committees(detail["committees"], detail["jurisdiction"])), markup=False,
                  highlight=False)
    if detail["subjects"]:
        more = f" (+{len(detail['subjects']) - 20} more)" if len(detail["subjects"]) > 20 else ""
        out.print("Subjects: " + "; ".join(detail["subjects"][:20]) + more, markup=False, highlight=False)
    _print_topics(detail["topics"])
    current = detail["current_text"]
    if current:
        out.print(f"Text: {current['label']} ({current['date'] or 'undated'})", markup=False, highlight=False)
        for link in current["links"]:
            out.print(f"  {link['kind']:5} {link['url']}", markup=False, highlight=False, soft_wrap=True)
    versions = detail["versions"]
    _print_latest("versions", len(versions), SHOWN_VERSIONS)
    for version in versions[-SHOWN_VERSIONS:]:  # oldest first, the latest last (tracker.queries.VERSION_ORDER)
        out.print(f"  version {version['date'] or 'undated':10}  {version['label']}  {version['url']}", markup=False,
                  highlight=False)
    if detail["summary"]:
        out.print("\n" + detail["summary"][:2000], markup=False, highlight=False)
    _print_latest("actions", len(actions), SHOWN_ACTIONS)
    for action in actions[-SHOWN_ACTIONS:]:
        out.print(f"  {action['date'] or '':10}  {action['text']}", markup=False, highlight=False)
    if detail["votes"]:
        out.print(f"Roll calls ({detail['votes'][0]['source']}):", markup=False, highlight=False)
    for vote in detail["votes"][-10:]:
        if vote["roll_number"] is not None:  # a chamber's numbered roll call (BILLSTATUS): named, tally or not
            label = roll_call_label(vote["chamber"], vote["roll_number"], vote["date"], vote["motion"],
                                    detail["jurisdiction"])
            out.print("  " + " · ".join(p for p in (label, tally_label(vote["yes"], vote["no"]), vote["url"]) if p),
                      markup=False, highlight=False, soft_wrap=True)
            continue
        tally = "-".join(str(n) for n in (vote["yes"], vote["no"]) if n is not None)
        out.print(f"  {vote['date'] or '':10}  {vote['body'] or vote['chamber'] or ''}  {vote['motion'] or ''}  "
                  f"{vote['result'] or ''} {tally}".rstrip(), markup=False, highlight=False)
    for hearing in detail["hearings"][-5:]:
        out.print(f"  hearing {hearing['date']} {hearing['clock'] or ''}  {hearing['body'] or ''}  "
                  f"{hearing['location'] or hearing['description'] or ''}".rstrip(), markup=False, highlight=False)


def _print_stored_text(detail: dict[str, Any], stored: tuple[str, Any, str] | None, *, full: bool = False) -> None:
    """The latest stored text under its label and date (its first pages, unless ``full``); without one, where the
    current text can be read. Printed as received: never read as markup."""
    if stored is not None:
        label, day, body = stored
        out.print(f"{label} ({day or 'undated'})\n", markup=False, highlight=False)
        shown = body
        if not full and len(body) > SHOWN_TEXT_CHARS:
            cut = body.rfind("\n", 0, SHOWN_TEXT_CHARS)  # at a line end, not inside a word
            shown = body[:cut if cut > 0 else SHOWN_TEXT_CHARS]
        out.print(shown, markup=False, highlight=False, soft_wrap=True)
        if shown is not body:
            out.print(f"\n(The first {len(shown):,} of {len(body):,} characters; --full prints it all.)",
                      markup=False, highlight=False)
            current = detail["current_text"]
            for link in current["links"] if current else []:
                out.print(f"  {link['kind']:5} {link['url']}", markup=False, highlight=False, soft_wrap=True)
        return
    current = detail["current_text"]
    if current is None:
        out.print("No text is stored for this bill, and no version links to one yet.", markup=False, highlight=False)
        return
    out.print(f"No text is stored for {current['label']} ({current['date'] or 'undated'}); read it at:",
              markup=False, highlight=False)
    for link in current["links"]:
        out.print(f"  {link['kind']:5} {link['url']}", markup=False, highlight=False, soft_wrap=True)


def _print_choices(choices: list[dict[str, Any]], shown: int = 20) -> None:
    """The bills a reference could mean, each with what picks it (the same number recurs every session)."""
    for c in choices[:shown]:
        err.print(f"  {c['id']:>7}  --jurisdiction {c['jurisdiction']} --session {c['session']}  {c['identifier']}  "
                  f"{c['title'][:80]}", markup=False, highlight=False)
    if len(choices) > shown:
        err.print(f"  ... and {len(choices) - shown} more", markup=False, highlight=False)


SHOWN_EVIDENCE = 2


def _print_topics(topics: list[dict[str, Any]]) -> None:
    """Flagged topics with their terms and evidence (the matched term in «»), then the near misses by name."""
    from tracker.matching.display import below_line
    from tracker.matching.engine import quote_marks

    flagged = [t for t in topics if t["flagged"]]
    for t in flagged:
        terms = ", ".join(t["matched_terms"] or [])
        out.print(f"Flagged: {t['name']} ({t['score']:.2f})" + (f": {terms}" if terms else ""), markup=False,
                  highlight=False)
        for e in (t["evidence"] or [])[:SHOWN_EVIDENCE]:
            out.print(f"  {e.get('field') or ''}: {quote_marks(e.get('snippet') or '')}", markup=False,
                      highlight=False)
    near = [f"{t['name']} ({below_line(t['score'], 0.5, '.2f')})" for t in topics if not t["flagged"]]
    if near:
        out.print("Not flagged: " + "; ".join(near), markup=False, highlight=False)


# -- serve --------------------------------------------------------------------------------------------------

def dashboard_command(*, port: int, address: str) -> list[str]:
    """How ``tracker serve`` starts Streamlit (the browser tests start it so too)."""
    import dashboard

    entry = Path(dashboard.__file__).parent / "server.py"  # app.py with the sign-in route
    # No download or copy of a table: Streamlit writes its CSV raw, so a title from a feed starting with "=" would
    # reach Excel as a formula. Packets (the Exports page, `tracker export`) are the protected way out. An
    # unexpected error shows a generic message in the browser, not its traceback (file paths, SQL with data in
    # it); the whole of it goes to the server's log. The toolbar is a reader's (print, theme): served from this
    # machine, Streamlit offered staff its "Deploy" button (to Community Cloud) and its developer menu.
    return [sys.executable, "-m", "streamlit", "run", str(entry), "--server.port", str(port), "--server.address",
            address, "--browser.gatherUsageStats", "false", "--client.disableDataExport", "true",
            "--client.showErrorDetails", "none", "--client.toolbarMode", "viewer"]


def check_port_free(*, port: int, address: str) -> None:
    """Refuse a port something already listens on, before the dashboard is announced (and `tracker run` crawls):
    Streamlit said only "Port 8501 is not available", after `tracker run` had crawled and this command had announced
    the dashboard on it."""
    import socket

    with socket.socket(socket.AF_INET6 if ":" in address else socket.AF_INET) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as Streamlit binds: a closed socket's
        try:                                                           # TIME_WAIT is no dashboard
            probe.bind((address, port))
        except OSError as exc:
            raise fail(f"Port {port} on {address} is in use ({exc.strerror}; a dashboard already running?): stop it, "
                       f"or choose another port with --port (`PORT=8502 make run`).", EXIT_PARTIAL) from None


@app.command("serve")
def serve(
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port to listen on.")] = 8501,
    address: Annotated[str, typer.Option(help="Address to bind.")] = "127.0.0.1",
) -> None:
    """Start the dashboard (Streamlit) on the migrated database."""
    _engine()
    check_port_free(port=port, address=address)
    cmd = dashboard_command(port=port, address=address)
    out.print(f"Dashboard on http://{address}:{port}/  (Ctrl-C stops it)", markup=False, highlight=False)
    sys.stdout.flush()
    # Become the server rather than wait for it: a service manager's SIGTERM then stops the dashboard itself.
    os.execv(sys.executable, cmd)


if __name__ == "__main__":
    app()
