"""Each reader's visits to the triage inbox, and the cut-off of their "new since your last visit".

The rule: a reader's looks at the inbox (each page run, and each bill opened from it) fall into working sessions,
a session ending once VISIT_GAP passes with no look. New bills are those first flagged since the **last look of the
reader's previous working session**, and that cut-off holds for the whole of the current one: a reload, a bill
opened and closed, a ticked filter are looks minutes apart, and keep the marks; a reader back after lunch or the
next morning starts a session that counts from their last look of the one before.

Why not the previous look itself: every rerun is a look, so the marks went to zero a minute later. Why not sign-in
sessions (``usersession``): a sign-in lasts days while its cookie is used, so a reader who never signs out would
keep Monday's cut-off all week, and one signing in again in another browser a minute later would lose their marks.
VISIT_GAP is three hours: longer than a meeting or lunch between two looks at the same batch of bills, shorter than
the span between a morning's triage and the afternoon's look at what the crawls brought since.

A reader with no previous working session recorded (a new account; everyone right after migration 0039) gets the
working-day rule (tracker.triage.new_since, "since yesterday", "since Friday" on a Monday). Visits are per reader:
nobody's look moves another's cut-off.
"""

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import case, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from tracker.dates import US_EASTERN
from tracker.models import InboxVisit, User
from tracker.models.base import utcnow
from tracker.permissions import Action, require
from tracker.triage import new_since, new_since_words

VISIT_GAP = dt.timedelta(hours=3)
# Looks closer than this to the last one recorded are not written: every click on the page is a look, and a write
# each waits behind SQLite's one writer; a minute is nothing against VISIT_GAP.
TOUCH_EVERY = dt.timedelta(minutes=1)
LAST_VISIT_WORDS = "since your last visit"


@dataclass(frozen=True)
class NewSince:
    at: dt.datetime  # UTC: a bill first flagged at or after this is new
    last_visit: bool  # the reader's last visit; False: the working-day rule
    words: str  # "since your last visit", "since yesterday", "since Friday"
    as_of: dt.datetime = field(compare=False)  # the look it is the cut-off of: the same cut-off whenever asked

    @property
    def when(self) -> str:
        """The cut-off on Washington's clock, as the inbox states it: "Fri 4 Dec, 4:20 PM EST" (the year as well
        when it is not the year of the look)."""
        t = self.at.astimezone(US_EASTERN)
        year = f" {t.year}" if t.year != self.as_of.astimezone(US_EASTERN).year else ""
        return f"{t:%a} {t.day} {t:%b}{year}, {t.hour % 12 or 12}:{t:%M} {'AM' if t.hour < 12 else 'PM'} {t:%Z}"


def _cut_off(visit: tuple[dt.datetime, dt.datetime | None] | None, now: dt.datetime) -> NewSince:
    """The cut-off in force at a look at ``now``, given the reader's last look and cut-off before that look."""
    cut = None
    if visit is not None:
        last_seen, cut = visit
        if last_seen < now - VISIT_GAP:  # a look after the gap starts a session, from the last look of the one before
            cut = last_seen
    return _new_since(cut, now)


def _new_since(cut: dt.datetime | None, now: dt.datetime) -> NewSince:
    if cut is None:
        return NewSince(at=new_since(now=now), last_visit=False, words=new_since_words(now=now), as_of=now)
    return NewSince(at=cut, last_visit=True, words=LAST_VISIT_WORDS, as_of=now)


def new_since_for(session: Session, *, reader_id: int | None, now: dt.datetime | None = None) -> NewSince:
    """The cut-off ``reader_id``'s next look would have, recording nothing: for what reads the inbox on their
    behalf (saved filters in feeds and packets). No reader (None): the working-day rule."""
    now = now or utcnow()
    visit = session.execute(select(InboxVisit.last_seen_at, InboxVisit.cut_off)
                            .where(InboxVisit.user_id == reader_id)).first() if reader_id is not None else None
    return _cut_off(tuple(visit) if visit else None, now)


def record_visit(session: Session, *, reader: User, now: dt.datetime | None = None) -> NewSince:
    """Record that ``reader`` looks at the inbox at ``now``, and return the cut-off their inbox counts from. One
    statement moves the row, so two tabs looking at once agree, and a look older than the last recorded (a
    second server's clock a little behind) moves nothing back."""
    require(reader, Action.read)
    now = now or utcnow()
    seen = session.execute(select(InboxVisit.last_seen_at, InboxVisit.cut_off)
                           .where(InboxVisit.user_id == reader.id)).first()
    if seen is not None and now - seen[0] < TOUCH_EVERY:  # within the session, the last look as good as this one
        return _cut_off(tuple(seen), now)
    new_session = InboxVisit.last_seen_at < now - VISIT_GAP
    moved = session.execute(
        update(InboxVisit).where(InboxVisit.user_id == reader.id).values(
            cut_off=case((new_session, InboxVisit.last_seen_at), else_=InboxVisit.cut_off),
            started_at=case((new_session, now), else_=InboxVisit.started_at),
            last_seen_at=case((InboxVisit.last_seen_at < now, now), else_=InboxVisit.last_seen_at),
        ).execution_options(synchronize_session=False))
    if moved.rowcount == 0:
        try:
            with session.begin_nested():
                session.execute(insert(InboxVisit).values(user_id=reader.id, started_at=now, last_seen_at=now,
                                                          cut_off=None))
        except IntegrityError:  # another tab's first look got there first: this one is a look in its session
            return record_visit(session, reader=reader, now=now)
    # The row as moved: a new session's cut-off is the last look before it, a look within one keeps the cut-off.
    cut = session.execute(select(InboxVisit.cut_off).where(InboxVisit.user_id == reader.id)).scalar_one()
    return _new_since(cut, now)
