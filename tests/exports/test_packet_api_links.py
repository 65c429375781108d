"""The links a packet gives for bills whose feed is a data API: a city matter (real New York City Legistar grid,
legistar/nyc/bills.html) and a federal bill read from Congress.gov's API (real H.R. 21 responses).

A matter's sources are its page on the city's Legistar site and its Web API record
(https://webapi.legistar.com/v1/nyc/matters/ID), which answers raw JSON (or, for New York City, a refusal
without a token); a Congress.gov bill's are its API record (https://api.congress.gov/v3/bill/117/hr/21, which
refuses a request without a key) and its congress.gov page. The packet called each "Bill page", and for H.R. 21
put the API record first: the spreadsheet's "Link" column opened "API_KEY_MISSING".
"""

import pytest
from hr21_feeds import hr21_from_api
from legistar_grids import grid_matters
from realdata_paths import require_realdata
from sqlmodel import Session

from tracker.exports.packet import gather_bills
from tracker.ingest import IngestItem, Ingestor
from tracker.sources.legistar import parse_matter

pytestmark = pytest.mark.realdata
PAGE = "https://nyc.legistar.com/LegislationDetail.aspx?ID=3775587&GUID=A45C1EA6-6668-42D2-82F9-22F0954D0474"
API = "https://webapi.legistar.com/v1/nyc/matters/3775587"


def test_a_city_matter_links_its_legistar_page_and_names_the_api_record_as_data(session: Session) -> None:
    grid = {m["MatterFile"]: (m, parts) for m, parts in grid_matters(require_realdata("legistar", "nyc",
                                                                                     "bills.html"))}
    matter, parts = grid["Int 1299-2018"]
    record = parse_matter({"MatterLastModifiedUtc": "2019-01-15T00:00:00", **matter}, parts, client="nyc",
                          locator="grid")
    assert record.source_urls == [PAGE, API]  # what the parser stores
    [bill_id] = Ingestor(session).ingest([IngestItem(record=record)]).changed_bill_ids
    session.commit()
    [bill] = gather_bills(session, [bill_id])
    assert bill.primary_link == PAGE
    assert [(link.label, link.url) for link in bill.links] == [
        ("Bill page (nyc.legistar.com)", PAGE),
        ("Source record (webapi.legistar.com)", API)]


def test_a_congress_gov_bill_links_its_congress_gov_page_first(session: Session) -> None:
    record = hr21_from_api()
    api, page = record.source_urls
    assert (api, page) == ("https://api.congress.gov/v3/bill/117/hr/21",
                           "https://www.congress.gov/bill/117th-congress/house-bill/21")
    [bill_id] = Ingestor(session).ingest([IngestItem(record=record)]).changed_bill_ids
    session.commit()
    [bill] = gather_bills(session, [bill_id])
    labels = {link.url: link.label for link in bill.links}
    assert bill.primary_link != api and labels[page] == "Bill page (congress.gov)"
    assert labels[api] == "Source record (api.congress.gov)"
