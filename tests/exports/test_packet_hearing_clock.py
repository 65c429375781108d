"""A packet's "Next hearing" on the legislature's clock, as the dashboard shows it. The bill is the real Alabama
2025 HB 100 (openstates/scrape_AL2025) stored through the normal ingest; its hearing is an Open States API v3 event
written from the published Event schema (tests/openstates_events.py: no public sample of ``/events`` exists in
realdata), read by the real parser and stored by the real ingest writer."""

import datetime as dt
import io
import json
import subprocess

import openpyxl
import pytest
from docx import Document
from export_fixtures import needs_pdf_font
from openstates_events import event
from realdata_paths import require_realdata
from sqlmodel import Session

from tracker.exports import Selection, build_packet
from tracker.ingest import IngestItem, Ingestor
from tracker.records import HearingRecord
from tracker.sources.openstates import parse_bill, parse_events_page
from tracker.votes import hearings_for_bill

pytestmark = pytest.mark.realdata
DAY = dt.date(2031, 3, 4)  # a Tuesday in winter: Alabama is on Central Standard Time
GENERATED = dt.datetime(2031, 3, 1, 12, tzinfo=dt.UTC)


@pytest.fixture
def hb100(session: Session) -> int:
    path = require_realdata("openstates", "scrape_AL2025", "bills", "HB100__20250129T050000Z_entire_bill.json")
    result = Ingestor(session).ingest([IngestItem(record=parse_bill(path.read_bytes(), str(path)))])
    body = json.dumps({"results": [event(start_date=f"{DAY}T15:00:00-06:00")],
                       "pagination": {"per_page": 20, "page": 1, "max_page": 1, "total_items": 1}}).encode()
    Ingestor(session).ingest_hearings([h for h in parse_events_page(body, "https://v3.openstates.org/events").hearings
                                       if isinstance(h, HearingRecord)])
    session.commit()
    [bill_id] = result.changed_bill_ids
    return bill_id


def _packet(session: Session, bill_id: int, fmt: str) -> bytes:
    return build_packet(session, Selection(bills=(bill_id,)), fmt, generated_at=GENERATED)


@needs_pdf_font
def test_a_pdf_and_word_packets_next_hearing_is_on_the_legislatures_clock(session: Session, hb100: int) -> None:
    # The feed writes "15:00" on Alabama's clock; the dashboard shows "3:00 PM CST", the packet a lobbyist carried
    # into the meeting said "15:00" with no zone: an hour off for a reader in Washington.
    [shown] = hearings_for_bill(session, hb100)
    assert shown["clock"] == "3:00 PM CST"
    pdf = subprocess.run(["pdftotext", "-layout", "-", "-"], input=_packet(session, hb100, "pdf"),
                         capture_output=True, check=True).stdout.decode()
    assert "Mar 4, 2031, 3:00 PM CST · House Judiciary Committee" in " ".join(pdf.split())
    assert "15:00" not in pdf
    word = "\n".join(cell.text for table in Document(io.BytesIO(_packet(session, hb100, "docx"))).tables
                     for row in table.rows for cell in row.cells)
    assert "Mar 4, 2031, 3:00 PM CST · House Judiciary Committee · State House, Room 200" in word


def test_an_excel_and_json_packets_next_hearing_is_on_the_legislatures_clock(session: Session, hb100: int) -> None:
    sheet = openpyxl.load_workbook(io.BytesIO(_packet(session, hb100, "xlsx")))["Bills"]
    header = [c.value for c in sheet[1]]
    details = sheet.cell(2, header.index("Hearing details") + 1).value
    assert details.startswith("3:00 PM CST · House Judiciary Committee")
    hearing = json.loads(_packet(session, hb100, "json"))["bills"][0]["next_hearing"]
    assert (hearing["date"], hearing["time"], hearing["clock"]) == ("2031-03-04", "15:00", "3:00 PM CST")
