"""The links a packet gives for an Alabama bill (real Open States scrape of Alabama 2025, HB 52, enacted).

Every one of the 1,422 Alabama 2025 bills gives the same source, https://alison.legislature.state.al.us/bill-search:
ALISON's search form, not the bill's page. Open States' Alabama scraper adds it to every bill and adds the bill's
own ALISON page only when ALISON gives one (``instrumentUrl``), which it did for none of them. Packets called that
form "Bill page" and put it first, so the packet's main link (and the spreadsheet's "Link" column) opened an empty
search form. The most specific public page the data gives is the bill's own text on ALISON.
"""

import datetime as dt
import json

import pytest
from realdata_paths import require_realdata
from sqlmodel import Session

from tracker.exports import Selection, build_packet
from tracker.exports.packet import gather_bills
from tracker.ingest import IngestItem, Ingestor
from tracker.sources.openstates import parse_bill

pytestmark = pytest.mark.realdata
SEARCH = "https://alison.legislature.state.al.us/bill-search"
ENROLLED = "https://alison.legislature.state.al.us/files/pdf/SearchableInstruments/2025RS/HB52-enr.pdf"


def test_an_alabama_bill_links_to_its_own_text_before_alisons_search_form(session: Session) -> None:
    path = require_realdata("openstates", "scrape_AL2025", "bills", "HB52__20241001T040000Z_entire_bill.json")
    record = parse_bill(path.read_bytes(), str(path))
    assert record.source_urls == [SEARCH]  # what the feed gives
    [bill_id] = Ingestor(session).ingest([IngestItem(record=record)]).changed_bill_ids
    session.commit()
    [bill] = gather_bills(session, [bill_id])
    assert bill.primary_link == ENROLLED
    assert [(link.label, link.url) for link in bill.links] == [
        ("Text (PDF): Enrolled", ENROLLED),
        ("Bill search (alison.legislature.state.al.us), not a page of this bill", SEARCH)]
    generated = dt.datetime(2026, 3, 1, 12, tzinfo=dt.UTC)
    [exported] = json.loads(build_packet(session, Selection(bills=(bill_id,)), "json", generated_at=generated))["bills"]
    assert not any(link["label"].startswith("Bill page") for link in exported["links"])
