"""Open States API v3 ``/events`` -> hearings. No public sample of an ``/events`` response exists in realdata:
every event here is written from the published Open States API v3 Event schema (OpenAPI 2021.11.12: Event,
EventAgendaItem, EventRelatedEntity, EventParticipant, EventDocument, pagination envelope). The bill they name
is the real Alabama 2025 HB 100 (openstates/scrape_AL2025), stored first through the normal ingest."""

import datetime as dt
import json
from typing import Any

import pytest
from openstates_events import HB100_OCD, JUDICIARY, event
from realdata_paths import require_realdata
from sqlalchemy import func, select
from sqlmodel import Session

from tracker.exports.packet import default_hearing_lookup
from tracker.ingest import IngestItem, Ingestor
from tracker.models import Hearing, HearingItem
from tracker.overview import upcoming_hearings
from tracker.records import HearingRecord, ParseError
from tracker.sources.openstates import parse_bill, parse_event_object, parse_events_page
from tracker.votes import hearings_for_bill

PAGE_URL = "https://v3.openstates.org/events?jurisdiction=al&page=1"


def page(results: list[Any], page: int = 1, max_page: int = 1) -> bytes:
    return json.dumps({"results": results, "pagination": {"per_page": 20, "page": page, "max_page": max_page,
                                                          "total_items": len(results)}}).encode()


def test_event_becomes_a_hearing() -> None:
    hearing = parse_event_object(event(), "e")
    assert (hearing.source_name, hearing.source_key) == ("openstates", JUDICIARY["id"])
    assert (hearing.jurisdiction.id, hearing.jurisdiction.level) == ("al", "state")  # as bills get theirs
    assert (hearing.date, hearing.time) == (dt.date(2026, 3, 4), "09:30")
    assert hearing.body == "House Judiciary Committee"  # the host, not the first organization listed
    assert hearing.description == "Public hearing on bills referred to the committee."
    assert (hearing.location, hearing.status, hearing.cancelled) == ("State House, Room 200", "confirmed", False)
    assert hearing.url == "https://alison.legislature.state.al.us/meetings/1234"  # javascript: link skipped
    assert hearing.agenda_url == "https://alison.legislature.state.al.us/agenda-1234.pdf"  # file: link skipped
    call, hb100, unknown = hearing.items
    assert (call.sequence, call.title, call.bill_source_key, call.bill_identifier) == (1, "Call to order", None, None)
    assert (hb100.sequence, hb100.bill_source_key, hb100.bill_identifier, hb100.session_identifier) == (
        2, HB100_OCD, "HB 100", "2025rs")
    assert hb100.action_text == "Public hearing; Vote expected"
    assert (unknown.sequence, unknown.bill_source_key, unknown.bill_identifier) == (2, None, "HB 9999")


def test_times_as_written_and_days_without_time() -> None:
    # A late hearing in Central time stays on its own day (UTC would move it to March 5th).
    late = parse_event_object(event(start_date="2026-03-04T21:00:00-06:00"), "e")
    assert (late.date, late.time) == (dt.date(2026, 3, 4), "21:00")
    assert parse_event_object(event(start_date="2026-03-04T15:00:00Z"), "e").time == "15:00"
    date_only = parse_event_object(event(start_date="2026-03-04"), "e")
    assert (date_only.date, date_only.time) == (dt.date(2026, 3, 4), None)
    assert parse_event_object(event(start_date="2026-03-04T09:00:00", all_day=True), "e").time is None
    assert parse_event_object(event(start_date="2026-03-04T00:00:00-06:00"), "e").time is None


def test_cancelled_and_deleted_events() -> None:
    cancelled = parse_event_object(event(status="cancelled"), "e")
    assert (cancelled.status, cancelled.cancelled) == ("cancelled", True)
    deleted = parse_event_object(event(deleted=True), "e")
    assert (deleted.status, deleted.cancelled) == ("deleted", True)
    assert parse_event_object(event(status="tentative"), "e").cancelled is False


def test_body_url_and_agenda_fallbacks() -> None:
    people_only = [p for p in JUDICIARY["participants"] if p["entity_type"] == "person"]
    bare = parse_event_object(event(participants=people_only, links=[], sources=[], documents=[],
                                    description=""), "e")
    assert (bare.body, bare.description) == ("House Judiciary", None)  # the event's name, not repeated
    assert bare.url == f"https://v3.openstates.org/events/{JUDICIARY['id']}"  # where it came from
    assert bare.agenda_url is None
    no_host = [{**p, "note": "participant"} for p in JUDICIARY["participants"]]
    listed = parse_event_object(event(participants=no_host, links=[{"url": "https://x.test/a", "note": "Agenda"}],
                                      documents=[]), "e")
    assert listed.body == "House Ways and Means"  # no host noted: the first organization
    assert listed.description == "Public hearing on bills referred to the committee."
    assert listed.agenda_url == "https://x.test/a"  # an agenda link, not taken as the event's page
    assert listed.url == "https://alison.legislature.state.al.us/todays-schedule"
    assert parse_event_object(event(agenda=[]), "e").items == []


def test_a_bad_event_is_reported_with_its_id_and_the_page_goes_on() -> None:
    bad_date = event(id="ocd-event/bad-date", start_date="TBD")
    no_state = event(id="ocd-event/no-state", jurisdiction={"id": "ocd-jurisdiction/country:us/government"})
    parsed = parse_events_page(page([event(), bad_date, no_state, {"name": "no id"}, 7], 1, 2), PAGE_URL)
    assert (parsed.page, parsed.max_page, parsed.total_items) == (1, 2, 5)
    good, *errors = parsed.hearings
    assert isinstance(good, HearingRecord) and all(isinstance(e, ParseError) for e in errors)
    assert [(e.locator, e.reason) for e in errors if isinstance(e, ParseError)] == [
        (f"{PAGE_URL}#event/ocd-event/bad-date", "invalid start_date 'TBD'"),
        (f"{PAGE_URL}#event/ocd-event/no-state", "missing jurisdiction: no ocd-jurisdiction id with a state"),
        (f"{PAGE_URL}#results[3]", "event without id"),
        (f"{PAGE_URL}#results[4]", "result is not an object"),
    ]
    empty = parse_events_page(page([]), PAGE_URL)
    assert (empty.hearings, empty.max_page) == ([], 1)  # a state without events: not an error


@pytest.mark.parametrize(("body", "reason"), [
    (b"", "empty response body"),
    (b'{"results": [{"id": "ocd-event/1", "na', "not JSON (truncated or malformed body?)"),
    (b'{"detail": "invalid page 9"}', "API error: invalid page 9"),
    (b'{"results": {}, "pagination": {}}', "missing 'results' list in the response"),
    (b'[]', "missing 'results' list in the response"),
    (b'{"results": [], "pagination": {"page": "one"}}', "pagination is not numbers"),
])
def test_a_malformed_page_names_the_url_and_the_reason(body: bytes, reason: str) -> None:
    with pytest.raises(ParseError) as caught:
        parse_events_page(body, PAGE_URL)
    assert caught.value.locator == PAGE_URL and caught.value.reason.startswith(reason)


def count(session: Session, model: type) -> int:
    return session.execute(select(func.count()).select_from(model)).scalar_one()


@pytest.mark.realdata
def test_stored_linked_idempotent_moved_and_upcoming(session: Session) -> None:
    path = require_realdata("openstates", "scrape_AL2025", "bills", "HB100__20250129T050000Z_entire_bill.json")
    ingestor = Ingestor(session)
    ingestor.ingest([IngestItem(record=parse_bill(path.read_bytes(), str(path)))])
    session.commit()
    day = dt.date.today() + dt.timedelta(days=7)
    live = event(start_date=f"{day}T09:30:00-06:00")
    cancelled = event(id="ocd-event/cancelled", status="cancelled", start_date=f"{day}T13:00:00-06:00")

    def ingest(*events: dict[str, Any]) -> None:
        records = [h for h in parse_events_page(page(list(events)), PAGE_URL).hearings
                   if isinstance(h, HearingRecord)]
        ingestor.ingest_hearings(records)
        session.commit()
        session.expire_all()

    ingest(live, cancelled)
    # The bulk bill's source key is not the ocd-bill id: the agenda item finds it by identifier and session.
    linked = dict(session.execute(select(HearingItem.bill_identifier, HearingItem.bill_id)
                                  .where(HearingItem.bill_identifier.is_not(None))).all())
    bill_id = linked["HB 100"]
    assert bill_id is not None and linked["HB 9999"] is None  # an unknown bill is kept, unlinked
    rows = session.execute(select(Hearing.id, Hearing.source_key, Hearing.date, Hearing.time, Hearing.cancelled,
                                  Hearing.last_fetched_at).order_by(Hearing.id)).all()
    items = count(session, HearingItem)
    assert [(r.source_key, r.cancelled) for r in rows] == [(JUDICIARY["id"], False), ("ocd-event/cancelled", True)]

    # Where hearings are read: the overview, the packet's "next hearing", the bill page. Cancelled: not the next
    # hearing; listed as cancelled among the upcoming ones.
    upcoming = upcoming_hearings(session, tracked_only=False)
    assert [(h["id"], h["date"], h["time"], h["body"], h["status"]) for h in upcoming] == [
        (bill_id, day, "09:30", "House Judiciary Committee", None),
        (bill_id, day, "13:00", "House Judiciary Committee", "Cancelled")]
    assert upcoming[0]["bill"] == "AL HB 100 (2025 Regular)"  # with its session, as the moved list names bills
    lookup = default_hearing_lookup(session)
    assert lookup is not None and lookup(session, [bill_id], dt.date.today())[bill_id].date == day
    assert [(h["source"], h["cancelled"]) for h in hearings_for_bill(session, bill_id)] == [
        ("openstates", False), ("openstates", True)]

    ingest(live, cancelled)  # the same events again: the same rows, not even a fetch stamp moves
    assert session.execute(select(Hearing.id, Hearing.source_key, Hearing.date, Hearing.time, Hearing.cancelled,
                                  Hearing.last_fetched_at).order_by(Hearing.id)).all() == rows
    assert count(session, HearingItem) == items

    moved = {**live, "start_date": f"{day + dt.timedelta(days=1)}T14:00:00-06:00"}
    ingest(moved, cancelled)  # rescheduled: the same row, moved
    hearing = session.execute(select(Hearing).where(Hearing.source_key == JUDICIARY["id"])).scalar_one()
    assert (hearing.id, hearing.date, hearing.time) == (rows[0].id, day + dt.timedelta(days=1), "14:00")
    assert (count(session, Hearing), count(session, HearingItem)) == (2, items)
