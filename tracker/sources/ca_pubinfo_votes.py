"""California pubinfo roll calls and committee hearings: the vote and hearing tables of a download, per bill.

Column lists are capublic.sql's (the MySQL schema in the Legislature's ``pubinfo_load.zip``):

- ``BILL_SUMMARY_VOTE_TBL``: one row per roll call, with the tallies (``ayes``, ``noes``, ``abstain``: members
  recorded as not voting) and ``vote_result`` ``(PASS)``/``(FAIL)``;
- ``BILL_DETAIL_VOTE_TBL``: one row per member and roll call, ``vote_code`` ``AYE``/``NOE``/``ABS``. A detail row
  belongs to the summary row with the same bill, place, day, ``vote_date_seq`` and ``motion_id`` (the summary's
  ``vote_date_time`` is midnight, the detail's the minute of the vote: checked on the 1999 sample, 46 roll
  calls, 2,365 member votes);
- ``COMMITTEE_HEARING_TBL``: a bill set for hearing in a committee on a day.

``location_code`` says where: ``AFLOOR``/``SFLOOR`` the Assembly and Senate floors, ``CX..`` an Assembly and
``CS..`` a Senate committee. The committee's name is in ``LOCATION_CODE_TBL`` (a reference table of the weekly
download, per session: ``long_description`` the committee's name, "Public Safety"; ``description`` a short form):
where it was read, roll calls and hearings name the committee ("Senate Public Safety"), else the code stands for
it. ``BILL_MOTION_TBL`` (every session's motions by ``motion_id``) gives each roll call its motion where the download
has it ("Do pass as amended."); without it a roll call has no motion text.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from tracker.models.enums import Chamber, VoteOption, VoteResult

DETAIL_VOTE_COLUMNS = ("bill_id", "location_code", "legislator_name", "vote_date_time", "vote_date_seq",
                       "vote_code", "motion_id", "trans_uid", "trans_update", "member_order", "session_date",
                       "speaker")
DETAIL_VOTE_MIN_COLUMNS = 9  # member_order, session_date and speaker were added to the table in 2010-2011
COMMITTEE_HEARING_COLUMNS = ("bill_id", "committee_type", "committee_nr", "hearing_date", "location_code",
                             "trans_uid", "trans_update_date")
MOTION_COLUMNS = ("motion_id", "motion_text", "trans_uid", "trans_update")
LOCATION_CODE_COLUMNS = ("session_year", "location_code", "location_type", "consent_calendar_code", "description",
                         "long_description", "active_flg", "trans_uid", "trans_update", "inactive_file_flg")

LEGINFO = "https://leginfo.legislature.ca.gov/faces/"  # the bill's votes page there lists every roll call
_FLOORS = {"AFLOOR": ("Assembly Floor", Chamber.lower), "SFLOOR": ("Senate Floor", Chamber.upper)}
_RESULTS = {"(PASS)": VoteResult.passed, "PASS": VoteResult.passed, "(FAIL)": VoteResult.failed,
            "FAIL": VoteResult.failed}
_OPTIONS = {"AYE": VoteOption.yes, "NOE": VoteOption.no, "ABS": VoteOption.not_voting}


@dataclass(frozen=True)
class Places:
    """Committee names by location code, for one session (``LocationNames.session``); empty without the table."""

    names: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class LocationNames:
    by_session: Mapping[str, dict[str, str]]

    def session(self, session_year: str | None) -> Places:
        """The names of the bill's session (``session_year`` "20252026"): a code may name another committee in
        another session, so a session without the table's rows names none."""
        return Places(self.by_session.get((session_year or "").strip()[:4], {}))


def location_names(rows: Iterable[Mapping[str, Any]]) -> LocationNames:
    """``LOCATION_CODE_TBL`` rows -> committee names by session and code (the long description, else the
    short one). Floors keep their fixed names."""
    by_session: dict[str, dict[str, str]] = {}
    for row in rows:
        code = (row.get("location_code") or "").strip().upper()
        name = " ".join((row.get("long_description") or row.get("description") or "").split())
        if code and name and code not in _FLOORS:
            # By the session's first year: "20252026" in the samples' bill tables, whichever way this one spells it.
            by_session.setdefault((row.get("session_year") or "").strip()[:4], {})[code] = name
    return LocationNames(by_session)


_HOUSE_NAMES = {Chamber.lower: "Assembly", Chamber.upper: "Senate"}


def place(code: str | None, places: Places | None = None) -> tuple[str | None, Chamber | None]:
    """A location code's readable name (the code itself for a committee ``places`` does not name) and chamber."""
    code = (code or "").strip().upper()
    if not code:
        return None, None
    if code in _FLOORS:
        return _FLOORS[code]
    chamber = Chamber.lower if code.startswith(("CX", "A")) else Chamber.upper if code.startswith(("CS", "S")) \
        else None
    name = places.names.get(code) if places else None
    if name is None:
        return code, chamber
    house = _HOUSE_NAMES.get(chamber) if chamber else None
    return (f"{house} {name}" if house and house.lower() not in name.lower() else name), chamber


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


def _roll_call_key(row: dict[str, Any]) -> str:
    return "|".join((row["bill_id"] or "", row["location_code"] or "", (row["vote_date_time"] or "")[:10],
                     row["vote_date_seq"] or "", row["motion_id"] or ""))


def bill_votes(parts: dict[str, list[dict[str, Any]]], places: Places | None = None,
               motions: Mapping[str, str] | None = None) -> list[dict[str, Any]]:
    """A bill's roll calls (``VoteRecord`` dicts) from its summary rows, each with its members' detail rows."""
    members: dict[str, list[dict[str, Any]]] = {}
    for row in parts.get("BILL_DETAIL_VOTE_TBL", []):
        members.setdefault(_roll_call_key(row), []).append(row)
    votes = []
    for row in parts.get("BILL_SUMMARY_VOTE_TBL", []):
        key = _roll_call_key(row)
        body, chamber = place(row["location_code"], places)
        detail = sorted(members.get(key, []), key=lambda r: (_int(r.get("member_order")) or 0,
                                                             r["legislator_name"] or ""))
        votes.append({
            "source_key": key, "date": (row["vote_date_time"] or "")[:10] or None, "chamber": chamber, "body": body,
            "motion": (motions or {}).get(row["motion_id"] or ""),
            "result": _RESULTS.get((row["vote_result"] or "").strip().upper()),
            "yes_count": _int(row["ayes"]), "no_count": _int(row["noes"]), "other_count": _int(row["abstain"]),
            # The Legislature records no separate absent tally: absent members are among the "abstain" count.
            "absent_count": None,
            "url": f"{LEGINFO}billVotesClient.xhtml?bill_id={row['bill_id']}",
            "people": [{"name": r["legislator_name"], "option": _OPTIONS.get((r["vote_code"] or "").strip().upper(),
                                                                            VoteOption.other)}
                       for r in detail if r["legislator_name"]] or None,
        })
    votes.sort(key=lambda v: (v["date"] or "", v["source_key"]))
    return votes


def bill_hearings(parts: dict[str, list[dict[str, Any]]], places: Places | None = None) -> list[dict[str, Any]]:
    """A bill's committee hearings (``CalendarEntryRecord`` dicts): one per committee and day."""
    entries: dict[str, dict[str, Any]] = {}
    for row in parts.get("COMMITTEE_HEARING_TBL", []):
        day = (row["hearing_date"] or "")[:10]
        if not day or day.startswith("0000"):
            continue
        body, _ = place(row["location_code"], places)
        clock = (row["hearing_date"] or "")[11:16]
        key = f"{row['location_code'] or ''}/{day}"
        entries[key] = {"source_key": key, "date": day, "time": clock if clock and clock != "00:00" else None,
                        "body": body, "location": None, "description": None, "kind": "Committee hearing"}
    return sorted(entries.values(), key=lambda e: (e["date"], e["source_key"]))
