"""``govinfo_text`` end to end: the real GovInfo text samples served at their package paths by the local feed
server, the spider run as a subprocess against a database holding their bills (tests/govinfo_texts.py)."""

import pytest
from crawl_helpers import last_run, run_spider
from feedserver import FeedServer
from govinfo_texts import TOPICS, federal_bill, package_url, text_sample
from sqlalchemy import select
from sqlmodel import Session

from tracker import positions, users, watchlists
from tracker.crawling import EXIT_FAILED, EXIT_PARTIAL
from tracker.ingest import IngestItem, Ingestor
from tracker.matching.queries import list_flagged
from tracker.matching.topics import load_topics
from tracker.models import Bill, BillMatch, BillVersion, CrawlError, Note, Position

pytestmark = [pytest.mark.realdata, pytest.mark.slow]

GOVINFO = "https://www.govinfo.gov/"


def _serve(feed: FeedServer, url: str, body: bytes) -> None:
    feed.put(url.removeprefix(GOVINFO), body)


def _bills(session: Session, tmp_path) -> dict[str, int]:  # noqa: ANN001
    """H.R. 1000 with a position, S.J.Res. 36 (the API's) and H.R. 3945 on a watchlist, H.J.Res. 100 untracked."""
    topics = tmp_path / "topics.yaml"
    topics.write_text(TOPICS)
    load_topics(session, path=topics, rescore=False)
    Ingestor(session).ingest([IngestItem(federal_bill("H1000_IH.XML")),
                              IngestItem(federal_bill("SJ36_enr.XML", source="congress_api", codes=("is", "enr"))),
                              IngestItem(federal_bill("H3945_IH.XML")), IngestItem(federal_bill("HJ100_IH.XML"))])
    session.commit()
    ids = dict(session.execute(select(Bill.identifier, Bill.id)).all())
    admin = users.add_user(session, email="ada@example.org", role="admin")
    positions.set_position(session, actor=admin, bill_id=ids["HR 1000"], stance="Support", expected_version=None)
    followed = watchlists.create_watchlist(session, actor=admin, name="Follow")
    watchlists.add_bills(session, actor=admin, watchlist_id=followed.id, bill_ids=[ids["SJRES 36"], ids["HR 3945"]])
    session.add(Note(bill_id=ids["HR 1000"], author_id=admin.id, body="call the sponsor"))
    session.commit()
    return ids


def test_tracked_bills_get_their_latest_text_once_and_bad_documents_are_named(
        crawl_env: dict[str, str], feed: FeedServer, session: Session, tmp_path) -> None:  # noqa: ANN001
    ids = _bills(session, tmp_path)
    before = [r.model_dump() for r in session.execute(select(Position)).scalars()]
    notes = [r.model_dump() for r in session.execute(select(Note)).scalars()]
    # Real documents at their package paths; H.R. 3945's is missing upstream.
    _serve(feed, package_url(116, "hr", "1000", "ih"), text_sample("H1000_IH.XML").read_bytes())
    _serve(feed, package_url(116, "sjres", "36", "is"), text_sample("SJ10_IS.XML").read_bytes())  # never asked for
    _serve(feed, package_url(116, "sjres", "36", "enr"), text_sample("SJ36_enr.XML").read_bytes())
    _serve(feed, package_url(116, "hjres", "100", "ih"), text_sample("HJ100_IH.XML").read_bytes())
    done = run_spider(crawl_env, "govinfo_text")
    assert done.returncode == EXIT_PARTIAL, done.stderr[-3000:]
    run = last_run(session)
    assert run.source == "govinfo_text" and run.status == "partial"
    assert "3 federal bills in scope (tracked), 0 with their latest text stored" in run.message
    assert "2 texts attached" in run.message
    errors = {e.locator: e.reason for e in session.execute(select(CrawlError)).scalars()}
    assert errors == {package_url(116, "hr", "3945", "ih"): "HTTP 404 Not Found"}
    session.expire_all()
    texts = {(bill_id, code): text for bill_id, code, text in session.execute(
        select(BillVersion.bill_id, BillVersion.code, BillVersion.text))}
    assert "SEC. 314. TAX ON SECURITIES TRANSACTIONS." in texts[(ids["HR 1000"], "ih")].splitlines()
    assert texts[(ids["SJRES 36"], "enr")] is not None  # the API's bill, its latest version's text only
    assert texts[(ids["SJRES 36"], "is")] is None
    assert texts[(ids["HJRES 100"], "ih")] is None  # not tracked: not asked for
    assert [h.path for h in feed.requests("content/pkg/BILLS-116hj")] == []
    assert [h.path for h in feed.requests("content/pkg/BILLS-116sjres36is")] == []
    # Flagged on its words, with the text as evidence; the team's positions and notes untouched.
    assert [b["identifier"] for b in list_flagged(session, topic="fintax")] == ["HR 1000"]
    evidence = session.execute(select(BillMatch.evidence).where(BillMatch.bill_id == ids["HR 1000"])).scalar_one()
    assert any(e["field"] == "text" for e in evidence)
    assert [r.model_dump() for r in session.execute(select(Position)).scalars()] == before
    assert [r.model_dump() for r in session.execute(select(Note)).scalars()] == notes

    # The next run asks only for what it still lacks; a document of another bill is refused with the reason.
    feed.reset_log()
    _serve(feed, package_url(116, "hr", "3945", "ih"), text_sample("H1010_RH.XML").read_bytes())
    again = run_spider(crawl_env, "govinfo_text")
    assert again.returncode == EXIT_FAILED, again.stderr[-3000:]  # the one text asked for could not be used
    assert [h.path for h in feed.requests("content/")] == ["/content/pkg/BILLS-116hr3945ih/xml/BILLS-116hr3945ih.xml"]
    session.expire_all()
    reasons = [e.reason for e in session.execute(select(CrawlError).where(CrawlError.run_id == last_run(session).id))
               .scalars()]
    assert reasons == ["the document is the text of 116-hr-1010 rh, expected 116-hr-3945 ih"]
