"""Real bills as their feeds showed them on the day they were presented to the President or a governor."""

import json
from pathlib import Path

from realdata_paths import require_realdata

from tracker.models.enums import Stage
from tracker.records import BillRecord
from tracker.sources import legiscan
from tracker.sources.govinfo_billstatus import parse_billstatus


def inflation_reduction_act() -> BillRecord:
    """H.R. 5376 (117th), signed the day after it was presented (2022-08-15)."""
    path = require_realdata("billstatus", "usgpo_samples", "formatChange", "future", "BILLSTATUS-117hr5376.xml")
    return parse_billstatus(path.read_bytes(), str(path))


def as_presented(record: BillRecord) -> BillRecord:
    """The bill as its feed showed it on the day it was presented, before the President acted: the actions up to
    the presentment."""
    last = max(i for i, a in enumerate(record.actions) if "executive-receipt" in a.classification)
    return _up_to(record, last, Stage.sent_to_executive)


def before_presentment(record: BillRecord) -> BillRecord:
    """The bill passed by both chambers, the day before it was presented."""
    first = min(i for i, a in enumerate(record.actions) if "executive-receipt" in a.classification)
    return _up_to(record, first - 1, Stage.passed_both_chambers)


def _up_to(record: BillRecord, last: int, stage: Stage) -> BillRecord:
    actions = record.actions[:last + 1]
    return record.model_copy(update={"actions": actions, "stage": stage, "latest_action_date": actions[-1].date,
                                     "latest_action_text": actions[-1].text})


def legiscan_as_of(path: Path, day: str) -> BillRecord:
    """A LegiScan dataset bill as its feed read at the end of ``day`` (an ISO date): the progress events and
    history lines dated up to that day, as the real file records them."""
    payload = json.loads(path.read_bytes())
    bill = payload["bill"]
    bill["progress"] = [p for p in bill["progress"] if p["date"] <= day]
    bill["history"] = [h for h in bill["history"] if h["date"] <= day]
    return legiscan.parse_bill(json.dumps(payload).encode(), f"{path} as of {day}")
