"""Which pubinfo archives to read, from the download folder's index: a full load or the day's incrementals.

The Legislature's documented process (FORMATS.md section 5, "Applying updates"): reload the full database
(``pubinfo_{YYYY}.zip``, rebuilt on Sundays) and, Monday to Saturday, merge the nightly incremental
``pubinfo_{Day}.zip`` (rows new or changed since the previous extract) over it, replacing rows by key. A
``pubinfo_daily_{Day}.zip`` is a full snapshot of the current session and serves as a full load too.

The incrementals are named by weekday, so each is overwritten a week later: one missed night can leave a
hole that no incremental can fill any more. ``plan_updates`` finds such holes from the modification times the
index prints and answers them with a full reload. Pure: no network, no database.
"""

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

INCREMENTAL = re.compile(r"^pubinfo_(?:mon|tue|wed|thu|fri|sat)\.zip$", re.IGNORECASE)
DAILY = re.compile(r"^pubinfo_daily_(?:mon|tue|wed|thu|fri|sat|sun)\.zip$", re.IGNORECASE)
WEEKLY = re.compile(r"^pubinfo_(\d{4})\.zip$", re.IGNORECASE)
_SUNDAY = 6  # no incremental is extracted on Sundays (the weekly full archive is rebuilt instead)


def is_incremental(name: str) -> bool:
    return bool(INCREMENTAL.match(name))


@dataclass(frozen=True)
class FullLoad:
    """The full archive the staged rows were last loaded from, and its time in the index."""

    archive: str
    listed_at: dt.datetime | None


@dataclass
class UpdatePlan:
    full: str | None = None  # the full archive to load first; None: merge over the rows already staged
    incrementals: list[str] = field(default_factory=list)  # oldest first
    reason: str = ""  # why a full load (for the run's log)
    gap: str | None = None  # a hole that even the newest full archive cannot close (recorded as a fault)


def find_gap(since: dt.datetime, incrementals: list[tuple[dt.datetime, str]]) -> str | None:
    """The first extract missing from the chain after ``since``: between two consecutive archives (the state
    held, then each pending incremental in time order) every day but Sunday must have its own incremental.
    Stamps are the index's (the server's local time), so their dates are the Legislature's days. A holiday
    without an extract also reads as a hole: the chain cannot be proved complete, so a full reload is chosen."""
    previous, previous_name = since, "the rows held"
    for when, name in incrementals:
        day = previous.date() + dt.timedelta(days=1)
        while day < when.date():
            if day.weekday() != _SUNDAY:
                return (f"no incremental archive for {day.isoformat()} ({day.strftime('%a')}) between "
                        f"{previous_name} ({previous:%Y-%m-%d %H:%M}) and {name} ({when:%Y-%m-%d %H:%M})")
            day += dt.timedelta(days=1)
        previous, previous_name = when, name
    return None


def plan_updates(index: Mapping[str, dt.datetime | None], last_full: FullLoad | None) -> UpdatePlan:
    """What to read this run, given the index (file name -> modification time) and the last full load.

    A full load comes first when nothing was loaded yet, when the current session's weekly archive is newer
    than the last full load, or when the chain of incrementals since it has a hole (``find_gap``); it reads the
    newest full archive listed (weekly or daily snapshot). Then every incremental newer than the full load is
    applied, oldest first (the caller skips those already applied with conditional requests)."""
    weeklies = sorted((int(m.group(1)), name) for name in index if (m := WEEKLY.match(name)))
    current_weekly = weeklies[-1][1] if weeklies else None
    fulls = [(when, name) for name, when in index.items()
             if when is not None and (DAILY.match(name) or name == current_weekly)]
    newest_full = max(fulls) if fulls else None
    incrementals = sorted((when, name) for name, when in index.items() if when is not None and is_incremental(name))
    plan = UpdatePlan()

    def after(stamp: dt.datetime) -> list[tuple[dt.datetime, str]]:
        return [(when, name) for when, name in incrementals if when > stamp]

    base: dt.datetime | None = last_full.listed_at if last_full else None
    weekly_at = index.get(current_weekly) if current_weekly else None
    if last_full is None or base is None:
        plan.reason = "no full load yet" if last_full is None else "the last full load has no index time"
    elif weekly_at is not None and weekly_at > base:
        plan.reason = f"{current_weekly} was rebuilt ({weekly_at:%Y-%m-%d %H:%M}) after the last full load"
    elif (gap := find_gap(base, after(base))) is not None:
        if newest_full is not None and newest_full[0] > base:
            plan.reason = f"gap: {gap}"
        else:
            plan.gap = f"{gap}; no newer full archive is listed to reload from"
    if plan.reason:
        if newest_full is None:
            plan.gap = f"{plan.reason}, but the index lists no dated full archive (pubinfo_daily_*, pubinfo_YYYY)"
            plan.reason = ""
            return plan
        plan.full = newest_full[1]
        base = newest_full[0]
        gap = find_gap(base, after(base))
        if gap is not None:
            plan.gap = f"{gap}; even after the newest full archive"
    assert base is not None
    plan.incrementals = [name for _, name in after(base)]
    return plan
