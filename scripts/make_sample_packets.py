"""Regenerate the sample briefing packets in docs/samples/ from real 117th Congress bills.

    .venv/bin/python scripts/make_sample_packets.py [--out docs/samples]

Steps, all through the product's own commands where one exists:
1. copy eight technology bills' BILLSTATUS files out of the real archive ($TRACKER_REALDATA) into a temporary
   folder (never into the repository) and `tracker import` them into a temporary SQLite database;
2. flag topics from tracker/topics.yaml: `tracker topics load`;
3. add SAMPLE organisation data: a position with a rationale for each bill and a watchlist (there is no
   positions service to call yet, so rows are written directly; every rationale says it is a sample);
4. `tracker export` the watchlist in every format, with a sample [branding] section.
"""

import argparse
import os
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BILLS = ("s/s1260", "hr/hr8152", "hr/hr6580", "s/s3572", "hr/hr3684", "s/s2992", "hr/hr3816",
         "s/s3663")
# (identifier, stance, priority, rationale): invented for the sample, not any organisation's real position.
POSITIONS = (
    ("S 1260", "Support", "High", "Semiconductor incentives and research funding bring fabrication and "
     "supplier jobs to the region; we support the innovation provisions and are watching the trade titles."),
    ("HR 8152", "Oppose unless amended", "High", "A single national privacy standard helps members, but the "
     "private right of action and weak pre-emption would expose small firms to a patchwork of lawsuits."),
    ("HR 6580", "Watch", "Medium", "Impact assessments for automated decision systems: members using hiring "
     "and lending software need clarity on who must file them."),
    ("S 3572", "Watch", "Low", "Senate companion of HR 6580."),
    ("HR 3684", "Support", "High", "Broadband deployment money and digital equity grants reach the city's "
     "unserved blocks; the council testified in favour."),
    ("S 2992", "Oppose", "High", "Restrictions on self-preferencing would change services our member "
     "retailers depend on; we prefer enforcement under existing law."),
    ("HR 3816", "Oppose", "Medium", "House counterpart of S 2992."),
    ("S 3663", "Needs decision", "Medium", "Duty of care for online platforms used by minors: the committee "
     "meets next month to decide."),
)
WATCHLIST = "Sample: federal technology priorities"
TOML = """[branding]
organisation = "Metro Chamber of Commerce — Technology Council"
accent_color = "#1F4E79"
disclaimer = "SAMPLE PACKET generated from public 117th Congress data; the positions in it are invented \
for the demonstration. Verify bill status before relying on it."
"""


def tracker(*args: str, env: dict[str, str]) -> None:
    subprocess.run([sys.executable, "-m", "tracker", *args], check=True, env=env, cwd=ROOT)


def extract(archive: Path, folder: Path) -> None:
    wanted = {f"data/117/bills/{b}/fdsys_billstatus{suffix}" for b in BILLS for suffix in (".xml", "-lastmod.txt")}
    found = 0
    with tarfile.open(archive, "r|*") as tar:
        for member in tar:
            if member.name in wanted:
                fh = tar.extractfile(member)
                assert fh is not None
                target = folder / member.name
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(fh.read())
                found += 1
    if found != len(wanted):
        raise SystemExit(f"found {found} of {len(wanted)} files in {archive}")


def add_sample_positions(url: str) -> None:
    from sqlmodel import Session, select

    from tracker import db
    from tracker.models import Bill, Position, Watchlist, WatchlistItem

    engine = db.make_engine(url)
    with Session(engine) as session:
        ids = {b.identifier: b.id for b in session.exec(select(Bill))}
        watchlist = Watchlist(name=WATCHLIST)
        session.add(watchlist)
        session.flush()
        for identifier, stance, priority, rationale in POSITIONS:
            session.add(Position(bill_id=ids[identifier], stance=stance, priority=priority,
                                 rationale=f"{rationale} (Sample position for this demonstration.)"))
            session.add(WatchlistItem(watchlist_id=watchlist.id, bill_id=ids[identifier]))
        session.commit()
    engine.dispose()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "samples")
    args = parser.parse_args()
    realdata = Path(os.environ.get("TRACKER_REALDATA") or ROOT.parent / "shared" / "realdata")
    archive = realdata / "billstatus" / "congress117" / "c117_all.tar.gz"
    if not archive.is_file():
        raise SystemExit(f"real data not found: {archive} (set TRACKER_REALDATA)")
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        url = f"sqlite:///{work / 'samples.db'}"
        (work / "tracker.toml").write_text(TOML, encoding="utf-8")
        env = {**os.environ, "DATABASE_URL": url, "TRACKER_CONFIG": str(work / "tracker.toml")}
        extract(archive, work / "bills")
        tracker("db", "upgrade", env=env)
        tracker("import", "--quiet", str(work / "bills"), env=env)
        tracker("topics", "load", env=env)
        add_sample_positions(url)
        for ext in ("pdf", "docx", "xlsx", "csv", "json"):
            tracker("export", "--watchlist", WATCHLIST, "--title", "Federal technology bills: 117th Congress",
                    "-o", str(args.out / f"briefing-packet.{ext}"), env=env)
    total = sum(p.stat().st_size for p in args.out.glob("briefing-packet.*"))
    print(f"samples in {args.out}: {total / 1024:.0f} KB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
