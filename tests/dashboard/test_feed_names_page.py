"""What council members read about the feeds: their names as people know them, times as the rest of the
dashboard writes them, never the stored keys (govinfo_billstatus, ca_pubinfo)."""

import datetime as dt

from apptest_helpers import no_exception, signed_in, texts
from dash_fixtures import Seeded, record
from sqlalchemy import select
from sqlmodel import Session

from tracker.ingest import IngestItem, Ingestor
from tracker.models import Bill, CrawlRun
from tracker.models.base import utcnow

RAW = ("govinfo_billstatus", "govinfo\\_billstatus", "ca_pubinfo", "ca\\_pubinfo", "STALE", "+00:00")


def _runs(session: Session) -> None:
    old = (utcnow() - dt.timedelta(days=3)).replace(hour=9, minute=52, second=7)
    session.add_all([
        CrawlRun(source="govinfo_billstatus", kind="crawl", status="partial", started_at=old, finished_at=old,
                 failed=1),
        CrawlRun(source="ca_pubinfo", kind="crawl", status="failed", started_at=old, finished_at=old, failed=2),
        CrawlRun(source="import", kind="import", status="succeeded", started_at=old, finished_at=old),
    ])
    session.commit()


def test_the_overview_names_stale_feeds_as_people_know_them(session: Session, seeded: Seeded) -> None:
    _runs(session)
    at = signed_in(seeded.users["council"], "views/overview.py")
    no_exception(at)
    warnings = [w.value for w in at.warning]
    assert any("GovInfo bill status \\(Congress\\)" in w and "UTC" in w for w in warnings), warnings
    assert any("California Legislative Information \\(pubinfo\\)" in w and "never" in w for w in warnings), warnings
    shown = texts(at)
    assert "Files imported by hand" in shown
    assert [raw for raw in RAW if raw in shown] == [], shown


def test_the_sources_page_names_the_california_feed_once_whatever_key_it_holds(session: Session,
                                                                               seeded: Seeded) -> None:
    # [sources.california] configures the feed whose runs are stored as ca_pubinfo: the page listed them under
    # two names, as if they were two feeds.
    _runs(session)
    at = signed_in(seeded.users["admin"], "views/admin_sources.py")
    no_exception(at)
    configured, fresh = at.dataframe[0].value, at.dataframe[1].value
    name = "California Legislative Information (pubinfo)"
    assert name in set(configured["feed"]) and name in set(fresh["feed"])
    assert set(configured.loc[configured["feed"] == name, "config key"]) == {"california"}


def test_the_bill_page_names_its_feed(session: Session, seeded: Seeded) -> None:
    Ingestor(session).ingest([IngestItem(record(6, jurisdiction="ca", source_name="ca_pubinfo", source_key="AB6"))])
    session.commit()
    bill_id = session.execute(select(Bill.id).where(Bill.identifier == "AB 6")).scalar_one()
    at = signed_in(seeded.users["lobbyist"], "views/bill.py", query={"id": str(bill_id)})
    no_exception(at)
    sources = next(d.value for d in at.dataframe if "link" in d.value.columns)
    assert set(sources["source"]) == {"California Legislative Information (pubinfo)"}
