"""Does a change to the import path change what is stored? The archive imported by two versions of the code.

    python bench/import_same.py [--base REV] [--archive PATH]

The code at ``REV`` (default ``HEAD~1``, taken with ``git archive`` into a temp folder) and the working tree each
import the archive (default: the whole 117th Congress BILLSTATUS archive) into a fresh SQLite file, with topic
flagging as ``tracker import`` runs it; then every table's rows are compared as sorted lists. Only the columns
that say when something happened in this run (``IGNORED``) and the run's owner token are left out. Exit status 1
when any table differs; the first differences are printed.
"""

import argparse
import os
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_ARCHIVE = "billstatus/congress117/c117_all.tar.gz"
# When, not what: the clock of each run. upstream_updated_at (the feed's own stamp) is compared.
IGNORED = {"first_seen_at", "last_fetched_at", "last_changed_at", "fetched_at", "detected_at", "started_at",
           "finished_at", "at", "created_at", "owner", "trained_at"}

IMPORT = """
import sys
from pathlib import Path
from tracker import db
from tracker.importer import import_path

def main():
    engine = db.make_engine(sys.argv[1])
    db.upgrade(engine)
    report = import_path(engine, Path(sys.argv[2]))
    print(report.result.new, report.result.updated, len(report.errors))

if __name__ == "__main__":
    main()
"""


def realdata() -> Path:
    return Path(os.environ.get("TRACKER_REALDATA") or ROOT.parent / "shared" / "realdata")


def run_import(code: Path, database: Path, archive: Path, tmp: Path) -> float:
    script = tmp / f"import_{code.name}.py"
    script.write_text(IMPORT)
    env = {**os.environ, "PYTHONPATH": str(code), "TRACKER_SEMANTIC": "off"}
    started = time.perf_counter()
    done = subprocess.run([sys.executable, str(script), f"sqlite:///{database}", str(archive)], cwd=code, env=env,
                          check=True, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    print(f"{code}: new, updated, errors = {done.stdout.strip()} in {seconds:.1f} s")
    return seconds


def tables(conn: sqlite3.Connection) -> list[str]:
    return [name for (name,) in conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")]


def rows(conn: sqlite3.Connection, table: str) -> tuple[list[str], list[tuple]]:
    columns = [c[1] for c in conn.execute(f'PRAGMA table_info("{table}")') if c[1] not in IGNORED]
    if not columns:
        return [], []
    picked = ", ".join(f'"{c}"' for c in columns)
    found = conn.execute(f'SELECT {picked} FROM "{table}"').fetchall()
    return columns, sorted(found, key=lambda row: tuple((v is None, str(type(v)), v) for v in row))


def compare(old_db: Path, new_db: Path) -> int:
    old, new = sqlite3.connect(old_db), sqlite3.connect(new_db)
    names = tables(old)
    if names != tables(new):
        print(f"different tables: {sorted(set(names) ^ set(tables(new)))}")
        return 1
    differing = 0
    for table in names:
        columns, before = rows(old, table)
        columns_new, after = rows(new, table)
        if columns != columns_new:
            print(f"{table}: different columns {columns} / {columns_new}")
            differing += 1
            continue
        if before == after:
            if before:
                print(f"{table:<28} {len(before):>9,} rows, same")
            continue
        differing += 1
        print(f"{table:<28} {len(before):>9,} rows before, {len(after):,} after: DIFFERENT")
        gone, added = set(before) - set(after), set(after) - set(before)
        for label, sample in (("only before", gone), ("only after", added)):
            for row in sorted(sample, key=str)[:3]:
                print(f"  {label}: {dict(zip(columns, row, strict=True))}"[:600])
    return differing


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--base", default="HEAD~1", help="the git revision to compare with (default HEAD~1)")
    ap.add_argument("--archive", type=Path, default=None)
    args = ap.parse_args()
    archive = args.archive or realdata() / DEFAULT_ARCHIVE
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        base = tmp / "base"
        base.mkdir()
        tree = subprocess.run(["git", "archive", args.base], cwd=ROOT, check=True, capture_output=True).stdout
        subprocess.run(["tar", "-x", "-C", str(base)], input=tree, check=True)
        commit = subprocess.run(["git", "rev-parse", "--short", args.base], cwd=ROOT, text=True,
                                capture_output=True).stdout.strip()
        print(f"base: {args.base} ({commit}), new: the working tree")
        run_import(base, tmp / "base.db", archive, tmp)
        run_import(ROOT, tmp / "new.db", archive, tmp)
        differing = compare(tmp / "base.db", tmp / "new.db")
    print("every table the same" if not differing else f"{differing} tables differ")
    return 1 if differing else 0


if __name__ == "__main__":
    sys.exit(main())
