"""The ``openstates`` spider's hearings (API v3 ``/events``) end to end against the local feed server, the spider
run as a subprocess like ``tracker crawl`` runs it. The bills are real (Alabama 2025, openstates/scrape_AL2025)
and crawled through the same run's ``/bills`` pages; the events are written from the published Open States API
v3 Event schema (tests/openstates_events.py: no public sample of ``/events`` exists in realdata)."""

import datetime as dt
import json
from typing import Any
from urllib.parse import parse_qs

import pytest
from crawl_helpers import API_KEY, count, last_run, run_spider
from feedserver import Fault, FeedServer
from openstates_events import HB100_OCD, JUDICIARY, event
from realdata_paths import require_realdata
from sqlalchemy import select
from sqlmodel import Session
from statefeeds import OpenStatesMirror

from tracker.crawling import EXIT_FAILED, EXIT_OK, EXIT_PARTIAL
from tracker.models import Bill, CrawlError, Hearing, HearingItem
from tracker.overview import upcoming_hearings

pytestmark = [pytest.mark.realdata, pytest.mark.slow]
TODAY = dt.date.today()
AK = "ocd-jurisdiction/country:us/state:ak/government"
SOON = TODAY + dt.timedelta(days=10)


def al_bills(mirror: OpenStatesMirror, *names: str, updated_at: str = "2025-07-01T12:00:00") -> None:
    folder = require_realdata("openstates", "scrape_AL2025", "bills")
    for name in names:
        path = next(folder.glob(f"{name}__*.json"))
        mirror.add(json.loads(path.read_bytes()), updated_at, HB100_OCD if name == "HB100" else None)


def floor_session(n: int) -> dict[str, Any]:
    """A floor session with no agenda and no committee: the body is the event's name."""
    return event(id=f"ocd-event/floor-{n:02d}", name="House Floor Session", participants=[], agenda=[],
                 documents=[], start_date=f"{SOON + dt.timedelta(days=n)}T10:00:00-06:00")


def events_queries(feed: FeedServer) -> list[dict[str, list[str]]]:
    return [parse_qs(h.query) for h in feed.requests("openstates/events")]


def hearings(session: Session) -> list[tuple[Any, ...]]:
    session.expire_all()
    return [tuple(r) for r in session.execute(
        select(Hearing.id, Hearing.source_key, Hearing.date, Hearing.time, Hearing.body, Hearing.cancelled,
               Hearing.last_fetched_at).order_by(Hearing.id)).all()]


def agenda_rows(session: Session) -> list[tuple[Any, ...]]:
    return [tuple(r) for r in session.execute(
        select(Hearing.source_key, HearingItem.sequence, HearingItem.title, HearingItem.bill_identifier,
               HearingItem.bill_id).join(Hearing, Hearing.id == HearingItem.hearing_id)
        .order_by(Hearing.source_key, HearingItem.sequence, HearingItem.bill_identifier)).all()]


def utc_today() -> dt.date:
    return dt.datetime.now(dt.UTC).date()


def test_events_stored_linked_paged_idempotent_and_moved(state_env: dict[str, str], feed: FeedServer,
                                                         session: Session) -> None:
    mirror = OpenStatesMirror(feed, API_KEY)
    al_bills(mirror, "HB100", "HB101", "HB102")
    hearing = event(start_date=f"{SOON}T09:30:00-06:00")
    unknown = event(id="ocd-event/unknown-bill", start_date=f"{SOON}T13:00:00-06:00", agenda=[{
        "description": "HB 9999", "order": 1, "related_entities": [
            {"entity_type": "bill", "name": "HB 9999",
             "bill": {"id": "ocd-bill/not-crawled", "session": "2025rs", "identifier": "HB 9999"}}]}])
    cancelled = event(id="ocd-event/cancelled", status="cancelled", start_date=f"{SOON}T15:00:00-06:00")
    malformed = event(id="ocd-event/malformed", start_date="TBD")
    deleted = event(id="ocd-event/deleted", deleted=True, start_date=f"{SOON}T16:00:00-06:00")
    past = event(id="ocd-event/long-ago", start_date=f"{TODAY - dt.timedelta(days=60)}T09:00:00-06:00")
    mirror.events = [hearing, unknown, cancelled, malformed, deleted, past, *map(floor_session, range(1, 19))]
    env = {**state_env, "OPENSTATES_API_KEY": API_KEY}

    # The spider reads the clock itself: a run that crosses midnight (UTC) may take either day's window.
    windows = {utc_today() - dt.timedelta(days=30)}
    done = run_spider(env, "openstates", "-a", "states=al")
    windows.add(utc_today() - dt.timedelta(days=30))
    assert done.returncode == EXIT_PARTIAL, done.stderr[-3000:]  # the malformed event is an error
    run = last_run(session)
    assert (run.new, run.failed) == (3, 1) and "3 listed" in (run.message or "")  # events are not bills
    assert (run.args or {})["stats"]["events_listed"] == 23  # 22 live (2 pages) + 1 deleted; the past one not
    error = session.execute(select(CrawlError.locator, CrawlError.reason)).one()
    assert error.locator.endswith("#event/ocd-event/malformed") and "/events?" in error.locator
    assert error.reason == "event: invalid start_date 'TBD'"

    queries = events_queries(feed)
    assert sorted((q["page"][0], q.get("deleted", [""])[0]) for q in queries) == [("1", ""), ("1", "true"),
                                                                                  ("2", "")]
    [first_window] = {q["after"][0] for q in queries}  # one window for every page of both listings
    assert first_window in {w.isoformat() for w in windows}
    for q in queries:
        assert (q["jurisdiction"], q["after"], q["per_page"]) == (["al"], [first_window], ["20"])
        assert {"agenda", "participants", "documents"} <= set(q["include"])
    assert all(h.headers.get("x-api-key") == API_KEY for h in feed.requests("openstates/events"))

    stored = {r[1]: r for r in hearings(session)}
    assert len(stored) == 22 and "ocd-event/long-ago" not in stored and "ocd-event/malformed" not in stored
    assert stored[JUDICIARY["id"]][2:6] == (SOON, "09:30", "House Judiciary Committee", False)
    assert stored["ocd-event/cancelled"][5] and stored["ocd-event/deleted"][5]
    assert stored["ocd-event/floor-01"][4] == "House Floor Session"
    hb100 = session.execute(select(Bill.id).where(Bill.identifier == "HB 100")).scalar_one()
    links = {(key, ident): bill_id for key, _, _, ident, bill_id in agenda_rows(session) if ident}
    assert links[(JUDICIARY["id"], "HB 100")] == hb100  # linked by the ocd-bill id the bills page gave it
    assert links[("ocd-event/unknown-bill", "HB 9999")] is None  # stored, its bill not (yet) known
    upcoming = upcoming_hearings(session, tracked_only=False)
    assert [(h["id"], h["date"], h["time"], h["status"]) for h in upcoming] == [
        (hb100, SOON, "09:30", None), (hb100, SOON, "15:00", "Cancelled"),  # the cancelled said so, not dropped
        (hb100, SOON, "16:00", "Cancelled")]  # and the deleted (called off upstream)

    # The same events again: the same rows, no duplicates, not even a fetch stamp moved.
    before, items = hearings(session), agenda_rows(session)
    again = run_spider(env, "openstates", "-a", "states=al")
    assert again.returncode == EXIT_PARTIAL, again.stderr[-3000:]
    assert (hearings(session), agenda_rows(session)) == (before, items)

    # The hearing moves to the next day and the malformed event is fixed: the row moves, nothing is added.
    mirror.events[0] = {**hearing, "start_date": f"{SOON + dt.timedelta(days=1)}T14:00:00-06:00"}
    mirror.events[3] = {**malformed, "start_date": f"{SOON}T08:00:00-06:00"}
    moved = run_spider(env, "openstates", "-a", "states=al")
    assert moved.returncode == EXIT_OK, moved.stderr[-3000:]
    after = {r[1]: r for r in hearings(session)}
    row_id = {r[1]: r[0] for r in before}[JUDICIARY["id"]]
    assert after[JUDICIARY["id"]][:4] == (row_id, JUDICIARY["id"], SOON + dt.timedelta(days=1), "14:00")
    assert len(after) == 23 and count(session, HearingItem) == len(items) + 3  # its call to order, HB 100, 9999

    # After a successful run, only hearings from its window on (its start minus the overlap).
    started = last_run(session).started_at
    feed.reset_log()
    incremental = run_spider(env, "openstates", "-a", "states=al")
    assert incremental.returncode == EXIT_OK, incremental.stderr[-3000:]
    window = (started - dt.timedelta(hours=24)).date().isoformat()
    assert {q["after"][0] for q in events_queries(feed)} == {window}
    assert len(hearings(session)) == 23


def test_event_faults_and_the_empty_listing_verdicts(state_env: dict[str, str], feed: FeedServer,
                                                     session: Session) -> None:
    mirror = OpenStatesMirror(feed, API_KEY)
    env = {**state_env, "OPENSTATES_API_KEY": API_KEY}
    # A state without events: bills only, and a clean run.
    al_bills(mirror, "HB100")
    done = run_spider(env, "openstates", "-a", "states=al")
    assert done.returncode == EXIT_OK, done.stderr[-3000:]
    assert (last_run(session).status, last_run(session).new, count(session, Hearing)) == ("succeeded", 1, 0)

    # A truncated events page and one that keeps failing: both recorded with the URL, the bills still stored.
    mirror.bills.clear()
    al_bills(mirror, "HB101", updated_at=dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S"))  # changed since
    mirror.events = [event(start_date=f"{SOON}T09:30:00-06:00")]
    feed.fault("openstates/events", Fault("short"), Fault("status", 500, times=3))
    faulty = run_spider(env, "openstates", "-a", "states=al")
    assert faulty.returncode == EXIT_PARTIAL, faulty.stderr[-3000:]
    run = last_run(session)
    assert (run.new, count(session, Hearing)) == (1, 0)
    errors = session.execute(select(CrawlError.locator, CrawlError.reason).where(CrawlError.run_id == run.id)).all()
    assert all("/openstates/events?jurisdiction=al&" in locator for locator, _ in errors)
    assert sorted(reason.split(" (")[0] for _, reason in errors) == [
        "event list: HTTP 500 Internal Server Error", "event list: not JSON"]
    feed.clear_faults()

    # A full bills listing (Alaska's first run: no updated_since) that names no bill stays a loud failure,
    # whatever the events listing holds.
    mirror.bills.clear()
    mirror.events = [event(id="ocd-event/ak", start_date=f"{SOON}T09:00:00-09:00",
                           jurisdiction={**JUDICIARY["jurisdiction"], "id": AK, "name": "Alaska"})]
    empty = run_spider(env, "openstates", "-a", "states=ak")
    assert empty.returncode == EXIT_FAILED, empty.stderr[-3000:]
    run = last_run(session)
    assert run.status == "failed" and "Open States listed no bills where a full list was expected" in run.message
    assert count(session, Hearing) == 1  # the hearings read are still kept
