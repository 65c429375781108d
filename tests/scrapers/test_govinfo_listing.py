"""GovInfo listing parsers. No real sitemap or JSON listing sample exists (realdata README), so the documents
here are written by hand from the published formats in FORMATS.md section 1 (sitemaps.org schema; the JSON
listing's entry fields as reported by third parties)."""

import json

import pytest

from tracker.records import ParseError
from tracker.sources.govinfo_listing import (
    canonical,
    http_date,
    parse_json_listing,
    parse_sitemap_index,
    parse_stamp,
    parse_urlset,
    rebase,
    stamps_match,
)

NS = "http://www.sitemaps.org/schemas/sitemap/0.9"

INDEX = f"""<?xml version="1.0" encoding="UTF-8"?>
<sitemapindex xmlns="{NS}">
  <sitemap><loc>https://www.govinfo.gov/sitemap/bulkdata/BILLSTATUS/119hr/sitemap.xml</loc>
    <lastmod>2025-09-18T20:26:41.512Z</lastmod></sitemap>
  <sitemap><loc>https://www.govinfo.gov/sitemap/bulkdata/BILLSTATUS/119sjres/sitemap.xml</loc>
    <lastmod>2025-09-17T10:00:00.000Z</lastmod></sitemap>
  <sitemap><loc>https://www.govinfo.gov/sitemap/bulkdata/BILLS/119hr/sitemap.xml</loc></sitemap>
</sitemapindex>""".encode()

URLSET = f"""<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="{NS}">
  <url><loc>https://www.govinfo.gov/bulkdata/BILLSTATUS/119/hr/BILLSTATUS-119hr1343.xml</loc>
    <lastmod>2025-06-21T07:12:01.719Z</lastmod></url>
  <url><loc>https://www.govinfo.gov/bulkdata/BILLSTATUS/119/hr/BILLSTATUS-119hr4942.xml</loc></url>
  <url><loc>https://www.govinfo.gov/bulkdata/BILLSTATUS/119/hr/BILLSTATUS-119-hr.zip</loc></url>
  <url><loc>https://www.govinfo.gov/bulkdata/BILLSTATUS/119/hr/BILLSTATUS-118hr5.xml</loc></url>
</urlset>""".encode()


def test_sitemap_index_names_billstatus_collections_only() -> None:
    found = parse_sitemap_index(INDEX, "index.xml")
    assert found == {
        (119, "hr"): ("https://www.govinfo.gov/sitemap/bulkdata/BILLSTATUS/119hr/sitemap.xml",
                      "2025-09-18T20:26:41.512Z"),
        (119, "sjres"): ("https://www.govinfo.gov/sitemap/bulkdata/BILLSTATUS/119sjres/sitemap.xml",
                         "2025-09-17T10:00:00.000Z"),
    }


def test_urlset_lists_bill_files_with_their_stamps() -> None:
    files = parse_urlset(URLSET, "119hr/sitemap.xml")
    assert [(f.congress, f.bill_type, f.number, f.stamp) for f in files] == [
        (119, "hr", "1343", "2025-06-21T07:12:01.719Z"), (119, "hr", "4942", None)]  # no zip, no mismatch


def test_json_listing_skips_folders_and_zips() -> None:
    doc = {"files": [
        {"name": "BILLSTATUS-119hr1.xml", "justFileName": "BILLSTATUS-119hr1.xml", "folder": False,
         "link": "https://www.govinfo.gov/bulkdata/BILLSTATUS/119/hr/BILLSTATUS-119hr1.xml",
         "formattedLastModifiedTime": "18-Sep-2025 20:26", "size": 20311, "formattedSize": "19.8 KB",
         "mimeType": "application/xml", "fileExtension": "xml"},
        {"name": "BILLSTATUS-119-hr.zip", "folder": False, "fileExtension": "zip",
         "link": "https://www.govinfo.gov/bulkdata/BILLSTATUS/119/hr/BILLSTATUS-119-hr.zip"},
        {"name": "hr", "folder": True, "link": "https://www.govinfo.gov/bulkdata/json/BILLSTATUS/119/hr"},
    ]}
    [only] = parse_json_listing(json.dumps(doc).encode(), "listing")
    assert (only.number, only.stamp) == ("1", "18-Sep-2025 20:26")


@pytest.mark.parametrize("body, reason", [
    (b"<html><body>Service unavailable</body></html>", "expected a sitemap <urlset>"),
    (b'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>https://www.gov', "malformed XML"),
    (b'<?xml version="1.0"?><!DOCTYPE u [<!ENTITY a "aaaa">]><urlset/>', "entity declarations refused"),
])
def test_bad_sitemaps_are_refused_naming_the_url(body: bytes, reason: str) -> None:
    with pytest.raises(ParseError) as caught:
        parse_urlset(body, "https://mirror.test/117hr/sitemap.xml")
    assert caught.value.locator == "https://mirror.test/117hr/sitemap.xml" and reason in caught.value.reason


def test_bad_json_listing_is_refused() -> None:
    with pytest.raises(ParseError, match="not JSON"):
        parse_json_listing(b'{"files": [{"name": "BILLSTATUS-', "listing")
    with pytest.raises(ParseError, match=r'expected \{"files"'):
        parse_json_listing(b'{"error": "Not Acceptable"}', "listing")


def test_stamps_compare_at_the_coarser_precision() -> None:
    assert stamps_match("2022-12-29T07:12:01.719Z", "2022-12-29T07:12:01.719Z")
    assert not stamps_match("2022-12-29T07:12:01.719Z", "2022-12-29T07:12:02.000Z")
    assert stamps_match("2022-12-29T07:12:01.719Z", "29-Dec-2022 07:12")  # the JSON listing's minutes
    assert not stamps_match("2022-12-29T07:12:01.719Z", "29-Dec-2022 07:13")
    assert stamps_match("Thu, 29 Dec 2022 07:12:01 GMT", "2022-12-29T07:12:01Z")
    assert not stamps_match(None, "2022-12-29T07:12:01Z") and not stamps_match("garbage", "29-Dec-2022 07:12")
    assert parse_stamp("31-Foo-2022 07:12") is None


def test_conditional_request_dates_and_mirrors() -> None:
    assert http_date("2022-12-29T07:12:01.719Z") == "Thu, 29 Dec 2022 07:12:01 GMT"
    assert http_date("29-Dec-2022 07:12") == "Thu, 29 Dec 2022 07:12:00 GMT"
    assert http_date(None) is None
    url = "https://www.govinfo.gov/bulkdata/BILLSTATUS/119/hr/BILLSTATUS-119hr1.xml"
    mirrored = rebase(url, "http://127.0.0.1:8000/")
    assert mirrored == "http://127.0.0.1:8000/bulkdata/BILLSTATUS/119/hr/BILLSTATUS-119hr1.xml"
    assert canonical(mirrored, "http://127.0.0.1:8000/") == url
    assert rebase("https://elsewhere.test/x.xml", "http://127.0.0.1:8000/") == "https://elsewhere.test/x.xml"
