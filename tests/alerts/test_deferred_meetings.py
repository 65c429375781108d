"""A meeting deferred and held later as a new meeting (a new event id): New York City's real calendar
(legistar/nyc/events.html, the Calendar.aspx grid, whose fields are the Web API's event fields) holds the Committee on
Consumer Affairs and Business Licensing's meeting of Thursday 2019-01-10 "Deferred" and its meeting of Thursday
2019-01-17. The grid carries no agendas: the agenda items here are HAND-WRITTEN, naming two real matters of that
committee from the real Legislation grid (legistar/nyc/bills.html: Int 1185-2018, MatterId 3712930; Int 1116-2018,
MatterId 3686667). Alerts tell only of hearings to come, so the calendar's days are moved forward by whole weeks
(weekdays and times kept)."""

import datetime as dt
import re
from typing import Any
from zoneinfo import ZoneInfo

import icalendar
import pytest
from realdata_paths import require_realdata
from sqlalchemy import select
from typer.testing import CliRunner

from tests.alerts.conftest import Mailbox, World, digest_day
from tracker import overview
from tracker.alerts import feeds, subscriptions
from tracker.alerts.delivery import (
    DIGEST_STATUSES,
    build_digests,
    collect_events,
    delivery_log,
    fan_out,
    run_alerts,
    send_digests,
)
from tracker.alerts.hearings import read_hearings
from tracker.alerts.settings import alert_settings, smtp_settings
from tracker.alerts.told import TOLD
from tracker.cli import app
from tracker.dates import hearing_clock, hearing_when
from tracker.ingest import IngestItem, Ingestor
from tracker.models import AlertEvent, Bill, Hearing
from tracker.records import HearingRecord
from tracker.sources.legistar import parse_events, parse_matter
from tracker.votes import hearings_for_bill

pytestmark = pytest.mark.realdata

COMMITTEE = "Committee on Consumer Affairs and Business Licensing"
DEFERRED, LATER = 662893, 669994  # the real meetings of 2019-01-10 (Deferred) and 2019-01-17
MATTERS = {  # the real Legislation grid's rows
    3712930: ("Int 1185-2018", "Laid Over in Committee", "A Local Law to amend the administrative code of the city of "
              "New York, in relation to requiring nightlife establishments to post signage informing patrons about "
              "harassment and to train employees about harassment among patrons"),
    3686667: ("Int 1116-2018", "Committee", "A Local Law to amend the New York city charter and the administrative "
              "code of the city of New York, in relation to expanding the availability of food vendor permits, "
              "creating an office of street vendor enforcement, and establishing a street vendor advisory board"),
}


def _shift() -> dt.timedelta:
    """Whole weeks that put 2019-01-07 (a Monday) in the week after next."""
    today = dt.date.today()
    return dt.timedelta(weeks=(today - dt.date(2019, 1, 7)).days // 7 + 2)


def _grid(city: str) -> list[dict[str, Any]]:
    """A real Calendar.aspx grid's meetings as Web API events (MeetingAgendaStatus: EventAgendaStatusName,
    MeetingComment: EventComment), days moved by ``_shift``."""
    html = require_realdata("legistar", city, "events.html").read_text(encoding="utf-8", errors="replace")
    events = []
    for m in re.finditer(r'\\"start\\":\\"([^\\]+)\\",\\"end\\":\\"[^\\]+\\",\\"attributes\\":\{(.*?)\}', html):
        fields = dict(re.findall(r'\\"(\w+)\\":\\"([^\\]*)\\"', m.group(2)))
        start = dt.datetime.strptime(m.group(1), "%Y/%m/%d %H:%M")
        events.append({"EventId": int(fields["MeetingID"]), "EventBodyName": fields["BodyName"],
                       "EventDate": f"{start.date() + _shift()}T00:00:00", "EventTime": f"{start:%I:%M %p}",
                       "EventLocation": fields["MeetingLocation"], "EventComment": fields.get("MeetingComment"),
                       "EventAgendaStatusName": fields["MeetingAgendaStatus"]})
    return events


def _calendar() -> list[dict[str, Any]]:
    """New York City's real grid."""
    events = _grid("nyc")
    assert len(events) == 40
    return events


def _agenda(*matter_ids: int) -> list[dict[str, Any]]:  # HAND-WRITTEN (module docstring)
    return [{"EventItemAgendaSequence": n, "EventItemMatterId": mid, "EventItemMatterFile": MATTERS[mid][0],
             "EventItemTitle": MATTERS[mid][2]} for n, mid in enumerate(matter_ids, 1)]


def _ingest(world: World, events: list[dict[str, Any]], items: dict[int, list[dict[str, Any]]],
            client: str = "nyc") -> None:
    records = [r for r in parse_events(events, items, client=client, locator=f"{client}/events")
               if isinstance(r, HearingRecord)]
    Ingestor(world.session).ingest_hearings(records)
    world.session.commit()
    world.session.expire_all()


def _store_matters(world: World) -> dict[str, int]:
    records = [parse_matter({"MatterId": mid, "MatterFile": file, "MatterTypeName": "Introduction",
                             "MatterStatusName": status, "MatterBodyName": COMMITTEE, "MatterTitle": title,
                             "MatterIntroDate": "2018-10-11T00:00:00"}, {}, client="nyc", locator=f"m/{mid}")
               for mid, (file, status, title) in MATTERS.items()]
    Ingestor(world.session).ingest([IngestItem(record=r) for r in records])
    world.session.commit()
    return dict(world.session.execute(select(Bill.identifier, Bill.id)).all())


def _send(world: World) -> int:
    return run_alerts(world.session.get_bind(), smtp=smtp_settings(), cfg=alert_settings()).sent


def _matter(reference: str) -> str:
    """The file number in a bill reference as the lists show it ("City Council Int 1185-2018 (2018)")."""
    found = re.search(r"Int \d+-\d+", reference)
    assert found is not None, reference
    return found[0]


def _when(day: dt.date, clock: str) -> str:
    return hearing_when(day + _shift(), clock, "us-ny-new-york-city")


def test_a_deferred_meeting_held_again_on_the_same_matter_reads_as_moved(world: World, smtp: Mailbox) -> None:
    # Sam follows both bills. He was told of the meeting of the 10th; when New York City deferred it and held it on
    # the 17th as a new meeting, he got "Hearing cancelled" and then "Hearing scheduled": two hearings, one called
    # off, as far as he could tell, though the committee only put the matter off a week.
    bills = _store_matters(world)
    subscriptions.unsubscribe(world.session, user=world.admin)
    for bill_id in bills.values():
        subscriptions.subscribe(world.session, user=world.staff, kind="bill", target=str(bill_id), cadence="instant")
    world.session.commit()
    calendar = _calendar()
    # The week before: the meeting of the 10th announced with both matters, not yet deferred, nor the 17th posted.
    before = [{**e, "EventAgendaStatusName": "Final"} if e["EventId"] == DEFERRED else e
              for e in calendar if e["EventId"] != LATER]
    _ingest(world, before, {DEFERRED: _agenda(3712930, 3686667)})
    assert _send(world) == 1
    assert smtp.messages[-1].get_body(("plain",)).get_content().count("Hearing scheduled") == 2

    # The real calendar: the 10th deferred; the 17th holds Int 1185-2018 again, not Int 1116-2018.
    _ingest(world, calendar, {DEFERRED: _agenda(3712930, 3686667), LATER: _agenda(3712930)})
    assert _send(world) == 1
    text = smtp.messages[-1].get_body(("plain",)).get_content()
    moved = (f"Hearing moved: from {_when(dt.date(2019, 1, 10), '10:00 AM')} to "
             f"{_when(dt.date(2019, 1, 17), '10:00 AM')} · {COMMITTEE}")
    assert moved in text
    # Int 1116-2018, not on the new agenda: the committee deferred it, it did not cancel it.
    day = dt.date(2019, 1, 10) + _shift()
    clock = hearing_clock(day, "10:00 AM", "us-ny-new-york-city")
    assert f"Hearing deferred: {digest_day(day)}, {clock} · {COMMITTEE}" in text
    assert "Hearing cancelled" not in text and "Hearing scheduled" not in text
    events = {(e.bill_id, (e.payload or {}).get("cancelled", False)): e.payload
              for e in world.session.execute(select(AlertEvent).where(AlertEvent.kind == "hearing")).scalars()}
    assert (bills["Int 1185-2018"], True) not in events  # no "cancelled" for the matter heard again
    assert events[(bills["Int 1116-2018"], True)]["date"] == str(dt.date(2019, 1, 10) + _shift())

    # The coming-up list and the bill page say where it was, as the digest does; the deferred meeting stays listed,
    # deferred (to the new meeting, where the bill is on its agenda: it read "Cancelled"), and a bill not on the new
    # agenda is not "moved".
    was, now = _when(dt.date(2019, 1, 10), "10:00 AM"), _when(dt.date(2019, 1, 17), "10:00 AM")
    listed = {(_matter(h["bill"]), h["date"] - _shift()): h["status"]  # "City Council Int 1185-2018 (2018)"
              for h in overview.upcoming_hearings(world.session, tracked_only=False)}
    assert listed == {("Int 1185-2018", dt.date(2019, 1, 10)): f"Deferred to {now}",
                      ("Int 1116-2018", dt.date(2019, 1, 10)): "Deferred",
                      ("Int 1185-2018", dt.date(2019, 1, 17)): f"Moved from {was}"}
    assert [(h["cancelled"], h["called_off"], h["moved_from"])
            for h in hearings_for_bill(world.session, bills["Int 1185-2018"])] \
        == [(True, f"Deferred to {now}", None), (False, None, was)]
    assert [h["called_off"] for h in hearings_for_bill(world.session, bills["Int 1116-2018"])] == ["Deferred"]


def test_a_meeting_the_calendar_cancels_still_reads_cancelled(world: World) -> None:
    # Chicago's real calendar (legistar/chicago/events.html) holds the Committee on Human Relations' meeting of
    # 2019-01-08 with the comment "CANCELLED" (its agenda status stays "Final") and the committee's meeting of the
    # 15th: called off, not deferred, and the 15th is a meeting of its own. The agenda is HAND-WRITTEN (no real
    # agendas), naming a Chicago ordinance written for this test.
    events = _grid("chicago")
    assert len(events) == 8
    record = parse_matter({"MatterId": 100, "MatterFile": "O2019-1", "MatterTypeName": "Ordinance",
                           "MatterTitle": "Amendment of Municipal Code regarding card payments",
                           "MatterIntroDate": "2018-12-12T00:00:00"}, {}, client="chicago", locator="m/100")
    Ingestor(world.session).ingest([IngestItem(record=record)])
    world.session.commit()
    item = [{"EventItemAgendaSequence": 1, "EventItemMatterId": 100, "EventItemMatterFile": "O2019-1"}]
    records = [r for r in parse_events(events, {668019: item, 668022: item}, client="chicago", locator="events")
               if isinstance(r, HearingRecord)]
    Ingestor(world.session).ingest_hearings(records)
    world.session.commit()
    listed = [(h["date"] - _shift(), h["status"]) for h in overview.upcoming_hearings(world.session,
                                                                                      tracked_only=False)]
    assert listed == [(dt.date(2019, 1, 8), "Cancelled"), (dt.date(2019, 1, 15), None)]


def test_a_deferral_is_not_a_move_when_the_body_holds_the_matter_at_more_than_one_later_meeting(
        world: World) -> None:
    # Which of two later meetings took the deferred one's place cannot be told: both stay meetings of their own.
    bills = _store_matters(world)
    calendar = _calendar()
    extra = {**next(e for e in calendar if e["EventId"] == LATER), "EventId": 999001,
             "EventDate": f"{dt.date(2019, 1, 24) + _shift()}T00:00:00"}  # HAND-WRITTEN: a third meeting
    _ingest(world, [*calendar, extra], {DEFERRED: _agenda(3712930), LATER: _agenda(3712930),
                                        999001: _agenda(3712930)})
    rows = read_hearings(world.session, bill_ids=[bills["Int 1185-2018"]])
    assert [(r.date - _shift(), r.cancelled, r.previous_date) for r in rows] == [
        (dt.date(2019, 1, 10), True, None), (dt.date(2019, 1, 17), False, None),
        (dt.date(2019, 1, 24), False, None)]


def test_a_deferral_and_the_meeting_held_in_its_place_in_one_digest_read_as_one_move(world: World,
                                                                                     smtp: Mailbox) -> None:
    # Sam reads a daily digest. One crawl saw the 10th deferred, a later one the 17th posted: both waited for the
    # same digest, which said "Hearing cancelled" and "Hearing moved" for the one meeting put off a week. Lee's
    # email of the 10th bounced: she never read of it, and "moved from the 10th" told her of a meeting she never
    # heard of; to her it is the meeting scheduled on the 17th.
    bills = _store_matters(world)
    subscriptions.unsubscribe(world.session, user=world.admin)
    subscriptions.unsubscribe(world.session, user=world.lobbyist)
    for user in (world.staff, world.lobbyist):
        subscriptions.subscribe(world.session, user=user, kind="bill", target=str(bills["Int 1185-2018"]),
                                cadence="daily")
    world.session.commit()
    calendar = _calendar()
    announced = [{**e, "EventAgendaStatusName": "Final"} if e["EventId"] == DEFERRED else e
                 for e in calendar if e["EventId"] != LATER]
    _ingest(world, announced, {DEFERRED: _agenda(3712930)})
    smtp.refused_rcpt.add(world.lobbyist.email)
    assert run_alerts(world.session.get_bind(), smtp=smtp_settings(), cfg=alert_settings(), everything=True).sent == 1
    smtp.refused_rcpt.clear()
    _ingest(world, [e for e in calendar if e["EventId"] != LATER], {DEFERRED: _agenda(3712930)})
    _send(world)  # collected: "Hearing deferred", waiting for the daily digest
    _ingest(world, calendar, {DEFERRED: _agenda(3712930), LATER: _agenda(3712930)})
    assert run_alerts(world.session.get_bind(), smtp=smtp_settings(), cfg=alert_settings(), everything=True).sent == 2
    by_person = {m["To"].addresses[0].addr_spec: m.get_body(("plain",)).get_content() for m in smtp.messages[1:]}
    text = by_person[world.staff.email]
    assert text.splitlines()[0].endswith(": 1 update on the bills you follow.")
    assert text.count("Hearing") == 1 and f"Hearing moved: from {_when(dt.date(2019, 1, 10), '10:00 AM')}" in text
    text = by_person[world.lobbyist.email]
    later = dt.date(2019, 1, 17) + _shift()
    assert text.count("Hearing") == 1 and f"Hearing scheduled: {digest_day(later)}, " in text and "moved" not in text


def _follow(world: World, bill_ids: list[int], cadence: str = "instant") -> None:
    """Sam and Lee follow these bills; Ada follows nothing."""
    subscriptions.unsubscribe(world.session, user=world.admin)
    subscriptions.unsubscribe(world.session, user=world.lobbyist)
    for user in (world.staff, world.lobbyist):
        for bill_id in bill_ids:
            subscriptions.subscribe(world.session, user=user, kind="bill", target=str(bill_id), cadence=cadence)
    world.session.commit()


def _mail(smtp: Mailbox, since: int) -> dict[str, str]:
    return {m["To"].addresses[0].addr_spec: m.get_body(("plain",)).get_content() for m in smtp.messages[since:]}


def _lee_misses_the_meeting(world: World, smtp: Mailbox, agenda: tuple[int, ...]) -> None:
    """The meeting of the 10th is announced with ``agenda`` (its matter ids); Lee's email bounces, Sam's goes out.
    Then New York City defers it: the calendar without the later meeting, as the feed showed it that day."""
    not_yet = [e for e in _calendar() if e["EventId"] != LATER]
    _ingest(world, [{**e, "EventAgendaStatusName": "Final"} if e["EventId"] == DEFERRED else e for e in not_yet],
            {DEFERRED: _agenda(*agenda)})
    smtp.refused_rcpt.add(world.lobbyist.email)
    assert _send(world) == 1  # Sam's
    smtp.refused_rcpt.clear()
    _ingest(world, not_yet, {DEFERRED: _agenda(*agenda)})


def test_a_deferral_is_news_only_to_whoever_was_told_of_the_meeting(world: World, smtp: Mailbox) -> None:
    # Sam and Lee follow both matters. Lee's email announcing the meeting of the 10th bounced: she never read of it.
    # When New York City deferred it, both got "Hearing deferred" twice: Lee, of a meeting she never heard of. To
    # her it is nothing, until the meeting of the 17th is posted: then that one is "Hearing scheduled".
    bills = _store_matters(world)
    _follow(world, list(bills.values()))
    calendar = _calendar()
    _lee_misses_the_meeting(world, smtp, (3712930, 3686667))
    assert _send(world) == 1  # Sam's only: Lee's digest tells her nothing
    day = dt.date(2019, 1, 10) + _shift()
    clock = hearing_clock(day, "10:00 AM", "us-ny-new-york-city")
    deferred = f"Hearing deferred: {digest_day(day)}, {clock} · {COMMITTEE}"
    assert _mail(smtp, 1) == {world.staff.email: smtp.messages[-1].get_body(("plain",)).get_content()}
    assert smtp.messages[-1].get_body(("plain",)).get_content().count(deferred) == 2

    _ingest(world, calendar, {DEFERRED: _agenda(3712930, 3686667), LATER: _agenda(3712930)})
    assert _send(world) == 2
    by_person = _mail(smtp, 2)
    later = dt.date(2019, 1, 17) + _shift()
    assert f"Hearing moved: from {_when(dt.date(2019, 1, 10), '10:00 AM')}" in by_person[world.staff.email]
    text = by_person[world.lobbyist.email]
    assert text.count("Hearing") == 1 and f"Hearing scheduled: {digest_day(later)}, " in text
    assert "Int 1185-2018" in text
    assert "Int 1116-2018" not in text and "deferred" not in text.lower() and digest_day(day) not in text


def test_a_deferral_never_told_reads_as_the_meeting_held_in_its_place_once(world: World, smtp: Mailbox) -> None:
    # Lee never read of the meeting of the 10th (her email bounced). Her digest with its deferral was sent after
    # the 17th was posted, before that meeting's own news was collected: to her the deferral is the meeting of
    # the 17th, "Hearing scheduled", and that meeting's news afterwards is not a second announcement (nor "moved").
    bills = _store_matters(world)
    _follow(world, [bills["Int 1185-2018"]])
    calendar = _calendar()
    _lee_misses_the_meeting(world, smtp, (3712930,))
    collect_events(world.session)
    fan_out(world.session)
    world.session.commit()
    _ingest(world, calendar, {DEFERRED: _agenda(3712930), LATER: _agenda(3712930)})  # posted meanwhile
    build_digests(world.session, everything=True, cfg=alert_settings())
    world.session.commit()
    assert send_digests(world.session, smtp=smtp_settings(), cfg=alert_settings()).sent == 2
    by_person = _mail(smtp, 1)
    day, later = dt.date(2019, 1, 10) + _shift(), dt.date(2019, 1, 17) + _shift()
    assert f"Hearing deferred: {digest_day(day)}, " in by_person[world.staff.email]
    text = by_person[world.lobbyist.email]
    assert text.count("Hearing") == 1 and f"Hearing scheduled: {digest_day(later)}, " in text
    assert digest_day(day) not in text

    assert _send(world) == 1  # the meeting of the 17th: news to Sam only
    assert list(_mail(smtp, 3)) == [world.staff.email]
    assert f"Hearing moved: from {_when(dt.date(2019, 1, 10), '10:00 AM')}" in smtp.messages[-1].get_body(
        ("plain",)).get_content()


def _follow_a_chicago_ordinance(world: World) -> list[dict[str, Any]]:
    """A Chicago ordinance (matter 100, O2019-1) stored and followed by Sam and Lee; its agenda item, for a meeting."""
    record = parse_matter({"MatterId": 100, "MatterFile": "O2019-1", "MatterTypeName": "Ordinance",
                           "MatterTitle": "Amendment of Municipal Code regarding card payments",
                           "MatterIntroDate": "2018-12-12T00:00:00"}, {}, client="chicago", locator="m/100")
    Ingestor(world.session).ingest([IngestItem(record=record)])
    world.session.commit()
    _follow(world, [world.session.execute(select(Bill.id)).scalar_one()])
    return [{"EventItemAgendaSequence": 1, "EventItemMatterId": 100, "EventItemMatterFile": "O2019-1"}]


def test_a_cancellation_is_news_only_to_whoever_was_told_of_the_meeting(world: World, smtp: Mailbox) -> None:
    # Chicago's real calendar calls off the Committee on Human Relations' meeting of the 8th ("CANCELLED"). Sam was
    # told of it; Lee's email bounced, and "Hearing cancelled" told her of a meeting she never heard of.
    events = _grid("chicago")
    item = _follow_a_chicago_ordinance(world)
    cancelled = next(e for e in events if "CANCELLED" in (e["EventComment"] or ""))
    assert cancelled["EventId"] == 668019
    _ingest(world, [{**e, "EventComment": None} if e is cancelled else e for e in events if e["EventId"] == 668019],
            {668019: item}, client="chicago")
    smtp.refused_rcpt.add(world.lobbyist.email)
    assert _send(world) == 1
    smtp.refused_rcpt.clear()
    _ingest(world, [cancelled], {668019: item}, client="chicago")
    assert _send(world) == 1
    [(person, text)] = _mail(smtp, 1).items()
    day = dt.date(2019, 1, 8) + _shift()
    assert person == world.staff.email and f"Hearing cancelled: {digest_day(day)}" in text


def test_a_digest_with_nothing_new_for_its_reader_says_so_in_the_log(world: World, smtp: Mailbox) -> None:
    # Lee never read of the meeting of the 10th (her email bounced); its deferral is nothing to her, so her digest
    # holding only that was not sent. The log said "sent" and "nothing left to send", words meant for a digest whose
    # bills were deleted: the admin read it as an email that went out, or as data lost.
    bills = _store_matters(world)
    _follow(world, list(bills.values()))
    _lee_misses_the_meeting(world, smtp, (3712930, 3686667))
    report = run_alerts(world.session.get_bind(), smtp=smtp_settings(), cfg=alert_settings())
    assert (report.sent, report.skipped) == (1, 1)

    [lee] = delivery_log(world.session, user_id=world.lobbyist.id, limit=1)
    assert (lee["status"], lee["items"], lee["sent_at"], lee["next_attempt_at"]) == ("skipped", 0, None, None)
    assert lee["last_error"] == ("nothing new for this reader: 2 updates were not news to them (2 about a hearing "
                                 "called off that they had never been told of)")
    # Nothing was told: a later digest still reads her as never told of the meeting.
    assert "skipped" in DIGEST_STATUSES and "skipped" not in TOLD

    # The command line's log reads the same, in plain words.
    result = CliRunner().invoke(app, ["alerts", "log"], env={"COLUMNS": "250"})
    assert result.exit_code == 0 and "skipped" in result.stdout, result.stderr
    assert "nothing new for this reader" in result.stdout and "nothing left" not in result.stdout


def _calendar_events(world: World) -> dict[str, Any]:
    """Sam's hearings calendar (ICS), its events by UID (without the host after the "@")."""
    cal = icalendar.Calendar.from_ical(feeds.render_ics(world.session, user=world.staff))
    return {str(e["UID"]).split("@")[0]: e for e in cal.walk("VEVENT")}


def _uid(world: World, event_id: int) -> str:
    hid = world.session.execute(select(Hearing.id).where(Hearing.source_key.endswith(f"/{event_id}"))).scalar_one()
    return f"hearing-{hid}"


def test_the_calendar_moves_a_deferred_meeting_to_the_one_held_in_its_place(world: World, smtp: Mailbox) -> None:
    # Sam subscribes to his hearings calendar. New York City deferred the meeting of the 10th and held it on the
    # 17th: the feed marked the 10th CANCELLED and added the 17th as another event, so his calendar said the
    # hearing was called off (and a calendar that hides cancelled events just lost it). RFC 5545 (3.8.1.11, 3.8.7.4)
    # lets one event move: same UID, new DTSTART, a higher SEQUENCE.
    bills = _store_matters(world)
    _follow(world, list(bills.values()))
    calendar = _calendar()
    not_yet = [e for e in calendar if e["EventId"] != LATER]
    _ingest(world, [{**e, "EventAgendaStatusName": "Final"} if e["EventId"] == DEFERRED else e for e in not_yet],
            {DEFERRED: _agenda(3712930, 3686667)})
    uid, zone = _uid(world, DEFERRED), ZoneInfo("America/New_York")
    day, later = dt.date(2019, 1, 10) + _shift(), dt.date(2019, 1, 17) + _shift()
    before = _calendar_events(world)[uid]
    assert (str(before["STATUS"]), int(before.get("SEQUENCE", 0))) == ("CONFIRMED", 0)
    assert before.decoded("DTSTART") == dt.datetime.combine(day, dt.time(10), zone)

    # Deferred, no new meeting known yet: still on the calendar, tentative, and saying so.
    _ingest(world, not_yet, {DEFERRED: _agenda(3712930, 3686667)})
    deferred = _calendar_events(world)[uid]
    assert (str(deferred["STATUS"]), int(deferred["SEQUENCE"])) == ("TENTATIVE", 1)
    assert str(deferred["SUMMARY"]).startswith("Deferred: Hearing (") and "Deferred" in str(deferred["DESCRIPTION"])
    assert deferred.decoded("DTSTART") == dt.datetime.combine(day, dt.time(10), zone)

    # The meeting of the 17th holds Int 1185-2018 again: the same event, moved there.
    _ingest(world, calendar, {DEFERRED: _agenda(3712930, 3686667), LATER: _agenda(3712930)})
    events = _calendar_events(world)
    assert list(events) == [uid]  # no second event for the meeting held in its place
    moved = events[uid]
    assert (str(moved["STATUS"]), int(moved["SEQUENCE"])) == ("CONFIRMED", 2)
    assert moved.decoded("DTSTART") == dt.datetime.combine(later, dt.time(10), zone)
    assert moved.decoded("DTEND") == dt.datetime.combine(later, dt.time(11), zone)
    was = _when(dt.date(2019, 1, 10), "10:00 AM")
    assert str(moved["DESCRIPTION"]).startswith(f"Deferred from {was}")
    assert f"(deferred from {day:%a} {day.day} {day:%b})" in str(moved["SUMMARY"])
    assert "Int 1185-2018" in str(moved["SUMMARY"]) and "Int 1116-2018" not in str(moved["SUMMARY"])
    # The matter not on the new agenda: deferred with no new date, said where its follower looks.
    assert re.search(r"Deferred with no new date: [^\n]*Int 1116-2018", str(moved["DESCRIPTION"]))


def test_a_meeting_the_calendar_cancels_stays_cancelled_in_the_hearings_calendar(world: World) -> None:
    # Chicago's real calendar calls off the Committee on Human Relations' meeting of the 8th ("CANCELLED"); the
    # meeting of the 15th is one of its own, not that one moved.
    events = _grid("chicago")
    item = _follow_a_chicago_ordinance(world)
    _ingest(world, events, {668019: item, 668022: item}, client="chicago")
    calendar = _calendar_events(world)
    assert {uid: (str(e["STATUS"]), int(e.get("SEQUENCE", 0))) for uid, e in calendar.items()} == {
        _uid(world, 668019): ("CANCELLED", 1), _uid(world, 668022): ("CONFIRMED", 0)}
