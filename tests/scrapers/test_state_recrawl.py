"""Re-crawling the state and city feeds when an upstream stamp moved and the bill did not: nothing is written,
so a bill staff reviewed stays out of the triage inbox (its rule: ``Bill.last_changed_at`` after the review)."""

import datetime as dt
import json

import pytest
from crawl_helpers import API_KEY, last_run, run_spider
from feedserver import FeedServer
from realdata_paths import require_realdata
from sqlalchemy import select
from sqlmodel import Session
from statefeeds import LegiScanMirror, LegistarMirror, OpenStatesMirror

from tracker.crawling import EXIT_OK
from tracker.models import Bill, BillChange

pytestmark = [pytest.mark.realdata, pytest.mark.slow]


def changed_at(session: Session) -> dict[str, dt.datetime]:
    session.expire_all()
    return {identifier: at for identifier, at in session.execute(select(Bill.identifier, Bill.last_changed_at))}


def crawl(env: dict[str, str], session: Session, name: str, *args: str) -> tuple[int, int]:
    done = run_spider(env, name, *args)
    assert done.returncode == EXIT_OK, done.stderr[-3000:]
    run = last_run(session)
    return run.new, run.updated


def test_a_moved_stamp_alone_writes_nothing(state_env: dict[str, str], feed: FeedServer, session: Session) -> None:
    env = {**state_env, "OPENSTATES_API_KEY": API_KEY, "LEGISCAN_API_KEY": API_KEY}
    states = OpenStatesMirror(feed, API_KEY)
    for path in sorted(require_realdata("openstates", "scrape_AL2025", "bills").glob("HB1[0-9]__*.json")):
        states.add(json.loads(path.read_bytes()), "2025-07-01T12:00:00")
    legiscan = LegiScanMirror(feed, API_KEY)
    folder = require_realdata("legiscan", "dataset_json")
    real_text = json.loads((folder / "text" / "101038.json").read_bytes())["text"]
    for name in ("HB1", "HB2"):
        payload = json.loads((folder / "bill" / f"{name}.json").read_bytes())
        legiscan.add(payload)
        for text in payload["bill"]["texts"]:
            legiscan.texts[str(text["doc_id"])] = {"status": "OK", "text": {**real_text, "doc_id": text["doc_id"]}}
    legistar = LegistarMirror(feed, "chicago")
    histories = json.loads(require_realdata("legistar", "chicago", "no_dupe_event.json").read_bytes())
    legistar.add_matter({"MatterId": 100, "MatterFile": "O2013-1234", "MatterTitle": "Card payments ordinance",
                         "MatterTypeName": "Ordinance", "MatterIntroDate": "2013-03-13T00:00:00",
                         "MatterLastModifiedUtc": "2014-05-24T04:10:20.03"}, {"histories": histories})
    feeds = [("openstates", "-a", "states=al"), ("legiscan", "-a", "states=ak"), ("legistar", "-a", "clients=chicago")]
    for name, *args in feeds:
        assert crawl(env, session, name, *args)[0] > 0
    before = changed_at(session)
    changes = session.execute(select(BillChange.id)).scalars().all()

    # Upstream touched every bill without changing anything a record holds: Open States' updated_at, LegiScan's
    # change_hash, Legistar's MatterLastModifiedUtc all moved (edits to fields the tracker does not store).
    now = dt.datetime.now(dt.UTC)
    for bill in states.bills:
        bill["updated_at"] = now.strftime("%Y-%m-%dT%H:%M:%S")
    for payload in legiscan.bills.values():
        payload["bill"]["change_hash"] = "f" * 32
    legistar.matters[0]["MatterLastModifiedUtc"] = now.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3]
    for name, *args in feeds:
        assert crawl(env, session, name, *args) == (0, 0), name  # each bill was 'updated' before
    assert changed_at(session) == before
    assert session.execute(select(BillChange.id)).scalars().all() == changes

    # A real change still gets through, once.
    states.bills[0]["title"] += " (as amended)"
    states.bills[0]["updated_at"] = (now + dt.timedelta(seconds=5)).strftime("%Y-%m-%dT%H:%M:%S")
    assert crawl(env, session, "openstates", "-a", "states=al") == (0, 1)
    after = changed_at(session)
    assert [k for k in before if after[k] != before[k]] == [states.bills[0]["identifier"].replace("HB", "HB ")]
