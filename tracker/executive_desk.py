"""Bills on the executive's desk and the day by which the executive must act: "coming up" beside hearings.

A bill presented to the President or a governor becomes law, or dies, on a day its constitution fixes: for a
council that supports or opposes it, the last days to ask for a signature or a veto. The rules are data, one per
jurisdiction, each with its citation; where the tracker has none, the list gives the day the bill was presented.
Adjournments change the outcome (a pocket veto) rather than the day, and holidays are not counted: each rule's
caveat says what it leaves to the legislature's own calendar.
"""

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlmodel import Session

from tracker.dates import us_today, weekday_date
from tracker.models import Bill, BillAction, LegislativeSession
from tracker.models.base import utcnow
from tracker.models.enums import Stage
from tracker.overview import _positions, tracked_filter
from tracker.references import bill_reference

PRESENTED = "executive-receipt"  # the action classification of a bill's presentment (tracker.stages)
SHOWN_AFTER_DEADLINE = dt.timedelta(days=30)  # past that, a missing outcome is the feed's silence, not news


@dataclass(frozen=True)
class DeskRule:
    office: str
    days: int
    sundays_excepted: bool = False
    citation: str = ""
    caveat: str = ""


DESK_RULES: dict[str, DeskRule] = {
    "us": DeskRule("President", 10, sundays_excepted=True, citation="U.S. Const. art. I, § 7",
                   caveat="unsigned, it becomes law, unless Congress has adjourned (a pocket veto)"),
    "ca": DeskRule("Governor", 12, citation="Cal. Const. art. IV, § 10",
                   caveat="a bill passed before September 1 of the session's second year and on the desk then: "
                          "by September 30; a last day on a weekend or holiday: see the Legislature's calendar"),
    "al": DeskRule("Governor", 6, sundays_excepted=True, citation="Ala. Const. § 125",
                   caveat="presented in the session's last 5 days: 10 days after adjournment, and unsigned it "
                          "does not become law"),
    "ar": DeskRule("Governor", 5, sundays_excepted=True, citation="Ark. Const. art. 6, § 15",
                   caveat="unsigned, it becomes law; if the General Assembly's adjournment prevents its return, "
                          "it becomes law unless the Governor files it with his objections with the Secretary of "
                          "State and proclaims it within 20 days after the adjournment"),
}
# Not yet: Alaska (art. II, § 17) and Mississippi (§ 72), whose text was not at hand to check the days against, and
# whose feeds here record no presentment (tracker.sources.legiscan.HISTORY_RULES).


def acts_by(presented: dt.date, rule: DeskRule) -> dt.date:
    """The last day the executive may act: ``rule.days`` days after ``presented`` (that day not counted),
    Sundays skipped where the constitution excepts them."""
    day, left = presented, rule.days
    while left:
        day += dt.timedelta(days=1)
        if not (rule.sundays_excepted and day.weekday() == 6):
            left -= 1
    return day


def _presented_on(session: Session, bill_ids: list[int]) -> dict[int, dt.date]:
    """Each bill's latest presentment (a bill presented again, after a recall or a correction, counts from then)."""
    found: dict[int, dt.date] = {}
    for bill_id, day, kinds in session.execute(
            select(BillAction.bill_id, BillAction.date, BillAction.classification)
            .where(BillAction.bill_id.in_(bill_ids), BillAction.date.is_not(None))):
        if PRESENTED in (kinds or ()) and day > found.get(bill_id, dt.date.min):
            found[bill_id] = day
    return found


def on_desk(session: Session, *, tracked_only: bool = True, today: dt.date | None = None,
            bill_id: int | None = None) -> list[dict[str, Any]]:
    """Bills at the "sent to the executive" stage, the nearest last day first (those without a rule after):
    where each was presented, to whom, the last day to act and how many days are left ("due_in", negative once it
    has passed; listed for 30 days after, as the feed may not have recorded the outcome yet). ``bill_id``: that
    bill alone, however long ago (its page says what it awaits)."""
    today = today or us_today(utcnow())
    query = (select(Bill.id, Bill.jurisdiction_id, Bill.identifier, Bill.title, LegislativeSession.identifier,
                    LegislativeSession.name, Bill.latest_action_date)
             .join(LegislativeSession, LegislativeSession.id == Bill.session_id)
             .where(Bill.stage == Stage.sent_to_executive.value))
    if tracked_only:
        query = query.where(tracked_filter())
    if bill_id is not None:
        query = query.where(Bill.id == bill_id)
    bills = session.execute(query).all()
    presented = _presented_on(session, [b[0] for b in bills])
    stands = _positions(session, [b[0] for b in bills])
    rows = []
    for bill, jurisdiction, identifier, title, session_id, session_name, latest in bills:
        rule = DESK_RULES.get(jurisdiction)
        day = presented.get(bill)
        last = acts_by(day, rule) if rule and day else None
        if bill_id is None and (last or day or latest or today) < today - SHOWN_AFTER_DEADLINE:
            continue
        position, priority = stands.get(bill, (None, None))
        rows.append({"id": bill, "title": title, "presented": day, "office": rule.office if rule else None,
                     "acts_by": last, "due_in": (last - today).days if last else None,
                     "rule": f"{rule.citation}: {rule.caveat}" if rule else None,
                     "bill": bill_reference(jurisdiction, session_id, identifier, session_name=session_name,
                                            compact=True),
                     "position": position, "priority": priority})
    return sorted(rows, key=lambda r: (r["acts_by"] is None, r["acts_by"] or dt.date.max, r["bill"]))


def deadline_words(row: dict[str, Any]) -> str:
    """"The President acts by Fri 26 Aug 2022 (in 11 days)", "... passed on ..., no outcome recorded yet", or, with
    no rule for the jurisdiction, "Presented on Wed 4 Jun 2025"."""
    if row["acts_by"] is None:
        return f"Presented on {weekday_date(row['presented'])}" if row["presented"] else "Presentment not recorded"
    when = weekday_date(row["acts_by"])
    due = row["due_in"]
    if due < 0:
        return f"The {row['office']}'s last day was {when}: no outcome recorded yet"
    left = "today" if due == 0 else "tomorrow" if due == 1 else f"in {due} days"
    return f"The {row['office']} acts by {when} ({left})"
