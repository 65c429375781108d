"""A crawl asks only the host it was pointed at: a listing, a next-page link or a redirect from a compromised feed
cannot send it (and its API key) to another host, such as a service inside the network the crawl runs in."""

import pytest
from crawl_helpers import SampleBill, last_run, run_spider
from feedserver import FeedServer, GovinfoMirror
from sqlalchemy import select
from sqlmodel import Session

from scrapers.source_hosts import same_source
from tracker.models import CrawlError

pytestmark = [pytest.mark.realdata]


@pytest.fixture
def inside() -> FeedServer:
    """Another service on the crawl's network (another port on the same machine, like a cloud metadata API)."""
    server = FeedServer().start()
    server.put("latest/meta-data/bulkdata/BILLSTATUS/117/hr/BILLSTATUS-117hr1.xml", b"<secret/>")
    yield server
    server.stop()


def test_a_listing_or_a_redirect_to_another_host_is_not_followed(
    crawl_env: dict[str, str], feed: FeedServer, govinfo: GovinfoMirror, billstatus_117: list[SampleBill],
    inside: FeedServer, session: Session,
) -> None:
    bill = billstatus_117[0]
    target = inside.url + "latest/meta-data/bulkdata/BILLSTATUS/117/hr/BILLSTATUS-117hr1.xml"
    moved = "bulkdata/BILLSTATUS/117/hr/BILLSTATUS-117hr2.xml"
    feed.route(moved, lambda q, h: (302, {"Location": target}, b""))
    own = f"https://www.govinfo.gov/{govinfo.bill_path(bill.congress, bill.bill_type, bill.number)}"
    feed.route("sitemap/bulkdata/BILLSTATUS/117hr/sitemap.xml", lambda q, h: (200, {}, (
        '<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        + "".join(f"<url><loc>{loc}</loc><lastmod>2022-09-07T10:00:00.000Z</lastmod></url>"
                  for loc in (target, f"https://www.govinfo.gov/{moved}", own)) + "</urlset>").encode()))
    done = run_spider(crawl_env, "govinfo_billstatus", "-a", "congress=117", "-a", "types=hr")
    assert inside.requests() == [], [h.path for h in inside.requests()]
    run = last_run(session)
    assert run.new >= 1, done.stderr[-3000:]  # the feed's own bill is still read
    errors = " ".join(session.execute(select(CrawlError.reason).where(CrawlError.run_id == run.id)).scalars())
    assert "another host" in errors, errors


def test_only_the_base_urls_host_and_port_are_the_source() -> None:
    # The rule every request (next-page links of Congress.gov and Open States, which carry X-Api-Key, included)
    # passes through; the crawl above shows it applied to listings and redirects.
    base = "https://api.congress.gov/v3/"
    assert same_source("https://api.congress.gov/v3/bill/117?offset=250", base)
    assert same_source("https://API.congress.gov:443/v3/bill", base)
    assert same_source("https://feeds.example/x", "http://feeds.example/")  # upgraded to https on its host
    for elsewhere in ("https://evil.example/v3/bill/117", "http://169.254.169.254/latest/meta-data/",
                      "https://api.congress.gov:8443/v3/", "https://api.congress.gov.evil.example/v3/",
                      "https://api.congress.gov@evil.example/v3/", "file:///etc/passwd", "ftp://api.congress.gov/",
                      "http://api.congress.gov/v3/", "https://api.congress.gov:x/", "/v3/bill"):
        assert not same_source(elsewhere, base), elsewhere
