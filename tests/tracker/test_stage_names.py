"""Stage names as a reader says them where the legislature has one chamber: a city council passing an ordinance
has not "passed both chambers" (the shared stage vocabulary's name for the legislature's final passage)."""

import datetime as dt

from sqlalchemy import select
from sqlmodel import Session

from tracker import overview
from tracker.alerts.render import describe
from tracker.exports.packet import stage_label
from tracker.ingest import IngestItem, Ingestor
from tracker.models import Bill, BillChange
from tracker.models.base import utcnow
from tracker.records import BillRecord


def test_final_passage_is_named_after_the_one_chamber_that_gives_it() -> None:
    assert stage_label("passed_both_chambers", "us") == "Passed both chambers"
    assert stage_label("passed_both_chambers", "ca") == "Passed both chambers"
    assert stage_label("passed_both_chambers") == "Passed both chambers"  # no jurisdiction: the shared name
    assert stage_label("passed_both_chambers", "us-il-chicago") == "Passed the council"
    assert stage_label("passed_both_chambers", "us-ny-new-york-city") == "Passed the council"
    assert stage_label("passed_both_chambers", "us-ca-los-angeles-county") == "Passed the board"
    assert stage_label("passed_both_chambers", "dc") == "Passed the Council"
    assert stage_label("passed_both_chambers", "ne") == "Passed the Legislature"
    assert stage_label("in_committee", "us-il-chicago") == "In committee"


def test_a_city_ordinance_passing_reads_so_in_digests_and_on_the_overview(session: Session) -> None:
    # Chicago's "Passed" by the City Council (Legistar) reached council members as "in committee → passed both
    # chambers", for a council that has one.
    record = BillRecord.model_validate({
        "jurisdiction": {"id": "us-il-chicago", "name": "City of Chicago", "level": "local"},
        "session": {"identifier": "2013", "name": "2013"}, "identifier": "O2013-1234", "bill_type": "O",
        "number": "2013-1234", "title": "Payment card data ordinance", "stage": "passed_both_chambers",
        "introduced_date": "2013-03-13", "latest_action_date": "2013-05-08", "latest_action_text": "Passed",
        "source_name": "test", "source_key": "chicago/100", "actions": [{"date": "2013-05-08", "text": "Passed"}]})
    Ingestor(session).ingest([IngestItem(record)])
    bill = session.execute(select(Bill)).scalar_one()
    # Passed this week: a stage change of a bill whose latest action is years old is history filled in, no move.
    bill.latest_action_date = utcnow().date()
    session.add(BillChange(bill_id=bill.id, kind="stage_change", before="in_committee",
                           after="passed_both_chambers", detected_at=utcnow() - dt.timedelta(hours=1)))
    session.commit()
    item = {"kind": "stage_change", "payload": {"before": "in_committee", "after": "passed_both_chambers"},
            "jurisdiction": "us-il-chicago"}
    assert describe(item, set())[0] == "in committee → passed the council"
    row = next(r for r in overview.moved(session, tracked_only=False) if r["id"] == bill.id)
    assert row["what"].startswith("Stage: In committee → Passed the council")
    assert row["stage_label"] == "Passed the council"
