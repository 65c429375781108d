"""A bill's roll calls and hearings as readers see them (bill page, ``tracker bills show``), plain JSON-ready data.

Every source that delivered a bill keeps its own roll calls (``tracker.ingest_votes``), and the same floor vote
seen through pubinfo and LegiScan would otherwise be listed twice. So the roll calls shown are those of one
source: the highest-ranked (``tracker.ingest.SOURCE_PRECEDENCE``) that has any for the bill, the same order
that decides the bill's other fields; how many the other sources hold is said beside them.
"""

import datetime as dt
from typing import Any

from sqlalchemy import func, select
from sqlmodel import Session

from tracker.dates import by_day_and_time, hearing_clock, hearing_moved_from, us_date
from tracker.deferrals import called_off, deferred_to, held_in_place_of
from tracker.ingest import precedence
from tracker.models import Hearing, HearingItem, PersonVote, VoteEvent
from tracker.sources.states import chamber_name

# A roll call whose feed gives no counts (BILLSTATUS names the vote and links the chamber's record of it; the
# tally is in the Clerk's and the Senate's files, which are not read): said so, never shown as 0-0.
TALLY_NOT_LOADED = "tally not loaded"


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def roll_call_name(chamber: str | None, roll_number: int, jurisdiction: str) -> str:
    """``House roll call 21``: a numbered roll call as the chamber names it."""
    where = chamber_name(chamber, jurisdiction) if chamber else None
    return f"{where or 'Chamber'} roll call {roll_number}"


def roll_call_title(chamber: str | None, roll_number: int, date: dt.date | str | None, jurisdiction: str) -> str:
    """``House roll call 21, Feb 3, 2021``: the name and the day."""
    day = dt.date.fromisoformat(date) if isinstance(date, str) else date
    return ", ".join(p for p in (roll_call_name(chamber, roll_number, jurisdiction), us_date(day)) if p)


def roll_call_label(chamber: str | None, roll_number: int, date: dt.date | str | None, motion: str | None,
                    jurisdiction: str) -> str:
    """``House roll call 21, Feb 3, 2021 — On agreeing to the resolution ...``: the title, then the motion."""
    title = roll_call_title(chamber, roll_number, date, jurisdiction)
    return f"{title} — {motion}" if motion else title


def tally_label(yes: int | None, no: int | None) -> str:
    """``220–210``, or ``tally not loaded`` when the feed gave no counts."""
    return TALLY_NOT_LOADED if yes is None or no is None else f"{yes}–{no}"


def source_rank(source_name: str) -> tuple[int, str]:
    """Which source's roll calls a reader sees, highest first: the bill's precedence, then the name (a stable tie)."""
    return precedence(source_name), source_name


def votes_for_bill(session: Session, bill_id: int) -> tuple[list[dict[str, Any]], dict[str, int]]:
    """(roll calls of the source shown, oldest first, each with its members' votes; {other source: count})."""
    counts = dict(session.execute(select(VoteEvent.source_name, func.count()).where(
        VoteEvent.bill_id == bill_id).group_by(VoteEvent.source_name)).all())
    if not counts:
        return [], {}
    shown = max(counts, key=source_rank)
    events = list(session.execute(select(VoteEvent).where(
        VoteEvent.bill_id == bill_id, VoteEvent.source_name == shown).order_by(
        VoteEvent.date, VoteEvent.id)).scalars())
    members: dict[int, list[dict[str, Any]]] = {}
    for p in session.execute(select(PersonVote).where(
            PersonVote.vote_event_id.in_([e.id for e in events])).order_by(PersonVote.id)).scalars():
        members.setdefault(p.vote_event_id, []).append(
            {"name": p.name, "person_id": p.person_id, "option": p.option})
    roll_calls = [{
        "source": e.source_name, "key": e.source_key, "date": _iso(e.date), "chamber": e.chamber, "body": e.body,
        "motion": e.motion, "result": e.result, "yes": e.yes_count, "no": e.no_count, "other": e.other_count,
        "absent": e.absent_count, "url": e.url, "roll_number": e.roll_number, "members": members.get(e.id, []),
    } for e in events]
    return roll_calls, {name: n for name, n in counts.items() if name != shown}


def hearings_for_bill(session: Session, bill_id: int) -> list[dict[str, Any]]:
    """Every hearing with the bill on its agenda (Legistar and Open States events, LegiScan and pubinfo calendars),
    by date."""
    rows = session.execute(
        select(Hearing, HearingItem.action_text, HearingItem.title).join(
            HearingItem, HearingItem.hearing_id == Hearing.id).where(HearingItem.bill_id == bill_id)
        .order_by(Hearing.date, Hearing.id))
    rows = sorted(rows, key=lambda row: by_day_and_time(row[0].date, row[0].time))
    # A meeting held in place of a deferred one (a new event id): where that one was, as for a move under one id.
    deferred = held_in_place_of(session, [(h.id, bill_id) for h, *_ in rows
                                          if not h.cancelled and h.previous_date is None])
    put_off_to = deferred_to(session, [(h.id, bill_id) for h, *_ in rows if h.cancelled])
    seen: set[int] = set()
    out = []
    for h, action_text, title in rows:
        if h.id in seen:  # the bill twice on one agenda: one hearing
            continue
        seen.add(h.id)
        # "clock": the time as read on the legislature's clock, with its zone ("3:00 PM CST"); "time" as the feed
        # wrote it.
        out.append({"date": _iso(h.date), "time": h.time, "clock": hearing_clock(h.date, h.time, h.jurisdiction_id),
                    "body": h.body, "location": h.location,
                    "description": h.description, "item": title or action_text, "status": h.status,
                    "cancelled": h.cancelled,
                    # "Cancelled", "Deferred", "Deferred to Thu 17 Jan 10:00 AM EST", or None (going ahead).
                    "called_off": called_off(h.cancelled, h.status, h.jurisdiction_id, put_off_to.get((h.id, bill_id))),
                    "url": h.url, "agenda_url": h.agenda_url, "source": h.source_name,
                    "moved_from": hearing_moved_from(h.date, h.time, *(
                        (d.date, d.time) if (d := deferred.get((h.id, bill_id))) else (h.previous_date,
                                                                                        h.previous_time)),
                        h.jurisdiction_id)})
    return out
