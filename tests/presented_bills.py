"""A real federal bill as its feed showed it on the day it was presented to the President."""

from realdata_paths import require_realdata

from tracker.models.enums import Stage
from tracker.records import BillRecord
from tracker.sources.govinfo_billstatus import parse_billstatus


def inflation_reduction_act() -> BillRecord:
    """H.R. 5376 (117th), signed the day after it was presented (2022-08-15)."""
    path = require_realdata("billstatus", "usgpo_samples", "formatChange", "future", "BILLSTATUS-117hr5376.xml")
    return parse_billstatus(path.read_bytes(), str(path))


def as_presented(record: BillRecord) -> BillRecord:
    """The bill as its feed showed it on the day it was presented, before the President acted: the actions up to
    the presentment."""
    last = max(i for i, a in enumerate(record.actions) if "executive-receipt" in a.classification)
    actions = record.actions[:last + 1]
    return record.model_copy(update={"actions": actions, "stage": Stage.sent_to_executive,
                                     "latest_action_date": actions[-1].date,
                                     "latest_action_text": actions[-1].text})
