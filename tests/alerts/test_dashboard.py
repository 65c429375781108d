"""The Alerts page of the real dashboard (streamlit AppTest): subscriptions, email on/off, feed URLs, the log."""

import re

import pytest
from sqlalchemy import select

from tests.alerts.conftest import Mailbox, World, bill_record
from tests.dashboard.apptest_helpers import no_exception, signed_in, texts
from tracker.alerts import subscriptions
from tracker.alerts.delivery import delivery_log, run_alerts
from tracker.alerts.settings import alert_settings, smtp_settings
from tracker.models import AlertDigest, AlertProfile, AlertSubscription
from tracker.permissions import PermissionDenied


def test_people_manage_their_alerts_and_admins_see_failed_sends(world: World, smtp: Mailbox) -> None:
    s = world.session
    at = signed_in(world.staff, "views/alerts.py")
    no_exception(at)
    # Sam's role defaults are there on his first look (every topic, daily), not at the next alert run.
    assert "As staff you follow every topic, daily" in texts(at) and "/feeds/SECRET/hearings.ics" in texts(at)
    assert "topic Broadband" in texts(at) and "You follow nothing yet" not in texts(at)
    # A feed secret is shown once, when it is made: only its hash is kept.
    at.button(key="alerts_rotate").click().run()
    [secret] = re.findall(r"/feeds/([A-Za-z0-9_-]{16,})/hearings\.ics", texts(at))
    assert subscriptions.user_for_feed_token(s, secret) == world.staff
    at.run()
    assert secret not in texts(at) and "/feeds/SECRET/hearings.ics" in texts(at)

    at.selectbox(key="alerts_kind").set_value("topic")
    at.text_input(key="alerts_target").set_value("ai")
    at.selectbox(key="alerts_cadence").set_value("instant")
    at.button[[b.label for b in at.button].index("Add")].click().run()
    no_exception(at)
    sub = s.execute(select(AlertSubscription).where(AlertSubscription.user_id == world.staff.id,
                                                    AlertSubscription.target == "ai")).scalar_one()
    assert (sub.kind, sub.target, sub.cadence) == ("topic", "ai", "instant")  # his default, now instant
    assert "topic Artificial intelligence" in texts(at)

    at.button(key="alerts_stop").click().run()
    s.expire_all()
    assert not s.get(AlertProfile, world.staff.id).email_enabled
    assert "Alert emails are off" in texts(at)
    at.button(key="alerts_resume").click().run()
    s.expire_all()
    assert s.get(AlertProfile, world.staff.id).email_enabled

    # A send the server refuses shows up: in Sam's log, and for the admin with a button to send it again.
    subscriptions.unsubscribe(s, user=world.admin)
    s.commit()
    world.store(bill_record(991, "Artificial Intelligence Hiring Act"))
    smtp.refused_rcpt.add("sam@chamber.example")
    run_alerts(s.get_bind(), smtp=smtp_settings(), cfg=alert_settings(), everything=True)
    at = signed_in(world.staff, "views/alerts.py")
    assert "failed" in texts(at) and "Sending problems" not in texts(at)
    admin = signed_in(world.admin, "views/alerts.py")
    no_exception(admin)
    assert "Sending problems (everyone)" in texts(admin) and "550" in texts(admin)
    admin.button(key="alerts_retry").click().run()
    no_exception(admin)
    s.expire_all()
    assert s.execute(select(AlertDigest.status)).scalar_one() == "pending"


def test_everyone_s_delivery_log_is_for_admins_in_the_service(world: World, smtp: Mailbox) -> None:
    # The page hid "Sending problems (everyone)" from non-admins, but delivery_log itself handed anyone every
    # person's digests (addresses, subjects, server errors): the role was checked only in the view.
    s = world.session
    subscriptions.unsubscribe(s, user=world.admin)
    subscriptions.subscribe(s, user=world.staff, kind="topic", target="ai", cadence="instant")
    s.commit()
    world.store(bill_record(992, "Artificial Intelligence Audit Act"))
    run_alerts(s.get_bind(), smtp=smtp_settings(), cfg=alert_settings(), everything=True)
    with pytest.raises(PermissionDenied, match="^Managing users is for administrators"
                                               "; you are signed in as a lobbyist\\.$"):
        delivery_log(s, actor=world.lobbyist)
    with pytest.raises(PermissionDenied, match="^Managing users is for administrators"
                                               "; you are signed in as a lobbyist\\.$"):
        delivery_log(s, user_id=world.staff.id, actor=world.lobbyist)  # someone else's
    assert delivery_log(s, user_id=world.lobbyist.id, actor=world.lobbyist) == []  # one's own
    assert [r["email"] for r in delivery_log(s, user_id=world.staff.id, actor=world.staff)] == ["sam@chamber.example"]
    assert [r["email"] for r in delivery_log(s, actor=world.admin)] == ["sam@chamber.example"]
