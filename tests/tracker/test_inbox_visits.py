"""The triage inbox's "new since your last visit": each reader's looks recorded by tracker.visits, the cut-off they
give (stable while the reader works), the working-day rule when none is recorded, and saved filters read with
the cut-off of whoever uses them."""

import datetime as dt

import pytest
from sqlmodel import Session

from tests.matching.conftest import bill_record
from tracker import triage, users, visits, watchlists
from tracker.alerts.feeds import filter_entries
from tracker.dates import US_EASTERN
from tracker.ingest import IngestItem, Ingestor
from tracker.models import BillMatch, FirstFlag, Topic, User
from tracker.permissions import PermissionDenied

# Washington's clock: Friday 4 December 2026, 4:20 PM EST, and the Monday after.
FRIDAY_4_20_PM = dt.datetime(2026, 12, 4, 16, 20, tzinfo=US_EASTERN).astimezone(dt.UTC)
MONDAY_9_AM = dt.datetime(2026, 12, 7, 9, 0, tzinfo=US_EASTERN).astimezone(dt.UTC)


def _staff(session: Session) -> User:
    admin = users.add_user(session, email="ada@example.org", role="admin")  # the first account must be one
    return users.add_user(session, email="sam@example.org", role="staff", actor=admin)


def _at(start: dt.datetime, **delta: float) -> dt.datetime:
    return start + dt.timedelta(**delta)


def test_a_reader_with_no_recorded_visit_gets_the_working_day_rule(session: Session) -> None:
    sam = _staff(session)
    cut = visits.new_since_for(session, reader_id=sam.id, now=MONDAY_9_AM)
    assert (cut.at, cut.words, cut.last_visit) == (triage.new_since(now=MONDAY_9_AM), "since Friday", False)
    first = visits.record_visit(session, reader=sam, now=MONDAY_9_AM)  # the first look of a new account
    assert first == cut
    assert first.when == "Fri 4 Dec, 12:00 AM EST"  # midnight at the start of Friday, Washington time
    # Still the first working session: reloads do not make the first look a "last visit".
    assert visits.record_visit(session, reader=sam, now=_at(MONDAY_9_AM, minutes=30)) == cut
    tuesday = _at(MONDAY_9_AM, days=1)
    assert visits.new_since_for(session, reader_id=None, now=tuesday).words == "since yesterday"  # nobody named


def test_the_cut_off_is_the_last_look_of_the_previous_working_session_and_holds_while_the_reader_works(
        session: Session) -> None:
    sam = _staff(session)
    for minutes in (0, 5, 20):  # Friday afternoon: 4:00 to 4:20 PM
        visits.record_visit(session, reader=sam, now=_at(FRIDAY_4_20_PM, minutes=minutes - 20))
    session.commit()

    monday = visits.record_visit(session, reader=sam, now=MONDAY_9_AM)
    assert (monday.at, monday.last_visit, monday.words) == (FRIDAY_4_20_PM, True, "since your last visit")
    assert monday.when == "Fri 4 Dec, 4:20 PM EST"
    # Reloading, opening a bill and coming back, ticking a filter: each a look a minute or an hour later, and the
    # marks stay; so does a morning of looks with gaps shorter than VISIT_GAP between them.
    look = MONDAY_9_AM
    for minutes in (1, 2, 45, 120, 170):
        look = _at(look, minutes=minutes)
        assert visits.record_visit(session, reader=sam, now=look) == monday
    assert visits.new_since_for(session, reader_id=sam.id, now=_at(look, minutes=10)) == monday

    # Back after lunch, longer than VISIT_GAP since the last look: new since that look, and stable again.
    afternoon = _at(look, hours=3, minutes=1)
    later = visits.record_visit(session, reader=sam, now=afternoon)
    assert (later.at, later.last_visit) == (look, True)
    assert visits.record_visit(session, reader=sam, now=_at(afternoon, minutes=2)) == later
    # Read without a look (a feed, a packet): what the next look would give, and nothing is recorded.
    tuesday = _at(afternoon, hours=20)
    assert visits.new_since_for(session, reader_id=sam.id, now=tuesday).at == _at(afternoon, minutes=2)
    assert visits.new_since_for(session, reader_id=sam.id, now=_at(afternoon, minutes=3)) == later


def test_a_look_earlier_than_the_last_one_recorded_moves_nothing_back(session: Session) -> None:
    """Two tabs, or a server whose clock is a little behind another's: the later look stays the last."""
    sam = _staff(session)
    visits.record_visit(session, reader=sam, now=FRIDAY_4_20_PM)
    visits.record_visit(session, reader=sam, now=_at(FRIDAY_4_20_PM, minutes=-5))
    assert visits.record_visit(session, reader=sam, now=MONDAY_9_AM).at == FRIDAY_4_20_PM


def test_each_reader_has_their_own_and_a_council_members_visit_never_moves_a_staffers(session: Session) -> None:
    admin = users.add_user(session, email="ada@example.org", role="admin")
    readers = {role: users.add_user(session, email=f"{role}@example.org", role=role, actor=admin)
               for role in ("staff", "council", "lobbyist")}
    readers["admin"] = admin
    visits.record_visit(session, reader=readers["staff"], now=FRIDAY_4_20_PM)
    for role in ("council", "lobbyist", "admin"):  # every role that opens the inbox has its own
        visits.record_visit(session, reader=readers[role], now=_at(FRIDAY_4_20_PM, days=2))
        visits.record_visit(session, reader=readers[role], now=_at(MONDAY_9_AM, minutes=-30))
    session.commit()
    assert visits.record_visit(session, reader=readers["staff"], now=MONDAY_9_AM).at == FRIDAY_4_20_PM
    council = visits.record_visit(session, reader=readers["council"], now=_at(MONDAY_9_AM, hours=4))
    assert council.at == _at(MONDAY_9_AM, minutes=-30)

    users.deactivate(session, email="council@example.org", actor=admin)
    with pytest.raises(PermissionDenied):
        visits.record_visit(session, reader=readers["council"], now=_at(MONDAY_9_AM, hours=8))


def test_a_shared_saved_filter_of_new_bills_uses_the_cut_off_of_whoever_reads_it(session: Session) -> None:
    """Staff share "new AI bills"; a council member away since Friday reads it on Monday: his own new bills, not
    the ones new since the staffer's look an hour ago, and not merely since yesterday."""
    admin = users.add_user(session, email="ada@example.org", role="admin")
    staff = users.add_user(session, email="sam@example.org", role="staff", actor=admin)
    council = users.add_user(session, email="cora@example.org", role="council", actor=admin)
    topic = Topic(slug="ai", name="AI")
    session.add(topic)
    session.flush()
    flagged = {}
    for n, at in ((1, _at(FRIDAY_4_20_PM, hours=-2)), (2, _at(FRIDAY_4_20_PM, hours=5)),
                  (3, _at(MONDAY_9_AM, minutes=30))):
        [bill_id] = Ingestor(session).ingest([IngestItem(bill_record(n, f"AI Act {n}"))]).changed_bill_ids
        session.add(BillMatch(bill_id=bill_id, topic_id=topic.id, score=3.0, flagged=True, rule_version=1))
        session.add(FirstFlag(bill_id=bill_id, first_flagged_at=at))
        flagged[n] = bill_id
    visits.record_visit(session, reader=council, now=FRIDAY_4_20_PM)
    visits.record_visit(session, reader=staff, now=_at(MONDAY_9_AM, minutes=10))
    visits.record_visit(session, reader=staff, now=_at(MONDAY_9_AM, hours=10))  # a new session: since 7:10 PM
    saved = watchlists.save_filter(session, actor=staff, page="triage", name="New AI", params={"f_new": True},
                                   shared=True)
    session.commit()

    def listed(reader_id: int, now: dt.datetime) -> set[int]:
        flt = triage.InboxFilter.from_saved(saved.params, assignee_id=None,
                                            new_from=visits.new_since_for(session, reader_id=reader_id, now=now).at)
        return {r["id"] for r in triage.inbox(session, flt)[0]}

    later = _at(MONDAY_9_AM, hours=11)
    assert listed(council.id, later) == {flagged[2], flagged[3]}  # since his Friday 4:20 PM look
    # Her evening look began a session of its own: new since her 9:10 AM look, the one before it.
    assert listed(staff.id, later) == {flagged[3]}
    _, entries = filter_entries(session, user=council, filter_id=saved.id)  # the feed reads it as its reader's
    assert {e.bill_id for e in entries} == {flagged[2], flagged[3]}



def test_looks_a_moment_apart_write_nothing(session: Session) -> None:
    """Every rerun of the page is a look (each tick of a filter): within TOUCH_EVERY of the last one recorded, the
    row is not written again, so the dashboard does not queue a write behind SQLite's one writer on every click."""
    sam = _staff(session)
    visits.record_visit(session, reader=sam, now=FRIDAY_4_20_PM)
    session.commit()
    for seconds in (1, 20, 59):
        assert visits.record_visit(session, reader=sam, now=_at(FRIDAY_4_20_PM, seconds=seconds)).at == \
            triage.new_since(now=FRIDAY_4_20_PM)
        assert _last_seen(session, sam.id) == FRIDAY_4_20_PM
    visits.record_visit(session, reader=sam, now=_at(FRIDAY_4_20_PM, minutes=2))
    assert _last_seen(session, sam.id) == _at(FRIDAY_4_20_PM, minutes=2)


def _last_seen(session: Session, user_id: int) -> dt.datetime:
    from sqlalchemy import select

    from tracker.models import InboxVisit

    return session.execute(select(InboxVisit.last_seen_at).where(InboxVisit.user_id == user_id)).scalar_one()
