"""What the state and city feeds share: jurisdiction records and one spelling of sessions and bill identifiers.

One bill seen through several feeds (California pubinfo, Open States, LegiScan) must land on one ``Bill`` row,
whose natural key is jurisdiction + session identifier + bill identifier. So every state parser spells them
through the functions here:

- jurisdiction id: the lower-case postal code (``ca``), level ``state``; cities and counties
  ``us-{state}-{place}`` (``us-ca-los-angeles-county``), level ``local``;
- session identifier: Open States' identifier where one is known, because Open States covers every state and
  is the feed the others are matched against. California's are the session years, ``20252026`` for the
  2025-26 regular session and ``20252026s1`` for its first extraordinary session (pubinfo's session_num 1;
  Open States' own "20252026 Special Session 1" is respelled so, ``session_from_openstates``);
  LegiScan sessions become ``{year_start}{year_end}`` for a two-year session, ``{year}`` for a one-year one,
  plus ``s{n}`` for a special session (which matches Open States for California and other states that name
  sessions by years), except in the states of ``OPENSTATES_SESSIONS``, where Open States names them otherwise
  (Alabama ``2025rs``, Alaska ``27``...): there the table gives Open States' spelling;
- bill identifier: upper-case type, one space, number without leading zeros (``SB 275``, ``AB 1656``,
  ``HB 100``), whatever the feed wrote (``SB275``, ``S.B. 275``, ``SB 0275``).
"""

import re
from typing import Any

from tracker.models.enums import Level

STATE_NAMES: dict[str, str] = {
    "al": "Alabama", "ak": "Alaska", "az": "Arizona", "ar": "Arkansas", "ca": "California", "co": "Colorado",
    "ct": "Connecticut", "de": "Delaware", "dc": "District of Columbia", "fl": "Florida", "ga": "Georgia",
    "hi": "Hawaii", "id": "Idaho", "il": "Illinois", "in": "Indiana", "ia": "Iowa", "ks": "Kansas",
    "ky": "Kentucky", "la": "Louisiana", "me": "Maine", "md": "Maryland", "ma": "Massachusetts", "mi": "Michigan",
    "mn": "Minnesota", "ms": "Mississippi", "mo": "Missouri", "mt": "Montana", "ne": "Nebraska", "nv": "Nevada",
    "nh": "New Hampshire", "nj": "New Jersey", "nm": "New Mexico", "ny": "New York", "nc": "North Carolina",
    "nd": "North Dakota", "oh": "Ohio", "ok": "Oklahoma", "or": "Oregon", "pa": "Pennsylvania",
    "pr": "Puerto Rico", "ri": "Rhode Island", "sc": "South Carolina", "sd": "South Dakota", "tn": "Tennessee",
    "tx": "Texas", "ut": "Utah", "vt": "Vermont", "va": "Virginia", "wa": "Washington", "wv": "West Virginia",
    "wi": "Wisconsin", "wy": "Wyoming", "us": "United States",
}

# What each legislature calls its chambers, where it is not "House" and "Senate" (NCSL: the lower house is the
# Assembly in five states and the House of Delegates in three; Nebraska has one chamber; DC a council).
_CHAMBERS = {"upper": "Senate", "lower": "House", "joint": "Joint", "executive": "Governor",
             "legislature": "Legislature"}
_CHAMBERS_BY_STATE: dict[str, dict[str, str]] = {
    **{state: {"lower": "Assembly"} for state in ("ca", "nv", "ny", "nj", "wi")},
    **{state: {"lower": "House of Delegates"} for state in ("md", "va", "wv")},
    "dc": {"legislature": "Council", "upper": "Council", "executive": "Mayor"},
    "us": {"executive": "President"},
}

# A legislature's search form that feeds give as a bill's source where the legislature has no page of its own for
# the bill: every one of Alabama's 1,422 bills of 2025 (openstates/scrape_AL2025) has ALISON's bill search as its
# only source. Open States' Alabama scraper adds it to every bill, and the bill's own ALISON page only when ALISON
# returns one (``instrumentUrl``), which it did for none. No bill page URL can be formed from what ALISON documents.
SEARCH_PAGES = frozenset({"alison.legislature.state.al.us/bill-search"})


def is_search_page(url: str) -> bool:
    """True for a legislature's search form (SEARCH_PAGES), whatever its scheme, query or trailing slash."""
    bare = url.split("#", 1)[0].split("?", 1)[0].split("://", 1)[-1].rstrip("/").lower()
    return bare.removeprefix("www.") in SEARCH_PAGES


def one_chamber_body(jurisdiction: str | None) -> str | None:
    """What a legislature with one chamber is called when it passes a bill ("the council", "the board", "the
    Legislature" in Nebraska), None for one with two: its final passage is the shared stage vocabulary's
    ``passed_both_chambers``, a name that reads wrong for it. Local ids are ``us-{state}-{place}``
    (tracker.sources.legistar.CLIENTS): a county or transit authority has a board, a city a council."""
    key = (jurisdiction or "").lower()
    if key == "ne":
        return "the Legislature"
    if key == "dc":
        return "the Council"
    if is_local(key):
        return "the board" if key.endswith(("-county", "-metro")) else "the council"
    return None


def is_local(jurisdiction: str | None) -> bool:
    """A city's or county's body (``us-{state}-{place}``: ``local_jurisdiction``)."""
    key = (jurisdiction or "").lower()
    return key.startswith("us-") and key.count("-") >= 2


def chamber_name(chamber: str | None, jurisdiction: str) -> str | None:
    """``lower`` -> "House" ("Assembly" in California), ``executive`` -> "Governor": the chamber as the state's
    readers say it. Anything else (a council's body a feed names itself, a city's chambers) as given."""
    if not chamber or jurisdiction not in STATE_NAMES:
        return chamber
    key = str(chamber).lower()
    return _CHAMBERS_BY_STATE.get(jurisdiction, {}).get(key) or _CHAMBERS.get(key) or chamber


_IDENTIFIER = re.compile(r"^\s*([A-Za-z][A-Za-z.\s]*?)\s*0*(\d+)\s*([A-Za-z]?)\s*$")
_OCD_STATE = re.compile(r"/state:([a-z]{2})(?:/|$)")


def state_jurisdiction(code: str) -> dict[str, Any]:
    """The jurisdiction record of a state by postal code (any case); ValueError for an unknown code."""
    key = code.strip().lower()
    if key not in STATE_NAMES or key == "us":
        raise ValueError(f"unknown state code {code!r}")
    return {"id": key, "name": STATE_NAMES[key], "level": Level.state, "classification": "government"}


def local_jurisdiction(state: str, place: str, name: str) -> dict[str, Any]:
    """``us-ca-los-angeles-county``-style id for a city or county body."""
    slug = re.sub(r"[^a-z0-9]+", "-", place.lower()).strip("-")
    return {"id": f"us-{state.strip().lower()}-{slug}"[:64], "name": name, "level": Level.local,
            "classification": "government"}


def state_from_ocd(ocd_id: str | None) -> str | None:
    """``ocd-jurisdiction/country:us/state:al/government`` -> ``al``."""
    found = _OCD_STATE.search(ocd_id or "")
    return found.group(1) if found else None


def normalize_identifier(raw: str) -> tuple[str, str, str] | None:
    """``"SB275"``/``"S.B. 0275"`` -> ``("SB 275", "SB", "275")``; None when it is not type + number."""
    found = _IDENTIFIER.match(raw or "")
    if not found:
        return None
    bill_type = re.sub(r"[.\s]", "", found.group(1)).upper()
    number = str(int(found.group(2))) + found.group(3).upper()
    return f"{bill_type} {number}", bill_type, number


def session_from_years(year_start: int, year_end: int | None, special: int = 0) -> str:
    """The shared session identifier from years: ``20252026``, ``2014``, ``20252026s1``."""
    years = f"{year_start}{year_end}" if year_end and year_end != year_start else f"{year_start}"
    return f"{years}s{special}" if special else years


# Open States names a special session of a state whose sessions go by years "{years} Special Session {n}"
# (California: "20232024 Special Session 1", openstates-scrapers scrapers/ca/__init__.py), where pubinfo and
# LegiScan give the same session as years plus a special-session number.
_OPENSTATES_SPECIAL = re.compile(r"(\d{4})(\d{4})? Special Session (\d+)", re.IGNORECASE)


def session_from_openstates(identifier: str) -> str:
    """Open States' session identifier in the shared spelling: ``20232024 Special Session 1`` ->
    ``20232024s1``; any other identifier (``20252026``, ``2025rs``) as it is."""
    found = _OPENSTATES_SPECIAL.fullmatch(identifier.strip())
    if not found:
        return identifier
    start, end, special = found.groups()
    return session_from_years(int(start), int(end) if end else None, int(special))


# How Open States names the sessions of the states it does not name by their years, by kind of session:
# "regular", "special" (special or extraordinary), "fiscal" (Arkansas' even-year budget sessions) and
# "organizational" (Alabama's first days of a term; elsewhere part of the regular session): its
# identifier, and the session's name in words. From openstates-scrapers scrapers/{state}/__init__.py
# ``legislative_sessions`` (Alabama's also from the real scrape_AL2025/al.json). Fields: {year} the first year,
# {years} the shared spelling (``session_from_years``), {special} the special session's number and {Nth} it in
# words ("Second"), {legislature} the number in LegiScan's name ("27th Legislature") and {legislature_th} it as an
# ordinal ("27th"). A kind a state has no row for keeps the shared spelling. A state is added here, as data, when
# its feeds disagree; tests/tracker/test_session_spellings.py checks each against real files where they exist.
OPENSTATES_SESSIONS: dict[str, dict[str, tuple[str, str]]] = {
    "al": {"regular": ("{year}rs", "{year} Regular Session"),  # 2025rs; 2023s1 (older ones 2012fs: not kept)
           "special": ("{year}s{special}", "{year} {Nth} Special Session"),
           "organizational": ("{year}os", "{year} Organizational Session")},  # 2015os, each term's first days
    "ak": {"regular": ("{legislature}", "{legislature_th} Legislature")},  # 27 = 27th Legislature (2011-2012)
    "ar": {"regular": ("{year}", "{year} Regular Session"), "fiscal": ("{year}F", "{year} Fiscal Session"),
           "special": ("{year}S{special}", "{year} {Nth} Extraordinary Session")},  # 2013, 2012F, 2013S1
    "ms": {"regular": ("{year}", "{year} Regular Session"),
           "special": ("{year}{special}E", "{year} {Nth} Extraordinary Session")},  # 2014, 20141E
}
_KINDS = (("fiscal", re.compile(r"\bfiscal\b", re.IGNORECASE)),
          ("organizational", re.compile(r"\borgani[sz]ational\b", re.IGNORECASE)))
_LEGISLATURE = re.compile(r"\b(\d+)(?:st|nd|rd|th)\s+(?:legislature|general assembly)\b", re.IGNORECASE)
_ORDINAL_WORDS = ("first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth")
_NTH_SPECIAL = re.compile(r"\b(?:(\d+)(?:st|nd|rd|th)|(" + "|".join(_ORDINAL_WORDS) + r"))\s+"
                          r"(?:special|extraordinary)\b", re.IGNORECASE)
_TEMPLATE_FIELDS = {"year": r"(?P<year>\d{4})", "special": r"(?P<special>\d+)", "legislature": r"(?P<legislature>\d+)"}


def special_number(name: str) -> int | None:
    """The number of a special session from its name: "2023 Second Special Session" and "2nd Special Session"
    -> 2; None when the name gives none."""
    found = _NTH_SPECIAL.search(name or "")
    if not found:
        return None
    return int(found.group(1)) if found.group(1) else _ORDINAL_WORDS.index(found.group(2).lower()) + 1


def session_identifier(state: str, year_start: int, year_end: int | None, special: int = 0, name: str = "") -> str:
    """The shared session identifier of a session given by years (LegiScan): ``session_from_years``, or Open
    States' spelling where ``OPENSTATES_SESSIONS`` has the state and kind."""
    years = session_from_years(year_start, year_end, special)
    kind = "special" if special else next((k for k, words in _KINDS if words.search(name or "")), "regular")
    spellings = OPENSTATES_SESSIONS.get(state, {})
    # A kind the state's row does not name (an organizational session where it is part of the regular one)
    # is the regular session's.
    template = spellings.get(kind, spellings.get("regular", (None, None)) if kind != "special" else (None, None))[0]
    legislature = _LEGISLATURE.search(name or "")
    if template is None or ("{legislature}" in template and legislature is None):
        return years
    return template.format(year=year_start, years=years, special=special,
                           legislature=legislature.group(1) if legislature else "")


def _ordinal(number: int) -> str:
    suffix = "th" if 10 <= number % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
    return f"{number}{suffix}"


def session_name(state: str, identifier: str) -> str | None:
    """The name in words of a session ``OPENSTATES_SESSIONS`` spells for the state (``al``, ``2025rs`` ->
    "2025 Regular Session"), where a feed gives only the identifier; None for any other."""
    for identifier_template, name_template in OPENSTATES_SESSIONS.get(state, {}).values():
        pattern = re.sub(r"\{(\w+)\}", lambda m: _TEMPLATE_FIELDS.get(m.group(1), r"\d+"),
                         re.sub(r"([^{}\w])", r"\\\1", identifier_template))
        found = re.fullmatch(pattern, identifier.strip(), re.IGNORECASE)
        if found is None:
            continue
        fields = found.groupdict()
        special = int(fields.get("special") or 0)
        legislature = int(fields.get("legislature") or 0)
        return name_template.format(
            year=fields.get("year"), special=special,
            Nth=_ORDINAL_WORDS[special - 1].title() if 0 < special <= len(_ORDINAL_WORDS) else _ordinal(special),
            legislature=legislature, legislature_th=_ordinal(legislature))
    return None


def session_name_from_years(year_start: int, year_end: int | None, special: int = 0, *, state: str = "") -> str:
    """"2025-2026 Regular Session", "2025-2026 Special Session 1"; California's special sessions as it names
    them: "1999-2000 First Extraordinary Session"."""
    span = f"{year_start}-{year_end}" if year_end and year_end != year_start else f"{year_start}"
    if special and state == "ca":
        nth = _ORDINAL_WORDS[special - 1].title() if special <= len(_ORDINAL_WORDS) else _ordinal(special)
        return f"{span} {nth} Extraordinary Session"
    return f"{span} Special Session {special}" if special else f"{span} Regular Session"
