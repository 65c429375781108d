"""Search speed and parity on the whole 117th Congress (17,817 bills): the Search page's query (first page of 25
and the count) and ``bills list --text``'s filter, for typical queries, on the database(s) given.

    python bench/search.py --db sqlite:////tmp/c117.db [--db postgresql+psycopg://user@host/db] [--repeat 5]

Each database must be migrated (``tracker db upgrade``) and hold the archive (``tracker import
$TRACKER_REALDATA/billstatus/congress117/c117_all.tar.gz``; this script imports it when the database has no bill).
No text of a 117th bill is in realdata, so the texts come from the GovInfo samples (realdata/govinfo_text): their
bills are written as tests/govinfo_texts.py writes them, each with the versions its samples are texts of, and the
sample folder is imported (this script does both when the database holds no text), so that queries can mix a
word of one version's text with one of another's or of the bill's title.
Prints the median milliseconds per query and database and, with two databases, whether they found the same bills
(compared by jurisdiction, session and number: ids differ between databases).
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import func, select  # noqa: E402
from sqlmodel import Session  # noqa: E402

from tracker import db  # noqa: E402
from tracker.importer import import_path  # noqa: E402
from tracker.models import Bill, BillVersion, LegislativeSession  # noqa: E402
from tracker.search import matching_bill_ids, search  # noqa: E402

REALDATA = Path(os.environ.get("TRACKER_REALDATA", Path(__file__).resolve().parents[2] / "shared" / "realdata"))
ARCHIVE = REALDATA / "billstatus" / "congress117" / "c117_all.tar.gz"

# Words of two documents of one bill, which SQLite (one index row a bill: titles, summary, names and every version's
# text) found and PostgreSQL (the bill and each version indexed apart) did not. No realdata text belongs to a bill
# with a summary, and a text repeats its bill's title, so the documents mixed here are versions: H.R. 2157 of the
# 116th says "hydropower" and "embankments" only as introduced, "cyclone" and "rebuilding" only as enrolled (and
# H.R. 1865's 2,000,000-character text none of them);
# H.R. 1037's Senate referral names the clerk Cheryl Johnson, its engrossed text Karen Haas. With a phrase, a prefix
# (the Search page's last word), OR and exclusions; "hydropower embankments" is two words of one text.
MIXED = ("hydropower cyclone", "embankments rebuilding", "cheryl karen", '"disaster relief" hydropower cyclone',
         "hydropower cyclo", "hydropower OR cyclone", "hydropower cyclone -tobacco", "hydropower cyclone -planting",
         "hydropower embankments")

# Phrases of H.R. 1 of the 116th (487,306 characters, 77,356 words, "the" 5,675 times) that PostgreSQL missed when it
# indexed a text as one tsvector (no position past 16,383, at most 255 of a word; migration 0033 indexes parts): at
# words ~8,600 (past the 255th "the"), ~23,500, ~40,000 and ~70,000, and one among other words.
LONG = ('"the patient"', '"shorter deadlines"', '"securities exchange"', '"initiating investigations"',
        'election "initiating investigations"')

# What staff type: topic words, an acronym, a phrase, a prefix while typing, a bill number alone and among words,
# a name, a very common word, and a pasted paragraph; legislators, alone, without their accent, with words, and a
# name that is also a word, in lower case (the word only) and with a capital (the word and the names); OR,
# exclusions and groups as commercial trackers take them, and the malformed forms of them people type.
QUERIES = ("privacy", "artificial intelligence", "AI", "facial recognition", "data bro", "cyber-security",
           "HR 3684", "broadband H.R. 3684 rural", "García", "the", "Menendez", "Sanchez", "Lujan", "Menendez privacy",
           "banks", "Banks", "menendez", "sanchez", "young", "Young",
           "privacy OR biometric", "privacy -health", "privacy NOT health", '"facial recognition" OR biometric',
           "(privacy OR biometric) -(health OR tobacco)", "(privacy -health) OR biometric",
           "broadband OR rural -(tax OR veterans)", "Menendez -privacy", "privacy -Menendez", "HR 3684 OR broadband",
           "-tobacco", "OR", "NOT", "-", 'privacy "unbalanced', "privacy OR", "privacy (data", "privacy OR -health",
           " ".join(["the federal government shall establish a program for data security"] * 20), *MIXED, *LONG)


def timed(session: Session, query: str, repeat: int) -> tuple[float, float, int, set[tuple[str, str, str]]]:
    page, listing = [], []
    for _ in range(repeat):
        start = time.perf_counter()
        _, total = search(session, query, limit=25)
        page.append(time.perf_counter() - start)
        start = time.perf_counter()
        ids = list(session.execute(matching_bill_ids(session, query)).scalars())
        listing.append(time.perf_counter() - start)
    found = {tuple(row) for row in session.execute(
        select(Bill.jurisdiction_id, LegislativeSession.identifier, Bill.identifier)
        .join(LegislativeSession, LegislativeSession.id == Bill.session_id).where(Bill.id.in_(ids)))}
    return statistics.median(page) * 1000, statistics.median(listing) * 1000, total, found


def import_texts(engine) -> str:
    """The GovInfo text samples' bills (those the database does not hold), each with the versions its samples are
    texts of, then the samples themselves through ``tracker import``."""
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
    from govinfo_texts import USLM, federal_bill

    from tracker.ingest import IngestItem, Ingestor
    from tracker.sources.govinfo_text import parse_bill_text

    folder = REALDATA.joinpath(*USLM)
    samples: dict[tuple, list[tuple[str, str]]] = {}
    for path in sorted(folder.iterdir()):
        try:
            parsed = parse_bill_text(path.read_bytes(), path.name)
        except Exception:  # noqa: BLE001 - a sample the import refuses too (no version named): no bill for it
            continue
        if parsed.congress and parsed.bill_type and parsed.number and parsed.version_code:
            key = (parsed.congress, parsed.bill_type, parsed.number)
            samples.setdefault(key, []).append((path.name, parsed.version_code))
    with Session(engine) as s:
        stored = set(s.execute(select(LegislativeSession.identifier, Bill.identifier)
                               .join(LegislativeSession, LegislativeSession.id == Bill.session_id)).all())
        records = [federal_bill(names[0][0], codes=tuple(dict.fromkeys(code for _, code in names)))
                   for names in samples.values()]
        records = [r for r in records if (r.session.identifier, r.identifier) not in stored]
        Ingestor(s).ingest([IngestItem(r) for r in records])
        s.commit()
    return import_path(engine, folder, flag=False).run.message


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", action="append", required=True, help="a migrated database URL (repeatable)")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    results = {}
    for url in args.db:
        engine = db.make_engine(url)
        with Session(engine) as s:
            if not s.execute(select(func.count()).select_from(Bill)).scalar_one():
                print(f"importing {ARCHIVE} into {db.display_url(url)} ...", flush=True)
                import_path(engine, ARCHIVE, flag=False)
            if not s.execute(select(func.count()).select_from(BillVersion).where(BillVersion.text.is_not(None))
                             ).scalar_one():
                print(f"GovInfo text samples: {import_texts(engine)}", flush=True)
            bills = s.execute(select(func.count()).select_from(Bill)).scalar_one()
            search(s, "warm up", limit=25)
            results[url] = {q: timed(s, q, args.repeat) for q in QUERIES}
        engine.dispose()
        print(f"\n{engine.dialect.name} ({bills:,} bills): median ms, Search page (25 + count) / --text filter")
        for q, (page, listing, total, _) in results[url].items():
            print(f"  {q[:40]!r:44} {page:8.1f} {listing:8.1f}   {total:6,} found")
    if len(results) == 2:
        first, second = results.values()
        differ = [q for q in QUERIES if first[q][2:] != second[q][2:]]
        print("\nsame bills on both databases" if not differ else f"\nDIFFERENT bills for: {differ}")


if __name__ == "__main__":
    main()
