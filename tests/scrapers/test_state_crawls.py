"""State and city spiders end to end against the local feed server (statefeeds.py: real bill content in
envelopes written from the published formats), each spider run as a subprocess like ``tracker crawl`` runs it."""

import json
from pathlib import Path
from urllib.parse import unquote_plus

import pytest
from crawl_helpers import API_KEY, count, last_run, run_spider
from feedserver import Fault, FeedServer
from realdata_paths import require_realdata
from sqlalchemy import func, select
from sqlmodel import Session
from statefeeds import LegiScanMirror, LegistarMirror, OpenStatesMirror

from tracker.crawling import EXIT_OK, EXIT_PARTIAL, EXIT_USAGE
from tracker.models import Bill, BillSource, BillVersion, CrawlError, Hearing, HearingItem

pytestmark = [pytest.mark.realdata, pytest.mark.slow]


def test_openstates_pages_incremental_and_faults(state_env: dict[str, str], feed: FeedServer,
                                                  session: Session) -> None:
    mirror = OpenStatesMirror(feed, API_KEY)
    files = sorted(require_realdata("openstates", "scrape_AL2025", "bills").glob("*.json"))[:25]
    for n, path in enumerate(files):
        mirror.add(json.loads(path.read_bytes()), f"2025-07-{1 + n % 20:02d}T12:00:00")
    done = run_spider(state_env, "openstates", "-a", "states=al")
    assert done.returncode == EXIT_USAGE and "OPENSTATES_API_KEY is not set" in done.stderr
    assert feed.requests("openstates/") == []

    env = {**state_env, "OPENSTATES_API_KEY": API_KEY}
    feed.fault("openstates/bills", Fault("status", 503))  # retried
    done = run_spider(env, "openstates", "-a", "states=al")
    assert done.returncode == EXIT_OK, done.stderr[-3000:]
    run = last_run(session)
    assert (run.status, run.new, run.failed) == ("succeeded", 25, 0)
    hits = feed.requests("openstates/bills")
    assert [h.status for h in hits] == [503, 200, 200]  # page 1 retried after a 503, then page 2 of 2
    assert all(h.headers.get("x-api-key") == API_KEY and "apikey" not in h.query for h in hits)
    assert all("include=actions" in h.query and "per_page=20" in h.query for h in hits)
    assert "updated_since" not in hits[0].query
    keys = session.execute(select(BillSource.source_key).where(BillSource.source_name == "openstates")).scalars()
    assert all(k.startswith("ocd-bill/") for k in keys)

    feed.reset_log()
    again = run_spider(env, "openstates", "-a", "states=al")
    assert again.returncode == EXIT_OK, again.stderr[-3000:]
    assert "updated_since=" in feed.requests("openstates/bills")[0].query  # only what changed since
    assert (last_run(session).new, last_run(session).updated) == (0, 0)

    refused = run_spider({**env, "OPENSTATES_API_KEY": "wrong"}, "openstates", "-a", "states=al")
    assert refused.returncode == EXIT_USAGE and "refused the key in OPENSTATES_API_KEY (HTTP 403)" in refused.stderr


def test_legiscan_change_hash_and_texts(state_env: dict[str, str], feed: FeedServer, session: Session) -> None:
    mirror = LegiScanMirror(feed, API_KEY)
    folder = require_realdata("legiscan", "dataset_json")
    for name in ("HB1", "HB2", "HB3"):
        mirror.add(json.loads((folder / "bill" / f"{name}.json").read_bytes()))
    # Every text doc_id is answered with a real getBillText payload (the samples' texts belong to other bills).
    real_text = json.loads((folder / "text" / "101038.json").read_bytes())["text"]
    for payload in mirror.bills.values():
        for text in payload["bill"]["texts"]:
            mirror.texts[str(text["doc_id"])] = {"status": "OK", "text": {**real_text, "doc_id": text["doc_id"]}}
    doc_id = str(mirror.bills["230085"]["bill"]["texts"][0]["doc_id"])
    done = run_spider(state_env, "legiscan", "-a", "states=ak")
    assert done.returncode == EXIT_USAGE and "LEGISCAN_API_KEY is not set" in done.stderr

    env = {**state_env, "LEGISCAN_API_KEY": API_KEY}
    done = run_spider(env, "legiscan", "-a", "states=ak")
    assert done.returncode == EXIT_OK, done.stderr[-3000:]
    assert (last_run(session).status, last_run(session).new) == ("succeeded", 3)
    text = session.execute(select(BillVersion.text).where(BillVersion.code == doc_id)).scalar_one()
    assert text and text.startswith("BILL NUMBER: SB 7")
    ops = [h.query for h in feed.requests("legiscan/")]
    assert sum("op=getBill&" in q for q in ops) == 3 and sum("op=getBillText&" in q for q in ops) == 7
    errors = session.execute(select(CrawlError.locator)).scalars().all()
    assert all(API_KEY not in e for e in errors)  # the key never lands in stored URLs

    # Only the bill whose change_hash moved is fetched again.
    mirror.bills["230084"]["bill"]["change_hash"] = "f" * 32
    mirror.bills["230084"]["bill"]["title"] = "Policy For Securing Health Care Services (amended)"
    feed.reset_log()
    again = run_spider(env, "legiscan", "-a", "states=ak")
    assert again.returncode == EXIT_OK, again.stderr[-3000:]
    bill_ops = [h.query for h in feed.requests("legiscan/") if "op=getBill" in h.query]
    assert len(bill_ops) == 1 and "id=230084" in bill_ops[0]  # and no text fetched twice
    assert (last_run(session).updated, last_run(session).new) == (1, 0)
    # A bad bill is recorded and the rest goes on.
    mirror.bills["230085"]["bill"]["change_hash"] = "e" * 32
    mirror.bills["230085"]["bill"]["bill_number"] = ""
    mirror.bills["230086"]["bill"]["change_hash"] = "d" * 32
    partial = run_spider(env, "legiscan", "-a", "states=ak")
    assert partial.returncode == EXIT_PARTIAL, partial.stderr[-3000:]
    assert "invalid bill_number" in (session.execute(select(CrawlError.reason).order_by(CrawlError.id.desc())
                                                     .limit(1)).scalar_one())


def test_legistar_matters_events_and_hearings(state_env: dict[str, str], feed: FeedServer, session: Session) -> None:
    mirror = LegistarMirror(feed, "chicago")
    histories = json.loads(require_realdata("legistar", "chicago", "dupe_event.json").read_bytes())
    mirror.add_matter({"MatterId": 100, "MatterFile": "O2013-1234", "MatterTitle": "Card payments ordinance",
                       "MatterTypeName": "Ordinance", "MatterIntroDate": "2013-03-13T00:00:00",
                       "MatterLastModifiedUtc": "2014-05-24T04:10:20.03"}, {"histories": histories})
    mirror.add_matter({"MatterId": 101, "MatterTitle": "No file number",
                       "MatterLastModifiedUtc": "2014-05-24T04:10:20.03"}, {})
    mirror.add_event({"EventId": 7, "EventBodyName": "Committee on Finance", "EventDate": "2030-01-15T00:00:00",
                      "EventTime": "10:00 AM", "EventLocation": "Council Chambers",
                      "EventLastModifiedUtc": "2014-05-24T04:10:20.03"},
                     [{"EventItemAgendaSequence": 1, "EventItemMatterId": 100, "EventItemMatterFile": "O2013-1234"}])
    done = run_spider(state_env, "legistar", "-a", "clients=chicago")
    assert done.returncode == EXIT_PARTIAL, done.stderr[-3000:]  # matter 101 has no file number
    run = last_run(session)
    assert (run.new, run.failed) == (1, 1)
    bill = session.execute(select(Bill)).scalar_one()
    assert (bill.jurisdiction_id, bill.identifier) == ("us-il-chicago", "O2013-1234")
    assert count(session, Hearing) == 1
    assert session.execute(select(HearingItem.bill_id)).scalar_one() == bill.id
    assert "missing MatterFile" in session.execute(select(CrawlError.reason)).scalars().first()

    mirror.matters.pop()
    feed.reset_log()
    again = run_spider(state_env, "legistar", "-a", "clients=chicago")
    assert again.returncode == EXIT_OK, again.stderr[-3000:]
    assert "%24filter" not in feed.requests("legistar/chicago/matters")[0].query  # a partial run moves no window
    feed.reset_log()
    third = run_spider(state_env, "legistar", "-a", "clients=chicago")
    assert third.returncode == EXIT_OK, third.stderr[-3000:]
    query = unquote_plus(feed.requests("legistar/chicago/matters")[0].query)
    assert "$filter=MatterLastModifiedUtc gt datetime'" in query  # only matters changed since the last success
    assert feed.requests("legistar/chicago/matters/") == []  # nothing changed: no matter re-read


def test_legistar_bills_the_older_parser_read_are_read_again_by_the_refresh(state_env: dict[str, str],
                                                                          feed: FeedServer, session: Session) -> None:
    # Version 1 of the Legistar parser read Chicago's real "Recommended to Pass" history (whose text repeats the
    # action's name) as "Recommended to Pass Recommended to Pass  BY VOICE VOTE". Its fix reads the same bytes into
    # other actions, so the bills it read must be named and read again; a crawl skips unchanged matters for good.
    from tracker.models import BillAction, BillChange, SourceDocument
    from tracker.readings import older_readings

    mirror = LegistarMirror(feed, "chicago")
    histories = json.loads(require_realdata("legistar", "chicago", "dupe_event.json").read_bytes())
    mirror.add_matter({"MatterId": 100, "MatterFile": "O2013-1234", "MatterTitle": "Card payments ordinance",
                       "MatterTypeName": "Ordinance", "MatterIntroDate": "2013-03-13T00:00:00",
                       "MatterLastModifiedUtc": "2014-05-24T04:10:20.03"}, {"histories": histories})
    assert run_spider(state_env, "legistar", "-a", "clients=chicago").returncode == EXIT_OK
    right = session.execute(select(BillAction.text).order_by(BillAction.order)).scalars().all()
    assert "Recommended to Pass BY VOICE VOTE" in right
    # What an upgraded database holds: the matter as version 1 read it.
    session.execute(SourceDocument.__table__.update().where(SourceDocument.bill_id.is_not(None)).values(read_by=1))
    session.execute(BillAction.__table__.update().where(BillAction.text == "Recommended to Pass BY VOICE VOTE")
                    .values(text="Recommended to Pass Recommended to Pass  BY VOICE VOTE"))
    session.execute(BillSource.__table__.update().values(content_hash="read by version 1"))
    session.commit()
    [older] = older_readings(session)
    assert (older.source, older.crawled_bills) == ("legistar", 1)
    assert older.commands() == ["tracker crawl legistar --refresh"]
    changes = count(session, BillChange)

    feed.reset_log()
    done = run_spider(state_env, "legistar", "-a", "clients=chicago", "-s", "TRACKER_REFRESH=1")
    assert done.returncode == EXIT_OK, done.stderr[-3000:]
    assert len(feed.requests("legistar/chicago/matters/100/histories")) == 1
    session.expire_all()
    assert session.execute(select(BillAction.text).order_by(BillAction.order)).scalars().all() == right
    assert count(session, BillChange) == changes  # a corrected reading is no news
    assert older_readings(session) == []


# The Legislature's download folder is a plain Apache directory index; this one is written for the test in
# Apache's fancy-index format (FORMATS.md section 5 quotes the file names and cadence).
INDEX = b"""<html><head><title>Index of /</title></head><body><h1>Index of /</h1><pre>
<a href="pubinfo_2025.zip">pubinfo_2025.zip</a>            2026-11-22 23:10  1.0G
<a href="pubinfo_Mon.zip">pubinfo_Mon.zip</a>             2026-11-23 21:21  3.1M
<a href="pubinfo_daily_Sun.zip">pubinfo_daily_Sun.zip</a>       2026-11-22 21:40  980M
<a href="pubinfo_daily_Mon.zip">pubinfo_daily_Mon.zip</a>       2026-11-23 21:38  981M
</pre></body></html>"""


def test_california_daily_archive_conditional_and_faults(state_env: dict[str, str], feed: FeedServer,
                                                         session: Session, tmp_path: Path) -> None:
    import datetime as dt
    import io
    import zipfile

    folder = require_realdata("ca_pubinfo", "pubinfo_nomindnick_ca-leginfo-mcp", "mini")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:  # the real tables, zipped as the Legislature serves them
        for file in sorted(folder.iterdir()):
            zf.write(file, file.name)
    stamp = dt.datetime(2026, 11, 24, 5, 38, tzinfo=dt.UTC)
    feed.put("pubinfo/", INDEX, content_type="text/html")
    feed.put("pubinfo/pubinfo_daily_Mon.zip", buffer.getvalue(), content_type="application/zip",
             last_modified=stamp)
    done = run_spider(state_env, "california")
    assert done.returncode == EXIT_OK, done.stderr[-3000:]
    run = last_run(session)
    assert (run.status, run.new, run.failed) == ("succeeded", 4, 0)
    assert feed.requests("pubinfo/pubinfo_daily_Sun.zip") == []  # the newest daily only
    bill = session.execute(select(Bill).where(Bill.identifier == "AB 831")).scalar_one()
    assert (bill.jurisdiction_id, bill.stage) == ("ca", "enacted")
    assert session.execute(select(func.count()).where(BillVersion.text.is_not(None))).scalar_one() == 16

    feed.reset_log()
    again = run_spider(state_env, "california")
    assert again.returncode == EXIT_OK, again.stderr[-3000:]
    assert feed.requests("pubinfo/pubinfo_") == []  # the index shows nothing newer than the rows held

    # The weekly archive is rebuilt (new bytes, same bills) and arrives cut short: recorded, its stamp not
    # remembered, and the next run fetches it again.
    rebuilt = io.BytesIO(buffer.getvalue())
    with zipfile.ZipFile(rebuilt, "a") as zf:
        zf.comment = b"rebuilt"
    feed.put("pubinfo/", INDEX.replace(b"2026-11-22 23:10", b"2026-11-29 23:10"), content_type="text/html")
    feed.put("pubinfo/pubinfo_2025.zip", rebuilt.getvalue(), content_type="application/zip",
             last_modified=stamp + dt.timedelta(days=6))
    feed.fault("pubinfo/pubinfo_2025.zip", Fault("short", times=None))
    broken = run_spider(state_env, "california", "-s", "RETRY_TIMES=0")
    assert broken.returncode != EXIT_OK
    reason = session.execute(select(CrawlError.reason).order_by(CrawlError.id.desc()).limit(1)).scalar_one()
    assert any(word in reason for word in ("zip", "BILL_TBL", "truncated"))  # what the broken bytes showed
    feed.clear_faults()
    feed.reset_log()
    fixed = run_spider(state_env, "california")
    assert fixed.returncode == EXIT_OK, fixed.stderr[-3000:]
    assert feed.requests("pubinfo/pubinfo_2025.zip")[0].status == 200
    assert (last_run(session).new, last_run(session).updated) == (0, 0)  # same bills: nothing rewritten


def test_the_legiscan_key_never_reaches_the_log(state_env: dict[str, str], feed: FeedServer) -> None:
    """LegiScan's key travels in the URL; Scrapy's retry middleware and our rate-limit pause log request URLs
    ("Gave up retrying <GET ...?key=...>"), which put the key in the terminal and the scheduler's journal."""
    secret = "sekrit-legiscan-key-0042"
    LegiScanMirror(feed, secret)
    feed.fault("legiscan/", Fault("status", 429, headers={"Retry-After": "1"}), Fault("status", 500, times=None))
    done = run_spider({**state_env, "LEGISCAN_API_KEY": secret}, "legiscan", "-a", "states=ak")
    assert any(secret in h.query for h in feed.requests("legiscan/"))  # the key did travel, as LegiScan wants
    log = done.stdout + done.stderr
    assert "Gave up retrying" in log and "answered 429" in log, log[-3000:]  # the lines that quoted the URL
    assert secret not in log and "key=[redacted]" in log


def test_the_legistar_token_never_reaches_the_log(state_env: dict[str, str], feed: FeedServer) -> None:
    secret = "sekrit-legistar-token-0042"
    LegistarMirror(feed, "chicago")
    feed.fault("legistar/", Fault("status", 500, times=None))
    done = run_spider({**state_env, "LEGISTAR_TOKEN": secret}, "legistar", "-a", "clients=chicago")
    assert any(secret in h.query for h in feed.requests("legistar/"))  # the token did travel, in the URL
    log = done.stdout + done.stderr
    assert secret not in log, log[-3000:]  # (it reached the log before: a traceback quoted the request)
