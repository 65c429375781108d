"""The Congress.gov API parser on the Library of Congress's real v3 responses (``congressgov_api/``), checked
against the BILLSTATUS parser on the same bill from the 117th Congress archive."""

import datetime as dt
import json
from pathlib import Path

import pytest
from hr21_feeds import API_LOCATOR as LOCATOR
from hr21_feeds import hr21_from_api, hr21_from_billstatus
from realdata_paths import require_realdata
from sqlalchemy import func, select
from sqlmodel import Session

from tracker.ingest import IngestItem, Ingestor
from tracker.models import Bill, BillChange, BillSource, BillVersion
from tracker.records import BillRecord, ParseError
from tracker.sources.congress_api import parse_bill, parse_bill_list, subresource_counts

pytestmark = pytest.mark.realdata



@pytest.fixture(scope="module")
def api_dir() -> Path:
    return require_realdata("congressgov_api")


@pytest.fixture(scope="module")
def hr21() -> BillRecord:
    return hr21_from_api()


@pytest.fixture(scope="module")
def hr21_billstatus() -> BillRecord:
    return hr21_from_billstatus()


def test_bill_detail_and_sub_resources(hr21: BillRecord) -> None:
    assert (hr21.identifier, hr21.session.identifier, hr21.title) == ("HR 21", "117", "FedRAMP Authorization Act")
    assert hr21.stage == "passed_origin_chamber" and hr21.origin_chamber == "lower"
    assert hr21.policy_area == "Government Operations and Politics"
    assert hr21.upstream_updated_at == dt.datetime(2022, 3, 25, 1, 16, 59, tzinfo=dt.UTC)
    assert hr21.source_urls == [LOCATOR, "https://www.congress.gov/bill/117th-congress/house-bill/21"]
    assert len(hr21.actions) == 10 and hr21.actions[0].text == "Introduced in House"
    passage = next(a for a in hr21.actions if a.action_code == "8000")
    assert passage.classification == ["passage"] and passage.actor == "lower"
    assert [s.name for s in hr21.sponsorships if s.kind == "primary"] == ["Rep. Connolly, Gerald E. [D-VA-11]"]
    assert sum(s.kind == "cosponsor" for s in hr21.sponsorships) == 2
    assert {c.code for c in hr21.committees} == {"ssga00", "hsgo00"}
    # "Referred to" at 2021-01-07T01:26:34Z is 8:26 pm on January 6 in Washington.
    assert {c.code: str(c.referred_date) for c in hr21.committees} == {"ssga00": "2021-01-06", "hsgo00": "2021-01-04"}
    assert "Computer security and identity theft" in hr21.subjects
    assert hr21.summary_text and hr21.summary_text.startswith("Federal Risk and Authorization Management Program")
    assert hr21.short_title == "FedRAMP Authorization Act"
    assert [r.identifier for r in hr21.related_bills] == ["S 3099"]
    introduced = next(v for v in hr21.versions if v.code == "ih")
    assert introduced.url == "https://www.govinfo.gov/content/pkg/BILLS-117hr21ih/xml/BILLS-117hr21ih.xml"
    assert {link["format"] for link in introduced.links} == {"xml", "html", "pdf"}


def test_the_two_feeds_agree_on_the_same_bill(hr21: BillRecord, hr21_billstatus: BillRecord) -> None:
    api, bulk = hr21.model_dump(), hr21_billstatus.model_dump()
    differing = {key for key in api if api[key] != bulk[key]}
    # Only what is the feed's own: its name, its URL, its update stamp, and the extra text renditions.
    assert differing == {"source_name", "source_urls", "upstream_updated_at", "versions"}
    assert [v["url"] for v in api["versions"]] == [v["url"] for v in bulk["versions"]]


def test_one_bill_from_both_feeds_is_one_bill(session: Session, hr21: BillRecord, hr21_billstatus: BillRecord
                                              ) -> None:
    ingestor = Ingestor(session)
    ingestor.ingest([IngestItem(hr21_billstatus)])
    session.commit()
    ingestor.ingest([IngestItem(hr21)])
    session.commit()
    count = lambda model: session.execute(select(func.count()).select_from(model)).scalar_one()  # noqa: E731
    assert (count(Bill), count(BillSource), count(BillVersion)) == (1, 2, 3)
    # Same versions, actions and sponsors: the second feed adds no spurious change.
    assert session.execute(select(BillChange.kind)).scalars().all() == ["new_bill"]


def test_bill_lists(api_dir: Path) -> None:
    for name, next_url in (("bill.json", "https://api.congress.gov/v3/bill?offset=20&limit=20&format=json"),
                           ("bill_117_hr.json", "https://api.congress.gov/v3/bill/117/hr?offset=20&limit=20"
                                                "&format=json")):
        page = parse_bill_list((api_dir / name).read_bytes(), name)
        assert len(page.bills) == 20 and page.next_url == next_url
    first = parse_bill_list((api_dir / "bill_117.json").read_bytes(), "bill_117.json").bills[0]
    assert (first.congress, first.bill_type, first.number, first.stamp) == (117, "hr", "3617", "2022-04-03")


def test_sub_resource_counts_say_what_to_fetch(api_dir: Path) -> None:
    counts = subresource_counts((api_dir / "bill_117_hr_21.json").read_bytes(), LOCATOR)
    assert counts == {"actions": 10, "cosponsors": 2, "committees": 2, "subjects": 14, "summaries": 2, "text": 3,
                      "titles": 8, "relatedbills": 1}


def test_bad_responses_name_the_url(api_dir: Path) -> None:
    detail = (api_dir / "bill_117_hr_21.json").read_bytes()
    with pytest.raises(ParseError) as caught:
        parse_bill(detail[: len(detail) // 2], {}, LOCATOR)
    assert caught.value.locator == LOCATOR and "not JSON" in caught.value.reason
    actions = (api_dir / "bill_117_hr_21_actions.json").read_bytes()
    with pytest.raises(ParseError, match="actions"):
        parse_bill(detail, {"actions": [actions[:300]]}, LOCATOR)
    error = json.dumps({"error": {"code": "OVER_RATE_LIMIT", "message": "You have exceeded your rate limit."}})
    with pytest.raises(ParseError, match="API error: You have exceeded"):
        parse_bill_list(error.encode(), "https://api.congress.gov/v3/bill/117")
    no_title = json.loads(detail)
    no_title["bill"]["title"] = ""
    with pytest.raises(ParseError) as caught:
        parse_bill(json.dumps(no_title).encode(), {}, LOCATOR)
    # Said once, as it is: it read "unexpected structure: ParseError: <url>: missing bill title".
    assert (caught.value.locator, caught.value.reason) == (LOCATOR, "missing bill title")
    bad_type = json.loads(detail)
    bad_type["bill"]["type"] = "XX"
    with pytest.raises(ParseError) as caught:
        parse_bill(json.dumps(bad_type).encode(), {}, LOCATOR)
    assert caught.value.reason == "invalid bill type: 'XX'"


def test_an_object_where_text_belongs_is_not_stored_as_its_repr(api_dir: Path) -> None:
    # The other JSON parsers read a dict or list in a text field as no text; this one stored "{'text': ...}".
    detail = json.loads((api_dir / "bill_117_hr_21.json").read_bytes())
    detail["bill"]["title"] = {"text": "FedRAMP Authorization Act"}
    with pytest.raises(ParseError, match="missing bill title"):
        parse_bill(json.dumps(detail).encode(), {}, LOCATOR)
    detail = json.loads((api_dir / "bill_117_hr_21.json").read_bytes())
    detail["bill"]["latestAction"]["text"] = ["Received in the Senate."]
    record = parse_bill(json.dumps(detail).encode(), {}, LOCATOR)
    assert record.latest_action_text is None


def test_the_other_feeds_copy_of_an_unchanged_bill_leaves_it_reviewed(session: Session, hr21: BillRecord,
                                                                      hr21_billstatus: BillRecord) -> None:
    """GovInfo's H.R. 21 (stamped 2022-12-16) is the API's (2022-03-25) with nothing else changed but the feed's
    name, URLs and the API's extra renditions: taking the bill over is no change to bring it back to the triage
    inbox (its rule: last_changed_at after the review)."""
    ingestor = Ingestor(session)
    ingestor.ingest([IngestItem(hr21)])
    session.commit()
    before = session.execute(select(Bill.last_changed_at)).scalar_one()
    ingestor.ingest([IngestItem(hr21_billstatus)])
    session.commit()
    bill = session.execute(select(Bill)).scalar_one()
    assert bill.source_name == "govinfo_billstatus"  # the newer copy owns the bill
    assert bill.last_changed_at == before
    assert session.execute(select(BillChange.kind)).scalars().all() == ["new_bill"]


# A SAMPLE, hand-written from the published format: api.congress.gov bill actions carry ``recordedVotes`` items with
# ``chamber``, ``congress``, ``date``, ``rollNumber``, ``sessionNumber`` and ``url`` (integers as JSON numbers; the
# values are the API's own recordedVote schema example). The real H.R. 21 actions have only empty lists (a voice
# vote). The vote is on the Senate's action and on the Library of Congress's copy, as BILLSTATUS 3.0.0 files have it.
SAMPLE_VOTE = {"chamber": "Senate", "congress": 117, "date": "2021-08-08T12:00:00Z", "rollNumber": 312,
               "sessionNumber": 1,
               "url": "https://www.senate.gov/legislative/LIS/roll_call_votes/vote1171/vote_117_1_00312.xml"}
SAMPLE_ACTIONS = {"actions": [
    {"actionDate": "2021-08-08", "recordedVotes": [SAMPLE_VOTE], "sourceSystem": {"code": 9, "name": "Library of "
     "Congress"}, "text": "Passed/agreed to in Senate: Sample motion agreed to by Yea-Nay Vote. Record Vote Number: "
     "312.", "type": "Floor", "actionCode": "17000"},
    {"actionDate": "2021-08-08", "recordedVotes": [SAMPLE_VOTE], "sourceSystem": {"code": 0, "name": "Senate"},
     "text": "Sample motion agreed to by Yea-Nay Vote. Record Vote Number: 312.", "type": "Floor"},
    {"actionDate": "2021-01-04", "recordedVotes": [], "sourceSystem": {"code": 9, "name": "Library of Congress"},
     "text": "Introduced in House", "type": "IntroReferral", "actionCode": "Intro-H"}],
    "pagination": {"count": 3}}


def test_recorded_votes_on_api_actions_are_read_as_billstatus_reads_them(api_dir: Path) -> None:
    parts = {"actions": [json.dumps(SAMPLE_ACTIONS).encode()]}
    record = parse_bill((api_dir / "bill_117_hr_21.json").read_bytes(), parts, LOCATOR)
    (vote,) = record.votes
    assert (vote.chamber, vote.roll_number, str(vote.date), vote.url) == (
        "upper", 312, "2021-08-08", SAMPLE_VOTE["url"])
    assert vote.motion == "Sample motion agreed to by Yea-Nay Vote. Record Vote Number: 312."  # the Senate's words
    assert vote.source_key == "117-hr-21/roll/senate-117-1-312" and vote.yes_count is None
    assert hr21_from_api().votes == []  # the real responses: no recorded vote
