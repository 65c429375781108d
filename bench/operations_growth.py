"""What a year of crawling adds to the operational tables: CrawlRun, CrawlError, BillChange, SourceDocument, alert
events and deliveries, the search index, and the database file.

Simulated with the real code paths on real bills: the 117th Congress archive is imported as the base, then each
simulated run imports (``tracker import``'s code: the same ingest, flagging and run records as a crawl) the day's
share of real BILLSTATUS files edited as GovInfo publishes an update (a newer ``updateDate`` and one new action),
each under one name for good as a crawl knows it by its URL, plus files that stay broken upstream (they fail every
run, as a broken document does in a crawl, which fetches it again each time). The alert job runs once per simulated
day for ``--users`` staff members with their role's default subscriptions (no SMTP host: digests wait unbuilt, so
AlertDigest, one row per person and day at most, is not measured). The day's pace of change is the 117th Congress's
own: its actions over its two years. Each run is dated on the simulated clock (every 24/runs-per-day hours), and
ends as a crawl does, deleting the errors of runs older than ``--keep-errors-days`` (``[crawl] keep_errors_days``,
90 by default; ``tracker.run_history``), so run errors stay at most broken documents x runs a day x those days.

    python bench/operations_growth.py [--days 365] [--runs-per-day 6] [--broken 3] [--users 10]
                                      [--keep-errors-days 90] [--db URL]

Prints rows and megabytes per table at checkpoints and for the whole period. PostgreSQL: ``--db`` names a database
of your own (it is emptied first: use a scratch one).
"""

import argparse
import datetime as dt
import os
import random
import re
import sys
import tarfile
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import Engine, func, inspect, select, text, update  # noqa: E402
from sqlmodel import Session  # noqa: E402

from tracker import db  # noqa: E402
from tracker.config import DEFAULT_KEEP_ERRORS_DAYS  # noqa: E402
from tracker.importer import import_path  # noqa: E402
from tracker.models import BillAction, CrawlError, CrawlRun  # noqa: E402
from tracker.models.base import utcnow  # noqa: E402
from tracker.run_history import prune_errors  # noqa: E402

REALDATA = Path(os.environ.get("TRACKER_REALDATA", Path(__file__).resolve().parents[2] / "shared" / "realdata"))
ARCHIVE = REALDATA / "billstatus" / "congress117" / "c117_all.tar.gz"
TABLES = ["crawlrun", "crawlerror", "billchange", "sourcedocument", "alertevent", "alertdelivery", "alertdigest",
          "billaction", "bill", "billmatch"]


def table_sizes(engine: Engine) -> dict[str, tuple[int, float]]:
    """Rows and MB (table and its indexes) per table; the search index tables under their own names."""
    names = inspect(engine).get_table_names()
    wanted = TABLES + sorted(n for n in names if "search" in n or "fts" in n)
    out = {}
    with engine.connect() as conn:
        for name in wanted:
            if name not in names:
                continue
            rows = conn.execute(text(f'SELECT count(*) FROM "{name}"')).scalar_one()
            if engine.dialect.name == "postgresql":
                size = conn.execute(text("SELECT pg_total_relation_size(:t)"), {"t": name}).scalar_one()
            else:
                size = conn.execute(text(
                    "SELECT coalesce(sum(pgsize), 0) FROM dbstat WHERE name = :t OR name IN "
                    "(SELECT name FROM sqlite_master WHERE tbl_name = :t AND type = 'index')"), {"t": name}
                ).scalar_one()
            out[name] = (rows, size / 1e6)
    return out


def database_mb(engine: Engine) -> float:
    if engine.dialect.name == "postgresql":
        with engine.connect() as conn:
            return conn.execute(text("SELECT pg_database_size(current_database())")).scalar_one() / 1e6
    path = db.sqlite_file(engine)
    assert path is not None
    with engine.connect() as conn:  # the file alone, once the log is in it
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    return path.stat().st_size / 1e6


def edited(body: bytes, day: int, run: int) -> bytes:
    """The file as GovInfo republishes it after one new action: a later update stamp, one more action item."""
    stamp = (dt.datetime(2023, 1, 4, tzinfo=dt.UTC) + dt.timedelta(days=day, hours=run)).strftime(
        "%Y-%m-%dT%H:%M:%SZ")
    body = re.sub(rb"<updateDate>[^<]*</updateDate>", f"<updateDate>{stamp}</updateDate>".encode(), body, count=1)
    action = (f"<actions>\n      <item>\n        <actionDate>{stamp[:10]}</actionDate>\n        <text>Simulated "
              f"action of day {day} run {run}.</text>\n        <type>Floor</type>\n      </item>").encode()
    return body.replace(b"<actions>", action, 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--runs-per-day", type=int, default=6, help="govinfo_billstatus default: every 4 hours")
    parser.add_argument("--broken", type=int, default=3, help="documents that fail in every run")
    parser.add_argument("--users", type=int, default=10)
    parser.add_argument("--keep-errors-days", type=float, default=DEFAULT_KEEP_ERRORS_DAYS,
                        help="run errors kept ([crawl] keep_errors_days)")
    parser.add_argument("--db", help="database URL (default: a SQLite file in a temporary folder)")
    args = parser.parse_args()
    if not ARCHIVE.exists():
        sys.exit(f"needs {ARCHIVE} (TRACKER_REALDATA)")
    os.environ.setdefault("TRACKER_SEMANTIC", "off")
    work = Path(tempfile.mkdtemp(prefix="growth-"))
    url = args.db or f"sqlite:///{work / 'tracker.db'}"
    engine = db.make_engine(url)
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    db.upgrade(engine)

    from tracker.alerts.delivery import run_alerts
    from tracker.matching.topics import load_topics
    from tracker.users import add_user

    with Session(engine) as s:
        load_topics(s)
        s.commit()
        admin = add_user(s, email="admin@chamber.example", role="admin")
        for n in range(args.users):
            add_user(s, email=f"staff{n}@chamber.example", role="staff", actor=admin)
        s.commit()
    started = time.monotonic()
    import_path(engine, ARCHIVE, workers=1)
    run_alerts(engine, everything=True)  # the alerts of the base import are not the year's
    print(f"base: the 117th Congress imported in {time.monotonic() - started:.0f} s; "
          f"{database_mb(engine):.0f} MB")
    with Session(engine) as s:
        actions = s.execute(select(func.count()).select_from(BillAction)).scalar_one()
    per_day = max(1, round(actions / 730))  # the Congress's actions over its two years
    base = table_sizes(engine)
    base_mb = database_mb(engine)
    print(f"pace: {actions} actions in two years = {per_day} bills with a new action a day, "
          f"{args.runs_per_day} runs a day, {args.broken} documents broken upstream")

    with tarfile.open(ARCHIVE) as tar:  # by the bill's own path: a crawl knows each document by its one URL
        bodies = {m.name.replace("/", "_"): tar.extractfile(m).read()  # type: ignore[union-attr]
                  for m in tar if m.isfile() and m.name.endswith("fdsys_billstatus.xml")}
    rng = random.Random(117)
    checkpoints = sorted({d for d in (1, 30, 90, 91, 120, 182, args.days) if d <= args.days})
    run_seconds: list[float] = []
    prune_seconds: list[float] = []
    clock = utcnow()
    for day in range(1, args.days + 1):
        for run in range(args.runs_per_day):
            folder = work / "feed"
            folder.mkdir()
            share = per_day // args.runs_per_day + (1 if run < per_day % args.runs_per_day else 0)
            for name in rng.sample(sorted(bodies), share):
                (folder / name).write_bytes(edited(bodies[name], day, run))
            for n in range(args.broken):
                (folder / f"broken{n}.xml").write_bytes(b"<billStatus><bill>cut short")
            t0 = time.monotonic()
            report = import_path(engine, folder, workers=1)
            run_seconds.append(time.monotonic() - t0)
            at = clock + dt.timedelta(days=day, hours=run * 24 / args.runs_per_day)  # the run on the simulated clock
            with Session(engine) as s:
                s.execute(update(CrawlRun).where(CrawlRun.id == report.run.id)
                          .values(started_at=at, finished_at=at + dt.timedelta(seconds=run_seconds[-1])))
                s.commit()
                t0 = time.monotonic()
                prune_errors(s, keep_days=args.keep_errors_days, now=at)  # as each crawl ends
                prune_seconds.append(time.monotonic() - t0)
            for f in folder.iterdir():
                f.unlink()
            folder.rmdir()
        run_alerts(engine, everything=True)
        if day in checkpoints:
            with Session(engine) as s:
                errors = s.execute(select(func.count()).select_from(CrawlError)).scalar_one()
            print(f"day {day}: {database_mb(engine):.1f} MB, {sum(run_seconds) / len(run_seconds):.2f} s a run, "
                  f"{errors} run errors kept (pruning: {1000 * max(prune_seconds):.0f} ms at most)")
    sizes = table_sizes(engine)
    print(f"\nafter {args.days} days ({engine.dialect.name}); growth over the base import:")
    print(f"{'table':<24}{'rows':>12}{'MB':>10}{'rows/year':>12}{'MB/year':>10}")
    scale = 365 / args.days
    for name, (rows, mb) in sizes.items():
        rows0, mb0 = base.get(name, (0, 0.0))
        print(f"{name:<24}{rows - rows0:>12}{mb - mb0:>10.1f}{(rows - rows0) * scale:>12.0f}"
              f"{(mb - mb0) * scale:>10.1f}")
    grown = database_mb(engine) - base_mb
    print(f"{'database':<24}{'':>12}{grown:>10.1f}{'':>12}{grown * scale:>10.1f}")


if __name__ == "__main__":
    main()
