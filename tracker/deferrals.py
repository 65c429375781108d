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
    """The deferred meeting a meeting was held in place of."""

    id: int
    date: dt.date
    time: str | None


def held_in_place_of(session: Session, pairs: Iterable[tuple[int, int]]) -> dict[tuple[int, int], Deferred]:
    """For these (hearing id, bill id) pairs, the deferred meeting each was held in place of, where there is one
    (see the module docstring). The caller passes meetings going ahead that the feed did not move itself."""
    wanted = set(pairs)
    bill_ids = sorted({bill for _, bill in wanted})
    # The meetings of each body with each of these bills on the agenda: (feed, jurisdiction, body, bill) -> id.
    meetings: dict[tuple[str, str, str, int], dict[int, tuple[dt.date, str | None, str | None, bool]]] = {}
    for start in range(0, len(bill_ids), _CHUNK):
        for hid, feed, jur, body, date, time, status, cancelled, bill in session.execute(
                select(Hearing.id, Hearing.source_name, Hearing.jurisdiction_id, Hearing.body, Hearing.date,
                       Hearing.time, Hearing.status, Hearing.cancelled, HearingItem.bill_id)
                .join(HearingItem, HearingItem.hearing_id == Hearing.id)
                .where(HearingItem.bill_id.in_(bill_ids[start:start + _CHUNK]), Hearing.body.is_not(None))):
            meetings.setdefault((feed, jur, body, bill), {})[hid] = (date, time, status, cancelled)
    found: dict[tuple[int, int], Deferred | None] = {}  # None: two deferred meetings it could be held in place of
    for (*_, bill), group in meetings.items():
        for hid, (date, time, status, cancelled) in group.items():
            if not (cancelled and DEFERRED.search(status or "")):
                continue
            later = [other for other, (day, *_) in group.items() if day > date]
            if len(later) == 1 and (key := (later[0], bill)) in wanted:
                found[key] = None if key in found else Deferred(hid, date, time)
    return {key: deferred for key, deferred in found.items() if deferred is not None}
