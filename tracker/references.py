"""A bill reference as a person reads it: "Alabama HB 235 (2025 Regular Session)", "H.R. 4350 (117th Congress)".

The natural key (jurisdiction id, session identifier, bill identifier: ``al``, ``2025rs``, ``HB 235``) is what
machines read, and stays in URLs, CSV and JSON key columns and search. Pages, digests, packets and the command
line's tables show this instead: the state's name, the bill number as the legislature prints it, and the session
in words. ``compact`` is the same reference for narrow table cells: the postal code and the session without the
word "Session" ("AL HB 235 (2025 Regular)", "CA AB 1018 (2025-26 Regular)").

The session's name comes from its identifier where the spelling is known (tracker.sources.states: Congresses,
session years, ``OPENSTATES_SESSIONS``), so a bill reads the same wherever it is shown whatever feed named its
session; otherwise from the name the feed gave (``session_name``), and only then the identifier itself.
"""

import re

from tracker.sources import states
from tracker.sources.govinfo_billstatus import congress_session
from tracker.sources.legistar import CLIENTS

# Congress.gov's citations of the eight kinds of federal bill and resolution.
FEDERAL_TYPES = {"HR": "H.R.", "S": "S.", "HRES": "H.Res.", "SRES": "S.Res.", "HJRES": "H.J.Res.",
                 "SJRES": "S.J.Res.", "HCONRES": "H.Con.Res.", "SCONRES": "S.Con.Res."}
_FEDERAL = re.compile(r"([A-Za-z]+)\s*(\d+)")
_YEARS = re.compile(r"(\d{4})(\d{4})?(?:s(\d+))?")
_SPAN = re.compile(r"\b(\d{2})(\d{2})-(\d{2})(\d{2})\b")
# The city and county bodies the tracker reads (Legistar clients), for pages that have only a bill's id at hand.
_LOCAL_NAMES = {f"us-{state}-{place}": name for state, place, name in CLIENTS.values()}


def _body(jurisdiction: str, jurisdiction_name: str | None, *, compact: bool) -> str:
    """Whose bill: "Alabama" ("AL" compact), a city's or county's body by name; the id only when unknown."""
    if jurisdiction in states.STATE_NAMES:
        return jurisdiction.upper() if compact else states.STATE_NAMES[jurisdiction]
    return (jurisdiction_name or "").strip() or _LOCAL_NAMES.get(jurisdiction) or jurisdiction


def session_words(jurisdiction: str, session: str, session_name: str | None = None) -> str:
    """A session in words: "117th Congress", "2025 Regular Session", "2025-2026 Regular Session"; the feed's name
    (``session_name``) where the identifier's spelling is not one the tracker knows; the identifier last."""
    juris = (jurisdiction or "").lower()
    ident = (session or "").strip()
    if juris == "us" and ident.isascii() and ident.isdigit():
        return str(congress_session(int(ident))["name"])
    if juris in states.STATE_NAMES:
        named = states.session_name(juris, ident)
        if named:
            return named
        years = _YEARS.fullmatch(ident)
        if years and juris not in states.OPENSTATES_SESSIONS:
            start, end, special = years.groups()
            return states.session_name_from_years(int(start), int(end) if end else None, int(special or 0),
                                                  state=juris)
    return (session_name or "").strip() or ident


def bill_number(jurisdiction: str, identifier: str) -> str:
    """The bill number as its legislature prints it: Congress's "H.R. 4350", "S.J.Res. 1"; a state's as stored."""
    if (jurisdiction or "").lower() == "us":
        found = _FEDERAL.fullmatch((identifier or "").strip())
        if found and found.group(1).upper() in FEDERAL_TYPES:
            return f"{FEDERAL_TYPES[found.group(1).upper()]} {int(found.group(2))}"
    return identifier


def _compact(words: str) -> str:
    """"2025-2026 Regular Session" -> "2025-26 Regular": for table cells."""
    return _SPAN.sub(lambda m: f"{m[1]}{m[2]}-{m[4]}" if m[1] == m[3] else m[0], re.sub(r"\s+Session\b", "", words))


def bill_context(jurisdiction: str, session: str, *, session_name: str | None = None,
                 jurisdiction_name: str | None = None, compact: bool = False) -> str:
    """Where and when, beside a bill number shown on its own: "Alabama · 2025 Regular Session" ("AL · 2025
    Regular" compact); "117th Congress" for Congress, whose bill numbers say which chamber."""
    juris = (jurisdiction or "").lower()
    words = session_words(juris, session, session_name)
    if juris == "us":
        return words
    return f"{_body(juris, jurisdiction_name, compact=compact)} · {_compact(words) if compact else words}"


def bill_reference(jurisdiction: str, session: str, identifier: str, *, session_name: str | None = None,
                   jurisdiction_name: str | None = None, compact: bool = False) -> str:
    """"Alabama HB 235 (2025 Regular Session)", "H.R. 4350 (117th Congress)"; ``compact``: "AL HB 235 (2025
    Regular)". A city's or county's bill is named by its body (``jurisdiction_name``, as stored)."""
    juris = (jurisdiction or "").lower()
    words = session_words(juris, session, session_name)
    number = bill_number(juris, identifier)
    if juris == "us":
        return f"{number} ({words})"
    return f"{_body(juris, jurisdiction_name, compact=compact)} {number} ({_compact(words) if compact else words})"


def matter_kind(jurisdiction: str | None, bill_type: str | None) -> str | None:
    """What kind of matter a city's or county's is, as its clerk names it ("Contract", "Resolution", "Motion /
    Motion Response"): its file number ("2018-0609", "O2018-4309") does not say, and a council's agenda mixes
    contracts, reports and appointments with its laws. None for a state's or Congress's bill, whose number says
    what it is (HR, SB, HRES)."""
    kind = " ".join((bill_type or "").split())
    return kind or None if states.is_local(jurisdiction) else None
