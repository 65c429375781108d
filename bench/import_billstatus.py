"""Import the whole 117th Congress BILLSTATUS archive into a fresh SQLite file, then again; compare with a floor.

    python bench/import_billstatus.py [--archive PATH] [--database-url URL]

Phases, each in its own process so peak memory is measured per phase:
  floor     lxml parses every XML member of the archive, storing nothing
  import    `tracker import` into a fresh database (storage only; parser processes as `tracker import` uses)
  reimport  the same archive again (every file unchanged)
  flagged   a first import with topic flagging on every batch, as `tracker import` runs it by default
            (``import_path`` alone: the embedding catch-up `tracker import` runs at the end when the semantic
            extra is installed is not part of it, and semantic relevance is off in every phase, so a venv with
            the extra measures the same thing as one without)
Targets (issue 2): import >= 0.5 x the floor's bills/s; re-import >= 10 x faster than import; peak RSS < 500 MB.
"""

import argparse
import json
import os
import resource
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_ARCHIVE = "billstatus/congress117/c117_all.tar.gz"


def realdata() -> Path:
    return Path(os.environ.get("TRACKER_REALDATA") or ROOT.parent / "shared" / "realdata")


def peak_rss_mb() -> float:
    """This process's peak plus its largest finished child's (the parser processes): an upper bound."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return (own + children) / 1024  # Linux reports KiB


def phase_floor(archive: Path) -> dict[str, float]:
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    started, count = time.perf_counter(), 0
    with tarfile.open(archive, "r|*") as tar:
        for member in tar:
            if member.isfile() and member.name.endswith(".xml"):
                fh = tar.extractfile(member)
                assert fh is not None
                etree.fromstring(fh.read(), parser)
                count += 1
    return {"bills": count, "seconds": time.perf_counter() - started, "peak_mb": peak_rss_mb(), **cpu_seconds()}


def cpu_seconds() -> dict[str, float]:
    """User + system CPU seconds of this process ("main") and of its finished children ("parsers": the parser
    processes, reaped by the fork server, which counts them once it is stopped and reaped here)."""
    import multiprocessing.forkserver

    server = multiprocessing.forkserver._forkserver  # type: ignore[attr-defined]
    if getattr(server, "_forkserver_pid", None):
        server._stop()
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return {"cpu_main": own.ru_utime + own.ru_stime, "cpu_parsers": children.ru_utime + children.ru_stime}


def phase_import(archive: Path, url: str, workers: int | None, flag: bool) -> dict[str, float]:
    from tracker import db
    from tracker.importer import import_path

    engine = db.make_engine(url)
    started = time.perf_counter()
    report = import_path(engine, archive, workers=workers, flag=flag)
    seconds = time.perf_counter() - started
    r = report.result
    return {"bills": r.new + r.updated + r.unchanged, "new": r.new, "updated": r.updated, "unchanged": r.unchanged,
            "failed": len(report.errors), "seconds": seconds, "peak_mb": peak_rss_mb(), **cpu_seconds()}


def run_phase(name: str, archive: Path, url: str, *extra: str) -> dict[str, float]:
    cmd = [sys.executable, __file__, "--phase", name, "--archive", str(archive), "--database-url", url, *extra]
    # Keywords only: with the extra installed, "auto" would load the model for the topics' vectors mid-import.
    env = {**os.environ, "TRACKER_SEMANTIC": "off"}
    done = subprocess.run(cmd, check=True, capture_output=True, text=True, cwd=ROOT, env=env)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--archive", type=Path, default=None)
    ap.add_argument("--database-url", default=None, help="default: a fresh SQLite file in a temp folder")
    ap.add_argument("--workers", type=int, default=None, help="parser processes (default: one per core)")
    ap.add_argument("--pairs", type=int, default=1,
                    help="floor and first import this many times, alternating, each import into a fresh database "
                         "(the machine is shared: the ratio of a pair is what compares)")
    ap.add_argument("--no-flagged", action="store_true", help="skip the flagged phase")
    ap.add_argument("--phase", choices=["floor", "import", "import-flag"], help=argparse.SUPPRESS)
    args = ap.parse_args()
    archive = args.archive or realdata() / DEFAULT_ARCHIVE
    if args.phase == "floor":
        print(json.dumps(phase_floor(archive)))
        return 0
    if args.phase in ("import", "import-flag"):
        print(json.dumps(phase_import(archive, args.database_url, args.workers, args.phase == "import-flag")))
        return 0
    if not archive.is_file():
        print(f"archive not found: {archive} (set TRACKER_REALDATA)", file=sys.stderr)
        return 2

    workers = ["--workers", str(args.workers)] if args.workers else []
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or f"sqlite:///{tmp}/bench.db"
        flagged_url = f"sqlite:///{tmp}/flagged.db"
        from tracker import db

        for u in (url, flagged_url):
            db.upgrade(db.make_engine(u))
        pairs = []
        for n in range(args.pairs):
            fresh = url if n == 0 else f"sqlite:///{tmp}/bench{n}.db"
            if n:
                db.upgrade(db.make_engine(fresh))
            pairs.append((run_phase("floor", archive, fresh), run_phase("import", archive, fresh, *workers)))
        again = run_phase("import", archive, url, *workers)
        flagged = None if args.no_flagged else run_phase("import-flag", archive, flagged_url, *workers)

    if len(pairs) > 1:
        print(f"{'pair':<6}{'floor s':>9}{'CPU':>7}{'import s':>10}{'CPU main':>10}{'parsers':>9}{'ratio':>8}")
        for n, (fl, im) in enumerate(pairs, 1):
            print(f"{n:<6}{fl['seconds']:>9.1f}{fl['cpu_main']:>7.1f}{im['seconds']:>10.1f}{im['cpu_main']:>10.1f}"
                  f"{im['cpu_parsers']:>9.1f}{fl['seconds'] / im['seconds']:>8.2f}")
    # The pair with the median ratio stands for the runs.
    floor, first = sorted(pairs, key=lambda p: p[0]["seconds"] / p[1]["seconds"])[len(pairs) // 2]

    rate = {name: ph["bills"] / ph["seconds"] for name, ph in (("floor", floor), ("import", first),
                                                                 ("reimport", again), ("flagged", flagged)) if ph}
    rows = [
        ("parse-only floor (lxml)", floor, rate["floor"], ""),
        ("first import", first, rate["import"], f"{rate['import'] / rate['floor']:.2f} x floor (target >= 0.5)"),
        ("re-import, unchanged", again, rate["reimport"],
         f"{first['seconds'] / again['seconds']:.1f} x faster than import (target >= 10)"),
    ]
    if flagged:
        rows.append(("first import + flagging", flagged, rate["flagged"],
                     f"{rate['flagged'] / rate['floor']:.2f} x floor"))
    print(f"archive: {archive}  ({floor['bills']:.0f} BILLSTATUS files), parser processes: "
          f"{args.workers or os.cpu_count()}")
    print(f"{'phase':<26}{'bills':>8}{'seconds':>10}{'bills/s':>10}{'peak MB':>10}{'CPU main':>10}"
          f"{'parsers':>9}  vs target")
    for name, ph, r, note in rows:
        print(f"{name:<26}{ph['bills']:>8.0f}{ph['seconds']:>10.1f}{r:>10.0f}{ph['peak_mb']:>10.0f}"
              f"{ph['cpu_main']:>10.1f}{ph['cpu_parsers']:>9.1f}  {note}")
    print(f"import: {first['new']:.0f} new, {first['failed']:.0f} failed; re-import: {again['unchanged']:.0f} "
          f"unchanged, {again['new'] + again['updated']:.0f} written; peak MB = main process + largest parser "
          "process (target < 500); CPU seconds (user + system) of the phase's process and of its parser processes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
