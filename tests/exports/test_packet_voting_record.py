"""A packet for a meeting with one legislator (``--sponsor``) says how they voted on the council's key bills, the
scorecard's key votes in the packet's sessions, including bills they did not sponsor: in PDF, Word, Excel and JSON.

California's real 1999 pubinfo extract, positions from tests/scorecard_data.py (SB 1 Support, SB 2 Oppose, AB 1
Oppose unless amended). By hand from BILL_DETAIL_VOTE_TBL: Assembly Member Alquist (author of AB 1, coauthor of
SB 2, not of SB 1) voted AYE on each bill's last Assembly floor vote, all on Mar 22, 1999: AB 1 seq 1014
(55-17), SB 1 seq 1011 (59-16), SB 2 seq 1013 (75-0): 1 with us, 2 against, 33.3%. Runs on SQLite and,
with DATABASE_URL, PostgreSQL."""

import io
import json
from dataclasses import replace

import pytest
from docx import Document
from export_fixtures import needs_pdf_font
from openpyxl import load_workbook
from pypdf import PdfReader
from scorecard_data import load_ca
from sqlalchemy import Engine
from sqlmodel import Session

from tracker.exports import Branding, Selection, build_packet
from tracker.exports.build import get_format, prepare_packet

pytestmark = pytest.mark.realdata


def _packet(engine: Engine, fmt: str, sponsor: str = "Alquist", **more: object) -> bytes:
    more.setdefault("sponsors", (sponsor,))
    with Session(engine) as s:
        return build_packet(s, Selection(**more), fmt, Branding(disclaimer=None))  # type: ignore[arg-type]


def test_a_legislators_packet_lists_their_votes_on_the_councils_key_bills(engine: Engine) -> None:
    load_ca(engine)
    data = json.loads(_packet(engine, "json", jurisdictions=("ca",)))
    assert {b["identifier"] for b in data["bills"]} == {"AB 1", "SB 2"}  # what Alquist authored or coauthored
    [record] = data["voting_records"]
    assert (record["legislator"], record["chamber"], record["with_us"], record["against_us"], record["absent"],
            record["score"]) == ("Alquist", "lower", 1, 2, 0, 33.3)
    assert [(v["bill"], v["stance"], v["vote"], v["verdict"], v["date"], v["yes"], v["no"])
            for v in record["votes"]] == [
        ("AB 1", "Oppose unless amended", "yes", "against us", "1999-03-22", 55, 17),
        ("SB 1", "Support", "yes", "with us", "1999-03-22", 59, 16),  # not her bill: still one of ours
        ("SB 2", "Oppose", "yes", "against us", "1999-03-22", 75, 0)]
    assert record["session"] == "19992000s1" and record["jurisdiction"] == "ca"
    # Leslie coauthored the regular session's AB 1, which holds no position: no key vote in that session, and
    # the record says so rather than vanish.
    [regular] = json.loads(_packet(engine, "json", sponsor="Leslie"))["voting_records"]
    assert (regular["session"], regular["votes"]) == ("19992000", [])
    assert "no key votes" in regular["note"].lower()
    # Two legislators: each one's record in the sessions of their own bills, not in every session of the packet.
    both = json.loads(_packet(engine, "json", sponsors=("Alquist", "Leslie")))
    assert sorted((r["legislator"], r["session"]) for r in both["voting_records"]) == [
        ("Alquist", "19992000s1"), ("Leslie", "19992000")]

    book = load_workbook(io.BytesIO(_packet(engine, "xlsx", jurisdictions=("ca",))))
    sheet = book["Votes"]
    header = [c.value for c in sheet[1]]
    rows = [dict(zip(header, r, strict=True)) for r in sheet.iter_rows(min_row=2, values_only=True)]
    assert [(r["Bill"], r["Vote"], r["With the council?"]) for r in rows] == [
        ("AB 1", "yes", "against us"), ("SB 1", "yes", "with us"), ("SB 2", "yes", "against us")]
    assert {r["Legislator"] for r in rows} == {"Alquist"} and rows[0]["Date"].year == 1999
    assert (rows[1]["Vote chamber"], rows[1]["Motion"], rows[1]["Result"], rows[1]["Yes"], rows[1]["No"]) == (
        "Assembly", "Assembly Floor", "passed", 59, 16)

    doc = Document(io.BytesIO(_packet(engine, "docx", jurisdictions=("ca",))))
    headings = [p.text for p in doc.paragraphs if p.style.name == "Heading 1"]
    assert headings[0] == "How Alquist voted on the council’s key bills"  # before the bills: meeting prep first
    table_text = {c.text for t in doc.tables for row in t.rows for c in row.cells}
    assert "Yes — against us" in table_text and "Yes — with us" in table_text

    # A packet chosen otherwise (no legislator) has no voting record.
    with Session(engine) as s:
        plain = json.loads(build_packet(s, Selection(positions=("Support",)), "json", Branding()))
    assert plain["voting_records"] == []


@needs_pdf_font
def test_the_voting_record_comes_first_in_the_pdf_and_feed_text_in_it_stays_text(engine: Engine) -> None:
    load_ca(engine)
    reader = PdfReader(io.BytesIO(_packet(engine, "pdf", jurisdictions=("ca",))))
    pages = [page.extract_text() for page in reader.pages]
    contents = pages[1]
    assert contents.index("How Alquist voted") < contents.index("AB 1")
    record_page = next(i for i, text in enumerate(pages) if "Voted with the council on 1 of 3" in text)
    first_bill = next(i for i, text in enumerate(pages) if "Legislator’s role" in text)
    assert 1 < record_page < first_bill
    words = " ".join(pages[record_page].split())  # table cells wrap
    assert "Yes — against us" in words and "Assembly Floor, Mar 22, 1999 · passed 59–16" in words
    assert [o.title for o in reader.outline if not isinstance(o, list)][0].startswith("How Alquist voted")

    # A session without key votes takes no page of its own.
    pages = [page.extract_text() for page in PdfReader(io.BytesIO(_packet(engine, "pdf", sponsor="Leslie"))).pages]
    contents = " ".join(pages[1].split())
    assert "How Leslie voted" in contents and "No key votes in this session" in contents  # under the contents
    assert "Legislator’s role" in pages[2]  # the first bill on the next page

    # Names and titles come from the feeds: markup stays text, a formula stays a string.
    hostile = '=HYPERLINK("http://evil.example","Alquist") <b>&amp;</b>'
    with Session(engine) as s:
        packet = prepare_packet(s, Selection(sponsors=("Alquist",)), "pdf", Branding(disclaimer=None))
    [record] = packet.voting_records
    votes = (replace(record.votes[0], title="<script>x</script> Peer Review"), *record.votes[1:])
    packet = replace(packet, voting_records=(replace(record, legislator=hostile, votes=votes),))

    sheet = load_workbook(io.BytesIO(get_format("xlsx").write(packet)))["Votes"]
    cell = sheet["A2"]
    assert (cell.value, cell.data_type, cell.quotePrefix) == (hostile, "s", True)
    assert sheet["H2"].value == "<script>x</script> Peer Review"
    words = " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(get_format("pdf").write(packet)))
                              .pages).split())
    assert f"How {hostile} voted" in words and "<script>x</script> Peer Review" in words
    doc = Document(io.BytesIO(get_format("docx").write(packet)))
    assert f"How {hostile} voted on the council’s key bills" in [p.text for p in doc.paragraphs]

    # A legislator with bills in two sessions has a record for each, told apart in the contents.
    other = replace(record, session="19992000", scope="California · 1999-2000 Regular Session")
    packet = replace(packet, voting_records=(record, other))
    contents = " ".join(PdfReader(io.BytesIO(get_format("pdf").write(packet))).pages[1].extract_text().split())
    assert ("How Alquist voted on the council’s key bills · California · 1999-2000 First Extraordinary Session"
            in contents and "How Alquist voted on the council’s key bills · California · 1999-2000 Regular "
            "Session" in contents)
    doc = Document(io.BytesIO(get_format("docx").write(packet)))
    assert "How Alquist voted on the council’s key bills · California · 1999-2000 Regular Session" in [
        p.text for p in doc.paragraphs]
