"""Days of upstream dates and timestamps on Congress's calendar (US Eastern)."""

import datetime as dt

import pytest

from tracker.dates import local_day


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2021-11-15", "2021-11-15"),  # a plain date is the day
        ("2021-11-16T04:59:59Z", "2021-11-15"),  # 23:59:59 EST
        ("2021-01-07T01:26:34Z", "2021-01-06"),  # 20:26 EST
        ("2021-06-04T04:00:00Z", "2021-06-04"),  # midnight EDT
        ("2021-06-05T03:59:59Z", "2021-06-04"),  # 23:59:59 EDT
        ("2021-06-05T04:00:00+00:00", "2021-06-05"),
        ("2021-06-04T22:30:00-07:00", "2021-06-05"),  # an offset other than UTC: 01:30 EDT the next day
        ("2021-06-04T23:30:00", "2021-06-04"),  # no zone: local time already, the date as written
        (" 2021-06-04 ", "2021-06-04"),
        ("", None),
        (None, None),
        # Not ISO: whole, for the record to refuse by name. Cut to ten characters, the last two passed as a day.
        ("2021-13-45T00:00:00Z", "2021-13-45T00:00:00Z"),
        ("2021-06-04T25:00:00Z", "2021-06-04T25:00:00Z"),
        ("2021-06-04 garbage", "2021-06-04 garbage"),
    ],
)
def test_local_day(value: str | None, expected: str | None) -> None:
    assert local_day(value) == expected


def test_another_zone() -> None:
    assert local_day("2025-02-04T05:00:00+00:00", dt.timezone(dt.timedelta(hours=-6))) == "2025-02-03"


def test_each_jurisdictions_clock() -> None:
    # Jurisdiction ids as the feeds write them (tracker.sources.states, legistar.CLIENTS).
    from tracker.dates import jurisdiction_zone

    zones = {j: getattr(jurisdiction_zone(j), "key", None)
             for j in ("us", "ca", "AL", "us-ca-los-angeles-county", "us-il-chicago", "us-ny-new-york-city", "zz")}
    assert zones == {"us": "America/New_York", "ca": "America/Los_Angeles", "AL": "America/Chicago",
                     "us-ca-los-angeles-county": "America/Los_Angeles", "us-il-chicago": "America/Chicago",
                     "us-ny-new-york-city": "America/New_York", "zz": None}


def test_a_hearing_time_reads_on_its_legislatures_clock_with_the_zone() -> None:
    # Feeds write "15:00" (Open States) or "2:00 PM" (Legistar) on the body's own clock; shown bare, a council
    # member in New York read an Alabama committee's 15:00 as 3 PM Eastern, an hour early.
    from tracker.dates import hearing_clock

    winter, summer = dt.date(2026, 12, 16), dt.date(2026, 7, 1)
    assert hearing_clock(winter, "15:00", "al") == "3:00 PM CST"
    assert hearing_clock(winter, "2:00 PM", "us-il-chicago") == "2:00 PM CST"
    assert hearing_clock(summer, "09:30", "ca") == "9:30 AM PDT"
    assert hearing_clock(summer, "10:00 AM", "us") == "10:00 AM EDT"
    assert hearing_clock(winter, "12:15", "az") == "12:15 PM MST"
    assert hearing_clock(winter, "15:00", "zz") == "3:00 PM"  # no known clock: no zone guessed
    assert hearing_clock(winter, "Upon adjournment", "al") == "Upon adjournment"  # as written
    assert hearing_clock(winter, None, "al") is None
