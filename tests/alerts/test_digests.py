"""Digests end to end: ingest and flagging make changes, subscriptions pick them up, a real SMTP server on
127.0.0.1 receives the email; the delivery log keeps each change to each person at most once."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import delete, select
from sqlmodel import Session

from tests.alerts.conftest import Mailbox, World, bill_record
from tracker import positions, users
from tracker.alerts import subscriptions
from tracker.alerts.delivery import build_digests, collect_events, fan_out, last_send_time, run_alerts, send_digests
from tracker.alerts.settings import AlertConfigError, alert_settings, smtp_settings
from tracker.matching import flag_bills
from tracker.matching.topics import add_rule
from tracker.models import AlertDelivery, AlertDigest, Bill, UnsubscribeLink
from tracker.models.base import utcnow
from tracker.users import add_user

AI_TITLE = "Algorithmic Accountability Act <script>alert(1)</script>"
OLD_TEXT = "SEC. 2. The agency shall study facial recognition used by landlords. SEC. 3. Reports."
NEW_TEXT = ("SEC. 2. The agency shall regulate automated decision systems and machine learning models used by "
            "landlords. SEC. 3. Reports.")


def _send(world: World, *, now: dt.datetime | None = None, everything: bool = True):  # type: ignore[no-untyped-def]
    world.session.commit()
    report = run_alerts(world.session.get_bind(), now=now, everything=everything, smtp=smtp_settings(),
                        cfg=alert_settings())
    world.session.expire_all()
    return report


def _to(box: Mailbox, address: str) -> list:  # type: ignore[type-arg]
    return [m for m, rcpts in zip(box.messages, box.recipients, strict=True) if address in rcpts]


def test_one_digest_per_person_grouped_by_bill_with_language_evidence_sent_once(world: World, smtp: Mailbox) -> None:
    s = world.session
    subscriptions.subscribe(s, user=world.staff, kind="topic", target="ai", cadence="daily")
    s.commit()
    world.store(bill_record(101, AI_TITLE, summary="Requires audits of artificial intelligence in housing.",
                            versions=[("Introduced in House", "2026-03-01", OLD_TEXT)]),
                bill_record(102, "Rural Broadband Act"))
    # The next crawl: the AI bill moved to committee, has a new action and a new text.
    world.store(bill_record(101, AI_TITLE, stage="in_committee", summary="Requires audits of artificial "
                            "intelligence in housing.",
                            actions=[("2026-03-02", "Referred to the Committee on Energy & Commerce.")],
                            versions=[("Introduced in House", "2026-03-01", OLD_TEXT),
                                      ("Reported in House", "2026-04-01", NEW_TEXT)]))

    report = _send(world)
    mails = _to(smtp, "sam@chamber.example")
    assert report.sent >= 1 and len(mails) == 1
    mail = mails[0]
    assert mail["Subject"] == "Policy Tracker: 4 updates on H.R. 101 (119th Congress)"
    assert mail["List-Unsubscribe"].strip().startswith("<https://feeds.chamber.example/unsubscribe/")
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert mail["From"] == "Policy Tracker <alerts@chamber.example>" and mail["To"] == "Sam Staff <sam@chamber.example>"
    assert mail["Message-ID"].endswith("@chamber.example>")
    text = mail.get_body(("plain",)).get_content().replace("\r\n", "\n")
    html = mail.get_body(("html",)).get_content()
    # Grouped by bill: one heading for HR 101, nothing about the broadband bill (not subscribed).
    assert text.count("H.R. 101 (119th Congress)") == 1 and "H.R. 102" not in text
    assert "https://tracker.chamber.example/bill?id=" in text and "https://tracker.chamber.example/bill?id=" in html
    # "Change what you receive" opens the Alerts page (the dashboard's root is the triage inbox or overview).
    assert "Change what you receive: https://tracker.chamber.example/alerts\n" in text
    assert '<a href="https://tracker.chamber.example/alerts">Change what you receive</a>' in html
    for line in ("Newly flagged: Artificial intelligence (matched: artificial intelligence, automated decision,",
                 "      summary: Requires audits of «artificial intelligence» in housing.",
                 "Stage change: introduced → in committee",
                 "New action: 2026-03-02 Referred to the Committee on Energy & Commerce.",
                 "New text: Reported in House (2026-04-01), compared with Introduced in House"):
        assert line in text, line
    # The new text adds AI language and removes some, each with its evidence.
    assert "adds Artificial intelligence language “automated decision”: SEC. 2. The agency shall regulate " \
           "«automated decision» systems" in text
    assert "adds Artificial intelligence language “machine learning”" in text
    assert "removes Artificial intelligence language “facial recognition”" in text
    assert "study «facial recognition» used by landlords" in text
    # Upstream text is escaped in HTML; matched terms are highlighted after escaping.
    assert "<script>" not in html and "&lt;script&gt;" in html and "Energy &amp; Commerce" in html
    assert "<mark>automated decision</mark>" in html

    # The same digest again: nothing new to send, so no second email (and none after a "restart").
    again = _send(world)
    assert again.sent == 0 and len(_to(smtp, "sam@chamber.example")) == 1
    digest = s.execute(select(AlertDigest).where(AlertDigest.user_id == world.staff.id)).scalar_one()
    assert digest.status == "sent" and digest.item_count == 4 and digest.attempts == 1
    assert {d.digest_id for d in s.execute(select(AlertDelivery).where(
        AlertDelivery.user_id == world.staff.id)).scalars()} == {digest.id}


def test_a_temporary_failure_is_retried_with_backoff_and_shows_in_the_log(world: World, smtp: Mailbox) -> None:
    s = world.session
    subscriptions.subscribe(s, user=world.staff, kind="topic", target="ai", cadence="instant")
    subscriptions.unsubscribe(s, user=world.admin)  # only Sam gets mail here
    s.commit()
    world.store(bill_record(201, "Artificial Intelligence Safety Act"))
    smtp.fail_next = 1
    start = utcnow()
    first = _send(world, now=start, everything=False)
    assert (first.sent, first.retrying, smtp.messages) == (0, 1, [])
    digest = s.execute(select(AlertDigest)).scalar_one()
    assert digest.status == "retrying" and digest.attempts == 1 and "451" in (digest.last_error or "")
    assert digest.next_attempt_at == start + dt.timedelta(seconds=60)

    # Not yet due: nothing is tried before the backoff is over.
    assert _send(world, now=start + dt.timedelta(seconds=30), everything=False).sent == 0
    later = _send(world, now=start + dt.timedelta(seconds=61), everything=False)
    assert later.sent == 1 and len(smtp.messages) == 1
    s.refresh(digest)
    assert digest.status == "sent" and digest.attempts == 2  # how many tries it took shows there
    assert digest.last_error is None  # the 451 of the first try is not shown beside "sent"
    # And the change is not sent a second time by any later run.
    assert _send(world, now=start + dt.timedelta(hours=1)).sent == 0 and len(smtp.messages) == 1


def test_a_refused_recipient_fails_for_good_and_an_unreachable_server_backs_off(
        world: World, smtp: Mailbox, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    s = world.session
    subscriptions.subscribe(s, user=world.staff, kind="topic", target="ai", cadence="instant")
    subscriptions.unsubscribe(s, user=world.admin)
    s.commit()
    world.store(bill_record(301, "Machine Learning Transparency Act"))
    smtp.refused_rcpt.add("sam@chamber.example")
    report = _send(world)
    assert report.failed == 1 and "550" in report.errors[0]
    assert s.execute(select(AlertDigest.status)).scalar_one() == "failed"

    # A server that cannot be reached: retried, each wait twice the last.
    world.store(bill_record(302, "Biometric Privacy Act"))
    monkeypatch.setenv("SMTP_PORT", "1")
    now = utcnow()
    _send(world, now=now)
    digest = s.execute(select(AlertDigest).where(AlertDigest.status == "retrying")).scalar_one()
    assert digest.next_attempt_at == now + dt.timedelta(seconds=60)
    _send(world, now=now + dt.timedelta(seconds=61))
    s.refresh(digest)
    assert digest.attempts == 2 and digest.next_attempt_at == now + dt.timedelta(seconds=61 + 120)


def test_without_smtp_settings_deliveries_wait_instead_of_failing(world: World, smtp: Mailbox, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    s = world.session
    subscriptions.subscribe(s, user=world.staff, kind="topic", target="ai", cadence="instant")
    s.commit()
    world.store(bill_record(451, "Artificial Intelligence Labeling Act"))
    monkeypatch.setenv("SMTP_HOST", "")
    report = _send(world)
    assert report.deliveries >= 1 and report.digests == 0
    assert "SMTP is not configured" in report.errors[0] and "wait for a run that can send them" in report.errors[0]
    assert s.execute(select(AlertDigest)).first() is None
    monkeypatch.setenv("SMTP_HOST", "127.0.0.1")
    assert _send(world).sent >= 1 and len(_to(smtp, "sam@chamber.example")) == 1


def test_cadence_daily_waits_for_the_daily_hour_instant_does_not(world: World, smtp: Mailbox) -> None:
    s = world.session
    subscriptions.subscribe(s, user=world.staff, kind="topic", target="ai", cadence="daily")
    subscriptions.unsubscribe(s, user=world.admin)
    s.commit()
    world.store(bill_record(401, "Artificial Intelligence Jobs Act"))
    # Deliveries are created "now"; the daily hour (07:00 UTC) of today or tomorrow comes after.
    now = utcnow()
    assert _send(world, now=now, everything=False).sent == 0
    next_daily = (now + dt.timedelta(days=1)).replace(hour=7, minute=1, second=0, microsecond=0)
    assert _send(world, now=next_daily, everything=False).sent == 1
    assert len(_to(smtp, "sam@chamber.example")) == 1


def test_a_colleagues_position_change_reaches_followers_but_not_its_author(world: World, smtp: Mailbox) -> None:
    s = world.session
    world.store(bill_record(501, "Artificial Intelligence Procurement Act"))
    bill = s.execute(select(Bill).where(Bill.identifier == "HR 501")).scalar_one()
    subscriptions.subscribe(s, user=world.staff, kind="bill", target=str(bill.id), cadence="instant",
                            events=["position"])
    subscriptions.unsubscribe(s, user=world.admin)
    subscriptions.apply_role_defaults(s, user=world.lobbyist)  # Support/Oppose... positions, daily
    s.commit()
    positions.set_position(s, actor=world.staff, bill_id=bill.id, stance="Watch", expected_version=None)
    positions.set_position(s, actor=world.admin, bill_id=bill.id, stance="Oppose", rationale="Bans <b>pilots</b>",
                           expected_version=1)
    report = _send(world)
    assert report.failed == 0
    sam = _to(smtp, "sam@chamber.example")
    lee = _to(smtp, "lee@chamber.example")
    assert len(sam) == 1 and len(lee) == 1 and not _to(smtp, "admin@chamber.example")
    sam_text = sam[0].get_body(("plain",)).get_content()
    # Sam is told of Ada's change, not of his own.
    assert "Ada Admin set the position: Watch → Oppose (Medium priority)" in sam_text
    assert "Sam Staff set the position" not in sam_text
    assert "Bans &lt;b&gt;pilots&lt;/b&gt;" in sam[0].get_body(("html",)).get_content()
    # The lobbyist's defaults follow bills the council opposes.
    assert "Watch → Oppose" in lee[0].get_body(("plain",)).get_content()

    # The council drops its opposition: those who follow Oppose are told, though the bill is no longer opposed.
    positions.set_position(s, actor=world.admin, bill_id=bill.id, stance="Watch", rationale="Amended",
                           expected_version=2)
    assert _send(world).sent == 2
    lee = _to(smtp, "lee@chamber.example")
    assert len(lee) == 2 and "Ada Admin set the position: Oppose → Watch" in lee[1].get_body(("plain",)).get_content()


def test_a_withdrawn_position_reaches_those_who_followed_it(world: World, smtp: Mailbox) -> None:
    """Withdrawing leaves the bill with no position: followers of the old stance are told, with the reason."""
    s = world.session
    world.store(bill_record(502, "Artificial Intelligence Audit Act"))
    bill = s.execute(select(Bill).where(Bill.identifier == "HR 502")).scalar_one()
    subscriptions.unsubscribe(s, user=world.admin)
    subscriptions.apply_role_defaults(s, user=world.lobbyist)  # Support/Oppose... positions, daily
    s.commit()
    positions.set_position(s, actor=world.admin, bill_id=bill.id, stance="Oppose", expected_version=None)
    assert _send(world).failed == 0
    positions.withdraw_position(s, actor=world.admin, bill_id=bill.id, expected_version=1,
                                reason="Taken <b>by mistake</b>")
    assert _send(world).failed == 0
    lee = _to(smtp, "lee@chamber.example")
    assert len(lee) == 2 and not _to(smtp, "admin@chamber.example")
    text_part = lee[1].get_body(("plain",)).get_content()
    assert "Position withdrawn: Ada Admin withdrew the position: Oppose (Medium priority); the council now takes " \
           "no position" in text_part
    assert "reason: Taken <b>by mistake</b>" in text_part
    assert "Taken &lt;b&gt;by mistake&lt;/b&gt;" in lee[1].get_body(("html",)).get_content()


def test_role_defaults_are_given_once(world: World, smtp: Mailbox) -> None:
    s = world.session
    made = subscriptions.apply_role_defaults(s, user=world.staff)
    assert sorted((m.kind, m.target, m.cadence) for m in made) == [("topic", "ai", "daily"),
                                                                   ("topic", "broadband", "daily")]
    council = add_user(s, email="cora@chamber.example", role="council")
    made = subscriptions.apply_role_defaults(s, user=council)
    # "What we support and oppose" includes the conditional stances: a council member following Oppose was never
    # told that a bill the council opposes unless amended had a hearing called off or passed a chamber.
    assert {(m.kind, m.target, m.cadence) for m in made} == {("position", "Support", "weekly"),
                                                             ("position", "Oppose", "weekly"),
                                                             ("position", "Support if amended", "weekly"),
                                                             ("position", "Oppose unless amended", "weekly"),
                                                             ("position", "Needs decision", "weekly")}
    subscriptions.unsubscribe(s, user=world.staff, kind="topic", target="broadband")
    assert subscriptions.apply_role_defaults(s, user=world.staff) == []  # a removal sticks
    assert [v.target for v in subscriptions.list_subscriptions(s, user=world.staff)] == ["ai"]


def test_an_admin_gets_no_default_digests_and_a_staff_member_still_does(world: World, smtp: Mailbox) -> None:
    # An admin is often the office manager or the IT person, not someone who triages bills, yet got the staff
    # defaults: every topic, daily, from the first alert run. Admins now start with nothing (they choose what to
    # follow; the tracker's health is `tracker status`'s job, there is no alert of it), staff still get the
    # topics, and an admin who is made staff before choosing anything gets the staff defaults then.
    s = world.session
    ian = add_user(s, email="ian@chamber.example", role="admin", name="Ian IT")
    _send(world)  # the first alert run gives each person their role's defaults
    assert subscriptions.list_subscriptions(s, user=world.admin) == []
    assert [v.target for v in subscriptions.list_subscriptions(s, user=world.staff)] == ["ai", "broadband"]
    world.store(bill_record(451, "Artificial Intelligence Procurement Act"))
    assert _send(world).sent == 1
    assert len(_to(smtp, "sam@chamber.example")) == 1
    assert _to(smtp, "admin@chamber.example") == [] and _to(smtp, "ian@chamber.example") == []
    assert subscriptions.apply_role_defaults(s, user=world.admin, force=True) == []

    users.set_role(s, email=ian.email, role="staff", actor=world.admin)
    _send(world)
    assert [v.target for v in subscriptions.list_subscriptions(s, user=ian)] == ["ai", "broadband"]


def test_a_rescore_is_not_news_but_a_bill_newly_flagged_by_a_rule_edit_is(world: World, smtp: Mailbox) -> None:
    s = world.session
    subscriptions.subscribe(s, user=world.staff, kind="topic", target="ai", cadence="instant")
    subscriptions.unsubscribe(s, user=world.admin)
    s.commit()
    world.store(bill_record(461, "Artificial Intelligence Act"), bill_record(462, "Quantum Computing Act"))
    assert _send(world).sent == 1 and "H.R. 461" in smtp.messages[-1]["Subject"]
    add_rule(s, topic="ai", expression="quantum", weight=2)  # re-scores every bill
    s.commit()
    assert _send(world).sent == 1
    text = smtp.messages[-1].get_body(("plain",)).get_content()
    assert "H.R. 462" in text and "H.R. 461" not in text


def test_a_sponsor_change_names_who_signed_on(world: World, smtp: Mailbox) -> None:
    s = world.session
    world.store(bill_record(103, "Broadband Mapping Act", cosponsors=["Rep. Early, Eve [R-OH-2]"]))
    subscriptions.subscribe(s, user=world.staff, kind="bill", target="HR 103", cadence="instant",
                            events=["sponsor_change"])
    s.commit()
    joined = [f"Rep. Later{i}, Lee [D-CA-{i}]" for i in range(7)]
    world.store(bill_record(103, "Broadband Mapping Act", cosponsors=["Rep. Early, Eve [R-OH-2]", *joined]))

    assert _send(world).sent == 1
    text = _to(smtp, "sam@chamber.example")[0].get_body(("plain",)).get_content().replace("\r\n", "\n")
    shown = ", ".join(sorted(joined)[:5])
    assert f"Sponsors: 7 added: {shown} and 2 more (2 → 9 sponsors and cosponsors)" in text


def test_a_line_break_in_a_bill_number_or_a_name_cannot_reach_the_headers(world: World, smtp: Mailbox) -> None:
    """The subject names the bill (a Legistar file number is stored as the feed gives it) and To the person's
    name: a line break there raised ValueError in the middle of the run, which stopped every digest after it."""
    s = world.session
    subscriptions.subscribe(s, user=world.staff, kind="topic", target="ai", cadence="instant")
    subscriptions.unsubscribe(s, user=world.admin)
    world.staff.name = "Sam\r\nBcc: someone@evil.example"
    s.add(world.staff)
    s.commit()
    record = bill_record(202, "Artificial Intelligence Safety Act")
    world.store(record.model_copy(update={"identifier": "HR 202\r\nBcc: someone@evil.example"}))
    report = _send(world, now=utcnow(), everything=True)
    assert (report.sent, report.failed) == (1, 0), report.errors
    (message,) = smtp.messages
    assert message["Bcc"] is None and "\n" not in message["Subject"] and "\n" not in message["To"]
    # (A subject past 78 characters is folded whole onto the next line: read back, it starts with that space.)
    assert message["Subject"].strip() == ("Policy Tracker: 1 update on HR 202 Bcc: someone@evil.example "
                                          "(119th Congress)")


def test_bidi_controls_in_a_feed_title_reach_no_part_of_the_email(world: World, smtp: Mailbox) -> None:
    # A right-to-left override in a title turned the rest of the subject and the line around in a mail client
    # (tracker.bidi); exports and pages already dropped it. Right-to-left letters stay.
    s = world.session
    subscriptions.subscribe(s, user=world.staff, kind="topic", target="ai", cadence="instant")
    subscriptions.unsubscribe(s, user=world.admin)
    s.commit()
    world.store(bill_record(203, "Artificial Intelligence \u202eAct tnemyolpme\u202c \u05d7\u05d5\u05e7 Act"))
    assert _send(world, now=utcnow(), everything=True).sent == 1
    (message,) = smtp.messages
    plain = message.get_body(("plain",)).get_content()
    rich = message.get_body(("html",)).get_content()
    for part in (message["Subject"], plain, rich):
        assert "\u202e" not in part and "\u202c" not in part
    assert "Artificial Intelligence Act tnemyolpme \u05d7\u05d5\u05e7 Act" in plain


def test_a_digest_waiting_for_a_retry_is_not_sent_once_its_person_is_deactivated_or_unsubscribed(
        world: World, smtp: Mailbox) -> None:
    s = world.session
    for person in (world.staff, world.lobbyist):
        subscriptions.subscribe(s, user=person, kind="topic", target="ai", cadence="instant")
    subscriptions.unsubscribe(s, user=world.admin)
    s.commit()
    world.store(bill_record(601, "Artificial Intelligence Workforce Act"))
    smtp.fail_next = 2  # the server is down for this run: both digests wait for a retry
    start = utcnow()
    assert _send(world, now=start, everything=False).retrying == 2
    users.deactivate(s, actor=world.admin, email=world.staff.email)
    subscriptions.stop_email(s, user=world.lobbyist)  # what the unsubscribe link does
    s.commit()

    report = _send(world, now=start + dt.timedelta(seconds=61), everything=False)
    assert (report.sent, report.cancelled, smtp.messages) == (0, 2, [])
    digests = {d.user_id: d for d in s.execute(select(AlertDigest)).scalars()}
    assert digests[world.staff.id].status == "cancelled"
    assert digests[world.staff.id].last_error == "not sent: the account was deactivated"
    assert digests[world.lobbyist.id].last_error == "not sent: the person unsubscribed from alert email"
    assert _send(world, now=start + dt.timedelta(hours=1)).sent == 0 and smtp.messages == []


def _next_dst_change(zone: ZoneInfo) -> dt.date:
    """The first day after tomorrow on which ``zone`` changes its UTC offset."""
    day = utcnow().date() + dt.timedelta(days=2)
    while True:
        before = dt.datetime(day.year, day.month, day.day, tzinfo=zone).utcoffset()
        after = dt.datetime(day.year, day.month, day.day, 12, tzinfo=zone).utcoffset()
        if before != after:
            return day
        day += dt.timedelta(days=1)


def test_daily_digests_go_out_at_the_local_hour_of_the_configured_time_zone_across_dst(
        world: World, smtp: Mailbox, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    # A council in New York wants its daily digest at 7:00 New York time, the day DST starts or ends too; the
    # UTC hour sent it at 2 or 3 in the morning (and one hour off from the clock half of the year).
    monkeypatch.setenv("TRACKER_ALERTS_TIMEZONE", "America/New_York")
    zone = ZoneInfo("America/New_York")
    s = world.session
    subscriptions.subscribe(s, user=world.staff, kind="topic", target="ai", cadence="daily")
    subscriptions.unsubscribe(s, user=world.admin)
    s.commit()
    day = _next_dst_change(zone)
    seven = dt.datetime(day.year, day.month, day.day, 7, tzinfo=zone).astimezone(dt.UTC)
    fan_out_at = dt.datetime(day.year, day.month, day.day, 0, 30, tzinfo=zone).astimezone(dt.UTC)
    with monkeypatch.context() as clock:  # the import runs that night, after the previous morning's digest
        clock.setattr("tracker.ingest.utcnow", lambda: fan_out_at)
        clock.setattr("tracker.matching.store.utcnow", lambda: fan_out_at)
        world.store(bill_record(701, "Artificial Intelligence Disclosure Act"))
    assert _send(world, now=fan_out_at, everything=False).deliveries == 1
    assert _send(world, now=seven - dt.timedelta(minutes=1), everything=False).sent == 0
    assert _send(world, now=seven, everything=False).sent == 1 and len(_to(smtp, "sam@chamber.example")) == 1


def test_send_times_follow_the_wall_clock_of_the_time_zone() -> None:
    ny = alert_settings(env={"TRACKER_ALERTS_TIMEZONE": "America/New_York"}, doc={"alerts": {"daily_hour": 7}})
    utc = dt.UTC

    def at(*args: int) -> dt.datetime:
        return dt.datetime(*args, tzinfo=utc)

    # 2026-03-08: clocks in New York go from 2:00 EST to 3:00 EDT. 7:00 is 12:00 UTC before, 11:00 UTC after.
    assert last_send_time("daily", at(2026, 3, 7, 12, 0), ny) == at(2026, 3, 7, 12, 0)
    assert last_send_time("daily", at(2026, 3, 8, 10, 59), ny) == at(2026, 3, 7, 12, 0)
    assert last_send_time("daily", at(2026, 3, 8, 11, 0), ny) == at(2026, 3, 8, 11, 0)
    # 2026-11-01: back to EST at 2:00; 7:00 is 12:00 UTC again.
    assert last_send_time("daily", at(2026, 11, 1, 11, 30), ny) == at(2026, 10, 31, 11, 0)
    assert last_send_time("daily", at(2026, 11, 1, 12, 0), ny) == at(2026, 11, 1, 12, 0)
    # Weekly on Monday: the Monday of New York, not of UTC (Monday 2026-03-09 01:00 UTC is Sunday evening there).
    assert last_send_time("weekly", at(2026, 3, 9, 1, 0), ny) == at(2026, 3, 2, 12, 0)
    assert last_send_time("weekly", at(2026, 3, 9, 11, 0), ny) == at(2026, 3, 9, 11, 0)
    # An hour the spring change skips (2:00) still comes once, an hour later.
    two = alert_settings(env={"TRACKER_ALERTS_TIMEZONE": "America/New_York"}, doc={"alerts": {"daily_hour": 2}})
    assert last_send_time("daily", at(2026, 3, 8, 12, 0), two) == at(2026, 3, 8, 7, 0)
    # Without a time zone, UTC as before.
    assert last_send_time("daily", at(2026, 3, 8, 10, 0), alert_settings(env={}, doc={})) == at(2026, 3, 8, 7, 0)
    with pytest.raises(AlertConfigError, match="is not a time zone name"):
        alert_settings(env={"TRACKER_ALERTS_TIMEZONE": "Eastern"}, doc={})


def test_a_flag_committed_after_a_later_one_is_still_news(world: World, smtp: Mailbox, engine) -> None:  # type: ignore[no-untyped-def]
    # Flags are stamped when they are scored and seen when they are committed. A re-score batch (a rule edit,
    # `tracker topics embed` after a crawl) can commit after an import batch scored later, with an alert run in
    # between that moved its cursor past the earlier stamp: the bill it newly flagged was never reported.
    # PostgreSQL lets the two writers interleave like that within one thread; SQLite's single writer lock only
    # lets it happen when one writer waits for the other, which this test cannot stage.
    if engine.dialect.name != "postgresql":
        pytest.skip("needs PostgreSQL (DATABASE_URL): the interleaving needs two open writers")
    s = world.session
    subscriptions.subscribe(s, user=world.staff, kind="topic", target="ai", cadence="instant")
    subscriptions.unsubscribe(s, user=world.admin)
    s.commit()
    ids = world.store(bill_record(801, "Quantum Sensing Act"))  # not flagged yet
    assert _send(world).sent == 0
    add_rule(s, topic="ai", expression="quantum", weight=2, rescore=False)
    s.commit()
    with Session(engine) as rescoring:  # the re-score scores HR 801 now and commits later
        flag_bills(rescoring, ids)
        world.store(bill_record(802, "Artificial Intelligence Ethics Act"))  # scored and committed after it
        assert _send(world).sent == 1
        rescoring.commit()
    assert _send(world).sent == 1
    text = _to(smtp, "sam@chamber.example")[-1].get_body(("plain",)).get_content()
    assert "H.R. 801" in text and "Newly flagged: Artificial intelligence (matched: quantum)" in text


def test_a_daily_digest_missed_while_the_scheduler_was_down_goes_out_when_it_is_back(
        world: World, smtp: Mailbox) -> None:
    # A change detected (by an import) before the 07:00 digest, while no alert job ran: when the scheduler comes
    # back at 10:00 the digest that was due at 07:00 is overdue and goes out then, not at 07:00 the next day.
    s = world.session
    subscriptions.subscribe(s, user=world.staff, kind="topic", target="ai", cadence="daily")
    subscriptions.unsubscribe(s, user=world.admin)
    s.commit()
    world.store(bill_record(901, "Artificial Intelligence Evaluation Act"))
    detected = utcnow()
    seven = (detected + dt.timedelta(days=1)).replace(hour=7, minute=0, second=0, microsecond=0)
    report = _send(world, now=seven + dt.timedelta(hours=3), everything=False)
    assert (report.deliveries, report.sent) == (1, 1)
    assert len(_to(smtp, "sam@chamber.example")) == 1


def test_a_digest_whose_bill_was_deleted_before_it_went_out_says_so(world: World, smtp: Mailbox) -> None:
    # A bill merged away as a duplicate (tracker.duplicates deletes the old row) takes its alert events with it:
    # the digest built for them has nothing left, and the log says that, not "sent".
    s = world.session
    subscriptions.subscribe(s, user=world.staff, kind="topic", target="ai", cadence="instant")
    subscriptions.unsubscribe(s, user=world.admin)
    s.commit()
    world.store(bill_record(211, "Artificial Intelligence Procurement Act"))
    collect_events(s)
    fan_out(s)
    build_digests(s, everything=True, cfg=alert_settings())
    s.execute(delete(Bill).where(Bill.identifier == "HR 211"))
    s.commit()
    report = send_digests(s, smtp=smtp_settings(), cfg=alert_settings())
    assert (report.sent, report.skipped, smtp.messages) == (0, 1, [])
    s.expire_all()
    digest = s.execute(select(AlertDigest)).scalar_one()
    assert (digest.status, digest.next_attempt_at) == ("skipped", None)
    assert digest.last_error == "nothing left to send: the bills it was about were deleted since it was made"


def test_a_retried_send_reuses_its_unsubscribe_link_row(world: World, smtp: Mailbox) -> None:
    # Each attempt to send a digest stored a new unsubscribe link: a server answering 451 for a day left a row per
    # try, none of them in any email anyone received. A retry now reuses the row made for that digest (with a new
    # secret: only a hash is stored), and the link in the email that went out works.
    s = world.session
    subscriptions.subscribe(s, user=world.staff, kind="topic", target="ai", cadence="instant")
    subscriptions.unsubscribe(s, user=world.admin)
    s.commit()
    world.store(bill_record(221, "Artificial Intelligence Workforce Act"))
    smtp.fail_next = 2
    start = utcnow()
    assert _send(world, now=start, everything=False).retrying == 1
    digest = s.execute(select(AlertDigest)).scalar_one()

    def links() -> list[tuple[int, int | None]]:
        s.expire_all()
        return list(s.execute(select(UnsubscribeLink.user_id, UnsubscribeLink.digest_id)).all())

    assert links() == [(world.staff.id, digest.id)]
    assert _send(world, now=start + dt.timedelta(seconds=61), everything=False).retrying == 1
    assert links() == [(world.staff.id, digest.id)]
    assert _send(world, now=start + dt.timedelta(seconds=200), everything=False).sent == 1
    assert links() == [(world.staff.id, digest.id)] and digest.attempts == 3 and len(smtp.messages) == 1
    secret = smtp.messages[0]["List-Unsubscribe"].strip()[1:-1].rsplit("/", 1)[1]
    assert subscriptions.unsubscribe_by_token(s, secret) == world.staff
