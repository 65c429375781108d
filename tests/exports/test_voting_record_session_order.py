"""A legislator's voting record across several sessions, newest first. Sen. Coons cosponsored, in the real
usgpo_samples files, S. 1260 (117th Congress), S. 1300 (114th) and S. 2269 (115th). His packet, bills by the
council's priority (S. 1260 and S. 1300 High, S. 2269 Low), put the records in the bills' order: 117th, 114th,
115th Congress, in the contents and before the bills, so his staff read his 2015 record between 2021's and
2018's. The records now run from the session of his most recent bill back."""

import json

import pytest
from realdata_paths import require_realdata
from sqlalchemy import Engine, select
from sqlmodel import Session

from tracker.exports import Selection, build_packet
from tracker.importer import import_path
from tracker.models import Bill, Position

pytestmark = pytest.mark.realdata
FILES = (("formatChange", "current", "BILLSTATUS-117s1260.xml"), ("legacy", "BILLSTATUS-114s1300.xml"),
         ("textVersions", "DEV-BILLSTATUS-115s2269.xml"))


def test_a_legislators_records_run_from_the_newest_session_back(engine: Engine, session: Session) -> None:
    for parts in FILES:
        import_path(engine, require_realdata("billstatus", "usgpo_samples", *parts), flag=False)
    ids = dict(session.execute(select(Bill.identifier, Bill.id)).all())
    for identifier, priority in (("S 1260", "High"), ("S 1300", "High"), ("S 2269", "Low")):
        session.add(Position(bill_id=ids[identifier], stance="Support", priority=priority))
    session.commit()
    packet = json.loads(build_packet(session, Selection(sponsors=("Coons",)), "json"))
    assert [b["identifier"] for b in packet["bills"]] == ["S 1260", "S 1300", "S 2269"]  # by priority, unchanged
    assert [r["session"] for r in packet["voting_records"]] == ["117", "115", "114"]
