"""The council's overview reflects what the council follows as soon as it changes."""

import datetime as dt
import json
from zoneinfo import ZoneInfo

import pytest
from apptest_helpers import no_exception, signed_in
from dash_fixtures import Seeded
from sqlmodel import Session
from streamlit.testing.v1 import AppTest

from tracker import overview, watchlists
from tracker.models import Bill, BillChange
from tracker.models.base import utcnow

TODAY = utcnow().date().isoformat()  # a move of this week: an action dated long before is history filled in


def moved_bills(at: AppTest) -> list[str]:
    """The bills of the "Moved in the last 7 days" table (the only table with a bill column here)."""
    return [b for df in at.dataframe if "bill" in df.value.columns for b in df.value["bill"]]


def test_following_a_bill_that_moved_lists_it_at_once(session: Session, seeded: Seeded) -> None:
    quiet = seeded.ids["quiet"]  # not flagged and without a position: not tracked until someone follows it
    session.add(BillChange(bill_id=quiet, kind="new_action", after={"date": TODAY, "text": "Passed House"},
                           detected_at=utcnow()))
    session.commit()
    at = signed_in(seeded.users["council"], "views/overview.py")
    no_exception(at)
    assert "H.R. 4 (119th Congress)" not in moved_bills(at)
    council = seeded.users["council"]
    followed = watchlists.create_watchlist(session, actor=council, name="Hearings to attend")
    watchlists.add_bills(session, actor=council, watchlist_id=followed.id, bill_ids=[quiet])
    session.commit()
    at.run()
    no_exception(at)
    assert "H.R. 4 (119th Congress)" in moved_bills(at)


def test_a_full_moved_list_says_it_shows_only_the_latest(session: Session, seeded: Seeded,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    for key in ("quiet", "privacy"):
        session.add(BillChange(bill_id=seeded.ids[key], kind="new_action", detected_at=utcnow(),
                               after={"date": TODAY, "text": "Passed House"}))
    session.commit()
    at = signed_in(seeded.users["council"], "views/overview.py")
    no_exception(at)
    shown = len(moved_bills(at))
    assert not any("moved most recently" in c.value for c in at.caption)
    monkeypatch.setattr(overview, "MOVED_SHOWN", shown)  # the list is now as long as it may be
    at.run()
    no_exception(at)
    assert len(moved_bills(at)) == shown
    assert any(f"The {shown} that moved most recently" in c.value for c in at.caption)


def hearing_bills(at: AppTest) -> list[str]:
    """The bills of the "Upcoming hearings" table (the table with an agenda column)."""
    return [b for df in at.dataframe if "agenda" in df.value.columns for b in df.value["bill"]]


def test_a_full_hearings_list_says_it_shows_only_the_first(session: Session, seeded: Seeded,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    # The list stopped at 50 rows without a word, so a council member took it for the whole month.
    from tracker.models import Hearing, HearingItem

    day = utcnow().date() + dt.timedelta(days=3)
    for n, key in enumerate(("privacy", "robotics")):
        hearing = Hearing(jurisdiction_id="us", source_name="test", source_key=f"h{n}", date=day, time=f"{9 + n}:00",
                          body="Committee on Energy and Commerce")
        session.add(hearing)
        session.flush()
        session.add(HearingItem(hearing_id=hearing.id, bill_id=seeded.ids[key], sequence=1))
    session.commit()
    at = signed_in(seeded.users["council"], "views/overview.py")
    no_exception(at)
    assert hearing_bills(at) == ["H.R. 2 (119th Congress)", "H.R. 3 (119th Congress)"]
    assert not any("first" in c.value for c in at.caption)
    monkeypatch.setattr(overview, "HEARINGS_SHOWN", 1)
    at.run()
    no_exception(at)
    assert hearing_bills(at) == ["H.R. 2 (119th Congress)"]
    assert any("The first 1 hearing rows" in c.value for c in at.caption)


def test_a_bill_dismissed_as_noise_is_not_followed(session: Session, seeded: Seeded) -> None:
    # Staff dismiss noise every morning; the overview still counted a dismissed bill as "flagged for the council"
    # and listed it under "Only bills we follow" when it moved or had a hearing.
    from tracker import triage
    from tracker.models import Hearing, HearingItem

    robotics = seeded.ids["robotics"]
    session.add(BillChange(bill_id=robotics, kind="new_action", after={"date": TODAY, "text": "Hearing held"},
                           detected_at=utcnow()))
    hearing = Hearing(jurisdiction_id="us", source_name="test", source_key="h1",
                      date=utcnow().date() + dt.timedelta(days=3), time="10:00", body="Committee on Science")
    session.add(hearing)
    session.flush()
    session.add(HearingItem(hearing_id=hearing.id, bill_id=robotics, sequence=1))
    session.commit()
    at = signed_in(seeded.users["council"], "views/overview.py")
    no_exception(at)
    flagged = next(m for m in at.metric if m.label == "Flagged for the council")
    hr3 = "H.R. 3 (119th Congress)"
    assert flagged.value == "4" and hr3 in moved_bills(at) and hearing_bills(at) == [hr3]
    triage.dismiss(session, actor=seeded.users["staff"], bill_ids=[robotics])
    session.commit()
    at.run()
    no_exception(at)
    flagged = next(m for m in at.metric if m.label == "Flagged for the council")
    assert flagged.value == "3" and "H.R. 3 (119th Congress)" not in moved_bills(at) and hearing_bills(at) == []
    # Put on a watchlist, it is followed again whatever triage said.
    council = seeded.users["council"]
    followed = watchlists.create_watchlist(session, actor=council, name="Robotics")
    watchlists.add_bills(session, actor=council, watchlist_id=followed.id, bill_ids=[robotics])
    session.commit()
    at.run()
    assert "H.R. 3 (119th Congress)" in moved_bills(at) and hearing_bills(at) == ["H.R. 3 (119th Congress)"]


def test_a_stage_change_on_a_bill_we_oppose_leads_the_moved_list_with_our_position(session: Session,
                                                                                   seeded: Seeded) -> None:
    # A council member reads "what moved" for the bills the council took a side on. The table gave no position
    # and only a count of changes, in detection order: a bill we oppose passing its first chamber sat among the
    # new actions of bills nobody had judged, and its row did not say it had changed stage.
    from tracker import positions

    staff, now = seeded.users["staff"], utcnow()
    robotics, markup = seeded.ids["robotics"], seeded.ids["markup"]
    session.add_all([
        BillChange(bill_id=robotics, kind="stage_change", before="in_committee", after="passed_origin_chamber",
                   detected_at=now - dt.timedelta(days=2)),
        BillChange(bill_id=robotics, kind="new_action", detected_at=now - dt.timedelta(days=2),
                   after={"date": TODAY, "text": "Passed House"}),
        BillChange(bill_id=markup, kind="new_action", detected_at=now - dt.timedelta(hours=1),
                   after={"date": TODAY, "text": "Hearing held"})])
    session.get(Bill, robotics).stage = "passed_origin_chamber"  # as ingest leaves it with that change
    session.get(Bill, robotics).latest_action_date = now.date()
    positions.set_position(session, actor=staff, bill_id=robotics, stance="Oppose", priority="High",
                           expected_version=None)
    session.commit()

    rows = overview.moved(session)
    assert [r["id"] for r in rows] == [robotics, markup]  # the stage change on a bill we took a side on first
    assert (rows[0]["position"], rows[0]["priority"]) == ("Oppose", "High")
    assert rows[0]["what"] == "Stage: In committee → Passed first chamber; 1 new action"
    assert (rows[1]["position"], rows[1]["what"]) == (None, "1 new action")

    at = signed_in(seeded.users["council"], "views/overview.py")
    no_exception(at)
    moved_table = next(df.value for df in at.dataframe if "bill" in df.value.columns and "what changed" in
                       df.value.columns)
    first = moved_table.iloc[0]
    assert (first["bill"], first["our position"], first["stage"]) == ("H.R. 3 (119th Congress)", "Oppose (High)",
                                                                     "Passed first chamber")
    assert first["what changed"] == "Stage: In committee → Passed first chamber; 1 new action"
    assert moved_table.iloc[1]["our position"] == "—"


def test_upcoming_hearings_say_where_the_council_stands(session: Session, seeded: Seeded) -> None:
    # "Coming up" is read to decide who goes to testify: a hearing on a bill we oppose must say so.
    from tracker import positions
    from tracker.models import Hearing, HearingItem

    hearing = Hearing(jurisdiction_id="us", source_name="test", source_key="h-pos",
                      date=utcnow().date() + dt.timedelta(days=3), time="10:00", body="Committee on Science")
    session.add(hearing)
    session.flush()
    for key in ("privacy", "robotics"):
        session.add(HearingItem(hearing_id=hearing.id, bill_id=seeded.ids[key], sequence=1))
    positions.set_position(session, actor=seeded.users["staff"], bill_id=seeded.ids["privacy"], stance="Support",
                           priority="Medium", expected_version=None)
    session.commit()
    assert [h["position"] for h in overview.upcoming_hearings(session)] == ["Support", None]
    at = signed_in(seeded.users["council"], "views/overview.py")
    no_exception(at)
    table = next(df.value for df in at.dataframe if "agenda" in df.value.columns)
    assert list(table["our position"]) == ["Support (Medium)", "—"]
    # The time on the committee's clock, with its zone (Congress: Washington's).
    zone = dt.datetime.combine(hearing.date, dt.time(10), ZoneInfo("America/New_York")).tzname()
    assert list(table["time"]) == [f"10:00 AM {zone}"] * 2


def test_upcoming_hearings_say_cancelled_and_moved(session: Session, seeded: Seeded) -> None:
    # A council member planned to attend a hearing on a bill we support; the committee cancelled it, and the
    # overview dropped it without a word (was it ever there?). Another moved to the afternoon and showed as if it
    # had always been then. Hearings written for this test, stored through the ingest writer as a crawl stores them.
    from tracker.ingest import Ingestor
    from tracker.records import HearingRecord

    day = utcnow().date() + dt.timedelta(days=3)

    def hearing(key: str, time: str, bill: str, cancelled: bool = False) -> HearingRecord:
        return HearingRecord.model_validate({
            "jurisdiction": {"id": "us", "name": "United States", "level": "federal"}, "source_name": "test",
            "source_key": key, "date": day, "time": time, "body": "Committee on Science", "cancelled": cancelled,
            "items": [{"sequence": 1, "bill_identifier": bill, "session_identifier": "119"}]})

    Ingestor(session).ingest_hearings([hearing("h-off", "10:00", "HR 1"), hearing("h-moved", "9:00", "HR 2")])
    session.commit()
    Ingestor(session).ingest_hearings([hearing("h-off", "10:00", "HR 1", cancelled=True),
                                       hearing("h-moved", "14:00", "HR 2")])
    session.commit()
    zone = dt.datetime.combine(day, dt.time(12), ZoneInfo("America/New_York")).tzname()
    at = signed_in(seeded.users["council"], "views/overview.py")
    no_exception(at)
    table = next(df.value for df in at.dataframe if "agenda" in df.value.columns)
    assert [(r["bill"], r["time"], r["status"]) for _, r in table.iterrows()] == [
        ("H.R. 1 (119th Congress)", f"10:00 AM {zone}", "Cancelled"),
        ("H.R. 2 (119th Congress)", f"2:00 PM {zone}", f"Moved from {day:%a} {day.day} {day:%b} 9:00 AM {zone}")]
    # The bill page's hearings say the same.
    page = signed_in(seeded.users["council"], "views/bill.py", query={"id": str(seeded.ids["privacy"])})
    no_exception(page)
    [hearings] = [df.value for df in page.dataframe if "called off" in df.value.columns]
    assert list(hearings["moved"]) == [f"from {day:%a} {day.day} {day:%b} 9:00 AM {zone}"]
    assert list(hearings["called off"]) == [""]
    page = signed_in(seeded.users["council"], "views/bill.py", query={"id": str(seeded.ids["markup"])})  # H.R. 1
    [hearings] = [df.value for df in page.dataframe if "called off" in df.value.columns]
    assert list(hearings["called off"]) == ["Cancelled"]


def test_each_count_chart_draws_whole_bills_one_band_a_row_with_its_count_at_the_bar(session: Session,
                                                                                     seeded: Seeded) -> None:
    """What the overview's bar charts promise a council member, read from the Vega-Lite the browser gets: whole
    bills on the axis (two positions drew 0.0 to 1.0), a band per row, largest first, the count at each bar."""
    at = signed_in(seeded.users["council"], "views/overview.py")
    no_exception(at)
    charts = [json.loads(chart.proto.spec) for chart in at.get("vega_lite_chart")]
    assert len(charts) >= 3
    for spec in charts:
        assert spec["height"] == {"step": 24}
        marks = []
        for layer in spec["layer"]:
            encoding = {**spec.get("encoding", {}), **layer.get("encoding", {})}
            assert encoding["x"]["field"] == "bills" and encoding["x"]["axis"] == {"format": "d", "tickMinStep": 1}
            assert encoding["y"]["sort"] == "-x" and encoding["y"]["axis"]["labelLimit"] == 200
            marks.append((layer["mark"]["type"], encoding.get("text", {}).get("field")))
        assert marks == [("bar", None), ("text", "bills")]


def test_upcoming_hearings_lead_with_the_bill_and_our_position(session: Session, seeded: Seeded) -> None:
    """On a phone the table shows its first two columns or so: it began with date, time and status, so the bill and
    the council's stance on it needed a sideways swipe on every row. A council member scans for which bill and where
    we stand first, then when; the other tables of the page (moved, on the desk) already lead so."""
    from tracker.models import Hearing, HearingItem

    hearing = Hearing(jurisdiction_id="us", source_name="test", source_key="h-order",
                      date=utcnow().date() + dt.timedelta(days=2), time="10:00", body="Committee on Science")
    session.add(hearing)
    session.flush()
    session.add(HearingItem(hearing_id=hearing.id, bill_id=seeded.ids["privacy"], sequence=1))
    session.commit()
    at = signed_in(seeded.users["council"], "views/overview.py")
    no_exception(at)
    table = next(df.value for df in at.dataframe if "agenda" in df.value.columns)
    assert list(table.columns[:4]) == ["bill", "our position", "date", "time"]
    assert list(table.iloc[0][["bill", "our position"]]) == ["H.R. 2 (119th Congress)", "—"]


def test_history_filled_in_this_week_is_not_a_bill_that_moved(session: Session, seeded: Seeded) -> None:
    """"Moved in the last 7 days" counted what the feeds brought this week, whatever its date: after an import
    of the 117th Congress over older copies, H.R. 4350 (the House's defence bill for 2022) was listed as moving,
    "1 new action", for its last action, of 1 March 2022, which an older file lacked. An action or a text dated
    more than a month before the week, and a stage change of a bill whose latest action is that old, is history
    filled in; one posted late within that month (a public law number comes days to weeks after the signing, and
    its action is dated the signing) is still news."""
    today = utcnow().date()
    old, late = (today - dt.timedelta(days=400)).isoformat(), (today - dt.timedelta(days=20)).isoformat()
    for key, after in (("privacy", {"date": old, "text": "Returned to the Calendar. Calendar No. 144."}),
                       ("robotics", {"date": late, "text": "Became Public Law No: 119-12."}),
                       ("markup", {"date": old, "text": "Referred to the Subcommittee."}),
                       ("markup", {"date": today.isoformat(), "text": "Ordered to be reported."})):
        session.add(BillChange(bill_id=seeded.ids[key], kind="new_action", after=after, detected_at=utcnow()))
    # A stage change caught up (the bill's latest action is from 2025 in these fixtures): not a move either.
    session.add(BillChange(bill_id=seeded.ids["ca"], kind="stage_change", before="introduced",
                           after="in_committee", detected_at=utcnow()))
    session.commit()
    rows = {r["bill"]: r["what"] for r in overview.moved(session)}
    assert rows == {"H.R. 3 (119th Congress)": "1 new action", "H.R. 1 (119th Congress)": "1 new action"}
    at = signed_in(seeded.users["council"], "views/overview.py")
    no_exception(at)
    assert sorted(moved_bills(at)) == ["H.R. 1 (119th Congress)", "H.R. 3 (119th Congress)"]
