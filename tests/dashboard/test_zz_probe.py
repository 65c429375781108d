import datetime as dt, time
from dash_fixtures import record, seed
from apptest_helpers import signed_in
from sqlalchemy import select
from tracker.records import ActionRecord, SponsorshipRecord
from tracker.ingest import IngestItem, Ingestor
from tracker.models import Bill, BillMatch
from tracker.exports import Selection, build_packet

def test_probe(session):
    seeded = seed(session)
    long = "A" * 100000
    big = record(78, title=long, summary_text=("word " * 400000) + long, latest_action_text=long,
                 actions=[ActionRecord(date=dt.date(2025,3,1), text=long, actor="lower")],
                 sponsorships=[SponsorshipRecord(name=long, kind="primary")])
    t=time.time(); Ingestor(session).ingest([IngestItem(big)]); session.commit(); print("RESULT ingest", round(time.time()-t,1), flush=True)
    bid = session.execute(select(Bill.id).where(Bill.identifier == "HR 78")).scalar_one()
    for fmt in ("pdf", "docx", "xlsx", "csv", "json"):
        t = time.time()
        try:
            data = build_packet(session, Selection(bills=(bid,)), fmt, actor=seeded.users["staff"])
            print("RESULT", fmt, "ok", len(data), round(time.time()-t,1))
        except Exception as e:
            print("RESULT", fmt, type(e).__name__, str(e)[:200], round(time.time()-t,1))
    t = time.time()
    at = signed_in(seeded.users["admin"], "views/bill.py", query={"id": str(bid)})
    print("RESULT bill page", [e.message[:200] for e in at.exception], round(time.time()-t,1))
