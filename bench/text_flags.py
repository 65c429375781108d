"""Topic flags that storing the bill texts adds, on the real GovInfo text samples (realdata/govinfo_text).

    python bench/text_flags.py [--topics PATH] [--judged PATH] [--dump PATH]

The federal bill of each USLM sample is written as tests/govinfo_texts.py writes it (its official title, no
summary: no BILLSTATUS in realdata describes these bills) and goes through the real ingest into a fresh SQLite
database; the topics are loaded and every bill is scored (flags from the titles alone); then the sample folder goes
through ``tracker import`` (the texts are stored and the bills re-scored). Keywords only (``TRACKER_SEMANTIC=off``).

Prints the flags before and after, and every flag the texts added with its score and evidence. Judgements:
``bench/text_flags_judged.csv`` (bill, topic, relevant: ``yes`` the bill is about that topic, ``no`` noise), our
reading of each bill's title, text and the flag's evidence; precision is over the added flags that were judged.
"""

from __future__ import annotations

import argparse
import csv
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))
os.environ["TRACKER_SEMANTIC"] = "off"

JUDGED = ROOT / "bench" / "text_flags_judged.csv"


def flags(engine) -> dict[tuple[str, str, str], dict]:
    from sqlalchemy import select
    from sqlmodel import Session

    from tracker.models import Bill, BillMatch, LegislativeSession, Topic

    with Session(engine) as session:
        rows = session.execute(
            select(LegislativeSession.identifier, Bill.identifier, Topic.slug, BillMatch.keyword_score,
                   Topic.threshold, BillMatch.evidence, Bill.title)
            .join(Bill, Bill.id == BillMatch.bill_id).join(Topic, Topic.id == BillMatch.topic_id)
            .join(LegislativeSession, LegislativeSession.id == Bill.session_id).where(BillMatch.flagged)).all()
    return {(s, b, t): {"score": round((k or 0) / th, 2), "title": title,
                     "evidence": " | ".join(f"{e.get('field')}: {e.get('snippet')}" for e in ev or [])}
            for s, b, t, k, th, ev, title in rows}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--topics", type=Path, default=None, help="topics YAML (default: the shipped tracker/topics.yaml)")
    ap.add_argument("--judged", type=Path, default=JUDGED)
    ap.add_argument("--dump", type=Path, default=None, help="write every added flag with its evidence to this CSV")
    args = ap.parse_args()

    from govinfo_texts import USLM, federal_bill
    from realdata_paths import realdata_dir
    from sqlmodel import Session

    from tracker import db
    from tracker.importer import import_path
    from tracker.ingest import IngestItem, Ingestor
    from tracker.matching import rescore
    from tracker.matching.topics import load_topics
    from tracker.sources.govinfo_text import parse_bill_text

    folder = realdata_dir().joinpath(*USLM)
    if not folder.exists():
        print(f"{folder}: no real data (set TRACKER_REALDATA)", file=sys.stderr)
        return 2
    records = []
    for path in sorted(folder.iterdir()):
        try:
            parse_bill_text(path.read_bytes(), path.name)
            records.append(federal_bill(path.name))
        except Exception:  # noqa: BLE001 - a sample the import refuses too (no version named): no bill for it
            continue
    with tempfile.TemporaryDirectory() as tmp:
        engine = db.make_engine(f"sqlite:///{tmp}/texts.db")
        db.upgrade(engine)
        with Session(engine) as session:
            load_topics(session, path=args.topics, rescore=False)
            Ingestor(session).ingest([IngestItem(r) for r in records])
            session.commit()
            rescore(session)
            session.commit()
        before = flags(engine)
        started = time.perf_counter()
        report = import_path(engine, folder, embed=False)
        took = time.perf_counter() - started
        after = flags(engine)
    judged: dict[tuple[str, str, str], str] = {}
    if args.judged.exists():
        with args.judged.open(encoding="utf-8", newline="") as fh:
            judged = {(r["session"], r["bill"], r["topic"]): r["relevant"] for r in csv.DictReader(fh)}
    bills = {(r.session.identifier, r.identifier) for r in records}
    added = sorted(set(after) - set(before))
    print(f"{len(bills)} bills, {len(records)} text samples; import and re-score {took:.1f} s; "
          f"{report.run.message}")
    print(f"flags from titles: {len(before)}; with texts: {len(after)}; added by texts: {len(added)} on "
          f"{len({k[:2] for k in added})} bills; lost: {len(set(before) - set(after))}")
    print("from titles: " + ", ".join(" ".join(k) for k in sorted(before)))
    right = sum(judged.get(k) == "yes" for k in added)
    noise = sum(judged.get(k) == "no" for k in added)
    print(f"added flags judged right {right}, noise {noise}, unjudged {len(added) - right - noise}")
    for key in added:
        f = after[key]
        print(f"  {key[0]:<5} {key[1]:<10} {key[2]:<20} {f['score']:>5} [{judged.get(key, '?')}] {f['title'][:70]}")
        print(f"      {f['evidence'][:300]}")
    if args.dump:
        with args.dump.open("w", encoding="utf-8", newline="") as fh:
            out = csv.writer(fh)
            out.writerow(["session", "bill", "topic", "relevant", "score", "title", "evidence"])
            for key in added:
                out.writerow([*key, judged.get(key, ""), after[key]["score"], after[key]["title"],
                              after[key]["evidence"]])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
