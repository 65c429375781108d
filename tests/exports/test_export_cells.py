"""Every kind of exported file (packets in each format, the legislator scorecard) keeps feed text inert: no cell a
spreadsheet reads as a formula, no bidi override or isolate control (tracker.bidi), whatever field it came in by.
The scorecard is built here from our own dataclasses (tracker.scorecard) with hostile values in every text field."""

import csv
import datetime as dt
import io
import json

import pytest
from export_fixtures import _record
from openpyxl import load_workbook
from sqlmodel import Session

from tracker.exports import Selection, build_packet
from tracker.exports.branding import Branding
from tracker.exports.safety import is_formula_like
from tracker.exports.scorecard import write_scorecard_csv, write_scorecard_xlsx
from tracker.ingest import IngestItem, Ingestor
from tracker.records import ActionRecord, SponsorshipRecord
from tracker.scorecard import KeyVote, Legislator, MemberVote, Scorecard

BIDI = set("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
FORMULA = '=HYPERLINK("http://evil.example/","x")'


def _hostile(tag: str) -> str:
    return f"\u202e{tag}\u202c"


def _card() -> Scorecard:
    vote = KeyVote(vote_event_id=1, source="test", source_key="k1", bill_id=1, bill="-AB 1", title=FORMULA,
                   stance="Support", with_us="yes", chamber="lower", date="2025-03-01", body=_hostile("Assembly"),
                   motion="+" + _hostile("motion"), result="@passed", yes=41, no=30, why="=why")
    member = Legislator(name="\u2067" + FORMULA + "\u2069", person_id="-12", chamber="lower", party="@D",
                        district=_hostile("7"), with_us=1,
                        votes=[MemberVote(vote_event_id=1, bill="AB 1", chamber="lower", date="2025-03-01",
                                          option="yes", verdict="with us")])
    return Scorecard(jurisdiction="ca", session="20252026", start=None, end=None, chamber=None, key_votes=[vote],
                     legislators=[member], generated_at=dt.datetime(2026, 12, 7, tzinfo=dt.UTC))


def _xlsx_cells(data: bytes) -> list[tuple[str, object, bool]]:
    book = load_workbook(io.BytesIO(data))
    return [(ws.title, c.value, bool(c.quotePrefix)) for ws in book for row in ws.iter_rows() for c in row
            if isinstance(c.value, str)]


def test_the_scorecard_files_hold_no_formula_and_no_bidi_control() -> None:
    card = _card()
    rows = list(csv.reader(io.StringIO(write_scorecard_csv(card).decode("utf-8-sig"))))
    cells = [c for row in rows for c in row]
    assert not BIDI & set("".join(cells))
    assert [c for c in cells if is_formula_like(c)] == []
    assert "'" + FORMULA.split(";")[0] in cells  # the name stays readable, as text
    for sheet, value, quoted in _xlsx_cells(write_scorecard_xlsx(card, Branding())):
        assert not BIDI & set(value), (sheet, value)
        assert quoted or not is_formula_like(value), (sheet, value)


@pytest.mark.parametrize("fmt", ["xlsx", "json", "csv"])
def test_packets_in_every_format_hold_no_bidi_control_and_no_bare_formula(session: Session, branding: Branding,
                                                                         fmt: str) -> None:
    Ingestor(session).ingest([IngestItem(_record(
        41, title=_hostile("Invoice fdp.exe") + " Act", summary_text="=1+1 " + _hostile("summary"),
        latest_action_text="@" + _hostile("action"),
        actions=[ActionRecord(date=dt.date(2025, 3, 2), text="-" + _hostile("referred"), actor="lower")],
        sponsorships=[SponsorshipRecord(name="\u2067=Rep. Evil\u2069", kind="primary", party="D", state="WA")]))])
    session.commit()
    data = build_packet(session, Selection(all_bills=True), fmt, branding, title="Packet",
                        generated_at=dt.datetime(2026, 12, 7, tzinfo=dt.UTC))
    if fmt == "xlsx":
        cells = _xlsx_cells(data)
        assert any("Invoice fdp.exe Act" in str(v) for _, v, _ in cells)
        for sheet, value, quoted in cells:
            assert not BIDI & set(value), (sheet, value)
            assert quoted or not is_formula_like(value), (sheet, value)
    elif fmt == "json":
        text = data.decode("utf-8")
        assert "Invoice fdp.exe Act" in json.dumps(json.loads(text), ensure_ascii=False)
        assert not BIDI & set(json.dumps(json.loads(text), ensure_ascii=False))
    else:
        cells = [c for row in csv.reader(io.StringIO(data.decode("utf-8-sig"))) for c in row]
        assert not BIDI & set("".join(cells)) and [c for c in cells if is_formula_like(c)] == []


def test_the_scorecard_file_is_refused_by_the_service_to_roles_that_may_not_export(session: Session) -> None:
    """The Scorecard page offered the downloads only to the roles that may export, but the files were written by
    functions that asked nobody: the page was the only guard."""
    from tracker import users
    from tracker.exports.scorecard import scorecard_file
    from tracker.permissions import PermissionDenied

    admin = users.add_user(session, email="ada@example.org", role="admin")
    council = users.add_user(session, email="cy@example.org", role="council", actor=admin)
    lobbyist = users.add_user(session, email="lou@example.org", role="lobbyist", actor=admin)
    card = _card()
    for fmt in ("csv", "xlsx"):
        with pytest.raises(PermissionDenied, match="council"):
            scorecard_file(card, fmt, actor=council, branding=Branding())
        assert scorecard_file(card, fmt, actor=lobbyist, branding=Branding())
    council.active = False
    lobbyist.active = False
    with pytest.raises(PermissionDenied, match="deactivated"):
        scorecard_file(card, "csv", actor=lobbyist)
