"""Precision of topic flags on the real state and city bills, against our own judgements.

    python bench/state_flags.py [--topics PATH] [--database-url URL] [--judged PATH] [--dump PATH]

What is imported, into a fresh SQLite database (or ``--database-url``), keywords only (``TRACKER_SEMANTIC=off``,
as staff who never installed the extra see it):
  - Alabama 2025 (Open States), the LegiScan datasets (JSON and Mississippi 2014 XML) and California pubinfo,
    each through ``tracker import``'s own ``import_path``;
  - the Chicago, LA Metro and New York City matters of the real Legistar Legislation grids (no real Legistar
    /matters JSON exists in realdata, and ``tracker import`` reads no HTML): each row's file number, type, date
    and title go through the Legistar parser (``parse_matter``) and the ingest writer, as a crawl would store them.
Then the topics (``--topics``, default the shipped tracker/topics.yaml) are loaded and every bill is scored.

Judgements: ``bench/state_flags_judged.csv`` holds, for every flag the shipped rules raised on these bills at some
point (before and after the December 2026 state-precision fixes), whether the bill is about technology policy
for a tech council (AI, privacy, cybersecurity, broadband and telecom, IoT, autonomous vehicles, gig economy,
tech workforce and STEM, startups and R&D credits, e-commerce and digital taxes, semiconductors and data
centers, online safety). It is our judgement, made by reading each bill's title, summary and the flag's
evidence; ``relevant`` is per bill and topic (``yes``: the bill is about that topic; ``other``: tech-relevant,
but for another topic; ``no``: noise). Precision counts ``yes`` and ``other`` as right (staff keep the bill
either way), and the table says how many ``other`` there are. Recall is over the bill-topic pairs judged ``yes``.
Flags on bills nobody judged are listed as unjudged (judge them and add rows).

``--dump PATH`` writes every flag with its evidence as CSV (for judging).
"""

from __future__ import annotations

import argparse
import csv
import html
import os
import re
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ["TRACKER_SEMANTIC"] = "off"  # keywords alone: what every install flags with

JUDGED = ROOT / "bench" / "state_flags_judged.csv"
STATE_PATHS = ("openstates", "legiscan/dataset_json", "legiscan/dataset_xml_MS2014.tar.gz", "ca_pubinfo")
CITIES = ("chicago", "metro", "nyc")
Key = tuple[str, str, str, str]  # jurisdiction id, session, bill identifier, topic slug


def realdata() -> Path:
    return Path(os.environ.get("TRACKER_REALDATA") or ROOT.parent / "shared" / "realdata")


def _cells(row: str) -> list[str]:
    return [" ".join(html.unescape(re.sub(r"<[^>]+>", " ", c)).split())
            for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.DOTALL)]


def legistar_records(folder: Path) -> list:
    """The matters of the real Legistar Legislation grids, read as a crawl of the Web API would give them."""
    from tracker.sources.legistar import parse_matter

    records = []
    for client in CITIES:
        path = folder / client / "bills.html"
        if not path.exists():
            continue
        grid = path.read_text(encoding="utf-8")
        for row in re.finditer(r"LegislationDetail\.aspx\?ID=(\d+)&amp;GUID=([\w-]+)[^>]*>(?:<font[^>]*>)?([^<]+)<"
                               r".*?</tr>", grid, re.DOTALL):
            cells = [c for c in _cells(row.group(0)) if c]
            title = max(cells, key=len)  # the grids' columns differ by client; the title is the long one
            kind = cells[0]
            dates = [c for c in cells if re.fullmatch(r"\d{1,2}/\d{1,2}/\d{4}", c)]
            matter = {"MatterId": int(row.group(1)), "MatterGuid": row.group(2), "MatterFile": row.group(3).strip(),
                      "MatterTypeName": kind, "MatterTitle": title}
            if dates:
                month, day, year = dates[0].split("/")
                matter["MatterIntroDate"] = f"{year}-{int(month):02}-{int(day):02}"
            elif year := re.search(r"-(\d{4})$", matter["MatterFile"]):
                # New York's grid shows no date; its file numbers end in the year ("Int 1299-2018"), which is
                # all the parser needs to place the matter in a session.
                matter["MatterIntroDate"] = f"{year.group(1)}-01-01"
            records.append(parse_matter(matter, {}, client=client, locator=f"{client}/bills.html"))
    return records


def build(url: str, data: Path) -> dict[str, int]:
    """Import the state and city bills (no topics yet, so nothing is flagged while importing)."""
    from sqlmodel import Session

    from tracker import db
    from tracker.importer import import_path
    from tracker.ingest import IngestItem, Ingestor

    engine = db.make_engine(url)
    db.upgrade(engine)
    counts = {}
    for rel in STATE_PATHS:
        if (data / rel).exists():
            report = import_path(engine, data / rel, embed=False)
            counts[rel] = report.result.new + report.result.updated + report.result.unchanged
    with Session(engine) as session:
        records = legistar_records(data / "legistar")
        Ingestor(session).ingest([IngestItem(r) for r in records])
        session.commit()
    counts["legistar"] = len(records)
    return counts


def score(url: str, topics: Path | None) -> list[dict]:
    """Load the topics and re-score every bill; every flag with its bill and evidence."""
    from sqlalchemy import select
    from sqlmodel import Session

    from tracker import db
    from tracker.matching import rescore
    from tracker.matching.topics import load_topics
    from tracker.models import Bill, BillMatch, LegislativeSession, Topic

    engine = db.make_engine(url)
    with Session(engine) as session:
        load_topics(session, path=topics, rescore=False)
        session.commit()
        rescore(session)
        rows = session.execute(
            select(LegislativeSession.jurisdiction_id, LegislativeSession.identifier, Bill.identifier, Topic.slug,
                   BillMatch.keyword_score, Topic.threshold, BillMatch.matched_terms, BillMatch.evidence, Bill.title,
                   Bill.summary_text)
            .join(Bill, Bill.id == BillMatch.bill_id).join(Topic, Topic.id == BillMatch.topic_id)
            .join(LegislativeSession, LegislativeSession.id == Bill.session_id)
            .where(BillMatch.flagged)).all()
        return [{"jurisdiction": j, "session": s, "bill": b, "topic": t, "score": round((k or 0) / th, 2),
                 "terms": "; ".join(terms or []),
                 "evidence": " | ".join(f"{e.get('field')}: {e.get('snippet')}" for e in ev or []),
                 "title": title, "summary": (summary or "")[:400]}
                for j, s, b, t, k, th, terms, ev, title, summary in rows]


def read_judged(path: Path) -> dict[Key, str]:
    with path.open(encoding="utf-8", newline="") as fh:
        return {(r["jurisdiction"], r["session"], r["bill"], r["topic"]): r["relevant"] for r in csv.DictReader(fh)}


def table(flags: list[dict], judged: dict[Key, str]) -> str:
    kind = {"al": "state", "ms": "state", "ca": "state", "ak": "state", "ar": "state"}
    flagged = {(f["jurisdiction"], f["session"], f["bill"], f["topic"]) for f in flags}
    by: dict[tuple[str, str], Counter] = defaultdict(Counter)
    unjudged = []
    for key in sorted(flagged):
        verdict = judged.get(key)
        if verdict is None:
            unjudged.append(key)
            continue
        for group in ((key[0], "all"), ("all", key[3]), ("all", "all")):
            by[group]["flags"] += 1
            by[group][verdict] += 1
    out = ["| jurisdiction | topic | flags | right | of which other topic | noise | precision |",
           "|---|---|---:|---:|---:|---:|---:|"]
    for (jur, topic), c in sorted(by.items(), key=lambda kv: (kv[0] == ("all", "all"), kv[0][0] == "all", kv[0])):
        right = c["yes"] + c["other"]
        label = jur if jur == "all" else f"{jur} ({kind.get(jur, 'city')})"
        out.append(f"| {label} | {topic} | {c['flags']} | {right} | {c['other']} | {c['no']} | "
                   f"{right / c['flags']:.0%} |")
    wanted = {k for k, v in judged.items() if v == "yes"}
    found = wanted & flagged
    bills_wanted = {k[:3] for k in judged if judged[k] in ("yes", "other")}
    bills_found = bills_wanted & {k[:3] for k in flagged}
    out.append("")
    out.append(f"Recall on the bill-topic pairs judged relevant: {len(found)}/{len(wanted)} "
               f"({len(found) / max(1, len(wanted)):.0%}); relevant bills flagged for some topic: "
               f"{len(bills_found)}/{len(bills_wanted)}.")
    if missed := sorted(wanted - flagged):
        out.append("Missed: " + ", ".join(f"{j} {s} {b} ({t})" for j, s, b, t in missed))
    if unflagged := sorted(bills_wanted - bills_found):
        out.append("Relevant bills flagged for no topic: " + ", ".join(" ".join(k) for k in unflagged))
    if unjudged:
        out.append(f"Unjudged flags ({len(unjudged)}): " + ", ".join(f"{j} {s} {b} ({t})" for j, s, b, t in unjudged))
    return "\n".join(out)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--topics", type=Path, default=None, help="topics YAML (default: the shipped tracker/topics.yaml)")
    ap.add_argument("--database-url", default=None,
                    help="an already built database to re-score (default: import into a fresh SQLite file)")
    ap.add_argument("--import", dest="do_import", action="store_true",
                    help="with --database-url: import the bills into it first (an empty, new database)")
    ap.add_argument("--judged", type=Path, default=JUDGED)
    ap.add_argument("--dump", type=Path, default=None, help="write every flag with its evidence to this CSV")
    args = ap.parse_args()
    data = realdata()
    if not (data / "openstates").exists():
        print(f"{data}: no real data (set TRACKER_REALDATA)", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url
        started = time.perf_counter()
        if url is None or args.do_import:
            url = url or f"sqlite:///{tmp}/state.db"
            counts = build(url, data)
            print(f"imported {sum(counts.values())} bills ({', '.join(f'{k}: {v}' for k, v in counts.items())}) "
                  f"in {time.perf_counter() - started:.0f} s")
        flags = score(url, args.topics)
    if args.dump:
        with args.dump.open("w", encoding="utf-8", newline="") as fh:
            writer = csv.DictWriter(fh, fieldnames=list(flags[0]) if flags else ["bill"])
            writer.writeheader()
            writer.writerows(sorted(flags, key=lambda f: (f["jurisdiction"], f["bill"], f["topic"])))
    print(f"topics: {args.topics or 'tracker/topics.yaml'}; {len(flags)} flags on "
          f"{len({(f['jurisdiction'], f['session'], f['bill']) for f in flags})} bills\n")
    print(table(flags, read_judged(args.judged) if args.judged.exists() else {}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
