"""GovInfo BILLSTATUS parser on real files of every schema generation, and on hostile or broken input.

Expected values below were read off the XML files themselves (the file is named above each test), not off the
parser's output.
"""

import collections
import datetime as dt
import json
import re
import tarfile
from pathlib import Path

import pytest
from realdata_paths import require_realdata

from tracker.models.enums import Stage
from tracker.records import BillRecord, ParseError
from tracker.sources.govinfo_billstatus import html_to_text, parse_billstatus
from tracker.xmlsafe import ENTITY_REFUSAL, parse_xml


def parse_file(*parts: str) -> BillRecord:
    path = require_realdata("billstatus", *parts)
    return parse_billstatus(path.read_bytes(), str(path))


def by_kind(record: BillRecord, kind: str) -> list:
    return [s for s in record.sponsorships if s.kind == kind]


def utc(value: dt.datetime | None) -> dt.datetime | None:
    """A timestamp as naive UTC, whichever convention the record uses for storing it."""
    return value.astimezone(dt.UTC).replace(tzinfo=None) if value is not None and value.tzinfo else value


# --- every sample file -----------------------------------------------------------------------------------------


@pytest.mark.realdata
@pytest.mark.parametrize(("folder", "count"), [("usgpo_samples", 53), ("misc", 14), ("congress119", 2)])
def test_every_sample_file_parses(folder: str, count: int) -> None:
    files = sorted(require_realdata("billstatus", folder).rglob("*.xml"))
    assert len(files) == count  # as listed in billstatus/PROVENANCE.md
    for path in files:
        record = parse_billstatus(path.read_bytes(), str(path))
        congress, bill_type, number = record.session.identifier, record.bill_type, record.number
        assert record.identifier == f"{bill_type} {number}"
        assert record.source_key == f"{congress}-{bill_type.lower()}-{number}"
        assert record.source_urls[0].endswith(f"/BILLSTATUS-{congress}{bill_type.lower()}{number}.xml")
        dates = [action.date for action in record.actions if action.date]
        assert dates == sorted(dates), path  # chronological
        assert record.stage in set(Stage)


# --- named bills, every generation -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def hr3684() -> BillRecord:
    """117th H.R. 3684, from the 117th archive (3.0.0 schema): data/117/bills/hr/hr3684/fdsys_billstatus.xml."""
    name = "data/117/bills/hr/hr3684/fdsys_billstatus.xml"
    return parse_billstatus(archive_member(name), name)


def archive_member(name: str) -> bytes:
    """One file of the 117th archive, read as it streams past (nothing extracted)."""
    archive = require_realdata("billstatus", "congress117", "c117_all.tar.gz")
    with tarfile.open(archive, "r|gz") as tar:
        for member in tar:
            if member.name == name:
                return tar.extractfile(member).read()  # type: ignore[union-attr]
    raise AssertionError(f"{name} missing from {archive}")


@pytest.mark.realdata
def test_117_hr3684_infrastructure_investment_and_jobs_act(hr3684: BillRecord) -> None:
    record = hr3684
    assert record.identifier == "HR 3684" and record.classification == "bill" and record.origin_chamber == "lower"
    assert record.title == "Infrastructure Investment and Jobs Act"
    assert record.short_title == "Infrastructure Investment and Jobs Act"  # "Short Titles as Enacted"
    (sponsor,) = by_kind(record, "primary")
    assert (sponsor.name, sponsor.person_id, sponsor.party, sponsor.state, sponsor.district) == (
        "Rep. DeFazio, Peter A. [D-OR-4]",
        "D000191",
        "D",
        "OR",
        "4",
    )
    cosponsors = by_kind(record, "cosponsor")
    assert len(cosponsors) == 5
    assert (cosponsors[0].name, cosponsors[0].person_id, cosponsors[0].is_original) == (
        "Del. Norton, Eleanor Holmes [D-DC-At Large]",
        "N000147",
        True,
    )
    assert str(cosponsors[0].sponsored_date) == "2021-06-04"
    assert len(record.actions) == 101
    assert record.stage == Stage.enacted
    assert record.policy_area == "Transportation and Public Works"
    assert len(record.subjects) == 74 and "Air quality" in record.subjects
    committees = {c.code: c for c in record.committees}
    assert set(committees) == {"hspw00", "hspw12", "hspw14", "ssbk00"}
    assert committees["hspw00"].name == "Transportation and Infrastructure Committee"
    assert committees["hspw12"].parent_code == "hspw00" and committees["ssbk00"].chamber == "upper"
    assert str(committees["hspw00"].referred_date) == "2021-06-04"
    # The law came first; a Senate hearing in 2022 is the latest action upstream.
    assert str(record.latest_action_date) == "2022-08-04"
    assert record.latest_action_text == "Committee on Banking, Housing, and Urban Affairs. Hearings held."
    assert utc(record.upstream_updated_at) == dt.datetime(2022, 12, 30, 16, 2, 24)  # updateDateIncludingText
    enrolled = record.versions[0]
    assert (enrolled.label, enrolled.code, enrolled.format, enrolled.date) == ("Enrolled Bill", "enr", "xml", None)
    # <date>2021-11-16T04:59:59Z</date>: the last second of November 15 in Washington, the day it became law.
    (public_law,) = [v for v in record.versions if v.label == "Public Law"]
    assert public_law.date == dt.date(2021, 11, 15)
    assert enrolled.url == "https://www.govinfo.gov/content/pkg/BILLS-117hr3684enr/xml/BILLS-117hr3684enr.xml"
    assert len(record.related_bills) == 139  # 137 related bills, 139 relationship details
    became_law = [a for a in record.actions if "became-law" in a.classification]
    assert [(str(a.date), a.actor) for a in became_law] == [("2021-11-15", "executive")] * 2
    assert record.source_urls == [
        "https://www.govinfo.gov/bulkdata/BILLSTATUS/117/hr/BILLSTATUS-117hr3684.xml",
        "https://www.congress.gov/bill/117th-congress/house-bill/3684",
    ]


@pytest.mark.realdata
def test_117_hr21_evening_senate_referral_is_dated_in_washington() -> None:
    # data/117/bills/hr/hr21/fdsys_billstatus.xml: the Senate committee's "Referred to" activity is dated
    # 2021-01-07T01:26:34Z, 8:26 pm on January 6 in Washington; the House referral 2021-01-04T15:11:25Z.
    name = "data/117/bills/hr/hr21/fdsys_billstatus.xml"
    record = parse_billstatus(archive_member(name), name)
    committees = {c.code: c for c in record.committees}
    assert committees["ssga00"].referred_date == dt.date(2021, 1, 6)
    assert committees["hsgo00"].referred_date == dt.date(2021, 1, 4)
    # The activities keep the upstream timestamp as received.
    assert {"name": "Referred to", "date": "2021-01-07T01:26:34Z"} in committees["ssga00"].activities
    # Text versions: midnight Eastern as UTC ("2021-01-05T05:00:00Z") stays on its day.
    assert {v.code: str(v.date) for v in record.versions} == {
        "ih": "2021-01-04", "eh": "2021-01-05", "rfs": "2021-01-06"}


@pytest.mark.realdata
def test_117_hr5376_inflation_reduction_act() -> None:
    # usgpo_samples/formatChange/future/BILLSTATUS-117hr5376.xml (3.0.0)
    record = parse_file("usgpo_samples", "formatChange", "future", "BILLSTATUS-117hr5376.xml")
    assert record.title == "Inflation Reduction Act of 2022"
    assert record.short_title is None  # only short titles "for portions of this bill" upstream
    (sponsor,) = by_kind(record, "primary")
    assert (sponsor.name, sponsor.person_id) == ("Rep. Yarmuth, John A. [D-KY-3]", "Y000062")
    assert by_kind(record, "cosponsor") == []
    assert len(record.actions) == 57
    assert record.stage == Stage.enacted
    assert record.policy_area == "Economics and Public Finance"
    assert len(record.subjects) == 249 and "Afghanistan" in record.subjects
    assert {c.code for c in record.committees} == {"hsbu00", "ssbk00"}
    assert record.latest_action_text == "Became Public Law No: 117-169."
    # Five CRS summaries; the latest (versionCode 49, Public Law, 2022-08-16) is kept.
    assert record.summary_html is not None and record.summary_html.startswith("<p>TITLE I--COMMITTEE ON FINANCE</p>")
    assert record.summary_text is not None
    assert record.summary_text.startswith("TITLE I--COMMITTEE ON FINANCE\n\nSubtitle A--Deficit Reduction\n\n")


@pytest.mark.realdata
def test_114_hr1314_bipartisan_budget_act_legacy() -> None:
    # usgpo_samples/legacy/BILLSTATUS-114hr1314.xml (legacy: billNumber, primarySubject, billSummaries)
    record = parse_file("usgpo_samples", "legacy", "BILLSTATUS-114hr1314.xml")
    assert record.identifier == "HR 1314" and record.session.name == "114th Congress"
    assert record.title == "Bipartisan Budget Act of 2015"
    assert record.short_title == "Bipartisan Budget Act of 2015"  # as enacted, not "Trade Act of 2015"
    (sponsor,) = by_kind(record, "primary")
    # Legacy files have no party/state/district elements: they come from the bracket of fullName.
    assert (sponsor.name, sponsor.person_id, sponsor.party, sponsor.state, sponsor.district) == (
        "Rep. Meehan, Patrick [R-PA-7]", "M001181", "R", "PA", "7")
    cosponsors = by_kind(record, "cosponsor")
    assert [(c.person_id, c.is_original, str(c.sponsored_date)) for c in cosponsors] == [
        ("R000580", True, "2015-03-04"),
        ("R000585", False, "2015-03-26"),
    ]
    assert len(record.actions) == 80
    assert record.stage == Stage.enacted
    assert record.policy_area == "Economics and Public Finance"  # from <primarySubject>
    assert len(record.subjects) == 120 and "Accounting and auditing" in record.subjects  # from otherSubjects
    assert [(c.code, c.name, c.chamber) for c in record.committees] == [("hswm00", "Ways and Means Committee", "lower")]
    assert record.versions == []  # legacy files carry no textVersions
    assert record.latest_action_text == "Became Public Law No: 114-74."


@pytest.mark.realdata
def test_legacy_sponsors_get_party_state_and_district_from_the_full_name() -> None:
    # usgpo_samples/legacy: <fullName>Rep. Davis, Rodney [R-IL-13]</fullName> and no <party>/<state>/<district>.
    (sponsor,) = by_kind(parse_file("usgpo_samples", "legacy", "BILLSTATUS-114hr22.xml"), "primary")
    assert (sponsor.name, sponsor.party, sponsor.state, sponsor.district) == (
        "Rep. Davis, Rodney [R-IL-13]", "R", "IL", "13")
    (senator,) = by_kind(parse_file("usgpo_samples", "legacy", "BILLSTATUS-114s1300.xml"), "primary")
    assert (senator.name, senator.party, senator.state, senator.district) == (
        "Sen. Feinstein, Dianne [D-CA]", "D", "CA", None)
    # An at-large seat is "0", as later files write the element (117th HR 3684: Norton, <district>0</district>).
    cosponsors = {c.name: c for c in by_kind(parse_file("usgpo_samples", "legacy", "BILLSTATUS-114hr1531.xml"),
                                             "cosponsor")}
    young = cosponsors["Rep. Young, Don [R-AK-At Large]"]
    assert (young.party, young.state, young.district) == ("R", "AK", "0")
    # Every sponsorship of the 114th-Congress samples now has a party and a state.
    folder = require_realdata("billstatus", "usgpo_samples")
    people = [s for path in sorted(folder.rglob("BILLSTATUS-114*.xml"))
              for s in parse_billstatus(path.read_bytes(), str(path)).sponsorships]
    assert len(people) == 349 and all(s.party and s.state for s in people)
    assert all(s.district for s in people if s.name.startswith(("Rep.", "Del.", "Resident Commissioner")))
    assert not any(s.district for s in people if s.name.startswith("Sen."))


@pytest.mark.realdata
def test_explicit_member_elements_win_over_the_full_name() -> None:
    # The elements are kept as written even where the bracket says otherwise (here: an edited copy).
    data = archive_member("data/117/bills/hr/hr3684/fdsys_billstatus.xml")
    sponsor_xml = data[data.index(b"<sponsors>"):data.index(b"</sponsors>")]
    assert b"[D-OR-4]" in sponsor_xml and b"<state>OR</state>" in sponsor_xml
    edited = data.replace(sponsor_xml, sponsor_xml.replace(b"<state>OR</state>", b"<state>WA</state>"))
    (sponsor,) = by_kind(parse_billstatus(edited, "edited"), "primary")
    assert (sponsor.party, sponsor.state, sponsor.district) == ("D", "WA", "4")


def test_action_times_are_24_hour_in_every_schema_generation() -> None:
    # Legacy files write "05:22PM", 3.0.0 files "15:17:45"; both are stored as "HH:MM:SS". Read off the files:
    # legacy/BILLSTATUS-114hr1314.xml, 2015-10-28 H1L210 at 12:21AM (just after midnight) and 04:48PM;
    # legacy/BILLSTATUS-114hr2822.xml, 2015-06-25 H8D000 at 12:55PM (just after noon);
    # actions-committees/BILLSTATUS-116hr3055.xml (3.0.0), 2019-11-19 "Motion to reconsider ..." at 15:17:45.
    legacy = parse_file("usgpo_samples", "legacy", "BILLSTATUS-114hr1314.xml")
    assert ("2015-10-28", "H1L210", "00:21:00") in {(str(a.date), a.action_code, a.time) for a in legacy.actions}
    assert "16:48:00" in {a.time for a in legacy.actions if str(a.date) == "2015-10-28"}
    noon = parse_file("usgpo_samples", "legacy", "BILLSTATUS-114hr2822.xml")
    assert "12:55:00" in {a.time for a in noon.actions if a.action_code == "H8D000" and str(a.date) == "2015-06-25"}
    current = parse_file("usgpo_samples", "actions-committees", "BILLSTATUS-116hr3055.xml")
    assert "15:17:45" in {a.time for a in current.actions if str(a.date) == "2019-11-19"}
    # Every time in every sample file, of every generation, in the one form.
    for path in sorted(require_realdata("billstatus").glob("*/**/*.xml")):
        record = parse_billstatus(path.read_bytes(), str(path))
        assert all(re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d:[0-5]\d", a.time) for a in record.actions if a.time), path


@pytest.mark.parametrize(("raw", "normal"), [("06:59PM", "18:59:00"), ("12:07AM", "00:07:00"), ("12:10PM", "12:10:00"),
                                             ("16:53:30", "16:53:30"), (" 9:05 a.m. ", "09:05:00"), ("", None),
                                             ("25:00:00", None), ("13:00PM", None), ("noon", None)])
def test_action_time_forms(raw: str, normal: str | None) -> None:
    # The first four are forms found in the real files; the rest guard the edges.
    from tracker.sources.govinfo_billstatus import _time

    assert _time(raw) == normal


@pytest.mark.realdata
def test_114_sjres8_vetoed_legacy() -> None:
    # usgpo_samples/legacy/BILLSTATUS-114sjres8.xml
    record = parse_file("usgpo_samples", "legacy", "BILLSTATUS-114sjres8.xml")
    assert record.classification == "joint resolution" and record.origin_chamber == "upper"
    assert record.title.startswith("A joint resolution providing for congressional disapproval")
    (sponsor,) = by_kind(record, "primary")
    assert (sponsor.name, sponsor.person_id) == ("Sen. Alexander, Lamar [R-TN]", "A000360")
    cosponsors = by_kind(record, "cosponsor")
    assert len(cosponsors) == 51 and sum(c.is_original for c in cosponsors) == 44
    assert len(record.actions) == 32  # 33 items upstream, one an empty placeholder
    assert record.stage == Stage.vetoed
    assert record.policy_area == "Labor and Employment"
    assert "National Labor Relations Board (NLRB)" in record.subjects
    assert [c.code for c in record.committees] == ["sshr00"]
    veto = [a for a in record.actions if "executive-veto" in a.classification]
    assert {(str(a.date), a.actor) for a in veto} == {("2015-03-31", "executive")}
    assert record.related_bills[0].jurisdiction_id == "us" and record.related_bills[0].session_identifier == "114"


@pytest.mark.realdata
def test_114_hres348_simple_resolution_agreed_legacy() -> None:
    # usgpo_samples/legacy/BILLSTATUS-114hres348.xml
    record = parse_file("usgpo_samples", "legacy", "BILLSTATUS-114hres348.xml")
    assert (record.identifier, record.classification) == ("HRES 348", "resolution")
    assert record.source_urls[1] == "https://www.congress.gov/bill/114th-congress/house-resolution/348"
    (sponsor,) = by_kind(record, "primary")
    assert (sponsor.name, sponsor.person_id) == ("Rep. Cicilline, David N. [D-RI-1]", "C001084")
    assert len(by_kind(record, "cosponsor")) == 45
    assert len(record.actions) == 15
    assert record.stage == Stage.enacted  # adopted by the House: final for a simple resolution
    assert record.policy_area == "International Affairs"
    assert "Russia" in record.subjects
    assert [(c.code, c.parent_code) for c in record.committees] == [("hsfa00", None), ("hsfa14", "hsfa00")]


@pytest.mark.realdata
def test_114_hconres70_concurrent_resolution_legacy() -> None:
    # usgpo_samples/legacy/BILLSTATUS-114hconres70.xml
    record = parse_file("usgpo_samples", "legacy", "BILLSTATUS-114hconres70.xml")
    assert (record.identifier, record.classification) == ("HCONRES 70", "concurrent resolution")
    (sponsor,) = by_kind(record, "primary")
    assert (sponsor.name, sponsor.person_id) == ("Rep. Norton, Eleanor Holmes [D-DC-At Large]", "N000147")
    assert by_kind(record, "cosponsor") == []
    assert len(record.actions) == 16
    assert record.stage == Stage.enacted  # agreed to in the House (2015-09-08) and the Senate (2015-09-16)
    assert record.policy_area == "Congress"
    assert "Olympic games" in record.subjects
    assert [c.code for c in record.committees] == ["hspw00", "hspw13"]


@pytest.mark.realdata
def test_114_hjres45_constitutional_amendment_legacy() -> None:
    # usgpo_samples/legacy/BILLSTATUS-114hjres45.xml
    record = parse_file("usgpo_samples", "legacy", "BILLSTATUS-114hjres45.xml")
    assert (record.identifier, record.classification) == ("HJRES 45", "joint resolution")
    (sponsor,) = by_kind(record, "primary")
    assert (sponsor.name, sponsor.person_id) == ("Rep. Franks, Trent [R-AZ-8]", "F000448")
    assert len(by_kind(record, "cosponsor")) == 6
    assert len(record.actions) == 5
    assert record.stage == Stage.in_committee
    assert record.policy_area == "Crime and Law Enforcement"
    assert "Crime victims" in record.subjects
    assert [c.code for c in record.committees] == ["hsju00", "hsju10"]


@pytest.mark.realdata
def test_117_s1260_innovation_and_competition_act_pre_2022() -> None:
    # usgpo_samples/formatChange/current/BILLSTATUS-117s1260.xml (pre-2022 schema, no <version>)
    record = parse_file("usgpo_samples", "formatChange", "current", "BILLSTATUS-117s1260.xml")
    assert record.title == "United States Innovation and Competition Act of 2021"
    (sponsor,) = by_kind(record, "primary")
    assert (sponsor.name, sponsor.person_id, sponsor.party, sponsor.state, sponsor.district) == (
        "Sen. Schumer, Charles E. [D-NY]",
        "S000148",
        "D",
        "NY",
        None,
    )
    cosponsors = by_kind(record, "cosponsor")
    assert len(cosponsors) == 13 and all(c.is_original for c in cosponsors)
    assert len(record.actions) == 26
    assert record.stage == Stage.passed_origin_chamber
    assert record.policy_area == "Science, Technology, Communications"
    assert len(record.subjects) == 114 and "Africa" in record.subjects
    assert [(c.code, c.chamber) for c in record.committees] == [("sscm00", "upper")]
    assert [(v.label, v.code, str(v.date)) for v in record.versions] == [
        ("Engrossed in Senate", "es", "2021-06-08"),
        ("Reported to Senate", "rs", "2021-05-13"),
        ("Introduced in Senate", "is", "2021-04-20"),
    ]


@pytest.mark.realdata
def test_119_hr1343_cdata_summary() -> None:
    # congress119/data/119/bills/hr/hr1343/fdsys_billstatus.xml: <summaries><summary><cdata><text>&lt;p&gt;...
    record = parse_file("congress119", "data", "119", "bills", "hr", "hr1343", "fdsys_billstatus.xml")
    assert record.title == "Federal Broadband Deployment Tracking Act"
    (sponsor,) = by_kind(record, "primary")
    assert (sponsor.name, sponsor.person_id) == ("Rep. Pfluger, August [R-TX-11]", "P000048")
    (cosponsor,) = by_kind(record, "cosponsor")
    assert (cosponsor.name, cosponsor.person_id, cosponsor.is_original) == (
        "Rep. Soto, Darren [D-FL-9]",
        "S001200",
        True,
    )
    assert len(record.actions) == 3
    assert record.stage == Stage.in_committee
    assert record.policy_area == "Science, Technology, Communications"
    assert record.subjects == []  # <legislativeSubjects/> is empty although the policy area is set
    assert [(c.code, c.name) for c in record.committees] == [("hsif00", "Energy and Commerce Committee")]
    assert record.summary_html is not None
    assert record.summary_html.startswith("<p><strong>Federal Broadband Deployment Tracking Act</strong></p><p>")
    assert record.summary_text is not None
    assert "<" not in record.summary_text and "&lt;" not in record.summary_text and "&nbsp;" not in record.summary_text
    first, second = record.summary_text.split("\n\n")
    assert first == "Federal Broadband Deployment Tracking Act"
    assert second.startswith("This bill requires the National Telecommunications and Information Administration")
    assert second.endswith("on public lands or National Forest System land.)")
    assert record.session.name == "119th Congress" and str(record.session.start_date) == "2025-01-03"


@pytest.mark.realdata
def test_119_hr4942_without_policy_area() -> None:
    # congress119/data/119/bills/hr/hr4942/fdsys_billstatus.xml
    record = parse_file("congress119", "data", "119", "bills", "hr", "hr4942", "fdsys_billstatus.xml")
    assert record.title == "Quantum Encryption Readiness and Resilience Act"
    (sponsor,) = by_kind(record, "primary")
    assert (sponsor.name, sponsor.person_id) == ("Rep. Subramanyam, Suhas [D-VA-10]", "S001230")
    cosponsors = by_kind(record, "cosponsor")
    assert len(cosponsors) == 4 and [c.is_original for c in cosponsors].count(True) == 3
    assert len(record.actions) == 3
    assert record.stage == Stage.in_committee
    assert record.policy_area is None and record.subjects == []
    assert [c.code for c in record.committees] == ["hssy00"]
    assert record.summary_html is None and record.summary_text is None


@pytest.mark.realdata
def test_112_hr1954_debt_limit_bill_failed_under_suspension() -> None:
    # misc/112/bills/hr/hr1954/fdsys_billstatus.xml (3.0.0 schema for a 2011 bill)
    record = parse_file("misc", "112", "bills", "hr", "hr1954", "fdsys_billstatus.xml")
    assert record.title == "To implement the President's request to increase the statutory limit on the public debt."
    (sponsor,) = by_kind(record, "primary")
    assert (sponsor.name, sponsor.person_id) == ("Rep. Camp, Dave [R-MI-4]", "C000071")
    assert by_kind(record, "cosponsor") == []
    assert len(record.actions) == 11
    # Its only floor vote was a failed motion to suspend the rules: not a disposal (see BILLSTATUS_RULES).
    assert record.stage == Stage.in_committee
    assert record.policy_area == "Economics and Public Finance"
    assert record.subjects == ["Budget deficits and national debt"]
    assert [c.code for c in record.committees] == ["hswm00"]
    assert {r.relationship for r in record.related_bills} <= {"Related bill", "Identical bill", "Procedurally-related"}
    assert len(record.related_bills) == 4  # 3 related bills, 4 relationship details


@pytest.mark.realdata
def test_117_hr9_reserved_number_in_the_old_schema() -> None:
    # misc/117/bills/hr/hr9/fdsys_billstatus.xml: a 117th-Congress file still in the legacy schema
    record = parse_file("misc", "117", "bills", "hr", "hr9", "fdsys_billstatus.xml")
    assert (record.identifier, record.title) == ("HR 9", "Reserved for the Speaker.")
    assert record.sponsorships == [] and record.committees == [] and record.subjects == []
    assert [a.action_code for a in record.actions] == ["1000", "Intro-H"]  # reversed document order
    assert record.stage == Stage.introduced
    assert utc(record.upstream_updated_at) == dt.datetime(2021, 8, 5, 14, 33, 24)  # updateDate, the only stamp


def test_html_to_text_keeps_paragraphs_and_collapses_the_rest() -> None:
    # Hand-written markup in the style of CRS summaries.
    markup = (
        "<p><strong>Short Act</strong></p> <p>This bill&nbsp;does\n  things:</p>"
        "<ul><li>one</li><li>two<br>lines</li></ul><table><tr><td>a</td><td>b</td></tr></table>"
    )
    assert html_to_text(markup) == "Short Act\n\nThis bill does things:\n\none\n\ntwo lines\n\na b"
    assert html_to_text("plain text, no markup") == "plain text, no markup"
    assert html_to_text("<p> </p>") is None


# --- hostile and broken input ----------------------------------------------------------------------------------

# Hand-written: the classic "billion laughs", lol9 expands to 10**9 "lol"s.
BILLION_LAUGHS = (
    b'<?xml version="1.0"?>\n<!DOCTYPE billStatus [\n <!ENTITY lol0 "lol">\n'
    + b"".join(b' <!ENTITY lol%d "%s">\n' % (i, b"&lol%d;" % (i - 1) * 10) for i in range(1, 10))
    + b"]>\n<billStatus><bill><title>&lol9;</title></bill></billStatus>"
)


def assert_refused(data: bytes, locator: str, reason_part: str) -> ParseError:
    with pytest.raises(ParseError) as caught:
        parse_billstatus(data, locator)
    assert caught.value.locator == locator and str(caught.value).startswith(f"{locator}: ")
    assert reason_part in caught.value.reason, caught.value.reason
    return caught.value


def test_empty_input() -> None:
    assert_refused(b"", "feed/empty.xml", "empty")
    assert_refused(b"  \n\t", "feed/blank.xml", "empty")


def test_not_xml() -> None:
    assert_refused(b"%PDF-1.7 binary junk", "feed/junk.xml", "not XML")
    assert_refused(b'{"bill": {"number": "1"}}', "feed/json.xml", "line 1")


@pytest.mark.realdata
def test_truncated_file() -> None:
    path = require_realdata("billstatus", "usgpo_samples", "legacy", "BILLSTATUS-114hres348.xml")
    data = path.read_bytes()
    error = assert_refused(data[: len(data) // 2], "feed/truncated.xml", "malformed XML")
    assert "line" in error.reason


def test_billion_laughs_is_refused_without_expansion() -> None:
    assert_refused(BILLION_LAUGHS, "feed/bomb.xml", "DOCTYPE with entity declarations refused")


def test_external_entity_is_refused_and_never_read(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP SECRET")
    xxe = (
        f'<?xml version="1.0"?><!DOCTYPE billStatus [<!ENTITY xxe SYSTEM "{secret.as_uri()}">]>'
        "<billStatus><bill><title>&xxe;</title></bill></billStatus>"
    ).encode()
    error = assert_refused(xxe, "feed/xxe.xml", "DOCTYPE with entity declarations refused")
    assert "TOP SECRET" not in str(error)


def test_entities_are_refused_in_any_encoding() -> None:
    # UTF-16 hides the DOCTYPE from a byte scan; the parsed DTD still gives it away.
    utf16 = '<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE r [<!ENTITY a "x">]><r>&a;</r>'.encode("utf-16")
    with pytest.raises(ParseError, match="DOCTYPE with entity declarations refused"):
        parse_xml(utf16, "feed/utf16.xml")


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be", "utf-32", "utf-32-le", "utf-32-be"])
def test_a_wide_encoded_bomb_is_refused_before_parsing(encoding: str) -> None:
    # The byte scan read only ASCII-compatible bytes: a UTF-16 billion laughs reached libxml2, which stopped it
    # as "not XML: Maximum entity amplification factor exceeded". The scan now reads UTF-16 and UTF-32 as text,
    # with or without a byte order mark.
    declared = BILLION_LAUGHS.replace(b'version="1.0"?>', f'version="1.0" encoding="{encoding.upper()}"?>'.encode())
    assert_refused(declared.decode().encode(encoding), f"feed/bomb-{encoding}.xml", ENTITY_REFUSAL)


def test_a_doctype_without_entities_is_accepted_and_never_fetched() -> None:
    root = parse_xml(b'<!DOCTYPE r SYSTEM "http://127.0.0.1:9/never.dtd"><r>ok</r>', "feed/dtd.xml")
    assert root.text == "ok"


def test_other_root_element() -> None:
    assert_refused(b"<html><body>Not found</body></html>", "feed/404.xml", "root element is <html>")


@pytest.mark.parametrize(
    ("fragment", "reason"),
    [
        ("<type>HR</type><congress>117</congress><title>T</title>", "<number> / <billNumber>"),
        ("<number>1</number><congress>117</congress><title>T</title>", "<type> / <billType>"),
        ("<number>1</number><type>HR</type><title>T</title>", "<congress>"),
        ("<number>1</number><type>XYZ</type><congress>117</congress><title>T</title>", "invalid bill type"),
        ("<number>1</number><type>HR</type><congress>117</congress>", "missing bill <title>"),
    ],
)
def test_missing_identity_names_the_field(fragment: str, reason: str) -> None:
    assert_refused(f"<billStatus><bill>{fragment}</bill></billStatus>".encode(), "feed/bad.xml", reason)


def test_a_value_failing_validation_names_its_field_path() -> None:
    bad_date = (
        b"<billStatus><bill><number>1</number><type>HR</type><congress>117</congress><title>T</title>"
        b"<latestAction><actionDate>2021-03-01</actionDate><text>Introduced in House</text></latestAction>"
        b"<actions><item><actionDate>2021-02-30</actionDate><text>Introduced in House</text></item></actions>"
        b"</bill></billStatus>"
    )
    assert_refused(bad_date, "feed/bad-date.xml", "invalid actions.0.date")


def test_minimal_document_gets_the_federal_defaults() -> None:
    record = parse_billstatus(
        b"<billStatus><bill><number>0007</number><type>sconres</type><congress>117</congress>"
        b"<title>T</title></bill></billStatus>",
        "feed/minimal.xml",
    )
    assert (record.identifier, record.number, record.bill_type) == ("SCONRES 7", "7", "SCONRES")
    assert (record.jurisdiction.id, record.jurisdiction.name, record.jurisdiction.level) == (
        "us",
        "United States",
        "federal",
    )
    assert (record.session.identifier, record.session.name) == ("117", "117th Congress")
    assert (str(record.session.start_date), str(record.session.end_date)) == ("2021-01-03", "2023-01-03")
    assert record.source_name == "govinfo_billstatus" and record.source_key == "117-sconres-7"
    assert record.source_urls[1] == "https://www.congress.gov/bill/117th-congress/senate-concurrent-resolution/7"
    assert record.stage == Stage.introduced


# --- the whole 117th Congress ----------------------------------------------------------------------------------


@pytest.mark.realdata
def test_115_s2979_concurrent_senate_referral_is_in_committee() -> None:
    # usgpo_samples/actions-committees/BILLSTATUS-115s2979.xml: one action, no action code, "Read twice and
    # referred concurrently to the Committees on Appropriations; the Budget pursuant to the order of ..."
    record = parse_file("usgpo_samples", "actions-committees", "BILLSTATUS-115s2979.xml")
    (action,) = [a for a in record.actions if "referred concurrently" in a.text]
    assert "referral-committee" in action.classification
    assert record.stage == Stage.in_committee


@pytest.mark.realdata
@pytest.mark.slow
def test_whole_117th_congress_archive_parses() -> None:
    archive = require_realdata("billstatus", "congress117", "c117_all.tar.gz")
    stages: collections.Counter[str] = collections.Counter()
    errors: list[str] = []
    laws = 0
    law_dates_off: list[str] = []
    parsed = 0
    roll_calls = unworded = 0
    with tarfile.open(archive, "r|gz") as tar:  # streaming, nothing extracted
        for member in tar:
            if not member.name.endswith("/fdsys_billstatus.xml"):
                continue
            data = tar.extractfile(member).read()  # type: ignore[union-attr]
            try:
                record = parse_billstatus(data, member.name)
            except ParseError as exc:
                errors.append(str(exc))
            else:
                stages[record.stage] += 1
                roll_calls += len(record.votes)
                unworded += sum(1 for v in record.votes if not (v.motion and str(v.roll_number) in v.motion))
                became_law = {a.date for a in record.actions if "became-law" in a.classification}
                for version in record.versions:
                    if version.label == "Public Law":
                        laws += 1
                        if version.date not in became_law:
                            law_dates_off.append(f"{record.identifier}: {version.date} not in {became_law}")
            parsed += 1
    assert parsed == 17_817 and not errors, f"{len(errors)} errors, first {errors[:5]}; stages {dict(stages)}"
    # Every Public Law text is dated the day its bill became law (upstream: 23:59:59 Eastern, as UTC).
    assert laws == 228 and not law_dates_off, law_dates_off[:5]
    # Failed passage in the Senate (5), tabled House resolutions (4); failed suspension votes are not failures.
    assert stages[Stage.failed] == 9
    # 1,429 <recordedVote> elements on the bills' actions (the archive's other 783 are on amendments), most roll
    # calls on two actions (the chamber's and the Library of Congress's copy): 820 distinct roll calls (counted with
    # lxml by chamber, Congress, session and roll number), each worded by an action that names it.
    assert (roll_calls, unworded) == (820, 0)


# --- garbled identity fields (mutants of a real file) -----------------------------------------------------------


@pytest.mark.realdata
@pytest.mark.parametrize(("element", "value", "reason"), [
    ("congress", "5000", "invalid bill <congress>: '5000'"),  # date() raised for the session: a traceback
    ("congress", "9" * 20, "invalid bill <congress>"),  # OverflowError
    ("congress", "0", "invalid bill <congress>: '0'"),  # stored as the "0th Congress" of 1787
    ("congress", "\u00b2", "invalid bill <congress>"),  # "²".isdigit() is True, int("²") raises
    ("billNumber", "0", "invalid bill number: '0'"),  # stored as "HR 0"
    ("billNumber", "\u00b9\u00b2", "invalid bill number"),
])
def test_a_garbled_congress_or_number_is_refused_naming_the_field(element: str, value: str, reason: str) -> None:
    # usgpo_samples/legacy/BILLSTATUS-114hr1531.xml: <congress>114</congress>, <billNumber>1531</billNumber>.
    data = require_realdata("billstatus", "usgpo_samples", "legacy", "BILLSTATUS-114hr1531.xml").read_bytes()
    original = {"congress": b"<congress>114</congress>", "billNumber": b"<billNumber>1531</billNumber>"}[element]
    assert original in data
    mutant = data.replace(original, f"<{element}>{value}</{element}>".encode(), 1)
    assert_refused(mutant, "feed/garbled.xml", reason)


@pytest.mark.realdata
def test_a_related_bill_with_a_garbled_number_is_left_out() -> None:
    # usgpo_samples/legacy/BILLSTATUS-114hr1314.xml lists related bills; "²" passed str.isdigit and made int() raise.
    path = require_realdata("billstatus", "usgpo_samples", "legacy", "BILLSTATUS-114hr1314.xml")
    data = path.read_bytes()
    original = parse_billstatus(data, str(path))
    first = original.related_bills[0].identifier.split()[1]
    start = data.index(b"<relatedBills>")
    mutant = data[:start] + data[start:].replace(f"<number>{first}</number>".encode(), "<number>\u00b2</number>"
                                                 .encode(), 1)
    assert mutant != data
    record = parse_billstatus(mutant, "feed/garbled-related.xml")
    assert record.identifier == original.identifier
    assert 0 < len(record.related_bills) < len(original.related_bills)
    assert all(re.fullmatch(r"[A-Z]+ [1-9]\d*", related.identifier) for related in record.related_bills)


@pytest.mark.realdata
@pytest.mark.parametrize(("original", "garbled", "reason"), [
    # Cut to ten characters, these passed as a plausible 2015-03-23 (tracker.dates.local_day).
    (b"<introducedDate>2015-03-23</introducedDate>", b"<introducedDate>2015-03-23T25:00:00Z</introducedDate>",
     "invalid introduced_date"),
    (b"<actionDate>2015-08-28</actionDate>", b"<actionDate>2015-08-28 (approx.)</actionDate>",
     "invalid actions."),
    # Pydantic read digits as seconds since 1970: stored as a 1970 stamp, the file then "superseded".
    (b"<updateDate>2015-11-16T16:12:35Z</updateDate>", b"<updateDate>20151116</updateDate>",
     "invalid upstream_updated_at"),
    (b"<updateDate>2015-11-16T16:12:35Z</updateDate>", b"<updateDate>-1</updateDate>",
     "invalid upstream_updated_at"),
    # A stamp years ahead outranked every real update after it: each later copy counted as superseded.
    (b"<updateDate>2015-11-16T16:12:35Z</updateDate>", b"<updateDate>9999-12-31T00:00:00Z</updateDate>",
     "invalid upstream_updated_at: Value error, 9999-12-31T00:00:00+00:00 is in the future"),
])
def test_a_garbled_date_or_stamp_is_refused_not_stored_as_another(original: bytes, garbled: bytes,
                                                                  reason: str) -> None:
    # usgpo_samples/legacy/BILLSTATUS-114hr1531.xml, one element garbled.
    data = require_realdata("billstatus", "usgpo_samples", "legacy", "BILLSTATUS-114hr1531.xml").read_bytes()
    assert original in data
    assert_refused(data.replace(original, garbled, 1), "feed/garbled-date.xml", reason)


@pytest.mark.realdata
@pytest.mark.parametrize("damage", ["unfinished-cdata", "nul-byte", "huge-attribute"])
def test_a_malformed_file_is_refused_with_a_reason_on_one_line(damage: str) -> None:
    # libxml2's messages for these span lines (a trailing newline, or a quote of the document after the message);
    # the reason went into the run's errors and the import's report as it was.
    data = require_realdata("billstatus", "usgpo_samples", "legacy", "BILLSTATUS-114hr1531.xml").read_bytes()
    middle = data.index(b"<title>") + len(b"<title>")
    mutant = {
        "unfinished-cdata": data[:middle] + b"<![CDATA[ <p>one</p>\n <p>two</p>\n",
        "nul-byte": data[:middle] + b"\x00" + data[middle:],
        "huge-attribute": data.replace(b"<billStatus", b'<billStatus x="' + b"A" * 20_000_000 + b'"', 1),
    }[damage]
    error = assert_refused(mutant, "feed/damaged.xml", "malformed XML")
    assert "\n" not in error.reason and ", line " in error.reason


@pytest.mark.realdata
def test_each_text_version_links_govinfos_pdf_and_formatted_text_of_its_package(hr3684: BillRecord) -> None:
    # BILLSTATUS names each version's GovInfo XML only (data/117/bills/hr/hr3684 in the 117th archive); GovInfo
    # serves every package's PDF and formatted text beside it (its package summary's pdfLink and txtLink, e.g.
    # govinfo_api/usgpo-api_samples/packages/BILLS-115hr1625enr-summary.json), which is what a reader opens.
    summary = require_realdata("govinfo_api", "usgpo-api_samples", "packages", "BILLS-115hr1625enr-summary.json")
    assert {"pdfLink", "txtLink", "xmlLink"} <= set(json.loads(summary.read_text())["download"])
    record = hr3684
    enrolled = next(v for v in record.versions if v.code == "enr")
    pkg = "https://www.govinfo.gov/content/pkg/BILLS-117hr3684enr"
    assert enrolled.links == [{"format": "xml", "url": f"{pkg}/xml/BILLS-117hr3684enr.xml"},
                              {"format": "pdf", "url": f"{pkg}/pdf/BILLS-117hr3684enr.pdf"},
                              {"format": "html", "url": f"{pkg}/html/BILLS-117hr3684enr.htm"}]
    assert (enrolled.url, enrolled.format) == (f"{pkg}/xml/BILLS-117hr3684enr.xml", "xml")  # the key stays
    # The public law's USLM XML is its own package's rendition; the PDF and text are the PLAW package's.
    public_law = next(v for v in record.versions if v.label == "Public Law")
    law = "https://www.govinfo.gov/content/pkg/PLAW-117publ58"
    assert {link["url"] for link in public_law.links} == {
        f"{law}_uslm/xml/PLAW-117publ58_uslm.xml", f"{law}/pdf/PLAW-117publ58.pdf", f"{law}/html/PLAW-117publ58.htm"}
