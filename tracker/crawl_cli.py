"""``tracker crawl``, ``tracker schedule``, ``tracker runs`` and ``tracker run`` (crawl, then the dashboard).

Spiders always run in a subprocess (``python -m scrapy crawl ...``, see ``tracker.crawling``); these commands
start them, then read what they did from the CrawlRun rows they wrote. Exit codes follow ``tracker.crawling``.

``tracker crawl`` is the parent of a crawl, and its start-up adds to every hand-run crawl: it imports neither
Scrapy nor the ORM models (the subprocess does), starts the crawl before it opens the database, and reads its
few CrawlRun columns with SQLAlchemy Core, finding its run by the launch id it gave the crawl.
"""

import logging
import signal
import uuid
from typing import TYPE_CHECKING, Annotated, Any
from urllib.parse import urlsplit

import typer
from rich.markup import escape

from tracker import crawling
from tracker.cli_common import fail
from tracker.cli_common import migrated_engine as _engine
from tracker.config import CrawlSettings, crawl_settings, source_scope
from tracker.terminal import SafeConsole

if TYPE_CHECKING:
    from sqlalchemy import Engine

crawl_app = typer.Typer()
out = SafeConsole()
err = SafeConsole(stderr=True)


def _run_tables() -> tuple[Any, Any]:
    """The columns of CrawlRun and CrawlError (tracker.models.ops) a crawl's parent reads, as Core tables."""
    from sqlalchemy import JSON, column, table

    return (table("crawlrun", column("id"), column("source"), column("status"), column("message"), column("failed"),
                  column("args", JSON)),
            table("crawlerror", column("id"), column("run_id"), column("locator"), column("reason")))


def _report_runs(engine: "Engine", source: str, launch_id: str, max_errors: int = 20) -> None:
    """Print the run(s) the crawl started with ``launch_id`` wrote (none if it stopped before starting one)."""
    from sqlalchemy import select

    crawlrun, crawlerror = _run_tables()
    runs_c, errors_c = crawlrun.c, crawlerror.c
    with engine.connect() as conn:
        recent = conn.execute(select(crawlrun).where(runs_c.source == crawling.run_source(source))
                              .order_by(runs_c.id.desc()).limit(20)).all()
        runs = [run for run in reversed(recent) if (run.args or {}).get("launch_id") == launch_id]
        for run in runs:
            colour = {"succeeded": "green", "partial": "yellow", "interrupted": "yellow"}.get(run.status, "red")
            out.print(f"[{colour}]{escape(run.source)}: {run.status}[/{colour}] (run {run.id}) "
                      f"{escape(run.message or '')}",
                      highlight=False, soft_wrap=True)  # one line: a log keeps the URL it names whole
            errors = conn.execute(select(crawlerror).where(errors_c.run_id == run.id).order_by(errors_c.id)
                                  .limit(max_errors)).all()
            for e in errors:
                err.print(f"  failed {e.locator}: {e.reason}", highlight=False, markup=False, soft_wrap=True)
            if run.failed > len(errors):
                err.print(f"  ... and {run.failed - len(errors)} more (`tracker runs --errors {run.failed}`)")


# -- crawl --------------------------------------------------------------------------------------------------

@crawl_app.command("crawl")
def crawl_cmd(
    sources: Annotated[list[str] | None, typer.Argument(help="Spiders to run (default: the enabled sources).",
                                                        show_default=False)] = None,
    congress: Annotated[str | None, typer.Option(
        help="Congress number(s), e.g. 118 or 118,119 (default: from the configuration, else the current one).",
    )] = None,
    types: Annotated[str | None, typer.Option(help="Bill types, e.g. hr,s (default: all).")] = None,
    setting: Annotated[list[str] | None, typer.Option("--set", help="Scrapy setting for this run, KEY=VALUE "
                                                                   "(repeatable).")] = None,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Show the crawl's log.")] = False,
    embed: Annotated[bool, typer.Option("--embed/--no-embed", help="With semantic relevance on, embed the crawled "
                                        "bills (small batches as they are flagged, the rest at the end); "
                                        "--no-embed: none now, flag on keywords and embed later with `tracker "
                                        "topics embed`.")
                     ] = True,
    refresh: Annotated[bool, typer.Option("--refresh", help="Fetch again the bills an older version of the "
                                          "source's parser read (`tracker status` counts them), though upstream "
                                          "says they did not change: the whole listing is read, and those bills "
                                          "are read by this version.")] = False,
) -> None:
    """Run spiders now, each in its own process (the same as `scrapy crawl NAME -a congress=... -a types=...`).

    With semantic relevance on, the bills stored in batches too big to embed inline are embedded at the end."""
    crawl = crawl_settings()
    known = crawling.spider_names()
    chosen = sources or [name for name, cfg in crawl.sources.items() if cfg.enabled and name in known]
    if not chosen:
        err.print("No source is enabled (enabled = true under [sources.NAME] in tracker.toml, or TRACKER_SOURCES): "
                  f"nothing to crawl. Name one: tracker crawl {known[0]}", style="red", markup=False, soft_wrap=True)
        raise typer.Exit(crawling.EXIT_USAGE)
    unknown = [name for name in chosen if name not in known]
    if unknown:
        err.print(f"Unknown spider {', '.join(unknown)}; available: {', '.join(known)}", style="red", markup=False)
        raise typer.Exit(crawling.EXIT_USAGE)
    overrides = {}
    for item in setting or []:
        key, sep, value = item.partition("=")
        if not sep or not key:
            err.print(f"--set {item!r}: expected KEY=VALUE", style="red", markup=False, highlight=False)
            raise typer.Exit(crawling.EXIT_USAGE)
        overrides[key] = value
    if refresh:
        overrides["TRACKER_REFRESH"] = "1"  # scrapers.base: the crawl's CrawlStore(refresh=True)
    if not embed:
        overrides["TRACKER_EMBED"] = "0"  # the crawl process flags its batches without loading the model
    # SIGTERM (systemd, docker stop, a supervisor) is passed on to the crawl, which stops gracefully and records
    # its run as interrupted; we then report it and exit 1. Without this handler we died at once and left the
    # crawl, in a session of its own, running on with no parent. A second SIGTERM is passed on too (Scrapy then
    # stops at once). The remaining sources and the embedding catch-up are skipped.
    stops: list[int] = []

    def stop(signum: int, _frame: Any) -> None:
        stops.append(signum)
        crawling.terminate_all(signal.SIGTERM)

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        worst, stored = _crawl_each(chosen, crawl, congress, types, overrides, verbose, stops)
    finally:
        signal.signal(signal.SIGTERM, previous)
    if stops:
        err.print("Stopped by SIGTERM.", style="yellow", markup=False)
        raise typer.Exit(max(worst, crawling.EXIT_PARTIAL))
    raise typer.Exit(max(worst, _catch_up_embeddings(embed) if stored else crawling.EXIT_OK))


def _crawl_each(chosen: list[str], crawl: CrawlSettings, congress: str | None, types: str | None,
                overrides: dict[str, str], verbose: bool, stops: list[int]) -> tuple[int, bool]:
    """Run the chosen crawls one after another until one is stopped: (worst exit code, whether some crawl ran
    to its end, so there may be bills to embed or to say nothing flags)."""
    worst, stored = crawling.EXIT_OK, False
    for source in chosen:
        if stops:
            break
        out.print(f"Crawling {source} ({source_scope(source, crawl, congress, types)}) ...", markup=False,
                  highlight=False)
        launch_id = uuid.uuid4().hex
        # The crawl starts first; the database (SQLAlchemy's imports, the engine) is opened while it starts up.
        # The crawl checks the schema itself and exits 3 when it is not migrated. Unset scope is left to the
        # spider, which reads the same configuration.
        outcome = crawling.run_crawl(
            source, congresses=[c.strip() for c in (congress or "").split(",") if c.strip()],
            types=[t.strip() for t in (types or "").split(",") if t.strip()], settings=overrides,
            log_level="INFO" if verbose else "WARNING", launch_id=launch_id,
            while_running=_open_database)
        if outcome.exit_code == crawling.EXIT_SCHEMA:
            _engine()  # says which migration is missing and how to fix it, then exits 3
        if stops:  # forced down by a second SIGTERM, the crawl could not record its end
            from tracker.run_owner import close_launched_run

            close_launched_run(_open_database(), source, launch_id, "stopped by SIGTERM before it could record "
                               "its end")
        _report_runs(_open_database(), source, launch_id)
        if outcome.exit_code == crawling.EXIT_OFFLINE:
            err.print(f"{source}: the source could not be reached (no network?).", style="red", markup=False)
        worst = max(worst, outcome.exit_code)
        stored = stored or outcome.exit_code in (crawling.EXIT_OK, crawling.EXIT_PARTIAL)
    return worst, stored


def _catch_up_embeddings(embed: bool) -> int:
    """After the crawls, in this process: the flagging modules (NumPy, the ORM, the model when semantic
    relevance is on) are imported here, once the crawls are done, never before they start."""
    from tracker.matching.cli import catch_up_embeddings

    return catch_up_embeddings(_open_database(), embed=embed)


def _open_database() -> "Engine":
    """The configured database's engine: made on the first call (while the first crawl starts up), then the
    same one (``db.get_engine`` keeps one per URL)."""
    from tracker import db

    return db.get_engine()


# -- runs ---------------------------------------------------------------------------------------------------

def _duration(run: Any, status: str) -> str:  # a CrawlRun, and its status as shown
    if run.finished_at is None or run.started_at is None:
        return "running" if status == "running" else ""
    seconds = (run.finished_at - run.started_at).total_seconds()
    return f"{seconds:.1f} s" if seconds < 120 else f"{seconds / 60:.1f} min"


def _counts(run: Any) -> str:  # a CrawlRun
    parts = [(run.fetched, "read"), (run.new, "new"), (run.updated, "updated"), (run.unchanged, "unchanged"),
             (run.failed, "failed")]
    return "\n".join(f"{n} {label}" for n, label in parts if n or label == "read")


@crawl_app.command("runs")
def runs_cmd(
    limit: Annotated[int, typer.Option(min=1, help="How many recent runs.")] = 20,
    source: Annotated[str | None, typer.Option(help="Only this source (or 'import').")] = None,
    errors: Annotated[int, typer.Option(min=0, help="Errors shown per run.")] = 3,
    as_json: Annotated[bool, typer.Option("--json", help="Runs with their errors as JSON.")] = False,
) -> None:
    """Recent crawl and import runs: status, counts, duration and errors (newest first)."""
    import json

    from rich.table import Table
    from rich.text import Text
    from sqlalchemy import select
    from sqlmodel import Session

    from tracker.models import CrawlError, CrawlRun
    from tracker.run_owner import shown_status

    engine = _engine()
    with Session(engine) as s:
        query = select(CrawlRun).order_by(CrawlRun.started_at.desc(), CrawlRun.id.desc()).limit(limit)
        if source:  # a spider's name finds the runs it records under its feed's name (california: ca_pubinfo)
            query = query.where(CrawlRun.source.in_({source, crawling.run_source(source)}))
        runs = s.execute(query).scalars().all()
        shown = {run.id: shown_status(run) for run in runs}  # a run whose process is gone: interrupted
        errs: dict[int, list[CrawlError]] = {}
        for run in runs:
            if run.failed and errors:
                assert run.id is not None
                errs[run.id] = list(s.execute(select(CrawlError).where(CrawlError.run_id == run.id)
                                              .order_by(CrawlError.id).limit(errors)).scalars())
    if as_json:
        rows: list[dict[str, Any]] = []
        for run in runs:
            row = run.model_dump(mode="json")
            row["status"], row["message"] = shown[run.id]
            row["duration_seconds"] = ((run.finished_at - run.started_at).total_seconds()
                                       if run.finished_at and run.started_at else None)
            row["errors"] = [{"locator": e.locator, "reason": e.reason} for e in errs.get(run.id or 0, [])]
            # Counted on the run (``failed``), their details deleted after [crawl] keep_errors_days.
            row["errors_pruned"] = bool(run.failed and errors and not row["errors"])
            rows.append(row)
        typer.echo(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    if not runs:
        out.print(f"No runs of {source!r} yet." if source else
                  "No runs yet: `tracker crawl` or `tracker import PATH` makes one.", markup=False, highlight=False)
        return
    # Counts in one column, zeros left out: eleven columns were unreadable in an 80-column terminal.
    table = Table("run", "source", "status", "started (UTC)", "took", "counts", "scope / message")
    colours = {"succeeded": "green", "partial": "yellow", "interrupted": "yellow", "failed": "red"}
    for run in runs:
        scope = run.args or {}
        where = " ".join(f"{k}={','.join(map(str, v)) if isinstance(v, list) else v}"
                         for k, v in scope.items() if k in ("congresses", "types", "path", "refresh"))
        status, message = shown[run.id]
        table.add_row(str(run.id), Text(run.source), Text(status, style=colours.get(status, "cyan")),
                      f"{run.started_at:%Y-%m-%d %H:%M}" if run.started_at else "", _duration(run, status),
                      _counts(run), Text((where + ("\n" if where and message else "") + (message or ""))[:300]))
    out.print(table)
    for run in runs:
        listed = errs.get(run.id or 0, [])
        if run.failed and errors and not listed:
            err.print(f"run {run.id} ({run.source}): {run.failed} error(s), not kept: the errors of runs older than "
                      "[crawl] keep_errors_days are deleted", markup=False, highlight=False, soft_wrap=True)
        if listed:
            err.print(f"run {run.id} ({run.source}): {run.failed} error(s)", markup=False, highlight=False)
            for e in listed:
                err.print(f"  {e.locator}: {e.reason}", highlight=False, markup=False, soft_wrap=True)


# -- status -------------------------------------------------------------------------------------------------

@crawl_app.command("status")
def status_cmd(
    as_json: Annotated[bool, typer.Option("--json", help="The report as JSON.")] = False,
) -> None:
    """Is the tracker doing its job: the scheduler running, each enabled source crawled on its schedule, alert
    email going out. Exit 1 when something needs attention (for a monitor or cron), 3 when the database cannot
    be used."""
    import json

    from tracker import health

    crawl = crawl_settings()
    report = health.check(_engine(), crawl)
    if as_json:
        typer.echo(json.dumps({
            "ok": report.ok, "problems": report.problems, "scheduler_running": report.scheduler_running,
            "overdue_jobs": [{"job": job, "due": at.isoformat()} for job, at in report.overdue_jobs],
            "sources": [{"source": s.source, "schedule": s.schedule, "running": s.running,
                         "last_success": s.last_success.isoformat() if s.last_success else None,
                         "last_status": s.last_status, "missed_turns": s.missed_turns} for s in report.sources],
            "failed_digests": report.failed_digests, "retrying_digests": report.retrying_digests,
            "alert_email_configured": report.alert_email_configured, "unsent_alerts": report.unsent_alerts,
            "digest_times": report.digest_times, "digest_timezone": report.digest_timezone,
            "older_readings": [{"source": o.source, "parser_version": o.version, "crawled_bills": o.crawled_bills,
                                "imported_bills": o.imported_bills, "commands": o.commands()}
                               for o in report.older_readings]}, indent=2))
        raise typer.Exit(0 if report.ok else crawling.EXIT_PARTIAL)
    say = lambda line: out.print(line, markup=False, highlight=False, soft_wrap=True)  # noqa: E731
    say(f"scheduler: {'running' if report.scheduler_running else 'NOT RUNNING'}")
    for s in report.sources:
        last = f"{s.last_success:%Y-%m-%d %H:%M} UTC" if s.last_success else "never"
        state = "running now" if s.running else f"last run {s.last_status or 'none'}"
        say(f"{s.source} ({s.schedule} UTC): last success {last}; {state}"
            + (f"; {s.missed_turns} turns since" if s.missed_turns else ""))
    if not report.sources:
        say("no source is enabled")
    say(f"alerts: {report.failed_digests} failed and {report.retrying_digests} retrying digests in 7 days"
        + ("" if report.alert_email_configured else f"; email NOT SET UP, {report.unsent_alerts} alert(s) waiting"))
    if report.digest_times:
        say(f"digests: {report.digest_times}")
    if report.ok:
        say("OK")
        return
    for problem in report.problems:
        err.print(f"ATTENTION: {problem}", markup=False, highlight=False, soft_wrap=True, style="red")
    raise typer.Exit(crawling.EXIT_PARTIAL)


# -- schedule -----------------------------------------------------------------------------------------------

@crawl_app.command("schedule")
def schedule_cmd(
    now: Annotated[bool, typer.Option("--now", help="Also run every job once right away.")] = False,
) -> None:
    """Run the crawl schedule in the foreground (APScheduler); SIGTERM or Ctrl-C stops it gracefully."""
    from tracker import scheduler

    logging.getLogger("tracker").setLevel(logging.INFO)
    logging.getLogger("apscheduler").setLevel(logging.INFO)
    if not logging.getLogger().handlers:
        logging.basicConfig(format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    for handler in logging.getLogger().handlers:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    crawl = crawl_settings()  # a mistake in tracker.toml first: at 3 a.m. it is the one to fix
    engine = _engine()
    enabled = [name for name, cfg in crawl.sources.items() if cfg.enabled]
    if not enabled:
        # A team that imports by hand still wants its digests: the alert job runs alone. markup=False: "[sources.
        # NAME]" is the TOML table to edit, not a style (rich dropped it from the line).
        err.print("No source is enabled (set enabled = true under [sources.NAME] in tracker.toml to crawl): "
                  "scheduling the alert and learning jobs only.", style="yellow", markup=False)
    crawls = ", ".join(f"{n} ({crawl.sources[n].schedule} UTC)" for n in enabled)
    out.print(f"Scheduling {crawls + ', ' if crawls else ''}the alert job and learning from triage; jobs are stored in "
              f"{engine.url.render_as_string(hide_password=True)}. Ctrl-C stops.", markup=False, highlight=False)
    raise typer.Exit(scheduler.serve_forever(engine, crawl, run_now=now))


# -- run: the main command ----------------------------------------------------------------------------------

@crawl_app.command("run")
def run_cmd(
    port: Annotated[int, typer.Option(min=1, max=65535, help="Dashboard port.")] = 8501,
    address: Annotated[str, typer.Option(help="Dashboard address.")] = "127.0.0.1",
    crawl_first: Annotated[bool, typer.Option("--crawl/--no-crawl", help="Crawl the default sources first.")] = True,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Show the crawl's log.")] = False,
) -> None:
    """Migrate, crawl the default sources (current Congress), then open the dashboard on what is stored."""
    from tracker import db
    from tracker.cli import backup_before_migrating, check_port_free, print_upgrade_notes, serve
    from tracker.upgrade_notes import enabled_rule_ids

    engine = db.get_engine()
    try:
        backup_before_migrating(engine)
        enabled_before = enabled_rule_ids(engine)
        db.upgrade(engine)
    except db.SchemaTooNew as exc:
        raise fail(str(exc), crawling.EXIT_SCHEMA) from None
    print_upgrade_notes(engine, enabled_before)
    check_port_free(port=port, address=address)  # a dashboard already open: said before the crawl, not after
    if crawl_first:
        crawl_defaults(engine, verbose=verbose)
    serve(port=port, address=address)


def crawl_defaults(engine: "Engine", *, verbose: bool = False, timeout: float | None = None) -> int:
    """Crawl ``[crawl] default_sources``; without network say so plainly and carry on. Returns the worst code."""
    from sqlalchemy import func, select, table

    crawl = crawl_settings()
    worst = crawling.EXIT_OK
    with engine.connect() as conn:
        stored = conn.execute(select(func.count()).select_from(table("bill"))).scalar_one()
    for source in crawl.default_sources:
        cfg = crawl.sources.get(source)
        if cfg is None or not cfg.enabled:
            continue
        if cfg.api_key_env and not cfg.api_key():
            out.print(f"Skipping {source}: {cfg.api_key_env} is not set.", markup=False, highlight=False)
            continue
        host = urlsplit(cfg.base_url).hostname or cfg.base_url
        why = crawling.unreachable(cfg.base_url)
        if why is None:
            out.print(f"Crawling {source} ({source_scope(source, crawl)}) from {cfg.base_url}; a first crawl "
                      f"takes a while, later ones only fetch what changed ...", markup=False, highlight=False)
            launch_id = uuid.uuid4().hex
            outcome = crawling.run_crawl(source, log_level="INFO" if verbose else "WARNING", timeout=timeout,
                                         launch_id=launch_id)
            _report_runs(engine, source, launch_id, max_errors=5)
            code = outcome.exit_code
            if code == crawling.EXIT_OFFLINE:
                why = f"{host} did not answer"
        else:
            code = crawling.EXIT_OFFLINE
        if code == crawling.EXIT_OFFLINE:
            out.print(f"No network access: cannot reach {host} ({why}). Not crawling {source}; the "
                      f"dashboard opens on the {stored:,} bills already stored.", style="yellow", markup=False,
                      highlight=False)
        worst = max(worst, code)
    return worst

