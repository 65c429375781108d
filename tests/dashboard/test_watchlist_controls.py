"""Watchlist controls offered only to whoever may use them, and a deletion that asks first."""

import pytest
from apptest_helpers import no_exception, signed_in, texts
from dash_fixtures import Seeded
from sqlalchemy import select
from sqlmodel import Session

from tracker import watchlists
from tracker.models import Watchlist


def _staff_list(session: Session, seeded: Seeded) -> Watchlist:
    followed = watchlists.create_watchlist(session, actor=seeded.users["staff"], name="Q1 meetings", shared=True)
    watchlists.add_bills(session, actor=seeded.users["staff"], watchlist_id=followed.id,
                         bill_ids=[seeded.ids["privacy"]])
    session.commit()
    return followed


@pytest.mark.parametrize("role", ("council", "lobbyist"))
def test_readers_are_not_offered_changes_to_a_colleagues_shared_list(session: Session, seeded: Seeded,
                                                                     role: str) -> None:
    # A council member saw "Delete this watchlist" and "Remove selected" on staff's list, and "Follow" into it on
    # a bill page; each click ended in "may not change 'Q1 meetings'".
    _staff_list(session, seeded)
    at = signed_in(seeded.users[role], "views/watchlists.py")
    no_exception(at)
    assert "Q1 meetings" in at.selectbox(key="wl_pick").options[0]
    assert not [b for b in at.button if b.key in ("wl_delete", "wl_remove")]
    assert "Only its owner, staff and admins change it." in texts(at)
    bill = signed_in(seeded.users[role], "views/bill.py", query={"id": str(seeded.ids["quiet"])})
    no_exception(bill)
    assert not [b for b in bill.button if b.key == "bill_follow"]
    assert "No watchlist of yours" in texts(bill)


def test_a_reader_still_edits_their_own_list(session: Session, seeded: Seeded) -> None:
    _staff_list(session, seeded)
    council = seeded.users["council"]
    mine = watchlists.create_watchlist(session, actor=council, name="Hearings to attend", shared=False)
    session.commit()
    bill = signed_in(council, "views/bill.py", query={"id": str(seeded.ids["quiet"])})
    assert bill.selectbox(key="bill_watch").options == ["Hearings to attend"]
    bill.button(key="bill_follow").click().run()
    no_exception(bill)
    assert watchlists.watchlist_bills(session, actor=council, watchlist_id=mine.id)[0]["id"] == seeded.ids["quiet"]
    at = signed_in(council, "views/watchlists.py")
    at.selectbox(key="wl_pick").set_value(mine.id).run()
    assert at.button(key="wl_delete")


def test_deleting_a_watchlist_asks_first(session: Session, seeded: Seeded) -> None:
    # One click deleted the list and every bill on it, with no way back.
    followed = _staff_list(session, seeded)
    at = signed_in(seeded.users["staff"], "views/watchlists.py")
    at.button(key="wl_delete").click().run()
    no_exception(at)
    assert session.execute(select(Watchlist.id).where(Watchlist.id == followed.id)).first() is not None
    assert "Delete Q1 meetings and its 1 bill for everyone?" in texts(at)
    at.button(key="wl_delete_cancel").click().run()
    assert not [b for b in at.button if b.key == "wl_delete_confirm"]
    at.button(key="wl_delete").click().run()
    at.button(key="wl_delete_confirm").click().run()
    no_exception(at)
    assert session.execute(select(Watchlist.id).where(Watchlist.id == followed.id)).first() is None
    assert "No watchlists yet" in texts(at)
