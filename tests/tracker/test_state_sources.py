"""State and city feeds through ``tracker import`` and ingest: California pubinfo folders and zips, Open States
and LegiScan files (real samples), one California bill from three sources, and hearings with agenda items."""

import datetime as dt
import json
import zipfile
from pathlib import Path

import pytest
from realdata_paths import require_realdata
from sqlalchemy import Engine, func, select
from sqlmodel import Session

from tracker.exports.packet import default_hearing_lookup
from tracker.importer import import_path
from tracker.ingest import IngestItem, Ingestor
from tracker.models import Bill, BillAction, BillSource, Hearing, HearingItem, LegislativeSession, Sponsorship
from tracker.queries import bill_detail
from tracker.records import BillRecord
from tracker.sources import legiscan, legistar, openstates
from tracker.sources.ca_pubinfo import TABLE_COLUMNS, parse_tables

PUBINFO = ("ca_pubinfo", "pubinfo_nomindnick_ca-leginfo-mcp")


def count(session: Session, model: type) -> int:
    return session.execute(select(func.count()).select_from(model)).scalar_one()


@pytest.mark.realdata
def test_import_pubinfo_folder_and_zip(engine: Engine, tmp_path: Path) -> None:
    folder = require_realdata(*PUBINFO, "mini")
    report = import_path(engine, folder, flag=False)
    assert report.errors == []
    assert (report.result.new, report.run.fetched) == (4, 4)  # four bills; code and law tables are not bills
    with Session(engine) as s:
        keys = set(s.execute(select(BillSource.source_name, BillSource.source_key)).all())
        assert ("ca_pubinfo", "202520260SB275") in keys
        sb = s.execute(select(Bill).where(Bill.identifier == "SB 275")).scalar_one()
        assert (sb.jurisdiction_id, sb.stage) == ("ca", "vetoed")
    # The same tables zipped as the Legislature serves them: nothing changed, nothing written.
    archive = tmp_path / "pubinfo_daily_Mon.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for file in folder.iterdir():
            if file.name.startswith(("BILL_", "CODES")):
                zf.write(file, f"pubinfo/{file.name}")
    again = import_path(engine, archive, flag=False)
    assert again.errors == [] and (again.result.new, again.result.updated, again.result.unchanged) == (0, 0, 4)


@pytest.mark.realdata
def test_import_legiscan_and_openstates_files(engine: Engine, tmp_path: Path) -> None:
    dataset = require_realdata("legiscan", "dataset_json")  # bills, people, roll calls, texts
    report = import_path(engine, dataset, flag=False)
    assert report.errors == [] and report.result.new == 6
    bills = require_realdata("openstates", "scrape_AL2025", "bills")
    pick = tmp_path / "al"
    pick.mkdir()
    for name in sorted(p.name for p in bills.iterdir())[:25]:
        (pick / name).symlink_to(bills / name)  # a slice of the real files, read in place
    (pick / "al.json").symlink_to(bills.parent / "al.json")  # session metadata: known, not a bill
    report = import_path(engine, pick, flag=False)
    assert report.errors == [] and report.result.new == 25
    with Session(engine) as s:
        assert count(s, BillSource) == 31
        assert s.execute(select(func.count()).where(Bill.jurisdiction_id == "al")).scalar_one() == 25


def _pubinfo_records() -> dict[str, BillRecord]:
    folder = require_realdata(*PUBINFO, "mini")
    tables = {t: (folder / f"{t}.dat").read_bytes() for t in TABLE_COLUMNS if (folder / f"{t}.dat").is_file()}
    out = parse_tables(tables, lambda n: (folder / n).read_bytes() if (folder / n).is_file() else None, "mini")
    return {r.identifier: r for r in out if isinstance(r, BillRecord)}


# Written for this test from the published formats (FORMATS.md sections 3 and 4): California SB 275 as the
# Open States API v3 and LegiScan getBill describe it. No real California responses of either exist here.
OPENSTATES_SB275 = {
    "id": "ocd-bill/5e2a0000-0000-4000-8000-000000000275", "session": "20252026", "identifier": "SB 275",
    "jurisdiction": {"id": "ocd-jurisdiction/country:us/state:ca/government", "name": "California"},
    "from_organization": {"classification": "upper"}, "title": "Eligible training provider list.",
    "classification": ["bill"], "subject": ["Labor"], "updated_at": "2026-03-02T15:00:00",
    "abstracts": [{"abstract": "Digest as Open States copied it."}],
    "actions": [{"description": "Introduced.", "date": "2025-02-04", "classification": ["introduction"],
                 "organization": {"classification": "upper"}}],
}
LEGISCAN_SB275 = {"status": "OK", "bill": {
    "bill_id": 1901275, "change_hash": "c" * 32, "state": "CA", "bill_number": "SB275", "bill_type": "B",
    "body": "S", "title": "Eligible training provider list.", "description": "LegiScan's description.",
    "session": {"session_id": 2172, "session_name": "2025-2026 Regular Session", "year_start": 2025,
                "year_end": 2026, "special": 0},
    "url": "https://legiscan.com/CA/bill/SB275/2025", "status": 1,
    "progress": [{"date": "2025-02-04", "event": 1}],
    "history": [{"date": "2025-02-04", "action": "Introduced.", "chamber": "S"}],
}}


def _three_views() -> dict[str, BillRecord]:
    return {
        "ca_pubinfo": _pubinfo_records()["SB 275"],
        "openstates": openstates.parse_bill(json.dumps(OPENSTATES_SB275).encode(), "openstates"),
        "legiscan": legiscan.parse_bill(json.dumps(LEGISCAN_SB275).encode(), "legiscan"),
    }


@pytest.mark.realdata
@pytest.mark.parametrize("order", [("ca_pubinfo", "openstates", "legiscan"),
                                   ("legiscan", "openstates", "ca_pubinfo"),
                                   ("openstates", "legiscan", "ca_pubinfo")])
def test_one_california_bill_from_three_sources(session: Session, order: tuple[str, ...]) -> None:
    views = _three_views()
    # The three parsers spell the natural key the same way.
    assert {(r.jurisdiction.id, r.session.identifier, r.identifier) for r in views.values()} == {
        ("ca", "20252026", "SB 275")}
    ingestor = Ingestor(session)
    for name in order:  # one batch per source, as separate crawls would write them
        ingestor.ingest([IngestItem(record=views[name])])
        session.commit()
    assert count(session, Bill) == 1
    bill = session.execute(select(Bill)).scalar_one()
    sources = dict(session.execute(select(BillSource.source_name, BillSource.source_key)).all())
    assert sources == {"ca_pubinfo": "202520260SB275", "openstates": OPENSTATES_SB275["id"],
                       "legiscan": "1901275"}
    # pubinfo (the Legislature's own database) wins every field and the children, whatever the order.
    assert bill.source_name == "ca_pubinfo" and bill.stage == "vetoed"
    assert bill.summary_text == views["ca_pubinfo"].summary_text
    assert count(session, BillAction) == len(views["ca_pubinfo"].actions)
    assert count(session, Sponsorship) == len(views["ca_pubinfo"].sponsorships)
    detail = bill_detail(session, bill.id)
    assert detail is not None and {s["source"] for s in detail["sources"]} == set(sources)


# California's extraordinary sessions as each feed spells them (no real Open States or LegiScan California file
# exists here): Open States' California scraper files a bill of session_num 1 under "{years} Special Session 1"
# with the identifier pubinfo's measure type and number ("AB1"; openstates-scrapers scrapers/ca/bills.py and
# __init__.py); LegiScan numbers it as California prints it, "ABX11" = AB X1-1 (legiscan.com/CA/bill/ABX11/2025),
# in a session with ``special`` set. pubinfo's own rows are real: the 1999-2000 archive holds AB 1 of the regular
# session and AB 1 of the First Extraordinary Session.
OPENSTATES_AB1_X1 = {
    "_id": "5e2a0000-0000-4000-8000-199920001001", "legislative_session": "19992000 Special Session 1",
    "identifier": "AB1", "title": "Peer assistance and review as Open States copied it.",
    "jurisdiction": {"id": "ocd-jurisdiction/country:us/state:ca/government", "name": "California"},
    "from_organization": "~{\"classification\": \"lower\"}", "classification": ["bill"],
    "actions": [{"description": "Introduced.", "date": "1999-01-19", "classification": ["introduction"],
                 "organization_id": "~{\"classification\": \"lower\"}"}],
    "scraped_at": "2000-12-01T00:00:00",
}
LEGISCAN_AB1_X1 = {"status": "OK", "bill": {
    "bill_id": 1999001, "change_hash": "d" * 32, "state": "CA", "bill_number": "ABX11", "bill_type": "B",
    "body": "A", "title": "LegiScan's title.", "description": "LegiScan's description.",
    "session": {"session_id": 1999, "session_name": "1999-2000 1st Special Session", "year_start": 1999,
                "year_end": 2000, "special": 1},
    "url": "https://legiscan.com/CA/bill/ABX11/1999", "status": 4,
    "progress": [{"date": "1999-01-19", "event": 1}],
    "history": [{"date": "1999-01-19", "action": "Introduced.", "chamber": "A"}],
}}


def _extraordinary_views() -> tuple[BillRecord, dict[str, BillRecord]]:
    """The regular session's AB 1 (pubinfo), and the First Extraordinary Session's AB 1 from each feed."""
    folder = require_realdata(*PUBINFO, "archive", "1999")
    tables = {t: (folder / f"{t}.dat").read_bytes() for t in TABLE_COLUMNS if (folder / f"{t}.dat").is_file()}
    pubinfo = {(r.session.identifier, r.identifier): r for r in parse_tables(
        tables, lambda n: (folder / n).read_bytes() if (folder / n).is_file() else None, "1999")
        if isinstance(r, BillRecord)}
    return pubinfo[("19992000", "AB 1")], {
        "ca_pubinfo": pubinfo[("19992000s1", "AB 1")],
        "openstates": openstates.parse_bill(json.dumps(OPENSTATES_AB1_X1).encode(), "openstates"),
        "legiscan": legiscan.parse_bill(json.dumps(LEGISCAN_AB1_X1).encode(), "legiscan")}


def _check_one_extraordinary_bill(session: Session, order: tuple[str, ...]) -> None:
    regular, views = _extraordinary_views()
    assert {(views[n].jurisdiction.id, views[n].session.identifier, views[n].identifier) for n in order} == {
        ("ca", "19992000s1", "AB 1")}
    ingestor = Ingestor(session)
    ingestor.ingest([IngestItem(record=regular)])
    for name in order:  # one batch per source, as separate crawls would write them
        ingestor.ingest([IngestItem(record=views[name])])
        session.commit()
    rows = session.execute(select(LegislativeSession.identifier, Bill.identifier, Bill.source_name, Bill.title)
                           .join(LegislativeSession, LegislativeSession.id == Bill.session_id)).all()
    # The regular session's AB 1 stays its own bill; the extraordinary one is one bill, pubinfo's view.
    assert sorted((r[0], r[1], r[2]) for r in rows) == [("19992000", "AB 1", "ca_pubinfo"),
                                                          ("19992000s1", "AB 1", "ca_pubinfo")]
    assert next(r.title for r in rows if r[0] == "19992000s1") == views["ca_pubinfo"].title
    assert count(session, BillSource) == 1 + len(order)


@pytest.mark.realdata
@pytest.mark.parametrize("order", [("ca_pubinfo", "openstates"), ("openstates", "ca_pubinfo")])
def test_an_open_states_extraordinary_session_bill_is_pubinfos(session: Session, order: tuple[str, ...]) -> None:
    _check_one_extraordinary_bill(session, order)
    # Named as California names it whichever feed came first: Open States first named it "1999-2000 Special
    # Session 1", and the first feed's name stays (pubinfo's did not replace it).
    name = session.execute(select(LegislativeSession.name).where(
        LegislativeSession.identifier == "19992000s1")).scalar_one()
    assert name == "1999-2000 First Extraordinary Session"


@pytest.mark.realdata
@pytest.mark.parametrize("order", [("ca_pubinfo", "openstates", "legiscan"),
                                   ("legiscan", "openstates", "ca_pubinfo")])
def test_a_legiscan_extraordinary_session_number_is_pubinfos(session: Session, order: tuple[str, ...]) -> None:
    _check_one_extraordinary_bill(session, order)


@pytest.mark.realdata
def test_a_higher_ranked_feed_taking_a_bill_over_reports_only_what_is_new(session: Session) -> None:
    """LegiScan held AB X1-1 as of February 1999, its history lines copied from the Legislature's (as LegiScan
    does), its sponsors by full name and its text by its own URL; then pubinfo (the real 1999-2000 archive) takes
    the bill over. What pubinfo says about the months LegiScan already covered is the same history told by
    another feed: not new actions, texts, sponsors or title to alert on. What came after, and the stage, is."""
    from tracker.models import BillChange

    _, views = _extraordinary_views()
    pubinfo = views["ca_pubinfo"]
    known = pubinfo.actions[:3]
    bill = json.loads(json.dumps(LEGISCAN_AB1_X1))["bill"]
    bill.update(title=pubinfo.title,
                history=[{"date": str(a.date), "action": a.text, "chamber": "A"} for a in known],
                sponsors=[{"people_id": n, "name": name, "sponsor_type_id": 1 if n == 1 else 2, "sponsor_order": n}
                          for n, name in enumerate(("Antonio Villaraigosa", "Virginia Strom-Martin",
                                                    "Alfred Alquist"), start=1)],
                texts=[{"doc_id": 1, "date": "1999-01-19", "type": "Introduced", "mime": "text/html",
                        "url": "https://legiscan.com/CA/text/ABX11/id/1", "state_link": None}])
    ingestor = Ingestor(session)
    ingestor.ingest([IngestItem(record=legiscan.parse_bill(json.dumps({"status": "OK", "bill": bill}).encode(),
                                                           "legiscan"))])
    session.commit()
    ingestor.ingest([IngestItem(record=pubinfo)])
    session.commit()
    changes = session.execute(select(BillChange.kind, BillChange.after).order_by(BillChange.id)).all()
    kinds = [kind for kind, _ in changes]
    assert kinds.count("new_bill") == 1 and "title_change" not in kinds and "sponsor_change" not in kinds
    assert ("stage_change", "enacted") in [(k, a) for k, a in changes]
    later = [a for a in pubinfo.actions if a.date > known[-1].date]
    assert sorted(a["text"] for k, a in changes if k == "new_action") == sorted(a.text for a in later)
    assert sorted(a["url"] for k, a in changes if k == "new_version") == sorted(
        v.url for v in pubinfo.versions if v.date and v.date > known[0].date)


@pytest.mark.realdata
def test_lower_ranked_source_fills_only_empty_fields(session: Session) -> None:
    views = _three_views()
    ingestor = Ingestor(session)
    ingestor.ingest([IngestItem(record=views["ca_pubinfo"].model_copy(update={"summary_text": None}))])
    ingestor.ingest([IngestItem(record=views["legiscan"])])  # ranked below pubinfo, above nothing
    ingestor.ingest([IngestItem(record=views["openstates"])])  # also below pubinfo: the summary is taken
    session.commit()
    bill = session.execute(select(Bill)).scalar_one()
    assert bill.summary_text == "LegiScan's description."  # the first follower filled the empty column
    assert bill.title == views["ca_pubinfo"].title and bill.source_name == "ca_pubinfo"


def test_a_legistar_matter_type_wider_than_the_column_is_stored_on_every_database(session: Session) -> None:
    # LA Metro's matter types (its Legislation.aspx type list) include "Federal Legislation / State Legislation
    # (Position)", 50 characters: as the bill's classification PostgreSQL refused it (VARCHAR(32)), SQLite kept
    # it. The matter is written for this test from the Web API's published fields.
    matter = {"MatterId": 4242, "MatterFile": "2025-0999", "MatterTitle": "ADOPT a SUPPORT position on SB 7",
              "MatterTypeName": "Federal Legislation / State Legislation (Position)",
              "MatterIntroDate": "2025-03-05T00:00:00"}
    record = legistar.parse_matter(matter, {}, client="metro", locator="m")
    assert Ingestor(session).ingest([IngestItem(record=record)]).new == 1
    session.commit()
    assert session.execute(select(Bill.classification)).scalar_one() == "federal legislation / state legi"


def _store_lacounty_motion(session: Session) -> None:
    """Matter 26-0043 of LA County, written for these tests from the Web API's published fields."""
    matter = {"MatterId": 100, "MatterFile": "26-0043", "MatterTitle": "Motion on municipal broadband",
              "MatterTypeName": "Motion", "MatterIntroDate": "2026-01-05T00:00:00"}
    Ingestor(session).ingest([IngestItem(record=legistar.parse_matter(matter, {}, client="lacounty", locator="m"))])


def test_a_bills_hearings_come_by_day_and_time_on_every_database(session: Session) -> None:
    # Matter and events written for this test from the Web API's published fields (EventTime is 12-hour text).
    # As text, "10:00 AM" came before "9:30 AM"; a hearing without a time came first on SQLite, last on
    # PostgreSQL.
    from tracker import overview, votes

    _store_lacounty_motion(session)
    day = dt.date.today() + dt.timedelta(days=7)
    times = {11: None, 12: "2:30 PM", 13: "10:00 AM", 14: "9:30 AM"}
    events = [{"EventId": n, "EventBodyName": f"Committee {n}", "EventDate": f"{day}T00:00:00", "EventTime": time}
              for n, time in times.items()]
    items = {n: [{"EventItemAgendaSequence": 1, "EventItemMatterId": 100, "EventItemMatterFile": "26-0043"}]
             for n in times}
    Ingestor(session).ingest_hearings(legistar.parse_events(events, items, client="lacounty", locator="events"))
    session.commit()
    bill_id = session.execute(select(Bill.id)).scalar_one()
    expected = ["9:30 AM", "10:00 AM", "2:30 PM", None]
    assert [h["time"] for h in votes.hearings_for_bill(session, bill_id)] == expected
    assert [h["time"] for h in overview.upcoming_hearings(session, tracked_only=False)] == expected


def test_the_upcoming_hearings_cut_keeps_each_days_earliest(session: Session) -> None:
    # Matters and events written for this test from the Web API's published fields. A board meeting at 1:00 PM
    # with three followed matters on its agenda, and a committee at 8:00 AM the same day on a fourth: cut to three
    # rows in SQL by day and bill before the sort by time, the list showed the 1:00 PM rows and dropped the
    # morning hearing, which comes first.
    from tracker import overview

    matters = [{"MatterId": n, "MatterFile": f"26-00{n}", "MatterTitle": f"Motion {n} on municipal broadband",
                "MatterTypeName": "Motion", "MatterIntroDate": "2026-01-05T00:00:00"} for n in (41, 42, 43, 44)]
    Ingestor(session).ingest([IngestItem(record=legistar.parse_matter(m, {}, client="lacounty", locator="m"))
                              for m in matters])
    day = dt.date.today() + dt.timedelta(days=7)
    events = [{"EventId": 1, "EventBodyName": "Board of Supervisors", "EventDate": f"{day}T00:00:00",
               "EventTime": "1:00 PM"},
              {"EventId": 2, "EventBodyName": "Economic Development Committee", "EventDate": f"{day}T00:00:00",
               "EventTime": "8:00 AM"}]
    items = {1: [{"EventItemAgendaSequence": n, "EventItemMatterId": n} for n in (41, 42, 43)],
             2: [{"EventItemAgendaSequence": 1, "EventItemMatterId": 44}]}
    Ingestor(session).ingest_hearings(legistar.parse_events(events, items, client="lacounty", locator="events"))
    session.commit()
    everything = overview.upcoming_hearings(session, tracked_only=False)
    board = "Los Angeles County Board of Supervisors"
    assert [(h["time"], h["bill"]) for h in everything][:2] == [("8:00 AM", f"{board} 26-0044 (2026)"),
                                                               ("1:00 PM", f"{board} 26-0041 (2026)")]
    assert overview.upcoming_hearings(session, tracked_only=False, limit=3) == everything[:3]


def test_an_evening_hearing_in_california_is_upcoming_until_its_day_ends(session: Session,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    # Matter and event written for this test from the Web API's published fields. The Board of Supervisors meets
    # at 6:00 PM on December 6 (Los Angeles time, as Legistar writes it). At 5:00 PM there it is 01:00 UTC on the
    # 7th: "today" taken on the server's UTC clock dropped the meeting from the overview and the packet's next
    # hearing for its last seven hours.
    from tracker import overview
    from tracker.exports.branding import Branding
    from tracker.exports.packet import gather_packet

    _store_lacounty_motion(session)
    events = [{"EventId": 9, "EventBodyName": "Board of Supervisors", "EventDate": "2026-12-06T00:00:00",
               "EventTime": "6:00 PM"}]
    items = {9: [{"EventItemAgendaSequence": 1, "EventItemMatterId": 100}]}
    Ingestor(session).ingest_hearings(legistar.parse_events(events, items, client="lacounty", locator="events"))
    session.commit()
    bill_id = session.execute(select(Bill.id)).scalar_one()
    five_pm_in_los_angeles = dt.datetime(2026, 12, 7, 1, 0, tzinfo=dt.UTC)
    monkeypatch.setattr(overview, "utcnow", lambda: five_pm_in_los_angeles)
    assert [h["date"] for h in overview.upcoming_hearings(session, tracked_only=False)] == [dt.date(2026, 12, 6)]
    packet = gather_packet(session, [bill_id], title="t", selection="s", criteria={}, branding=Branding(),
                           generated_at=five_pm_in_los_angeles)  # the clock of a server on UTC
    next_hearing = packet.bills[0].next_hearing
    assert next_hearing is not None and next_hearing.date == dt.date(2026, 12, 6)


def test_the_packets_next_hearing_is_the_days_first(session: Session) -> None:
    # Matter and events written for this test from the Web API's published fields: the board takes the motion up
    # at 2:00 PM, its committee at 9:30 AM the same day. The packet's "next hearing" took the first row of the
    # day as the database returned it (here the 2:00 PM one), while the overview and the bill page put 9:30 first.
    from tracker import votes

    _store_lacounty_motion(session)
    day = dt.date.today() + dt.timedelta(days=7)
    events = [{"EventId": 7, "EventBodyName": "Board of Supervisors", "EventDate": f"{day}T00:00:00",
               "EventTime": "2:00 PM"},
              {"EventId": 8, "EventBodyName": "Economic Development Committee", "EventDate": f"{day}T00:00:00",
               "EventTime": "9:30 AM"},
              {"EventId": 9, "EventBodyName": "Board of Supervisors", "EventDate": f"{day}T00:00:00"}]
    items = {n: [{"EventItemAgendaSequence": 1, "EventItemMatterId": 100}] for n in (7, 8, 9)}
    Ingestor(session).ingest_hearings(legistar.parse_events(events, items, client="lacounty", locator="events"))
    session.commit()
    bill_id = session.execute(select(Bill.id)).scalar_one()
    assert votes.hearings_for_bill(session, bill_id)[0]["time"] == "9:30 AM"
    lookup = default_hearing_lookup(session)
    assert lookup is not None
    nxt = lookup(session, [bill_id], dt.date.today())[bill_id]
    assert (nxt.date, nxt.time, nxt.body) == (day, "9:30 AM", "Economic Development Committee")


def test_a_bill_twice_on_one_agenda_is_one_upcoming_hearing(session: Session) -> None:
    # Matter and event written for this test from the Web API's published fields: the motion is on the consent
    # calendar and again for discussion. The bill page and the alerts showed one hearing; the overview two rows.
    from tracker import overview, votes

    _store_lacounty_motion(session)
    day = dt.date.today() + dt.timedelta(days=7)
    events = [{"EventId": 9, "EventBodyName": "Board of Supervisors", "EventDate": f"{day}T00:00:00",
               "EventTime": "9:30 AM"}]
    items = {9: [{"EventItemAgendaSequence": 3, "EventItemMatterId": 100, "EventItemTitle": "Consent calendar"},
                 {"EventItemAgendaSequence": 12, "EventItemMatterId": 100, "EventItemTitle": "For discussion"}]}
    Ingestor(session).ingest_hearings(legistar.parse_events(events, items, client="lacounty", locator="events"))
    session.commit()
    bill_id = session.execute(select(Bill.id)).scalar_one()
    assert len(votes.hearings_for_bill(session, bill_id)) == 1
    assert [(h["date"], h["time"]) for h in overview.upcoming_hearings(session, tracked_only=False)] == [
        (day, "9:30 AM")]


def test_legistar_hearings_with_agenda_linked_to_bills(session: Session) -> None:
    # Matter, event and agenda records written for this test from the Web API's published fields.
    _store_lacounty_motion(session)
    later = dt.date.today() + dt.timedelta(days=7)
    events = [{"EventId": 9, "EventBodyName": "Board of Supervisors", "EventDate": f"{later}T00:00:00",
               "EventTime": "9:30 AM", "EventLocation": "Hall of Administration"},
              {"EventId": 10, "EventBodyName": "Board of Supervisors", "EventDate": f"{later}T00:00:00",
               "EventAgendaStatusName": "Cancelled"}]
    items = {9: [{"EventItemAgendaSequence": 1, "EventItemTitle": "Call to order"},
                 {"EventItemAgendaSequence": 2, "EventItemMatterId": 100, "EventItemMatterFile": "26-0043"}],
             10: [{"EventItemAgendaSequence": 1, "EventItemMatterFile": "26-0043"}]}
    hearings = legistar.parse_events(events, items, client="lacounty", locator="events")
    ingestor = Ingestor(session)
    assert ingestor.ingest_hearings(hearings) == 2  # type: ignore[arg-type]
    session.commit()
    stamps = session.execute(select(Hearing.last_fetched_at).order_by(Hearing.id)).scalars().all()
    assert ingestor.ingest_hearings(hearings) == 2  # type: ignore[arg-type]  (idempotent)
    session.commit()
    session.expire_all()
    # Unchanged hearings keep their stamp, so alerts do not announce them again.
    assert session.execute(select(Hearing.last_fetched_at).order_by(Hearing.id)).scalars().all() == stamps
    assert count(session, Hearing) == 2 and count(session, HearingItem) == 3
    bill_id = session.execute(select(Bill.id)).scalar_one()
    linked = session.execute(select(HearingItem.hearing_id).where(HearingItem.bill_id == bill_id)).all()
    assert len(linked) == 2  # by the matter id, and by the file number on the other agenda
    lookup = default_hearing_lookup(session)
    assert lookup is not None
    nxt = lookup(session, [bill_id], dt.date.today())[bill_id]
    assert nxt.date == later and nxt.location == "Hall of Administration"  # the cancelled one is skipped


def test_a_nul_character_in_a_feed_is_dropped_alike_on_every_database(engine: Engine, tmp_path: Path) -> None:
    # PostgreSQL's text cannot hold NUL, which JSON writes "\u0000" and pubinfo's .dat "\0": the bill failed to
    # store there ("PostgreSQL text fields cannot contain NUL") and was stored, NUL and all, on SQLite. The file
    # is a real Open States bill with a NUL written into its title and an action for this test.
    source = sorted(require_realdata("openstates", "scrape_AL2025", "bills").glob("HB1*.json"))[0]
    bill = json.loads(source.read_bytes())
    bill["title"] = bill["title"] + "\u0000 (as amended)"
    bill["actions"][0]["description"] = "\u0000" + bill["actions"][0]["description"]
    path = tmp_path / source.name
    path.write_text(json.dumps(bill))
    report = import_path(engine, path, workers=0, flag=False)
    assert report.errors == [] and report.result.new == 1
    with Session(engine) as s:
        assert s.execute(select(Bill.title)).scalar_one() == bill["title"].replace("\u0000", "")
        assert "\u0000" not in s.execute(select(BillAction.text).order_by(BillAction.order)).scalars().first()

    from tracker.sources.ca_pubinfo import read_dat  # the .dat escape, and a raw NUL byte, read as nothing

    assert [fields for _, fields in read_dat(b"`a\\0b`\t`c\x00d`\n", "t.dat")] == [["ab", "cd"]]
