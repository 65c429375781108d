"""A packet for a meeting with a state committee's staff, on Open States bills. The real Alabama 2025 files
(openstates/scrape_AL2025) name each referral only in the action's words ("Read for the first time and referred
to the House Committee on Ways and Means Education", "Re-referred to Committee in House of Origin (Judiciary)");
their ``related_entities`` are empty. The parser kept no committee of any Open States bill: every Alabama bill
said "Committees —" and `tracker export --committee "House Judiciary"` refused, "No committee matches"."""

import datetime as dt
import json

import pytest
from realdata_paths import require_realdata
from sqlmodel import Session

from tracker.exports import Selection, build_packet
from tracker.exports.selection import resolve_selection
from tracker.ingest import IngestItem, Ingestor
from tracker.sources.openstates import parse_bill, parse_bill_object

pytestmark = pytest.mark.realdata
FILES = {"HB 52": "HB52__20241001T040000Z_entire_bill.json", "HB 177": "HB177__20250205T050000Z_entire_bill.json",
         "HJR 100": "HJR100__20250227T050000Z_entire_bill.json"}


def _read(identifier: str):  # noqa: ANN202
    path = require_realdata("openstates", "scrape_AL2025", "bills", FILES[identifier])
    return parse_bill(path.read_bytes(), str(path))


def test_each_referral_an_alabama_action_names_is_a_committee_of_the_bill() -> None:
    def committees(identifier: str) -> list[tuple[str, str | None, dt.date | None]]:
        return [(c.name, c.chamber, c.referred_date) for c in _read(identifier).committees]

    assert committees("HB 52") == [("Ways and Means Education", "lower", dt.date(2025, 2, 4)),
                                   ("Finance and Taxation General Fund", "upper", dt.date(2025, 2, 18))]
    # Re-referred by the House to its Judiciary Committee: the action names the committee in parentheses.
    assert committees("HB 177") == [("Ways and Means General Fund", "lower", dt.date(2025, 2, 5)),
                                    ("Judiciary", "lower", dt.date(2025, 2, 20))]
    # "referred to the Senate committee on RULES": the feed's capitals are not the committee's name.
    assert [name for name, _, _ in committees("HJR 100")][-1] == "Rules"


def test_an_open_states_referral_named_as_a_related_entity_is_taken_as_named() -> None:
    # Open States API v3 links a referral to the committee's organization where its scraper knows it.
    path = require_realdata("openstates", "scrape_AL2025", "bills", FILES["HB 52"])
    bill = json.loads(path.read_bytes())
    for action in bill["actions"]:
        if "referral-committee" in action["classification"]:
            action["related_entities"] = [{"name": "Education Committee", "entity_type": "organization"}]
    assert {c.name for c in parse_bill_object(bill, str(path)).committees} == {"Education Committee"}


def test_a_packet_for_an_alabama_committee_holds_the_bills_referred_to_it(session: Session) -> None:
    result = Ingestor(session).ingest([IngestItem(record=_read(identifier)) for identifier in ("HB 52", "HB 177")])
    session.commit()
    ids = dict(zip(("HB 52", "HB 177"), result.changed_bill_ids, strict=True))
    got = resolve_selection(session, Selection(committees=("House Judiciary",)))
    assert (got.bill_ids, got.description) == ([ids["HB 177"]], "Committee: House Judiciary")
    packet = json.loads(build_packet(session, Selection(committees=("Senate Finance and Taxation",)), "json"))
    [bill] = packet["bills"]
    assert bill["identifier"] == "HB 52"
    assert bill["committees"] == ["House Ways and Means Education", "Senate Finance and Taxation General Fund"]
    assert bill["committee_actions"] == [
        {"committee": "House Ways and Means Education", "action": "referred", "date": "2025-02-04"},
        {"committee": "Senate Finance and Taxation General Fund", "action": "referred", "date": "2025-02-18"}]
