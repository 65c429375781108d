"""A packet's "Current text" of a bill whose feed dates none of its versions: the real Alabama 2025 HB 52
(openstates/scrape_AL2025), enacted, lists "Introduced", "Enrolled", then a floor amendment ("Orr motion to Adopt -
Adopted Roll Call 952"), all undated. The packet said the current text was that amendment and linked its PDF:
a lobbyist handed a legislator a one-page motion as the law. An enrolled version is the bill as passed, later
than any undated amendment listed after it (as GovInfo's undated "Enrolled Bill" is later than dated versions)."""

import datetime as dt
import json

import pytest
from realdata_paths import require_realdata
from sqlmodel import Session

from tracker.exports import Selection, build_packet
from tracker.ingest import IngestItem, Ingestor
from tracker.queries import bill_detail
from tracker.sources.openstates import parse_bill

pytestmark = pytest.mark.realdata
GENERATED = dt.datetime(2026, 3, 1, 12, tzinfo=dt.UTC)


@pytest.fixture
def hb52(session: Session) -> int:
    path = require_realdata("openstates", "scrape_AL2025", "bills", "HB52__20241001T040000Z_entire_bill.json")
    result = Ingestor(session).ingest([IngestItem(record=parse_bill(path.read_bytes(), str(path)))])
    session.commit()
    [bill_id] = result.changed_bill_ids
    return bill_id


def test_an_enrolled_bills_current_text_is_the_enrolled_version_not_an_amendment_listed_after_it(
        session: Session, hb52: int) -> None:
    [bill] = json.loads(build_packet(session, Selection(bills=(hb52,)), "json", generated_at=GENERATED))["bills"]
    current = bill["current_text"]
    assert current["label"] == "Enrolled"
    assert [link["url"] for link in current["links"]] == [
        "https://alison.legislature.state.al.us/files/pdf/SearchableInstruments/2025RS/HB52-enr.pdf"]
    # The bill page reads the same versions in the same order: it names the same current text.
    assert bill_detail(session, hb52)["current_text"]["label"] == "Enrolled"
