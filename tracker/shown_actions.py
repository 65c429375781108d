"""A bill's actions as a person reads them: one line for one event, however many records of it a feed holds.

GovInfo BILLSTATUS lists some actions once for each system that recorded them: 117th H.R. 3684 has "Signed by
President." as type President (code E30000) and again as BecameLaw (36000), the same day, both from the Library of
Congress. Storage keeps every one (stage rules and counts read the codes, ``bills show --json`` hands them all to
integrations); what the bill page and ``bills show`` list collapses them, so a lobbyist reads each event once.
"""

from collections.abc import Iterable, Mapping
from typing import Any


def shown_actions(actions: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """``actions`` (``tracker.queries.bill_details``' dicts, in stored order) with those of the same date and the
    same text (whitespace aside) as one, in the first one's place and with its fields, plus ``actors``: every
    distinct actor of the group, in order, so a line two chambers both recorded names both.

    Times set on both and different keep actions apart: the House lays "Motion to reconsider" on the table three
    times one evening, three events. One system's copy with the clock and another's without are the same event."""
    shown: list[dict[str, Any]] = []
    groups: dict[tuple[Any, str], list[dict[str, Any]]] = {}
    for action in actions:
        key = (action.get("date"), " ".join(str(action.get("text") or "").split()))
        same = next((g for g in groups.get(key, ())
                     if not (g["time"] and action.get("time") and g["time"] != action.get("time"))), None)
        if same is None:
            same = {**action, "actors": []}
            groups.setdefault(key, []).append(same)
            shown.append(same)
        elif not same.get("time"):
            same["time"] = action.get("time")  # the clock one system gave: a later copy with another stays apart
        if action.get("actor") and action["actor"] not in same["actors"]:
            same["actors"].append(action["actor"])
    return shown
