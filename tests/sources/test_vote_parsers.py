"""Roll calls and calendar entries from the parsers: LegiScan bill ``votes[]`` and roll-call files (real dataset
JSON and the Mississippi 2014 XML archive), pubinfo's vote tables (real 1999 archive), and, where no public
sample has them, LegiScan ``calendar[]``, pubinfo ``COMMITTEE_HEARING_TBL`` and Open States vote events written
for this test from the published formats (each says so)."""

import json
import tarfile

import pytest
from realdata_paths import require_realdata

from tracker.records import ParseError
from tracker.sources import legiscan, openstates
from tracker.sources.ca_pubinfo import TABLE_COLUMNS, parse_tables

PUBINFO_1999 = ("ca_pubinfo", "pubinfo_nomindnick_ca-leginfo-mcp", "archive", "1999")


def _ms_members(*names: str) -> dict[str, bytes]:
    archive = require_realdata("legiscan", "dataset_xml_MS2014.tar.gz")
    with tarfile.open(archive, "r:gz") as tar:
        return {name: tar.extractfile(f"./regSession2014/{name}").read()  # type: ignore[union-attr]
                for name in names}


@pytest.mark.realdata
def test_legiscan_bill_votes_json() -> None:
    path = require_realdata("legiscan", "dataset_json", "bill", "HB1044.json")
    record = legiscan.parse_bill(path.read_bytes(), str(path))
    assert [v.source_key for v in record.votes] == ["155205", "155206"]
    house, senate = record.votes
    assert (str(house.date), house.chamber, house.result) == ("2012-02-15", "lower", "passed")
    assert house.motion == "Read the third time and passed and ordered transmitted to the Senate."
    assert (house.yes_count, house.no_count, house.other_count, house.absent_count) == (94, 0, 0, 0)
    assert house.url == ("http://www.arkleg.state.ar.us/assembly/2011/2012F/Pages/Votes.aspx"
                         "?rcsnum=1841&votechamber=House")  # the state's record before LegiScan's page
    assert (senate.chamber, senate.yes_count, senate.absent_count) == ("upper", 34, 1)
    assert house.people is None and senate.people is None  # a bill lists tallies only
    assert record.calendar == []  # none of the real samples schedules a hearing


@pytest.mark.realdata
def test_legiscan_roll_call_files() -> None:
    path = require_realdata("legiscan", "dataset_json", "vote", "154367.json")
    assert legiscan.looks_like_roll_call(path.read_bytes())
    rc = legiscan.parse_roll_call(path.read_bytes(), str(path))
    assert (rc.source_key, rc.bill_source_key, str(rc.date)) == ("154367", "395978", "2012-02-14")
    assert (rc.motion, rc.chamber, rc.result) == ("S Introduced and Referred to S05", "upper", "passed")
    assert (rc.yes_count, rc.no_count) == (27, 3)
    assert rc.people is not None and len(rc.people) == 30
    assert sum(p.option == "no" for p in rc.people) == 3 and {p.name for p in rc.people} == {None}

    ms = _ms_members("vote/316209.xml", "people/6504.xml", "bill/HB1187.xml")  # Mississippi 2014, XML flavour
    xml = ms["vote/316209.xml"]  # a roll call on HB 1187
    rc = legiscan.parse_roll_call(xml, "316209.xml")
    assert (rc.bill_source_key, rc.motion, rc.result) == ("605048", "House Passed", "passed")
    assert (rc.yes_count, rc.no_count, rc.other_count, rc.absent_count) == (119, 0, 3, 0)
    holland = next(p for p in rc.people or [] if p.person_id == "6504")
    assert holland.option == "not voting"  # <vote_text>NV</vote_text>
    assert legiscan.parse_person(ms["people/6504.xml"], "6504.xml")[:2] == ("6504", "Stephen Holland")
    bill = legiscan.parse_bill(ms["bill/HB1187.xml"], "HB1187.xml")
    assert [(v.source_key, v.motion) for v in bill.votes] == [
        ("316209", "House Passed"), ("340818", "Senate Passed As Amended"),
        ("346698", "House Concurred in Amend From Senate")]
    assert bill.votes[0].url == "http://billstatus.ls.state.ms.us/2014/pdf/votes/house/0300023.pdf"
    assert bill.votes[0].yes_count is None  # the XML flavour's bill lists no tallies


@pytest.mark.realdata
def test_legiscan_people_files_give_party_and_district() -> None:
    """The scorecard shows each member's party: the people files have it (the XML flavour as LegiScan's party_id,
    1 Democrat and 2 Republican per its API manual; the JSON one spelled out, with the district), but only the
    name was read."""
    ms = _ms_members("people/6504.xml", "people/11160.xml")
    holland = legiscan.parse_person(ms["people/6504.xml"], "6504.xml")  # <party_id>1</party_id>
    assert (holland.people_id, holland.name, holland.party, holland.district) == ("6504", "Stephen Holland", "D",
                                                                                  None)
    assert legiscan.parse_person(ms["people/11160.xml"], "11160.xml").party == "R"  # <party_id>2</party_id>
    path = require_realdata("legiscan", "dataset_json", "people", "8630.json")  # a committee: party "", no district
    committee = legiscan.parse_person(path.read_bytes(), str(path))
    assert (committee.party, committee.district) == (None, None)


@pytest.mark.realdata
def test_legiscan_xml_roll_calls_name_their_chamber_from_the_motion() -> None:
    """The XML flavour gives no chamber code, in the bill's votes[] or the roll-call file: Mississippi's roll calls
    were stored with none, so the bill page and the scorecard could not tell a House vote from a Senate one. The
    motion names the chamber ("House Passed", "Senate Passed As Amended"); a code, where given, still wins."""
    ms = _ms_members("vote/316209.xml", "bill/HB1187.xml")
    assert legiscan.parse_roll_call(ms["vote/316209.xml"], "316209.xml").chamber == "lower"
    bill = legiscan.parse_bill(ms["bill/HB1187.xml"], "HB1187.xml")
    assert [v.chamber for v in bill.votes] == ["lower", "upper", "lower"]
    path = require_realdata("legiscan", "dataset_json", "vote", "154367.json")  # chamber "S", motion "S Intro..."
    assert legiscan.parse_roll_call(path.read_bytes(), str(path)).chamber == "upper"


@pytest.mark.realdata
def test_legiscan_calendar_and_bad_roll_calls() -> None:
    # Written for this test from the LegiScan API manual's getBill ``calendar[]`` fields (type_id, type, date,
    # time, location, description) on a real bill; no public sample has a calendar entry.
    path = require_realdata("legiscan", "dataset_json", "bill", "HB1044.json")
    payload = json.loads(path.read_bytes())
    payload["bill"]["calendar"] = [
        {"type_id": 1, "type": "Hearing", "date": "2012-02-14", "time": "10:00",
         "location": "Room 151", "description": "House Revenue and Taxation Hearing"},
        {"type_id": 1, "type": "Hearing", "date": "0000-00-00", "time": "", "location": "", "description": ""}]
    record = legiscan.parse_bill(json.dumps(payload).encode(), "HB1044+calendar")
    assert len(record.calendar) == 1  # an undated entry names no hearing
    entry = record.calendar[0]
    assert (str(entry.date), entry.time, entry.location, entry.kind) == ("2012-02-14", "10:00", "Room 151",
                                                                           "Hearing")
    assert entry.description == "House Revenue and Taxation Hearing" and entry.source_key == "2012-02-14/10:00/1"
    with pytest.raises(ParseError, match="without roll_call_id or bill_id"):
        legiscan.parse_roll_call(b'{"status": "OK", "roll_call": {"roll_call_id": 5}}', "rc")
    with pytest.raises(ParseError, match="API error: Unknown roll call"):
        legiscan.parse_roll_call(b'{"status": "ERROR", "alert": {"message": "Unknown roll call"}}', "rc")
    assert not legiscan.looks_like_person(b'{"sponsors": [{"entity_type": "person"}]}')


@pytest.mark.realdata
def test_pubinfo_summary_and_member_votes() -> None:
    folder = require_realdata(*PUBINFO_1999)
    tables = {t: (folder / f"{t}.dat").read_bytes() for t in TABLE_COLUMNS if (folder / f"{t}.dat").is_file()}
    records = {r.source_key: r for r in parse_tables(tables, lambda n: (folder / n).read_bytes()
                                                     if (folder / n).is_file() else None, str(folder))
               if not isinstance(r, ParseError)}
    assert sum(len(r.votes) for r in records.values()) == 46  # every BILL_SUMMARY_VOTE_TBL row
    assert sum(len(v.people or []) for r in records.values() for v in r.votes) == 2365  # every detail row
    sb1 = records["199920001SB1"]
    assert len(sb1.votes) == 15
    third = next(v for v in sb1.votes if v.source_key == "199920001SB1|AFLOOR|1999-03-22|1004|113445")
    assert (str(third.date), third.chamber, third.body, third.result) == ("1999-03-22", "lower", "Assembly Floor",
                                                                        "passed")
    assert (third.yes_count, third.no_count, third.other_count, third.absent_count) == (42, 31, 6, None)
    members = {p.name: p.option for p in third.people or []}
    assert len(members) == 79 and members["Thompson"] == "no" and members["Strom-Martin"] == "yes"
    tally = [sum(o == k for o in members.values()) for k in ("yes", "no", "not voting")]
    assert tally == [42, 31, 6]  # the members' rows add up to the summary row
    committee = next(v for v in sb1.votes if v.body == "CS44")
    assert (committee.chamber, committee.yes_count, committee.no_count) == ("upper", 9, 0)
    assert third.url == "https://leginfo.legislature.ca.gov/faces/billVotesClient.xhtml?bill_id=199920001SB1"


@pytest.mark.realdata
def test_pubinfo_committee_hearings() -> None:
    # COMMITTEE_HEARING_TBL rows written for this test in capublic.sql's column order (bill_id, committee_type,
    # committee_nr, hearing_date, location_code, trans_uid, trans_update_date); no public sample ships the table.
    folder = require_realdata(*PUBINFO_1999)
    tables = {"BILL_TBL": (folder / "BILL_TBL.dat").read_bytes(),
              "BILL_VERSION_TBL": (folder / "BILL_VERSION_TBL.dat").read_bytes(),
              "COMMITTEE_HEARING_TBL": b"`199920001SB1`\t`CS`\t44\t1999-02-17 00:00:00\t`CS44`\t`LEG`\tNULL\n"
                                       b"`199920001SB1`\t`CX`\t3\t1999-03-10 13:30:00\t`CX03`\t`LEG`\tNULL\n"}
    records = {r.source_key: r for r in parse_tables(tables, lambda n: None, "pubinfo")
               if not isinstance(r, ParseError)}
    calendar = records["199920001SB1"].calendar
    assert [(str(c.date), c.time, c.body, c.kind) for c in calendar] == [
        ("1999-02-17", None, "CS44", "Committee hearing"), ("1999-03-10", "13:30", "CX03", "Committee hearing")]
    assert records["199920001SB2"].calendar == []


def test_openstates_vote_events() -> None:
    # Written for this test from Open States' published VoteEvent (API v3 ``include=votes``): the Alabama bulk
    # sample has no votes.
    bill = {"id": "ocd-bill/6a5b4e3e-0000-4000-8000-000000000001", "identifier": "HB 100", "title": "A bill",
            "session": "2025rs", "jurisdiction": {"id": "ocd-jurisdiction/country:us/state:al/government"},
            "from_organization": {"classification": "lower"},
            "votes": [{"id": "ocd-vote/11111111-2222-4333-8444-555555555555", "motion_text": "Third Reading Passed",
                       "motion_classification": ["passage"], "start_date": "2025-03-04", "result": "pass",
                       "organization": {"id": "ocd-organization/x", "name": "House", "classification": "lower"},
                       "counts": [{"option": "yes", "value": 2}, {"option": "no", "value": 1},
                                  {"option": "abstain", "value": 1}, {"option": "excused", "value": 1}],
                       "votes": [{"option": "yes", "voter_name": "Ellis", "voter": {"id": "ocd-person/a"}},
                                 {"option": "yes", "voter_name": "Hall", "voter": None},
                                 {"option": "no", "voter_name": "Rigsby"},
                                 {"option": "abstain", "voter_name": "Moore"},
                                 {"option": "excused", "voter_name": "Kitchens"}],
                       "sources": [{"url": "https://alison.legislature.state.al.us/roll-call/1"}]},
                      {"motion_text": "Motion to table", "start_date": "2025-03-05", "result": "fail",
                       "organization_id": '~{"classification": "lower"}',
                       "votes": [{"option": "no", "voter_name": "Ellis"}, {"option": "paired", "voter_name": "X"}]}]}
    record = openstates.parse_bill(json.dumps(bill).encode(), "hb100")
    first, second = record.votes
    assert (first.source_key, str(first.date), first.chamber, first.body) == (
        "ocd-vote/11111111-2222-4333-8444-555555555555", "2025-03-04", "lower", "House")
    assert (first.motion, first.result, first.url) == ("Third Reading Passed", "passed",
                                                       "https://alison.legislature.state.al.us/roll-call/1")
    assert (first.yes_count, first.no_count, first.other_count, first.absent_count) == (2, 1, 1, 1)
    assert [(p.name, p.person_id, p.option) for p in first.people or []][:2] == [
        ("Ellis", "ocd-person/a", "yes"), ("Hall", None, "yes")]
    # A bulk vote without an id is keyed by what it is, so a re-scrape keeps the key; tallies from its members.
    assert second.source_key.startswith("vote/") and second.result == "failed" and second.chamber == "lower"
    assert (second.yes_count, second.no_count, second.other_count) == (None, 1, 1)
    again = openstates.parse_bill(json.dumps(bill).encode(), "hb100")
    assert again.votes[1].source_key == second.source_key
