"""The inbox's "new since yesterday": bills a topic first flagged after the cut-off, counted by tracker.triage on
rows stored by the real ingest and flagging, and a first flag that re-scoring or re-importing never moves."""

import datetime as dt
from pathlib import Path

from sqlalchemy import select, update
from sqlmodel import Session

from tests.matching.conftest import bill_record
from tracker import triage, users
from tracker.ingest import IngestItem, Ingestor
from tracker.matching import flag_bills, rescore
from tracker.matching.topics import load_topics
from tracker.models import FirstFlag
from tracker.models.base import utcnow

TOPICS = """
topics:
  - slug: broadband
    name: Broadband
    threshold: 3
    rules:
      - rule: 'broadband OR wireless'
        weight: 2
"""
FEW_DAYS_AGO = dt.datetime(2026, 12, 1, 14, 30, tzinfo=dt.UTC)


def _store(session: Session, *records: object) -> list[int]:
    result = Ingestor(session).ingest([IngestItem(r) for r in records])  # type: ignore[arg-type]
    session.commit()
    return result.changed_bill_ids


def _first_flags(session: Session) -> dict[int, dt.datetime]:
    session.expire_all()
    return dict(session.execute(select(FirstFlag.bill_id, FirstFlag.first_flagged_at)).all())


def _flagged_a_few_days_ago(session: Session, bill_id: int) -> None:
    """As if the topic had flagged this bill days ago: its stored first flag, and nothing else, set back."""
    session.execute(update(FirstFlag).where(FirstFlag.bill_id == bill_id).values(first_flagged_at=FEW_DAYS_AGO))
    session.commit()


def test_new_since_yesterday_counts_bills_first_flagged_after_the_cut_off(session: Session, tmp_path: Path) -> None:
    path = tmp_path / "topics.yaml"
    path.write_text(TOPICS)
    load_topics(session, path=str(path))
    session.commit()
    old, fresh, unflagged = _store(
        session, bill_record(1, "Rural Broadband Act", "Grants for broadband deployment in rural areas."),
        bill_record(2, "Wireless Spectrum Act", "Auctions of wireless spectrum for broadband carriers."),
        bill_record(3, "Post Office Naming Act", "Names a post office."))
    flag_bills(session, [old, fresh, unflagged])
    session.commit()
    stamps = _first_flags(session)
    assert set(stamps) == {old, fresh}  # a bill no topic flags has no first flag
    _flagged_a_few_days_ago(session, old)
    cut_off = utcnow() - dt.timedelta(hours=1)

    assert triage.count_new(session, triage.InboxFilter(), since=cut_off) == 1
    rows, total = triage.inbox(session, triage.InboxFilter(flagged_after=cut_off))
    assert [r["id"] for r in rows] == [fresh] and total == 1
    everything, _ = triage.inbox(session)
    assert {r["id"]: r["first_flagged_at"] for r in everything}[old] == FEW_DAYS_AGO

    # A full re-score (a rule edit) and a re-import that changes the bill rewrite its flags: its first flag stays.
    rescore(session)
    _store(session, bill_record(1, "Rural Broadband Act", "Grants for broadband and wireless deployment."))
    flag_bills(session, [old])
    session.commit()
    assert _first_flags(session)[old] == FEW_DAYS_AGO
    assert triage.count_new(session, triage.InboxFilter(), since=cut_off) == 1

    # Counted in the view asked for: a dismissed new bill has left the inbox, and is still new among them all.
    staff = users.add_user(session, email="sam@example.org", role="admin")
    triage.dismiss(session, actor=staff, bill_ids=[fresh])
    session.commit()
    assert triage.count_new(session, triage.InboxFilter(), since=cut_off) == 0
    assert triage.count_new(session, triage.InboxFilter(view="all"), since=cut_off) == 1
    assert triage.count_new(session, triage.InboxFilter(view="all", topic="broadband", min_score=100.0),
                            since=cut_off) == 0  # the other filters hold too


def test_a_bill_unflagged_and_flagged_again_keeps_its_first_flag(session: Session, tmp_path: Path) -> None:
    """A rule edit that drops a bill's flag deletes its match; flagged again later it is not news to the inbox."""
    path = tmp_path / "topics.yaml"
    path.write_text(TOPICS)
    load_topics(session, path=str(path))
    session.commit()
    [bill] = _store(session, bill_record(1, "Rural Broadband Act", "Grants for broadband deployment."))
    flag_bills(session, [bill])
    session.commit()
    _flagged_a_few_days_ago(session, bill)
    path.write_text(TOPICS.replace("broadband OR wireless", "spectrum"))
    load_topics(session, path=str(path))
    session.commit()
    assert triage.count_inbox(session) == 0
    path.write_text(TOPICS)
    load_topics(session, path=str(path))
    session.commit()
    assert triage.count_inbox(session) == 1
    assert _first_flags(session) == {bill: FEW_DAYS_AGO}


def test_the_cut_off_is_the_start_of_the_previous_working_day_on_washingtons_clock() -> None:
    def cut_off(*at: int) -> tuple[dt.datetime, str]:
        now = dt.datetime(*at, tzinfo=dt.UTC)
        return triage.new_since(now=now), triage.new_since_words(now=now)

    # 03:00 UTC on Wed 9 Dec is 22:00 on Tue 8 Dec in Washington: yesterday there began at midnight on the 7th (EST).
    assert cut_off(2026, 12, 9, 3, 0) == (dt.datetime(2026, 12, 7, 5, 0, tzinfo=dt.UTC), "since yesterday")
    assert cut_off(2026, 7, 8, 15, 0) == (dt.datetime(2026, 7, 7, 4, 0, tzinfo=dt.UTC), "since yesterday")  # EDT
    # Monday morning (Mon 7 Dec): what the weekend's crawls flagged counts too, from Friday's midnight; the same on
    # the Sunday; on Saturday, yesterday is Friday.
    friday = (dt.datetime(2026, 12, 4, 5, 0, tzinfo=dt.UTC), "since Friday")
    assert cut_off(2026, 12, 7, 13, 0) == friday
    assert cut_off(2026, 12, 6, 13, 0) == friday
    assert cut_off(2026, 12, 5, 13, 0) == (friday[0], "since yesterday")
