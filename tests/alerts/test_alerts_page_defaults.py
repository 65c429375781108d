"""A new council member's Alerts page shows what they will receive: their role's weekly subscriptions, given when
they first open it (the first alert run gave them, and until then the page said "You follow nothing yet")."""

import pytest
from sqlalchemy import func, select

from tests.alerts.conftest import Mailbox, World
from tests.dashboard.apptest_helpers import no_exception, signed_in, texts
from tracker.alerts import subscriptions
from tracker.alerts.delivery import fan_out
from tracker.models import AlertSubscription
from tracker.permissions import PermissionDenied
from tracker.users import add_user

COUNCIL_DEFAULTS = {("position", "Support", "weekly"), ("position", "Oppose", "weekly"),
                    ("position", "Support if amended", "weekly"), ("position", "Oppose unless amended", "weekly"),
                    ("position", "Needs decision", "weekly")}


def _subs(world: World, user_id: int) -> set[tuple[str, str, str]]:
    world.session.expire_all()
    return {(sub.kind, sub.target, sub.cadence) for sub in world.session.execute(
        select(AlertSubscription).where(AlertSubscription.user_id == user_id)).scalars()}


def test_a_new_council_member_sees_the_weekly_positions_they_follow_at_once(world: World, smtp: Mailbox) -> None:
    s = world.session
    cora = add_user(s, email="cora@chamber.example", role="council", name="Cora Council")
    s.commit()
    at = signed_in(cora, "views/alerts.py")
    no_exception(at)
    shown = texts(at)
    assert "You follow nothing yet" not in shown
    assert "bills the council marked Support if amended" in shown and "weekly" in shown
    assert ("As a council member you follow the positions the council takes, weekly: each Monday at 07:00 (UTC) "
            "a digest of what changed on those bills. Change or remove them below.") in shown, shown
    assert _subs(world, cora.id) == COUNCIL_DEFAULTS

    # Opened again: the same five, no note; the first alert run adds nothing on top.
    at.run()
    assert "As a council member you follow" not in texts(at) and _subs(world, cora.id) == COUNCIL_DEFAULTS
    fan_out(s)
    s.commit()
    assert _subs(world, cora.id) == COUNCIL_DEFAULTS

    # Removed on purpose: they do not come back on the next visit.
    at.multiselect(key="alerts_remove_pick").set_value(["bills the council marked Needs decision"]).run()
    at.button(key="alerts_remove").click().run()
    no_exception(at)
    signed_in(cora, "views/alerts.py")
    assert ("position", "Needs decision", "weekly") not in _subs(world, cora.id) and len(_subs(world, cora.id)) == 4


def test_the_service_gives_role_defaults_to_the_person_only(world: World, smtp: Mailbox) -> None:
    s = world.session
    cora = add_user(s, email="cora@chamber.example", role="council", name="Cora Council")
    views, given = subscriptions.followed(s, user=cora, actor=cora)
    assert given == 5 and {(v.kind, v.target, v.cadence) for v in views} == COUNCIL_DEFAULTS
    assert subscriptions.followed(s, user=cora, actor=cora)[1] == 0
    # An admin's role has no defaults: the page still says they follow nothing.
    views, given = subscriptions.followed(s, user=world.admin, actor=world.admin)
    assert (views, given) == ([], 0)
    # Someone else's alerts are not another member's to set up.
    lee = world.lobbyist
    with pytest.raises(PermissionDenied):
        subscriptions.followed(s, user=lee, actor=cora)
    assert s.execute(select(func.count()).select_from(AlertSubscription)
                     .where(AlertSubscription.user_id == lee.id)).scalar_one() == 0
