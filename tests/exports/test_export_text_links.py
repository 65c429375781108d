"""What a briefing packet says of a bill's text: the latest version, its label and date, and a link to its PDF and
to its HTML or formatted text, in every format. Real federal bills: H.R. 21 (117th) through both Library of
Congress feeds, and 115th H.R. 302, whose enrolled bill GovInfo publishes undated."""

import csv
import datetime as dt
import io
import json

import openpyxl
import pytest
from docx import Document
from export_fixtures import needs_pdf_font
from hr21_feeds import hr21_from_api, hr21_from_billstatus
from pypdf import PdfReader
from realdata_paths import require_realdata
from sqlalchemy import select
from sqlmodel import Session

from tracker.exports import Branding, Selection, build_packet
from tracker.exports.packet import fact_rows, gather_bills
from tracker.ingest import IngestItem, Ingestor
from tracker.models import Bill
from tracker.records import BillRecord, VersionRecord
from tracker.sources.govinfo_billstatus import parse_billstatus

pytestmark = pytest.mark.realdata

HR21_PDF = "https://www.congress.gov/117/bills/hr21/BILLS-117hr21rfs.pdf"
HR21_TEXT = "https://www.congress.gov/117/bills/hr21/BILLS-117hr21rfs.htm"
HR302 = "https://www.govinfo.gov/content/pkg/BILLS-115hr302enr"


def ingest(session: Session, *records: BillRecord) -> None:
    Ingestor(session).ingest([IngestItem(r) for r in records])
    session.commit()


@pytest.fixture
def bills(session: Session) -> dict[str, int]:
    billstatus = hr21_from_billstatus()
    hr302 = require_realdata("billstatus", "usgpo_samples", "textVersions", "DEV-BILLSTATUS-115hr302.xml")
    ingest(session, billstatus, parse_billstatus(hr302.read_bytes(), str(hr302)))
    ingest(session, hr21_from_api())
    return {identifier: bill_id for identifier, bill_id in session.execute(select(Bill.identifier, Bill.id))}


def text_links(links: list[tuple[str, str]]) -> list[tuple[str, str]]:
    return [(label, url) for label, url in links if label.startswith("Text")]


def test_the_packet_offers_the_latest_versions_pdf_and_text(session: Session, bills: dict[str, int]) -> None:
    hr21, hr302 = gather_bills(session, [bills["HR 21"], bills["HR 302"]])
    # H.R. 21 is owned by BILLSTATUS; the PDF and formatted text are the ones the Congress.gov API lists.
    assert text_links([(link.label, link.url) for link in hr21.links]) == [
        ("Text (PDF): Referred in Senate, Jan 6, 2021", HR21_PDF),
        ("Text (HTML): Referred in Senate, Jan 6, 2021", HR21_TEXT)]
    # The enrolled bill, published undated, came after the House's engrossed amendment of 2018-09-26.
    assert text_links([(link.label, link.url) for link in hr302.links]) == [
        ("Text (PDF): Enrolled Bill", f"{HR302}/pdf/BILLS-115hr302enr.pdf"),
        ("Text (HTML): Enrolled Bill", f"{HR302}/html/BILLS-115hr302enr.htm")]
    assert ("Current text", "Referred in Senate · Jan 6, 2021") in fact_rows(hr21)
    assert ("Current text", "Enrolled Bill · undated") in fact_rows(hr302)


def test_every_format_carries_the_text_links(session: Session, bills: dict[str, int]) -> None:
    branding = Branding(organisation="Metro Chamber — Technology Council")
    selection = Selection(bills=(bills["HR 21"], bills["HR 302"]))
    rows = list(csv.DictReader(io.StringIO(build_packet(session, selection, "csv", branding).decode("utf-8-sig"))))
    assert [(r["Bill"], r["Text version"], r["Text PDF"], r["Text HTML/TXT"]) for r in rows] == [
        ("HR 21", "Referred in Senate (Jan 6, 2021)", HR21_PDF, HR21_TEXT),
        ("HR 302", "Enrolled Bill (undated)", f"{HR302}/pdf/BILLS-115hr302enr.pdf",
         f"{HR302}/html/BILLS-115hr302enr.htm")]

    ws = openpyxl.load_workbook(io.BytesIO(build_packet(session, selection, "xlsx", branding)))["Bills"]
    col = {ws.cell(1, c).value: c for c in range(1, ws.max_column + 1)}
    pdf = ws.cell(2, col["Text PDF"])
    assert pdf.value == HR21_PDF and pdf.hyperlink is not None and pdf.hyperlink.target == HR21_PDF

    doc = Document(io.BytesIO(build_packet(session, selection, "docx", branding)))
    said = "\n".join(p.text for p in doc.paragraphs)
    assert "Text (PDF): Referred in Senate, Jan 6, 2021" in said

    packet = json.loads(build_packet(session, selection, "json", branding))
    assert packet["bills"][0]["current_text"] == {
        "label": "Referred in Senate", "date": "2021-01-06", "code": "rfs", "has_text": False,
        "links": [{"kind": "PDF", "url": HR21_PDF}, {"kind": "HTML",
                                                     "url": "https://www.congress.gov/117/bills/hr21/generated/"
                                                            "BILLS-117hr21rfs.html"},
                  {"kind": "Text", "url": HR21_TEXT},
                  {"kind": "XML", "url": "https://www.congress.gov/117/bills/hr21/BILLS-117hr21rfs.xml"}]}


@needs_pdf_font
def test_the_pdf_packet_links_the_text(session: Session, bills: dict[str, int]) -> None:
    pdf = PdfReader(io.BytesIO(build_packet(session, Selection(bills=(bills["HR 21"],)), "pdf",
                                            Branding(organisation="Metro Chamber"))))
    text = " ".join(" ".join(p.extract_text() for p in pdf.pages).split())
    assert "Referred in Senate" in text and HR21_PDF in text
    targets = {annot.get_object()["/A"]["/URI"] for page in pdf.pages for annot in page.get("/Annots") or []
               if "/A" in annot.get_object()}
    assert HR21_PDF in targets


def test_only_web_links_are_offered(session: Session, bills: dict[str, int]) -> None:
    # A feed's version whose links are not web links (written here: H.R. 21's record with a later version
    # carrying javascript:, mailto: and data: URLs) is passed over for the latest version a reader can open.
    record = hr21_from_api()
    hostile = VersionRecord(label="Enrolled Bill", code="enr", date=dt.date(2022, 1, 1),
                            url="javascript:alert(1)//BILLS-117hr21enr.xml",
                            links=[{"format": "pdf", "url": "javascript:alert(1)"},
                                   {"format": "html", "url": "mailto:someone@example.test"},
                                   {"format": "txt", "url": "data:text/html,<script>alert(1)</script>"}])
    ingest(session, record.model_copy(update={"versions": [*record.versions, hostile], "title": "Changed"}))
    [hr21] = gather_bills(session, [bills["HR 21"]])
    assert [link.url for link in hr21.links if link.label.startswith("Text")] == [HR21_PDF, HR21_TEXT]
    rows = list(csv.DictReader(io.StringIO(build_packet(session, Selection(bills=(bills["HR 21"],)), "csv")
                                           .decode("utf-8-sig"))))
    assert rows[0]["Text version"] == "Referred in Senate (Jan 6, 2021)"
