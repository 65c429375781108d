"""Bills earlier versions stored twice, and ``tracker db merge-duplicates``.

Until the identity fixes, Open States filed California's First Extraordinary Session as "19992000 Special Session 1"
and LegiScan read AB X1-1 ("ABX11") as "ABX 11": with pubinfo's AB 1 of session 19992000s1 (the real 1999-2000
archive) one bill was three, each judged by staff on its own. The records below are the feeds' records as the
current parsers read them (test_state_sources' samples and the real archive), spelled back as the earlier parsers
spelled them, which is what such a database holds.
"""

import datetime as dt

import pytest
from sqlalchemy import func, select
from sqlmodel import Session
from test_state_sources import _extraordinary_views
from typer.testing import CliRunner

from tracker import notes, positions, triage, users, watchlists
from tracker.alerts import subscriptions
from tracker.cli import EXIT_PARTIAL, app
from tracker.dates import us_today
from tracker.duplicates import find_groups, merge
from tracker.ingest import IngestItem, Ingestor
from tracker.models import (
    AlertSubscription,
    Bill,
    BillSource,
    FirstFlag,
    KeyVoteMark,
    LegislativeSession,
    User,
    VoteEvent,
)
from tracker.records import BillRecord, VoteRecord
from tracker.scorecard import key_vote_history, mark_key_vote

pytestmark = pytest.mark.realdata
OLD_SESSION = "19992000 Special Session 1"


def _as_old_versions_spelled(views: dict[str, BillRecord]) -> dict[str, BillRecord]:
    openstates, legiscan = views["openstates"], views["legiscan"]
    return {
        "ca_pubinfo": views["ca_pubinfo"],
        "openstates": openstates.model_copy(update={"session": openstates.session.model_copy(
            update={"identifier": OLD_SESSION, "name": OLD_SESSION})}),
        "legiscan": legiscan.model_copy(update={"identifier": "ABX 11", "bill_type": "ABX", "number": "11"}),
    }


def _store(session: Session, records: list[BillRecord]) -> dict[str, int]:
    ingestor = Ingestor(session)
    for record in records:  # one batch per feed, as separate crawls wrote them
        ingestor.ingest([IngestItem(record=record)])
        session.commit()
    return dict(session.execute(select(BillSource.source_name, BillSource.bill_id)).all())


def _people(session: Session) -> tuple[User, User, User]:
    admin = users.add_user(session, email="ada@chamber.example", role="admin", name="Ada")
    sam = users.add_user(session, email="sam@chamber.example", role="staff", name="Sam", actor=admin)
    member = users.add_user(session, email="cm@chamber.example", role="council", actor=admin)
    session.commit()
    return admin, sam, member


def _judge_each_copy(session: Session, bill_of: dict[str, int], stance_of: dict[str, str]) -> tuple[User, int]:
    """What a council did on the old version: each copy judged, noted, assigned, listed and followed."""
    admin, sam, member = _people(session)
    shared = watchlists.create_watchlist(session, actor=sam, name="Q3 meetings")
    session.commit()
    for n, (feed, bill_id) in enumerate(sorted(bill_of.items())):
        saved = positions.set_position(session, actor=sam, bill_id=bill_id, stance=stance_of[feed], priority="High",
                                       rationale=f"as {feed} told it", expected_version=None)
        positions.set_position(session, actor=admin, bill_id=bill_id, stance=stance_of[feed], priority="High",
                               rationale=f"confirmed ({feed})", expected_version=saved["version"])
        notes.add_note(session, actor=sam, bill_id=bill_id, body=f"note on the {feed} copy")
        triage.assign(session, actor=admin, bill_ids=[bill_id], assignee_id=sam.id, task=f"brief ({feed})",
                      due_date=us_today() + dt.timedelta(days=13 + n))  # ahead: a past one is refused
        watchlists.add_bills(session, actor=sam, watchlist_id=shared.id, bill_ids=[bill_id])
        subscriptions.subscribe(session, user=member, kind="bill", target=str(bill_id), cadence="weekly")
        session.commit()
    triage.mark_relevant(session, actor=sam, bill_ids=[bill_of["openstates"]])
    session.commit()
    return sam, shared.id


def test_three_copies_of_one_bill_become_one_with_everything_the_council_gave_each(session: Session) -> None:
    _, views = _extraordinary_views()
    old = _as_old_versions_spelled(views)
    # A roll call on LegiScan's copy (our record schema, no sample has one for this bill), which staff made a key vote.
    old["legiscan"] = old["legiscan"].model_copy(update={"votes": [VoteRecord(
        source_key="900001", date=dt.date(1999, 3, 22), chamber="lower", motion="Assembly Third Reading")]})
    bill_of = _store(session, list(old.values()))
    assert len(set(bill_of.values())) == 3  # what the old versions left: three bills
    sam, shared = _judge_each_copy(session, bill_of, dict.fromkeys(bill_of, "Support"))
    roll_call = session.execute(select(VoteEvent.id).where(VoteEvent.source_key == "900001")).scalar_one()
    mark_key_vote(session, actor=sam, vote_event_id=roll_call, decision="include", reason="the deciding vote",
                  expected_version=0)
    session.commit()

    # Topics flagged two of the copies, Open States' first: the inbox's "new since yesterday" counts from then.
    first_flags = {"openstates": dt.datetime(2026, 11, 2, 9, 0, tzinfo=dt.UTC),
                   "ca_pubinfo": dt.datetime(2026, 12, 6, 9, 0, tzinfo=dt.UTC)}
    session.add_all([FirstFlag(bill_id=bill_of[feed], first_flagged_at=at) for feed, at in first_flags.items()])
    session.commit()

    (group,) = find_groups(session)
    assert (group.session_identifier, group.identifier, group.conflicts) == ("19992000s1", "AB 1", [])
    assert group.survivor.bill_id == bill_of["ca_pubinfo"]  # the Legislature's own record, at the shared key
    report = merge(session)
    session.commit()
    assert report.merged == [group] and report.skipped == []

    keep = bill_of["ca_pubinfo"]
    assert session.execute(select(func.count()).select_from(Bill)).scalar_one() == 1
    assert {s for s, b in session.execute(select(BillSource.source_name, BillSource.bill_id)) if b == keep} == {
        "ca_pubinfo", "openstates", "legiscan"}
    history = positions.history(session, bill_id=keep)
    assert len(history) == 6 and {h["rationale"] for h in history} >= {"as openstates told it",
                                                                       "confirmed (legiscan)"}
    assert positions.get_position(session, bill_id=keep)["stance"] == "Support"
    assert sorted(n["body"] for n in notes.list_notes(session, bill_id=keep)) == [
        "note on the ca_pubinfo copy", "note on the legiscan copy", "note on the openstates copy"]
    assert triage.triage_state(session, bill_id=keep)["relevance"] == "relevant"  # the label staff gave a copy
    assert triage.open_assignments(session, [keep])[keep]["assignee"] == "Sam"
    assert watchlists.watchlists_of_bill(session, actor=sam, bill_id=keep) == [shared]
    assert session.execute(select(AlertSubscription.target).where(AlertSubscription.kind == "bill")).scalars().all() \
        == [str(keep)]
    # The scorecard's key-vote mark followed its roll call to the bill kept (it was deleted with the copy).
    assert [h["reason"] for h in key_vote_history(session, vote_event_id=roll_call)] == ["the deciding vote"]
    assert session.execute(select(KeyVoteMark.bill_id)).scalars().all() == [keep]
    # First flagged when its earliest copy was: the merged bill is not "new" again in the inbox.
    assert session.execute(select(FirstFlag.bill_id, FirstFlag.first_flagged_at)).all() == [
        (keep, first_flags["openstates"])]
    assert session.execute(select(LegislativeSession.identifier).where(
        LegislativeSession.identifier == OLD_SESSION)).first() is None  # no empty session left to filter on
    # The feeds now spell it one way: reading them again finds the one bill, and nothing is left to merge.
    result = Ingestor(session).ingest([IngestItem(record=r) for r in views.values()])
    session.commit()
    assert result.new == 0 and find_groups(session) == []


def test_copies_the_council_judged_differently_are_named_and_left_apart(session: Session) -> None:
    _, views = _extraordinary_views()
    bill_of = _store(session, list(_as_old_versions_spelled(views).values()))
    _judge_each_copy(session, bill_of, {"ca_pubinfo": "Support", "openstates": "Oppose", "legiscan": "Support"})

    (group,) = find_groups(session)
    assert group.conflicts == [f"different positions: Oppose (High priority) on bill {bill_of['openstates']}; "
                               f"Support (High priority) on bill "
                               f"{', '.join(map(str, sorted([bill_of['ca_pubinfo'], bill_of['legiscan']])))}"]
    report = merge(session)
    session.commit()
    assert report.merged == [] and report.skipped == [group]
    assert {b: positions.get_position(session, bill_id=b)["stance"] for b in bill_of.values()} == {
        bill_of["ca_pubinfo"]: "Support", bill_of["openstates"]: "Oppose", bill_of["legiscan"]: "Support"}


def test_a_lone_copy_under_an_old_spelling_takes_the_shared_one_before_a_feed_stores_it_again(
        session: Session) -> None:
    """Open States alone held the bill: the next crawl would store the shared spelling as a new bill beside the
    one staff took a position on, which no feed would update any more."""
    _, views = _extraordinary_views()
    (bill_id,) = _store(session, [_as_old_versions_spelled(views)["openstates"]]).values()
    _, sam, _ = _people(session)
    positions.set_position(session, actor=sam, bill_id=bill_id, stance="Oppose", expected_version=None)
    session.commit()
    merge(session)
    session.commit()
    result = Ingestor(session).ingest([IngestItem(record=views["openstates"]), IngestItem(record=views["ca_pubinfo"])])
    session.commit()
    assert result.new == 0
    bill = session.execute(select(Bill)).scalar_one()
    assert (bill.id, bill.identifier, bill.source_name) == (bill_id, "AB 1", "ca_pubinfo")
    assert positions.get_position(session, bill_id=bill_id)["stance"] == "Oppose"


def test_the_command_lists_merges_and_names_what_it_left(session: Session, database_url: str) -> None:
    _, views = _extraordinary_views()
    bill_of = _store(session, list(_as_old_versions_spelled(views).values()))
    _judge_each_copy(session, bill_of, {"ca_pubinfo": "Support", "openstates": "Oppose", "legiscan": "Support"})
    runner = CliRunner()

    upgraded = runner.invoke(app, ["db", "upgrade", "--no-backup"], catch_exceptions=False)
    assert upgraded.exit_code == 0 and "`tracker db merge-duplicates`" in upgraded.output
    listed = runner.invoke(app, ["db", "merge-duplicates"], catch_exceptions=False)
    assert listed.exit_code == 0
    assert f"CA AB 1 (19992000s1): keep bill {bill_of['ca_pubinfo']} (ca_pubinfo" in listed.output
    assert "conflict, not merged: different positions" in listed.output and "Nothing changed" in listed.output
    applied = runner.invoke(app, ["db", "merge-duplicates", "--apply"], catch_exceptions=False)
    assert applied.exit_code == EXIT_PARTIAL and "1 group(s) not merged for a conflict" in applied.output
    session.expire_all()
    assert session.execute(select(func.count()).select_from(Bill)).scalar_one() == 3  # left as it was

    # Staff settle it on the Open States copy's page; then the merge goes through.
    sam = users.get_user(session, "sam@chamber.example")
    current = positions.get_position(session, bill_id=bill_of["openstates"])
    positions.set_position(session, actor=sam, bill_id=bill_of["openstates"], stance="Support", priority="High",
                           expected_version=current["version"])
    session.commit()
    applied = runner.invoke(app, ["db", "merge-duplicates", "--apply"], catch_exceptions=False)
    assert applied.exit_code == 0 and "Merged 1 group(s)" in applied.output
    assert runner.invoke(app, ["db", "merge-duplicates"]).output.strip() == "No bill is stored twice."


def test_two_copies_both_under_old_spellings_become_the_higher_ranked_feeds_bill_under_the_shared_one(
        session: Session) -> None:
    _, views = _extraordinary_views()
    old = _as_old_versions_spelled(views)
    bill_of = _store(session, [old["legiscan"], old["openstates"]])
    _, sam, _ = _people(session)
    notes.add_note(session, actor=sam, bill_id=bill_of["legiscan"], body="LegiScan copy's note")
    session.commit()

    (group,) = find_groups(session)
    assert group.survivor.bill_id == bill_of["openstates"]  # Open States outranks LegiScan
    merge(session)
    session.commit()
    bill = session.execute(select(Bill)).scalar_one()
    stored_in = session.get(LegislativeSession, bill.session_id)
    assert (bill.id, stored_in.identifier, bill.identifier, bill.bill_type, bill.number) == (
        bill_of["openstates"], "19992000s1", "AB 1", "AB", "1")
    assert [n["body"] for n in notes.list_notes(session, bill_id=bill.id)] == ["LegiScan copy's note"]
    assert Ingestor(session).ingest([IngestItem(record=r) for r in views.values()]).new == 0
