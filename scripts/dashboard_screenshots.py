"""Screenshots of every dashboard page, taken in headless Debian Chromium, into docs/screenshots/.

    python scripts/dashboard_screenshots.py [--out docs/screenshots] [--sample]

Fills a temporary SQLite database with real bills, as an organisation's first day would: the 117th Congress
archive, California pubinfo tables, LegiScan datasets and Alabama's Open States bills from TRACKER_REALDATA
(default ../shared/realdata), imported and flagged by `tracker import`, then a few positions, a note, an
assignment and a watchlist on real tech bills. `--sample` (or no real data) uses the dashboard tests' hand-written
records instead (tests/dashboard/dash_fixtures.py, one title deliberately full of markup so the pictures show it
rendered as text). Starts the dashboard on a free local port and signs in as the admin, who sees every page.
"""

import argparse
import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests" / "dashboard")]

DRAWN = """() => !document.querySelector('[data-testid="stStatusWidget"]')
    && !document.querySelector('[data-testid="stSkeleton"]')
    && [...document.querySelectorAll('.vega-embed')].every(e => e.querySelector('canvas, svg'))"""
PAGES = (
    ("overview", "overview"),
    ("triage", "triage"),
    ("bill", "bill?id={featured}"),
    ("search", "search"),
    ("watchlists", "watchlists"),
    ("exports", "exports"),
    ("admin-users", "admin-users"),
    ("admin-topics", "admin-topics"),
    ("admin-sources", "admin-sources"),
)


# The real files an organisation would start from (paths under TRACKER_REALDATA), and the bills its staff would
# have taken a view on by the end of the first week.
REAL_IMPORTS = ("billstatus/congress117/c117_all.tar.gz", "ca_pubinfo/pubinfo_nomindnick_ca-leginfo-mcp/mini",
                "legiscan/dataset_json", "openstates/scrape_AL2025")
REAL_BILLS = {  # key: (jurisdiction, session, identifier)
    "featured": ("us", "117", "HR 8152"),  # American Data Privacy and Protection Act
    "chips": ("us", "117", "HR 4346"),  # CHIPS and Science Act
    "ai": ("us", "117", "HR 6580"),  # Algorithmic Accountability Act of 2022
    "broadband": ("us", "117", "HR 3684"),  # Infrastructure Investment and Jobs Act (broadband title)
}


@dataclass
class Seeded:
    ids: dict[str, int]
    password: str


def realdata_dir() -> Path:
    value = os.environ.get("TRACKER_REALDATA")
    return Path(value) if value else (ROOT.parent / "shared" / "realdata").resolve()


def seed_sample(url: str) -> Seeded:
    from dash_fixtures import PASSWORD, seed
    from sqlmodel import Session

    from tracker import db, notes, positions, triage, watchlists

    engine = db.make_engine(url)
    db.upgrade(engine)
    with Session(engine, expire_on_commit=False) as s:
        data = seed(s)
        staff, council = data.users["staff"], data.users["council"]
        positions.set_position(s, actor=staff, bill_id=data.ids["privacy"], stance="Watch", expected_version=None)
        positions.set_position(s, actor=data.users["admin"], bill_id=data.ids["privacy"],
                               stance="Oppose unless amended", priority="High",
                               rationale="Pre-emption clause is too weak.", expected_version=1)
        notes.add_note(s, actor=council, bill_id=data.ids["privacy"], body="Raise this at Thursday's meeting.")
        triage.assign(s, actor=staff, bill_ids=[data.ids["privacy"]], assignee_id=staff.id, task="Draft memo")
        wl = watchlists.create_watchlist(s, actor=staff, name="Thursday meeting")
        watchlists.add_bills(s, actor=staff, watchlist_id=wl.id, bill_ids=[data.ids["privacy"], data.ids["quiet"]])
        s.commit()
    engine.dispose()
    return Seeded(ids={"featured": data.ids["privacy"]}, password=PASSWORD)


def seed_real(url: str, realdata: Path) -> Seeded:
    from sqlmodel import Session, select

    from tracker import db, notes, positions, triage, users, watchlists
    from tracker.models import Bill, LegislativeSession

    env = dict(os.environ, DATABASE_URL=url)
    tracker = [sys.executable, "-m", "tracker"]
    subprocess.run([*tracker, "db", "upgrade"], env=env, check=True)
    subprocess.run([*tracker, "topics", "load", "--if-empty"], env=env, check=True)
    # Without the semantic extra's embeddings: the pictures show the keyword evidence staff read.
    done = subprocess.run([*tracker, "import", "--no-embed", *(str(realdata / p) for p in REAL_IMPORTS)], env=env)
    if done.returncode not in (0, 1):  # 1: some files were refused and named above; the rest is stored
        raise SystemExit(f"tracker import failed ({done.returncode})")
    password = "first week of the council"
    engine = db.make_engine(url)
    with Session(engine, expire_on_commit=False) as s:
        people = {role: users.add_user(s, email=f"{role}@example.org", role=role, password=password,
                                       name=name)
                  for role, name in (("admin", "Dana Admin"), ("staff", "Sam Policy"),
                                     ("council", "Chris Council"), ("lobbyist", "Lee Lobbyist"))}
        ids = {}
        for key, (jurisdiction, session_id, identifier) in REAL_BILLS.items():
            ids[key] = s.exec(select(Bill.id).join(LegislativeSession)
                              .where(Bill.jurisdiction_id == jurisdiction, Bill.identifier == identifier,
                                     LegislativeSession.identifier == session_id)).one()
        staff, admin, council = people["staff"], people["admin"], people["council"]
        positions.set_position(s, actor=staff, bill_id=ids["featured"], stance="Watch", expected_version=None)
        positions.set_position(s, actor=admin, bill_id=ids["featured"], stance="Support if amended",
                               priority="High", expected_version=1,
                               rationale="One national privacy standard helps members; the private right of "
                                         "action and the weak pre-emption clause need amending.")
        positions.set_position(s, actor=staff, bill_id=ids["chips"], stance="Support", priority="High",
                               expected_version=None, rationale="Semiconductor and R&D investment in the region.")
        positions.set_position(s, actor=staff, bill_id=ids["ai"], stance="Oppose unless amended",
                               expected_version=None,
                               rationale="Impact assessments as drafted reach every small business using software.")
        notes.add_note(s, actor=council, bill_id=ids["featured"], body="Raise this at Thursday's meeting.")
        triage.assign(s, actor=staff, bill_ids=[ids["featured"]], assignee_id=staff.id, task="Draft memo")
        wl = watchlists.create_watchlist(s, actor=staff, name="Thursday meeting")
        watchlists.add_bills(s, actor=staff, watchlist_id=wl.id, bill_ids=list(ids.values()))
        s.commit()
    engine.dispose()
    return Seeded(ids=ids, password=password)


def main() -> None:
    from browser_helpers import chromium_page, dashboard_server, sign_in, why_no_browser

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    parser.add_argument("--sample", action="store_true", help="the tests' hand-written bills, not the real data")
    args = parser.parse_args()
    reason = why_no_browser()
    if reason:
        raise SystemExit(reason)
    realdata = realdata_dir()
    if not args.sample and not (realdata / REAL_IMPORTS[0]).exists():
        print(f"no real data at {realdata} (set TRACKER_REALDATA): using the tests' hand-written bills")
        args.sample = True
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'shots.db'}"
        data = seed_sample(url) if args.sample else seed_real(url, realdata)
        with dashboard_server(url) as base, chromium_page(width=1400, height=1100) as page:
            sign_in(page, base, "admin@example.org", data.password)  # once: the session cookie keeps it
            for name, path in PAGES:
                page.goto(f"{base}/{path.format(**data.ids)}")
                page.get_by_text("Signed in as").wait_for()
                page.wait_for_load_state("networkidle")
                # The page's script has ended and its charts are drawn (on a loaded machine a fixed pause caught
                # grey placeholders).
                page.wait_for_function(DRAWN, timeout=120_000)
                page.wait_for_timeout(1500)
                if name == "search":
                    words = "data" if args.sample else "artificial intelligence"
                    page.get_by_role("textbox", name="Words in the title, summary or text").fill(words)
                    page.keyboard.press("Enter")
                    page.wait_for_function(DRAWN, timeout=120_000)
                    page.wait_for_timeout(1500)
                target = args.out / f"{name}.png"
                page.screenshot(path=str(target), full_page=True)
                print(target)


if __name__ == "__main__":
    main()
