"""Open States parser on the real Alabama 2025 bulk bill JSON (openstates/scrape_AL2025) and on an API v3
``/bills`` page written for this test from the published schema (no real API responses exist in realdata)."""

import collections
import json

import pytest
from realdata_paths import require_realdata

from tracker.dates import local_day
from tracker.models.enums import Stage
from tracker.records import BillRecord, ParseError
from tracker.sources.openstates import looks_like_bill, parse_bill, parse_bills_page


@pytest.mark.realdata
def test_every_bulk_bill_parses() -> None:
    files = sorted(require_realdata("openstates", "scrape_AL2025", "bills").glob("*.json"))
    assert len(files) == 1422
    stages: collections.Counter[str] = collections.Counter()
    keys = set()
    for path in files:
        data = path.read_bytes()
        assert looks_like_bill(data)
        record = parse_bill(data, str(path))
        assert record.jurisdiction.id == "al" and record.session.identifier == "2025rs"
        assert " " in record.identifier and record.identifier == record.identifier.upper()
        dates = [a.date for a in record.actions if a.date]
        assert dates == sorted(dates)
        stages[record.stage] += 1
        keys.add(record.source_key)
    assert len(keys) == 1422
    assert stages[Stage.enacted] > 600 and stages[Stage.failed] > 100


@pytest.mark.realdata
def test_bulk_action_dates_are_local_midnights_kept_as_written() -> None:
    # The scraper writes days as midnight Eastern in UTC ("2025-02-04T05:00:00+00:00", 04:00 in summer): the
    # date written is the day. Converting the offset to Alabama's zone would move each a day back.
    files = sorted(require_realdata("openstates", "scrape_AL2025", "bills").glob("*.json"))
    zoned = 0
    for path in files:
        raw = [a.get("date") or "" for a in json.loads(path.read_bytes()).get("actions", [])]
        record = parse_bill(path.read_bytes(), str(path))
        for text in raw:
            if len(text) > 10:
                zoned += 1
                assert text[10:] in ("T04:00:00+00:00", "T05:00:00+00:00"), (path.name, text)
                assert local_day(text) == text[:10], (path.name, text)  # midnight in Washington
        assert sorted(str(a.date) for a in record.actions if a.date) == sorted(t[:10] for t in raw if t)
    assert zoned == 13_112


@pytest.mark.realdata
def test_a_lost_floor_vote_classified_passage_does_not_pass_the_bill() -> None:
    # The Alabama scraper classifies the motion, not its outcome: SB 82's House vote "Motion to Read a Third Time
    # and Pass as Amended - Lost Roll Call 1243" comes as "passage", and the bill read as passed by both chambers.
    folder = require_realdata("openstates", "scrape_AL2025", "bills")
    sb82 = parse_bill((folder / "SB82__20250204T050000Z_entire_bill.json").read_bytes(), "SB82")
    lost = next(a for a in sb82.actions if a.text.endswith("- Lost Roll Call 1243"))
    assert lost.classification == []
    assert sb82.stage == Stage.passed_origin_chamber  # the Senate passed it (Roll Call 19); the House did not
    # Lost, reconsidered, then passed the same day (read in order): the passage that carried still counts.
    sb156 = parse_bill(next(folder.glob("SB156__*.json")).read_bytes(), "SB156")
    assert [a.classification for a in sb156.actions if "Third Time and Pass" in a.text] == [[], ["passage"]]
    assert sb156.stage == Stage.passed_origin_chamber


@pytest.mark.realdata
def test_a_joint_resolution_open_states_calls_a_resolution_travels_as_one() -> None:
    """The Alabama scraper classifies HJR and SJR as "resolution": read so, one chamber's adoption would be the
    final stage of a joint resolution, which also needs the other chamber and goes to the Governor."""
    files = require_realdata("openstates", "scrape_AL2025", "bills")
    for name, kind in (("HJR3__", "joint resolution"), ("SJR9__", "joint resolution"), ("HR1__", "resolution"),
                       ("SR1__", "resolution"), ("HB100__", "bill")):
        path = next(files.glob(f"{name}*.json"))
        assert parse_bill(path.read_bytes(), str(path)).classification == kind, name
    hjr3 = parse_bill(next(files.glob("HJR3__*.json")).read_bytes(), "HJR 3")
    assert hjr3.stage == Stage.sent_to_executive  # adopted by the House, reported in the Senate, delivered


def test_a_resolution_its_chamber_adopted_is_adopted_in_either_chamber() -> None:
    """Alabama's scraper leaves "motion to Adopt - Adopted" unclassified: its 35 Senate resolutions stayed
    "introduced" after the Senate adopted them, while House ones (classified on "Joint Rule 11") read as adopted.
    On a bill the same words adopt an amendment, which passes nothing."""
    files = require_realdata("openstates", "scrape_AL2025", "bills")
    by_type: dict[str, collections.Counter[str]] = collections.defaultdict(collections.Counter)
    records = {}
    for path in sorted(files.glob("*.json")):
        record = parse_bill(path.read_bytes(), str(path))
        records[record.identifier] = record
        by_type[record.bill_type][record.stage] += 1
    sr1 = records["SR 1"]  # "Waggoner motion to Adopt - Adopted Voice Vote" in the Senate
    assert sr1.stage == Stage.enacted and records["HR 1"].stage == Stage.enacted
    assert "passage" in next(a.classification for a in sr1.actions if "Adopted" in a.text)
    adopted = {ident for ident, r in records.items() if r.bill_type == "SR"
               and any("to Adopt - Adopted" in a.text for a in r.actions)}
    assert adopted and all(records[ident].stage == Stage.enacted for ident in adopted)
    # Amendments adopted on bills pass nothing: HB and SB stages are the classifications' alone.
    assert by_type["HB"][Stage.enacted] == 176 and by_type["HB"][Stage.passed_origin_chamber] == 171
    assert by_type["SB"][Stage.enacted] == 134 and by_type["SB"][Stage.in_committee] == 96


@pytest.mark.realdata
def test_an_alabama_days_actions_read_oldest_first_and_the_latest_is_the_days_last() -> None:
    """Alabama's scraper lists each day's actions newest first ("Delivered to Governor" before "Enrolled" before
    "Ready to Enroll"); kept so, the bill page read them backwards and the latest action was the day's first:
    SR 12 "Read for the first time" after the Senate had adopted it."""
    files = require_realdata("openstates", "scrape_AL2025", "bills")
    hb100 = parse_bill(next(files.glob("HB100__*.json")).read_bytes(), "HB 100")
    day = [a.text for a in hb100.actions if str(a.date) == "2025-03-05"]
    assert day.index("Ready to Enroll") < day.index("Enrolled") < day.index("Delivered to Governor")
    passed = [a.text for a in hb100.actions if str(a.date) == "2025-02-13" and a.actor == "lower"]
    assert passed == ["Third Reading in House of Origin", "Motion to Read a Third Time and Pass - Adopted Roll Call 84"]
    sr12 = parse_bill(next(files.glob("SR12__*.json")).read_bytes(), "SR 12")
    assert sr12.latest_action_text == "Waggoner motion to Adopt - Adopted Roll Call 6"
    assert sr12.stage == Stage.enacted


@pytest.mark.realdata
def test_hb100() -> None:
    path = require_realdata("openstates", "scrape_AL2025", "bills", "HB100__20250129T050000Z_entire_bill.json")
    record = parse_bill(path.read_bytes(), str(path))
    assert record.identifier == "HB 100" and record.source_key == "al/2025rs/HB 100"
    assert record.stage == Stage.enacted  # "Enacted" classified became-law
    assert record.origin_chamber == "lower"
    assert record.sponsorships[0].name == "Pettus" and record.sponsorships[0].person_id is None
    assert record.versions[0].label == "Introduced" and record.versions[0].url.endswith("HB100-int.pdf")
    assert record.upstream_updated_at is None  # scraped_at is a run stamp, not a change


# Written for this test from api-v3 api/schemas.py and docs (FORMATS.md section 3): a /bills page.
API_PAGE = {
    "results": [{
        "id": "ocd-bill/0f0e8b6c-0000-4000-8000-000000000001", "session": "20252026",
        "jurisdiction": {"id": "ocd-jurisdiction/country:us/state:ca/government", "name": "California",
                         "classification": "state"},
        "from_organization": {"id": "ocd-organization/x", "name": "Senate", "classification": "upper"},
        "identifier": "SB 275", "title": "Eligible training provider list.", "classification": ["bill"],
        "subject": [], "openstates_url": "https://openstates.org/ca/bills/20252026/SB275/",
        "updated_at": "2026-03-02T15:00:00", "first_action_date": "2025-02-04",
        "latest_action_date": "2025-10-11", "latest_action_description": "Vetoed by Governor.",
        "abstracts": [{"abstract": "Existing law provides ...", "note": "digest"}],
        "actions": [
            {"description": "Introduced.", "date": "2025-02-04", "classification": ["introduction"], "order": 1,
             "organization": {"classification": "upper"}},
            {"description": "Read third time. Passed.", "date": "2025-06-02", "classification": ["passage"],
             "order": 2, "organization": {"classification": "upper"}},
            {"description": "Vetoed by Governor.", "date": "2025-10-11", "classification": ["executive-veto"],
             "order": 3, "organization": {"classification": "executive"}},
        ],
        "sponsorships": [{"name": "Smallwood-Cuevas", "primary": True, "classification": "author",
                          "person": {"id": "ocd-person/1", "party": "Democratic"}}],
    }, {"identifier": "SB 1"}],
    "pagination": {"per_page": 20, "page": 1, "max_page": 3, "total_items": 42},
}


def test_a_title_of_the_wrong_type_is_refused() -> None:
    bill = {**API_PAGE["results"][0], "title": ["Eligible training provider list."]}
    page = parse_bills_page(json.dumps({**API_PAGE, "results": [bill]}).encode(), "https://v3.openstates.org/bills")
    [bad] = page.bills
    assert isinstance(bad, ParseError) and bad.reason == "missing title"  # not the title "['Eligible ...']"


def test_api_page_shape() -> None:
    page = parse_bills_page(json.dumps(API_PAGE).encode(), "https://v3.openstates.org/bills?page=1")
    assert (page.page, page.max_page, page.total_items) == (1, 3, 42)
    good, bad = page.bills
    assert isinstance(good, BillRecord) and isinstance(bad, ParseError)
    # Located by the bill too, not only by a position that shifts as bills change.
    assert bad.locator.endswith("#results[1] (SB 1)") and "jurisdiction" in bad.reason
    assert good.source_key == "ocd-bill/0f0e8b6c-0000-4000-8000-000000000001"
    assert (good.jurisdiction.id, good.session.identifier, good.identifier) == ("ca", "20252026", "SB 275")
    assert good.stage == Stage.vetoed and good.sponsorships[0].person_id == "ocd-person/1"
    assert good.summary_text == "Existing law provides ..."


def test_api_errors() -> None:
    with pytest.raises(ParseError, match="API error: exceeded limit"):
        parse_bills_page(b'{"detail": "exceeded limit of 10/min: 11"}', "u")
    with pytest.raises(ParseError, match="not JSON"):
        parse_bill(b'{"identifier": ', "f.json")
