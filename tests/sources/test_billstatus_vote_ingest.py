"""Federal roll calls stored from real BILLSTATUS files (billstatus/misc, read in place): one row per roll call and
bill, with the roll number and the official link and no tallies; a re-import writes nothing; a bill whose file no
longer lists a roll call loses it. State bills' roll calls hash as before roll numbers existed. Runs on SQLite and,
with DATABASE_URL, on PostgreSQL."""

import pytest
from realdata_paths import require_realdata
from sqlalchemy import Engine, select
from sqlmodel import Session

from tracker.importer import import_path
from tracker.ingest import IngestItem, Ingestor
from tracker.models import Bill, VoteEvent
from tracker.queries import bill_detail
from tracker.sources import legiscan
from tracker.sources.govinfo_billstatus import parse_billstatus

pytestmark = pytest.mark.realdata


def _events(session: Session, identifier: str) -> list[VoteEvent]:
    return list(session.execute(select(VoteEvent).join(Bill, Bill.id == VoteEvent.bill_id).where(
        Bill.identifier == identifier).order_by(VoteEvent.date, VoteEvent.id)).scalars())


def test_misc_files_store_their_roll_calls_once_without_tallies(engine: Engine) -> None:
    folder = require_realdata("billstatus", "misc")
    report = import_path(engine, folder, workers=0, flag=False)
    assert report.errors == [] and report.result.new == 14
    with Session(engine) as s:
        # 112th H.R. 1954 (3.0.0, one roll call on two actions); 115th H.R. 3354 (legacy, two bill-level votes).
        (hr1954,) = [e for e in _events(s, "HR 1954")]
        assert (hr1954.chamber, hr1954.roll_number, str(hr1954.date), hr1954.source_name) == (
            "lower", 379, "2011-05-31", "govinfo_billstatus")
        assert hr1954.url == "https://clerk.house.gov/evs/2011/roll379.xml"
        assert hr1954.motion is not None and hr1954.motion.startswith("On motion to suspend the rules and pass")
        assert (hr1954.yes_count, hr1954.no_count, hr1954.other_count, hr1954.absent_count) == (None,) * 4
        assert [(e.chamber, e.roll_number) for e in _events(s, "HR 3354")] == [("lower", 527), ("lower", 528)]
        assert sum(len(_events(s, f"HR {n}")) for n in (2, *range(9, 18), 20)) == 0  # reserved numbers: no votes
        detail = bill_detail(s, s.execute(select(Bill.id).where(Bill.identifier == "HR 1954")).scalar_one())
        assert detail is not None
        (shown,) = detail["votes"]
        assert (shown["roll_number"], shown["yes"], shown["no"]) == (379, None, None)
        stored = [(e.id, e.motion) for e in s.execute(select(VoteEvent).order_by(VoteEvent.id)).scalars()]

    again = import_path(engine, folder, workers=0, flag=False, reparse=True)
    assert again.errors == [] and again.result.new == 0
    with Session(engine) as s:
        assert [(e.id, e.motion) for e in s.execute(select(VoteEvent).order_by(VoteEvent.id)).scalars()] == stored


def test_a_roll_call_the_file_no_longer_lists_is_removed(session: Session) -> None:
    """The 3.0.0 H.R. 1 (future/) lists rolls 61 and 62; a copy without its recordedVotes leaves the bill none."""
    path = require_realdata("billstatus", "usgpo_samples", "formatChange", "future", "BILLSTATUS-117hr1.xml")
    data = path.read_bytes()
    Ingestor(session).ingest([IngestItem(record=parse_billstatus(data, str(path)))])
    session.commit()
    assert [e.roll_number for e in _events(session, "HR 1")] == [61, 62]
    stripped = data.replace(b"<recordedVote>", b"<recordedVoteX>").replace(b"</recordedVote>", b"</recordedVoteX>")
    Ingestor(session).ingest([IngestItem(record=parse_billstatus(stripped, str(path)))])
    session.commit()
    assert _events(session, "HR 1") == []


def test_state_roll_calls_hash_as_they_did_before_roll_numbers() -> None:
    """LegiScan's Arkansas HB 1044 (two roll calls, no roll numbers): roll numbers left its content hash as it was
    (computed at commit 248da16), so an unchanged state bill is still skipped on re-import. The hash moved once
    since, on purpose: LegiScan reading version 2 classifies its "ordered transmitted to the Governor's Office"
    line as the presentment (the executive's desk) and its committee sponsor, whose role the file does not give, as
    a sponsor rather than a primary one; stored bills are named for re-reading."""
    path = require_realdata("legiscan", "dataset_json", "bill", "HB1044.json")
    record = legiscan.parse_bill(path.read_bytes(), str(path))
    assert len(record.votes) == 2 and all(v.roll_number is None for v in record.votes)
    assert record.content_hash() == "35d4709bce7022c2632e44e233dda2e5159787c7bec22b75c5a54caa4266ba4d"


def test_a_copy_in_the_new_schema_replaces_the_roll_calls_without_counting_as_news(session: Session) -> None:
    """GPO's pre-2022 S. 1260 lists Senate rolls 192 and 226 bill-level; its 3.0.0 copy (restamped, nothing else
    new) has 226 on an action only. The stored roll calls follow the copy; the bill's last change stays put."""
    folder = require_realdata("billstatus", "usgpo_samples", "formatChange")
    for generation in ("current", "future"):
        path = folder / generation / "BILLSTATUS-117s1260.xml"
        Ingestor(session).ingest([IngestItem(record=parse_billstatus(path.read_bytes(), str(path)))])
        session.commit()
        if generation == "current":
            assert [e.roll_number for e in _events(session, "S 1260")] == [192, 226]
            changed = session.execute(select(Bill.last_changed_at).where(Bill.identifier == "S 1260")).scalar_one()
    assert [e.roll_number for e in _events(session, "S 1260")] == [226]
    assert session.execute(select(Bill.last_changed_at).where(Bill.identifier == "S 1260")).scalar_one() == changed
