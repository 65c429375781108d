"""Time every dashboard page at real volume: 100,000 bills, 20,000 of them flagged.

    python bench/dashboard.py [--bills 100000] [--flagged 20000] [--repeat 3] [--database-url URL]

Seeds a fresh SQLite file (or --database-url, which must be an empty migrated database) with generated bench
data written set-based in SQL, not through ingest: 100,000 bills written bill by bill through the Ingestor
would take most of the run and measure ingest, not the dashboard. Each bill gets an action and a primary
sponsor; every fifth bill a topic match flagged with evidence (so 20,000 flagged); 2,000 get a position with
history; 3,000 changed in the last 7 days (BillChange); a few crawl runs give the freshness table something to
read. Search text comes from the titles and summaries through the FTS triggers / indexes of migration 0003.

Each page is rendered with streamlit.testing.v1.AppTest as a signed-in staff member (admin pages as an admin):
"first render" is a new session's first run of the page with Streamlit's caches cleared; "filter change" is
the rerun after changing one filter widget (search: typing words, adding a jurisdiction, typing a bill number).
Best of --repeat. Targets (issue 5): first render <= 1.5 s, filter change <= 0.5 s.
"""

import argparse
import datetime as dt
import os
import random
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

FIRST_TARGET, FILTER_TARGET = 1.5, 0.5
WORDS = ("data privacy artificial intelligence broadband cybersecurity spectrum telehealth semiconductor "
         "workforce energy transportation agriculture veterans housing appropriations education health "
         "infrastructure taxation trade water tribal small business innovation research consumer").split()
STAGES = ("introduced", "in_committee", "in_committee", "in_committee", "passed_origin_chamber",
          "passed_both_chambers", "enacted", "failed")
STANCES = ("Support", "Oppose", "Watch", "Support if amended", "Oppose unless amended")


def chunks(rows: list[dict], size: int = 5000):  # type: ignore[no-untyped-def, type-arg]
    for i in range(0, len(rows), size):
        yield rows[i:i + size]


def seed(url: str, n_bills: int, n_flagged: int) -> dict[str, int]:
    from sqlalchemy import insert, select
    from sqlmodel import Session

    from tracker import db, users
    from tracker.models import (
        Bill,
        BillAction,
        BillChange,
        BillMatch,
        CrawlRun,
        Jurisdiction,
        LegislativeSession,
        Position,
        PositionHistory,
        Sponsorship,
        Topic,
    )

    rnd = random.Random(5)
    engine = db.make_engine(url)
    db.upgrade(engine)
    now = dt.datetime.now(dt.UTC)
    with Session(engine, expire_on_commit=False) as s:
        s.execute(insert(Jurisdiction), [{"id": "us", "name": "United States", "level": "federal"},
                                         {"id": "ca", "name": "California", "level": "state"},
                                         {"id": "ny", "name": "New York", "level": "state"}])
        s.execute(insert(LegislativeSession), [{"jurisdiction_id": j, "identifier": i, "name": i}
                                               for j, i in (("us", "119"), ("ca", "20252026"), ("ny", "2025"))])
        sessions = {j: i for i, j in s.execute(select(LegislativeSession.id, LegislativeSession.jurisdiction_id))}
        admin = users.add_user(s, email="admin@bench.test", role="admin", password="bench password 1")
        staff = users.add_user(s, email="staff@bench.test", role="staff", password="bench password 1")
        topics = [Topic(slug=slug, name=name) for slug, name in (
            ("ai", "Artificial intelligence"), ("privacy", "Data privacy"), ("broadband", "Broadband"),
            ("cyber", "Cybersecurity"), ("health-tech", "Health technology"))]
        s.add_all(topics)
        s.commit()
        juris = ["us"] * 6 + ["ca"] * 3 + ["ny"]
        rows = []
        for i in range(1, n_bills + 1):
            j = juris[i % len(juris)]
            words = rnd.sample(WORDS, 5)
            day = dt.date(2025, 1, 3) + dt.timedelta(days=i % 320)
            rows.append({
                "id": i, "jurisdiction_id": j, "session_id": sessions[j], "identifier": f"HR {i}", "bill_type": "HR",
                "number": str(i), "classification": "bill", "origin_chamber": "lower",
                "title": f"{words[0].title()} {words[1]} and {words[2]} Act of 2025 (bench bill {i})",
                "summary_text": f"This bill addresses {words[3]} and {words[4]} for covered entities. " * 3,
                "stage": STAGES[i % len(STAGES)], "introduced_date": day, "latest_action_date": day,
                "latest_action_text": "Referred to the Committee on Energy and Commerce.", "source_name": "bench",
                "source_urls": [f"https://bills.example.test/{i}"], "content_hash": f"{i:064d}",
                "first_seen_at": now, "last_fetched_at": now, "last_changed_at": now - dt.timedelta(days=30)})
        for part in chunks(rows):
            s.execute(insert(Bill), part)
        s.execute(insert(BillAction), [{"bill_id": i, "order": 0, "date": dt.date(2025, 1, 3), "text": "Introduced",
                                        "actor": "lower", "classification": [], "committees": []}
                                       for i in range(1, n_bills + 1)])
        s.execute(insert(Sponsorship), [{"bill_id": i, "order": 0, "name": f"Rep. Member {i % 435}",
                                         "party": "DR"[i % 2], "kind": "primary"} for i in range(1, n_bills + 1)])
        step = max(1, n_bills // n_flagged)
        flagged = list(range(1, n_bills + 1, step))[:n_flagged]
        matches = [{"bill_id": b, "topic_id": topics[b % len(topics)].id, "score": round(1 + (b * 7919 % 400) / 100, 2),
                    "flagged": True, "matched_terms": ["data privacy"], "rule_version": 1, "matched_at": now,
                    "evidence": [{"field": "title", "snippet": "… the [[data privacy]] and consumer …"}]}
                   for b in flagged]
        for part in chunks(matches):
            s.execute(insert(BillMatch), part)
        positioned = flagged[:2000]
        s.execute(insert(Position), [{"bill_id": b, "stance": STANCES[b % len(STANCES)], "priority": "Medium",
                                      "rationale": "Bench rationale.", "author_id": staff.id, "version": 1,
                                      "updated_at": now} for b in positioned])
        pos_ids = dict(s.execute(select(Position.bill_id, Position.id)).all())
        s.execute(insert(PositionHistory), [{"position_id": pos_ids[b], "bill_id": b, "version": 1,
                                             "stance": STANCES[b % len(STANCES)], "priority": "Medium",
                                             "author_id": staff.id, "changed_at": now} for b in positioned])
        s.execute(insert(BillChange), [{"bill_id": b, "kind": "new_action", "detected_at": now - dt.timedelta(
            hours=b % 150)} for b in range(1, n_bills + 1, max(1, n_bills // 3000))])
        s.execute(insert(CrawlRun), [{"source": src, "kind": "crawl", "status": "succeeded", "args": {},
                                      "started_at": now - dt.timedelta(hours=h),
                                      "finished_at": now - dt.timedelta(hours=h)}
                                     for src in ("govinfo_billstatus", "congress_api") for h in (2, 30, 54)])
        s.commit()
    if engine.dialect.name == "postgresql":  # what autovacuum does after a bulk load: fresh planner statistics
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("ANALYZE")
    engine.dispose()
    return {"admin": admin.id, "staff": staff.id, "flagged": len(flagged)}


def measure(label: str, page: str, user_id: int, change: Callable | None, repeat: int,  # type: ignore[type-arg]
            query: dict[str, str] | None = None) -> tuple[str, float, float | None]:
    import streamlit as st
    from sqlmodel import Session
    from streamlit.testing.v1 import AppTest

    from dashboard.components.auth import TOKEN_KEY
    from tracker import db, sessions
    from tracker.models import User

    with Session(db.get_engine()) as s:
        token = sessions.start_session(s, user=s.get(User, user_id))  # type: ignore[arg-type]
        s.commit()
    first, changed = [], []
    for _ in range(repeat):
        st.cache_data.clear()
        at = AppTest.from_file(str(ROOT / "dashboard" / "app.py"), default_timeout=120)
        at.session_state[TOKEN_KEY] = token
        for k, v in (query or {}).items():
            at.query_params[k] = v
        at.switch_page(page)
        t = time.perf_counter()
        at.run()
        first.append(time.perf_counter() - t)
        if at.exception:
            raise SystemExit(f"{label}: {[e.message for e in at.exception]}")
        if change:
            change(at)
            t = time.perf_counter()
            at.run()
            changed.append(time.perf_counter() - t)
            if at.exception:
                raise SystemExit(f"{label} (filter): {[e.message for e in at.exception]}")
    return label, min(first), (min(changed) if changed else None)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bills", type=int, default=100_000)
    parser.add_argument("--flagged", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--database-url")
    args = parser.parse_args()

    tmp = tempfile.TemporaryDirectory()
    url = args.database_url or f"sqlite:///{Path(tmp.name) / 'bench.db'}"
    os.environ["DATABASE_URL"] = url
    t = time.perf_counter()
    ids = seed(url, args.bills, args.flagged)
    print(f"seeded {args.bills:,} bills ({ids['flagged']:,} flagged) in {time.perf_counter() - t:.1f} s into "
          f"{url.split('://')[0]}")

    staff, admin = ids["staff"], ids["admin"]
    mid = str(args.bills // 2 - (args.bills // 2) % max(1, args.bills // args.flagged) + 1)
    pages = [
        ("Triage inbox", "views/triage.py", staff, lambda at: at.selectbox(key="f_jurisdiction").select("ca"), None),
        ("Triage inbox: sort by date", "views/triage.py", staff, lambda at: at.selectbox(key="f_sort").select("date"),
         None),
        ("Bill", "views/bill.py", staff, None, {"id": mid}),
        ("Overview", "views/overview.py", staff, lambda at: at.toggle(key="moved_tracked").set_value(False), None),
        ("Search", "views/search.py", staff, lambda at: at.text_input(key="q").input("privacy broadband"), None),
        ("Search: add a filter", "views/search.py", staff, lambda at: at.selectbox(key="q_jurisdiction").select("ny"),
         None),
        # A bill number typed as people do (tracker.search.read_query: migration 0015's index finds it).
        ("Search: a bill number", "views/search.py", staff, lambda at: at.text_input(key="q").input("H.R. 4321"),
         None),
        ("Watchlists", "views/watchlists.py", staff, None, None),
        ("Export packets", "views/exports.py", staff, lambda at: at.multiselect(key="x_topics").select("ai"), None),
        ("Admin: users", "views/admin_users.py", admin, None, None),
        ("Admin: topics", "views/admin_topics.py", admin, None, None),
        ("Admin: sources", "views/admin_sources.py", admin, None, None),
    ]
    results = []
    for label, page, user, change, query in pages:
        if label == "Search: add a filter":
            def change_q(at, fn=change):  # type: ignore[no-untyped-def]
                at.text_input(key="q").input("privacy").run()
                fn(at)
            results.append(measure(label, page, user, change_q, args.repeat, query))
            continue
        results.append(measure(label, page, user, change, args.repeat, query))

    print()
    print(f"| page | first render (s) | filter change (s) | met (<= {FIRST_TARGET} s / <= {FILTER_TARGET} s) |")
    print("|---|---:|---:|---|")
    for label, first, changed in results:
        ok = first <= FIRST_TARGET and (changed is None or changed <= FILTER_TARGET)
        print(f"| {label} | {first:.2f} | {'—' if changed is None else f'{changed:.2f}'} | {'yes' if ok else 'NO'} |")
    tmp.cleanup()


if __name__ == "__main__":
    main()
