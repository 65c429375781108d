"""Calendar days of upstream dates and timestamps, on the legislature's own calendar.

A legislative date is a day in the chamber's time zone. Feeds that write an instant instead (GovInfo
BILLSTATUS and the Congress.gov API write ``"2021-11-16T04:59:59Z"`` for the last second of November 15 in
Washington, and evening committee referrals at ``01:26Z`` the next day) must be converted to that zone before
the date is taken: the first ten characters of a UTC timestamp are the day in Greenwich. Plain dates, and
timestamps without a zone (already local time: Legistar, California's pubinfo), keep the date they carry.
Upstream change stamps (``upstream_updated_at``) are instants, not days, and do not come through here.
"""

import datetime as dt
import re
from zoneinfo import ZoneInfo

__all__ = ["US_EASTERN", "US_LAST_ZONE", "by_day_and_time", "clock_time", "hearing_clock", "hearing_moved_from",
           "hearing_when", "jurisdiction_zone", "local_day", "us_today", "utc_stamp"]

# The IANA database comes from the operating system (Debian's tzdata package) or, where that is missing (slim
# container images, Windows), from the ``tzdata`` PyPI package the project depends on for that reason.
US_EASTERN = ZoneInfo("America/New_York")  # Congress's calendar
US_LAST_ZONE = ZoneInfo("Pacific/Honolulu")  # the last US state's clock to end a day


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


_CLOCK = re.compile(r"^\s*(\d{1,2})(?::(\d{2}))?\s*([AaPp]\.?[Mm]\.?)?\s*$")


def clock_time(value: str | None) -> dt.time | None:
    """The time of day a hearing's ``time`` says when it can be read ("10:00", "2:30 PM"), else None. Feeds write
    it as text, 12-hour or 24-hour: as text "10:00 AM" sorts before "9:30 AM"."""
    m = _CLOCK.match(value or "")
    if not m:
        return None
    hour, minute = int(m.group(1)), int(m.group(2) or 0)
    if m.group(3):
        hour = hour % 12 + (12 if m.group(3).lower().startswith("p") else 0)
    return dt.time(hour, minute) if hour < 24 and minute < 60 else None


def by_day_and_time(day: dt.date, time: str | None) -> tuple[dt.date, bool, dt.time]:
    """A sort key for hearings: by day, then time of day, a time not given or not readable last (on every
    database: SQLite sorts NULL first, PostgreSQL last)."""
    clock = clock_time(time)
    return day, clock is None, clock or dt.time()


def us_today(now: dt.datetime | None = None) -> dt.date:
    """The first day whose hearings can still be ahead: today on Hawaii's clock, the day still running in every US
    legislature. A hearing's date is on its legislature's own clock; taken on the server's (UTC), today ended at
    4 PM in California, and an evening hearing there left the overview, the packets and the alerts while still to
    come. The cost: for a few hours after midnight in Washington, yesterday's hearings there still show."""
    return (now or dt.datetime.now(dt.UTC)).astimezone(US_LAST_ZONE).date()


# Each state's legislature sits at its capital: the capital's zone is the clock its hearing times are written on.
_EAST, _CENTRAL, _MOUNTAIN, _PACIFIC = "America/New_York", "America/Chicago", "America/Denver", "America/Los_Angeles"
CAPITAL_ZONES: dict[str, str] = {
    "al": _CENTRAL, "ak": "America/Juneau", "az": "America/Phoenix", "ar": _CENTRAL, "ca": _PACIFIC,
    "co": _MOUNTAIN, "ct": _EAST, "de": _EAST, "dc": _EAST, "fl": _EAST, "ga": _EAST, "hi": "Pacific/Honolulu",
    "id": "America/Boise", "il": _CENTRAL, "in": "America/Indiana/Indianapolis", "ia": _CENTRAL, "ks": _CENTRAL,
    "ky": _EAST, "la": _CENTRAL, "me": _EAST, "md": _EAST, "ma": _EAST, "mi": "America/Detroit", "mn": _CENTRAL,
    "ms": _CENTRAL, "mo": _CENTRAL, "mt": _MOUNTAIN, "ne": _CENTRAL, "nv": _PACIFIC, "nh": _EAST, "nj": _EAST,
    "nm": _MOUNTAIN, "ny": _EAST, "nc": _EAST, "nd": _CENTRAL, "oh": _EAST, "ok": _CENTRAL, "or": _PACIFIC,
    "pa": _EAST, "ri": _EAST, "sc": _EAST, "sd": _CENTRAL, "tn": _CENTRAL, "tx": _CENTRAL, "ut": _MOUNTAIN,
    "vt": _EAST, "va": _EAST, "wa": _PACIFIC, "wv": _EAST, "wi": _CENTRAL, "wy": _MOUNTAIN,
    "pr": "America/Puerto_Rico", "gu": "Pacific/Guam", "vi": "America/St_Thomas", "as": "Pacific/Pago_Pago",
    "mp": "Pacific/Saipan",
}


def jurisdiction_zone(jurisdiction_id: str | None) -> ZoneInfo | None:
    """The clock a jurisdiction's hearing times are written on: Washington's for Congress (``us``), the capital's
    for a state (``ca``), its state's for a city or county (``us-ca-los-angeles-county``); None when unknown."""
    parts = (jurisdiction_id or "").lower().split("-")
    if parts == ["us"]:
        return US_EASTERN
    state = parts[1] if parts[0] == "us" and len(parts) > 2 else parts[0]
    name = CAPITAL_ZONES.get(state)
    return ZoneInfo(name) if name else None


def us_date(value: dt.date | None) -> str:
    """``Nov 5, 2021``: the form US readers expect, with no ambiguity between day and month ("" for no date)."""
    return f"{value:%b} {value.day}, {value.year}" if value else ""


def hearing_clock(day: dt.date, time: str | None, jurisdiction_id: str | None) -> str | None:
    """A hearing's time as people read it, "3:00 PM CST": one 12-hour form whichever way the feed wrote it ("15:00",
    "3:00 PM"), with the zone of its legislature's clock on that day (daylight saving time included), which feeds
    leave unsaid; without a known clock, no zone is guessed. A time that is not a time of day ("Upon adjournment")
    comes back as written, no time as None."""
    clock = clock_time(time)
    if clock is None:
        return time.strip() or None if time else None
    label = f"{clock.hour % 12 or 12}:{clock.minute:02d} {'AM' if clock.hour < 12 else 'PM'}"
    zone = jurisdiction_zone(jurisdiction_id)
    return f"{label} {dt.datetime.combine(day, clock, zone).tzname()}" if zone is not None else label


def weekday_date(day: dt.date) -> str:
    """"Fri 26 Aug 2022": a day people plan for, its weekday first (as hearings name theirs, with the year)."""
    return f"{day:%a} {day.day} {day:%b} {day.year}"


def hearing_when(day: dt.date, time: str | None, jurisdiction_id: str | None) -> str:
    """A hearing's day and time in one phrase, "Tue 3 Mar 10:00 AM EST" (the time by ``hearing_clock``): how a move
    is told, from one to the other."""
    clock = hearing_clock(day, time, jurisdiction_id)
    return f"{day:%a} {day.day} {day:%b}" + (f" {clock}" if clock else "")


def hearing_moved_from(day: dt.date, time: str | None, previous_day: dt.date | None, previous_time: str | None,
                       jurisdiction_id: str | None) -> str | None:
    """Where a rescheduled hearing was ("Tue 3 Mar 10:00 AM EST"), or None when it never moved: a feed that only
    rewrote its clock ("14:00" for "2:00 PM") did not move it."""
    if previous_day is None:
        return None
    if (previous_day, clock_time(previous_time) or previous_time) == (day, clock_time(time) or time):
        return None
    return hearing_when(previous_day, previous_time, jurisdiction_id)


def utc_stamp(value: object) -> str:
    """A stored time as staff read it: "2026-12-07 03:35 UTC". Services hand times over as ISO strings
    ("2026-12-07T03:35:07.952897+00:00") or datetimes, in UTC; the pages and the services' own messages (a
    position's conflict) word them here, so a refusal does not read like a log line."""
    if value is None or value == "":
        return "unknown"
    when = value
    if isinstance(value, str):
        try:
            when = dt.datetime.fromisoformat(value)
        except ValueError:
            return value
    if not isinstance(when, dt.datetime):
        return str(value)
    if when.tzinfo is not None:
        when = when.astimezone(dt.UTC)
    return when.strftime("%Y-%m-%d %H:%M UTC")
