"""Bills stored by versions before the view hash (December 2026), read again after upgrading.

Those versions kept on the Bill row the owner's whole-record hash, stamp and feed included (the same value as its
BillSource row); the view hash that tells a restamped copy from a changed one did not exist. A database upgraded
from them holds exactly that, which ``_as_stored_before_the_view_hash`` writes back (checked against the old code:
``git worktree add ... 69ce2dc``, import, upgrade, import a restamped BILLSTATUS file: every reviewed bill came
back to the triage inbox with nothing new on it).
"""

import pytest
from hr21_feeds import hr21_from_api, hr21_from_billstatus
from realdata_paths import require_realdata
from sqlalchemy import select, update
from sqlmodel import Session

from tracker import triage
from tracker.ingest import IngestItem, Ingestor
from tracker.models import Bill, BillSource, User
from tracker.sources.govinfo_billstatus import parse_billstatus

pytestmark = pytest.mark.realdata


def _ingest(session: Session, *records):  # type: ignore[no-untyped-def]
    result = Ingestor(session).ingest([IngestItem(record=r) for r in records])
    session.commit()
    return result


def _as_stored_before_the_view_hash(session: Session) -> None:
    session.execute(update(Bill).values(content_hash=select(BillSource.content_hash).where(
        BillSource.bill_id == Bill.id, BillSource.source_name == Bill.source_name).scalar_subquery()))
    session.commit()


def _reviewed(session: Session) -> dict[str, object]:
    staff = User(email="staff@example.org", name="Staff", role="staff", password_hash="x")
    session.add(staff)
    session.commit()
    triage.mark_reviewed(session, actor=staff, bill_ids=list(session.execute(select(Bill.id)).scalars()))
    session.commit()
    return dict(session.execute(select(Bill.identifier, Bill.last_changed_at)).all())


def test_a_restamped_copy_of_a_bill_stored_before_the_upgrade_leaves_it_out_of_the_inbox(session: Session) -> None:
    """GPO's two snapshots of S. 1260 and S. Con. Res. 7 differ only in their stamp; H.R. 4350's later one has
    new actions (as in test_a_copy_restamped_upstream_with_nothing_new_leaves_a_reviewed_bill_out_of_the_inbox,
    on a bill the current version stored)."""
    folder = require_realdata("billstatus", "usgpo_samples", "formatChange")
    names = ("BILLSTATUS-117s1260.xml", "BILLSTATUS-117sconres7.xml", "BILLSTATUS-117hr4350.xml")
    read = {gen: [parse_billstatus((folder / gen / n).read_bytes(), n) for n in names] for gen in ("current", "future")}
    _ingest(session, *read["current"])
    _as_stored_before_the_view_hash(session)
    before = _reviewed(session)

    assert _ingest(session, *read["future"]).updated == 3
    after = dict(session.execute(select(Bill.identifier, Bill.last_changed_at)).all())
    assert after["S 1260"] == before["S 1260"] and after["SCONRES 7"] == before["SCONRES 7"]
    assert after["HR 4350"] > before["HR 4350"]  # new actions: back in the inbox, as on any version
    # Written once more, the rows hold the view hash: the next restamp is told apart as on a new database.
    stored = dict(session.execute(select(Bill.identifier, Bill.content_hash)).all())
    sources = set(session.execute(select(BillSource.content_hash)).scalars())
    assert not sources & set(stored.values())


def test_the_other_library_of_congress_feeds_copy_of_a_bill_stored_before_the_upgrade_is_not_news(
        session: Session) -> None:
    govinfo, congress = hr21_from_billstatus(), hr21_from_api()
    _ingest(session, congress)
    _as_stored_before_the_view_hash(session)
    before = _reviewed(session)
    _ingest(session, govinfo)
    assert session.execute(select(Bill.last_changed_at)).scalar_one() == before["HR 21"]
