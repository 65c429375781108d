"""Withdrawing the council's position: who may, optimistic versions, the history kept, a position set again
afterwards, and every reader (overview, search, packets, alerts, the bill page) seeing no position."""

import csv
import io
import json

import pytest
from apptest_helpers import no_exception, signed_in, texts
from dash_fixtures import Seeded
from sqlalchemy import func, select
from sqlmodel import Session
from typer.testing import CliRunner

from dashboard.components.render import md
from tracker import overview, positions, search
from tracker.alerts.events import collect_positions
from tracker.alerts.render import describe, item_title
from tracker.cli import EXIT_NOT_FOUND, app
from tracker.exports import EmptyPacketError, Selection, build_packet
from tracker.models import AlertEvent, Position, PositionHistory
from tracker.models.base import utcnow
from tracker.permissions import ROLE_ACTIONS, Action, PermissionDenied

# How a refusal names each role (tracker.permissions): the words, not the role's code.
SIGNED_IN_AS = {"staff": "policy staff", "council": "a council member", "lobbyist": "a lobbyist"}

WRITERS = ("admin", "staff")
READERS = ("council", "lobbyist")


def _support_then_oppose(session: Session, seeded: Seeded, key: str = "privacy") -> int:
    """Versions 1 (Support, by staff) and 2 (Oppose, by the admin) on a bill; returns its id."""
    bill = seeded.ids[key]
    positions.set_position(session, actor=seeded.users["staff"], bill_id=bill, stance="Support",
                           expected_version=None)
    positions.set_position(session, actor=seeded.users["admin"], bill_id=bill, stance="Oppose", priority="High",
                           rationale="Pre-emption too weak.", expected_version=1)
    session.commit()
    return bill


# -- the service ---------------------------------------------------------------------------------------------

def test_whoever_may_set_a_position_may_withdraw_it() -> None:
    assert {r for r, acts in ROLE_ACTIONS.items() if Action.withdraw_position in acts} == \
        {r for r, acts in ROLE_ACTIONS.items() if Action.set_position in acts} == set(WRITERS)


@pytest.mark.parametrize("role", WRITERS)
def test_withdrawal_keeps_every_version_and_records_who_when_why(session: Session, seeded: Seeded,
                                                                  role: str) -> None:
    bill = _support_then_oppose(session, seeded)
    actor = seeded.users[role]
    gone = positions.withdraw_position(session, actor=actor, bill_id=bill, expected_version=2,
                                       reason="  Taken by mistake: the board stays out of it.  ")
    session.commit()
    assert positions.get_position(session, bill_id=bill) is None
    assert session.execute(select(func.count()).select_from(Position)).scalar_one() == 0
    assert (gone["version"], gone["previous_stance"], gone["previous_priority"], gone["author"]) == (
        3, "Oppose", "High", actor.name)
    assert gone["reason"] == "Taken by mistake: the board stays out of it." and gone["updated_at"]
    assert positions.withdrawal(session, bill_id=bill) == gone
    hist = positions.history(session, bill_id=bill)
    assert [(h["version"], h["withdrawn"], h["previous_stance"], h["stance"], h["author"]) for h in hist] == [
        (3, True, "Oppose", None, actor.name),
        (2, False, "Support", "Oppose", "Admin Person"),
        (1, False, None, "Support", "Staff Person")]
    assert hist[0]["rationale"] == "Taken by mistake: the board stays out of it." and hist[0]["changed_at"]
    assert hist[1]["rationale"] == "Pre-emption too weak."
    # The rows outlive the deleted position (no cascade), no longer pointing at it.
    assert session.execute(select(PositionHistory.position_id).where(PositionHistory.bill_id == bill)
                           ).scalars().all() == [None, None, None]


def test_a_position_set_again_continues_the_numbering_and_history(session: Session, seeded: Seeded) -> None:
    bill = _support_then_oppose(session, seeded)
    positions.withdraw_position(session, actor=seeded.users["staff"], bill_id=bill, expected_version=2)
    session.commit()
    again = positions.set_position(session, actor=seeded.users["staff"], bill_id=bill, stance="Watch",
                                   expected_version=None)  # the editor saw no position
    session.commit()
    assert (again["stance"], again["version"]) == ("Watch", 4)
    assert positions.withdrawal(session, bill_id=bill) is None  # it has a position again
    hist = positions.history(session, bill_id=bill)
    assert [(h["version"], h["withdrawn"], h["stance"]) for h in hist] == [
        (4, False, "Watch"), (3, True, None), (2, False, "Oppose"), (1, False, "Support")]
    # The new version hangs on the new position row; the withdrawn ones on none.
    position_id = session.execute(select(Position.id).where(Position.bill_id == bill)).scalar_one()
    assert [p for (p,) in session.execute(select(PositionHistory.position_id).where(PositionHistory.bill_id == bill)
                                          .order_by(PositionHistory.version))] == [None, None, None, position_id]
    # And it can be changed and withdrawn again like any position.
    positions.set_position(session, actor=seeded.users["admin"], bill_id=bill, stance="Support", expected_version=4)
    assert positions.withdraw_position(session, actor=seeded.users["admin"], bill_id=bill,
                                       expected_version=5)["version"] == 6


@pytest.mark.parametrize("role", READERS)
def test_readers_cannot_withdraw(session: Session, seeded: Seeded, role: str) -> None:
    bill = _support_then_oppose(session, seeded)
    with pytest.raises(PermissionDenied, match=f"^Withdrawing a position is for administrators and policy staff"
                                               f"; you are signed in as {SIGNED_IN_AS[role]}\\.$"):
        positions.withdraw_position(session, actor=seeded.users[role], bill_id=bill, expected_version=2)
    assert positions.get_position(session, bill_id=bill)["stance"] == "Oppose"  # type: ignore[index]
    assert len(positions.history(session, bill_id=bill)) == 2


def test_a_deactivated_account_cannot_withdraw(session: Session, seeded: Seeded) -> None:
    bill = _support_then_oppose(session, seeded)
    staff = seeded.users["staff"]
    staff.active = False
    with pytest.raises(PermissionDenied, match="deactivated"):
        positions.withdraw_position(session, actor=staff, bill_id=bill, expected_version=2)


def test_a_stale_withdrawal_is_refused_with_the_other_persons_change(session: Session, seeded: Seeded) -> None:
    bill = _support_then_oppose(session, seeded)
    # Staff opened version 1 and withdraws it, but the admin had saved version 2 meanwhile.
    with pytest.raises(positions.PositionConflict) as caught:
        positions.withdraw_position(session, actor=seeded.users["staff"], bill_id=bill, expected_version=1)
    assert caught.value.current["version"] == 2 and "Admin Person" in str(caught.value)
    assert "Oppose" in str(caught.value) and "Pre-emption too weak." in str(caught.value)
    assert positions.get_position(session, bill_id=bill)["version"] == 2  # type: ignore[index]
    assert len(positions.history(session, bill_id=bill)) == 2


def test_after_a_withdrawal_stale_saves_and_withdrawals_are_refused_naming_it(session: Session,
                                                                             seeded: Seeded) -> None:
    bill = _support_then_oppose(session, seeded)
    positions.withdraw_position(session, actor=seeded.users["admin"], bill_id=bill, expected_version=2,
                                reason="Board decision")
    session.commit()
    for attempt in (
        lambda: positions.set_position(session, actor=seeded.users["staff"], bill_id=bill, stance="Support",
                                       expected_version=2),
        lambda: positions.withdraw_position(session, actor=seeded.users["staff"], bill_id=bill,
                                            expected_version=2),
    ):
        with pytest.raises(positions.PositionConflict) as caught:
            attempt()
        message = str(caught.value)
        assert "Admin Person withdrew this position" in message and "was Oppose" in message
        assert "Board decision" in message and "version 3" in message
    assert positions.get_position(session, bill_id=bill) is None
    assert len(positions.history(session, bill_id=bill)) == 3


def test_nothing_to_withdraw_is_bad_input(session: Session, seeded: Seeded) -> None:
    with pytest.raises(positions.PositionError, match="has no position to withdraw"):
        positions.withdraw_position(session, actor=seeded.users["staff"], bill_id=seeded.ids["quiet"],
                                    expected_version=1)
    with pytest.raises(positions.PositionError, match="No bill with id 999999"):
        positions.withdraw_position(session, actor=seeded.users["staff"], bill_id=999999, expected_version=1)


def test_withdrawal_racing_a_save_in_another_session(engine, seeded: Seeded) -> None:  # type: ignore[no-untyped-def]
    bill = seeded.ids["ca"]
    with Session(engine) as a, Session(engine) as b:
        positions.set_position(a, actor=seeded.users["staff"], bill_id=bill, stance="Watch", expected_version=None)
        a.commit()
        seen = positions.get_position(b, bill_id=bill)["version"]  # type: ignore[index]
        b.commit()
        positions.withdraw_position(a, actor=seeded.users["staff"], bill_id=bill, expected_version=seen)
        a.commit()
        with pytest.raises(positions.PositionConflict, match="withdrew this position"):
            positions.set_position(b, actor=seeded.users["admin"], bill_id=bill, stance="Oppose",
                                   expected_version=seen)
        b.rollback()
        # And the other way round: a save wins, the withdrawal that started from the older version is refused.
        positions.set_position(a, actor=seeded.users["staff"], bill_id=bill, stance="Support", expected_version=None)
        a.commit()
        seen = positions.get_position(b, bill_id=bill)["version"]  # type: ignore[index]
        b.commit()
        positions.set_position(a, actor=seeded.users["staff"], bill_id=bill, stance="Oppose", expected_version=seen)
        a.commit()
        with pytest.raises(positions.PositionConflict, match="Oppose"):
            positions.withdraw_position(b, actor=seeded.users["admin"], bill_id=bill, expected_version=seen)


def test_the_compare_and_delete_refuses_what_a_stale_session_still_believes(engine, seeded: Seeded) -> None:  # type: ignore[no-untyped-def]
    """Session b keeps the version it read (the check in Python passes on its stale copy): the statement itself
    must refuse, for a withdrawal over a newer save and for a save over a withdrawal."""
    bill = seeded.ids["ca"]
    with Session(engine, expire_on_commit=False) as a, Session(engine, expire_on_commit=False) as b:
        positions.set_position(a, actor=seeded.users["staff"], bill_id=bill, stance="Watch", expected_version=None)
        a.commit()
        seen = b.execute(select(Position).where(Position.bill_id == bill)).scalar_one()
        b.commit()  # b holds its copy of version 1: the identity map keeps it as it was
        assert seen.version == 1
        positions.set_position(a, actor=seeded.users["admin"], bill_id=bill, stance="Oppose", expected_version=1)
        a.commit()
        with pytest.raises(positions.PositionConflict, match="Admin Person changed this position") as caught:
            positions.withdraw_position(b, actor=seeded.users["staff"], bill_id=bill, expected_version=1)
        assert caught.value.current["version"] == 2
        b.rollback()
        assert positions.get_position(a, bill_id=bill)["stance"] == "Oppose"  # type: ignore[index]
        a.commit()

        b.expire_all()
        seen = b.execute(select(Position).where(Position.bill_id == bill)).scalar_one()
        b.commit()
        assert seen.version == 2
        positions.withdraw_position(a, actor=seeded.users["admin"], bill_id=bill, expected_version=2)
        a.commit()
        with pytest.raises(positions.PositionConflict, match="Admin Person withdrew this position"):
            positions.set_position(b, actor=seeded.users["staff"], bill_id=bill, stance="Support",
                                   expected_version=2)
        b.rollback()
        assert [h["version"] for h in positions.history(a, bill_id=bill)] == [3, 2, 1]


# -- every reader sees no position ------------------------------------------------------------------------------

def test_overview_search_and_tracking_no_longer_count_a_withdrawn_position(session: Session,
                                                                           seeded: Seeded) -> None:
    bill = _support_then_oppose(session, seeded)
    positions.set_position(session, actor=seeded.users["staff"], bill_id=seeded.ids["robotics"], stance="Oppose",
                           expected_version=None)
    session.commit()
    assert overview.counts(session)["by_position"] == [{"position": "Oppose", "bills": 2}]
    positions.withdraw_position(session, actor=seeded.users["staff"], bill_id=bill, expected_version=2)
    session.commit()
    counts = overview.counts(session)
    assert counts["positions"] == 1 and counts["by_position"] == [{"position": "Oppose", "bills": 1}]
    found, total = search.search(session, "", search.SearchFilter(position="Oppose"))
    assert total == 1 and [r["id"] for r in found] == [seeded.ids["robotics"]]


def test_a_packet_no_longer_carries_or_selects_a_withdrawn_position(session: Session, seeded: Seeded) -> None:
    bill = _support_then_oppose(session, seeded)
    before = list(csv.DictReader(io.StringIO(build_packet(session, Selection(bills=(bill,)), "csv")
                                             .decode("utf-8-sig"))))
    assert before[0]["Position"] == "Oppose"
    positions.withdraw_position(session, actor=seeded.users["staff"], bill_id=bill, expected_version=2)
    session.commit()
    after = list(csv.DictReader(io.StringIO(build_packet(session, Selection(bills=(bill,)), "csv")
                                            .decode("utf-8-sig"))))
    assert after[0]["Position"] == "" and after[0]["Priority"] == ""
    packet = json.loads(build_packet(session, Selection(bills=(bill,)), "json"))
    assert packet["bills"][0]["position"] is None
    with pytest.raises(EmptyPacketError):
        build_packet(session, Selection(positions=("oppose",)), "csv")


def test_the_export_command_no_longer_selects_a_withdrawn_position(session: Session, seeded: Seeded,
                                                                   database_url: str) -> None:
    bill = _support_then_oppose(session, seeded)
    before = CliRunner().invoke(app, ["export", "--position", "oppose", "--format", "csv", "-o", "-"],
                                catch_exceptions=False)
    assert before.exit_code == 0 and ",Consumer Data Privacy Act," in before.output
    positions.withdraw_position(session, actor=seeded.users["staff"], bill_id=bill, expected_version=2)
    session.commit()
    after = CliRunner().invoke(app, ["export", "--position", "oppose", "--format", "csv", "-o", "-"],
                               catch_exceptions=False)
    assert after.exit_code == EXIT_NOT_FOUND and "No bills match Position: Oppose" in after.output


def test_followers_are_told_the_position_was_withdrawn(session: Session, seeded: Seeded) -> None:
    bill = _support_then_oppose(session, seeded)
    assert collect_positions(session, now=utcnow()) == 2  # the two saves
    positions.withdraw_position(session, actor=seeded.users["admin"], bill_id=bill, expected_version=2,
                                reason="Stay out of <b>it</b>")
    session.commit()
    assert collect_positions(session, now=utcnow()) == 1
    event = session.execute(select(AlertEvent).where(AlertEvent.kind == "position")
                            .order_by(AlertEvent.id.desc()).limit(1)).scalar_one()
    assert event.payload["withdrawn"] and event.payload["previous_stance"] == "Oppose"
    item = {"kind": "position", "payload": event.payload}
    assert item_title(item) == "Position withdrawn"
    line, details = describe(item, set())
    assert line == "Admin Person withdrew the position: Oppose (High priority); the council now takes no position"
    assert details == [("reason", "Stay out of <b>it</b>")]


# -- the bill page -------------------------------------------------------------------------------------------------

def _button_keys(at) -> set[str]:  # type: ignore[no-untyped-def]
    return {b.key for b in at.button if b.key}


@pytest.mark.parametrize("role", READERS)
def test_readers_see_no_withdraw_control(session: Session, seeded: Seeded, role: str) -> None:
    bill = _support_then_oppose(session, seeded)
    at = signed_in(seeded.users[role], "views/bill.py", query={"id": str(bill)})
    no_exception(at)
    assert "Oppose" in texts(at) and f"pos_withdraw_{bill}" not in _button_keys(at)


def test_staff_withdraw_on_the_bill_page_with_a_confirmation_and_a_reason(session: Session,
                                                                           seeded: Seeded) -> None:
    bill = _support_then_oppose(session, seeded)
    at = signed_in(seeded.users["staff"], "views/bill.py", query={"id": str(bill)})
    no_exception(at)
    assert f"pos_withdraw_confirm_{bill}" not in _button_keys(at)  # nothing happens on one click
    at.button(key=f"pos_withdraw_{bill}").click().run()
    assert md("Withdraw the council's position (Oppose, High priority)?") in texts(at)
    at.button(key=f"pos_withdraw_cancel_{bill}").click().run()  # changed their mind
    assert f"pos_withdraw_confirm_{bill}" not in _button_keys(at)
    assert positions.get_position(session, bill_id=bill)["version"] == 2  # type: ignore[index]

    at.button(key=f"pos_withdraw_{bill}").click().run()
    at.text_area(key=f"pos_withdraw_reason_{bill}").input("Taken by <b>mistake</b>.")
    at.button(key=f"pos_withdraw_confirm_{bill}").click().run()
    no_exception(at)
    shown = texts(at)
    assert md("Withdrawn: the council no longer takes a position on this bill (was Oppose; version 3).") in shown
    assert "**No position**" in shown and md("Taken by <b>mistake</b>.") in shown
    assert f"pos_withdraw_{bill}" not in _button_keys(at)  # nothing left to withdraw
    session.expire_all()
    assert positions.get_position(session, bill_id=bill) is None
    assert positions.withdrawal(session, bill_id=bill)["reason"] == "Taken by <b>mistake</b>."  # type: ignore[index]
    history = next(e for e in at.expander if e.label.startswith("History"))
    assert history.label == "History (3 versions)"
    table = next(d.value for d in at.dataframe if "rationale or reason" in d.value.columns)
    assert table.iloc[0]["to"] == "withdrawn" and table.iloc[0]["from"] == "Oppose / High"
    assert table.iloc[0]["who"] == "Staff Person" and table.iloc[0]["version"] == 3

    # Others now read "no position"; the form sets one again from there, as version 4.
    council = signed_in(seeded.users["council"], "views/bill.py", query={"id": str(bill)})
    assert "**No position**" in texts(council) and "Oppose withdrawn by Staff Person" in texts(council)
    at.selectbox(key=f"pos_stance_{bill}").select("Watch")
    next(b for b in at.get("form_submit_button") if b.label == "Save position").click().run()
    no_exception(at)
    assert md("Saved: Watch (version 4).") in texts(at)


def test_a_withdrawal_from_a_stale_page_is_refused_showing_the_other_persons_change(session: Session,
                                                                                   seeded: Seeded) -> None:
    bill = _support_then_oppose(session, seeded)
    at = signed_in(seeded.users["staff"], "views/bill.py", query={"id": str(bill)})  # staff sees version 2
    positions.set_position(session, actor=seeded.users["admin"], bill_id=bill, stance="Support",
                           rationale="Amended in committee.", expected_version=2)
    session.commit()
    at.button(key=f"pos_withdraw_{bill}").click().run()
    at.button(key=f"pos_withdraw_confirm_{bill}").click().run()
    no_exception(at)
    shown = texts(at)
    assert "Not saved" in shown and "Admin Person" in shown and "Amended in committee." in shown
    session.expire_all()
    assert positions.get_position(session, bill_id=bill)["stance"] == "Support"  # type: ignore[index]
    at.button(key="pos_reload").click().run()  # start again from their version, then withdraw that one
    at.button(key=f"pos_withdraw_{bill}").click().run()
    at.button(key=f"pos_withdraw_confirm_{bill}").click().run()
    no_exception(at)
    session.expire_all()
    assert positions.get_position(session, bill_id=bill) is None
    assert positions.withdrawal(session, bill_id=bill)["version"] == 4  # type: ignore[index]


def test_the_overview_stops_counting_a_withdrawn_position(session: Session, seeded: Seeded) -> None:
    bill = _support_then_oppose(session, seeded)
    at = signed_in(seeded.users["council"], "views/overview.py")
    assert {m.label: m.value for m in at.get("metric")}["Positions taken"] == "1"
    positions.withdraw_position(session, actor=seeded.users["staff"], bill_id=bill, expected_version=2)
    session.commit()
    at.run()  # the same session: the cached figures must follow the withdrawal
    no_exception(at)
    assert {m.label: m.value for m in at.get("metric")}["Positions taken"] == "0"
