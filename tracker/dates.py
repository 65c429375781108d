"""Calendar days of upstream dates and timestamps, on the legislature's own calendar.

A legislative date is a day in the chamber's time zone. Feeds that write an instant instead (GovInfo
BILLSTATUS and the Congress.gov API write ``"2021-11-16T04:59:59Z"`` for the last second of November 15 in
Washington, and evening committee referrals at ``01:26Z`` the next day) must be converted to that zone before
the date is taken: the first ten characters of a UTC timestamp are the day in Greenwich. Plain dates, and
timestamps without a zone (already local time: Legistar, California's pubinfo), keep the date they carry.
Upstream change stamps (``upstream_updated_at``) are instants, not days, and do not come through here.
"""

import datetime as dt
from zoneinfo import ZoneInfo

__all__ = ["US_EASTERN", "local_day"]

# The IANA database comes from the operating system (Debian's tzdata package) or, where that is missing (slim
# container images, Windows), from the ``tzdata`` PyPI package the project depends on for that reason.
US_EASTERN = ZoneInfo("America/New_York")  # Congress's calendar


def local_day(value: str | None, zone: dt.tzinfo = US_EASTERN) -> str | None:
    """``YYYY-MM-DD`` of an ISO date or timestamp, a zoned timestamp (``Z`` or an offset) read in ``zone``.

    Text that is not ISO comes back whole, for the record's validation to refuse with the field's name: cut to
    ten characters, "2021-06-04T25:00:00Z" or "2021-06-04 garbage" passed as a plausible 2021-06-04.
    """
    if not value:
        return None
    text = value.strip()
    if len(text) <= 10:
        return text or None
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        return text
    if moment.tzinfo is None:
        return text[:10]
    return moment.astimezone(zone).date().isoformat()
