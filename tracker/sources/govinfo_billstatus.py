"""GovInfo BILLSTATUS XML (https://www.govinfo.gov/bulkdata/BILLSTATUS) -> ``BillRecord``.

One pure parser for every schema generation the bulk data has served, because dumps mix them (the 117th
Congress archive still holds pre-2022 files next to 3.0.0 ones):

- legacy (2015-2017): ``billNumber``/``billType``, ``primarySubject``, ``billSummaries/item``,
  ``billCommittees/item``, sponsors' ids under ``identifiers/bioguideId``;
- pre-2022 "current": the same containers, no root ``<version>``;
- 3.0.0 (2022-): ``number``/``type``, ``summaries/summary``, ``committees/item``, ``subjects/legislativeSubjects``;
- 119th-Congress files: HTML carried as escaped text inside ``<cdata>`` *elements*
  (``summaries/summary/cdata/text``) instead of a CDATA section.

Rather than detecting the generation, every field is looked up under each generation's name; the names never
collide. Element access is plain lxml child iteration plus one precompiled text-only XPath, because the importer
runs this over ~18,000 files per Congress (see the speed notes below).
"""

import datetime as dt
import re
from typing import Any

from lxml import etree
from pydantic import ValidationError

from tracker.dates import local_day
from tracker.models.enums import Chamber, Level
from tracker.records import BillRecord, ParseError
from tracker.sources.billstatus_votes import recorded_votes
from tracker.stages import ActionRule, Step, classify, derive_stage
from tracker.xmlsafe import parse_xml

__all__ = [
    "BILLSTATUS_RULES",
    "BILL_TYPES",
    "SOURCE_NAME",
    "bill_identifier",
    "normalize_bill_type",
    "parse_billstatus",
]

SOURCE_NAME = "govinfo_billstatus"
# Bump it with any change that reads the same bytes into a different bill: stored bills an older
# version read are then named, with what reads them again (tracker.sources.reading).
READING_VERSION = 2  # 2: recorded votes (roll calls) read
JURISDICTION = {"id": "us", "name": "United States", "level": Level.federal, "classification": "government"}

# upstream type -> (classification, origin chamber, congress.gov URL slug)
BILL_TYPES: dict[str, tuple[str, Chamber, str]] = {
    "HR": ("bill", Chamber.lower, "house-bill"),
    "S": ("bill", Chamber.upper, "senate-bill"),
    "HRES": ("resolution", Chamber.lower, "house-resolution"),
    "SRES": ("resolution", Chamber.upper, "senate-resolution"),
    "HJRES": ("joint resolution", Chamber.lower, "house-joint-resolution"),
    "SJRES": ("joint resolution", Chamber.upper, "senate-joint-resolution"),
    "HCONRES": ("concurrent resolution", Chamber.lower, "house-concurrent-resolution"),
    "SCONRES": ("concurrent resolution", Chamber.upper, "senate-concurrent-resolution"),
}
# The 2015 user guide documents "H" for House bills; related bills use the dotted forms ("H.R.", "H.J.Res.").
_TYPE_ALIASES = {"H": "HR"}

# Library of Congress action codes (congress.gov/help/field-values/action-codes; the BILLSTATUS user guide) as
# found in the real files, with text patterns for actions that carry no code (every Senate-sourced action, and
# House committee actions). The codes a pattern only narrows are those reused for several meanings: E30000 is
# both "Signed by President." and "Vetoed by President.", 36000 both "Signed by President." and "Became Public
# Law No: ...". House floor codes (H...) mostly restate a Library of Congress action recorded next to them, so
# only the unambiguous ones are listed: "Rule H. Res. 5 passed House." (H1L220) is the passage of the rule, not
# of the bill, and must stay unclassified.
_MEASURE = r"(?:resolution|concurrent resolution|joint resolution|measure|bill)"
BILLSTATUS_RULES: tuple[ActionRule, ...] = (
    ActionRule(
        "introduction",
        codes=frozenset({"1000", "1025", "10000", "Intro-H", "Intro-S"}),
        pattern=r"^(?:introduced|submitted) in (?:the )?(?:house|senate)\b",
    ),
    ActionRule("receipt", codes=frozenset({"H14000"}), pattern=r"^received in the (?:house|senate)\b"),
    ActionRule("reading", pattern=r"\bread (?:twice|the (?:first|second|third) time)\b"),
    ActionRule(
        "referral-committee",
        codes=frozenset({"2000", "3000", "11000", "12000", "H11100", "H11100-A", "H11200"}),
        # "referred concurrently to the Committees on Appropriations; the Budget" (a Senate budget referral)
        pattern=r"\breferred (?:concurrently |jointly |sequentially )?to (?:the )?(?:house |senate )?"
                r"(?:select |joint )?(?:sub)?committee",
    ),
    ActionRule(
        "committee-passage",
        codes=frozenset({"5000", "14000", "H12100", "H12200"}),
        pattern=r"\bordered to be reported\b|\breported by (?:senator|the committee)\b|\breported an original\b"
        r"|^reported (?:\([^)]*\) |in the nature of a substitute )?by\b",
    ),
    ActionRule("committee-failure", pattern=r"\bfailed to report\b"),
    ActionRule("discharge", codes=frozenset({"5500", "14500", "H12300"}), pattern=r"\bdischarged\b"),
    # Anchored alternatives only: a leading ``(?!.*...)`` would be retried at every offset of every text.
    ActionRule(
        "passage",
        codes=frozenset({"8000", "17000"}),
        pattern=r"^(?:passed (?:house|senate)\b(?! over)"
        rf"|{_MEASURE} (?:was )?(?:agreed to|passed) in (?:the )?(?:house|senate)\b"
        r"|(?:submitted|introduced|received) in the (?:house|senate)\b[^;]*\b(?:agreed to|passed)\b"
        r"|on (?:passage|agreeing to the resolution)\b[^;]*\b(?:passed|agreed to)\b"
        rf"|on motion to suspend the rules and (?:pass|agree to) the {_MEASURE}\b[^;]*\bagreed to\b)",
    ),
    # A failed passage vote ends a bill unless a later action moves it on; a failed motion to suspend the rules
    # does not: it only means the bill lacked two thirds, and it may come back under a rule or be reported
    # (117th: HR 1204 was reported and put on the Union Calendar after one). The Library of Congress files both
    # under 9000 ("Failed of passage/not agreed to in House: On motion to suspend the rules and pass the bill
    # Failed ..."), so the code is narrowed by the text. Failed cloture ("Cloture ... not invoked") is a vote on
    # ending debate, not on the bill, and matches nothing here.
    ActionRule(
        "failure",
        codes=frozenset({"9000", "18000"}),
        pattern=r"^(?!failed of passage/not agreed to in (?:the )?(?:house|senate): on motion to suspend the rules\b)"
        r"(?:(?:under the order of [^,]*, )?(?:not having achieved [^,]*, )?"
        r"failed of passage\b(?! in (?:the )?(?:house|senate) over)"
        rf"|{_MEASURE} not agreed to\b"
        r"|on (?:passage|agreeing to the resolution)\b[^;]*\bfailed\b)",
        code_needs_pattern=True,
    ),
    # Tabling a measure disposes of it for good (how the House kills privileged resolutions).
    ActionRule(
        "failure",
        codes=frozenset({"H36510"}),
        pattern=r"^on motion to table the (?:measure|bill|resolution) agreed to\b",
        code_needs_pattern=True,
    ),
    # The chambers' final agreement on one text. "agree with an amendment" keeps the ping-pong going, and
    # "\bagree" cannot match "disagree".
    ActionRule(
        "concurrence",
        codes=frozenset({"19000", "19500", "20000", "20500", "21000", "23000"}),
        pattern=r"^(?:resolving differences -- (?:house|senate) actions: |conference report agreed to in \w+: )?"
        r"(?:(?:the )?(?:house|senate) (?:agreed|concurred)\b[^.]*? (?:to|in) the (?:house|senate) amendment"
        r"|on motion (?:that the house|to) (?:suspend the rules and )?(?:agree|concur) (?:to|in) the senate amendment"
        r"|(?:senate )?agreed to (?:the )?conference report|on agreeing to the conference report agreed to)"
        r"(?![^(;]*\bwith (?:an )?amendments?\b)",  # up to the vote details "(Roll no. ...)"
        code_needs_pattern=True,
    ),
    ActionRule(
        "executive-receipt",
        codes=frozenset({"28000", "E20000"}),
        pattern=r"^presented to (?:the )?president\b",
    ),
    ActionRule(
        "executive-signature",
        codes=frozenset({"29000", "36000", "E30000"}),
        pattern=r"^signed by (?:the )?president\b",
        code_needs_pattern=True,
    ),
    ActionRule(
        "executive-veto",
        codes=frozenset({"30000", "31000", "E30000"}),
        pattern=r"^(?:pocket )?vetoed by (?:the )?president\b",
        code_needs_pattern=True,
    ),
    ActionRule(
        "became-law",
        codes=frozenset({"36000", "41000", "E40000"}),
        pattern=r"^became (?:public|private) law\b",
        code_needs_pattern=True,
    ),
    # 32000-35000 are documented by the Library of Congress but absent from the sample data (no override in
    # the 114th-119th files here); the patterns follow the Senate's wording ("Passed Senate over veto ...").
    ActionRule(
        "veto-override-passage",
        codes=frozenset({"32000", "34000"}),
        pattern=r"^passed (?:house|senate) over (?:the )?veto\b"
        r"|\bobjections of the president to the contrary notwithstanding\b[^;]*\b(?:passed|agreed to)\b",
    ),
    ActionRule(
        "veto-override-failure",
        codes=frozenset({"33000", "35000"}),
        pattern=r"^failed of passage in (?:the )?(?:house|senate) over (?:the )?veto\b"
        r"|\bobjections of the president to the contrary notwithstanding\b[^;]*\bfailed\b",
    ),
    ActionRule("amendment-failure", codes=frozenset({"80000"}), pattern=r"^amendment \S+ (?:not agreed to|failed)\b"),
)

# --- actors ---------------------------------------------------------------------------------------------------

_EXECUTIVE_CODES = frozenset({"E30000", "E40000", "29000", "29100", "30000", "31000", "36000", "41000"})
_EXECUTIVE_TEXT = re.compile(
    r"^(?:(?:pocket )?vetoed|signed) by (?:the )?president|^became (?:public|private) law", re.IGNORECASE
)
_PRESENTMENT_CODES = frozenset({"28000", "E20000"})
_SOURCE_CHAMBER = {"0": Chamber.upper, "1": Chamber.lower, "2": Chamber.lower}
_SOURCE_NAME_CHAMBER = {
    "Senate": Chamber.upper,
    "House": Chamber.lower,
    "House floor actions": Chamber.lower,
    "House committee actions": Chamber.lower,
}
# Library of Congress numeric codes come in per-chamber blocks (inclusive ranges); conference codes
# (20700-20999) and amendment codes are shared and fall through to the text.
_LOC_CODE_CHAMBER: tuple[tuple[int, int, Chamber], ...] = (
    (1000, 9999, Chamber.lower),
    (10000, 18999, Chamber.upper),
    (19000, 19999, Chamber.lower),
    (20000, 20699, Chamber.upper),
    (21000, 22999, Chamber.lower),
    (23000, 24999, Chamber.upper),
    (25000, 25999, Chamber.lower),
    (26000, 26999, Chamber.upper),
    (32000, 33999, Chamber.lower),
    (34000, 35999, Chamber.upper),
)
_CHAMBER_WORD = re.compile(r"\b(House|Senate)\b")


def _actor(
    code: str | None, source_code: str | None, source_name: str | None, text: str, origin: Chamber
) -> Chamber | None:
    if code in _EXECUTIVE_CODES or (not code and _EXECUTIVE_TEXT.match(text)):
        return Chamber.executive
    if code in _PRESENTMENT_CODES:
        return origin  # the enrolling clerk of the chamber of origin presents the bill
    chamber = _SOURCE_CHAMBER.get(source_code or "") or _SOURCE_NAME_CHAMBER.get(source_name or "")
    if chamber is not None:
        return chamber
    if code:  # Library of Congress entries: chamber follows from the code
        if code.isdigit():
            number = int(code)
            for low, high, block_chamber in _LOC_CODE_CHAMBER:
                if low <= number <= high:
                    return block_chamber
        elif code == "Intro-S":
            return Chamber.upper
        elif code.startswith(("H", "Intro-H")):
            return Chamber.lower
        elif code == "B00100":
            return origin  # sponsor's introductory remarks: the sponsor sits in the chamber of origin
    found = _CHAMBER_WORD.search(text)
    if found:
        return Chamber.lower if found.group(1) == "House" else Chamber.upper
    return None


# --- small helpers --------------------------------------------------------------------------------------------
# Speed notes, measured on the 117th Congress (5.6 million elements, 214,000 cosponsors): a dict built from one
# pass over an element's children costs less than two ``find``/``findtext`` calls, so the loops below read
# children that way. Values go to the records as received: the records strip whitespace and parse dates,
# booleans ("True") and timestamps themselves.


def normalize_bill_type(raw: str | None) -> str | None:
    """``"H.R."``/``"hr"``/``"H.J.Res."`` -> ``"HR"``/``"HR"``/``"HJRES"``; None for nothing."""
    if not raw:
        return None
    value = raw.replace(".", "").replace(" ", "").upper()
    return _TYPE_ALIASES.get(value, value) or None


def bill_identifier(bill_type: str, number: str | int) -> str:
    """``"HR 1234"``: upper-case type, one space, number without leading zeros."""
    return f"{bill_type} {int(number)}"


# Bill numbers start at 1. The 119th Congress met in 2025; three digits reach the year 3785 and keep a session's
# dates within what a date can hold (a garbled "5000" made date() raise and stopped the whole import).
MAX_CONGRESS = 999


def _whole_number(text: str) -> bool:
    """ASCII digits only: ``str.isdigit`` also accepts "²" and other digits ``int()`` refuses."""
    return text.isascii() and text.isdigit()


def congress_session(congress: int) -> dict[str, Any]:
    """A Congress as a record's session: "117th Congress", from January 3 of its first year to the next's."""
    start_year = 1789 + 2 * (congress - 1)  # Congresses have begun on January 3 of odd years since 1935
    return {"identifier": str(congress), "name": f"{_ordinal(congress)} Congress",
            "start_date": dt.date(start_year, 1, 3), "end_date": dt.date(start_year + 2, 1, 3)}


def _ordinal(number: int) -> str:
    suffix = "th" if 10 <= number % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
    return f"{number}{suffix}"


def _text(element: Any) -> str | None:
    """Stripped text of an element that may be missing; None when there is nothing."""
    if element is None or element.text is None:
        return None
    return element.text.strip() or None


def _day(value: str | None) -> str | None:
    # Dates come as "2021-06-04" or as UTC timestamps: text versions "2021-11-16T04:59:59Z" (the last second of
    # November 15 in Washington), committee activities "2021-01-07T01:26:34Z" (an evening referral on the 6th).
    # The day is the date in Washington (tracker.dates).
    return local_day(value)


# Legacy files write action times "06:59PM", 3.0.0 files "16:53:30" (both Washington time): one form, 24-hour
# "HH:MM:SS", so stored times compare and sort the same whichever generation a bill came from.
_TIME = re.compile(r"(\d{1,2}):(\d{2})(?::(\d{2}))?\s*(?:([AaPp])\.?\s*[Mm]\.?)?")


def _time(value: str | None) -> str | None:
    """An action time as "HH:MM:SS" (24-hour); None when it is missing or not a time of day."""
    match = _TIME.fullmatch(value.strip()) if value else None
    if match is None:
        return None
    hour, minute, second = int(match[1]), int(match[2]), int(match[3] or 0)
    if match[4]:  # 12:21AM is 00:21, 12:55PM is 12:55
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if match[4] in "Pp" else 0)
    if hour > 23 or minute > 59 or second > 59:
        return None
    return f"{hour:02d}:{minute:02d}:{second:02d}"


def _items(container: Any) -> Any:
    return () if container is None else container.iterchildren("item")


def _children(element: Any) -> dict[str, Any]:
    """Child elements by tag (the last of a repeated tag wins; no field used here repeats)."""
    return {child.tag: child for child in element}


# --- parser ---------------------------------------------------------------------------------------------------


def parse_billstatus(data: bytes, locator: str) -> BillRecord:
    """Parse one BILLSTATUS document; raise ``ParseError(locator, reason)`` naming the field for anything wrong."""
    root = parse_xml(data, locator)
    if root.tag != "billStatus":
        raise ParseError(locator, f"root element is <{root.tag}>, expected <billStatus>")
    bill = root.find("bill")
    if bill is None:
        raise ParseError(locator, "missing <bill> element")
    payload = _bill_payload(bill, locator)
    try:
        return BillRecord.model_validate(payload)
    except ValidationError as exc:
        raise ParseError(locator, _describe(exc)) from None


def _describe(exc: ValidationError) -> str:
    errors = exc.errors(include_url=False)
    first = errors[0]
    where = ".".join(str(part) for part in first["loc"]) or "record"
    more = f" (+{len(errors) - 1} more)" if len(errors) > 1 else ""
    return f"invalid {where}: {first['msg']} (input {str(first.get('input'))[:80]!r}){more}"


def _bill_payload(bill: Any, locator: str) -> dict[str, Any]:
    fields = _children(bill)

    def required(*names: str) -> str:
        for name in names:
            value = _text(fields.get(name))
            if value:
                return value
        raise ParseError(locator, f"missing bill {' / '.join(f'<{name}>' for name in names)}")

    congress_text = required("congress")
    raw_type = required("type", "billType")
    raw_number = required("number", "billNumber")
    if not _whole_number(congress_text) or not 1 <= int(congress_text) <= MAX_CONGRESS:
        raise ParseError(locator, f"invalid bill <congress>: {congress_text!r}")
    if not _whole_number(raw_number) or int(raw_number) < 1:
        raise ParseError(locator, f"invalid bill number: {raw_number!r}")
    bill_type = normalize_bill_type(raw_type) or ""
    if bill_type not in BILL_TYPES:
        raise ParseError(locator, f"invalid bill type: {raw_type!r}")
    congress = int(congress_text)
    number = str(int(raw_number))
    classification, origin, slug = BILL_TYPES[bill_type]
    lower_type = bill_type.lower()

    on_actions: list[tuple[Any, str | None, str | None]] = []
    actions = _actions(fields.get("actions"), origin, on_actions)
    stage = derive_stage(
        (Step(action["actor"], action["classification"]) for action in actions), origin, classification
    )
    latest = _children(fields["latestAction"]) if "latestAction" in fields else {}
    latest_date = _day(_text(latest.get("actionDate")))
    latest_text = _text(latest.get("text"))
    if latest_text is None and actions:
        latest_date, latest_text = actions[-1]["date"], actions[-1]["text"]

    title, short_title, popular_title = _titles(fields, origin)
    if not title:
        raise ParseError(locator, "missing bill <title>")
    summary_html = _summary_html(fields.get("summaries"))
    return {
        "jurisdiction": JURISDICTION,
        "session": congress_session(congress),
        "identifier": bill_identifier(bill_type, number),
        "bill_type": bill_type,
        "number": number,
        "classification": classification,
        "origin_chamber": origin,
        "title": title,
        "short_title": short_title,
        "popular_title": popular_title,
        "summary_html": summary_html,
        "summary_text": html_to_text(summary_html) if summary_html else None,
        "status_text": latest_text,
        "stage": stage,
        "introduced_date": _day(_text(fields.get("introducedDate"))),
        "latest_action_date": latest_date,
        "latest_action_text": latest_text,
        "policy_area": _policy_area(fields),
        # An ISO timestamp with "Z", parsed timezone-aware by the record.
        "upstream_updated_at": _text(fields.get("updateDateIncludingText")) or _text(fields.get("updateDate")),
        "source_name": SOURCE_NAME,
        "source_key": f"{congress}-{lower_type}-{number}",
        "source_urls": [
            f"https://www.govinfo.gov/bulkdata/BILLSTATUS/{congress}/{lower_type}/"
            f"BILLSTATUS-{congress}{lower_type}{number}.xml",
            f"https://www.congress.gov/bill/{_ordinal(congress)}-congress/{slug}/{number}",
        ],
        "actions": actions,
        "sponsorships": _people(fields.get("sponsors"), "primary") + _people(fields.get("cosponsors"), "cosponsor"),
        "committees": _committees(fields.get("committees")),
        "subjects": _subjects(fields.get("subjects")),
        "versions": _versions(fields.get("textVersions")),
        "related_bills": _related(fields.get("relatedBills"), str(congress)),
        "votes": recorded_votes(on_actions, fields.get("recordedVotes"), fields.get("actions"),
                                f"{congress}-{lower_type}-{number}", congress),
    }


# Leaf elements copied straight into the records, by record field name.
_ACTION_LEAVES = {
    "actionDate": "date",
    "actionTime": "time",
    "text": "text",
    "type": "action_type",
    "actionCode": "action_code",
}
_PERSON_LEAVES = {
    "bioguideId": "person_id",
    "fullName": "name",
    "party": "party",
    "state": "state",
    "district": "district",
    "isOriginalCosponsor": "is_original",  # "True"/"False"
    "sponsorshipDate": "sponsored_date",
    "sponsorshipWithdrawnDate": "withdrawn_date",
}


def _actions(container: Any, origin: Chamber, votes: list[tuple[Any, str | None, str | None]]) -> list[dict[str, Any]]:
    """The bill's actions, oldest first; each action's recorded votes go to ``votes`` as (``<recordedVotes>``, the
    action's text, its source system code)."""
    actions: list[dict[str, Any]] = []
    leaf = _ACTION_LEAVES.get
    for item in _items(container):
        action: dict[str, Any] = {"date": None, "time": None, "text": None, "action_type": None, "action_code": None}
        source: dict[str, Any] = {}
        committees = recorded = None
        for child in item:
            tag = child.tag
            key = leaf(tag)
            if key is not None:
                action[key] = child.text
            elif tag == "sourceSystem":
                source = {part.tag: part.text for part in child}
            elif tag == "committees" or tag == "committee":  # 2019+: committees/item/name; legacy: committee/name
                committees = child
            elif tag == "recordedVotes" and len(child):  # 3.0.0: the roll calls this action records
                recorded = child
        text = action["text"]
        if recorded is not None:
            votes.append((recorded, (text.strip() or None) if text else None, source.get("code")))
        if not text or text.isspace():
            continue  # a handful of legacy entries are empty placeholders; the event is recorded beside them
        action["text"] = text = text.strip()  # the rules' patterns are anchored at the start
        code = action["action_code"]
        action["date"] = _day(action["date"])
        action["time"] = _time(action["time"])
        action["actor"] = _actor(code, source.get("code"), source.get("name"), text, origin)
        action["classification"] = classify(code, text, BILLSTATUS_RULES)
        action["committees"] = _action_committees(committees) if committees is not None and len(committees) else []
        actions.append(action)
    # Upstream lists newest first; reversing keeps same-day actions in their recorded order. The stable sort is
    # a guard only: every file seen so far is already in date order.
    actions.reverse()
    actions.sort(key=lambda action: action["date"] or "")
    return actions


def _action_committees(element: Any) -> list[str]:
    entries = element.iterchildren("item") if element.tag == "committees" else (element,)
    return [name for name in (_text(_children(entry).get("name")) for entry in entries) if name]


def _people(container: Any, kind: str) -> list[dict[str, Any]]:
    people = []
    leaf = _PERSON_LEAVES.get
    for item in _items(container):
        person = {key: child.text for child in item if (key := leaf(child.tag)) is not None}
        if not person.get("person_id"):  # legacy files carry it under identifiers/ only
            identifiers = item.find("identifiers")
            person["person_id"] = _text(identifiers.find("bioguideId")) if identifiers is not None else None
        if not person.get("name"):  # legacy <name>, or the name parts
            parts = (_text(item.find(tag)) for tag in ("name", "firstName", "middleName", "lastName"))
            person["name"] = " ".join(part for part in parts if part) or person["person_id"]
            if not person["name"]:
                continue
        if not all(_filled(person.get(key)) for key in ("party", "state", "district")):
            _fill_from_full_name(person)
        sponsored = person.get("sponsored_date")
        if sponsored and len(sponsored) > 10:  # a few legacy dates are timestamps ("2015-04-14T04:00:00Z")
            person["sponsored_date"] = _day(sponsored)
        withdrawn = person.get("withdrawn_date")
        if withdrawn and len(withdrawn) > 10:
            person["withdrawn_date"] = _day(withdrawn)
        person["kind"] = kind
        people.append(person)
    return people


# "Rep. Davis, Rodney [R-IL-13]", "Sen. Sanders, Bernard [I-VT]", "Del. Norton, Eleanor Holmes [D-DC-At Large]".
_MEMBER_BRACKET = re.compile(r"\[([A-Z]{1,3})-([A-Z]{2})(?:-(\d{1,2}|At Large))?\]")


def _filled(value: str | None) -> bool:
    return bool(value and not value.isspace())


def _fill_from_full_name(person: dict[str, Any]) -> None:
    """Party, state and district missing as elements, from the bracket of ``fullName``; elements always win.

    Legacy (2015-2017) files carry only ``fullName`` (312 of the 346 sponsorships in the 114th-Congress samples).
    An at-large seat is ``0``, as the elements of later files write it; senators have no district.
    """
    found = _MEMBER_BRACKET.search(person.get("name") or "")
    if found is None:
        return
    party, state, district = found.groups()
    if district is not None:
        district = "0" if district == "At Large" else str(int(district))
    for key, value in (("party", party), ("state", state), ("district", district)):
        if value is not None and not _filled(person.get(key)):
            person[key] = value


_CHAMBER_NAMES = {"House": Chamber.lower, "Senate": Chamber.upper, "Joint": Chamber.joint}


def _committees(container: Any) -> list[dict[str, Any]]:
    if container is None:
        return []
    legacy = container.find("billCommittees")
    committees: list[dict[str, Any]] = []
    for item in _items(legacy if legacy is not None else container):
        fields = _children(item)
        chamber_name = _text(fields.get("chamber"))
        chamber = _CHAMBER_NAMES.get(chamber_name or "", chamber_name)
        code = _add_committee(committees, fields, chamber, parent_code=None)
        for sub in _items(fields.get("subcommittees")):
            _add_committee(committees, _children(sub), chamber, parent_code=code)
    return committees


def _add_committee(
    committees: list[dict[str, Any]], fields: dict[str, Any], chamber: Any, parent_code: str | None
) -> str | None:
    code = _text(fields.get("systemCode"))
    name = _text(fields.get("name"))
    if name is None:
        return code
    activities = []
    referred: str | None = None
    for activity in _items(fields.get("activities")):
        values = {child.tag: child.text for child in activity}
        activity_name, activity_date = values.get("name"), values.get("date")
        activities.append({"name": activity_name, "date": activity_date})
        if activity_name and activity_date and activity_name.lower().startswith(("referred", "referral")):
            day = _day(activity_date) or ""
            referred = day if referred is None or day < referred else referred
    committees.append(
        {
            "name": name,
            "code": code,
            "chamber": chamber,
            "parent_code": parent_code,
            "activities": activities,
            "referred_date": referred,
        }
    )
    return code


# Text-only XPath: subject lists are long and flat, and a string costs less than an element per name.
# Legacy files file legislative subject terms under otherSubjects (so says the 2015 user guide).
_SUBJECT_NAMES = etree.XPath(
    "legislativeSubjects/item/name/text() | billSubjects/legislativeSubjects/item/name/text()"
    " | billSubjects/otherSubjects/item/name/text()",
    smart_strings=False,
)


def _subjects(container: Any) -> list[str]:
    if container is None:
        return []
    # dict.fromkeys: de-duplicated, in document order
    return list(dict.fromkeys(name for name in (raw.strip() for raw in _SUBJECT_NAMES(container)) if name))


def _policy_area(fields: dict[str, Any]) -> str | None:
    for name in ("policyArea", "primarySubject"):
        element = fields.get(name)
        value = _text(element.find("name")) if element is not None else None
        if value:
            return value
    subjects = fields.get("subjects")
    if subjects is not None:
        for path in ("policyArea/name", "billSubjects/policyArea/name", "billSubjects/primarySubject/name"):
            value = _text(subjects.find(path))
            if value:
                return value
    return None


# Short-title types by the legislative version they belong to, latest first. Upstream order cannot be trusted
# for this: legacy files list newest first, 3.0.0 files group titles by text version in no particular order.
_SHORT_TITLE_RANK = (("as enacted", 5), ("on conference report", 4), ("as reported", 2), ("as introduced", 1))


def _short_title_rank(title_type: str, origin: Chamber) -> int | None:
    title_type = title_type.removeprefix("(Extracted from GPO) ").lower()
    if not title_type.startswith("short title") or "for portions" in title_type:
        return None
    if "as passed" in title_type:
        # The second chamber passes after the first, so its title is the later one.
        origin_word = "house" if origin == Chamber.lower else "senate"
        return 3 if title_type.endswith(origin_word) else 4
    for marker, rank in _SHORT_TITLE_RANK:
        if marker in title_type:
            return rank
    return 0  # "Other Short Titles", "Short Titles on Other Versions"


def _titles(fields: dict[str, Any], origin: Chamber) -> tuple[str | None, str | None, str | None]:
    """Display title, short title of the latest version that has one (ties: first listed), popular title."""
    display = _text(fields.get("title"))
    fallback = short = popular = None
    best_rank = -1
    for item in _items(fields.get("titles")):
        values = {child.tag: child.text for child in item}
        title = (values.get("title") or "").strip()
        if not title:
            continue
        title_type = values.get("titleType") or ""
        if title_type.startswith("Popular Title"):
            popular = popular or title
        elif title_type in ("Display Title", "Official Title as Introduced"):
            fallback = fallback or title
        rank = _short_title_rank(title_type, origin)
        if rank is not None and rank > best_rank:
            short, best_rank = title, rank
    return display or fallback, short, popular


def _summary_html(container: Any) -> str | None:
    """The latest CRS summary's markup, as received (the 119th files' escaped ``<cdata>`` text comes out unescaped)."""
    if container is None:
        return None
    legacy = container.find("billSummaries")
    items = _items(legacy) if legacy is not None else container.iterchildren("summary")
    best_key: tuple[str, str, int] | None = None
    best_html: str | None = None
    for position, item in enumerate(items):
        fields = _children(item)
        markup = _text(fields.get("text"))
        if markup is None and "cdata" in fields:
            markup = _text(fields["cdata"].find("text"))
        if not markup:
            continue
        # Latest legislative action first, then the latest edit, then upstream order.
        key = (_text(fields.get("actionDate")) or "", _text(fields.get("updateDate")) or "", position)
        if best_key is None or key > best_key:
            best_key, best_html = key, markup
    return best_html


_BLOCK_TAGS = ("p", "div", "li", "ul", "ol", "table", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "pre", "blockquote")
_SPACED_TAGS = ("br", "td", "th")
_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")


def html_to_text(markup: str) -> str | None:
    """Readable text of summary markup: whitespace collapsed, paragraphs separated by a blank line.

    lxml's HTML parser (the libxml2 parser BeautifulSoup's "lxml" builder drives) rather than BeautifulSoup: on
    the 117th Congress's 15,000 summaries BeautifulSoup alone takes longer than parsing all 17,817 files, which
    would put the import far below its speed target for the same text.
    """
    try:
        document = etree.HTML(f"<div>{markup}</div>")
    except (etree.ParserError, ValueError):
        return None
    if document is None:
        return None
    for element in document.iter(_BLOCK_TAGS):
        element.text = "\n\n" + (element.text or "")
        element.tail = "\n\n" + (element.tail or "")
    for element in document.iter(_SPACED_TAGS):  # "a<br>b" and table cells must not run together
        element.tail = " " + (element.tail or "")
    paragraphs = (" ".join(part.split()) for part in _PARAGRAPH_BREAK.split("".join(document.itertext())))
    return "\n\n".join(part for part in paragraphs if part) or None


_VERSION_CODE = re.compile(r"BILLS-\d+[a-z]+\d+([a-z][a-z0-9]*)\.", re.IGNORECASE)
_FORMAT_PREFERENCE = {"xml": 0, "html": 1, "txt": 2, "pdf": 3}


def _format_of(url: str) -> str:
    name = url.rsplit("/", 1)[-1]
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    return "html" if extension == "htm" else extension or "unknown"


def package_xml_url(package: str) -> str:
    """A GovInfo package's XML, ``BILLS-117hr21ih`` -> .../content/pkg/BILLS-117hr21ih/xml/BILLS-117hr21ih.xml: what
    BILLSTATUS lists for a text version, the one key both federal feeds give it."""
    return f"https://www.govinfo.gov/content/pkg/{package}/xml/{package}.xml"


# A GovInfo package's XML (package_xml_url). A public law's is its USLM package, PLAW-117publ58_uslm; its PDF and
# text are the PLAW-117publ58 package's.
_GOVINFO_PACKAGE_XML = re.compile(
    r"^https://www\.govinfo\.gov/content/pkg/((?:BILLS|PLAW)-[A-Za-z0-9]+?)(_uslm|)/xml/\1\2\.xml$")


def _package_renditions(url: str) -> list[dict[str, str]]:
    """GovInfo's PDF and formatted text beside a package's XML (the package summary's pdfLink and txtLink, at
    their public content paths): BILLSTATUS names only the XML, and a reader wants the PDF."""
    found = _GOVINFO_PACKAGE_XML.match(url)
    if not found:
        return []
    pkg = f"https://www.govinfo.gov/content/pkg/{found.group(1)}"
    return [{"format": "pdf", "url": f"{pkg}/pdf/{found.group(1)}.pdf"},
            {"format": "html", "url": f"{pkg}/html/{found.group(1)}.htm"}]


def _versions(container: Any) -> list[dict[str, Any]]:
    versions = []
    for item in _items(container):
        fields = _children(item)
        links = []
        for fmt in _items(fields.get("formats")):
            url = _text(_children(fmt).get("url"))
            if url:
                links.append({"format": _format_of(url), "url": url})
        listed = {link["url"] for link in links}
        links += [extra for link in list(links) for extra in _package_renditions(link["url"])
                  if extra["url"] not in listed]
        if not links:
            continue  # 3.0.0 files end the list with an empty placeholder item
        preferred = min(links, key=lambda link: _FORMAT_PREFERENCE.get(link["format"], len(_FORMAT_PREFERENCE)))
        code_match = _VERSION_CODE.search(preferred["url"])
        code = code_match.group(1).lower() if code_match else None
        versions.append(
            {
                "label": _text(fields.get("type")) or (code.upper() if code else "Text"),
                "url": preferred["url"],
                "code": code,
                "date": _day(_text(fields.get("date"))),
                "format": preferred["format"],
                "links": links,
            }
        )
    return versions


def _related(container: Any, congress: str) -> list[dict[str, Any]]:
    related = []
    for item in _items(container):
        fields = _children(item)
        related_type = normalize_bill_type(_text(fields.get("type")))
        related_number = _text(fields.get("number"))
        if not related_type or not related_number or not _whole_number(related_number):
            continue
        base = {
            "jurisdiction_id": "us",
            "session_identifier": _text(fields.get("congress")) or congress,
            "identifier": bill_identifier(related_type, related_number),
            "title": _text(fields.get("title")) or _text(fields.get("latestTitle")),
        }
        details = [{child.tag: child.text for child in detail} for detail in _items(fields.get("relationshipDetails"))]
        if not details:
            related.append({**base, "relationship": "Related bill", "identified_by": None})
        for detail in details:
            relationship = detail.get("type") or "Related bill"
            related.append({**base, "relationship": relationship, "identified_by": detail.get("identifiedBy")})
    return related
