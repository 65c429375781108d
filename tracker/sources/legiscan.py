"""LegiScan (https://api.legiscan.com, dataset archives) -> ``BillRecord``.

Reads ``getBill`` payloads and the bill files of dataset archives (the same ``{"bill": {...}}`` object), in JSON
and in the older XML flavour (``<legiscan><bill>...``, lists as ``<history><step>``); ``getBillText`` payloads
(base64 ``doc``); ``getMasterListRaw`` (``bill_id``, ``number``, ``change_hash``), which is how a crawl finds the
bills that changed. Every envelope's ``status`` is checked, since errors come back with HTTP 200.

LegiScan's history lines are free text in each state's wording, but every bill carries ``progress[]``: LegiScan's
own event codes, assigned by its editors. Those are the stage rules here (``PROGRESS_EVENTS``, data), so the
stage means the same thing in all fifty states. The codes have no presentment to the governor: where a state's
history says it, ``HISTORY_RULES`` (data, per state) reads it from the state's own wording.

Identity (``tracker.sources.states``): jurisdiction the state's postal code; session ``{year_start}{year_end}``
(``20252026``), ``{year}`` for a one-year session, ``s{n}`` suffix for a special session, or Open States' own
spelling where it names sessions otherwise (``states.OPENSTATES_SESSIONS``: Alabama ``2025rs``); identifier normalized
(``AB1656`` -> ``AB 1656``; a California extraordinary session's ``ABX11`` -> ``AB 1``, as pubinfo numbers it);
source key LegiScan's ``bill_id``.
"""

import base64
import binascii
import re
from dataclasses import dataclass
from typing import Any, NamedTuple

from pydantic import ValidationError

from tracker.models.enums import Chamber, SponsorshipKind, VoteOption, VoteResult
from tracker.records import BillRecord, ParseError, RollCallRecord, VersionTextRecord
from tracker.sources import states
from tracker.sources.documents import document_format, document_text
from tracker.sources.govinfo_billstatus import _describe
from tracker.sources.json_doc import json_text as _str
from tracker.sources.json_doc import load_body, validated
from tracker.stages import ActionRule, Step, classify, derive_stage
from tracker.xmlsafe import parse_xml

__all__ = ["HISTORY_RULES", "PROGRESS_EVENTS", "SOURCE_NAME", "VOTE_OPTIONS", "BillText", "MasterList",
           "looks_like_bill", "looks_like_person", "looks_like_roll_call", "looks_like_text", "parse_bill",
           "parse_bill_text", "parse_masterlist", "parse_person", "parse_roll_call", "parse_text_record"]

SOURCE_NAME = "legiscan"
# Bump it with any change that reads the same bytes into a different bill: stored bills an older
# version read are then named, with what reads them again (tracker.sources.reading).
# Covers documents.py's text extraction and json_doc.
# 2: a bill transmitted to the governor is at "sent to the executive" where HISTORY_RULES read it, and
# sponsor_type_id 0 ("Generic / Unspecified") is no longer read as a primary sponsor.
READING_VERSION = 2

# progress[].event -> (classifications, who acted: "origin", "other", "both", "executive"). LegiScan API manual:
# 1 Introduced, 2 Engrossed, 3 Enrolled, 4 Passed, 5 Vetoed, 6 Failed, 7 Override, 8 Chaptered, 9 Refer,
# 10 Report Pass, 11 Report DNP, 12 Draft. "Engrossed" is the origin chamber's passage, "Enrolled" both
# chambers', "Passed" and "Chaptered" enactment.
PROGRESS_EVENTS: dict[int, tuple[tuple[str, ...], str]] = {
    1: (("introduction",), "origin"),
    2: (("passage",), "origin"),
    3: (("passage",), "both"),
    4: (("became-law",), "executive"),
    5: (("executive-veto",), "executive"),
    6: (("failure",), "origin"),
    7: (("veto-override-passage",), "both"),
    8: (("became-law",), "executive"),
    9: (("referral-committee",), "origin"),
    10: (("committee-passage-favorable",), "origin"),
    11: (("committee-passage-unfavorable",), "origin"),
}
# How a history line reads when it records a progress event (any state's wording, case-insensitive), most telling
# wording first: the event is shown on the day's last line that reads so, not on whatever line ended the day.
PROGRESS_WORDING: dict[str, tuple[re.Pattern[str], ...]] = {
    name: tuple(re.compile(p, re.IGNORECASE) for p in patterns) for name, patterns in {
        "introduction": (r"\bintroduc|\bprefil|\bfiled\b|\bfirst (?:time|reading)\b",),
        "passage": (r"(?<!do )\bpass(?:ed|es|age)\b(?! (?:over|by)\b)", r"\badopted\b|\benroll|\bconcur"),
        "referral-committee": (r"\brefer",),
        "committee-passage-favorable": (r"\bdo pass\b", r"\breport|\brpt\b|\brecommend"),
        "committee-passage-unfavorable": (r"\bdo not pass\b|\bunfavorabl", r"\breport|\brpt\b|\brecommend"),
        "became-law": (r"\b(?:approved|signed) by (?:the )?governor\b|\bbecame law\b",
                       r"\bact\b|\bchapter|\blaw\b|\bsigned\b"),
        "executive-veto": (r"\bveto",),
        "failure": (r"\bdied\b|\bfail|\bdefeat|\blost\b|\bpostpone|\bwithdrawn\b",),
        "veto-override-passage": (r"\boverrid",),
    }.items()}
# History lines that progress[] has no event for, per state (jurisdiction id), each checked against that state's
# real histories. Presentment: Arkansas writes "Correctly enrolled and ordered transmitted to the Governor's
# Office." (HB 1044-1046, 2012 fiscal session). None yet for Alaska (its sample bills, HB 1-3 of the 27th
# Legislature, never reached the governor) or Mississippi (its 2014 histories go from "Enrolled Bill Signed", the
# presiding officers' signatures, to "Approved by Governor" without saying when the bill reached him).
HISTORY_RULES: dict[str, tuple[ActionRule, ...]] = {
    "ar": (ActionRule("executive-receipt", pattern=r"\btransmitted to the governor\b"),),
}
STATUS_NAMES = {0: "N/A", 1: "Introduced", 2: "Engrossed", 3: "Enrolled", 4: "Passed", 5: "Vetoed", 6: "Failed"}
_BODIES = {"H": Chamber.lower, "A": Chamber.lower, "S": Chamber.upper, "J": Chamber.joint}
# The XML flavour's roll calls carry no chamber code; their motion starts with the chamber ("House Passed",
# "Senate Passed As Amended", Mississippi 2014).
_MOTION_CHAMBER = re.compile(r"^\s*(house|assembly|senate)\b", re.IGNORECASE)
_MOTION_BODIES = {"house": Chamber.lower, "assembly": Chamber.lower, "senate": Chamber.upper}
_BILL_TYPES = {"B": "bill", "R": "resolution", "CR": "concurrent resolution", "JR": "joint resolution",
               "JRCA": "constitutional amendment", "CA": "constitutional amendment", "EO": "executive order",
               "M": "memorial", "CM": "concurrent memorial", "JM": "joint memorial"}
# sponsor_type_id (API manual, Sponsor Types): 0 "Sponsor (Generic / Unspecified)", 1 Primary Sponsor,
# 2 Co-Sponsor, 3 Joint Sponsor. Type 0 says nothing about rank, and neither does sponsor_order (only the "index of
# order in sponsorship list"): the Alaska 2011 files give type 0 and order 0 to all 19 sponsors of HB 3, so being
# listed first makes no one primary. A type the manual does not list is read as unspecified too.
_SPONSOR_TYPES = {0: SponsorshipKind.sponsor, 1: SponsorshipKind.primary, 2: SponsorshipKind.cosponsor,
                  3: SponsorshipKind.primary}
# Roll-call ``vote_text`` (``vote_id`` 1-4 in the manual: Yea, Nay, NV = not voting, Absent = absent or excused).
VOTE_OPTIONS: dict[str, VoteOption] = {"yea": VoteOption.yes, "nay": VoteOption.no, "nv": VoteOption.not_voting,
                                       "absent": VoteOption.absent}
_VOTE_IDS = {1: VoteOption.yes, 2: VoteOption.no, 3: VoteOption.not_voting, 4: VoteOption.absent}
# XML flavour: containers whose children are list items.
_LISTS = frozenset({"progress", "history", "sponsors", "texts", "votes", "amendments", "supplements", "sasts",
                    "subjects", "calendar", "referrals"})


def looks_like_bill(head: bytes) -> bool:
    text = head[:4096]
    return (b"<legiscan" in text and b"<bill>" in text) or (
        text.lstrip().startswith(b"{") and b'"bill"' in text and b'"bill_id"' in text)


def _envelope(data: bytes, locator: str) -> dict[str, Any]:
    if not data or not data.strip():
        raise ParseError(locator, "empty response body")
    if data.lstrip()[:1] == b"<":
        root = parse_xml(data, locator)
        if root.tag != "legiscan":
            raise ParseError(locator, f"root element is <{root.tag}>, expected <legiscan>")
        doc = _xml_value(root)
        doc = doc if isinstance(doc, dict) else {}
    else:
        doc = load_body(data, locator)
        if not isinstance(doc, dict):
            raise ParseError(locator, f"expected a JSON object, got {type(doc).__name__}")
    if str(doc.get("status") or "").upper() == "ERROR":
        alert = doc.get("alert") if isinstance(doc.get("alert"), dict) else {}
        raise ParseError(locator, f"API error: {alert.get('message') or 'status ERROR'}")
    return doc


def _xml_value(element: Any) -> Any:
    children = [c for c in element if isinstance(c.tag, str)]
    if element.tag in _LISTS:
        return [_xml_value(c) for c in children]
    if not children:
        return (element.text or "").strip()
    return {c.tag: _xml_value(c) for c in children}


def _int(value: Any) -> int | None:
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return None


def _day(value: Any) -> str | None:
    text = _str(value)
    return text[:10] if text and not text.startswith("0000") else None


def _session(block: dict[str, Any], state: str, locator: str) -> dict[str, Any]:
    start, end = _int(block.get("year_start")), _int(block.get("year_end"))
    name = _str(block.get("session_name")) or _str(block.get("session_title")) or ""
    special = _int(block.get("special")) or 0
    if start is None:  # the XML flavour names the session only: "2014 Regular Session", "2011-2012 ..."
        found = re.search(r"\b(\d{4})(?:\s*-\s*(\d{4}))?\b", name)
        if not found:
            raise ParseError(locator, f"session without years: {name!r}")
        start, end = int(found.group(1)), int(found.group(2) or found.group(1))
        special = 1 if re.search(r"special|extraordinary", name, re.IGNORECASE) else 0
    if special:  # LegiScan's flag says whether; the name says which ("2023 Second Special Session")
        special = states.special_number(name) or 1
    return {"identifier": states.session_identifier(state, start, end, special, name),
            "name": name or states.session_name_from_years(start, end, special)}


def extraordinary_number(state: str, bill_number: str, session: str) -> str:
    """A California extraordinary-session bill as pubinfo and Open States number it: LegiScan writes AB 1 of the
    first extraordinary session as California prints it, ``ABX11`` (AB X1-1), which read as type + number is
    "ABX 11", another bill. The session's own special number says where the type ends."""
    special = re.fullmatch(r"\d{4}(?:\d{4})?s(\d+)", session)
    if state != "ca" or special is None:
        return bill_number
    found = re.fullmatch(rf"\s*([A-Za-z]+)\s*X\s*{special.group(1)}\s*-?\s*(\d+)\s*", bill_number, re.IGNORECASE)
    return f"{found.group(1)} {found.group(2)}" if found else bill_number


def parse_bill(data: bytes, locator: str) -> BillRecord:
    """A ``getBill`` response or a dataset archive's ``bill/*.json`` / ``bill/*.xml``."""
    bill = _envelope(data, locator).get("bill")
    if not isinstance(bill, dict):
        raise ParseError(locator, "missing 'bill' object")
    return validated(BillRecord, lambda: _payload(bill, locator), locator)


def _list(value: Any) -> list[dict[str, Any]]:
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def _payload(bill: dict[str, Any], locator: str) -> dict[str, Any]:
    state = _str(bill.get("state"))
    if not state:
        raise ParseError(locator, "missing state")
    try:
        jurisdiction = states.state_jurisdiction(state)
    except ValueError:
        raise ParseError(locator, f"unknown state {state!r}") from None
    session = _session(bill.get("session") if isinstance(bill.get("session"), dict) else {}, jurisdiction["id"],
                       locator)
    bill_number = extraordinary_number(jurisdiction["id"], _str(bill.get("bill_number")) or "",
                                        session["identifier"])
    normalized = states.normalize_identifier(bill_number)
    if normalized is None:
        raise ParseError(locator, f"invalid bill_number {bill.get('bill_number')!r}")
    identifier, bill_type, number = normalized
    title = _str(bill.get("title")) or _str(bill.get("description"))
    if not title:
        raise ParseError(locator, "missing title")
    bill_id = _str(bill.get("bill_id"))
    if not bill_id:
        raise ParseError(locator, "missing bill_id")
    origin = _BODIES.get(_str(bill.get("body")) or "")
    classification = _BILL_TYPES.get(_str(bill.get("bill_type")) or "B", "bill")
    other = Chamber.upper if origin == Chamber.lower else Chamber.lower

    history_rules = HISTORY_RULES.get(jurisdiction["id"], ())
    actions = []
    for item in _list(bill.get("history")):
        text = _str(item.get("action"))
        if text:
            actions.append({"date": _day(item.get("date")), "text": text,
                            "actor": _BODIES.get(_str(item.get("chamber")) or ""),
                            "classification": classify(None, text, history_rules) if history_rules else []})
    actions.sort(key=lambda a: a["date"] or "")

    # (day, order, step): a day's history steps go before its progress events, so that a veto or a failure
    # recorded the day a bill was presented stays the outcome.
    dated: list[tuple[str, int, Step]] = [(a["date"] or "", 0, Step(a["actor"], tuple(a["classification"])))
                                          for a in actions if a["classification"]]
    for item in _list(bill.get("progress")):
        rule = PROGRESS_EVENTS.get(_int(item.get("event")) or 0)
        if rule is None:
            continue
        classes, who = rule
        day = _day(item.get("date")) or ""
        if who == "both":
            dated += [(day, 1, Step(origin, classes)), (day, 1, Step(other, classes))]
        else:
            dated.append((day, 1, Step(Chamber.executive if who == "executive" else origin, classes)))
    dated.sort(key=lambda d: d[:2])  # stable: a day's events keep the file's order, as before
    stage = derive_stage([step for _, _, step in dated], origin, classification)
    # Progress events are dated, not tied to a history line: each goes on the last line of its day that reads like
    # it (PROGRESS_WORDING), else on the day's last line. On the last line alone, Arkansas HB 1044's House passage
    # showed on the Senate's first reading of that day, and Mississippi's passages on "Referred To Rules".
    for item in _list(bill.get("progress")):
        rule = PROGRESS_EVENTS.get(_int(item.get("event")) or 0)
        day = _day(item.get("date"))
        lines = [a for a in actions if a["date"] == day] if rule and day else []
        for name in rule[0] if lines and rule else ():
            line = next((a for wording in PROGRESS_WORDING.get(name, ()) for a in reversed(lines)
                         if wording.search(a["text"])), lines[-1])
            if name not in line["classification"]:
                line["classification"].append(name)

    sponsors = []
    for item in sorted(_list(bill.get("sponsors")), key=lambda s: _int(s.get("sponsor_order")) or 0):
        name = _str(item.get("name"))
        if name:
            sponsors.append({"name": name, "person_id": _str(item.get("people_id")),
                             "party": _str(item.get("party")), "district": _str(item.get("district")),
                             "kind": _SPONSOR_TYPES.get(_int(item.get("sponsor_type_id")) or 0,
                                                        SponsorshipKind.sponsor)})
    versions = []
    for item in _list(bill.get("texts")):
        url = _str(item.get("url")) or _str(item.get("state_link"))
        if not url:
            continue
        links = [{"url": u, "format": _str(item.get("mime")) or ""}
                 for u in (_str(item.get("url")), _str(item.get("state_link"))) if u]
        mime = _str(item.get("mime")) or ""
        versions.append({"label": _str(item.get("type")) or "Text", "url": url, "date": _day(item.get("date")),
                         "code": _str(item.get("doc_id")), "format": document_format(mime),
                         "links": links})
    description = _str(bill.get("description"))
    committee = bill.get("committee") if isinstance(bill.get("committee"), dict) else {}
    latest = actions[-1] if actions else None
    return {
        "jurisdiction": jurisdiction,
        "session": session,
        "identifier": identifier,
        "bill_type": bill_type,
        "number": number,
        "classification": classification,
        "origin_chamber": origin,
        "title": title,
        "summary_text": description if description and description != title else None,
        "status_text": STATUS_NAMES.get(_int(bill.get("status")) or 0),
        "stage": stage,
        "introduced_date": actions[0]["date"] if actions else None,
        "latest_action_date": latest["date"] if latest else None,
        "latest_action_text": latest["text"] if latest else None,
        "source_name": SOURCE_NAME,
        "source_key": bill_id,
        "source_urls": [u for u in (_str(bill.get("url")), _str(bill.get("state_link"))) if u],
        "actions": actions,
        "sponsorships": sponsors,
        "committees": [{"name": _str(committee.get("name")),
                        "chamber": _BODIES.get(_str(committee.get("chamber")) or ""),
                        "code": _str(committee.get("committee_id"))}] if _str(committee.get("name")) else [],
        "subjects": [s for s in (_str(x.get("subject_name")) for x in _list(bill.get("subjects"))) if s],
        "versions": versions,
        "votes": [v for v in (_vote(item) for item in _list(bill.get("votes"))) if v],
        "calendar": [c for c in (_calendar_entry(item) for item in _list(bill.get("calendar"))) if c],
    }


def _vote(item: dict[str, Any]) -> dict[str, Any] | None:
    """A roll call as the bill's ``votes[]`` lists it (summary only) or a ``roll_call`` object (with members)."""
    key = _str(item.get("roll_call_id"))
    if not key:
        return None
    passed = _int(item.get("passed"))
    members = item.get("votes")
    motion = _str(item.get("desc"))
    named = _MOTION_CHAMBER.match(motion or "")
    return {
        "source_key": key, "date": _day(item.get("date")),
        "chamber": _BODIES.get(_str(item.get("chamber")) or "") or (
            _MOTION_BODIES[named.group(1).lower()] if named else None),
        "motion": motion,
        "result": None if passed is None else VoteResult.passed if passed else VoteResult.failed,
        "yes_count": _int(item.get("yea")), "no_count": _int(item.get("nay")), "other_count": _int(item.get("nv")),
        "absent_count": _int(item.get("absent")),
        # The state's own record of the vote first (a journal PDF or page); LegiScan's page otherwise.
        "url": _str(item.get("state_link")) or _str(item.get("url")),
        "people": [_member_vote(m) for m in members if isinstance(m, dict)] if isinstance(members, list) else None,
    }


def _member_vote(item: dict[str, Any]) -> dict[str, Any]:
    text = (_str(item.get("vote_text")) or "").lower()
    option = VOTE_OPTIONS.get(text) or _VOTE_IDS.get(_int(item.get("vote_id")) or 0, VoteOption.other)
    return {"person_id": _str(item.get("people_id")), "name": _str(item.get("name")), "option": option}


def _calendar_entry(item: dict[str, Any]) -> dict[str, Any] | None:
    """``calendar[]``: ``{type_id, type, date, time, location, description}`` per the API manual. An entry has
    no id of its own: date, time and type name it, so a changed room updates the hearing and a new day adds one."""
    day = _day(item.get("date"))
    if not day:
        return None
    time = _str(item.get("time"))
    kind = _str(item.get("type"))
    return {"source_key": f"{day}/{time or ''}/{_str(item.get('type_id')) or kind or ''}", "date": day,
            "time": time, "location": _str(item.get("location")), "description": _str(item.get("description")),
            "kind": kind}


def _root_is(head: bytes, name: bytes) -> bool:
    # The object's first key (after "status") names it: "person" further in is an Open States sponsor's type.
    text = head[:2048].lstrip()
    return bool(re.match(rb'\{\s*(?:"status"\s*:\s*"OK"\s*,\s*)?"' + name + rb'"', text)) or (
        b"<legiscan" in text and b"<" + name + b">" in text)


def looks_like_roll_call(head: bytes) -> bool:
    return _root_is(head, b"roll_call")


def looks_like_person(head: bytes) -> bool:
    return _root_is(head, b"person")


def looks_like_text(head: bytes) -> bool:
    return _root_is(head, b"text")


def parse_roll_call(data: bytes, locator: str) -> RollCallRecord:
    """A ``getRollCall`` response or a dataset archive's ``vote/*.json`` / ``vote/*.xml``: one roll call with
    every member's vote by ``people_id`` (names are in the people files: ``parse_person``)."""
    roll_call = _envelope(data, locator).get("roll_call")
    if not isinstance(roll_call, dict):
        raise ParseError(locator, "missing 'roll_call' object")
    bill_id = _str(roll_call.get("bill_id"))
    vote = _vote(roll_call)
    if vote is None or not bill_id:
        raise ParseError(locator, "roll call without roll_call_id or bill_id")
    try:
        return RollCallRecord.model_validate({**vote, "source_name": SOURCE_NAME, "bill_source_key": bill_id})
    except ValidationError as exc:
        raise ParseError(locator, _describe(exc)) from None


class Person(NamedTuple):
    """A member as a dataset's people file describes them (what their roll-call votes are stored with)."""

    people_id: str
    name: str
    party: str | None = None  # "D", "R"...: the file's ``party``, else its ``party_id`` (_PARTIES)
    district: str | None = None  # "HD-021" (the JSON flavour; the XML one has none)


# LegiScan's party_id (API manual, "Party" table), for files that give no ``party`` letter (the XML flavour).
_PARTIES = {1: "D", 2: "R", 3: "I", 4: "G", 5: "L", 6: "NP"}


def parse_person(data: bytes, locator: str) -> Person:
    """A ``getPerson`` response or a dataset's ``people/*``: (people_id, name, party, district)."""
    person = _envelope(data, locator).get("person")
    if not isinstance(person, dict):
        raise ParseError(locator, "missing 'person' object")
    people_id, name = _str(person.get("people_id")), _str(person.get("name"))
    if not people_id or not name:
        raise ParseError(locator, "person without people_id or name")
    party = _str(person.get("party")) or _PARTIES.get(_int(person.get("party_id")) or 0)
    return Person(people_id, name, party, _str(person.get("district")))


@dataclass(frozen=True)
class BillText:
    doc_id: str
    bill_id: str | None
    mime: str
    content: bytes  # the document itself (HTML, PDF...)
    text: str | None  # its text, where the tracker has an extractor for its type (tracker.sources.documents)


def parse_bill_text(data: bytes, locator: str) -> BillText:
    """A ``getBillText`` response or a dataset archive's ``text/*.json``."""
    text = _envelope(data, locator).get("text")
    if not isinstance(text, dict):
        raise ParseError(locator, "missing 'text' object")
    doc_id = _str(text.get("doc_id"))
    if not doc_id:
        raise ParseError(locator, "missing text doc_id")
    doc = text.get("doc")
    if not isinstance(doc, str) or not doc.strip():
        raise ParseError(locator, f"text {doc_id}: no 'doc' (the base64 document)")
    try:
        content = base64.b64decode(doc, validate=True)
    except (binascii.Error, ValueError):
        raise ParseError(locator, f"text {doc_id}: 'doc' is not valid base64") from None
    mime = _str(text.get("mime")) or ""
    return BillText(doc_id, _str(text.get("bill_id")), mime, content, document_text(content, mime))


def parse_text_record(data: bytes, locator: str) -> VersionTextRecord:
    """A dataset's ``text/*.json`` as the text of version ``doc_id`` (``versions[].code``) of bill ``bill_id``."""
    parsed = parse_bill_text(data, locator)
    if not parsed.bill_id:
        raise ParseError(locator, f"text {parsed.doc_id}: missing bill_id")
    return VersionTextRecord(source_name=SOURCE_NAME, bill_source_key=parsed.bill_id, code=parsed.doc_id,
                             media_type=parsed.mime, format=document_format(parsed.mime), text=parsed.text)


@dataclass(frozen=True)
class MasterList:
    session_id: str | None
    session_name: str | None
    bills: dict[str, tuple[str, str]]  # bill_id -> (number, change_hash)


def parse_masterlist(data: bytes, locator: str) -> MasterList:
    """``getMasterListRaw`` (or ``getMasterList``): ``masterlist`` is an object keyed "0", "1"..., plus
    ``session``."""
    masterlist = _envelope(data, locator).get("masterlist")
    if not isinstance(masterlist, dict):
        raise ParseError(locator, "missing 'masterlist' object")
    session = masterlist.get("session") if isinstance(masterlist.get("session"), dict) else {}
    bills: dict[str, tuple[str, str]] = {}
    for key, row in masterlist.items():
        if key == "session" or not isinstance(row, dict):
            continue
        bill_id, change_hash = _str(row.get("bill_id")), _str(row.get("change_hash"))
        if bill_id and change_hash:
            bills[bill_id] = (_str(row.get("number")) or "", change_hash)
    return MasterList(_str(session.get("session_id")), _str(session.get("session_name")), bills)

