"""Roll calls and calendar hearings through a LegiScan crawl (the spider as a subprocess, against the local feed
server): the real Arkansas HB 1044 ``getBill`` payload with its two roll calls, plus a ``calendar[]`` entry
written for this test from the LegiScan API manual (no public sample has one)."""

import datetime as dt
import json

import pytest
from crawl_helpers import API_KEY, run_spider
from feedserver import FeedServer
from realdata_paths import require_realdata
from sqlalchemy import select
from sqlmodel import Session
from statefeeds import LegiScanMirror

from tracker.crawling import EXIT_OK
from tracker.models import BillSource, Hearing, HearingItem, VoteEvent

pytestmark = [pytest.mark.realdata, pytest.mark.slow]


def test_legiscan_crawl_stores_roll_calls_and_calendar(crawl_env: dict[str, str], feed: FeedServer,
                                                       session: Session) -> None:
    env = {**crawl_env, "LEGISCAN_BASE_URL": feed.url + "legiscan/", "LEGISCAN_API_KEY": API_KEY}
    mirror = LegiScanMirror(feed, API_KEY)
    folder = require_realdata("legiscan", "dataset_json")
    payload = json.loads((folder / "bill" / "HB1044.json").read_bytes())
    day = dt.date.today() + dt.timedelta(days=5)
    payload["bill"]["calendar"] = [{"type_id": 1, "type": "Hearing", "date": day.isoformat(), "time": "09:00",
                                    "location": "Room 138", "description": "Senate Public Health"}]
    mirror.add(payload)
    real_text = json.loads((folder / "text" / "101038.json").read_bytes())["text"]
    for text in payload["bill"]["texts"]:
        mirror.texts[str(text["doc_id"])] = {"status": "OK", "text": {**real_text, "doc_id": text["doc_id"]}}

    done = run_spider(env, "legiscan", "-a", "states=ar")
    assert done.returncode == EXIT_OK, done.stderr[-3000:]
    bill_id = session.execute(select(BillSource.bill_id).where(BillSource.source_key == "396373")).scalar_one()
    votes = session.execute(select(VoteEvent).where(VoteEvent.bill_id == bill_id)
                            .order_by(VoteEvent.date)).scalars().all()
    assert [(v.source_key, v.chamber, v.yes_count, v.no_count) for v in votes] == [
        ("155205", "lower", 94, 0), ("155206", "upper", 34, 0)]
    hearing = session.execute(select(Hearing)).scalar_one()
    assert (hearing.date, hearing.time, hearing.location) == (day, "09:00", "Room 138")
    assert session.execute(select(HearingItem.bill_id)).scalar_one() == bill_id

    # The hearing moves a day and LegiScan's change_hash moves with it: the bill is fetched again, the hearing
    # follows, and the roll calls, unchanged, keep their rows.
    payload["bill"]["calendar"][0]["date"] = (day + dt.timedelta(days=1)).isoformat()
    payload["bill"]["change_hash"] = "c" * 32
    again = run_spider(env, "legiscan", "-a", "states=ar")
    assert again.returncode == EXIT_OK, again.stderr[-3000:]
    session.expire_all()
    assert session.execute(select(Hearing.date)).scalars().all() == [day + dt.timedelta(days=1)]
    assert [v.id for v in session.execute(select(VoteEvent).order_by(VoteEvent.date)).scalars()] == [
        v.id for v in votes]
