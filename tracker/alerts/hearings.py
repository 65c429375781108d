"""Hearings on bills, read from ``Hearing`` and its agenda items (``HearingItem`` links a bill).

A hearing with several tracked bills on its agenda is one row per (hearing, bill) here: each bill's
followers hear about it, and the calendar shows it once per bill.

A meeting deferred and held later as a new meeting (New York City's Legistar calendar: a new event id) reads as
that meeting moved, for the bills it holds again (``tracker.deferrals``).
"""

import datetime as dt
from dataclasses import dataclass, replace

from sqlalchemy import inspect, select
from sqlmodel import Session

from tracker.dates import clock_time
from tracker.deferrals import held_in_place_of
from tracker.models import Hearing, HearingItem


@dataclass(frozen=True)
class HearingRow:
    id: int  # the hearing
    bill_id: int
    date: dt.date
    time: str | None = None
    body: str | None = None
    location: str | None = None
    description: str | None = None
    url: str | None = None
    cancelled: bool = False
    status: str | None = None  # upstream's agenda status: a meeting called off as "Deferred" is put off, not dropped
    agenda_title: str | None = None  # the agenda item about the bill
    jurisdiction_id: str | None = None  # whose clock ``time`` is on
    previous_date: dt.date | None = None  # where it was before the feed last moved it
    previous_time: str | None = None
    # The deferred meeting (another hearing id) this one was held in place of, for this bill (``tracker.deferrals``):
    # ``previous_date`` and ``previous_time`` are then that meeting's.
    previous_hearing_id: int | None = None

    def start_time(self) -> dt.time | None:
        """The time of day when it can be read ("10:00", "2:30 PM"); upstream times are local to the body."""
        return clock_time(self.time)


def available(session: Session) -> bool:
    """Whether the hearing tables exist (a database migrated before they were added has none)."""
    return inspect(session.get_bind()).has_table(Hearing.__tablename__)


def read_hearings(session: Session, *, bill_ids: list[int] | None = None, since: dt.date | None = None,
                  fetched_after: dt.datetime | None = None) -> list[HearingRow]:
    """Hearings with the bills on their agendas; optionally only of some bills, on or after ``since``, or
    fetched after ``fetched_after``."""
    if not available(session):
        return []
    query = (select(Hearing, HearingItem.bill_id, HearingItem.title).join(HearingItem,
                                                                         HearingItem.hearing_id == Hearing.id)
             .where(HearingItem.bill_id.is_not(None)).order_by(Hearing.date, Hearing.id, HearingItem.bill_id))
    if bill_ids is not None:
        query = query.where(HearingItem.bill_id.in_(bill_ids))
    if since is not None:
        query = query.where(Hearing.date >= since)
    if fetched_after is not None:
        query = query.where(Hearing.last_fetched_at > fetched_after)
    seen: set[tuple[int, int]] = set()
    out = []
    for h, bill_id, title in session.execute(query).all():
        if (h.id, bill_id) in seen:  # the same bill twice on one agenda
            continue
        seen.add((h.id, bill_id))
        out.append(HearingRow(id=h.id, bill_id=bill_id, date=h.date, time=h.time, body=h.body, location=h.location,
                              description=h.description, url=h.url, cancelled=h.cancelled, status=h.status,
                              agenda_title=title,
                              jurisdiction_id=h.jurisdiction_id, previous_date=h.previous_date,
                              previous_time=h.previous_time))
    return _taking_over(session, out)


def _taking_over(session: Session, rows: list[HearingRow]) -> list[HearingRow]:
    """The rows with, for a meeting held in place of a deferred one (``tracker.deferrals``), where that one was."""
    found = held_in_place_of(session, [(r.id, r.bill_id) for r in rows
                                       if not r.cancelled and r.previous_date is None and r.body])
    return [r if (d := found.get((r.id, r.bill_id))) is None
            else replace(r, previous_date=d.date, previous_time=d.time, previous_hearing_id=d.id) for r in rows]


def latest_fetch(session: Session) -> dt.datetime | None:
    if not available(session):
        return None
    from sqlalchemy import func

    return session.execute(select(func.max(Hearing.last_fetched_at))).scalar_one()
