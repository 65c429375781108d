"""GovInfo bulk-data listings -> the BILLSTATUS files they name, with each file's change stamp.

Two published listings say what exists and when it last changed (FORMATS.md section 1):

- sitemaps: ``sitemap/bulkdata/BILLSTATUS/sitemapindex.xml`` names one ``<urlset>`` per Congress and bill
  type (``.../{congress}{type}/sitemap.xml``), each with a ``<lastmod>``; every urlset lists its files with
  theirs (ISO 8601 UTC with milliseconds, ``2022-12-29T07:12:01.719Z``);
- the JSON folder listing ``bulkdata/json/BILLSTATUS/{congress}/{type}``: ``{"files": [...]}`` whose entries
  carry ``link`` and ``formattedLastModifiedTime`` (``18-Sep-2026 20:26``, GMT, minute precision).

Pure functions: bytes in, listed files out; XML through ``tracker.xmlsafe``. Stamps are kept as received (they
are what ``SourceDocument.last_modified`` stores) and compared with ``stamps_match``, which knows both
precisions.
"""

import datetime as dt
import email.utils
import json
import re
from dataclasses import dataclass
from typing import Any

from tracker.records import ParseError
from tracker.xmlsafe import parse_xml

__all__ = [
    "CANONICAL_BASE",
    "SITEMAP_INDEX_PATH",
    "ListedFile",
    "canonical",
    "billstatus_path",
    "collection_sitemap_path",
    "http_date",
    "listing_path",
    "parse_json_listing",
    "parse_sitemap_index",
    "parse_urlset",
    "parse_stamp",
    "rebase",
    "stamps_match",
]

CANONICAL_BASE = "https://www.govinfo.gov/"
SITEMAP_INDEX_PATH = "sitemap/bulkdata/BILLSTATUS/sitemapindex.xml"
_SITEMAP_NS = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
_COLLECTION = re.compile(r"sitemap/bulkdata/BILLSTATUS/(\d+)([a-z]+)/sitemap\.xml$")
_FILE = re.compile(r"bulkdata/BILLSTATUS/(\d+)/([a-z]+)/BILLSTATUS-(\d+)([a-z]+)(\d+)\.xml$")
_MONTHS = {m: i for i, m in enumerate(
    ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), start=1)}
_LISTING_STAMP = re.compile(r"^(\d{1,2})-([A-Za-z]{3})-(\d{4}) (\d{1,2}):(\d{2})$")


@dataclass(frozen=True)
class ListedFile:
    url: str  # as the listing gives it (GovInfo lists absolute https://www.govinfo.gov/ URLs)
    congress: int
    bill_type: str  # lower case, as in the URL
    number: str
    stamp: str | None  # the listing's change stamp, as received


def billstatus_path(congress: int, bill_type: str, number: str | int) -> str:
    return f"bulkdata/BILLSTATUS/{congress}/{bill_type}/BILLSTATUS-{congress}{bill_type}{number}.xml"


def collection_sitemap_path(congress: int, bill_type: str) -> str:
    return f"sitemap/bulkdata/BILLSTATUS/{congress}{bill_type}/sitemap.xml"


def listing_path(congress: int, bill_type: str) -> str:
    return f"bulkdata/json/BILLSTATUS/{congress}/{bill_type}"


def rebase(url: str, base: str, canonical: str = CANONICAL_BASE) -> str:
    """A listed URL moved onto the configured base (a mirror, a test server); other hosts are left alone."""
    if url.startswith(canonical):
        return base + url[len(canonical):]
    if url.startswith("/"):
        return base + url.lstrip("/")
    return url


def canonical(url: str, base: str, canonical_base: str = CANONICAL_BASE) -> str:
    """The inverse of ``rebase``: the GovInfo URL a mirror's file stands for (what SourceDocument keys on)."""
    return canonical_base + url[len(base):] if url.startswith(base) else url


def _file(url: str, stamp: str | None) -> ListedFile | None:
    match = _FILE.search(url)
    if not match or match.group(1) != match.group(3) or match.group(2) != match.group(4):
        return None
    return ListedFile(url, int(match.group(1)), match.group(2), str(int(match.group(5))), stamp)


def _entries(data: bytes, locator: str, container: str, entry: str) -> list[tuple[str, str | None]]:
    root = parse_xml(data, locator)
    if root.tag != _SITEMAP_NS + container:
        raise ParseError(locator, f"root element is <{root.tag}>, expected a sitemap <{container}>")
    found = []
    for item in root.iterchildren(_SITEMAP_NS + entry):
        loc = (item.findtext(_SITEMAP_NS + "loc") or "").strip()
        lastmod = (item.findtext(_SITEMAP_NS + "lastmod") or "").strip() or None
        if loc:
            found.append((loc, lastmod))
    return found


def parse_sitemap_index(data: bytes, locator: str) -> dict[tuple[int, str], tuple[str, str | None]]:
    """``{(congress, type): (sitemap URL, lastmod)}`` for every BILLSTATUS collection the index names."""
    collections = {}
    for loc, lastmod in _entries(data, locator, "sitemapindex", "sitemap"):
        match = _COLLECTION.search(loc)
        if match:
            collections[(int(match.group(1)), match.group(2))] = (loc, lastmod)
    return collections


def parse_urlset(data: bytes, locator: str) -> list[ListedFile]:
    """The BILLSTATUS files a collection sitemap lists (anything else in it is ignored)."""
    entries = _entries(data, locator, "urlset", "url")
    return [f for f in (_file(loc, lastmod) for loc, lastmod in entries) if f]


def parse_json_listing(data: bytes, locator: str) -> list[ListedFile]:
    """The BILLSTATUS XML files of a ``bulkdata/json/BILLSTATUS/{congress}/{type}`` listing (not its zip)."""
    try:
        doc = json.loads(data)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ParseError(locator, f"not JSON: {exc}") from None
    files = doc.get("files") if isinstance(doc, dict) else None
    if not isinstance(files, list):
        raise ParseError(locator, 'expected {"files": [...]}')
    listed = []
    for entry in files:
        if not isinstance(entry, dict) or entry.get("folder"):
            continue
        link = entry.get("link")
        if isinstance(link, str):
            found = _file(link, _clean(entry.get("formattedLastModifiedTime")))
            if found:
                listed.append(found)
    return listed


def _clean(value: Any) -> str | None:
    return value.strip() or None if isinstance(value, str) else None


def parse_stamp(value: str | None) -> tuple[dt.datetime, bool] | None:
    """A listing or HTTP stamp as aware UTC, and whether it is precise to the second (else the minute)."""
    if not value:
        return None
    value = value.strip()
    match = _LISTING_STAMP.match(value)
    if match:
        day, month, year, hour, minute = match.groups()
        if month.lower() not in _MONTHS:
            return None
        month_number = _MONTHS[month.lower()]
        stamp = dt.datetime(int(year), month_number, int(day), int(hour), int(minute), tzinfo=dt.UTC)
        return stamp, False
    try:
        parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        try:
            parsed = email.utils.parsedate_to_datetime(value)  # HTTP Last-Modified
        except (TypeError, ValueError):
            return None
    parsed = parsed.replace(tzinfo=dt.UTC) if parsed.tzinfo is None else parsed.astimezone(dt.UTC)
    return parsed, True


def stamps_match(stored: str | None, listed: str | None) -> bool:
    """Whether a file listed with ``listed`` is the one stored with ``stored`` (so it need not be fetched).

    Equal text is a match; otherwise both are parsed and compared at the coarser of their precisions (the JSON
    listing's minutes against a sitemap's milliseconds). A stamp that cannot be read never matches: fetching
    once too often is cheap, missing a change is not.
    """
    if not stored or not listed:
        return False
    if stored.strip() == listed.strip():
        return True
    a, b = parse_stamp(stored), parse_stamp(listed)
    if a is None or b is None:
        return False
    if a[1] and b[1]:
        return a[0] == b[0]
    return a[0].replace(second=0, microsecond=0) == b[0].replace(second=0, microsecond=0)


def http_date(stamp: str | None) -> str | None:
    """``If-Modified-Since`` value for a stored stamp (HTTP dates have whole seconds)."""
    parsed = parse_stamp(stamp)
    if parsed is None:
        return None
    return email.utils.format_datetime(parsed[0].replace(microsecond=0), usegmt=True)
