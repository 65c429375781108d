"""Crawl 2,000 real bills from a local GovInfo stand-in, then crawl again with nothing changed.

    python bench/crawl.py [--bills 2000] [--database-url URL] [--restamp 20]

The first N BILLSTATUS files of the 117th Congress archive (``billstatus/congress117/c117_all.tar.gz``, in
archive order: every H.Con.Res., H.J.Res. and the first H.R.s) are served at GovInfo's paths by the test feed
server (tests/scrapers/feedserver.py) on 127.0.0.1, with their real ``lastmod`` stamps and the sitemaps and
JSON listings generated from them. ``scrapy crawl govinfo_billstatus`` runs as a subprocess with the
production settings (AutoThrottle, robots.txt, retries) pointed at it:

  first            a fresh database: every file is listed and fetched
  again            nothing changed: listing requests only
  again (tracker)  nothing changed, run as a user runs it: `tracker crawl govinfo_billstatus --congress 117
                   --types ...` (the CLI, then `scrapy crawl` in its own process)
  restamp          N files re-published with the same bytes (new lastmod): N conditional requests answered 304

Target (issue 3): the no-change crawl fetches zero bill documents and takes under 5 % of the first crawl's
time. Two times are reported: the whole process (Python and Scrapy start-up is a fixed cost of every run; for
`tracker crawl` the CLI's own start-up too) and the crawl itself (the CrawlRun's start to finish, as `tracker
runs` shows it). Every percentage is of the first crawl's `scrapy crawl` process. The no-change crawls last about
a second, which a shared machine moves by a fifth either way from one run to the next: each is run ``--repeat``
times (default 5) and its median is reported, with the fastest and slowest run beside it.
``--latency S`` adds S seconds to every answer, standing for a real network round trip to www.govinfo.gov
(localhost answers in about a millisecond, which flatters the first crawl and no other).
"""

import argparse
import datetime as dt
import os
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests" / "scrapers")]

from feedserver import FeedServer, GovinfoMirror  # noqa: E402
from sqlalchemy import text  # noqa: E402

LASTMOD = "-lastmod.txt"


def realdata() -> Path:
    return Path(os.environ.get("TRACKER_REALDATA") or ROOT.parent / "shared" / "realdata")


def load_bills(archive: Path, n: int) -> list[tuple[str, str, bytes, dt.datetime]]:
    """The first ``n`` bills of the archive with their GovInfo lastmod stamps (the ``-lastmod.txt`` files)."""
    bodies: dict[tuple[str, str], bytes] = {}
    stamps: dict[tuple[str, str], str] = {}
    with tarfile.open(archive, "r|gz") as tar:
        for member in tar:
            parts = member.name.split("/")  # data/117/bills/{type}/{type}{n}/fdsys_billstatus.xml
            if not member.isfile() or len(parts) != 6:
                continue
            key = (parts[3], parts[4][len(parts[3]):])
            data = tar.extractfile(member).read()  # type: ignore[union-attr]
            if member.name.endswith(LASTMOD):
                stamps[key] = data.decode().strip()
            else:
                bodies[key] = data
            if len(bodies) >= n and all(k in stamps for k in bodies):
                break
    keys = list(bodies)[:n]
    return [(t, num, bodies[(t, num)], dt.datetime.fromisoformat(stamps[(t, num)].replace("Z", "+00:00")))
            for t, num in keys]


def crawl(env: dict[str, str], types: str, via_tracker: bool = False) -> tuple[float, int]:
    if via_tracker:
        cmd = [sys.executable, "-m", "tracker", "crawl", "govinfo_billstatus", "--congress", "117", "--types", types]
    else:
        cmd = [sys.executable, "-m", "scrapy", "crawl", "govinfo_billstatus", "-a", "congress=117",
               "-a", f"types={types}", "-s", "LOG_LEVEL=WARNING"]
    started = time.perf_counter()
    done = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True)
    wall = time.perf_counter() - started
    if done.returncode != 0:
        sys.exit(f"crawl failed ({done.returncode}):\n{done.stderr[-3000:]}")
    return wall, done.returncode


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bills", type=int, default=2000)
    parser.add_argument("--restamp", type=int, default=20)
    parser.add_argument("--database-url", help="default: a fresh SQLite file in a temporary folder")
    parser.add_argument("--latency", type=float, default=0.0, help="seconds added to every answer")
    parser.add_argument("--repeat", type=int, default=5, help="runs of each no-change crawl (median reported)")
    args = parser.parse_args()

    archive = realdata() / "billstatus" / "congress117" / "c117_all.tar.gz"
    if not archive.exists():
        sys.exit(f"{archive} not found: set TRACKER_REALDATA")
    bills = load_bills(archive, args.bills)
    types = ",".join(dict.fromkeys(t for t, _, _, _ in bills))

    from tracker import db

    server = FeedServer().start()
    server.latency = args.latency
    mirror = GovinfoMirror(server)
    for bill_type, number, body, stamp in bills:
        mirror.set_bill(117, bill_type, number, body, stamp)
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or f"sqlite:///{tmp}/bench.db"
        engine = db.make_engine(url)
        db.upgrade(engine)
        engine.dispose()
        env = {**os.environ, "DATABASE_URL": url, "GOVINFO_BASE_URL": server.url,
               "TRACKER_CONFIG": "/dev/null", "TRACKER_HOME": tmp, "PYTHONPATH": str(ROOT)}
        rows = []
        spread: dict[str, tuple[float, float, int]] = {}
        for phase in ("first", "again", "again (tracker crawl)", "restamp"):
            if phase == "restamp":
                now = dt.datetime.now(dt.UTC)
                for bill_type, number, body, _ in bills[-args.restamp:]:
                    mirror.set_bill(117, bill_type, number, body, now)
            runs = args.repeat if phase.startswith("again") else 1
            walls, seconds = [], []
            for _ in range(runs):
                server.reset_log()
                walls.append(crawl(env, types, via_tracker="tracker" in phase)[0])
                seconds.append(crawl_seconds(url))
            spread[phase] = (min(walls), max(walls), runs)
            wall = statistics.median(walls)
            hits = server.requests()
            documents = [h for h in hits if h.path.startswith("/bulkdata/BILLSTATUS/")]
            rows.append((phase, wall, statistics.median(seconds), len(hits), sum(h.status == 200 for h in documents),
                         sum(h.status == 304 for h in documents), len(hits) - len(documents)))
        engine = db.make_engine(url)
        with engine.connect() as conn:
            stored = conn.execute(text("SELECT count(*) FROM bill")).scalar_one()
        engine.dispose()
    server.stop()

    first_wall, first_crawl = rows[0][1], rows[0][2]
    print(f"\nCrawl of {len(bills)} real 117th-Congress bills ({types}) from a local GovInfo stand-in "
          f"(added latency {args.latency * 1000:.0f} ms); {stored} bills stored; database {url.split(':')[0]}\n")
    print("| crawl | runs | process wall (s) | fastest-slowest | % of first | crawl (s) | % of first | requests "
          "| bill documents (200) | not modified (304) | listings + robots.txt |")
    print("|---|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|")
    for phase, wall, seconds, requests, fetched, not_modified, other in rows:
        low, high, runs = spread[phase]
        print(f"| {phase} | {runs} | {wall:.2f} | {low:.2f}-{high:.2f} | {100 * wall / first_wall:.1f} % | "
              f"{seconds:.2f} | {100 * seconds / first_crawl:.1f} % | {requests} | {fetched} | {not_modified} | "
              f"{other} |")
    again, again_cli = rows[1], rows[2]
    print(f"\nTarget: the no-change crawl fetches 0 bill documents ({again[4]}: "
          f"{'met' if again[4] == 0 and again_cli[4] == 0 else 'NOT met'}) in under 5 % of the first crawl's time: "
          f"crawl {100 * again[2] / first_crawl:.1f} % ({'met' if again[2] < 0.05 * first_crawl else 'NOT met'}), "
          f"scrapy crawl process (median) {100 * again[1] / first_wall:.1f} % "
          f"({'met' if again[1] < 0.05 * first_wall else 'NOT met'}), "
          f"tracker crawl command (median) {100 * again_cli[1] / first_wall:.1f} % "
          f"({'met' if again_cli[1] < 0.05 * first_wall else 'NOT met'})")


def crawl_seconds(url: str) -> float:
    """The latest CrawlRun's start to finish: the crawl itself, without the process start-up."""
    from tracker import db

    engine = db.make_engine(url)
    with engine.connect() as conn:
        started, finished = conn.execute(text(
            "SELECT started_at, finished_at FROM crawlrun ORDER BY id DESC LIMIT 1")).one()
    engine.dispose()
    if isinstance(started, str):  # SQLite hands back text
        started, finished = dt.datetime.fromisoformat(started), dt.datetime.fromisoformat(finished)
    return (finished - started).total_seconds()


if __name__ == "__main__":
    main()
