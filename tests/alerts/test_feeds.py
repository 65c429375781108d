"""Feeds and the unsubscribe link over real HTTP (the stdlib server on 127.0.0.1), with per-user tokens;
hearings stored through the real ingest writer."""

import datetime as dt
import hashlib
import re
import urllib.error
import urllib.request
from collections.abc import Iterator
from zoneinfo import ZoneInfo

import icalendar
import pytest
from sqlalchemy import select

from tests.alerts.conftest import Mailbox, World, bill_record, digest_day
from tracker import watchlists
from tracker.alerts import feeds, subscriptions
from tracker.alerts.delivery import run_alerts
from tracker.alerts.server import make_server, serve_in_thread
from tracker.alerts.settings import alert_settings, smtp_settings
from tracker.ingest import Ingestor
from tracker.models import AlertProfile, Bill
from tracker.models.base import utcnow
from tracker.records import BillRecord, HearingRecord
from tracker.xmlsafe import parse_xml

ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture
def server(world: World, smtp: Mailbox) -> Iterator[str]:
    srv = make_server(world.session.get_bind(), port=0, cfg=alert_settings())
    thread = serve_in_thread(srv)
    try:
        yield f"http://127.0.0.1:{srv.server_address[1]}"
    finally:
        srv.shutdown()
        srv.server_close()
        thread.join(5)


def get(url: str, data: bytes | None = None) -> tuple[int, str, bytes]:
    try:
        with urllib.request.urlopen(urllib.request.Request(url, data=data), timeout=10) as resp:
            return resp.status, resp.headers.get("Content-Type", ""), resp.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers.get("Content-Type", ""), exc.read()


def hearing(key: str, date: dt.date, *, time: str | None, body: str, bills: list[str], location: str | None = None,
            description: str | None = None, cancelled: bool = False) -> HearingRecord:
    """A hearing written for these tests (not upstream data), with bills on its agenda by identifier."""
    return HearingRecord.model_validate({
        "jurisdiction": {"id": "us", "name": "United States", "level": "federal"}, "source_name": "test",
        "source_key": key, "date": date, "time": time, "body": body, "location": location,
        "description": description, "cancelled": cancelled, "url": f"https://example.test/hearings/{key}",
        "items": [{"sequence": i, "title": f"Consideration of {b}", "bill_identifier": b, "session_identifier": "119"}
                  for i, b in enumerate(bills)]})


def eastern(day: dt.date) -> str:
    """Washington's zone on ``day`` (EST or EDT): a federal hearing's time is shown on that clock."""
    return dt.datetime.combine(day, dt.time(12), ZoneInfo("America/New_York")).tzname() or ""


def _bills(world: World) -> dict[str, int]:
    return dict(world.session.execute(select(Bill.identifier, Bill.id)).all())


def test_atom_and_rss_per_saved_filter_behind_the_feed_token(world: World, server: str) -> None:
    s = world.session
    world.store(bill_record(601, "Artificial Intelligence & Robotics Act"), bill_record(602, "Rural Broadband Act"))
    mine = watchlists.save_filter(s, actor=world.staff, page="triage", name="AI inbox",
                                  params={"f_view": "all", "f_topic": "ai", "f_sort": "score"})
    other = watchlists.save_filter(s, actor=world.admin, page="search", name="Ada's broadband",
                                   params={"q": "broadband"})
    token = subscriptions.rotate_feed_token(s, user=world.staff)
    s.commit()

    status, ctype, body = get(f"{server}/feeds/{token}/filters/{mine.id}.atom")
    assert status == 200 and ctype.startswith("application/atom+xml")
    feed = parse_xml(body, "atom feed")
    assert feed.findtext(f"{ATOM}title") == "Policy Tracker: AI inbox"
    titles = [e.findtext(f"{ATOM}title") for e in feed.findall(f"{ATOM}entry")]
    assert titles == ["H.R. 601 (119th Congress): Artificial Intelligence & Robotics Act"]
    link = feed.find(f"{ATOM}entry/{ATOM}link").get("href")
    assert link == f"https://tracker.chamber.example/bill?id={_bills(world)['HR 601']}"

    status, ctype, body = get(f"{server}/feeds/{token}/filters/{mine.id}.rss")
    rss = parse_xml(body, "rss feed")
    assert status == 200 and [i.findtext("title") for i in rss.iter("item")] == titles

    # Someone else's private filter, a wrong token, a wrong path: all simply not found.
    assert get(f"{server}/feeds/{token}/filters/{other.id}.atom")[0] == 404
    assert get(f"{server}/feeds/{'x' * 32}/filters/{mine.id}.atom")[0] == 404
    assert get(f"{server}/feeds/{token}/filters/{mine.id}.json")[0] == 404
    # Shared, it is readable; search filters give what the search page gives.
    watchlists.save_filter(s, actor=world.admin, page="search", name="Ada's broadband", params={"q": "broadband"},
                           shared=True, replace=True)
    s.commit()
    status, _, body = get(f"{server}/feeds/{token}/filters/{other.id}.atom")
    assert status == 200 and [e.findtext(f"{ATOM}title") for e in parse_xml(body, "feed").findall(f"{ATOM}entry")] \
        == ["H.R. 602 (119th Congress): Rural Broadband Act"]
    # A rotated token: the old URL stops working.
    new = subscriptions.rotate_feed_token(s, user=world.staff)
    s.commit()
    assert get(f"{server}/feeds/{token}/filters/{mine.id}.atom")[0] == 404
    assert get(f"{server}/feeds/{new}/filters/{mine.id}.atom")[0] == 200


def test_the_database_holds_only_a_hash_of_the_feed_secret(world: World) -> None:
    """A copy of the database (or a backup) must not open anybody's feeds: the secret is shown when it is made,
    and only its SHA-256 is kept, as for dashboard sign-ins."""
    s = world.session
    prof = subscriptions.profile(s, world.staff)
    assert prof.feed_token_hash is None  # no secret until one is asked for: nothing to read the feeds with
    token = subscriptions.rotate_feed_token(s, user=world.staff)
    s.commit()
    stored = [str(v) for v in s.execute(select(AlertProfile.__table__)).one()]
    assert token not in " ".join(stored) and hashlib.sha256(token.encode()).hexdigest() in stored
    assert subscriptions.user_for_feed_token(s, token) == world.staff
    assert subscriptions.user_for_feed_token(s, s.get(AlertProfile, world.staff.id).feed_token_hash) is None
    again = subscriptions.rotate_feed_token(s, user=world.staff)
    assert again != token and subscriptions.user_for_feed_token(s, token) is None
    assert subscriptions.user_for_feed_token(s, again) == world.staff


def test_hearing_calendar_validates_and_hearings_trigger_alerts(world: World, server: str, smtp: Mailbox) -> None:
    s = world.session
    subscriptions.subscribe(s, user=world.staff, kind="topic", target="ai", cadence="instant")
    subscriptions.unsubscribe(s, user=world.admin)
    s.commit()
    world.store(bill_record(701, "Artificial Intelligence Oversight Act"), bill_record(702, "Spectrum Auction Act"),
                bill_record(703, "Automated Decision Systems Act"))
    run_alerts(s.get_bind(), smtp=smtp_settings(), cfg=alert_settings(), everything=True)  # the flag alerts
    soon = dt.date.today() + dt.timedelta(days=7)
    Ingestor(s).ingest_hearings([
        hearing("h1", soon, time="2:30 PM", body="Energy, Commerce; and Technology", bills=["HR 701", "HR 703"],
                location="2123 Rayburn", description="Legislative hearing\non AI oversight"),
        hearing("h2", soon + dt.timedelta(days=1), time=None, body="Rules", bills=["HR 701"]),
        hearing("h3", soon, time="10:00", body="Commerce", bills=["HR 702"]),  # not a bill Sam tracks
        hearing("h4", soon, time="9:00", body="Cancelled", bills=["HR 701"], cancelled=True),
    ])
    token = subscriptions.rotate_feed_token(s, user=world.staff)
    s.commit()
    status, ctype, body = get(f"{server}/feeds/{token}/hearings.ics")
    assert status == 200 and ctype.startswith("text/calendar")
    assert b"\r\n" in body and all(len(line) <= 75 for line in body.split(b"\r\n"))
    cal = icalendar.Calendar.from_ical(body)
    events = {str(e["SUMMARY"]): e for e in cal.walk("VEVENT")}
    both = "Hearing (Energy, Commerce; and Technology): H.R. 701 (119th Congress), H.R. 703 (119th Congress)"
    assert set(events) == {both, "Hearing (Rules): H.R. 701 (119th Congress)",
                           "Hearing (Cancelled): H.R. 701 (119th Congress)"}
    first = events[both]
    assert first.decoded("DTSTART") == dt.datetime.combine(soon, dt.time(14, 30), ZoneInfo("America/New_York"))
    assert events["Hearing (Rules): H.R. 701 (119th Congress)"].decoded("DTSTART") == soon + dt.timedelta(days=1)
    assert str(events["Hearing (Cancelled): H.R. 701 (119th Congress)"]["STATUS"]) == "CANCELLED"
    assert str(first["LOCATION"]) == "2123 Rayburn" and str(first["UID"]).startswith("hearing-")
    assert "Legislative hearing\non AI oversight" in str(first["DESCRIPTION"])
    assert "H.R. 703 (119th Congress): Consideration of HR 703" in str(first["DESCRIPTION"])

    # The scheduled hearings reach Sam (his topic) as one instant alert; the untracked bill's and the
    # cancelled one do not.
    before = len(smtp.messages)
    run_alerts(s.get_bind(), smtp=smtp_settings(), cfg=alert_settings())
    assert len(smtp.messages) == before + 1
    text = smtp.messages[-1].get_body(("plain",)).get_content()
    assert f"Hearing scheduled: {digest_day(soon)}, 2:30 PM {eastern(soon)} · Energy, Commerce; and Technology" in text
    assert text.count("Hearing scheduled") == 3 and "H.R. 702" not in text and "Cancelled" not in text
    # Fetched again unchanged: no news. Moved to another day: news again.
    Ingestor(s).ingest_hearings([hearing("h2", soon + dt.timedelta(days=1), time=None, body="Rules",
                                         bills=["HR 701"])])
    s.commit()
    assert run_alerts(s.get_bind(), smtp=smtp_settings(), cfg=alert_settings()).sent == 0
    Ingestor(s).ingest_hearings([hearing("h2", soon + dt.timedelta(days=2), time=None, body="Rules",
                                         bills=["HR 701"])])
    s.commit()
    assert run_alerts(s.get_bind(), smtp=smtp_settings(), cfg=alert_settings()).sent == 1


def _staff_follows_an_ai_bill(world: World, number: int, *, cadence: str) -> None:
    """Sam alone follows the AI topic, and H.R. ``number`` is a stored AI bill."""
    subscriptions.subscribe(world.session, user=world.staff, kind="topic", target="ai", cadence=cadence)
    subscriptions.unsubscribe(world.session, user=world.admin)
    world.session.commit()
    world.store(bill_record(number, "Artificial Intelligence Oversight Act"))


def test_an_announced_hearing_called_off_is_news(world: World, smtp: Mailbox) -> None:
    # Sam was told of a hearing on a bill he follows; then its committee cancelled it (or deferred it: NYC's
    # Legistar status). Only hearings going ahead were announced, so he learned nothing and went to a hearing that
    # was not held. One cancelled before anyone heard of it stays no news.
    s = world.session
    _staff_follows_an_ai_bill(world, 711, cadence="instant")
    run_alerts(s.get_bind(), smtp=smtp_settings(), cfg=alert_settings(), everything=True)  # the flag alert
    soon = dt.date.today() + dt.timedelta(days=7)
    Ingestor(s).ingest_hearings([hearing("h1", soon, time="2:30 PM", body="Energy and Commerce", bills=["HR 711"]),
                                 hearing("h2", soon, time="9:00", body="Rules", bills=["HR 711"], cancelled=True)])
    s.commit()
    before = len(smtp.messages)
    run_alerts(s.get_bind(), smtp=smtp_settings(), cfg=alert_settings())
    assert len(smtp.messages) == before + 1
    text = smtp.messages[-1].get_body(("plain",)).get_content()
    assert f"Hearing scheduled: {digest_day(soon)}, 2:30 PM {eastern(soon)} · Energy and Commerce" in text
    assert "Rules" not in text
    Ingestor(s).ingest_hearings([hearing("h1", soon, time="2:30 PM", body="Energy and Commerce", bills=["HR 711"],
                                         cancelled=True)])
    s.commit()
    run_alerts(s.get_bind(), smtp=smtp_settings(), cfg=alert_settings())
    assert len(smtp.messages) == before + 2
    text = smtp.messages[-1].get_body(("plain",)).get_content()
    assert f"Hearing cancelled: {digest_day(soon)}, 2:30 PM {eastern(soon)} · Energy and Commerce" in text
    assert "Hearing scheduled" not in text and "Rules" not in text
    html = smtp.messages[-1].get_body(("html",)).get_content()
    assert "Hearing cancelled:" in html
    # Fetched again, still cancelled: told once.
    Ingestor(s).ingest_hearings([hearing("h1", soon, time="2:30 PM", body="Energy and Commerce", bills=["HR 711"],
                                         cancelled=True, description="Postponed")])
    s.commit()
    assert run_alerts(s.get_bind(), smtp=smtp_settings(), cfg=alert_settings()).sent == 0


def test_a_weekly_digest_sent_after_a_hearing_calls_it_past(world: World, smtp: Mailbox) -> None:
    # A council member's weekly digest went out the Monday after a Thursday hearing and still announced it as
    # "Hearing scheduled"; one still ahead when the digest goes out keeps that title.
    s = world.session
    _staff_follows_an_ai_bill(world, 731, cadence="weekly")
    today = dt.date.today()
    held, ahead = today + dt.timedelta(days=2), today + dt.timedelta(days=20)
    Ingestor(s).ingest_hearings([hearing("h1", held, time="10:00", body="Energy and Commerce", bills=["HR 731"]),
                                 hearing("h2", ahead, time="14:00", body="Judiciary", bills=["HR 731"])])
    s.commit()
    before = len(smtp.messages)
    assert run_alerts(s.get_bind(), smtp=smtp_settings(), cfg=alert_settings()).sent == 0  # collected, not due
    week_later = utcnow() + dt.timedelta(days=8)
    run_alerts(s.get_bind(), smtp=smtp_settings(), cfg=alert_settings(), now=week_later)
    assert len(smtp.messages) == before + 1
    text = smtp.messages[-1].get_body(("plain",)).get_content()
    assert f"Past hearing: {digest_day(held)}, 10:00 AM {eastern(held)} · Energy and Commerce" in text
    assert f"Hearing scheduled: {digest_day(ahead)}, 2:00 PM {eastern(ahead)} · Judiciary" in text


def test_a_hearing_moved_to_another_hour_is_news(world: World, smtp: Mailbox) -> None:
    # A hearing moved from 9:30 to the afternoon of the same day was no news (only another day was): a follower
    # planning to attend turned up hours early, or too late when it moved earlier.
    s = world.session
    _staff_follows_an_ai_bill(world, 721, cadence="instant")
    run_alerts(s.get_bind(), smtp=smtp_settings(), cfg=alert_settings(), everything=True)  # the flag alert
    soon = dt.date.today() + dt.timedelta(days=7)
    Ingestor(s).ingest_hearings([hearing("h1", soon, time="9:30 AM", body="Energy and Commerce", bills=["HR 721"])])
    s.commit()
    assert run_alerts(s.get_bind(), smtp=smtp_settings(), cfg=alert_settings()).sent == 1
    Ingestor(s).ingest_hearings([hearing("h1", soon, time="2:00 PM", body="Energy and Commerce", bills=["HR 721"])])
    s.commit()
    assert run_alerts(s.get_bind(), smtp=smtp_settings(), cfg=alert_settings()).sent == 1
    text = smtp.messages[-1].get_body(("plain",)).get_content()
    when = f"{soon:%a} {soon.day} {soon:%b}"
    assert f"Hearing moved: from {when} 9:30 AM {eastern(soon)} to {when} 2:00 PM {eastern(soon)} · Energy and " \
        "Commerce" in text
    # The room changing is not a new time: no news.
    Ingestor(s).ingest_hearings([hearing("h1", soon, time="2:00 PM", body="Energy and Commerce", bills=["HR 721"],
                                         location="2123 Rayburn")])
    s.commit()
    assert run_alerts(s.get_bind(), smtp=smtp_settings(), cfg=alert_settings()).sent == 0
    # Called off at its new hour: told.
    Ingestor(s).ingest_hearings([hearing("h1", soon, time="2:00 PM", body="Energy and Commerce", bills=["HR 721"],
                                         cancelled=True)])
    s.commit()
    assert run_alerts(s.get_bind(), smtp=smtp_settings(), cfg=alert_settings()).sent == 1
    assert "Hearing cancelled: " in smtp.messages[-1].get_body(("plain",)).get_content()


def test_a_hearing_in_a_digest_gives_its_time_with_the_legislatures_zone(world: World, smtp: Mailbox) -> None:
    # The email gave "14:00" from one feed and "2:00 PM" from another, with no zone: the reader could not tell a
    # Washington hearing's hour from a Sacramento one's.
    s = world.session
    _staff_follows_an_ai_bill(world, 741, cadence="instant")
    run_alerts(s.get_bind(), smtp=smtp_settings(), cfg=alert_settings(), everything=True)  # the flag alert
    soon = dt.date.today() + dt.timedelta(days=5)
    Ingestor(s).ingest_hearings([hearing("h1", soon, time="14:00", body="Energy and Commerce", bills=["HR 741"])])
    s.commit()
    assert run_alerts(s.get_bind(), smtp=smtp_settings(), cfg=alert_settings()).sent == 1
    mail = smtp.messages[-1]
    line = f"{digest_day(soon)}, 2:00 PM {eastern(soon)} · Energy and Commerce"
    assert f"Hearing scheduled: {line}" in mail.get_body(("plain",)).get_content()
    assert f"<strong>Hearing scheduled:</strong> {line}" in mail.get_body(("html",)).get_content()


def test_calendar_times_are_on_each_legislatures_clock(world: World) -> None:
    # The calendar wrote hearing times floating, read on the subscriber's clock: to a lobbyist in Washington a
    # 10:00 hearing in Sacramento showed at 10:00 Eastern, three hours before it starts. Each time is now the
    # instant it is on its legislature's clock (Congress: Washington; a state: its capital; a city: its state).
    s = world.session
    ca = BillRecord.model_validate({
        "jurisdiction": {"id": "ca", "name": "California", "level": "state"},
        "session": {"identifier": "20252026", "name": "2025-2026 Regular Session"}, "identifier": "AB 1018",
        "bill_type": "AB", "number": "1018", "title": "Automated decision systems", "stage": "in_committee",
        "source_name": "test", "source_key": "ca-ab-1018"})
    ids = world.store(bill_record(731, "Artificial Intelligence Oversight Act"), ca)
    mine = watchlists.create_watchlist(s, actor=world.staff, name="Hearings to attend", shared=False)
    watchlists.add_bills(s, actor=world.staff, watchlist_id=mine.id, bill_ids=ids)
    day = dt.date.today() + dt.timedelta(days=7)
    sacramento = HearingRecord.model_validate({
        "jurisdiction": {"id": "ca", "name": "California", "level": "state"}, "source_name": "test",
        "source_key": "ca-h1", "date": day, "time": "10:00", "body": "Assembly Privacy and Consumer Protection",
        "items": [{"sequence": 1, "bill_identifier": "AB 1018", "session_identifier": "20252026"}]})
    Ingestor(s).ingest_hearings([sacramento, hearing("us-h1", day, time="10:00 AM", body="Energy and Commerce",
                                                     bills=["HR 731"]),
                                 hearing("us-h2", day + dt.timedelta(days=1), time=None, body="Rules",
                                         bills=["HR 731"])])
    s.commit()
    cal = icalendar.Calendar.from_ical(feeds.render_ics(s, user=world.staff))
    starts = {str(e["SUMMARY"]): e.decoded("DTSTART") for e in cal.walk("VEVENT")}
    ten = dt.time(10)
    assert starts == {
        "Hearing (Assembly Privacy and Consumer Protection): California AB 1018 (2025-2026 Regular Session)":
            dt.datetime.combine(day, ten, ZoneInfo("America/Los_Angeles")).astimezone(dt.UTC),
        "Hearing (Energy and Commerce): H.R. 731 (119th Congress)":
            dt.datetime.combine(day, ten, ZoneInfo("America/New_York")).astimezone(dt.UTC),
        "Hearing (Rules): H.R. 731 (119th Congress)": day + dt.timedelta(days=1)}  # no time: a day, on no clock


def test_with_no_hearings_the_calendar_is_valid_and_empty(world: World) -> None:
    body = feeds.render_ics(world.session, user=world.staff)
    cal = icalendar.Calendar.from_ical(body)
    assert list(cal.walk("VEVENT")) == [] and str(cal["PRODID"]).startswith("-//Policy Tracker")


def test_the_unsubscribe_link_stops_email(world: World, server: str, smtp: Mailbox) -> None:
    s = world.session
    subscriptions.subscribe(s, user=world.staff, kind="topic", target="ai", cadence="instant")
    subscriptions.unsubscribe(s, user=world.admin)
    s.commit()
    world.store(bill_record(801, "Artificial Intelligence Research Act"))
    run_alerts(s.get_bind(), smtp=smtp_settings(), cfg=alert_settings())
    assert len(smtp.messages) == 1
    link = smtp.messages[0]["List-Unsubscribe"].strip()[1:-1]
    path = link.removeprefix("https://feeds.chamber.example")
    # Opening the link (as a mail scanner would) only shows a button; posting it unsubscribes.
    status, _, page = get(server + path)
    assert status == 200 and b"<form method=\"post\"" in page
    assert s.get(AlertProfile, world.staff.id).email_enabled
    status, _, page = get(server + path, data=b"List-Unsubscribe=One-Click")
    assert status == 200 and b"sam@chamber.example will no longer receive alert emails" in page
    assert get(server + "/unsubscribe/" + "y" * 32, data=b"")[0] == 404
    s.expire_all()
    assert not s.get(AlertProfile, world.staff.id).email_enabled

    world.store(bill_record(802, "Machine Learning Standards Act"))
    run_alerts(s.get_bind(), smtp=smtp_settings(), cfg=alert_settings(), everything=True)
    assert len(smtp.messages) == 1  # nothing more
    subscriptions.resume_email(s, user=world.staff)
    s.commit()
    world.store(bill_record(803, "Artificial Intelligence Workforce Act"))
    run_alerts(s.get_bind(), smtp=smtp_settings(), cfg=alert_settings(), everything=True)
    assert len(smtp.messages) == 2 and "H.R. 803" in smtp.messages[-1]["Subject"]


def test_control_characters_and_line_breaks_from_feeds_cannot_break_or_extend_a_feed(world: World) -> None:
    """ElementTree writes a control character as is, so one bill's title (JSON feeds carry \\u000b) made a whole
    Atom or RSS feed unreadable; a hearing URL holding a line break wrote lines of its own into the calendar."""
    s = world.session
    world.store(bill_record(611, "Artificial Intelligence\x0b Safety\x1f Act"))
    saved = watchlists.save_filter(s, actor=world.staff, page="search", name="AI\x0c safety", params={"q": "safety"})
    subscriptions.subscribe(s, user=world.staff, kind="jurisdiction", target="us")
    soon = dt.date.today() + dt.timedelta(days=3)
    hostile = hearing("h9", soon, time="9:00", body="Commerce\x0b", bills=["HR 611"], description="On AI\x1f")
    hostile = hostile.model_copy(update={"url": "https://example.test/h9\r\nBEGIN:VALARM\r\nACTION:AUDIO\r\n"
                                                "TRIGGER:-PT1M\r\nEND:VALARM\r\nATTACH:https://evil.example/x"})
    Ingestor(s).ingest_hearings([hostile])
    s.commit()
    saved_filter, entries = feeds.filter_entries(s, user=world.staff, filter_id=saved.id)
    cfg = alert_settings()
    atom = parse_xml(feeds.render_atom(saved_filter, entries, self_url="https://x.example/f.atom", cfg=cfg), "atom")
    assert [e.findtext(f"{ATOM}title") for e in atom.findall(f"{ATOM}entry")] == \
        ["H.R. 611 (119th Congress): Artificial Intelligence Safety Act"]
    rss = parse_xml(feeds.render_rss(saved_filter, entries, self_url="https://x.example/f.rss", cfg=cfg), "rss")
    assert [i.findtext("title") for i in rss.iter("item")] == [
        "H.R. 611 (119th Congress): Artificial Intelligence Safety Act"]
    body = feeds.render_ics(s, user=world.staff)
    cal = icalendar.Calendar.from_ical(body)
    (event,) = cal.walk("VEVENT")
    assert not event.walk("VALARM") and "ATTACH" not in event and "URL" not in event
    assert b"VALARM" not in body and b"\x0b" not in body and str(event["SUMMARY"]).startswith("Hearing (Commerce): ")


def _stored_values(world: World) -> str:
    """Every value of the alert profile and unsubscribe tables, as text: where a plain secret would show."""
    from sqlalchemy import inspect, text
    bind = world.session.get_bind()
    tables = [t for t in inspect(bind).get_table_names() if t in ("alertprofile", "unsubscribelink")]
    with bind.connect() as conn:
        return " ".join(str(v) for t in tables for row in conn.execute(text(f'SELECT * FROM "{t}"')) for v in row)


def test_unsubscribe_links_are_stored_only_as_hashes_and_every_sent_link_keeps_working(
        world: World, server: str, smtp: Mailbox) -> None:
    """The unsubscribe secret was stored as it is, so a copy of the database or a backup could unsubscribe
    anybody. Only its SHA-256 is kept now; each email carries a link of its own, and an older email's link still
    works after later ones went out."""
    s = world.session
    subscriptions.subscribe(s, user=world.staff, kind="topic", target="ai", cadence="instant")
    subscriptions.unsubscribe(s, user=world.admin)
    s.commit()
    links = []
    for number, title in ((811, "Artificial Intelligence Audit Act"), (812, "Machine Learning Safety Act")):
        world.store(bill_record(number, title))
        run_alerts(s.get_bind(), smtp=smtp_settings(), cfg=alert_settings(), everything=True)
        links.append(smtp.messages[-1]["List-Unsubscribe"].strip()[1:-1])
    assert len(smtp.messages) == 2
    secrets_sent = [link.rsplit("/", 1)[1] for link in links]
    assert secrets_sent[0] != secrets_sent[1]
    assert all(f"/unsubscribe/{secret}" in msg.get_body(("plain",)).get_content()
               for secret, msg in zip(secrets_sent, smtp.messages, strict=True))
    stored = _stored_values(world)
    assert not [secret for secret in secrets_sent if secret in stored]
    assert hashlib.sha256(secrets_sent[0].encode()).hexdigest() in stored

    status, _, page = get(server + links[0].removeprefix("https://feeds.chamber.example"), data=b"")
    assert status == 200 and b"sam@chamber.example will no longer receive alert emails" in page
    s.expire_all()
    assert not s.get(AlertProfile, world.staff.id).email_enabled
    # A hash is no secret: the stored value itself opens nothing.
    assert subscriptions.unsubscribe_by_token(s, hashlib.sha256(secrets_sent[1].encode()).hexdigest()) is None
    assert subscriptions.unsubscribe_by_token(s, secrets_sent[1]).email == "sam@chamber.example"


def _raw_header(raw: bytes, name: str) -> str:
    """A header as it crossed the wire, its folded lines joined: what a mail client reads, before any decoding."""
    head = raw.split(b"\r\n\r\n", 1)[0].decode("ascii")
    lines = [line for line in re.split(r"\r\n(?![ \t])", head) if line.lower().startswith(name.lower() + ":")]
    assert len(lines) == 1, lines
    return " ".join(lines[0].split(":", 1)[1].split())


def test_every_digest_carries_a_plain_working_unsubscribe_link_with_a_long_feeds_address(
        world: World, server: str, smtp: Mailbox, monkeypatch: pytest.MonkeyPatch) -> None:
    """A feeds address as an organisation sets it (a host name and a path behind its proxy) made the
    List-Unsubscribe line longer than the email package folds at: it wrote the header as RFC 2047 encoded words
    (=?utf-8?q?=3Chttps=3A//...?=), which RFC 2369 does not allow, so mail clients showed no unsubscribe button
    and one-click unsubscribe did nothing. Several digests to one person: each header is the bare <URL>, the same
    URL as the footer's, of one shape, and opens the unsubscribe page."""
    feeds_url = "https://policy-tracker.metrochamber.example/alerts"
    monkeypatch.setenv("TRACKER_FEEDS_URL", feeds_url)
    s = world.session
    subscriptions.subscribe(s, user=world.staff, kind="topic", target="ai", cadence="instant")
    subscriptions.unsubscribe(s, user=world.admin)
    s.commit()
    for number, title in ((821, "Artificial Intelligence Audit Act"), (822, "Machine Learning Safety Act"),
                          (823, "Automated Decision Systems Act")):
        world.store(bill_record(number, title))
        run_alerts(s.get_bind(), smtp=smtp_settings(), cfg=alert_settings(), everything=True)
    assert len(smtp.raw) == 3
    links = []
    for raw, msg in zip(smtp.raw, smtp.messages, strict=True):
        header = _raw_header(raw, "List-Unsubscribe")
        assert "=?" not in header, header
        match = re.fullmatch(r"<(" + re.escape(feeds_url) + r"/unsubscribe/([A-Za-z0-9_-]{32}))>", header)
        assert match, header
        link = match.group(1)
        text = msg.get_body(("plain",)).get_content().replace("\r\n", "\n")
        assert f"Unsubscribe from these emails: {link}\n" in text
        assert f'<a href="{link}">Unsubscribe</a>' in msg.get_body(("html",)).get_content()
        assert _raw_header(raw, "List-Unsubscribe-Post") == "List-Unsubscribe=One-Click"
        links.append(link)
    assert len(set(links)) == 3  # a secret of each email's own, none built on another's
    for link in links:
        status, _, page = get(server + link.removeprefix(feeds_url))
        assert status == 200 and b"<form method=\"post\"" in page
    status, _, page = get(server + links[1].removeprefix(feeds_url), data=b"List-Unsubscribe=One-Click")
    assert status == 200 and b"sam@chamber.example will no longer receive alert emails" in page


def test_a_feeds_address_with_an_accented_host_name_still_sends_a_usable_unsubscribe_header() -> None:
    """The header is written as it is, so it must be ASCII: an accented host name stopped the email at sending.
    It goes as IDNA (what a browser resolves the same name to); the footer's links keep the name as written."""
    from email.generator import BytesGenerator
    from io import BytesIO

    from tracker.alerts import render

    digest = render.Digest(recipient="sam@chamber.example", recipient_name="Sam Staff", groups=[], topics=set(),
                           unsubscribe_url="https://alertes.chambre-québec.example:8443/unsubscribe/abcdefgh12345678",
                           manage_url="https://tracker.chamber.example/alerts")
    out = BytesIO()
    BytesGenerator(out).flatten(render.build_message(digest, sender="alerts@chamber.example"), linesep="\r\n")
    raw = out.getvalue()
    assert _raw_header(raw, "List-Unsubscribe") == \
        "<https://alertes.xn--chambre-qubec-khb.example:8443/unsubscribe/abcdefgh12345678>"


# Characters that end a line for str.splitlines (and so for Python calendar and feed parsers) or are C1 controls:
# NEL, LINE SEPARATOR, PARAGRAPH SEPARATOR, and DEL and U+0080-U+009F. XML may hold them, so clean_text left them.
SEPARATORS = "\x85\u2028\u2029\x7f\x9b"


def test_unicode_line_separators_from_feeds_are_spaces_in_calendars_and_feeds(world: World) -> None:
    """A hearing description or a bill title holding U+2028 or NEL wrote them into the calendar as they were: a
    calendar program that splits lines as Python does read "END:VEVENT", "BEGIN:VEVENT" and a made-up event of the
    feed's after them; a feed reader may break a title there."""
    s = world.session
    world.store(bill_record(612, "Artificial Intelligence\u2028Safety\x85Act\u2029"))
    saved = watchlists.save_filter(s, actor=world.staff, page="search", name="AI\u2028safety", params={"q": "safety"})
    subscriptions.subscribe(s, user=world.staff, kind="jurisdiction", target="us")
    soon = dt.date.today() + dt.timedelta(days=3)
    fake = "On AI\u2028END:VEVENT\u2028BEGIN:VEVENT\u2028SUMMARY:Hearing cancelled\x85URL:https://evil.example\x9bx\x7f"
    Ingestor(s).ingest_hearings([hearing("h10", soon, time="9:00", body="Commerce\u2029", bills=["HR 612"],
                                         location="Room\x85101", description=fake)])
    s.commit()
    body = feeds.render_ics(s, user=world.staff)
    assert [c for c in SEPARATORS if c.encode() in body] == []
    lines = body.decode().splitlines()  # before: 2 "BEGIN:VEVENT" lines, the second the feed's
    assert sum(line == "BEGIN:VEVENT" for line in lines) == 1
    assert not any(line.startswith("URL:https://evil") for line in lines)
    (event,) = icalendar.Calendar.from_ical(body).walk("VEVENT")
    assert str(event["SUMMARY"]) == "Hearing (Commerce): H.R. 612 (119th Congress)"  # (stored stripped)
    assert str(event["LOCATION"]) == "Room 101"
    saved_filter, entries = feeds.filter_entries(s, user=world.staff, filter_id=saved.id)
    cfg = alert_settings()
    for rendered in (feeds.render_atom(saved_filter, entries, self_url="https://x.example/f.atom", cfg=cfg),
                     feeds.render_rss(saved_filter, entries, self_url="https://x.example/f.rss", cfg=cfg)):
        assert [c for c in SEPARATORS if c.encode() in rendered] == []
        assert b"Artificial Intelligence Safety Act" in rendered
