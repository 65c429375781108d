"""``california`` applying the nightly incremental archives over a full load, against the local feed server.

The archives are built at test time from the real sample rows (tests/pubinfo_archives.py says which rows and
what is written from the published format); the directory index is written here in Apache's fancy-index format
with the file names and cadence FORMATS.md section 5 quotes (incrementals ~21:20, daily snapshots ~21:40).
"""

import datetime as dt

import pytest
from crawl_helpers import run_spider
from feedserver import FeedServer
from pubinfo_archives import (
    AB1656_NEW_ACTION,
    AB2052_NEW_ACTION,
    ab1656_amendment_incremental,
    ab2052_incremental_with_a_bad_row,
    complete_archive,
    earlier_full_archive,
)
from sqlalchemy import func, select
from sqlmodel import Session

from tracker.crawling import EXIT_OK, EXIT_PARTIAL
from tracker.models import Bill, BillAction, BillChange, BillVersion, CrawlError, CrawlRun, PubinfoLoad, PubinfoRow

pytestmark = [pytest.mark.realdata, pytest.mark.slow]

ZIP = "application/zip"


def index(*entries: tuple[str, str]) -> bytes:
    rows = "".join(f'<a href="{name}">{name}</a>            {when}  3.1M\n' for name, when in entries)
    return (f"<html><head><title>Index of /</title></head><body><h1>Index of /</h1><pre>\n{rows}"
            f"</pre></body></html>").encode()


def at(text: str) -> dt.datetime:
    """An index time (Pacific) as the Last-Modified the server sends (UTC, 8 hours later in November)."""
    return dt.datetime.strptime(text, "%Y-%m-%d %H:%M").replace(tzinfo=dt.UTC) + dt.timedelta(hours=8)


def last_run(session: Session) -> CrawlRun:
    session.expire_all()
    return session.execute(select(CrawlRun).order_by(CrawlRun.id.desc()).limit(1)).scalar_one()


def actions(session: Session, identifier: str) -> list[str]:
    bill = session.execute(select(Bill).where(Bill.identifier == identifier)).scalar_one()
    return list(session.execute(select(BillAction.text).where(BillAction.bill_id == bill.id)
                                .order_by(BillAction.id)).scalars())


def changes(session: Session) -> dict[str, int]:
    rows = session.execute(select(Bill.identifier, func.count()).join(BillChange, BillChange.bill_id == Bill.id)
                           .group_by(Bill.identifier)).all()
    return dict(rows)  # type: ignore[arg-type]


@pytest.fixture
def pubinfo_env(crawl_env: dict[str, str], feed: FeedServer) -> dict[str, str]:
    return {**crawl_env, "PUBINFO_BASE_URL": feed.url + "pubinfo/"}


def test_incrementals_merge_over_the_full_load(pubinfo_env: dict[str, str], feed: FeedServer,
                                               session: Session) -> None:
    weekly = ("pubinfo_2025.zip", "2026-11-22 23:10")
    monday = [weekly, ("pubinfo_Mon.zip", "2026-11-23 21:21"), ("pubinfo_daily_Mon.zip", "2026-11-23 21:38")]
    feed.put("pubinfo/", index(*monday), content_type="text/html")
    feed.put("pubinfo/pubinfo_daily_Mon.zip", earlier_full_archive(), content_type=ZIP,
             last_modified=at("2026-11-23 21:38"))

    # 1. First run: the newest full archive, nothing else (Monday's incremental is older than the snapshot).
    done = run_spider(pubinfo_env, "california")
    assert done.returncode == EXIT_OK, done.stderr[-3000:]
    assert (last_run(session).status, last_run(session).new) == ("succeeded", 4)
    assert [h.path for h in feed.requests("pubinfo/pubinfo_")] == ["/pubinfo/pubinfo_daily_Mon.zip"]
    before_1656 = actions(session, "AB 1656")
    assert before_1656[-1] == "From committee: Amend, and do pass as amended. (Ayes 5. Noes 0.) (June 9)."
    held = session.execute(select(PubinfoRow.table_name, func.count()).group_by(PubinfoRow.table_name)).all()
    assert dict(held) == {"BILL_TBL": 4, "BILL_HISTORY_TBL": 87, "BILL_VERSION_TBL": 15,
                          "BILL_VERSION_AUTHORS_TBL": 18}
    baseline = changes(session)

    # 2. Tuesday's incremental: AB 1656 gains its June 11 action and amended version; nothing else moves.
    tuesday = [*monday, ("pubinfo_Tue.zip", "2026-11-24 21:21"), ("pubinfo_daily_Tue.zip", "2026-11-24 21:40")]
    feed.put("pubinfo/", index(*tuesday), content_type="text/html")
    feed.put("pubinfo/pubinfo_Tue.zip", ab1656_amendment_incremental(), content_type=ZIP,
             last_modified=at("2026-11-24 21:21"))
    feed.reset_log()
    done = run_spider(pubinfo_env, "california")
    assert done.returncode == EXIT_OK, done.stderr[-3000:]
    run = last_run(session)
    assert (run.status, run.new, run.updated, run.failed) == ("succeeded", 0, 1, 0)
    # The incremental only: no full archive, and the daily snapshot is not a reason to reload.
    assert [h.path for h in feed.requests("pubinfo/pubinfo_")] == ["/pubinfo/pubinfo_Tue.zip"]
    after_1656 = actions(session, "AB 1656")
    assert after_1656 == [*before_1656, AB1656_NEW_ACTION]  # the whole history kept, the new line added
    bill = session.execute(select(Bill).where(Bill.identifier == "AB 1656")).scalar_one()
    versions = session.execute(select(BillVersion).where(BillVersion.bill_id == bill.id)).scalars().all()
    assert len(versions) == 3 and all(v.text for v in versions)
    assert sorted(v.label for v in versions) == ["Amended Assembly", "Amended Senate", "Introduced"]
    newest = next(v for v in versions if v.label == "Amended Senate")
    assert "continuance" in newest.text.lower()  # the CAML of 20250AB165697AMD, read from the incremental
    now = changes(session)
    assert now.get("AB 1656", 0) > baseline.get("AB 1656", 0)  # the change was recorded for alerts/flagging
    assert {k: v for k, v in now.items() if k != "AB 1656"} == \
        {k: v for k, v in baseline.items() if k != "AB 1656"}  # the other bills are untouched
    before_2052 = actions(session, "AB 2052")
    assert AB2052_NEW_ACTION not in before_2052

    # 3. The same index again: the applied incremental answers 304 and nothing is rewritten.
    feed.reset_log()
    again = run_spider(pubinfo_env, "california")
    assert again.returncode == EXIT_OK, again.stderr[-3000:]
    [hit] = feed.requests("pubinfo/pubinfo_")
    assert (hit.path, hit.status) == ("/pubinfo/pubinfo_Tue.zip", 304) and "if-modified-since" in hit.headers
    assert (last_run(session).new, last_run(session).updated) == (0, 0)
    assert changes(session) == now

    # 4. Wednesday's incremental has a malformed row: it is recorded, AB 2052's real row still applies.
    wednesday = [*tuesday, ("pubinfo_Wed.zip", "2026-11-25 21:21")]
    feed.put("pubinfo/", index(*wednesday), content_type="text/html")
    feed.put("pubinfo/pubinfo_Wed.zip", ab2052_incremental_with_a_bad_row(), content_type=ZIP,
             last_modified=at("2026-11-25 21:21"))
    feed.reset_log()
    partial = run_spider(pubinfo_env, "california")
    assert partial.returncode == EXIT_PARTIAL, partial.stderr[-3000:]
    run = last_run(session)
    assert (run.status, run.updated) == ("partial", 1)
    reasons = session.execute(select(CrawlError.locator, CrawlError.reason)
                              .where(CrawlError.run_id == run.id)).all()
    assert [(loc.rsplit("/", 1)[-1], reason) for loc, reason in reasons] == \
        [("BILL_HISTORY_TBL.dat:1", "BILL_HISTORY_TBL row has 6 fields, expected 13")]
    after_2052 = actions(session, "AB 2052")
    assert len(after_2052) == len(before_2052) + 1 and AB2052_NEW_ACTION in after_2052  # in date order
    assert actions(session, "AB 1656") == after_1656
    assert [h.path for h in feed.requests("pubinfo/pubinfo_")] == ["/pubinfo/pubinfo_Tue.zip",
                                                                    "/pubinfo/pubinfo_Wed.zip"]

    # 5. Thursday's incremental never came (or was missed): Friday's cannot be chained, so the newest full
    # archive is loaded instead of it.
    friday = [*wednesday, ("pubinfo_Fri.zip", "2026-11-27 21:21"), ("pubinfo_daily_Fri.zip", "2026-11-27 21:38")]
    feed.put("pubinfo/", index(*friday), content_type="text/html")
    feed.put("pubinfo/pubinfo_Fri.zip", ab1656_amendment_incremental(), content_type=ZIP,
             last_modified=at("2026-11-27 21:21"))
    feed.put("pubinfo/pubinfo_daily_Fri.zip", complete_archive(), content_type=ZIP,
             last_modified=at("2026-11-27 21:38"))
    feed.reset_log()
    reload = run_spider(pubinfo_env, "california")
    assert reload.returncode == EXIT_OK, reload.stderr[-3000:]
    assert "no incremental archive for 2026-11-26 (Thu)" in reload.stderr
    assert [h.path for h in feed.requests("pubinfo/pubinfo_")] == ["/pubinfo/pubinfo_daily_Fri.zip"]
    loads = session.execute(select(PubinfoLoad.archive, PubinfoLoad.kind).order_by(PubinfoLoad.id)).all()
    assert [tuple(x) for x in loads] == [("pubinfo_daily_Mon.zip", "full"), ("pubinfo_Tue.zip", "incremental"),
                                         ("pubinfo_Wed.zip", "incremental"),
                                         ("pubinfo_daily_Fri.zip", "full")]
    held = session.execute(select(PubinfoRow.table_name, func.count()).group_by(PubinfoRow.table_name)).all()
    assert dict(held) == {"BILL_TBL": 4, "BILL_HISTORY_TBL": 89, "BILL_VERSION_TBL": 16,
                          "BILL_VERSION_AUTHORS_TBL": 19}
    assert (last_run(session).new, last_run(session).updated) == (0, 0)  # the merges had it all right
