"""Federal roll calls in briefing packets (PDF, Word, Excel; JSON too): "House roll call 62, Mar 3, 2021 —
<action text>", linked to the Clerk's record, "tally not loaded" where BILLSTATUS gives no counts. The bill is the
real 3.0.0 H.R. 1 (usgpo_samples/formatChange/future), parsed in place; the hostile variant edits its text as a
feed could."""

import io
import json
from urllib.parse import unquote

import openpyxl
import pytest
from docx import Document
from docx.opc.constants import RELATIONSHIP_TYPE
from export_fixtures import needs_pdf_font
from federal_roll_calls import store_hr1
from pypdf import PdfReader
from sqlmodel import Session

from tracker.exports import Branding, Selection, build_packet

pytestmark = pytest.mark.realdata

BRANDING = Branding(organisation="Metro Chamber — Technology Council")
ROLL_62 = "House roll call 62, Mar 3, 2021 — On passage Passed by the Yeas and Nays: 220 - 210 (Roll no. 62)."
ROLL_61 = ("House roll call 61, Mar 3, 2021 — On motion to recommit Failed by the Yeas and Nays: 210 - 219 "
           "(Roll no. 61).")
CLERK_62 = "https://clerk.house.gov/evs/2021/roll062.xml"
HOSTILE = "=HYPERLINK(\"http://evil.example\") <b>bold</b> & more"
# H.R. 1 as a hostile feed could send it: roll 62's action text a formula and markup, roll 61's link javascript:.
HOSTILE_COPY = (
    (b"<text>On passage Passed by the Yeas and Nays: 220 - 210 (Roll no. 62).</text>",
     b"<text>" + HOSTILE.replace("&", "&amp;").replace("<", "&lt;").encode() + b" (Roll no. 62).</text>"),
    (b"<url>https://clerk.house.gov/evs/2021/roll061.xml</url>", b"<url>javascript:alert(1)</url>"))


def _hr1(session: Session, *replacements: tuple[bytes, bytes]) -> Selection:
    return Selection(bills=(store_hr1(session, *replacements),))


@needs_pdf_font
def test_pdf_packet_lists_the_roll_calls_with_their_links(session: Session) -> None:
    pdf = PdfReader(io.BytesIO(build_packet(session, _hr1(session), "pdf", BRANDING)))
    text = " ".join(" ".join(p.extract_text() for p in pdf.pages).split())
    assert "Roll calls" in text and ROLL_62 in text and ROLL_61 in text
    assert text.index(ROLL_61) < text.index(ROLL_62)  # in the order they were held
    assert text.count("tally not loaded") == 2
    links = [a["/A"]["/URI"] for p in pdf.pages for a in (p.get("/Annots") or [])
             if a.get_object().get("/A", {}).get("/URI")]
    assert CLERK_62 in links


def test_word_and_excel_packets_list_the_roll_calls_with_their_links(session: Session) -> None:
    selection = _hr1(session)
    doc = Document(io.BytesIO(build_packet(session, selection, "docx", BRANDING)))
    paragraphs = [p.text for p in doc.paragraphs]
    assert "Roll calls" in paragraphs
    lines = [t for t in paragraphs if "roll call 6" in t]
    assert lines == [f"{ROLL_61} · tally not loaded", f"{ROLL_62} · tally not loaded"]
    assert CLERK_62 in [r.target_ref for r in doc.part.rels.values() if r.reltype == RELATIONSHIP_TYPE.HYPERLINK]

    book = openpyxl.load_workbook(io.BytesIO(build_packet(session, selection, "xlsx", BRANDING)))
    rows = list(book["Roll calls"].iter_rows(values_only=True))
    assert rows[0] == ("Jurisdiction", "Session", "Bill", "Roll call", "Date", "Action", "Tally", "Record")
    assert [(r[2], r[3], r[6]) for r in rows[1:]] == [
        ("HR 1", "House roll call 61", "tally not loaded"), ("HR 1", "House roll call 62", "tally not loaded")]
    assert rows[2][5] == ROLL_62.split(" — ", 1)[1] and rows[2][7] == CLERK_62
    assert book["Roll calls"]["H3"].hyperlink.target == CLERK_62

    (bill,) = json.loads(build_packet(session, selection, "json", BRANDING))["bills"]
    assert bill["roll_calls"][1] == {"name": "House roll call 62", "date": "2021-03-03", "url": CLERK_62,
                                     "motion": ROLL_62.split(" — ", 1)[1], "tally": "tally not loaded"}


def test_upstream_text_in_roll_calls_stays_text_in_every_format(session: Session) -> None:
    """A motion that reads as a formula and as markup, and a roll-call link that is not a web link."""
    selection = _hr1(session, *HOSTILE_COPY)
    book = openpyxl.load_workbook(io.BytesIO(build_packet(session, selection, "xlsx", BRANDING)))
    sheet = book["Roll calls"]
    assert sheet["F3"].value == f"{HOSTILE} (Roll no. 62)." and sheet["F3"].data_type == "s"
    assert sheet["F3"].quotePrefix  # Excel keeps it text when the cell is edited
    assert sheet["H2"].value is None and sheet["H2"].hyperlink is None  # no javascript: link

    doc = Document(io.BytesIO(build_packet(session, selection, "docx", BRANDING)))
    assert f"House roll call 62, Mar 3, 2021 — {HOSTILE} (Roll no. 62). · tally not loaded" in [
        p.text for p in doc.paragraphs]
    targets = [unquote(r.target_ref) for r in doc.part.rels.values() if r.reltype == RELATIONSHIP_TYPE.HYPERLINK]
    assert not any(t.startswith("javascript") for t in targets)


@needs_pdf_font
def test_pdf_roll_call_text_is_printed_not_read_as_markup(session: Session) -> None:
    selection = _hr1(session, *HOSTILE_COPY)
    pdf = PdfReader(io.BytesIO(build_packet(session, selection, "pdf", BRANDING)))
    text = " ".join(" ".join(p.extract_text() for p in pdf.pages).split())
    assert f"House roll call 62, Mar 3, 2021 — {HOSTILE} (Roll no. 62)." in text
    links = [str(a["/A"]["/URI"]) for p in pdf.pages for a in (p.get("/Annots") or [])
             if a.get_object().get("/A", {}).get("/URI")]
    assert not any(link.startswith("javascript") for link in links)
