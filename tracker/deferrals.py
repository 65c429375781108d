"""Meetings held in place of deferred ones. New York City's Legistar calendar defers a committee meeting and holds it
later as a new meeting (a new event id): for a bill on both agendas that is the deferred meeting moved, and the
alerts (``tracker.alerts.hearings``), the overview's coming-up list and the bill page say so ("Moved from ..."), as
they do for a hearing the feed moved under its own id (``Hearing.previous_date``).

Conservative: a meeting is held in place of a deferred meeting of the same body (same feed and jurisdiction) for a
bill only when it is that body's one meeting after the deferred one with the bill on its agenda, and no other
deferred meeting could have been the one; otherwise both stay meetings of their own (called off, and new).
"""

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlmodel import Session

from tracker.models import Hearing, HearingItem

# An agenda status that puts a meeting off to be held later (``tracker.sources.legistar`` reads these, and
# "cancelled", as called off): New York City's "Deferred".
DEFERRED = re.compile(r"defer|postpon", re.IGNORECASE)
_CHUNK = 500


@dataclass(frozen=True)
class Deferred:
    """The deferred meeting a meeting was held in place of (or, from the deferred one, the meeting held in its
    place: ``deferred_to``)."""

    id: int
    date: dt.date
    time: str | None


def is_deferred(cancelled: bool, status: str | None) -> bool:
    """Whether a meeting called off was put off to be held later (its agenda status says so), not cancelled."""
    return bool(cancelled and DEFERRED.search(status or ""))


def called_off(cancelled: bool, status: str | None, jurisdiction_id: str | None,
               held_instead: Deferred | None = None) -> str | None:
    """What a hearing list says of a meeting called off: "Cancelled", or for a deferred one "Deferred", and
    "Deferred to Thu 17 Jan 10:00 AM EST" when the meeting held in its place is known (``deferred_to``). None
    for a meeting going ahead. New York City defers meetings: "Cancelled" told a council member the matter was
    dropped when the committee only put it off a week."""
    from tracker.dates import hearing_when

    if not cancelled:
        return None
    if not is_deferred(cancelled, status):
        return "Cancelled"
    return f"Deferred to {hearing_when(held_instead.date, held_instead.time, jurisdiction_id)}" if held_instead \
        else "Deferred"


def _pairings(session: Session, bill_ids: list[int]) -> dict[tuple[int, int], tuple[Deferred, Deferred]]:
    """(meeting held instead, bill) -> (that meeting, the deferred one), for these bills (module docstring)."""
    # The meetings of each body with each of these bills on the agenda: (feed, jurisdiction, body, bill) -> id.
    meetings: dict[tuple[str, str, str, int], dict[int, tuple[dt.date, str | None, str | None, bool]]] = {}
    for start in range(0, len(bill_ids), _CHUNK):
        for hid, feed, jur, body, date, time, status, cancelled, bill in session.execute(
                select(Hearing.id, Hearing.source_name, Hearing.jurisdiction_id, Hearing.body, Hearing.date,
                       Hearing.time, Hearing.status, Hearing.cancelled, HearingItem.bill_id)
                .join(HearingItem, HearingItem.hearing_id == Hearing.id)
                .where(HearingItem.bill_id.in_(bill_ids[start:start + _CHUNK]), Hearing.body.is_not(None))):
            meetings.setdefault((feed, jur, body, bill), {})[hid] = (date, time, status, cancelled)
    found: dict[tuple[int, int], tuple[Deferred, Deferred] | None] = {}  # None: two deferred meetings it could be
    for (*_, bill), group in meetings.items():
        for hid, (date, time, status, cancelled) in group.items():
            if not is_deferred(cancelled, status):
                continue
            later = [other for other, (day, *_) in group.items() if day > date]
            if len(later) == 1:
                key, (day, clock, *_) = (later[0], bill), group[later[0]]
                found[key] = None if key in found else (Deferred(later[0], day, clock), Deferred(hid, date, time))
    return {key: pair for key, pair in found.items() if pair is not None}


def held_in_place_of(session: Session, pairs: Iterable[tuple[int, int]]) -> dict[tuple[int, int], Deferred]:
    """For these (hearing id, bill id) pairs, the deferred meeting each was held in place of, where there is one
    (see the module docstring). The caller passes meetings going ahead that the feed did not move itself."""
    wanted = set(pairs)
    found = _pairings(session, sorted({bill for _, bill in wanted}))
    return {key: deferred for key, (_, deferred) in found.items() if key in wanted}


def deferred_to(session: Session, pairs: Iterable[tuple[int, int]]) -> dict[tuple[int, int], Deferred]:
    """For these (deferred hearing id, bill id) pairs, the meeting held in its place for that bill, where there is
    one: the other side of ``held_in_place_of``."""
    wanted = set(pairs)
    found = _pairings(session, sorted({bill for _, bill in wanted}))
    return {(deferred.id, bill): later for (_, bill), (later, deferred) in found.items()
            if (deferred.id, bill) in wanted}
