"""Time a 200-bill briefing packet in every format and report the file sizes.

    python bench/export.py [--bills 200] [--repeat 2] [--database-url URL]

Bills: the first N House and Senate bills of the 117th Congress whose policy area is "Science, Technology,
Communications" (what a technology council's packet holds), read from the real BILLSTATUS archive and stored
through the parser and ingest into a fresh SQLite file (or --database-url). Each bill then gets benchmark
organisation data written directly: a position with a rationale and one or two topic matches with evidence.
When the archive is absent, the same number of generated bills stand in (the table says which).
Each format is built ``--repeat`` times from the database (selection, gathering, writing); the best counts.
Targets (issue 6): PDF under 10 s, every other format under 3 s.
"""

import argparse
import datetime as dt
import json
import os
import sys
import tarfile
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

TARGETS = {"pdf": 10.0, "docx": 3.0, "xlsx": 3.0, "csv": 3.0, "json": 3.0}
STANCES = ("Support", "Oppose", "Watch", "Support if amended", "Oppose unless amended")
PRIORITIES = ("High", "Medium", "Low")


def realdata() -> Path:
    return Path(os.environ.get("TRACKER_REALDATA") or ROOT.parent / "shared" / "realdata")


def real_records(n: int) -> list:  # type: ignore[type-arg]
    from tracker.sources.govinfo_billstatus import parse_billstatus

    folder = realdata() / "billstatus" / "congress117"
    wanted: set[str] = set()
    with (folder / "c117_index.jsonl").open(encoding="utf-8") as fh:
        for line in fh:
            row = json.loads(line)
            if row["type"] in ("HR", "S") and row.get("policyArea") == "Science, Technology, Communications":
                wanted.add(row["path"])
    records = []
    with tarfile.open(folder / "c117_all.tar.gz", "r|*") as tar:
        for member in tar:
            if member.name in wanted:
                fh = tar.extractfile(member)
                assert fh is not None
                records.append(parse_billstatus(fh.read(), member.name))
                if len(records) >= n:
                    break
    return records


def generated_records(n: int) -> list:  # type: ignore[type-arg]
    """Stand-ins written from our own record schema, for machines without the real archive."""
    from tracker.records import ActionRecord, BillRecord, CommitteeRecord, SponsorshipRecord

    summary = (
        "This bill requires the Federal Trade Commission to issue rules on automated decision systems, "
        "including impact assessments and consumer notice. "
    ) * 12
    return [
        BillRecord.model_validate(
            {
                "jurisdiction": {"id": "us", "name": "United States", "level": "federal"},
                "session": {"identifier": "117", "name": "117th Congress"},
                "identifier": f"HR {i}",
                "bill_type": "HR",
                "number": str(i),
                "origin_chamber": "lower",
                "title": f"To require impact assessments of automated decision systems, and so on ({i}).",
                "short_title": f"Algorithmic Accountability Act of 2022 ({i})",
                "summary_text": summary,
                "stage": "in_committee",
                "introduced_date": dt.date(2022, 2, 3),
                "latest_action_date": dt.date(2022, 2, 3) + dt.timedelta(days=i % 300),
                "latest_action_text": "Referred to the Committee on Energy and Commerce.",
                "source_name": "bench",
                "source_key": f"bench-{i}",
                "source_urls": [f"https://bills.example.test/{i}"],
                "actions": [ActionRecord(date=dt.date(2022, 2, 3), text="Introduced in House")],
                "sponsorships": [SponsorshipRecord(name="Rep. Clarke, Yvette D. [D-NY-9]", kind="primary")]
                + [SponsorshipRecord(name=f"Rep. Cosponsor {j}", kind="cosponsor") for j in range(20)],
                "committees": [CommitteeRecord(name="Energy and Commerce Committee", chamber="lower")],
            }
        )
        for i in range(1, n + 1)
    ]


def seed(url: str, n: int) -> tuple[str, int]:
    from sqlmodel import Session, select

    from tracker import db
    from tracker.ingest import IngestItem, Ingestor
    from tracker.models import Bill, BillMatch, Position, Topic

    engine = db.make_engine(url)
    db.upgrade(engine)
    try:
        records, origin = real_records(n), "117th Congress BILLSTATUS (real)"
    except FileNotFoundError:
        records, origin = generated_records(n), "generated stand-ins (no real data found)"
    with Session(engine) as session:
        Ingestor(session).ingest([IngestItem(r) for r in records])
        ai = Topic(slug="ai", name="AI and automated decisions")
        privacy = Topic(slug="privacy", name="Privacy and data")
        session.add_all([ai, privacy])
        session.flush()
        bills = list(session.exec(select(Bill).order_by(Bill.id)))
        for i, bill in enumerate(bills):
            session.add(
                Position(
                    bill_id=bill.id,
                    stance=STANCES[i % len(STANCES)],
                    priority=PRIORITIES[i % len(PRIORITIES)],
                    rationale="Benchmark rationale: members rely on this technology; the council "
                    "asks for clear federal rules, a safe harbour for small firms and "
                    "pre-emption of conflicting state laws. " * 2,
                )
            )
            words = bill.title.split()
            snippet = (
                " ".join(words[:6] + [f"[[{words[6]}]]"] + words[7:14]) if len(words) > 7 else bill.title
            )
            for topic in (ai, privacy)[: 1 + i % 2]:
                session.add(
                    BillMatch(
                        bill_id=bill.id,
                        topic_id=topic.id,
                        score=3.0 + i % 5,
                        flagged=True,
                        matched_terms=["technology"],
                        rule_version=1,
                        evidence=[
                            {"field": "title", "snippet": snippet},
                            {"field": "summary", "snippet": "… [[technology]] …"},
                        ],
                    )
                )
        session.commit()
        count = len(bills)
    engine.dispose()
    return origin, count


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--bills", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--database-url", help="default: a fresh SQLite file in a temporary folder")
    args = parser.parse_args()

    from sqlmodel import Session

    from tracker import db
    from tracker.exports import Branding, Selection, build_packet

    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or f"sqlite:///{tmp}/bench.db"
        started = time.perf_counter()
        origin, count = seed(url, args.bills)
        print(f"{count} bills from {origin}, stored in {time.perf_counter() - started:.1f} s")
        engine = db.make_engine(url)
        branding = Branding(organisation="Metro Chamber of Commerce — Technology Council")
        rows = []
        for fmt, target in TARGETS.items():
            best, size = float("inf"), 0
            for _ in range(args.repeat):
                with Session(engine) as session:
                    t0 = time.perf_counter()
                    data = build_packet(
                        session,
                        Selection(all_bills=True),
                        fmt,
                        branding,
                        title="Technology bills: 117th Congress",
                    )
                    best = min(best, time.perf_counter() - t0)
                    size = len(data)
            rows.append((fmt, count, best, size, target))
        engine.dispose()

    print()
    print(f"| format | bills | seconds (best of {args.repeat}) | size | target | met |")
    print("|---|---:|---:|---:|---:|---|")
    failed = False
    for fmt, n, seconds, size, target in rows:
        ok = seconds < target
        failed |= not ok
        print(
            f"| {fmt} | {n} | {seconds:.2f} | {size / 1024:,.0f} KB | < {target:g} s "
            f"| {'yes' if ok else 'NO'} |"
        )
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
