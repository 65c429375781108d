"""One bill whatever feed delivered it, in states where Open States does not name sessions by their years.

Open States names Alabama's 2025 session ``2025rs`` (the real scrape_AL2025 files), where LegiScan gives the years,
``year_start``/``year_end`` 2025 and ``special`` 0: the same bill was stored twice, once per feed. The other states
with LegiScan files in realdata have the same kind of mismatch with Open States' identifiers (openstates-scrapers
``scrapers/{state}/__init__.py`` ``legislative_sessions``): Alaska by legislature (``27``), Arkansas' fiscal
sessions ``2012F`` and extraordinary ones ``2013S1``, Mississippi's extraordinary ones ``20141E``.
"""

import copy
import json
import tarfile
from pathlib import Path

import pytest
from realdata_paths import require_realdata
from sqlalchemy import Engine, func, select, update
from sqlmodel import Session

from tracker.importer import import_path
from tracker.models import Bill, BillAction, BillSource, LegislativeSession
from tracker.sources import legiscan, openstates, states

pytestmark = pytest.mark.realdata

# Alabama HB 100 of 2025 as LegiScan's getBill describes it (FORMATS.md section 4; no real LegiScan Alabama file
# exists here): session block as LegiScan writes a one-year regular session.
LEGISCAN_AL_HB100 = {"status": "OK", "bill": {
    "bill_id": 1907100, "change_hash": "e" * 32, "state": "AL", "bill_number": "HB100", "bill_type": "B",
    "body": "H", "title": "LegiScan's title of HB 100.", "description": "LegiScan's description.",
    "session": {"session_id": 2183, "session_name": "2025 Regular Session", "session_title": "2025 Regular Session",
                "year_start": 2025, "year_end": 2025, "special": 0},
    "url": "https://legiscan.com/AL/bill/HB100/2025", "status": 1,
    "progress": [{"date": "2025-02-04", "event": 1}],
    "history": [{"date": "2025-02-04", "action": "Read for the first time and referred", "chamber": "H"}],
    "sponsors": [{"people_id": 1, "name": "Someone Else", "sponsor_type_id": 1, "sponsor_order": 1}],
}}


def _al_hb100() -> Path:
    return next(require_realdata("openstates", "scrape_AL2025", "bills").glob("HB100__*.json"))


def _folders(tmp_path: Path) -> dict[str, Path]:
    os_dir, ls_dir = tmp_path / "openstates", tmp_path / "legiscan" / "bill"
    os_dir.mkdir()
    ls_dir.mkdir(parents=True)
    (os_dir / _al_hb100().name).symlink_to(_al_hb100())
    (ls_dir / "HB100.json").write_text(json.dumps(LEGISCAN_AL_HB100))
    return {"openstates": os_dir, "legiscan": ls_dir.parent}


@pytest.mark.parametrize("order", [("openstates", "legiscan"), ("legiscan", "openstates")])
def test_an_alabama_bill_from_open_states_and_legiscan_is_one_bill(engine: Engine, tmp_path: Path,
                                                                     order: tuple[str, str]) -> None:
    folders = _folders(tmp_path)
    for name in order:
        report = import_path(engine, folders[name], flag=False)
        assert report.errors == []
    expected = openstates.parse_bill(_al_hb100().read_bytes(), str(_al_hb100()))
    with Session(engine) as session:
        rows = session.execute(select(LegislativeSession.identifier, Bill).join(
            LegislativeSession, LegislativeSession.id == Bill.session_id)).all()
        assert [(ident, bill.identifier) for ident, bill in rows] == [("2025rs", "HB 100")]
        bill = rows[0][1]
        # Open States outranks LegiScan: its fields and actions, whichever came first; LegiScan's id kept.
        assert (bill.source_name, bill.title) == ("openstates", expected.title)
        assert session.execute(select(func.count()).select_from(BillAction)).scalar_one() == len(expected.actions)
        assert dict(session.execute(select(BillSource.source_name, BillSource.source_key)).all()) == {
            "openstates": expected.source_key, "legiscan": "1907100"}


def test_alabama_sessions_are_spelled_as_open_states_names_them() -> None:
    """Every Alabama session in Open States' own session list (al.json, real) is what LegiScan's block for it
    reads as: the regular sessions ``{year}rs`` and the special ones ``{year}s{n}``."""
    listed = json.loads(require_realdata("openstates", "scrape_AL2025", "al.json").read_text())
    blocks = {
        "2023s1": {"session_name": "2023 First Special Session", "year_start": 2023, "year_end": 2023, "special": 1},
        "2023s2": {"session_name": "2023 Second Special Session", "year_start": 2023, "year_end": 2023, "special": 1},
        "2023rs": {"session_name": "2023 Regular Session", "year_start": 2023, "year_end": 2023, "special": 0},
        "2024rs": {"session_name": "2024 Regular Session", "year_start": 2024, "year_end": 2024, "special": 0},
        "2025rs": {"session_name": "2025 Regular Session", "year_start": 2025, "year_end": 2025, "special": 0},
    }
    assert set(blocks) == set(listed)
    for identifier, block in blocks.items():
        bill = copy.deepcopy(LEGISCAN_AL_HB100)
        bill["bill"]["session"] = block
        assert legiscan.parse_bill(json.dumps(bill).encode(), "al").session.identifier == identifier


def test_the_real_legiscan_files_are_in_open_states_sessions() -> None:
    folder = require_realdata("legiscan", "dataset_json", "bill")
    sessions = {p.stem: legiscan.parse_bill(p.read_bytes(), str(p)).session for p in folder.glob("*.json")}
    assert sessions["HB1"].identifier == "27"  # Alaska's 27th Legislature (2011-2012)
    assert sessions["HB1044"].identifier == "2012F"  # Arkansas' 88th General Assembly, 2012 fiscal session
    assert sessions["HB1044"].name == "88th General Assembly (2012 Fiscal)"  # LegiScan's name is kept
    with tarfile.open(require_realdata("legiscan", "dataset_xml_MS2014.tar.gz")) as tar:
        member = tar.extractfile("./regSession2014/bill/HB1.xml")
        assert member is not None
        assert legiscan.parse_bill(member.read(), "ms").session.identifier == "2014"  # regular: the year


@pytest.mark.parametrize(("state", "name", "years", "identifier"), [
    ("ar", "89th General Assembly (2013 1st Extraordinary Session)", (2013, 2013), "2013S1"),
    ("ms", "2014 Second Extraordinary Session", (2014, 2014), "20142E"),
    ("ca", "2023-2024 1st Special Session", (2023, 2024), "20232024s1"),  # California's spelling stays as it was
])
def test_special_sessions_take_the_open_states_spelling(state: str, name: str, years: tuple[int, int],
                                                        identifier: str) -> None:
    bill = copy.deepcopy(LEGISCAN_AL_HB100)
    bill["bill"]["state"] = state.upper()
    bill["bill"]["session"] = {"session_name": name, "year_start": years[0], "year_end": years[1], "special": 1}
    assert legiscan.parse_bill(json.dumps(bill).encode(), state).session.identifier == identifier


def test_the_spellings_are_a_table_of_data() -> None:
    assert set(states.OPENSTATES_SESSIONS) >= {"al", "ak", "ar", "ms"}
    assert "ca" not in states.OPENSTATES_SESSIONS  # years, as the shared spelling already is


def test_a_session_open_states_names_by_code_reads_as_words_on_the_bill_page(engine: Engine) -> None:
    """Open States' bulk files give Alabama's session as ``2025rs`` alone: the bill page, the packets and the
    exports said "AL · 2025rs". The table that spells the code names it too, as al.json does."""
    report = import_path(engine, _al_hb100(), flag=False)
    assert report.errors == []
    with Session(engine) as session:
        assert session.execute(select(LegislativeSession.identifier, LegislativeSession.name)).one() == (
            "2025rs", "2025 Regular Session")
    listed = json.loads(require_realdata("openstates", "scrape_AL2025", "al.json").read_text())
    assert {code: states.session_name("al", code) for code in listed} == {
        code: meta["name"] for code, meta in listed.items()}
    assert (states.session_name("ak", "27"), states.session_name("ar", "2012F"), states.session_name("ms", "20141E"),
            states.session_name("ca", "20252026")) == (
        "27th Legislature", "2012 Fiscal Session", "2014 First Extraordinary Session", None)


def test_an_organizational_session_is_not_the_years_regular_session() -> None:
    """Alabama opens each term with an organizational session (Open States ``2015os``, beside ``2015rs``): a
    LegiScan session of that name must not land in the regular session, where its HR 1 is another bill."""
    bill = copy.deepcopy(LEGISCAN_AL_HB100)
    bill["bill"]["session"] = {"session_name": "2015 Organizational Session", "year_start": 2015, "year_end": 2015,
                               "special": 0}
    assert legiscan.parse_bill(json.dumps(bill).encode(), "al").session.identifier == "2015os"
    assert states.session_name("al", "2015os") == "2015 Organizational Session"


def test_a_session_stored_under_its_code_gets_its_name_when_a_feed_gives_one(engine: Engine) -> None:
    """A database that stored Open States' Alabama bills before the session had a name holds it as "2025rs"; the
    next import that names it (``tracker import --reparse``, a crawl, LegiScan) gives it the name. A session
    that has a name keeps it: the first feed to name a session names it."""
    with Session(engine) as session:
        from tracker.models import Jurisdiction

        session.add(Jurisdiction(**states.state_jurisdiction("al")))
        session.add(LegislativeSession(jurisdiction_id="al", identifier="2025rs", name="2025rs"))
        session.add(LegislativeSession(jurisdiction_id="al", identifier="2024rs", name="Regular Session 2024"))
        session.commit()
    assert import_path(engine, _al_hb100(), flag=False).errors == []
    other = json.loads(_al_hb100().read_bytes())
    other.update(legislative_session="2024rs", _id="2966796a-0000-0000-0000-000000000000")
    with Session(engine) as session:
        from tracker.ingest import IngestItem, Ingestor

        Ingestor(session).ingest([IngestItem(record=openstates.parse_bill(json.dumps(other).encode(), "2024"))])
        session.commit()
        assert dict(session.execute(select(LegislativeSession.identifier, LegislativeSession.name)).all()) == {
            "2025rs": "2025 Regular Session", "2024rs": "Regular Session 2024"}


def test_a_copy_stored_under_legiscans_years_is_merged_into_the_open_states_bill(engine: Engine,
                                                                                tmp_path: Path) -> None:
    """A database filled before sessions were spelled per state holds Alabama HB 100 twice: Open States' in
    ``2025rs`` and LegiScan's in ``2025``. `tracker db merge-duplicates` found only California's old spellings,
    so the two stayed apart, each with its own position; now the LegiScan copy's session name ("2025 Regular
    Session") says which Open States session it is, and the copies become Open States' bill."""
    from tracker import positions, users
    from tracker.duplicates import find_groups, merge

    folders = _folders(tmp_path)
    assert import_path(engine, folders["legiscan"], flag=False).errors == []
    with Session(engine) as session:  # spelled back as the earlier parser stored it: years only
        session.execute(update(LegislativeSession).where(LegislativeSession.identifier == "2025rs")
                        .values(identifier="2025", name="2025 Regular Session"))
        admin = users.add_user(session, email="ada@chamber.example", role="admin", name="Ada")
        legiscan_copy = session.execute(select(Bill.id)).scalar_one()
        positions.set_position(session, actor=admin, bill_id=legiscan_copy, stance="Watch", expected_version=None)
        session.commit()
    assert import_path(engine, folders["openstates"], flag=False).errors == []
    with Session(engine) as session:
        sessions = sorted(session.execute(select(LegislativeSession.identifier).join(
            Bill, Bill.session_id == LegislativeSession.id)).scalars())
        assert sessions == ["2025", "2025rs"]
        groups = find_groups(session)
        assert [(g.session_identifier, g.identifier, g.survivor.source_name) for g in groups] == [
            ("2025rs", "HB 100", "openstates")]
        report = merge(session)
        session.commit()
        assert len(report.merged) == 1 and not report.skipped
        rows = session.execute(select(LegislativeSession.identifier, LegislativeSession.name, Bill.id).join(
            Bill, Bill.session_id == LegislativeSession.id)).all()
        assert [(ident, name) for ident, name, _ in rows] == [("2025rs", "2025 Regular Session")]
        assert positions.get_position(session, bill_id=rows[0][2])["stance"] == "Watch"
