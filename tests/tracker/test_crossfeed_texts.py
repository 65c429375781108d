"""LegiScan texts of bills whose versions another feed owns (Open States in Alabama, pubinfo in California).

No LegiScan bill file of an Alabama or California bill is in the real data (its dataset is Alaska, Arkansas and
Mississippi), so the LegiScan bill files here are HAND-WRITTEN from the published format (FORMATS.md section 4,
``texts[]{doc_id,date,type,type_id,mime,mime_id,url,state_link,text_size,text_hash}``; the state links are the
real URLs of the other feed's versions). The other feed's bill is real (Open States' Alabama HB 100, pubinfo's
SB 275), and so is every text document: a real dataset ``text/*.json`` re-pointed at the hand-written bill.
"""

import json
from pathlib import Path

import pytest
from realdata_paths import require_realdata
from sqlalchemy import Engine, select
from sqlmodel import Session

from tests.tracker.test_legiscan_texts import _repointed
from tests.tracker.test_session_spellings import LEGISCAN_AL_HB100, _al_hb100
from tracker.importer import import_path
from tracker.models import Bill, BillVersion
from tracker.version_match import candidate, match

pytestmark = pytest.mark.realdata

AL_PDF = "https://alison.legislature.state.al.us/files/pdf/SearchableInstruments/2025RS/HB100-{}.pdf"
CA_TEXT = "https://leginfo.legislature.ca.gov/faces/billTextClient.xhtml?bill_id=202520260SB275&version={}"


def _text(doc_id: int, date: str, kind: str, state_link: str | None, bill: str) -> dict[str, object]:
    return {"doc_id": doc_id, "date": date, "type": kind, "type_id": 1, "mime": "text/html", "mime_id": 1,
            "url": f"https://legiscan.com/{bill}/id/{doc_id}", "state_link": state_link, "text_size": 1000,
            "text_hash": "0" * 32}


def _legiscan_folder(tmp_path: Path, bill: dict[str, object], texts: dict[int, str]) -> Path:
    """A dataset folder: the hand-written bill file and, per doc_id, a real text document re-pointed at it."""
    folder = tmp_path / "legiscan"
    (folder / "bill").mkdir(parents=True)
    (folder / "text").mkdir()
    (folder / "bill" / "bill.json").write_text(json.dumps(bill))
    bill_id = bill["bill"]["bill_id"]  # type: ignore[index]
    for doc_id, real in texts.items():
        (folder / "text" / f"{doc_id}.json").write_bytes(_repointed(real, bill_id=bill_id, doc_id=doc_id))
    return folder


def _versions(session: Session, jurisdiction: str, identifier: str) -> dict[str, BillVersion]:
    bill = session.execute(select(Bill).where(Bill.jurisdiction_id == jurisdiction,
                                              Bill.identifier == identifier)).scalar_one()
    return {v.label: v for v in session.execute(select(BillVersion).where(BillVersion.bill_id == bill.id)).scalars()}


@pytest.mark.parametrize("order", [("openstates", "legiscan"), ("legiscan", "openstates")])
def test_a_legiscan_text_reaches_the_open_states_version_with_the_same_state_link(
        engine: Engine, tmp_path: Path, order: tuple[str, str]) -> None:
    bill = json.loads(json.dumps(LEGISCAN_AL_HB100))
    bill["bill"]["texts"] = [_text(3100001, "2025-02-04", "Introduced", AL_PDF.format("int"), "AL/text/HB100"),
                             # no version of Open States has this state link, and it is undated there: unmatched
                             _text(3100002, "2025-03-04", "Engrossed", AL_PDF.format("eng"), "AL/text/HB100")]
    opened = tmp_path / "openstates"
    opened.mkdir()
    (opened / _al_hb100().name).symlink_to(_al_hb100())
    folders = {"openstates": opened,
               "legiscan": _legiscan_folder(tmp_path, bill, {3100001: "100932.json", 3100002: "105736.json"})}
    reports = {name: import_path(engine, folders[name], flag=False) for name in order}
    assert [r.errors for r in reports.values()] == [[], []]
    with Session(engine) as session:
        versions = _versions(session, "al", "HB 100")
        # Open States owns the versions whichever came first: its two, with its links only.
        assert sorted(versions) == ["Enrolled", "Introduced"]
        assert not any("legiscan.com" in str(v.links) or "legiscan.com" in v.url for v in versions.values())
        introduced = versions["Introduced"]
        assert introduced.documents == {"legiscan": "3100001"}
        assert introduced.text is not None and "memorandum of understanding" in introduced.text
        assert versions["Enrolled"].text is None and not versions["Enrolled"].documents
    if order[0] == "openstates":
        message = reports["legiscan"].run.message or ""
        assert "1 text attached" in message
        assert "1 text skipped (no version of their bill has that document id)" in message


def test_a_legiscan_text_never_replaces_pubinfos_own_text_and_is_matched_by_date_and_type(
        engine: Engine, tmp_path: Path) -> None:
    mini = require_realdata("ca_pubinfo", "pubinfo_nomindnick_ca-leginfo-mcp", "mini")
    bill = json.loads(json.dumps(LEGISCAN_AL_HB100))
    bill["bill"].update(bill_id=1900275, state="CA", bill_number="SB275", body="S",
                        session={"session_id": 2172, "session_name": "2025-2026 Regular Session",
                                 "year_start": 2025, "year_end": 2026, "special": 0})
    bill["bill"]["texts"] = [
        _text(3200001, "2025-02-04", "Introduced", CA_TEXT.format("20250SB27599INT").replace("https", "http"),
              "CA/text/SB275"),
        _text(3200002, "2025-03-11", "Amended", None, "CA/text/SB275"),  # no state link: date and type
        _text(3200003, "2025-06-23", "Amended", None, "CA/text/SB275")]  # AB 831's date: never another bill's
    assert import_path(engine, mini, flag=False).errors == []
    with Session(engine) as session:
        before = {label: v.text for label, v in _versions(session, "ca", "SB 275").items()}
    report = import_path(engine, _legiscan_folder(tmp_path, bill, {3200001: "100932.json"}), flag=False)
    assert report.errors == []
    assert "1 text not used (the bill's own feed gave that version its text)" in (report.run.message or "")
    with Session(engine) as session:
        versions = _versions(session, "ca", "SB 275")
        assert versions["Introduced"].documents == {"legiscan": "3200001"}
        assert versions["Amended Senate"].documents == {"legiscan": "3200002"}
        assert {label: v.text for label, v in versions.items()} == before  # pubinfo's CAML text, untouched
        assert sum(bool(v.documents) for v in versions.values()) == 2
        ab831 = _versions(session, "ca", "AB 831")
        assert not any(v.documents for v in ab831.values())


def test_documents_that_name_one_url_or_share_a_date_and_type_are_left_unmatched() -> None:
    """Arkansas serves every draft of HB 1044 at one address (the real bill file's two texts share their
    state_link); two amendments of one day cannot be told apart by date and type either."""
    path = require_realdata("legiscan", "dataset_json", "bill", "HB1044.json")
    texts = json.loads(path.read_bytes())["bill"]["texts"]
    drafts = [candidate([t["state_link"], t["url"]], t["date"], t["type"]) for t in texts]
    one_version = [candidate([texts[0]["state_link"]], None, "Draft")]
    assert match(drafts, one_version) == {}
    same_day = [candidate([], "2025-03-11", "Amended"), candidate([], "2025-03-11", "Amended")]
    versions = [candidate(["https://example.org/a"], "2025-03-11", "Amended Senate")]
    assert match(same_day, versions) == {}
    assert match(same_day[:1], versions) == {0: 0}
    assert match(same_day[:1], [*versions, candidate([], "2025-03-11", "Amended Assembly")]) == {}

