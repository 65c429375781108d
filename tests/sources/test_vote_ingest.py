"""Roll calls and calendar hearings stored: real LegiScan and pubinfo imports (counts and named votes checked by
hand against the files), idempotent re-imports, stale rows removed, one source's roll calls shown per bill, and
``tracker bills show --json``. Runs on SQLite and, with DATABASE_URL, on PostgreSQL."""

import datetime as dt
import json
from pathlib import Path

import pytest
from realdata_paths import require_realdata
from sqlalchemy import Engine, func, select
from sqlmodel import Session
from typer.testing import CliRunner

from tracker.cli import app
from tracker.exports.packet import default_hearing_lookup
from tracker.importer import import_path
from tracker.ingest import IngestItem, Ingestor
from tracker.models import Bill, BillSource, Hearing, HearingItem, PersonVote, VoteEvent
from tracker.queries import bill_detail
from tracker.records import BillRecord, ParseError
from tracker.sources import legiscan
from tracker.sources.ca_pubinfo import TABLE_COLUMNS, parse_tables

PUBINFO_1999 = ("ca_pubinfo", "pubinfo_nomindnick_ca-leginfo-mcp", "archive", "1999")


def count(session: Session, model: type, *where: object) -> int:
    return session.execute(select(func.count()).select_from(model).where(*where)).scalar_one()


def _hb1044(**changes: object) -> dict:
    path = require_realdata("legiscan", "dataset_json", "bill", "HB1044.json")
    payload = json.loads(path.read_bytes())
    payload["bill"].update(changes)
    return payload


def _record(payload: dict) -> BillRecord:
    return legiscan.parse_bill(json.dumps(payload).encode(), "test")


@pytest.mark.realdata
def test_legiscan_xml_archive_votes_and_reimport(engine: Engine) -> None:
    archive = require_realdata("legiscan", "dataset_xml_MS2014.tar.gz")
    report = import_path(engine, archive, flag=False)
    assert report.errors == [] and report.result.new == 2998
    assert "150 roll calls stored, 0 skipped" in (report.run.message or "")
    with Session(engine) as s:
        assert count(s, VoteEvent) == 1923  # every <roll_call_id> in the 2,998 bill files
        assert count(s, PersonVote) == 14100  # every <vote> in the 150 roll-call files
        event = s.execute(select(VoteEvent).where(VoteEvent.source_key == "316209")).scalar_one()
        bill = s.get(Bill, event.bill_id)
        assert bill is not None and bill.identifier == "HB 1187"
        # The bill's votes[] gave the URL, the roll-call file the tallies: neither blanks the other.
        assert (event.motion, str(event.date), event.result) == ("House Passed", "2014-02-05", "passed")
        assert (event.yes_count, event.no_count, event.other_count, event.absent_count) == (119, 0, 3, 0)
        assert event.url == "http://billstatus.ls.state.ms.us/2014/pdf/votes/house/0300023.pdf"
        holland = s.execute(select(PersonVote).where(PersonVote.vote_event_id == event.id,
                                                     PersonVote.person_id == "6504")).scalar_one()
        assert (holland.name, holland.option) == ("Stephen Holland", "not voting")  # named from people/6504.xml
        assert (holland.party, holland.district) == ("D", None)  # its <party_id>1</party_id>
        ids = s.execute(select(VoteEvent.id).order_by(VoteEvent.id)).scalars().all()

    again = import_path(engine, archive, flag=False)
    assert again.errors == [] and (again.result.new, again.result.updated) == (0, 0)
    with Session(engine) as s:
        assert s.execute(select(VoteEvent.id).order_by(VoteEvent.id)).scalars().all() == ids
        assert count(s, PersonVote) == 14100


@pytest.mark.realdata
def test_roll_calls_of_bills_not_imported_are_skipped(engine: Engine) -> None:
    report = import_path(engine, require_realdata("legiscan", "dataset_json"), flag=False)
    # The three roll-call files belong to Arkansas bills the sample does not include (PROVENANCE.md).
    assert report.errors == [] and "0 roll calls stored, 3 skipped" in (report.run.message or "")
    with Session(engine) as s:
        assert count(s, VoteEvent) == 6 and count(s, PersonVote) == 0  # HB1044-HB1046: two each


@pytest.mark.realdata
def test_pubinfo_votes_import_and_reimport(engine: Engine) -> None:
    folder = require_realdata(*PUBINFO_1999)
    assert import_path(engine, folder, flag=False).errors == []
    with Session(engine) as s:
        assert (count(s, VoteEvent), count(s, PersonVote)) == (46, 2365)
        event = s.execute(select(VoteEvent).where(
            VoteEvent.source_key == "199920001SB1|AFLOOR|1999-03-22|1004|113445")).scalar_one()
        assert (event.source_name, event.body, event.yes_count, event.no_count) == ("ca_pubinfo", "Assembly Floor",
                                                                                   42, 31)
        options = dict(s.execute(select(PersonVote.name, PersonVote.option).where(
            PersonVote.vote_event_id == event.id)).all())
        assert options["Thompson"] == "no" and options["Villaraigosa"] == "yes"
    again = import_path(engine, folder, flag=False)
    assert again.errors == [] and (again.result.new, again.result.updated, again.result.unchanged) == (0, 0, 5)
    with Session(engine) as s:
        assert (count(s, VoteEvent), count(s, PersonVote)) == (46, 2365)


@pytest.mark.realdata
def test_reingest_replaces_votes_but_keeps_members_from_roll_call_files(session: Session) -> None:
    ingestor = Ingestor(session)
    ingestor.ingest([IngestItem(record=_record(_hb1044()))])
    # A roll-call file for the House vote (the real 154367 file's members, renumbered onto this bill's roll call).
    path = require_realdata("legiscan", "dataset_json", "vote", "154367.json")
    roll_call = legiscan.parse_roll_call(path.read_bytes(), str(path)).model_copy(
        update={"source_key": "155205", "bill_source_key": "396373"})
    assert ingestor.ingest_roll_calls([roll_call]) == (1, 0)
    session.commit()
    assert count(session, PersonVote) == 30
    # The bill changes upstream and drops the Senate roll call: it goes; the House one keeps its members.
    payload = _hb1044(change_hash="0" * 32)
    payload["bill"]["votes"] = payload["bill"]["votes"][:1]
    payload["bill"]["title"] += " (amended)"
    ingestor.ingest([IngestItem(record=_record(payload))])
    session.commit()
    assert session.execute(select(VoteEvent.source_key)).scalars().all() == ["155205"]
    assert count(session, PersonVote) == 30
    house = session.execute(select(VoteEvent)).scalar_one()
    # Values the latest document has win (the bill's wording again); those it lacks are kept.
    assert (house.yes_count, house.motion) == (94, "Read the third time and passed and ordered transmitted to "
                                                   "the Senate.")


@pytest.mark.realdata
def test_calendar_hearings_linked_moved_and_idempotent(session: Session) -> None:
    # calendar[] entries written for this test from the LegiScan API manual (no public sample has one).
    day = dt.date.today() + dt.timedelta(days=10)
    entry = {"type_id": 1, "type": "Hearing", "date": day.isoformat(), "time": "10:00", "location": "Room 151",
             "description": "House Revenue and Taxation"}
    ingestor = Ingestor(session)
    ingestor.ingest([IngestItem(record=_record(_hb1044(calendar=[entry])))])
    session.commit()
    hearing = session.execute(select(Hearing)).scalar_one()
    assert (hearing.source_name, hearing.source_key) == ("legiscan", f"396373/calendar/{day}/10:00/1")
    assert (hearing.jurisdiction_id, hearing.location, hearing.description) == ("ar", "Room 151",
                                                                                "House Revenue and Taxation")
    item = session.execute(select(HearingItem)).scalar_one()
    bill_id = session.execute(select(BillSource.bill_id).where(BillSource.source_key == "396373")).scalar_one()
    assert (item.bill_id, item.bill_identifier, item.title) == (bill_id, "HB 1044", "Hearing")
    lookup = default_hearing_lookup(session)
    assert lookup is not None and lookup(session, [bill_id], dt.date.today())[bill_id].date == day
    stamp = hearing.last_fetched_at

    # The same record again (a re-import): nothing moves, not even the hearing's fetch stamp alerts read.
    payload = _hb1044(calendar=[entry], change_hash="1" * 32)
    ingestor.ingest([IngestItem(record=_record(payload))])
    session.commit()
    session.expire_all()
    assert session.execute(select(Hearing.last_fetched_at)).scalar_one() == stamp

    # Moved to the next day: the old hearing is gone, not left behind as "upcoming".
    moved = {**entry, "date": (day + dt.timedelta(days=1)).isoformat()}
    ingestor.ingest([IngestItem(record=_record(_hb1044(calendar=[moved], change_hash="2" * 32)))])
    session.commit()
    assert session.execute(select(Hearing.date)).scalars().all() == [day + dt.timedelta(days=1)]
    assert count(session, HearingItem) == 1
    detail = bill_detail(session, bill_id)
    assert detail is not None and [h["date"] for h in detail["hearings"]] == [moved["date"]]


def _pubinfo_ab1() -> BillRecord:
    folder = require_realdata(*PUBINFO_1999)
    tables = {t: (folder / f"{t}.dat").read_bytes() for t in TABLE_COLUMNS if (folder / f"{t}.dat").is_file()}
    return next(r for r in parse_tables(tables, lambda n: None, str(folder))
                if not isinstance(r, ParseError) and r.source_key == "199920000AB1")


@pytest.mark.realdata
def test_one_source_of_roll_calls_shown_and_cli_json(session: Session, database_url: str) -> None:
    pubinfo = _pubinfo_ab1()
    # LegiScan's view of the same bill: the real HB1044 payload re-addressed to California's AB 1 of 1999-2000.
    payload = _hb1044(state="CA", bill_number="AB1", body="A")
    payload["bill"]["session"].update(year_start=1999, year_end=2000, special=0)
    view = _record(payload)
    assert (view.jurisdiction.id, view.session.identifier, view.identifier) == (
        pubinfo.jurisdiction.id, pubinfo.session.identifier, pubinfo.identifier)
    ingestor = Ingestor(session)
    ingestor.ingest([IngestItem(record=view)])
    ingestor.ingest([IngestItem(record=pubinfo)])
    session.commit()
    assert count(session, Bill) == 1 and count(session, VoteEvent) == 6 + 2  # both sources' roll calls kept
    bill_id = session.execute(select(Bill.id)).scalar_one()
    detail = bill_detail(session, bill_id)
    assert detail is not None
    # pubinfo outranks LegiScan: its six roll calls are shown, LegiScan's two are counted beside them.
    assert {v["source"] for v in detail["votes"]} == {"ca_pubinfo"} and len(detail["votes"]) == 6
    assert detail["votes_elsewhere"] == {"legiscan": 2}
    assert [v["date"] for v in detail["votes"]] == sorted(v["date"] for v in detail["votes"])

    result = CliRunner().invoke(app, ["bills", "show", str(bill_id), "--json"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    shown = json.loads(result.output)
    floor = next(v for v in shown["votes"] if v["body"] == "Assembly Floor")
    assert (floor["date"], floor["yes"], floor["no"], floor["other"], floor["result"]) == ("1999-06-03", 79, 0, 1,
                                                                                         "passed")
    assert len(floor["members"]) == 80 and {"name", "person_id", "option"} <= set(floor["members"][0])
    text = CliRunner().invoke(app, ["bills", "show", str(bill_id)], catch_exceptions=False).output
    assert "Roll calls (ca_pubinfo):" in text and "Assembly Floor" in text


def test_a_vote_count_no_chamber_could_have_is_refused_by_name() -> None:
    # A LegiScan bill whose roll call says yea: 10**20 failed as "OverflowError: Python int too large to convert
    # to SQLite INTEGER" (PostgreSQL: integer out of range); the feed's field is named now.
    source = require_realdata("legiscan", "dataset_json", "bill", "HB1044.json")
    document = json.loads(source.read_bytes())
    document["bill"]["votes"][0]["yea"] = 10**20
    with pytest.raises(ParseError, match=r"votes\.0\.yes_count: Input should be less than or equal to 100000"):
        legiscan.parse_bill(json.dumps(document).encode(), "HB1044.json")


# BILL_MOTION_TBL.dat rows (motion_id, motion_text, trans_uid, trans_update: capublic.sql), HAND-WRITTEN for the
# motion ids of the real 1999-2000 vote rows (no sample ships the table); the wording is illustrative.
_MOTIONS = {"104835": "Do pass.", "44": "Do pass as amended.", "17": "Do pass and re-refer."}
_SB1_CX03 = b"`199920001SB1`\t`CX03`\t"  # SB 1 (First Extraordinary Session) in Assembly committee, 1999-03-10
_SB1_LAST_FLOOR = b"`199920001SB1`\t`AFLOOR`\t1999-03-22 00:00:00\t1011\t"


def _pubinfo_download(folder: Path, motions: dict[str, str], *, drop_members: bytes = b"\0",
                      drop_roll_call: bytes = b"\0") -> Path:
    """The real 1999-2000 download in ``folder`` with the motion table, less the members' votes (detail rows) and
    the roll call (summary row) whose rows start with those bytes."""
    drop = {"BILL_DETAIL_VOTE_TBL.dat": drop_members, "BILL_SUMMARY_VOTE_TBL.dat": drop_roll_call}
    real = require_realdata(*PUBINFO_1999)
    folder.mkdir(exist_ok=True)
    for file in real.iterdir():
        target = folder / file.name
        target.unlink(missing_ok=True)
        if file.name in drop:
            target.write_bytes(b"".join(line for line in file.read_bytes().splitlines(keepends=True)
                                        if not line.startswith(drop[file.name])))
        else:
            target.symlink_to(file)
    (folder / "BILL_MOTION_TBL.dat").write_bytes(b"".join(
        f"{motion_id}\t`{text}`\t`LEGINFO`\t1999-01-04 10:00:00\n".encode() for motion_id, text in motions.items()))
    return folder


@pytest.mark.realdata
def test_a_motion_members_votes_and_a_roll_call_gone_upstream_leave_the_stored_bill(engine: Engine,
                                                                                    tmp_path: Path) -> None:
    """The Legislature's next download no longer has motion 44 in BILL_MOTION_TBL, nor SB 1's committee members'
    votes of March 10, nor its last floor roll call of March 22: each goes from the stored bill, as a roll call
    that left the record always did. Staff's position and note stay; removed roll calls, like removed actions,
    are not recorded as changes (no feed's votes are: only actions, stage, versions, titles and sponsors)."""
    from tracker import notes, positions, users
    from tracker.models import BillChange, Note, Position

    folder = _pubinfo_download(tmp_path / "pubinfo_1999", _MOTIONS)
    assert import_path(engine, folder, flag=False).errors == []
    with Session(engine) as s:
        sb1 = s.execute(select(BillSource.bill_id).where(BillSource.source_key == "199920001SB1")).scalar_one()
        cx03 = s.execute(select(VoteEvent).where(VoteEvent.bill_id == sb1, VoteEvent.body == "CX03")).scalar_one()
        assert cx03.motion == "Do pass as amended."
        assert count(s, PersonVote, PersonVote.vote_event_id == cx03.id) == 19
        assert count(s, VoteEvent, VoteEvent.motion == "Do pass as amended.") == 4  # CX03 of four bills
        assert count(s, VoteEvent, VoteEvent.bill_id == sb1) == 15
        admin = users.add_user(s, email="ada@example.org", role="admin")
        positions.set_position(s, actor=admin, bill_id=sb1, stance="Support", expected_version=None)
        notes.add_note(s, actor=admin, bill_id=sb1, body="Ask the committee about the amendments.")
        s.commit()
        changes = count(s, BillChange)

    motions = {k: v for k, v in _MOTIONS.items() if k != "44"}
    _pubinfo_download(folder, motions, drop_members=_SB1_CX03, drop_roll_call=_SB1_LAST_FLOOR)
    report = import_path(engine, folder, flag=False)
    assert report.errors == [] and report.result.updated == 4  # SB 1, SB 2 and both AB 1: CX03 on motion 44
    with Session(engine) as s:
        cx03 = s.execute(select(VoteEvent).where(VoteEvent.bill_id == sb1, VoteEvent.body == "CX03")).scalar_one()
        assert (cx03.motion, cx03.yes_count, cx03.no_count) == (None, 17, 2)  # the roll call stays, without motion
        assert count(s, VoteEvent, VoteEvent.motion == "Do pass as amended.") == 0
        assert count(s, PersonVote, PersonVote.vote_event_id == cx03.id) == 0
        assert count(s, VoteEvent, VoteEvent.bill_id == sb1) == 14
        assert count(s, VoteEvent, VoteEvent.source_key.startswith("199920001SB1|AFLOOR|1999-03-22|1011")) == 0
        assert (count(s, VoteEvent), count(s, PersonVote)) == (45, 2365 - 19 - 79)  # the members of both
        assert count(s, VoteEvent, VoteEvent.motion == "Do pass.") > 0  # the motions still listed stay
        assert s.execute(select(Position.stance)).scalar_one() == "Support" and count(s, Note) == 1
        assert count(s, BillChange) == changes
