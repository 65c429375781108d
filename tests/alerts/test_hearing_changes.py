"""Hearings that change after they were announced: moved to another day or hour, or called off. The bill is the
real Alabama 2025 HB 100 (openstates/scrape_AL2025) stored through the normal ingest; its hearing is an Open States
API v3 event written from the published Event schema (tests/openstates_events.py: no public sample of ``/events``
exists in realdata), read by the real parser and stored by the real ingest writer."""

import datetime as dt
import json
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from openstates_events import event
from realdata_paths import require_realdata
from sqlalchemy import select

from tests.alerts.conftest import Mailbox, World, digest_day
from tracker import overview
from tracker.alerts import subscriptions
from tracker.alerts.delivery import build_digests, collect_events, delivery_log, fan_out, run_alerts
from tracker.alerts.settings import alert_settings, smtp_settings
from tracker.ingest import IngestItem, Ingestor
from tracker.models import Bill
from tracker.records import HearingRecord
from tracker.sources.openstates import parse_bill, parse_events_page
from tracker.votes import hearings_for_bill

pytestmark = pytest.mark.realdata
PAGE_URL = "https://v3.openstates.org/events?jurisdiction=al&page=1"


def _store_hb100(world: World) -> int:
    path = require_realdata("openstates", "scrape_AL2025", "bills", "HB100__20250129T050000Z_entire_bill.json")
    Ingestor(world.session).ingest([IngestItem(record=parse_bill(path.read_bytes(), str(path)))])
    world.session.commit()
    return world.session.execute(select(Bill.id).where(Bill.identifier == "HB 100")).scalar_one()


def _ingest(world: World, *events: dict[str, Any]) -> None:
    body = json.dumps({"results": list(events), "pagination": {"per_page": 20, "page": 1, "max_page": 1,
                                                               "total_items": len(events)}}).encode()
    Ingestor(world.session).ingest_hearings([h for h in parse_events_page(body, PAGE_URL).hearings
                                             if isinstance(h, HearingRecord)])
    world.session.commit()
    world.session.expire_all()


def _sam_follows(world: World, bill_id: int, cadence: str) -> None:
    subscriptions.unsubscribe(world.session, user=world.admin)
    subscriptions.subscribe(world.session, user=world.staff, kind="bill", target=str(bill_id), cadence=cadence)
    world.session.commit()


def _send(world: World, **kwargs: Any) -> int:
    return run_alerts(world.session.get_bind(), smtp=smtp_settings(), cfg=alert_settings(), **kwargs).sent


def _next_weekday(weekday: int) -> dt.date:
    day = dt.date.today() + dt.timedelta(days=7)
    return day + dt.timedelta(days=(weekday - day.weekday()) % 7)


def _when(day: dt.date, clock: str) -> str:
    """"Tue 3 Mar 9:30 AM CST": Alabama's clock (Central) on that day."""
    zone = dt.datetime.combine(day, dt.time(12), ZoneInfo("America/Chicago")).tzname()
    return f"{day:%a} {day.day} {day:%b} {clock} {zone}"


def test_a_moved_hearing_reads_as_moved_in_the_digest_and_the_hearing_lists(world: World, smtp: Mailbox) -> None:
    # Alabama's House Judiciary moved its hearing on HB 100 from Tuesday 9:30 to Wednesday 2:00 PM under the same
    # event id. Sam, who follows the bill, got a second "Hearing scheduled" with nothing to say it had moved: two
    # hearings, as far as he could tell; the overview and the bill page showed Wednesday as if it were new.
    bill_id = _store_hb100(world)
    _sam_follows(world, bill_id, "instant")
    tuesday = _next_weekday(1)
    wednesday = tuesday + dt.timedelta(days=1)
    hearing = event(start_date=f"{tuesday}T09:30:00-06:00", location={"name": "Room <200> & annex", "url": ""})
    _ingest(world, hearing)
    assert _send(world) == 1
    first = smtp.messages[-1].get_body(("plain",)).get_content()
    assert "Hearing scheduled: " + digest_day(tuesday) in first

    _ingest(world, {**hearing, "start_date": f"{wednesday}T14:00:00-06:00"})
    assert _send(world) == 1
    moved = smtp.messages[-1]
    text = moved.get_body(("plain",)).get_content()
    html = moved.get_body(("html",)).get_content()
    line = (f"Hearing moved: from {_when(tuesday, '9:30 AM')} to {_when(wednesday, '2:00 PM')}"
            " · House Judiciary Committee · Room <200> & annex")
    assert line in text and "Hearing scheduled" not in text
    assert (f"<strong>Hearing moved:</strong> from {_when(tuesday, '9:30 AM')} to {_when(wednesday, '2:00 PM')}"
            " · House Judiciary Committee · Room &lt;200&gt; &amp; annex") in html  # upstream text escaped

    # The hearing lists say where it was, as the digest does.
    [upcoming] = overview.upcoming_hearings(world.session, tracked_only=False)
    assert (upcoming["date"], upcoming["moved_from"]) == (wednesday, _when(tuesday, "9:30 AM"))
    assert [h["moved_from"] for h in hearings_for_bill(world.session, bill_id)] == [_when(tuesday, "9:30 AM")]

    # The feed rewriting its clock ("14:00" as "2:00 PM" is the same hour) moves nothing: no news, no "moved".
    _ingest(world, {**hearing, "start_date": f"{wednesday}T14:00:00-06:00", "description": "Public hearing."})
    assert _send(world) == 0


def test_a_hearing_announced_and_moved_before_the_digest_goes_out_is_told_once(world: World,
                                                                               smtp: Mailbox) -> None:
    # Sam's daily digest held both "Hearing scheduled" for Tuesday and, from a later crawl the same day, the move to
    # Wednesday: two hearings for one. Then it said "Hearing moved: from Tuesday", of a Tuesday no email had told
    # him of: to him it is the hearing scheduled on Wednesday.
    bill_id = _store_hb100(world)
    _sam_follows(world, bill_id, "daily")
    tuesday = _next_weekday(1)
    wednesday = tuesday + dt.timedelta(days=1)
    hearing = event(start_date=f"{tuesday}T09:30:00-06:00")
    _ingest(world, hearing)
    assert _send(world) == 0  # collected, waiting for the daily digest
    _ingest(world, {**hearing, "start_date": f"{wednesday}T09:30:00-06:00"})
    assert _send(world, everything=True) == 1
    text = smtp.messages[-1].get_body(("plain",)).get_content()
    assert text.count("Hearing") == 1 and f"Hearing scheduled: {digest_day(wednesday)}, 9:30 AM" in text
    assert "moved" not in text and digest_day(tuesday) not in text


def test_a_moved_hearing_reads_as_moved_only_to_those_told_where_it_was(world: World, smtp: Mailbox) -> None:
    # Sam (instant) was told of the Tuesday hearing on HB 100; Lee's daily digest had not gone out yet, and Kim's
    # failed, when the committee moved it to Wednesday. Each next digest said "Hearing moved: from Tuesday ...": Lee
    # and Kim had never read of a Tuesday hearing.
    bill_id = _store_hb100(world)
    subscriptions.unsubscribe(world.session, user=world.admin)
    subscriptions.unsubscribe(world.session, user=world.lobbyist)
    for user, cadence in ((world.staff, "instant"), (world.lobbyist, "daily"), (world.admin, "instant")):
        subscriptions.subscribe(world.session, user=user, kind="bill", target=str(bill_id), cadence=cadence)
    world.session.commit()
    tuesday = _next_weekday(1)
    wednesday = tuesday + dt.timedelta(days=1)
    hearing = event(start_date=f"{tuesday}T09:30:00-06:00")
    _ingest(world, hearing)
    smtp.refused_rcpt.add(world.admin.email)  # Kim's digest fails for good: she was never told of Tuesday
    assert _send(world) == 1  # Sam's
    smtp.refused_rcpt.clear()
    _ingest(world, {**hearing, "start_date": f"{wednesday}T14:00:00-06:00"})
    assert _send(world, everything=True) == 3
    by_person = {m["To"].addresses[0].addr_spec: m.get_body(("plain",)).get_content() for m in smtp.messages[1:]}
    assert f"Hearing moved: from {_when(tuesday, '9:30 AM')} to {_when(wednesday, '2:00 PM')}" \
        in by_person[world.staff.email]
    for person in (world.lobbyist.email, world.admin.email):
        text = by_person[person]
        assert text.count("Hearing") == 1 and f"Hearing scheduled: {digest_day(wednesday)}, 2:00 PM" in text, person
        assert "moved" not in text and digest_day(tuesday) not in text, person


def test_a_hearing_moved_twice_reads_as_moved_from_where_the_reader_was_told(world: World, smtp: Mailbox) -> None:
    # Sam read of the Tuesday hearing; his email of the move to Wednesday bounced; then it moved on to Thursday. His
    # next digest said "from Wednesday", a day he never read of: it moved from the Tuesday he was told.
    bill_id = _store_hb100(world)
    _sam_follows(world, bill_id, "instant")
    tuesday = _next_weekday(1)
    hearing = event(start_date=f"{tuesday}T09:30:00-06:00")
    _ingest(world, hearing)
    assert _send(world) == 1
    smtp.refused_rcpt.add(world.staff.email)
    _ingest(world, {**hearing, "start_date": f"{tuesday + dt.timedelta(days=1)}T09:30:00-06:00"})
    assert _send(world) == 0  # failed
    smtp.refused_rcpt.clear()
    thursday = tuesday + dt.timedelta(days=2)
    _ingest(world, {**hearing, "start_date": f"{thursday}T09:30:00-06:00"})
    assert _send(world) == 1
    text = smtp.messages[-1].get_body(("plain",)).get_content()
    assert f"Hearing moved: from {_when(tuesday, '9:30 AM')} to {_when(thursday, '9:30 AM')}" in text


def test_the_delivery_log_counts_a_hearing_announced_and_moved_in_one_digest_as_the_email_does(
        world: World, smtp: Mailbox) -> None:
    # The email told of one hearing ("1 update on the bills you follow"), but `tracker alerts log` and the
    # dashboard's delivery log said 2 items, for the digest waiting to go out and for the one sent: an admin
    # checking why Sam asked about a missing update had nothing to find.
    bill_id = _store_hb100(world)
    _sam_follows(world, bill_id, "daily")
    tuesday = _next_weekday(1)
    hearing = event(start_date=f"{tuesday}T09:30:00-06:00")
    _ingest(world, hearing)
    assert _send(world) == 0
    _ingest(world, {**hearing, "start_date": f"{tuesday + dt.timedelta(days=1)}T09:30:00-06:00"})
    collect_events(world.session)
    fan_out(world.session)
    assert len(build_digests(world.session, everything=True, cfg=alert_settings())) == 1
    world.session.commit()
    [waiting] = delivery_log(world.session)
    assert (waiting["status"], waiting["items"], waiting["bills"]) == ("pending", 1, 1)
    assert _send(world) == 1
    text = smtp.messages[-1].get_body(("plain",)).get_content()
    assert text.splitlines()[0].endswith(": 1 update on the bills you follow.")
    assert smtp.messages[-1]["Subject"].startswith("Policy Tracker: 1 update on ")
    [sent] = delivery_log(world.session)
    assert (sent["status"], sent["items"], sent["bills"]) == ("sent", 1, 1)


def test_an_announced_hearing_cancelled_is_told_and_stays_listed_as_cancelled(world: World, smtp: Mailbox) -> None:
    # The committee cancelled its hearing on HB 100 after announcing it. Sam, who follows the bill, is told; a
    # council member reading the overview's coming-up list found the hearing gone without a word and could not tell
    # a cancellation from a data problem.
    bill_id = _store_hb100(world)
    _sam_follows(world, bill_id, "instant")
    tuesday = _next_weekday(1)
    hearing = event(start_date=f"{tuesday}T09:30:00-06:00")
    _ingest(world, hearing)
    assert _send(world) == 1
    _ingest(world, {**hearing, "status": "cancelled"})
    assert _send(world) == 1
    text = smtp.messages[-1].get_body(("plain",)).get_content()
    assert f"Hearing cancelled: {digest_day(tuesday)}, 9:30 AM" in text
    [upcoming] = overview.upcoming_hearings(world.session, tracked_only=False)
    assert (upcoming["date"], upcoming["cancelled"], upcoming["status"]) == (tuesday, True, "Cancelled")


def test_a_new_subscription_or_watch_brings_the_upcoming_hearings_already_announced_once(world: World,
                                                                                       smtp: Mailbox) -> None:
    # The House Judiciary hearing on HB 100 was announced on Monday; Sam started following the bill on Tuesday and
    # Lee added it to the watchlist she follows: neither ever heard of the hearing (only news from after a
    # subscription reached it). Now the next digest brings it, once; a hearing called off meanwhile does not come.
    from tracker import watchlists

    bill_id = _store_hb100(world)
    subscriptions.unsubscribe(world.session, user=world.admin)
    subscriptions.unsubscribe(world.session, user=world.lobbyist)
    world.session.commit()
    tuesday = _next_weekday(1)
    hearing = event(start_date=f"{tuesday}T09:30:00-06:00")
    called_off = event(id="ocd-event/called-off", start_date=f"{tuesday}T13:00:00-06:00")
    _ingest(world, hearing, called_off)
    assert _send(world, everything=True) == 0  # announced to nobody: nobody follows the bill yet
    _ingest(world, hearing, {**called_off, "status": "cancelled"})
    assert _send(world, everything=True) == 0

    _sam_follows(world, bill_id, "daily")
    mine = watchlists.create_watchlist(world.session, actor=world.lobbyist, name="Meetings")
    subscriptions.subscribe(world.session, user=world.lobbyist, kind="watchlist", target=str(mine.id),
                            cadence="instant")
    world.session.commit()
    assert _send(world) == 0  # Sam's comes with his daily digest; Lee's watchlist holds nothing yet
    watchlists.add_bills(world.session, actor=world.lobbyist, watchlist_id=mine.id, bill_ids=[bill_id])
    world.session.commit()
    assert _send(world) == 1  # Lee: instant
    assert _send(world, everything=True) == 1  # Sam's daily digest
    by_person = {m["To"].addresses[0].addr_spec: m.get_body(("plain",)).get_content() for m in smtp.messages}
    for person in ("sam@chamber.example", "lee@chamber.example"):
        text = by_person[person]
        assert text.count("Hearing") == 1, person
        assert f"Hearing scheduled: {digest_day(tuesday)}, 9:30 AM" in text, person
    assert _send(world, everything=True) == 0  # once
