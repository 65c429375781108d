"""The weekly digest as a council member reads it once a week: which week it covers, the council's own change of
position as the headline, hearings on a day people plan by ("Thu 10 Dec, 10:00 AM EST"), and a way to the
Overview even when the email is short. The bills and the hearing are small records written for these tests."""

import datetime as dt

from sqlalchemy import select

from tests.alerts.conftest import Mailbox, World, bill_record
from tests.alerts.test_digests import _send, _to
from tests.alerts.test_feeds import eastern, hearing
from tracker import positions
from tracker.alerts import subscriptions
from tracker.ingest import Ingestor
from tracker.models import Bill
from tracker.models.base import utcnow
from tracker.users import add_user


def _day(day: dt.date, year: bool = False) -> str:
    return f"{day:%a} {day.day} {day:%b}" + (f" {day.year}" if year else "")


def _span(since: dt.date, until: dt.date) -> str:
    """"Mon 30 Nov to Mon 7 Dec", the years too across a new year."""
    years = since.year != until.year
    return f"{_day(since, years)} to {_day(until, years)}"


def test_the_weekly_digest_names_its_week_leads_with_our_change_of_position_and_links_the_overview(
        world: World, smtp: Mailbox) -> None:
    # Cora (council, her role's weekly defaults) read "5 updates on the bills you follow" without a word of which
    # week; the council flipping H.R. 703 from Support if amended to Oppose came after a stage change on a bill we
    # support; the hearing read "2026-12-10 · 10:00 AM EST"; and nothing linked to the Overview.
    s = world.session
    cora = add_user(s, email="cora@chamber.example", role="council", name="Cora Council")
    subscriptions.unsubscribe(s, user=world.admin)
    subscriptions.apply_role_defaults(s, user=cora)
    world.store(bill_record(701, "Broadband Mapping Act"),
                bill_record(702, "Artificial Intelligence <script>alert(1)</script> Act"),
                bill_record(703, "Chips & Semiconductors Act"))
    ids = dict(s.execute(select(Bill.identifier, Bill.id)).all())
    for number, stance in (("HR 701", "Support"), ("HR 702", "Oppose"), ("HR 703", "Support if amended")):
        positions.set_position(s, actor=world.staff, bill_id=ids[number], stance=stance, priority="High",
                               expected_version=None)
    s.commit()
    last_week = utcnow() - dt.timedelta(days=7)
    assert _send(world, now=last_week).failed == 0  # last week's digest: the positions taken

    world.store(bill_record(701, "Broadband Mapping Act", stage="passed_origin_chamber",
                            actions=[("2026-03-06", "Passed House.")]))
    version = positions.get_position(s, bill_id=ids["HR 703"])["version"]
    positions.set_position(s, actor=world.staff, bill_id=ids["HR 703"], stance="Oppose", priority="High",
                           rationale="The amendment we asked for <b>failed</b>.", expected_version=version)
    soon = dt.date.today() + dt.timedelta(days=10)
    Ingestor(s).ingest_hearings([hearing("h1", soon, time="10:00", body="Energy & Commerce", bills=["HR 702"])])
    s.commit()
    now = utcnow()
    assert _send(world, now=now).failed == 0

    mail = _to(smtp, "cora@chamber.example")[-1]
    text = mail.get_body(("plain",)).get_content()
    html = mail.get_body(("html",)).get_content()
    lines = text.splitlines()
    week = _span(last_week.date(), now.date())  # [alerts] timezone: UTC in these tests
    assert lines[0] == f"{week}: 4 updates on the bills you follow.", text
    assert f"<p>{week}: 4 updates on the bills you follow.</p>" in html

    # Our own change of position is the headline: its bill first, before the stage change of a bill we support.
    bills = [line for line in lines if line.startswith("H.R. ")]
    assert bills[0] == "H.R. 703 (119th Congress): Chips & Semiconductors Act", text
    assert bills[1].startswith("H.R. 701 ")
    assert "  - Position changed: Sam Staff set the position: Support if amended → Oppose (High priority)" in lines
    assert html.index("H.R. 703") < html.index("H.R. 701") < html.index("H.R. 702")

    # The hearing's day as people plan by it, on the legislature's clock.
    year = f" {soon.year}" if soon.year != now.year else ""
    when = f"{_day(soon)}{year}, 10:00 AM {eastern(soon)}"
    assert f"  - Hearing scheduled: {when} · Energy & Commerce" in lines, text
    assert f"Hearing scheduled:</strong> {when} · Energy &amp; Commerce</li>" in html
    assert soon.isoformat() not in text

    # A short digest links to the Overview too, not only one that lists a part of its bills.
    assert ("The week at a glance and the hearings coming up, on the dashboard's Overview: "
            "https://tracker.chamber.example/overview") in lines
    assert '<a href="https://tracker.chamber.example/overview">the dashboard\'s Overview</a>' in html
    # Upstream text stays text in the HTML part.
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "The amendment we asked for &lt;b&gt;failed&lt;/b&gt;." in html and "<b>failed</b>" not in html


def test_a_daily_digest_names_its_day_span_and_an_instant_one_its_day(world: World, smtp: Mailbox) -> None:
    s = world.session
    subscriptions.subscribe(s, user=world.staff, kind="topic", target="ai", cadence="daily")
    subscriptions.subscribe(s, user=world.lobbyist, kind="topic", target="ai", cadence="instant")
    s.commit()
    world.store(bill_record(801, "Artificial Intelligence Audits Act"))
    now = utcnow()
    assert _send(world, now=now).failed == 0
    daily = _to(smtp, "sam@chamber.example")[-1].get_body(("plain",)).get_content()
    instant = _to(smtp, "lee@chamber.example")[-1].get_body(("plain",)).get_content()
    yesterday = (now - dt.timedelta(days=1)).date()
    assert daily.startswith(f"{_span(yesterday, now.date())}: 1 update on the bills you follow."), daily
    assert instant.startswith(f"{_day(now.date())}: 1 update on the bills you follow."), instant
