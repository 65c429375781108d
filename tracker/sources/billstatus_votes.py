"""Recorded votes (roll calls) in GovInfo BILLSTATUS XML, as vote dicts for ``VoteRecord``.

Two places, by schema generation (both read, since dumps mix generations):

- 3.0.0 (2022-): ``actions/item/recordedVotes/recordedVote`` on the action that records the vote. The same roll
  call usually sits on two actions, the chamber's own ("On passage Passed by the Yeas and Nays: 220 - 210 (Roll no.
  62).") and the Library of Congress's copy ("Passed/agreed to in House: On passage ..."): one roll call, worded as
  the chamber words it when that action carries it.
- legacy and pre-2022: one bill-level ``recordedVotes/recordedVote`` list with only the vote's category
  (``fullActionName``: "Passage of a Measure", "PASSED SENATE"). Its motion is the text of the action that names
  the roll call on the vote's day ("(Roll no. 62)" in the House, "Record Vote Number: 67" in the Senate), the
  chamber's own again before the Library's; ``fullActionName`` only when no action names it.

Each vote element holds ``rollNumber``, ``url`` (the Clerk's or the Senate's roll-call page), ``chamber`` ("House",
"Senate"), ``congress``, ``sessionNumber`` and ``date`` (UTC), in any order. No tallies: BILLSTATUS gives none (the
counts inside the action text are not parsed into numbers) and the roll-call files are not read, so the counts stay
unknown. Votes on amendments (``amendments/amendment/actions``) are the amendments' and are left out.

The Congress.gov API gives the same votes on its actions (``recordedVotes``: the same names, numbers as JSON
numbers): ``tracker.sources.congress_api`` reads them with ``votes_on_actions``.
"""

import re
from collections.abc import Iterable, Mapping
from typing import Any

from tracker.dates import local_day
from tracker.models.enums import Chamber

CHAMBERS = {"house": Chamber.lower, "senate": Chamber.upper}
LIBRARY_OF_CONGRESS = "9"  # <sourceSystem><code>: the Library's copies of the chambers' actions
# How each chamber's action text names its roll call.
_ROLL_NAMED = {
    Chamber.lower: re.compile(r"\bRoll no\.\s*(\d+)", re.IGNORECASE),
    Chamber.upper: re.compile(r"\bRecord Vote (?:Number|No)\s*[.:]?\s*(\d+)", re.IGNORECASE),
}


def _leaves(element: Any) -> dict[str, str]:
    return {child.tag: child.text.strip() for child in element if child.text and child.text.strip()}


def _vote(fields: Mapping[str, Any], bill_key: str, congress: int) -> tuple[dict[str, Any], str] | None:
    """(vote dict, its UTC timestamp for ordering), or None for a vote without a chamber or a roll number.
    ``fields``: the vote's leaves by name, as text (BILLSTATUS) or JSON values (the Congress.gov API)."""
    leaves = {name: str(value).strip() for name, value in fields.items() if value is not None and str(value).strip()}
    chamber = CHAMBERS.get(leaves.get("chamber", "").lower())
    roll = leaves.get("rollNumber", "")
    if chamber is None or not roll.isdigit() or int(roll) < 1:
        return None
    word = leaves["chamber"].lower()
    # Roll numbers restart each session; a roll call is the bill's own row (another bill may list the same vote).
    key = f"{bill_key}/roll/{word}-{leaves.get('congress', congress)}-{leaves.get('sessionNumber', '')}-{int(roll)}"
    stamp = leaves.get("date", "")
    return {"source_key": key, "date": local_day(stamp) if stamp else None, "chamber": chamber,
            "roll_number": int(roll), "url": leaves.get("url"), "motion": None,
            "category": leaves.get("fullActionName")}, stamp


Found = dict[str, tuple[dict[str, Any], str, bool]]  # key -> (vote, UTC stamp, worded by the chamber's own action)


def votes_on_actions(on_actions: Iterable[tuple[Iterable[Mapping[str, Any]], str | None, str | None]],
                     bill_key: str, congress: int) -> Found:
    """Roll calls recorded on actions: (the action's votes, its text, its source system code) each. A roll call on
    several actions is one, worded by the chamber's own action when one carries it."""
    found: Found = {}
    for votes, text, system in on_actions:
        own = system != LIBRARY_OF_CONGRESS
        for fields in votes:
            read = _vote(fields, bill_key, congress)
            if read is None:
                continue
            vote, stamp = read
            known = found.get(vote["source_key"])
            if known is None or (text and (known[0]["motion"] is None or (own and not known[2]))):
                vote["motion"] = text
                found[vote["source_key"]] = (vote, stamp, own and text is not None)
    return found


def in_order(found: Found) -> list[dict[str, Any]]:
    """The roll calls in the order they were held (UTC time, then number); a vote no action words keeps its
    category (``fullActionName``) as motion."""
    out = []
    for vote, _stamp, _own in sorted(found.values(), key=lambda f: (f[1], f[0]["roll_number"])):
        category = vote.pop("category")
        vote["motion"] = vote["motion"] or category
        out.append(vote)
    return out


def recorded_votes(on_actions: Iterable[tuple[Any, str | None, str | None]], listed: Any, action_items: Any,
                   bill_key: str, congress: int) -> list[dict[str, Any]]:
    """The bill's roll calls, in the order they were held. ``on_actions``: (``<recordedVotes>`` of an action, the
    action's text, its source system code); ``listed``: the bill-level ``<recordedVotes>`` (older generations);
    ``action_items``: the ``<actions>`` element, read only to word bill-level votes."""
    found = votes_on_actions((((_leaves(e) for e in container.iterchildren("recordedVote")), text, system)
                              for container, text, system in on_actions), bill_key, congress)
    if listed is not None and len(listed):
        named = _actions_naming_rolls(action_items)
        for element in listed.iterchildren("recordedVote"):
            read = _vote(_leaves(element), bill_key, congress)
            if read is None or read[0]["source_key"] in found:
                continue
            vote, stamp = read
            vote["motion"] = named.get((vote["chamber"], vote["roll_number"], vote["date"]))
            found[vote["source_key"]] = (vote, stamp, True)
    return in_order(found)


def _actions_naming_rolls(action_items: Any) -> dict[tuple[Chamber, int, str | None], str]:
    """(chamber, roll number, Washington day) -> the text of the action naming that roll call, the chamber's own
    action before the Library of Congress's copy (the first listed among equals)."""
    named: dict[tuple[Chamber, int, str | None], tuple[str, bool]] = {}
    for item in () if action_items is None else action_items.iterchildren("item"):
        leaves = _leaves(item)
        text = leaves.get("text")
        if not text:
            continue
        system = item.find("sourceSystem")
        own = (system is None or (system.findtext("code") or "").strip() != LIBRARY_OF_CONGRESS)
        day = local_day(leaves["actionDate"]) if leaves.get("actionDate") else None
        for chamber, pattern in _ROLL_NAMED.items():
            for match in pattern.finditer(text):
                key = (chamber, int(match[1]), day)
                if key not in named or (own and not named[key][1]):
                    named[key] = (text, own)
    return {key: text for key, (text, _own) in named.items()}
