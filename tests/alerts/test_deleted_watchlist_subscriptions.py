"""A subscription to a watchlist outlives neither the list nor the subscriber's right to see it: digests, the
hearings calendar and the Alerts page never reach into another person's private watchlist."""

from sqlalchemy import select

from tests.alerts.conftest import Mailbox, World, bill_record
from tests.alerts.test_digests import _send, _to
from tracker import positions, watchlists
from tracker.alerts import feeds, subscriptions
from tracker.models import AlertSubscription, Bill
from tracker.users import add_user


def test_a_deleted_watchlists_subscribers_never_follow_the_private_list_that_takes_its_id(
        world: World, smtp: Mailbox) -> None:
    """Staff share "Lobby targets"; the lobbyist follows it (digests and the hearings calendar). Staff delete it;
    a council member starts a private list, and SQLite gives it the deleted list's id (a table's highest row id
    is used again). The subscription, stored as that id, then followed the private list: the lobbyist's Alerts
    page named it, their calendar listed its bills' hearings, and a position set on its bill went to them by
    email. Deleting a watchlist now ends the subscriptions to it, and a watchlist subscription counts only while
    its subscriber may see the list (shared, or their own)."""
    s = world.session
    world.store(bill_record(601, "Broadband Mapping Act"), bill_record(602, "Spectrum Auction Act"))
    public_bill, private_bill = (s.execute(select(Bill.id).where(Bill.identifier == f"HR {n}")).scalar_one()
                                 for n in (601, 602))
    council = add_user(s, email="cora@chamber.example", role="council", name="Cora Council")
    subscriptions.unsubscribe(s, user=world.admin)
    subscriptions.unsubscribe(s, user=council)
    subscriptions.unsubscribe(s, user=world.staff)
    shared = watchlists.create_watchlist(s, actor=world.staff, name="Lobby targets", shared=True)
    watchlists.add_bills(s, actor=world.staff, watchlist_id=shared.id, bill_ids=[public_bill])
    subscriptions.unsubscribe(s, user=world.lobbyist)
    subscriptions.subscribe(s, user=world.lobbyist, kind="watchlist", target=str(shared.id), cadence="instant",
                            actor=world.lobbyist)
    s.commit()
    assert feeds.tracked_bill_ids(s, world.lobbyist) == [public_bill]

    deleted_id = shared.id
    watchlists.delete_watchlist(s, actor=world.staff, watchlist_id=deleted_id)
    private = watchlists.create_watchlist(s, actor=council, name="Cora's private reading", shared=False)
    watchlists.add_bills(s, actor=council, watchlist_id=private.id, bill_ids=[private_bill])
    s.commit()
    if s.get_bind().dialect.name == "sqlite":
        assert private.id == deleted_id  # the id the lobbyist's subscription names

    assert private_bill not in feeds.tracked_bill_ids(s, world.lobbyist)
    assert not any("Cora" in v.label for v in subscriptions.list_subscriptions(s, user=world.lobbyist))
    assert s.execute(select(AlertSubscription).where(AlertSubscription.kind == "watchlist")).first() is None
    positions.set_position(s, actor=world.staff, bill_id=private_bill, stance="Oppose", expected_version=None)
    _send(world)
    assert _to(smtp, "lee@chamber.example") == []


def test_a_watchlist_subscription_counts_only_while_its_subscriber_may_see_the_list(world: World) -> None:
    """The guard where subscriptions are read, whatever left one pointing at a list its subscriber may not see
    (a row written before this change, by hand, or by another tool): the calendar and the Alerts page skip it."""
    s = world.session
    world.store(bill_record(603, "Spectrum Sharing Act"))
    bill = s.execute(select(Bill.id).where(Bill.identifier == "HR 603")).scalar_one()
    private = watchlists.create_watchlist(s, actor=world.staff, name="Sam's private list", shared=False)
    watchlists.add_bills(s, actor=world.staff, watchlist_id=private.id, bill_ids=[bill])
    subscriptions.unsubscribe(s, user=world.lobbyist)
    s.add(AlertSubscription(user_id=world.lobbyist.id, kind="watchlist", target=str(private.id), cadence="daily"))
    s.commit()
    assert feeds.tracked_bill_ids(s, world.lobbyist) == []
    assert [v.label for v in subscriptions.list_subscriptions(s, user=world.lobbyist)] == \
        [f"watchlist #{private.id} (deleted or not shared)"]
    assert feeds.tracked_bill_ids(s, world.staff) == [bill]  # its owner's own list, as ever
