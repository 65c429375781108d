"""State and city spiders on damaged input, against the local feed server: what breaks is recorded on the run
with its URL and reason, the rest goes on, and a run that could store nothing says so with a failing exit code.
Bill content is real (statefeeds.py, pubinfo_archives.py say which); the damage is done here."""

import datetime as dt
import json
from urllib.parse import quote

import pytest
from crawl_helpers import API_KEY, last_run, run_spider
from feedserver import Fault, FeedServer
from pubinfo_archives import complete_archive, damage_member, full_archive_without_bill_rows
from realdata_paths import require_realdata
from sqlalchemy import func, select
from sqlmodel import Session
from statefeeds import LegiScanMirror, LegistarMirror, OpenStatesMirror
from test_state_crawls import INDEX

from tracker.crawling import EXIT_FAILED, EXIT_OK, EXIT_PARTIAL
from tracker.models import Bill, BillVersion, CrawlError

pytestmark = [pytest.mark.realdata, pytest.mark.slow]

STAMP = dt.datetime(2026, 11, 24, 5, 38, tzinfo=dt.UTC)


def errors(session: Session, run_id: int) -> list[tuple[str, str]]:
    return [tuple(e) for e in session.execute(select(CrawlError.locator, CrawlError.reason)
                                              .where(CrawlError.run_id == run_id).order_by(CrawlError.id))]


def test_california_damaged_zip_member_fails_the_run_and_names_the_member(state_env: dict[str, str],
                                                                          feed: FeedServer, session: Session) -> None:
    # The member's deflated bytes are damaged: zipfile raises zlib.error, which escaped the spider's callback, so
    # the run "succeeded" with nothing stored and no error.
    feed.put("pubinfo/", INDEX, content_type="text/html")
    feed.put("pubinfo/pubinfo_daily_Mon.zip", damage_member(complete_archive(), "BILL_HISTORY_TBL.dat"),
             content_type="application/zip", last_modified=STAMP)
    done = run_spider(state_env, "california")
    assert done.returncode == EXIT_FAILED, done.stderr[-3000:]
    run = last_run(session)
    assert (run.status, run.new) == ("failed", 0)
    [(where, reason)] = errors(session, run.id)
    assert where.endswith("/pubinfo_daily_Mon.zip") and "member BILL_HISTORY_TBL.dat is damaged" in reason

    feed.put("pubinfo/pubinfo_daily_Mon.zip", complete_archive(), content_type="application/zip",
             last_modified=STAMP + dt.timedelta(minutes=1))
    fixed = run_spider(state_env, "california")  # the archive was not remembered: fetched again, and stored
    assert fixed.returncode == 0, fixed.stderr[-3000:]
    assert (last_run(session).status, last_run(session).new) == ("succeeded", 4)


def test_a_crash_in_a_callback_is_recorded_on_the_run(state_env: dict[str, str], feed: FeedServer,
                                                       session: Session) -> None:
    # An index row with an impossible day makes the index parser raise. Scrapy only logs what a callback raises:
    # the run said "see the run's errors" and had none. Now the response's URL and the exception are recorded.
    feed.put("pubinfo/", INDEX.replace(b"2026-11-23 21:38", b"2026-02-30 21:38"), content_type="text/html")
    done = run_spider(state_env, "california")
    assert done.returncode == EXIT_FAILED, done.stderr[-3000:]
    run = last_run(session)
    assert run.status == "failed" and "see the run's errors" in (run.message or "")
    [(where, reason)] = errors(session, run.id)
    assert where == feed.url + "pubinfo/" and "ValueError: day is out of range for month" in reason


def test_legistar_token_stays_out_of_recorded_errors(state_env: dict[str, str], feed: FeedServer,
                                                     session: Session) -> None:
    mirror = LegistarMirror(feed, "chicago")
    histories = json.loads(require_realdata("legistar", "chicago", "no_dupe_event.json").read_bytes())
    for matter_id in (100, 101):
        mirror.add_matter({"MatterId": matter_id, "MatterFile": f"O2013-{matter_id}", "MatterTitle": "Ordinance",
                           "MatterTypeName": "Ordinance", "MatterIntroDate": "2013-03-13T00:00:00",
                           "MatterLastModifiedUtc": "2014-05-24T04:10:20.03"}, {"histories": histories})
    feed.fault("legistar/chicago/matters/100/histories", Fault("short", times=None))  # malformed JSON
    feed.fault("legistar/chicago/events", Fault("short", times=None))
    env = {**state_env, "LEGISTAR_TOKEN": "s3cret-token"}
    done = run_spider(env, "legistar", "-a", "clients=chicago")
    assert done.returncode == EXIT_PARTIAL, done.stderr[-3000:]
    run = last_run(session)
    found = errors(session, run.id)
    assert len(found) == 2 and all("not JSON" in reason for _, reason in found), found
    assert found[0][0].endswith("/legistar/chicago/matters/100/histories") or found[1][0].endswith(
        "/legistar/chicago/matters/100/histories"), found
    assert any("/legistar/chicago/events?" in where for where, _ in found), found
    assert all("s3cret-token" not in where and "token=" not in where for where, _ in found), found
    assert session.execute(select(Bill.identifier)).scalars().all() == ["O2013-101"]


def test_a_scrape_that_lists_nothing_fails_loudly(state_env: dict[str, str], feed: FeedServer,
                                                  session: Session) -> None:
    # Each of these succeeded with 0 bills: a LegiScan master list naming no bill (it always holds the whole
    # session), a Legistar client's first, unfiltered matter list with no matter, and a full pubinfo archive
    # whose BILL_TBL.dat is empty. Open States already failed on its empty full list; now all four do.
    LegiScanMirror(feed, API_KEY)
    done = run_spider({**state_env, "LEGISCAN_API_KEY": API_KEY}, "legiscan", "-a", "states=ak")
    assert done.returncode == EXIT_FAILED, done.stderr[-3000:]
    assert last_run(session).status == "failed"
    assert "LegiScan's master list named no bill" in (last_run(session).message or "")

    LegistarMirror(feed, "chicago")
    done = run_spider(state_env, "legistar", "-a", "clients=chicago")
    assert done.returncode == EXIT_FAILED, done.stderr[-3000:]
    assert "Legistar listed no matter where a full list was expected" in (last_run(session).message or "")

    feed.put("pubinfo/", INDEX, content_type="text/html")
    feed.put("pubinfo/pubinfo_daily_Mon.zip", full_archive_without_bill_rows(), content_type="application/zip",
             last_modified=STAMP)
    done = run_spider(state_env, "california")
    assert done.returncode == EXIT_FAILED, done.stderr[-3000:]
    [(where, reason)] = errors(session, last_run(session).id)
    assert where.endswith("/pubinfo_daily_Mon.zip") and "BILL_TBL.dat holds no bill" in reason


def test_legistar_run_fails_when_no_matter_list_could_be_read(state_env: dict[str, str], feed: FeedServer,
                                                              session: Session) -> None:
    # The event list answering was enough for the run to count as 'partial' with no matter read at all.
    mirror = LegistarMirror(feed, "chicago")
    mirror.add_matter({"MatterId": 100, "MatterFile": "O2013-100", "MatterTitle": "Ordinance",
                       "MatterIntroDate": "2013-03-13T00:00:00", "MatterLastModifiedUtc": "2014-05-24T04:10:20.03"}, {})
    feed.fault("legistar/chicago/matters", Fault("status", 500, times=None))
    done = run_spider(state_env, "legistar", "-a", "clients=chicago", "-s", "RETRY_TIMES=0")
    assert done.returncode == EXIT_FAILED, done.stderr[-3000:]
    run = last_run(session)
    assert run.status == "failed" and "no matter list could be read from Legistar" in (run.message or "")
    [(where, reason)] = errors(session, run.id)
    assert "/legistar/chicago/matters?" in where and reason == "list: HTTP 500 Internal Server Error"


def test_legiscan_texts_that_failed_are_fetched_on_the_next_run(state_env: dict[str, str], feed: FeedServer,
                                                                session: Session) -> None:
    mirror = LegiScanMirror(feed, API_KEY)
    folder = require_realdata("legiscan", "dataset_json")
    mirror.add(json.loads((folder / "bill" / "HB2.json").read_bytes()))  # two texts
    real_text = json.loads((folder / "text" / "101038.json").read_bytes())["text"]
    for text in mirror.bills["230085"]["bill"]["texts"]:
        mirror.texts[str(text["doc_id"])] = {"status": "OK", "text": {**real_text, "doc_id": text["doc_id"]}}
    answer = feed.routes["/legiscan/"]
    down = {"texts": True}

    def api(query: dict[str, list[str]], headers: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
        if down["texts"] and query.get("op", [""])[0] == "getBillText":
            return 503, {}, b"Service Unavailable"  # LegiScan's texts are out for the run
        return answer(query, headers)

    feed.route("legiscan/", api)
    env = {**state_env, "LEGISCAN_API_KEY": API_KEY}
    done = run_spider(env, "legiscan", "-a", "states=ak", "-s", "RETRY_TIMES=0")
    assert done.returncode == EXIT_PARTIAL, done.stderr[-3000:]
    assert (last_run(session).new, last_run(session).failed) == (1, 2)

    # The bill's change_hash did not move: it was skipped, and its versions stayed without text for good.
    down["texts"] = False
    again = run_spider(env, "legiscan", "-a", "states=ak")
    assert again.returncode == EXIT_OK, again.stderr[-3000:]
    session.expire_all()
    texts = session.execute(select(BillVersion.text).where(BillVersion.code.in_(["153160", "597676"]))).scalars()
    assert [(t or "").startswith("BILL NUMBER: SB 7") for t in texts] == [True, True]
    feed.reset_log()
    third = run_spider(env, "legiscan", "-a", "states=ak")  # all stored now: nothing fetched again
    assert third.returncode == EXIT_OK, third.stderr[-3000:]
    assert [h.query for h in feed.requests("legiscan/") if "op=getBill" in h.query] == []


def test_openstates_listing_cut_short_by_the_daily_quota_resumes(state_env: dict[str, str], feed: FeedServer,
                                                                 session: Session) -> None:
    # The default tier allows 250 requests a day (FORMATS.md section 3), so a big state's first listing stops at a
    # 429 part way. Each run started again from page 1 and stopped at the same page: the state never finished.
    mirror = OpenStatesMirror(feed, API_KEY)
    files = sorted(require_realdata("openstates", "scrape_AL2025", "bills").glob("*.json"))[:45]
    for n, path in enumerate(files):
        mirror.add(json.loads(path.read_bytes()), f"2025-07-{1 + n // 2:02d}T{n % 24:02d}:00:00")
    answer = feed.routes["/openstates/bills"]
    quota = {"left": 0}

    def limited(query: dict[str, list[str]], headers: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
        if quota["left"] <= 0:
            return 429, {"Content-Type": "application/json"}, b'{"detail": "exceeded limit of 2/day: 3"}'
        quota["left"] -= 1
        return answer(query, headers)

    feed.route("openstates/bills", limited)
    env = {**state_env, "OPENSTATES_API_KEY": API_KEY}
    args = ("-a", "states=al", "-s", "RETRY_AFTER_DEFAULT=0.1", "-s", "RATE_LIMIT_RETRY_TIMES=0")
    quota["left"] = 2  # two pages of 20 a day
    done = run_spider(env, "openstates", *args)
    assert done.returncode == EXIT_PARTIAL, done.stderr[-3000:]
    assert session.execute(select(func.count()).select_from(Bill)).scalar_one() == 40

    feed.reset_log()
    quota["left"] = 2
    done = run_spider(env, "openstates", *args)  # read page 1 and stopped on page 3 again, every day
    assert done.returncode == EXIT_OK, done.stderr[-3000:]
    assert session.execute(select(func.count()).select_from(Bill)).scalar_one() == 45
    [query] = [h.query for h in feed.requests("openstates/bills")]
    fortieth = sorted(bill["updated_at"] for bill in mirror.bills)[39]  # where day one's listing got to
    assert f"updated_since={quote(fortieth)}" in query
