"""``congress_api`` end to end: the Library of Congress's real H.R. 21 responses behind a bill list generated in
the API's published envelope (feedserver.py), the spider run as a subprocess."""

import datetime as dt
import json

import pytest
from crawl_helpers import API_KEY, run_spider
from feedserver import CongressApiMirror, Fault, FeedServer
from sqlalchemy import func, select, update
from sqlmodel import Session

from tracker.crawling import EXIT_OK, EXIT_USAGE
from tracker.models import Bill, BillAction, BillSubject, BillVersion, CrawlRun, RelatedBill, Sponsorship

pytestmark = [pytest.mark.realdata, pytest.mark.slow]

DETAIL = "v3/bill/117/hr/21"


def last_run(session: Session) -> CrawlRun:
    session.expire_all()
    return session.execute(select(CrawlRun).order_by(CrawlRun.id.desc()).limit(1)).scalar_one()


def add_renumbered(feed: FeedServer, mirror: CongressApiMirror, bill_type: str, number: str, updated: str) -> None:
    """H.R. 21's real responses served as another bill (written here: only the detail's type, number and
    updateDate differ from the real one)."""

    def served(path: str) -> bytes:
        return feed.routes["/" + path]({"format": ["json"]}, {"x-api-key": API_KEY})[2]

    real = json.loads(served(DETAIL))
    parts = {name: served(f"{DETAIL}/{name}") for name in ("actions", "cosponsors", "committees", "subjects",
                                                           "summaries", "text", "titles", "relatedbills")}
    mirror.add_bill(json.dumps({**real, "bill": {**real["bill"], "type": bill_type, "number": number,
                                                 "updateDate": updated}}).encode(), parts)


def test_without_a_key_it_says_so_and_exits_non_zero(crawl_env: dict[str, str], feed: FeedServer,
                                                      congress_api: CongressApiMirror, session: Session) -> None:
    done = run_spider(crawl_env, "congress_api")
    assert done.returncode == EXIT_USAGE
    assert "CONGRESS_API_KEY is not set" in done.stderr
    run = last_run(session)
    assert run.status == "failed" and "CONGRESS_API_KEY" in (run.message or "")
    assert feed.requests() == []
    # A key the API refuses (api.data.gov answers 403) is just as loud.
    done = run_spider({**crawl_env, "CONGRESS_API_KEY": "not-a-key"}, "congress_api", "-s", "RETRY_TIMES=0")
    assert done.returncode == EXIT_USAGE
    assert "Congress.gov refused the key in CONGRESS_API_KEY (HTTP 403)" in done.stderr
    assert last_run(session).status == "failed"


def test_first_crawl_then_only_the_updated_list(crawl_env: dict[str, str], feed: FeedServer,
                                               congress_api: CongressApiMirror, session: Session) -> None:
    env = {**crawl_env, "CONGRESS_API_KEY": API_KEY}
    done = run_spider(env, "congress_api", "-a", "congress=117")
    assert done.returncode == EXIT_OK, done.stderr[-3000:]
    run = last_run(session)
    assert (run.status, run.new, run.fetched, run.failed) == ("succeeded", 1, 1, 0)
    bill = session.execute(select(Bill)).scalar_one()
    assert (bill.identifier, bill.title, bill.stage) == ("HR 21", "FedRAMP Authorization Act", "passed_origin_chamber")
    counts = [session.execute(select(func.count()).select_from(m)).scalar_one()
              for m in (BillAction, Sponsorship, BillSubject, BillVersion)]
    assert counts == [10, 3, 13, 3]
    # The key travels in a header, never in a URL; every request asks for JSON.
    api = [h for h in feed.requests("v3/")]
    assert {h.path for h in api} == {"/v3/bill/117", "/" + DETAIL} | {
        f"/{DETAIL}/{n}" for n in ("actions", "cosponsors", "committees", "subjects", "summaries", "text", "titles",
                                   "relatedbills")}
    # Titles and related bills are fetched by default: without them a newer copy from this feed blanked the short
    # title and deleted the related bills GovInfo had given the same bill.
    assert bill.short_title and session.execute(select(func.count()).select_from(RelatedBill)).scalar_one() == 1
    assert all(h.headers.get("x-api-key") == API_KEY and "api_key" not in h.query and "format=json" in h.query
               for h in api)
    assert "fromDateTime" not in feed.requests("v3/bill/117")[0].query  # first run: the whole Congress

    feed.reset_log()
    again = run_spider(env, "congress_api", "-a", "congress=117")
    assert again.returncode == EXIT_OK, again.stderr[-3000:]
    [listing] = feed.requests("v3/")
    assert listing.path == "/v3/bill/117" and "fromDateTime=" in listing.query
    assert (last_run(session).status, last_run(session).fetched) == ("succeeded", 0)


def test_429_waits_as_retry_after_says(crawl_env: dict[str, str], feed: FeedServer,
                                       congress_api: CongressApiMirror, session: Session) -> None:
    feed.fault(DETAIL, Fault("status", 429, headers={"Retry-After": "1"}))
    feed.fault(DETAIL + "/actions", Fault("status", 500, times=1))  # a sub-resource's 5xx is retried too
    done = run_spider({**crawl_env, "CONGRESS_API_KEY": API_KEY}, "congress_api", "-a", "congress=117")
    assert done.returncode == EXIT_OK, done.stderr[-3000:]
    first, second = [h for h in feed.requests(DETAIL) if h.path == "/" + DETAIL]
    assert first.status == 429 and second.status == 200
    assert second.at - first.at >= 1.0
    assert len(feed.requests(DETAIL + "/actions")) == 2
    run = last_run(session)
    assert (run.status, run.new) == ("succeeded", 1)
    assert run.args["stats"]["rate_limited"] == 1


def test_a_narrower_run_does_not_move_the_window_of_the_types_it_skipped(
    crawl_env: dict[str, str], feed: FeedServer, congress_api: CongressApiMirror, session: Session,
) -> None:
    add_renumbered(feed, congress_api, "S", "9022", "2022-03-25T01:16:59Z")
    # A run of every type, three days ago (its start moved back: the window is 24 h of overlap wide).
    env = {**crawl_env, "CONGRESS_API_KEY": API_KEY}
    assert run_spider(env, "congress_api", "-a", "congress=117").returncode == EXIT_OK
    session.execute(update(CrawlRun).values(started_at=dt.datetime.now(dt.UTC) - dt.timedelta(days=3)))
    session.commit()
    # A House bill is updated two days ago.
    two_days_ago = (dt.datetime.now(dt.UTC) - dt.timedelta(days=2)).strftime("%Y-%m-%dT%H:%M:%SZ")
    add_renumbered(feed, congress_api, "HR", "9100", two_days_ago)
    # A run of Senate bills only, today: it says nothing about House bills...
    narrow = run_spider(env, "congress_api", "-a", "congress=117", "-a", "types=s")
    assert narrow.returncode == EXIT_OK, narrow.stderr[-3000:]
    # ...so the next run of every type still lists from three days ago and finds the House bill.
    feed.reset_log()
    done = run_spider(env, "congress_api", "-a", "congress=117")
    assert done.returncode == EXIT_OK, done.stderr[-3000:]
    [listing] = [h for h in feed.requests("v3/bill/117") if h.path == "/v3/bill/117"]
    window = dt.datetime.fromisoformat(listing.query.split("fromDateTime=")[1].split("&")[0])
    assert window < dt.datetime.now(dt.UTC) - dt.timedelta(days=3)
    assert session.execute(select(Bill.identifier).where(Bill.number == "9100")).scalar_one() == "HR 9100"


def test_an_incremental_list_keeps_its_filter_on_every_page(
    crawl_env: dict[str, str], feed: FeedServer, congress_api: CongressApiMirror, session: Session,
) -> None:
    for number in ("9001", "9002", "9003"):
        add_renumbered(feed, congress_api, "HR", number, "2022-01-01T00:00:00Z")
    env = {**crawl_env, "CONGRESS_API_KEY": API_KEY}
    assert run_spider(env, "congress_api", "-a", "congress=117").returncode == EXIT_OK
    # Three bills move; the list comes one bill a page, its `next` links carrying only offset and limit.
    now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    for number in ("9001", "9002", "9003"):
        add_renumbered(feed, congress_api, "HR", number, now)
    congress_api.page_size = 1
    feed.reset_log()
    done = run_spider(env, "congress_api", "-a", "congress=117")
    assert done.returncode == EXIT_OK, done.stderr[-3000:]
    pages = [h.query for h in feed.requests("v3/bill/117") if h.path == "/v3/bill/117"]
    assert len(pages) == 3  # the three moved bills, not the whole Congress from the second page on
    assert all("fromDateTime=" in q and "sort=updateDate+asc" in q for q in pages), pages
    details = sorted(h.path for h in feed.requests("v3/bill/117/hr/") if h.path.count("/") == 5)
    assert details == [f"/v3/bill/117/hr/{n}" for n in ("9001", "9002", "9003")]  # each once
    assert last_run(session).updated == 3


def test_a_key_refused_after_the_list_is_named_as_the_cause(
    crawl_env: dict[str, str], feed: FeedServer, congress_api: CongressApiMirror, session: Session,
) -> None:
    # The list is read, then api.data.gov refuses the key (disabled mid-run): the run says so, not "HTTP 403".
    feed.fault(DETAIL, Fault("status", 403, times=None))
    done = run_spider({**crawl_env, "CONGRESS_API_KEY": API_KEY}, "congress_api", "-a", "congress=117")
    assert done.returncode == EXIT_USAGE, done.stderr[-3000:]
    run = last_run(session)
    assert run.status == "failed"
    assert "Congress.gov refused the key in CONGRESS_API_KEY (HTTP 403)" in (run.message or "")
    assert API_KEY not in done.stderr + done.stdout


def test_after_a_govinfo_crawl_the_api_crawl_adds_its_renditions(
    crawl_env: dict[str, str], feed: FeedServer, congress_api: CongressApiMirror, session: Session,
) -> None:
    # Both feeds behind the local server: GovInfo's real BILLSTATUS H.R. 21 (from the 117th archive) and the
    # API's real responses. GovInfo's copy is the newer: it owns the bill, and the API's crawl still adds every
    # rendition its text endpoint lists (fetched as one request within the bill's sub-resources).
    from feedserver import GovinfoMirror
    from hr21_feeds import hr21_billstatus_file

    _, body = hr21_billstatus_file()
    GovinfoMirror(feed).set_bill(117, "hr", "21", body, dt.datetime(2022, 12, 14, tzinfo=dt.UTC))
    env = {**crawl_env, "CONGRESS_API_KEY": API_KEY}
    done = run_spider(env, "govinfo_billstatus", "-a", "congress=117", "-a", "types=hr")
    assert done.returncode == EXIT_OK, done.stderr[-3000:]
    feed.reset_log()
    done = run_spider(env, "congress_api", "-a", "congress=117", "-a", "types=hr")
    assert done.returncode == EXIT_OK, done.stderr[-3000:]
    assert len(feed.requests(DETAIL + "/text")) == 1
    session.expire_all()
    assert session.execute(select(Bill.source_name)).scalar_one() == "govinfo_billstatus"
    versions = {v.code: v for v in session.execute(select(BillVersion)).scalars()}
    assert set(versions) == {"ih", "eh", "rfs"}
    for code, version in versions.items():
        urls = {link["url"] for link in version.links}
        assert f"https://www.congress.gov/117/bills/hr21/BILLS-117hr21{code}.pdf" in urls
        assert f"https://www.govinfo.gov/content/pkg/BILLS-117hr21{code}/pdf/BILLS-117hr21{code}.pdf" in urls
        assert {source for link in version.links for source in link["sources"]} == {"govinfo_billstatus",
                                                                                     "congress_api"}
