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
``CS..`` a Senate committee. Motion wording (``BILL_MOTION_TBL``) and committee names (``LOCATION_CODE_TBL``)
are reference tables without a bill id; they are not read yet, so the codes stand for the place and no motion
text is stored (docs/sources.md).
"""

from typing import Any

from tracker.models.enums import Chamber, VoteOption, VoteResult

DETAIL_VOTE_COLUMNS = ("bill_id", "location_code", "legislator_name", "vote_date_time", "vote_date_seq",
                       "vote_code", "motion_id", "trans_uid", "trans_update", "member_order", "session_date",
                       "speaker")
DETAIL_VOTE_MIN_COLUMNS = 9  # member_order, session_date and speaker were added to the table in 2010-2011
COMMITTEE_HEARING_COLUMNS = ("bill_id", "committee_type", "committee_nr", "hearing_date", "location_code",
                             "trans_uid", "trans_update_date")

LEGINFO = "https://leginfo.legislature.ca.gov/faces/"  # the bill's votes page there lists every roll call
_FLOORS = {"AFLOOR": ("Assembly Floor", Chamber.lower), "SFLOOR": ("Senate Floor", Chamber.upper)}
_RESULTS = {"(PASS)": VoteResult.passed, "PASS": VoteResult.passed, "(FAIL)": VoteResult.failed,
            "FAIL": VoteResult.failed}
_OPTIONS = {"AYE": VoteOption.yes, "NOE": VoteOption.no, "ABS": VoteOption.not_voting}


def place(code: str | None) -> tuple[str | None, Chamber | None]:
    """A location code's readable name (the code itself for committees) and chamber."""
    code = (code or "").strip().upper()
    if not code:
        return None, None
    if code in _FLOORS:
        return _FLOORS[code]
    if code.startswith(("CX", "A")):
        return code, Chamber.lower
    if code.startswith(("CS", "S")):
        return code, Chamber.upper
    return code, None


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


def _roll_call_key(row: dict[str, Any]) -> str:
    return "|".join((row["bill_id"] or "", row["location_code"] or "", (row["vote_date_time"] or "")[:10],
                     row["vote_date_seq"] or "", row["motion_id"] or ""))


def bill_votes(parts: dict[str, list[dict[str, Any]]]) -> list[dict[str, Any]]:
    """A bill's roll calls (``VoteRecord`` dicts) from its summary rows, each with its members' detail rows."""
    members: dict[str, list[dict[str, Any]]] = {}
    for row in parts.get("BILL_DETAIL_VOTE_TBL", []):
        members.setdefault(_roll_call_key(row), []).append(row)
    votes = []
    for row in parts.get("BILL_SUMMARY_VOTE_TBL", []):
        key = _roll_call_key(row)
        body, chamber = place(row["location_code"])
        detail = sorted(members.get(key, []), key=lambda r: (_int(r.get("member_order")) or 0,
                                                             r["legislator_name"] or ""))
        votes.append({
            "source_key": key, "date": (row["vote_date_time"] or "")[:10] or None, "chamber": chamber, "body": body,
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


def bill_hearings(parts: dict[str, list[dict[str, Any]]]) -> list[dict[str, Any]]:
    """A bill's committee hearings (``CalendarEntryRecord`` dicts): one per committee and day."""
    entries: dict[str, dict[str, Any]] = {}
    for row in parts.get("COMMITTEE_HEARING_TBL", []):
        day = (row["hearing_date"] or "")[:10]
        if not day or day.startswith("0000"):
            continue
        body, _ = place(row["location_code"])
        clock = (row["hearing_date"] or "")[11:16]
        key = f"{row['location_code'] or ''}/{day}"
        entries[key] = {"source_key": key, "date": day, "time": clock if clock and clock != "00:00" else None,
                        "body": body, "location": None, "description": None, "kind": "Committee hearing"}
    return sorted(entries.values(), key=lambda e: (e["date"], e["source_key"]))
