"""Congress.gov API v3 JSON (https://api.congress.gov/v3/bill/...) -> ``BillRecord``.

A bill comes in pieces: the detail response (``{"bill": {...}}`` with ``{count, url}`` stubs for its
parts) and one response per sub-resource (``actions``, ``cosponsors``, ``committees``, ``subjects``,
``summaries``, ``text``, optionally ``titles`` and ``relatedbills``), each possibly paginated. ``parse_bill``
takes the raw bytes of all of them and returns one record; nothing here touches the network or the database.

The API serves the Library of Congress data that BILLSTATUS serves in XML, so whatever the two share is read
the same way through the BILLSTATUS parser's vocabulary: bill types and identifiers, action classification
rules and actors (hence stages, through ``tracker.stages``), summary text, Congress.gov URLs. Text versions
are keyed on the GovInfo package URL, as in BILLSTATUS, so a bill seen through both feeds keeps one set of
versions.
"""

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from tracker.dates import local_day
from tracker.models.enums import Chamber, SponsorshipKind
from tracker.records import BillRecord, ParseError
from tracker.sources import govinfo_billstatus as billstatus
from tracker.sources.billstatus_votes import in_order, votes_on_actions
from tracker.sources.json_doc import json_text as _str
from tracker.sources.json_doc import load_body, validated
from tracker.stages import Step, classify, derive_stage

__all__ = [
    "CANONICAL_BASE",
    "DATA_KEY",
    "DEFAULT_SUBRESOURCES",
    "OPTIONAL_SUBRESOURCES",
    "SOURCE_NAME",
    "STUB_KEY",
    "BillListPage",
    "ListedBill",
    "bill_path",
    "parse_bill",
    "parse_bill_list",
    "parse_page",
    "subresource_counts",
]

SOURCE_NAME = "congress_api"
# Bump it with any change that reads the same bytes into a different bill: stored bills an older
# version read are then named, with what reads them again (tracker.sources.reading).
# Covers the BILLSTATUS rules it shares (govinfo_billstatus) and json_doc.
READING_VERSION = 2  # 2: recorded votes (roll calls) read
CANONICAL_BASE = "https://api.congress.gov/v3/"
# What each sub-resource path is called in the detail's stubs and which key holds its data.
DEFAULT_SUBRESOURCES: tuple[str, ...] = ("actions", "cosponsors", "committees", "subjects", "summaries",
                                         "text")
OPTIONAL_SUBRESOURCES: tuple[str, ...] = ("titles", "relatedbills")
DATA_KEY = {"actions": "actions", "cosponsors": "cosponsors", "committees": "committees",
             "subjects": "subjects", "summaries": "summaries", "text": "textVersions", "titles": "titles",
             "relatedbills": "relatedBills"}
# The detail's name for a sub-resource's {count, url} stub, where it differs from the path.
STUB_KEY = {"text": "textVersions", "relatedbills": "relatedBills"}
_CHAMBERS = {"House": Chamber.lower, "Senate": Chamber.upper, "Joint": Chamber.joint}
_PACKAGE = re.compile(r"(BILLS-\d+[a-z]+\d+[a-z][a-z0-9]*)\.[a-z]+$", re.IGNORECASE)
_FORMAT_NAMES = {"formatted text": "html", "generated html": "html", "pdf": "pdf", "formatted xml": "xml"}


def bill_path(congress: int | str, bill_type: str, number: int | str, sub: str | None = None) -> str:
    """``bill/117/hr/21`` (or ``bill/117/hr/21/actions``), relative to the API base."""
    path = f"bill/{congress}/{bill_type.lower()}/{number}"
    return f"{path}/{sub}" if sub else path


# --- envelopes ----------------------------------------------------------------------------------------------


def _json(data: bytes, locator: str) -> dict[str, Any]:
    doc = load_body(data, locator)
    if not isinstance(doc, dict):
        raise ParseError(locator, f"expected a JSON object, got {type(doc).__name__}")
    if "error" in doc and len(doc) <= 2:  # api.data.gov's envelope: {"error": {"code": .., "message": ..}}
        error = doc["error"]
        message = error.get("message") if isinstance(error, dict) else error
        raise ParseError(locator, f"API error: {message}")
    return doc


def parse_page(data: bytes, locator: str, key: str) -> tuple[Any, str | None]:
    """One page of a list response: the value under ``key`` and the ``pagination.next`` URL, if any."""
    doc = _json(data, locator)
    if key not in doc:
        keys = ", ".join(sorted(doc)) or "none"
        raise ParseError(locator, f"missing {key!r} in the response (keys: {keys})")
    pagination = doc.get("pagination") if isinstance(doc.get("pagination"), dict) else {}
    next_url = pagination.get("next") if isinstance(pagination.get("next"), str) else None
    return doc[key], next_url


@dataclass(frozen=True)
class ListedBill:
    congress: int
    bill_type: str  # lower case, as in API paths
    number: str
    stamp: str  # the later of updateDate and updateDateIncludingText, as received
    title: str | None


@dataclass(frozen=True)
class BillListPage:
    bills: list[ListedBill]
    next_url: str | None


def parse_bill_list(data: bytes, locator: str) -> BillListPage:
    """A ``/bill``, ``/bill/{congress}`` or ``/bill/{congress}/{type}`` page."""
    items, next_url = parse_page(data, locator, "bills")
    if not isinstance(items, list):
        raise ParseError(locator, "'bills' is not a list")
    bills = []
    for position, item in enumerate(items):
        try:
            congress = int(item["congress"])
            bill_type = billstatus.normalize_bill_type(str(item["type"])) or ""
            number = str(int(item["number"]))
        except (KeyError, TypeError, ValueError):
            raise ParseError(locator, f"bills[{position}]: needs congress, type and numeric number") from None
        stamps = [s for s in (item.get("updateDateIncludingText"), item.get("updateDate"))
                  if isinstance(s, str)]
        # Date-only and full timestamps both occur; ISO text of the same shape orders chronologically.
        stamp = max(stamps, key=lambda s: (s[:10], s)) if stamps else ""
        bills.append(ListedBill(congress, bill_type.lower(), number, stamp, item.get("title") or None))
    return BillListPage(bills, next_url)


def subresource_counts(detail: bytes, locator: str) -> dict[str, int | None]:
    """``{sub-resource: count}`` from the detail's ``{count, url}`` stubs (None: a stub without a count).

    A sub-resource without a stub, or with ``count: 0``, has nothing to fetch.
    """
    bill = _json(detail, locator).get("bill")
    if not isinstance(bill, dict):
        raise ParseError(locator, "missing 'bill' object")
    counts: dict[str, int | None] = {}
    for name in (*DEFAULT_SUBRESOURCES, *OPTIONAL_SUBRESOURCES):
        stub = bill.get(STUB_KEY.get(name, name))
        if isinstance(stub, dict):
            count = stub.get("count")
            counts[name] = count if isinstance(count, int) else None
    return counts


# --- the bill -----------------------------------------------------------------------------------------------


def parse_bill(detail: bytes, parts: Mapping[str, Sequence[bytes]], locator: str) -> BillRecord:
    """The detail response plus the pages of each fetched sub-resource -> one validated record.

    ``parts`` maps sub-resource names (``actions``, ``text``...) to their pages in order; a sub-resource
    that was not fetched (its stub said ``count: 0``) is simply absent.
    """
    bill = _json(detail, locator).get("bill")
    if not isinstance(bill, dict):
        raise ParseError(locator, "missing 'bill' object")
    data = {name: _collect(name, pages, f"{locator}/{name}") for name, pages in parts.items()}
    return validated(BillRecord, lambda: _payload(bill, data, locator), locator)


def _collect(name: str, pages: Sequence[bytes], locator: str) -> Any:
    key = DATA_KEY.get(name, name)
    merged: list[Any] = []
    for page in pages:
        value, _ = parse_page(page, locator, key)
        if name == "subjects":  # one object, not a list: {"legislativeSubjects": [...], "policyArea": {...}}
            if isinstance(value, dict):
                merged.append(value)
            continue
        if not isinstance(value, list):
            raise ParseError(locator, f"{key!r} is not a list")
        merged.extend(value)
    return merged


def _payload(bill: dict[str, Any], data: dict[str, Any], locator: str) -> dict[str, Any]:
    congress = int(bill["congress"])
    bill_type = billstatus.normalize_bill_type(str(bill.get("type") or "")) or ""
    if bill_type not in billstatus.BILL_TYPES:
        raise ParseError(locator, f"invalid bill type: {bill.get('type')!r}")
    number = str(int(bill["number"]))
    classification, origin, slug = billstatus.BILL_TYPES[bill_type]
    title = _str(bill.get("title"))
    if not title:
        raise ParseError(locator, "missing bill title")

    actions = _actions(data.get("actions", []), origin)
    stage = derive_stage((Step(a["actor"], a["classification"]) for a in actions), origin, classification)
    latest = bill.get("latestAction") or {}
    latest_text = _str(latest.get("text"))
    latest_date = _day(latest.get("actionDate"))
    if latest_text is None and actions:
        latest_date, latest_text = actions[-1]["date"], actions[-1]["text"]
    summary_html = _summary_html(data.get("summaries", []))
    subjects_blocks = data.get("subjects", [])
    policy_area = _str((bill.get("policyArea") or {}).get("name")) or next(
        (_str((b.get("policyArea") or {}).get("name")) for b in subjects_blocks if b.get("policyArea")), None)
    short_title, popular_title = _titles(data.get("titles", []), origin)
    lower = bill_type.lower()
    return {
        "jurisdiction": billstatus.JURISDICTION,
        "session": billstatus.congress_session(congress),
        "identifier": billstatus.bill_identifier(bill_type, number),
        "bill_type": bill_type,
        "number": number,
        "classification": classification,
        "origin_chamber": origin,
        "title": title,
        "short_title": short_title,
        "popular_title": popular_title,
        "summary_html": summary_html,
        "summary_text": billstatus.html_to_text(summary_html) if summary_html else None,
        "status_text": latest_text,
        "stage": stage,
        "introduced_date": _day(bill.get("introducedDate")),
        "latest_action_date": latest_date,
        "latest_action_text": latest_text,
        "policy_area": policy_area,
        "upstream_updated_at": _str(bill.get("updateDateIncludingText")) or _str(bill.get("updateDate")),
        "source_name": SOURCE_NAME,
        "source_key": f"{congress}-{lower}-{number}",
        "source_urls": [
            CANONICAL_BASE + bill_path(congress, lower, number),
            f"https://www.congress.gov/bill/{billstatus._ordinal(congress)}-congress/{slug}/{number}",
        ],
        "actions": actions,
        "sponsorships": _people(bill.get("sponsors") or [], SponsorshipKind.primary)
        + _people(data.get("cosponsors", []), SponsorshipKind.cosponsor),
        "committees": _committees(data.get("committees", [])),
        "subjects": list(dict.fromkeys(
            name for block in subjects_blocks for name in
            (_str(s.get("name")) for s in block.get("legislativeSubjects") or []) if name)),
        "versions": _versions(data.get("text", [])),
        "related_bills": _related(data.get("relatedbills", []), str(congress)),
        "votes": _recorded_votes(data.get("actions", []), f"{congress}-{lower}-{number}", congress),
    }


def _day(value: Any) -> str | None:
    # Plain dates, or UTC timestamps for text versions and committee activities: the day in Washington.
    return local_day(_str(value))


def _actions(items: list[dict[str, Any]], origin: Chamber) -> list[dict[str, Any]]:
    actions = []
    for item in items:
        text = _str(item.get("text"))
        if text is None:
            continue
        code = _str(item.get("actionCode"))
        source = item.get("sourceSystem") or {}
        actions.append({
            "date": _day(item.get("actionDate")),
            "time": _str(item.get("actionTime")),
            "text": text,
            "actor": billstatus._actor(code, _str(source.get("code")), _str(source.get("name")), text,
                                       origin),
            "action_code": code,
            "action_type": _str(item.get("type")),
            "classification": classify(code, text, billstatus.BILLSTATUS_RULES),
            "committees": [n for n in (_str(c.get("name")) for c in item.get("committees") or []) if n],
        })
    # Newest first upstream, as in BILLSTATUS: reverse (same-day actions keep recorded order), then by date.
    actions.reverse()
    actions.sort(key=lambda action: action["date"] or "")
    return actions


def _recorded_votes(items: list[dict[str, Any]], bill_key: str, congress: int) -> list[dict[str, Any]]:
    """Each action's ``recordedVotes`` (BILLSTATUS 3.0.0's, as JSON): one roll call each, worded by the chamber's
    own action (tracker.sources.billstatus_votes)."""
    on_actions = [([v for v in item["recordedVotes"] if isinstance(v, dict)], _str(item.get("text")),
                   _str((item.get("sourceSystem") or {}).get("code")))
                  for item in items if isinstance(item.get("recordedVotes"), list) and item["recordedVotes"]]
    return in_order(votes_on_actions(on_actions, bill_key, congress))


def _people(items: list[dict[str, Any]], kind: SponsorshipKind) -> list[dict[str, Any]]:
    people = []
    for item in items:
        person_id = _str(item.get("bioguideId"))
        name = _str(item.get("fullName")) or " ".join(
            p for p in (_str(item.get(k)) for k in ("firstName", "middleName", "lastName")) if p) or person_id
        if not name:
            continue
        original = item.get("isOriginalCosponsor")
        people.append({
            "name": name,
            "kind": kind,
            "person_id": person_id,
            "party": _str(item.get("party")),
            "state": _str(item.get("state")),
            "district": _str(item.get("district")),
            "is_original": original if isinstance(original, bool) else None,
            "sponsored_date": _day(item.get("sponsorshipDate")),
            "withdrawn_date": _day(item.get("sponsorshipWithdrawnDate")),
        })
    return people


def _committees(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    committees: list[dict[str, Any]] = []

    def add(item: dict[str, Any], chamber: Any, parent_code: str | None) -> None:
        name = _str(item.get("name"))
        if not name:
            return
        activities = [{"name": _str(a.get("name")), "date": _str(a.get("date"))}
                      for a in item.get("activities") or []]
        referred = min((_day(a["date"]) or "" for a in activities if a["name"] and a["date"]
                        and a["name"].lower().startswith(("referred", "referral"))), default=None)
        committees.append({"name": name, "code": _str(item.get("systemCode")), "chamber": chamber,
                           "parent_code": parent_code, "activities": activities, "referred_date": referred})

    for item in items:
        chamber_name = _str(item.get("chamber"))
        chamber = _CHAMBERS.get(chamber_name or "", chamber_name)
        add(item, chamber, None)
        for sub in item.get("subcommittees") or []:
            add(sub, chamber, _str(item.get("systemCode")))
    return committees


def _summary_html(items: list[dict[str, Any]]) -> str | None:
    # The latest CRS summary, chosen as the BILLSTATUS parser does: latest action, then edit, then order.
    best: tuple[tuple[str, str, int], str] | None = None
    for position, item in enumerate(items):
        markup = _str(item.get("text"))
        if markup:
            key = (str(item.get("actionDate") or ""), str(item.get("updateDate") or ""), position)
            if best is None or key > best[0]:
                best = (key, markup)
    return best[1] if best else None


def _titles(items: list[dict[str, Any]], origin: Chamber) -> tuple[str | None, str | None]:
    short = popular = None
    best_rank = -1
    for item in items:
        title, title_type = _str(item.get("title")), _str(item.get("titleType")) or ""
        if not title:
            continue
        if title_type.startswith("Popular Title") and popular is None:
            popular = title
        rank = billstatus._short_title_rank(title_type, origin)
        if rank is not None and rank > best_rank:
            short, best_rank = title, rank
    return short, popular


def _versions(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    versions = []
    for item in items:
        links = []
        for fmt in item.get("formats") or []:
            url = _str(fmt.get("url"))
            if url:
                kind = _FORMAT_NAMES.get((_str(fmt.get("type")) or "").lower()) or billstatus._format_of(url)
                links.append({"format": kind, "url": url})
        if not links:
            continue
        package = next((m.group(1) for m in (_PACKAGE.search(link["url"]) for link in links) if m), None)
        if package:
            # The GovInfo package XML is what BILLSTATUS gives for the same version: one key for both feeds.
            url, fmt = billstatus.package_xml_url(package), "xml"
            found = billstatus._VERSION_CODE.search(url)
            code: str | None = found.group(1).lower() if found else None
        else:
            url, fmt, code = links[0]["url"], links[0]["format"], None
        if package:
            links.insert(0, {"format": "xml", "url": url})
        versions.append({"label": _str(item.get("type")) or (code.upper() if code else "Text"), "url": url,
                         "code": code, "date": _day(item.get("date")), "format": fmt, "links": links})
    return versions


def _related(items: list[dict[str, Any]], congress: str) -> list[dict[str, Any]]:
    related = []
    for item in items:
        related_type = billstatus.normalize_bill_type(_str(item.get("type")))
        number = _str(item.get("number"))
        if not related_type or not number or not number.isdigit():
            continue
        base = {"jurisdiction_id": "us", "session_identifier": _str(item.get("congress")) or congress,
                "identifier": billstatus.bill_identifier(related_type, number),
                "title": _str(item.get("title"))}
        details = item.get("relationshipDetails") or []
        if not details:
            related.append({**base, "relationship": "Related bill", "identified_by": None})
        for detail in details:
            related.append({**base, "relationship": _str(detail.get("type")) or "Related bill",
                            "identified_by": _str(detail.get("identifiedBy"))})
    return related
