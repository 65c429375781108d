"""The bill page's roll calls and hearings: tallies, each member's vote, the source shown, and upstream text
(motion wording, member names, hearing rooms) kept as text. The records are hand-built from our own record
schema (tracker.records); the markup in them stands for what a feed could send."""

import datetime as dt
from zoneinfo import ZoneInfo

import pandas as pd
from apptest_helpers import no_exception, signed_in, texts
from dash_fixtures import Seeded, record
from federal_roll_calls import store_hr1
from sqlalchemy import select
from sqlmodel import Session

from dashboard.components.render import md
from tracker.ingest import IngestItem, Ingestor
from tracker.models import Bill
from tracker.records import CalendarEntryRecord, PersonVoteRecord, VoteRecord

MOTION = '<script>alert("m")</script> **Do pass** [x](javascript:alert(1))'


def test_bill_page_shows_roll_calls_members_and_hearings(session: Session, seeded: Seeded) -> None:
    day = dt.date.today() + dt.timedelta(days=3)
    votes = [
        VoteRecord(source_key="rc-1", date=dt.date(2026, 3, 2), chamber="lower", body="Assembly Floor",
                   motion=MOTION, result="passed", yes_count=2, no_count=1, other_count=0, absent_count=1,
                   url="javascript:alert(1)",
                   people=[PersonVoteRecord(name="Ada <b>Lovelace</b>", option="yes"),
                           PersonVoteRecord(name="Grace Hopper", option="yes"),
                           PersonVoteRecord(name="Alan Turing", option="no"),
                           PersonVoteRecord(name="Edsger Dijkstra", option="absent")]),
        VoteRecord(source_key="rc-0", date=dt.date(2026, 2, 1), body="CX03", motion="Committee vote",
                   result="failed", yes_count=3, no_count=5, url="https://example.org/rc-0")]
    calendar = [CalendarEntryRecord(source_key="h-1", date=day, time="13:30", body="Privacy Committee",
                                    location="Room <i>4202</i>", kind="Hearing")]
    Ingestor(session).ingest([IngestItem(record=record(77, jurisdiction="ca", votes=votes, calendar=calendar,
                                                       source_name="ca_pubinfo", source_key="votes-77"))])
    session.commit()
    bill_id = session.execute(select(Bill.id).where(Bill.identifier == "AB 77")).scalar_one()

    at = signed_in(seeded.users["lobbyist"], "views/bill.py", query={"id": str(bill_id)})
    no_exception(at)
    shown = texts(at)
    assert "Roll calls" in shown and md("As California Legislative Information (pubinfo) records them.") in shown
    table = next(d.value for d in at.dataframe if "motion" in d.value.columns)
    assert list(table["motion"]) == [MOTION, "Committee vote"]  # newest first, the wording as received
    assert list(table["yes"]) == [2, 3] and list(table["result"]) == ["passed", "failed"]
    assert pd.isna(table["record"].iloc[0]) and table["record"].iloc[1] == "https://example.org/rc-0"  # no javascript:
    members = next(d.value for d in at.dataframe if "member" in d.value.columns)
    assert list(members["member"]) == ["Ada <b>Lovelace</b>", "Grace Hopper", "Alan Turing", "Edsger Dijkstra"]
    assert list(members["vote"]) == ["yes", "yes", "no", "absent"]
    hearings = next(d.value for d in at.dataframe if "location" in d.value.columns)
    assert (hearings["date"].iloc[0], hearings["location"].iloc[0]) == (day.isoformat(), "Room <i>4202</i>")
    # Sacramento's clock, said so: "13:30" read as 1:30 PM in New York was three hours early.
    pacific = dt.datetime.combine(day, dt.time(13, 30), ZoneInfo("America/Los_Angeles")).tzname()
    assert hearings["time"].iloc[0] == f"1:30 PM {pacific}"
    for m in [m.value for m in at.markdown] + [c.value for c in at.caption]:
        assert "<script>" not in m and "](javascript" not in m
    for h in at.get("html"):
        assert "<script" not in h.proto.body


def test_bill_without_votes_says_so(seeded: Seeded) -> None:
    at = signed_in(seeded.users["staff"], "views/bill.py", query={"id": str(seeded.ids["privacy"])})
    no_exception(at)
    assert "No roll calls recorded." in texts(at)


def test_bill_page_names_committees_as_packets_do(session: Session, seeded: Seeded) -> None:
    """The bill page listed H.R. 4350's committees with the chamber as stored ("lower") and no word of what each
    had done, and its seven Armed Services subcommittees without their committee; the packet said more."""
    import pytest
    from realdata_paths import require_realdata

    from tracker.sources.govinfo_billstatus import parse_billstatus

    folder = require_realdata("billstatus", "usgpo_samples", "formatChange", "current")
    path = folder / "BILLSTATUS-117hr4350.xml"
    if not path.is_file():
        pytest.skip(f"{path} missing")
    Ingestor(session).ingest([IngestItem(parse_billstatus(path.read_bytes(), str(path)))])
    session.commit()
    bill_id = session.execute(select(Bill.id).where(Bill.identifier == "HR 4350")).scalar_one()
    at = signed_in(seeded.users["lobbyist"], "views/bill.py", query={"id": str(bill_id)})
    no_exception(at)
    table = next(df.value for df in at.dataframe if "committee" in df.value.columns)
    rows = {r["committee"]: r for r in table.to_dict("records")}
    assert rows["House Armed Services Committee"]["last action"] == "reported Sep 17, 2021"
    assert rows["House Armed Services Committee: Readiness Subcommittee"]["last action"] == "reported Jul 29, 2021"
    assert "lower" not in table.to_csv()


def test_federal_roll_calls_are_named_by_chamber_and_number_with_their_link_and_no_tally(
        session: Session, seeded: Seeded) -> None:
    bill_id = store_hr1(session)
    at = signed_in(seeded.users["lobbyist"], "views/bill.py", query={"id": str(bill_id)})
    no_exception(at)
    shown = texts(at)
    lines = [m.value for m in at.markdown if "roll call 6" in m.value]
    assert len(lines) == 1, lines
    # Newest first, each linked to the Clerk's roll call; a tally BILLSTATUS does not give is said to be missing.
    assert lines[0].index("[House roll call 62, Mar 3, 2021](https://clerk.house.gov/evs/2021/roll062.xml)") \
        < lines[0].index("[House roll call 61, Mar 3, 2021](https://clerk.house.gov/evs/2021/roll061.xml)")
    assert "On passage Passed by the Yeas and Nays" in lines[0] and lines[0].count("tally not loaded") == 2
    assert not any("motion" in d.value.columns for d in at.dataframe)  # no 0-0 or empty tally columns
    assert md("As GovInfo bill status (Congress) records them.") in shown


def test_federal_roll_call_text_and_link_from_the_feed_stay_text(session: Session, seeded: Seeded) -> None:
    bill_id = store_hr1(
        session,
        (b"<text>On passage Passed by the Yeas and Nays: 220 - 210 (Roll no. 62).</text>",
         b"<text>" + MOTION.replace("<", "&lt;").encode() + b" (Roll no. 62).</text>"),
        (b"<url>https://clerk.house.gov/evs/2021/roll061.xml</url>", b"<url>javascript:alert(1)</url>"))
    at = signed_in(seeded.users["lobbyist"], "views/bill.py", query={"id": str(bill_id)})
    no_exception(at)
    (line,) = [m.value for m in at.markdown if "roll call 6" in m.value]
    assert "House roll call 61, Mar 3, 2021" in line and "](javascript" not in line  # shown, not linked
    assert "<script>" not in line and "\\*\\*Do pass\\*\\*" in line
