"""``govinfo_billstatus`` end to end: real BILLSTATUS files served by a local GovInfo stand-in (see feedserver.py
for which listings are generated from the published formats), the spider run as a subprocess."""

import datetime as dt
import subprocess
import sys

import pytest
from crawl_helpers import REPO_ROOT, SampleBill, run_spider
from feedserver import Fault, FeedServer, GovinfoMirror
from sqlalchemy import func, select
from sqlmodel import Session

from tracker.crawling import EXIT_FAILED, EXIT_OFFLINE, EXIT_OK, EXIT_PARTIAL
from tracker.models import Bill, BillChange, CrawlError, CrawlRun, SourceDocument

pytestmark = [pytest.mark.realdata, pytest.mark.slow]

BILL_FILES = "bulkdata/BILLSTATUS/117/"


def bill_requests(feed: FeedServer, status: int | None = None) -> list[str]:
    return [h.path for h in feed.requests(BILL_FILES, status=status)]


def last_run(session: Session) -> CrawlRun:
    session.expire_all()
    return session.execute(select(CrawlRun).order_by(CrawlRun.id.desc()).limit(1)).scalar_one()


def count(session: Session, model: type) -> int:
    return session.execute(select(func.count()).select_from(model)).scalar_one()


def test_scrapy_list_shows_both_spiders(crawl_env: dict[str, str]) -> None:
    done = subprocess.run([sys.executable, "-m", "scrapy", "list"], cwd=REPO_ROOT, env=crawl_env,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert {"congress_api", "govinfo_billstatus"} <= set(done.stdout.split())


def test_first_crawl_no_change_changed_bill_and_not_modified(
    crawl_env: dict[str, str], feed: FeedServer, govinfo: GovinfoMirror, billstatus_117: list[SampleBill],
    older_hr6658: SampleBill, session: Session,
) -> None:
    # Start from the older snapshot of H.R. 6658, so the later one can arrive as a change.
    govinfo.set_bill(117, "hr", "6658", older_hr6658.body, older_hr6658.lastmod)
    expected = len(billstatus_117)

    first = run_spider(crawl_env, "govinfo_billstatus", "-a", "congress=117", "-a", "types=hr,s")
    assert first.returncode == EXIT_OK, first.stderr[-3000:]
    run = last_run(session)
    assert (run.status, run.new, run.updated, run.failed, run.fetched) == ("succeeded", expected, 0, 0, expected)
    assert run.args["congresses"] == [117] and run.args["types"] == ["hr", "s"]
    assert count(session, Bill) == expected
    assert sorted(bill_requests(feed)) == sorted(f"/{govinfo.bill_path(b.congress, b.bill_type, b.number)}"
                                                 for b in billstatus_117)
    # Remembered per document (the stamps the sitemaps gave) and per collection.
    stored = dict(session.execute(select(SourceDocument.locator, SourceDocument.last_modified)).all())
    assert stored["https://www.govinfo.gov/bulkdata/BILLSTATUS/117/s/BILLSTATUS-117s35.xml"].startswith("2022-09-07")
    assert "https://www.govinfo.gov/sitemap/bulkdata/BILLSTATUS/117hr/sitemap.xml" in stored

    # Nothing changed upstream: only listing requests, and no bill document at all.
    feed.reset_log()
    second = run_spider(crawl_env, "govinfo_billstatus", "-a", "congress=117", "-a", "types=hr,s")
    assert second.returncode == EXIT_OK, second.stderr[-3000:]
    assert bill_requests(feed) == []
    assert sorted(h.path for h in feed.requests()) == ["/robots.txt",
                                                       "/sitemap/bulkdata/BILLSTATUS/sitemapindex.xml"]
    run = last_run(session)
    assert (run.status, run.new, run.updated, run.fetched, run.failed) == ("succeeded", 0, 0, 0, 0)

    # The later snapshot of H.R. 6658 is published (GovInfo stamps a file when it publishes it): only that file
    # is fetched, and what moved is recorded.
    later = next(b for b in billstatus_117 if b.number == "6658")
    govinfo.set_bill(117, "hr", "6658", later.body, dt.datetime.now(dt.UTC))
    feed.reset_log()
    third = run_spider(crawl_env, "govinfo_billstatus", "-a", "congress=117", "-a", "types=hr,s")
    assert third.returncode == EXIT_OK, third.stderr[-3000:]
    assert bill_requests(feed) == ["/" + govinfo.bill_path(117, "hr", "6658")]
    run = last_run(session)
    assert (run.new, run.updated, run.fetched) == (0, 1, 1)
    changes = session.execute(select(BillChange.kind, BillChange.after).where(BillChange.run_id == run.id)).all()
    assert [kind for kind, _ in changes] == ["sponsor_change"]
    assert changes[0][1]["count"] == 112

    # GovInfo re-stamps a file without changing it (files and zips are rebuilt several times a day): one
    # conditional request, answered 304, and no change to the bill...
    s35 = next(b for b in billstatus_117 if b.bill_type == "s" and b.number == "35")
    govinfo.set_bill(117, "s", "35", s35.body, dt.datetime.now(dt.UTC))
    feed.reset_log()
    assert run_spider(crawl_env, "govinfo_billstatus").returncode == EXIT_OK  # scope from the configuration
    [hit] = feed.requests(BILL_FILES)
    assert "if-modified-since" in hit.headers and "if-none-match" in hit.headers and hit.status == 304
    run = last_run(session)
    assert (run.updated, run.fetched, run.args["stats"]["not_modified"]) == (0, 0, 1)
    assert count(session, BillChange) == expected + 1  # the new_bill rows and the one sponsor change
    # ...and the new stamp is remembered, so the next run does not ask again.
    feed.reset_log()
    assert run_spider(crawl_env, "govinfo_billstatus").returncode == EXIT_OK
    assert bill_requests(feed) == []


def test_faults_are_retried_recorded_and_never_half_written(
    crawl_env: dict[str, str], feed: FeedServer, govinfo: GovinfoMirror, billstatus_117: list[SampleBill],
    session: Session,
) -> None:
    path = govinfo.bill_path
    feed.fault(path(117, "hr", "1"), Fault("status", 500, times=2))  # recovers on the third try
    feed.fault(path(117, "s", "35"), Fault("status", 503, times=None))  # never recovers
    feed.fault(path(117, "hr", "2471"), Fault("delay", seconds=3.0, times=1))  # one timeout (DOWNLOAD_TIMEOUT 2)
    feed.fault(path(117, "hr", "5376"), Fault("cut", times=None))  # connection dropped mid-body
    feed.fault(path(117, "hr", "6658"), Fault("short", times=None))  # complete response, truncated XML

    done = run_spider(crawl_env, "govinfo_billstatus", "-a", "congress=117", "-a", "types=hr,s")
    assert done.returncode == EXIT_PARTIAL, done.stderr[-3000:]
    run = last_run(session)
    assert (run.status, run.new, run.failed) == ("partial", len(billstatus_117) - 3, 3)
    stored = set(session.execute(select(Bill.identifier)).scalars())
    assert {"HR 1", "HR 2471", "S 1260"} <= stored
    assert not {"S 35", "HR 5376", "HR 6658"} & stored  # no half-written bill
    errors = dict(session.execute(select(CrawlError.locator, CrawlError.reason)
                                  .where(CrawlError.run_id == run.id)).all())
    base = feed.url
    assert errors[base + path(117, "s", "35")].startswith("HTTP 503")
    assert "truncated" in errors[base + path(117, "hr", "5376")]
    assert "malformed XML" in errors[base + path(117, "hr", "6658")]
    # Retries came with growing pauses (exponential backoff), and the 500s were retried until they passed.
    tries = [h.at for h in feed.requests(path(117, "hr", "1"))]
    assert len(tries) == 3
    assert tries[1] - tries[0] >= 0.24 and tries[2] - tries[1] >= 0.48  # base 0.3 s, doubled, +-20 % jitter
    assert len(feed.requests(path(117, "s", "35"))) == 3  # RETRY_TIMES = 2 in the test configuration
    assert len(feed.requests(path(117, "hr", "2471"))) == 2

    # The failed bills are fetched again next time (their collections were not marked done); nothing else is.
    feed.clear_faults()
    feed.reset_log()
    again = run_spider(crawl_env, "govinfo_billstatus", "-a", "congress=117", "-a", "types=hr,s")
    assert again.returncode == EXIT_OK, again.stderr[-3000:]
    assert sorted(bill_requests(feed)) == sorted("/" + path(117, t, n) for t, n in
                                                 (("s", "35"), ("hr", "5376"), ("hr", "6658")))
    assert count(session, Bill) == len(billstatus_117)


def test_a_file_broken_upstream_is_not_a_failed_feed_once_the_feed_has_worked(
    crawl_env: dict[str, str], feed: FeedServer, govinfo: GovinfoMirror, billstatus_117: list[SampleBill],
    session: Session,
) -> None:
    broken = govinfo.bill_path(117, "hr", "6658")
    feed.fault(broken, Fault("short", times=None))  # GovInfo keeps serving a truncated file
    args = ("-a", "congress=117", "-a", "types=hr,s")
    assert run_spider(crawl_env, "govinfo_billstatus", *args).returncode == EXIT_PARTIAL
    # Next time the broken file is the only document fetched, and it fails again. The run before stored every
    # other file, so this is one bad file, not a broken feed: partial (the run still shows an error), not failed.
    feed.reset_log()
    again = run_spider(crawl_env, "govinfo_billstatus", *args)
    assert again.returncode == EXIT_PARTIAL, again.stderr[-3000:]
    assert bill_requests(feed) == ["/" + broken]
    run = last_run(session)
    assert (run.status, run.failed) == ("partial", 1)
    assert "broken upstream" in (run.message or "") and "failing since" in (run.message or "")
    # ...and stays so run after run.
    assert run_spider(crawl_env, "govinfo_billstatus", *args).returncode == EXIT_PARTIAL


def test_a_feed_whose_every_file_fails_stays_failed_run_after_run(
    crawl_env: dict[str, str], feed: FeedServer, govinfo: GovinfoMirror, billstatus_117: list[SampleBill],
    session: Session,
) -> None:
    for bill in billstatus_117:  # a format change upstream: nothing parses, in this run or the next
        feed.fault(govinfo.bill_path(bill.congress, bill.bill_type, bill.number), Fault("short", times=None))
    args = ("-a", "congress=117", "-a", "types=hr,s")
    for _ in range(2):
        done = run_spider(crawl_env, "govinfo_billstatus", *args)
        assert done.returncode == EXIT_FAILED, done.stderr[-3000:]
        run = last_run(session)
        assert (run.status, run.failed) == ("failed", len(billstatus_117))
        assert "every bill fetched failed" in (run.message or "")


def test_json_listing_stands_in_when_the_sitemaps_do_not_name_the_collection(
    crawl_env: dict[str, str], feed: FeedServer, govinfo: GovinfoMirror, billstatus_117: list[SampleBill],
    session: Session,
) -> None:
    govinfo.hidden_from_index = True
    assert run_spider(crawl_env, "govinfo_billstatus").returncode == EXIT_OK
    assert count(session, Bill) == len(billstatus_117)
    listings = [h for h in feed.requests("bulkdata/json/BILLSTATUS/117/")]
    assert {h.path for h in listings} == {"/bulkdata/json/BILLSTATUS/117/hr", "/bulkdata/json/BILLSTATUS/117/s"}
    assert all(h.headers.get("accept") == "application/json" for h in listings)
    # The listing's minute-precision stamps still recognise every file as unchanged.
    feed.reset_log()
    assert run_spider(crawl_env, "govinfo_billstatus").returncode == EXIT_OK
    assert bill_requests(feed) == []


def test_an_empty_listing_fails_loudly(crawl_env: dict[str, str], feed: FeedServer, session: Session) -> None:
    mirror = GovinfoMirror(feed)  # publishes an index, but no BILLSTATUS collection at all
    for bill_type in ("hr", "s"):
        feed.route(f"bulkdata/json/BILLSTATUS/117/{bill_type}",
                   lambda q, h: (200, {"Content-Type": "application/json"}, b'{"files": []}'))
    assert mirror.bills == {}
    done = run_spider(crawl_env, "govinfo_billstatus", "-a", "congress=117", "-a", "types=hr,s")
    assert done.returncode == EXIT_FAILED
    assert "GovInfo listed no BILLSTATUS files for Congress 117, types hr,s" in done.stderr
    run = last_run(session)
    assert run.status == "failed" and "listed no BILLSTATUS files" in (run.message or "")
    assert count(session, Bill) == 0


def test_an_unreachable_source_says_so(crawl_env: dict[str, str], session: Session) -> None:
    env = {**crawl_env, "GOVINFO_BASE_URL": "http://127.0.0.1:9/"}  # discard port: nothing listens
    done = run_spider(env, "govinfo_billstatus", "-s", "RETRY_TIMES=0")
    assert done.returncode == EXIT_OFFLINE
    run = last_run(session)
    assert run.status == "failed" and "cannot reach http://127.0.0.1:9/" in (run.message or "")


def test_a_first_crawl_fetches_the_most_recently_changed_bills_first(
    crawl_env: dict[str, str], feed: FeedServer, govinfo: GovinfoMirror, billstatus_117: list[SampleBill],
) -> None:
    # Partial progress of a long first crawl is then the bills that moved last. One request at a time, so the
    # order the server sees is the order the scheduler chose.
    done = run_spider(crawl_env, "govinfo_billstatus", "-a", "congress=117", "-a", "types=hr,s",
                      "-s", "CONCURRENT_REQUESTS=1")
    assert done.returncode == EXIT_OK, done.stderr[-3000:]
    paths = [h.path for h in feed.requests()]
    assert paths[:2] == ["/robots.txt", "/sitemap/bulkdata/BILLSTATUS/sitemapindex.xml"]
    # Listings before any bill; the two collections' sitemaps share a priority, so either may go first.
    assert sorted(paths[2:4]) == ["/sitemap/bulkdata/BILLSTATUS/117hr/sitemap.xml",
                                  "/sitemap/bulkdata/BILLSTATUS/117s/sitemap.xml"]
    by_path = {"/" + govinfo.bill_path(b.congress, b.bill_type, b.number): b.lastmod for b in billstatus_117}
    fetched = [by_path[p] for p in paths[4:]]
    assert len(fetched) == len(billstatus_117)
    assert fetched == sorted(fetched, reverse=True)


def test_a_second_crawl_of_a_source_still_being_crawled_here_is_refused(
    crawl_env: dict[str, str], feed: FeedServer, govinfo: GovinfoMirror, session: Session,
) -> None:
    # `tracker crawl` (or `scrapy crawl`) started by hand while the scheduler's crawl of the same source runs:
    # both listed and fetched everything, and each spent the source's hourly request budget as if alone (it
    # counts finished runs only), so together they could exceed an API key's limit. The scheduler already
    # skipped its turn the other way round; the crawl itself now refuses.
    from tracker.ingest import start_run

    running = start_run(session, source="govinfo_billstatus", kind="crawl", args={"congresses": [117]})
    session.commit()  # owned by this test's process, which is alive: a crawl in progress on this machine
    done = run_spider(crawl_env, "govinfo_billstatus", "-a", "congress=117", "-a", "types=hr,s")
    assert done.returncode == EXIT_PARTIAL, done.stderr[-3000:]
    said = " ".join(done.stderr.split())
    assert f"run {running.id} of govinfo_billstatus" in said and "is still running on this machine" in said
    assert feed.requests() == [] and count(session, Bill) == 0
    session.expire_all()
    assert [r.id for r in session.execute(select(CrawlRun)).scalars()] == [running.id]


def test_refresh_fetches_again_what_an_older_parser_read_and_only_that(
        crawl_env: dict[str, str], feed: FeedServer, govinfo: GovinfoMirror, session: Session) -> None:
    # Crawled bills keep no bytes, and upstream says they did not change: before --refresh, a crawl skipped the
    # bills an older parser had read for good. Here the Senate bills were read by version 0 (and wrongly).
    from tracker.models import BillSource
    from tracker.readings import older_readings

    assert run_spider(crawl_env, "govinfo_billstatus", "-a", "congress=117", "-a", "types=s").returncode == EXIT_OK
    right = dict(session.execute(select(Bill.id, Bill.stage)).all())
    session.execute(SourceDocument.__table__.update().where(SourceDocument.bill_id.is_not(None)).values(read_by=0))
    session.execute(Bill.__table__.update().values(stage="failed"))
    session.execute(BillSource.__table__.update().values(content_hash="read by version 0"))
    session.commit()
    [older] = older_readings(session)
    assert (older.crawled_bills, older.imported_bills) == (len(right), 0)
    assert older.commands() == ["tracker crawl govinfo_billstatus --refresh --congress 117"]
    changes = count(session, BillChange)

    feed.reset_log()
    done = run_spider(crawl_env, "govinfo_billstatus", "-a", "congress=117", "-a", "types=s",
                      "-s", "TRACKER_REFRESH=1")
    assert done.returncode == EXIT_OK, done.stderr[-3000:]
    hits = feed.requests(BILL_FILES)
    assert len(hits) == len(right) and all(h.status == 200 and "if-none-match" not in h.headers for h in hits)
    run = last_run(session)
    assert (run.updated, run.args["refresh"]) == (len(right), len(right))
    session.expire_all()
    assert dict(session.execute(select(Bill.id, Bill.stage)).all()) == right
    assert count(session, BillChange) == changes  # a corrected reading is no news
    assert older_readings(session) == []
