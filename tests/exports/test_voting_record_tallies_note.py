"""A legislator's packet whose session holds one key vote with a tally only: the real H.R. 1 (117th Congress,
usgpo_samples), opposed by the council, passed the House by roll call 62, whose BILLSTATUS file gives the tally
but no member's vote. Sen. Coons cosponsored S. 1260 of that Congress; his packet's record read "The 1 key vote
stored for this session give tallies only, no member's vote." """

import json

import pytest
from realdata_paths import require_realdata
from sqlalchemy import Engine, select
from sqlmodel import Session

from tracker.exports import Selection, build_packet
from tracker.importer import import_path
from tracker.models import Bill, Position

pytestmark = pytest.mark.realdata


def test_a_single_key_vote_with_a_tally_only_is_told_in_the_singular(engine: Engine, session: Session) -> None:
    folder = require_realdata("billstatus", "usgpo_samples", "formatChange", "current")
    for name in ("BILLSTATUS-117hr1.xml", "BILLSTATUS-117s1260.xml"):
        import_path(engine, folder / name, flag=False)
    bill_id = session.execute(select(Bill.id).where(Bill.identifier == "HR 1")).scalar_one()
    session.add(Position(bill_id=bill_id, stance="Oppose", priority="High"))
    session.commit()
    packet = json.loads(build_packet(session, Selection(sponsors=("Coons",)), "json"))
    [record] = packet["voting_records"]
    assert (record["key_votes"], record["votes"]) == (1, [])
    assert record["note"] == "The key vote stored for this session gives a tally only, no member's vote."
