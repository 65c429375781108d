"""Screenshots of every dashboard page, taken in headless Debian Chromium, into docs/screenshots/.

    python scripts/dashboard_screenshots.py [--out docs/screenshots]

Seeds a temporary SQLite database with the dashboard tests' sample data (tests/dashboard/dash_fixtures.py:
hand-written records, one title deliberately full of markup so the pictures show it rendered as text), starts
the dashboard on a free local port and signs in as the admin, who sees every page.
"""

import argparse
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests" / "dashboard")]

DRAWN = """() => !document.querySelector('[data-testid="stStatusWidget"]')
    && !document.querySelector('[data-testid="stSkeleton"]')
    && [...document.querySelectorAll('.vega-embed')].every(e => e.querySelector('canvas, svg'))"""
PAGES = (
    ("overview", "overview"),
    ("triage", "triage"),
    ("bill", "bill?id={privacy}"),
    ("search", "search"),
    ("watchlists", "watchlists"),
    ("exports", "exports"),
    ("admin-users", "admin-users"),
    ("admin-topics", "admin-topics"),
    ("admin-sources", "admin-sources"),
)


def main() -> None:
    from browser_helpers import chromium_page, dashboard_server, sign_in, why_no_browser
    from dash_fixtures import PASSWORD, seed
    from sqlmodel import Session

    from tracker import db, notes, positions, triage, watchlists

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    args = parser.parse_args()
    reason = why_no_browser()
    if reason:
        raise SystemExit(reason)
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'shots.db'}"
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
        with dashboard_server(url) as base, chromium_page(width=1400, height=1100) as page:
            sign_in(page, base, "admin@example.org", PASSWORD)  # once: the session cookie keeps it
            for name, path in PAGES:
                page.goto(f"{base}/{path.format(**data.ids)}")
                page.get_by_text("Signed in as").wait_for()
                page.wait_for_load_state("networkidle")
                # The page's script has ended and its charts are drawn (on a loaded machine a fixed pause caught
                # grey placeholders).
                page.wait_for_function(DRAWN, timeout=120_000)
                page.wait_for_timeout(1500)
                if name == "search":
                    page.get_by_role("textbox", name="Words in the title, summary or text").fill("data")
                    page.keyboard.press("Enter")
                    page.wait_for_function(DRAWN, timeout=120_000)
                    page.wait_for_timeout(1500)
                target = args.out / f"{name}.png"
                page.screenshot(path=str(target), full_page=True)
                print(target)


if __name__ == "__main__":
    main()
