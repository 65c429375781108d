"""Packets of real 117th Congress bills: GovInfo BILLSTATUS files parsed in place and stored through ingest.

The positions and topic matches added here are the organisation's own data, written for the test.
"""

import csv
import datetime as dt
import io
import json

import openpyxl
import pytest
from docx import Document
from export_fixtures import needs_pdf_font
from pypdf import PdfReader
from realdata_paths import require_realdata
from sqlalchemy import select, update
from sqlmodel import Session

from tracker.exports import Branding, Selection, SelectionError, build_packet, resolve_selection
from tracker.ingest import IngestItem, Ingestor
from tracker.models import Bill, BillMatch, Position, Sponsorship, Topic
from tracker.sources.govinfo_billstatus import parse_billstatus

pytestmark = pytest.mark.realdata

FILES = ("BILLSTATUS-117s1260.xml", "BILLSTATUS-117hr4350.xml", "BILLSTATUS-117hr1.xml")


@pytest.fixture
def real_bills(session: Session) -> dict[str, int]:
    folder = require_realdata("billstatus", "usgpo_samples", "formatChange", "current")
    missing = [name for name in FILES if not (folder / name).is_file()]
    if missing:
        pytest.skip(f"real BILLSTATUS files missing under {folder}: {', '.join(missing)}")
    records = [parse_billstatus((folder / name).read_bytes(), str(folder / name)) for name in FILES]
    Ingestor(session).ingest([IngestItem(r) for r in records])
    session.commit()
    ids = {identifier: bill_id for identifier, bill_id in session.execute(select(Bill.identifier, Bill.id))}
    topic = Topic(slug="tech", name="Technology and innovation")
    session.add(topic)
    session.flush()
    session.add(
        Position(
            bill_id=ids["S 1260"],
            stance="Support",
            priority="High",
            rationale="Semiconductor funding keeps members’ supply chains at home.",
        )
    )
    session.add(
        BillMatch(
            bill_id=ids["S 1260"],
            topic_id=topic.id,
            score=6.0,
            flagged=True,
            rule_version=1,
            matched_terms=["innovation"],
            evidence=[{"field": "title", "snippet": "United States [[Innovation]] and Competition Act"}],
        )
    )
    session.commit()
    return ids


@needs_pdf_font
def test_real_bills_in_a_pdf_packet(session: Session, real_bills: dict[str, int]) -> None:
    branding = Branding(organisation="Metro Chamber — Technology Council")
    selection = Selection(bills=(real_bills["S 1260"], real_bills["HR 4350"], real_bills["HR 1"]))

    pdf = PdfReader(io.BytesIO(build_packet(session, selection, "pdf", branding)))
    text = " ".join(" ".join(p.extract_text() for p in pdf.pages).split())
    assert "S. 1260 · United States Innovation and Competition Act of 2021 117th Congress" in text
    assert "Sen. Schumer, Charles E. [D-NY]" in text
    assert "Senate Commerce, Science, and Transportation Committee" in text
    assert "Semiconductor funding keeps members’ supply chains at home." in text
    assert "https://www.congress.gov/bill/117th-congress/senate-bill/1260" in text
    assert "National Defense Authorization Act for Fiscal Year 2022" in text  # HR 4350

    # HR 1 went to ten House committees: 648 characters, more than a facts-table cell holds. The PDF cut the
    # list at 600 ("House Oversight and…") and printed the rest nowhere; every one is in the packet now.
    hr1 = json.loads(build_packet(session, selection, "json", branding))["bills"][2]
    assert len("; ".join(hr1["committees"])) > 600
    for name in hr1["committees"]:
        assert name in text, name


def test_real_bills_in_every_other_format(session: Session, real_bills: dict[str, int]) -> None:
    branding = Branding(organisation="Metro Chamber — Technology Council")
    selection = Selection(bills=(real_bills["S 1260"], real_bills["HR 4350"], real_bills["HR 1"]))

    doc = Document(io.BytesIO(build_packet(session, selection, "docx", branding)))
    headings = [p.text for p in doc.paragraphs if p.style.name == "Heading 1"]
    assert headings[0] == "S. 1260 — United States Innovation and Competition Act of 2021"
    assert headings[1].startswith("H.R. 4350 — National Defense Authorization Act")

    ws = openpyxl.load_workbook(io.BytesIO(build_packet(session, selection, "xlsx", branding)))["Bills"]
    assert [ws.cell(r, 3).value for r in range(2, 5)] == ["S 1260", "HR 4350", "HR 1"]  # the key, for machines
    assert [ws.cell(r, 4).value for r in range(2, 5)] == ["S. 1260 (117th Congress)", "H.R. 4350 (117th Congress)",
                                                          "H.R. 1 (117th Congress)"]
    assert ws.cell(2, 8).is_date and ws.cell(2, 8).value.year == 2021

    rows = list(csv.DictReader(io.StringIO(build_packet(session, selection, "csv", branding).decode("utf-8-sig"))))
    assert rows[0]["Position"] == "Support" and rows[0]["Policy area"] == "Science, Technology, Communications"
    assert rows[0]["Link"] == "https://www.congress.gov/bill/117th-congress/senate-bill/1260"

    doc_json = json.loads(build_packet(session, selection, "json", branding))
    s1260 = doc_json["bills"][0]
    assert s1260["summary"].startswith("United States Innovation and Competition Act of 2021")
    assert s1260["cosponsor_count"] > 0 and s1260["committees"]


def test_a_packet_for_a_meeting_with_one_legislator(session: Session, real_bills: dict[str, int]) -> None:
    # Rep. Adam Smith sponsors H.R. 4350 and cosponsors H.R. 1 in these real files; Sen. Schumer sponsors S. 1260.
    def chosen(*sponsors: str) -> tuple[list[str], str]:
        got = resolve_selection(session, Selection(sponsors=sponsors, order="identifier"))
        by_id = {bill_id: identifier for identifier, bill_id in real_bills.items()}
        return [by_id[i] for i in got.bill_ids], got.description

    assert chosen("S000510") == (["HR 1", "HR 4350"], "Sponsor or cosponsor: Rep. Smith, Adam [D-WA-9]")
    assert chosen("adam smith")[0] == chosen("Smith, Adam")[0] == ["HR 1", "HR 4350"]
    assert chosen("Schumer", "s000510")[0] == ["HR 1", "HR 4350", "S 1260"]
    with pytest.raises(SelectionError, match="No sponsor or cosponsor matches 'Nobody'"):
        chosen("Nobody")
    with pytest.raises(SelectionError, match=r"'Sen\.' fits \d+ legislators: Sen\. "):
        chosen("Sen.")
    # A cosponsorship withdrawn upstream no longer puts the bill in that legislator's packet.
    session.execute(update(Sponsorship).where(Sponsorship.person_id == "S000510", Sponsorship.kind == "cosponsor")
                    .values(withdrawn_date=dt.date(2021, 6, 1)))
    session.commit()
    assert chosen("Adam Smith")[0] == ["HR 4350"]
    # The packet says whose bills these are, and the JSON export carries the criterion.
    packet = json.loads(build_packet(session, Selection(sponsors=("Adam Smith",)), "json"))
    assert packet["selection"]["sponsors"] == [{"name": "Rep. Smith, Adam [D-WA-9]", "person_id": "S000510"}]


def test_a_packet_for_a_meeting_with_a_committees_staff(session: Session, real_bills: dict[str, int]) -> None:
    # In these real files S. 1260 went to the Senate Commerce, Science, and Transportation Committee (sscm00);
    # H.R. 1 to ten House committees, Science, Space, and Technology (hssy00) among them; H.R. 4350 to House
    # Armed Services and its Cyber, Innovative Technologies, and Information Systems Subcommittee (hsas35).
    def chosen(*committees: str) -> tuple[list[str], str]:
        got = resolve_selection(session, Selection(committees=committees, order="identifier"))
        by_id = {bill_id: identifier for identifier, bill_id in real_bills.items()}
        return [by_id[i] for i in got.bill_ids], got.description

    assert chosen("House Science") == (["HR 1"], "Committee: House Science, Space, and Technology Committee")
    assert chosen("sscm00") == (["S 1260"], "Committee: Senate Commerce, Science, and Transportation Committee")
    assert chosen("commerce science transportation")[0] == ["S 1260"]  # any case, words in any order
    assert chosen("Cyber, Innovative Technologies")[0] == ["HR 4350"]  # a subcommittee
    assert chosen("House Science", "Commerce, Science")[0] == ["HR 1", "S 1260"]  # several: any of them
    # A reference that fits several committees is refused naming each, never a packet mixing them.
    with pytest.raises(SelectionError) as refused:
        chosen("Science")
    assert str(refused.value) == (
        "'Science' fits 3 committees: House Science, Space, and Technology Committee (hssy00), "
        "House Science, Space, and Technology Committee: Research and Technology Subcommittee (hssy15), "
        "Senate Commerce, Science, and Transportation Committee (sscm00); give more of the name or its code."
    )
    with pytest.raises(SelectionError, match="No committee matches 'Agriculture'"):
        chosen("Agriculture")
    packet = json.loads(build_packet(session, Selection(committees=("hssy00",)), "json"))
    assert packet["selection"]["committees"] == [
        {"name": "House Science, Space, and Technology Committee", "code": "hssy00", "jurisdiction": "us"}
    ]


@needs_pdf_font
def test_a_legislators_packet_says_their_role_on_each_bill(session: Session, real_bills: dict[str, int]) -> None:
    """A packet for a meeting with Rep. Adam Smith showed H.R. 1 under its sponsor, Rep. Sarbanes, and a count
    of cosponsors: nothing said why the bill was in his packet. In the real files he sponsors H.R. 4350 and
    joined H.R. 1 as a cosponsor on February 5, 2021 (not an original one)."""
    branding = Branding(organisation="Metro Chamber — Technology Council")
    selection = Selection(sponsors=("Adam Smith",), order="identifier")

    doc = json.loads(build_packet(session, selection, "json", branding))
    roles = {b["identifier"]: b["legislator_roles"] for b in doc["bills"]}
    assert roles == {
        "HR 1": [{"name": "Rep. Smith, Adam [D-WA-9]", "person_id": "S000510", "role": "cosponsor",
                  "original": False, "date": "2021-02-05"}],
        "HR 4350": [{"name": "Rep. Smith, Adam [D-WA-9]", "person_id": "S000510", "role": "sponsor",
                     "original": None, "date": None}],
    }
    pdf = PdfReader(io.BytesIO(build_packet(session, selection, "pdf", branding)))
    text = " ".join(" ".join(p.extract_text() for p in pdf.pages).split())
    assert "Legislator’s role Rep. Smith, Adam [D-WA-9]: cosponsor since Feb 5, 2021" in text
    assert "Legislator’s role Rep. Smith, Adam [D-WA-9]: sponsor" in text
    word = Document(io.BytesIO(build_packet(session, selection, "docx", branding)))
    cells = [[c.text for c in row.cells] for t in word.tables for row in t.rows]
    assert ["Legislator’s role", "Rep. Smith, Adam [D-WA-9]: cosponsor since Feb 5, 2021"] in cells
    ws = openpyxl.load_workbook(io.BytesIO(build_packet(session, selection, "xlsx", branding)))["Bills"]
    header = [c.value for c in ws[1]]
    role = header.index("Legislator’s role") + 1
    assert [ws.cell(r, role).value for r in (2, 3)] == [
        "Rep. Smith, Adam [D-WA-9]: cosponsor since Feb 5, 2021", "Rep. Smith, Adam [D-WA-9]: sponsor"]
    # A packet chosen otherwise has no legislator to speak of: no such row.
    other = PdfReader(io.BytesIO(build_packet(session, Selection(bills=(real_bills["HR 1"],)), "pdf", branding)))
    assert "Legislator’s role" not in " ".join(p.extract_text() for p in other.pages)


def test_a_legislators_name_is_found_without_its_accents(session: Session) -> None:
    """California's pubinfo names Senator Limón, coauthor of SB 275, with her accent; a lobbyist typing "Limon" on
    a US keyboard was told "No sponsor or cosponsor matches 'Limon'"."""
    from typer.testing import CliRunner

    from tracker.cli import app

    mini = require_realdata("ca_pubinfo", "pubinfo_nomindnick_ca-leginfo-mcp", "mini")
    result = CliRunner().invoke(app, ["import", str(mini)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    for typed in ("Limon", "limón", "LIMÓN", "Limón"):
        got = resolve_selection(session, Selection(sponsors=(typed,)))
        assert got.description == "Sponsor or cosponsor: Limón", typed
        assert [session.get(Bill, i).identifier for i in got.bill_ids] == ["SB 275"], typed  # type: ignore[union-attr]
    assert resolve_selection(session, Selection(sponsors=("smallwood cuevas",))).description == (
        "Sponsor or cosponsor: Smallwood-Cuevas")


def test_a_packet_for_the_bills_on_a_hearing_day(session: Session, real_bills: dict[str, int]) -> None:
    """A lobbyist going to tomorrow's hearings could not ask for the bills on their agendas. No public hearing
    agenda names these real bills, so the hearings here are written from our own record schema: the Senate
    Commerce committee hearing S. 1260 and, the same day, a cancelled one on H.R. 1; H.R. 4350 the next day."""
    from tracker.records import HearingRecord

    def hearing(key: str, day: dt.date, identifier: str, body: str, cancelled: bool = False) -> HearingRecord:
        return HearingRecord.model_validate({
            "jurisdiction": {"id": "us", "name": "United States", "level": "federal"}, "source_name": "test",
            "source_key": key, "date": day, "time": "10:00 AM", "body": body, "cancelled": cancelled,
            "location": "Russell 253", "items": [{"bill_identifier": identifier, "session_identifier": "117"}]})

    day = dt.date(2031, 3, 4)
    Ingestor(session).ingest_hearings([
        hearing("a", day, "S 1260", "Senate Commerce, Science, and Transportation"),
        hearing("b", day, "HR 1", "House Administration", cancelled=True),
        hearing("c", day + dt.timedelta(days=1), "HR 4350", "House Armed Services"),
    ])
    session.commit()
    by_id = {bill_id: identifier for identifier, bill_id in real_bills.items()}

    got = resolve_selection(session, Selection(hearing_dates=(day,), order="identifier"))
    assert [by_id[i] for i in got.bill_ids] == ["S 1260"]
    assert got.description == "On a hearing agenda: Mar 4, 2031"
    both = resolve_selection(session, Selection(hearing_dates=(day, day + dt.timedelta(days=1)), order="identifier"))
    assert [by_id[i] for i in both.bill_ids] == ["HR 4350", "S 1260"]
    assert resolve_selection(session, Selection(hearing_dates=(day,), committees=("House Armed",))).bill_ids == []
    doc = json.loads(build_packet(session, Selection(hearing_dates=(day,)), "json",
                                  generated_at=dt.datetime(2031, 3, 3, 12, tzinfo=dt.UTC)))
    assert doc["selection"]["hearing_dates"] == ["2031-03-04"]
    assert doc["bills"][0]["next_hearing"]["body"] == "Senate Commerce, Science, and Transportation"

    from typer.testing import CliRunner

    from tracker.cli import app

    result = CliRunner().invoke(app, ["export", "--hearing-on", "2031-03-05", "-f", "json", "-o", "-"])
    assert result.exit_code == 0, result.output
    assert [b["identifier"] for b in json.loads(result.stdout)["bills"]] == ["HR 4350"]
    bad = CliRunner().invoke(app, ["export", "--hearing-on", "March 5"])
    assert bad.exit_code == 2 and "March 5" in bad.output


@needs_pdf_font
def test_each_committee_says_where_the_bill_stands_in_it(session: Session, real_bills: dict[str, int]) -> None:
    """A packet for a committee's staff named the committees but not what each had done: the real files say the
    House Armed Services Committee last reported H.R. 4350 on September 17, 2021 (UTC 14:03, the same day in
    Washington), its Tactical Air and Land Forces Subcommittee marked it up on July 29, and the Senate Commerce
    committee reported S. 1260 on May 13, 2021."""
    branding = Branding(organisation="Metro Chamber — Technology Council")
    selection = Selection(bills=(real_bills["HR 4350"], real_bills["S 1260"]))
    pdf = PdfReader(io.BytesIO(build_packet(session, selection, "pdf", branding)))
    text = " ".join(" ".join(p.extract_text() for p in pdf.pages).split())
    assert "House Armed Services Committee (reported Sep 17, 2021)" in text
    assert "House Armed Services Committee: Tactical Air and Land Forces Subcommittee (marked up Jul 29, 2021)" in text
    assert "Senate Commerce, Science, and Transportation Committee (reported May 13, 2021)" in text
    doc = json.loads(build_packet(session, selection, "json", branding))
    assert doc["bills"][1]["committees"] == ["Senate Commerce, Science, and Transportation Committee"]
    assert doc["bills"][1]["committee_actions"] == [
        {"committee": "Senate Commerce, Science, and Transportation Committee", "action": "reported",
         "date": "2021-05-13"}]
    ws = openpyxl.load_workbook(io.BytesIO(build_packet(session, selection, "xlsx", branding)))["Bills"]
    column = [c.value for c in ws[1]].index("Committees") + 1
    assert ws.cell(3, column).value == "Senate Commerce, Science, and Transportation Committee (reported May 13, 2021)"


@needs_pdf_font
def test_staff_notes_go_into_a_packet_only_when_asked(session: Session, real_bills: dict[str, int]) -> None:
    """The talking points staff wrote on a bill's page (its notes) reached no packet: the lobbyist had to copy
    them by hand. Asked for, they print under the council's position; by default a packet stays free of them,
    since notes are internal and packets are handed to legislators' staff."""
    from tracker import notes
    from tracker.models import User

    staff = User(email="sam@example.org", role="staff", name="Sam Ortíz")
    session.add(staff)
    session.flush()
    notes.add_note(session, actor=staff, bill_id=real_bills["S 1260"],
                   body="Talking point: chips money <b>must</b> reach suppliers.\n\n=Ask about Sec. 2.")
    session.commit()
    branding = Branding(organisation="Metro Chamber — Technology Council")
    selection = Selection(bills=(real_bills["S 1260"], real_bills["HR 1"]))

    pdf = PdfReader(io.BytesIO(build_packet(session, selection, "pdf", branding, include_notes=True)))
    text = " ".join(" ".join(p.extract_text() for p in pdf.pages).split())
    assert "Staff notes (internal) Sam Ortíz ·" in text
    assert "Talking point: chips money <b>must</b> reach suppliers. =Ask about Sec. 2." in text
    assert "With staff notes (internal)" in text  # the cover says so
    word = Document(io.BytesIO(build_packet(session, selection, "docx", branding, include_notes=True)))
    assert "Talking point: chips money <b>must</b> reach suppliers." in [p.text for p in word.paragraphs]
    ws = openpyxl.load_workbook(io.BytesIO(build_packet(session, selection, "xlsx", branding,
                                                        include_notes=True)))["Bills"]
    cell = ws.cell(2, [c.value for c in ws[1]].index("Staff notes") + 1)
    assert cell.value.startswith("Sam Ortíz (") and "=Ask about Sec. 2." in cell.value
    doc = json.loads(build_packet(session, selection, "json", branding, include_notes=True))
    assert [n["author"] for n in doc["bills"][0]["notes"]] == ["Sam Ortíz"] and doc["bills"][1]["notes"] == []

    plain = PdfReader(io.BytesIO(build_packet(session, selection, "pdf", branding)))
    assert "chips money" not in " ".join(p.extract_text() for p in plain.pages)
    assert "notes" not in json.loads(build_packet(session, selection, "json", branding))["bills"][0]


def test_a_text_link_is_labelled_by_what_it_opens(session: Session) -> None:
    """California's text link, leginfo's billTextClient.xhtml page, was labelled "(XML)" (the format of the text
    pubinfo ships beside it): a lobbyist expecting a file got a web page. GovInfo's versions link their PDF."""
    from typer.testing import CliRunner

    from tracker.cli import app

    mini = require_realdata("ca_pubinfo", "pubinfo_nomindnick_ca-leginfo-mcp", "mini")
    current = require_realdata("billstatus", "usgpo_samples", "formatChange", "current")
    result = CliRunner().invoke(app, ["import", str(mini), str(current / "BILLSTATUS-117s1260.xml")],
                                catch_exceptions=False)
    assert result.exit_code == 0, result.output
    doc = json.loads(build_packet(session, Selection(all_bills=True, order="identifier"), "json"))
    texts = {b["identifier"]: [lk for lk in b["links"] if lk["label"].startswith("Text")] for b in doc["bills"]}
    assert texts["AB 1656"] == [{
        "label": "Text (HTML): Amended Senate, Jun 11, 2026",
        "url": "https://leginfo.legislature.ca.gov/faces/billTextClient.xhtml?bill_id=202520260AB1656"
               "&version=20250AB165697AMD"}]
    # The file gives this version as XML; GovInfo's PDF and formatted text of the package come first.
    assert [link["label"] for link in texts["S 1260"]] == ["Text (PDF): Engrossed in Senate, Jun 8, 2021",
                                                          "Text (HTML): Engrossed in Senate, Jun 8, 2021"]


def test_a_subcommittee_is_named_with_its_committee(session: Session, real_bills: dict[str, int]) -> None:
    """The 117th House had three "Health Subcommittees" (Energy and Commerce, Veterans' Affairs, Ways and Means):
    packets and the --committee refusal named each "House Health Subcommittee", so nobody could tell which. A
    subcommittee now carries its committee's name. Real files: H.R. 4350 went to House Armed Services' Readiness
    Subcommittee; H.R. 3106 of the 114th to Veterans' Affairs' Health Subcommittee."""
    legacy = require_realdata("billstatus", "usgpo_samples", "legacy", "BILLSTATUS-114hr3106.xml")
    Ingestor(session).ingest([IngestItem(parse_billstatus(legacy.read_bytes(), str(legacy)))])
    session.commit()
    hr4350 = json.loads(build_packet(session, Selection(bills=(real_bills["HR 4350"],)), "json"))["bills"][0]
    assert "House Armed Services Committee: Readiness Subcommittee" in hr4350["committees"]
    got = resolve_selection(session, Selection(committees=("Health Subcommittee",)))
    assert got.description == "Committee: House Veterans' Affairs Committee: Health Subcommittee"
    assert resolve_selection(session, Selection(committees=("veterans health",))).bill_ids == got.bill_ids
    # The committee's own name picks the committee, not also each of its subcommittees (whose names hold it).
    armed = resolve_selection(session, Selection(committees=("House Armed Services",)))
    assert armed.description == "Committee: House Armed Services Committee"
    with pytest.raises(SelectionError, match=r"House Armed Services Committee: Readiness Subcommittee \(hsas03\)"):
        resolve_selection(session, Selection(committees=("Armed Services Readiness", "Committee")))


@needs_pdf_font
def test_the_councils_position_and_rationale_come_before_long_committee_lists_and_titles(
        session: Session, real_bills: dict[str, int]) -> None:
    # A lobbyist reads a bill's page for our position and why, first. H.R. 1's ten committees (648 characters)
    # are printed in full below the facts table; the rationale must not follow them.
    session.add(Position(bill_id=real_bills["HR 1"], stance="Oppose unless amended", priority="Medium",
                         rationale="Election-security grants are welcome; the disclosure rules reach members' ads."))
    session.commit()
    selection = Selection(bills=(real_bills["HR 1"],))
    pdf = PdfReader(io.BytesIO(build_packet(session, selection, "pdf", Branding())))
    text = " ".join(" ".join(p.extract_text() for p in pdf.pages[2:]).split())
    rationale = text.index("Election-security grants are welcome")
    # The facts table's shortened row comes first; the full list is the second "Committees".
    assert text.index("Committees House Judiciary Committee") < rationale < text.rindex(
        "Committees House Judiciary Committee")
