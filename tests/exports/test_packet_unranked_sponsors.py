"""A packet on a bill whose LegiScan file ranks no sponsor (Alaska HB 3, 2011: sponsor_type_id 0 for all 19).

The packet named all nineteen as "Sponsor", and a packet for one of them said "Robert Lynn: sponsor", though the
file does not say who is the primary sponsor and who a cosponsor (tests/sources/test_legiscan_sponsor_roles.py).
"""

import json

import pytest
from realdata_paths import require_realdata
from sqlalchemy import Engine
from sqlmodel import Session

from tracker.exports import Selection
from tracker.exports.build import prepare_packet
from tracker.exports.jsonfile import write_json
from tracker.importer import import_path

pytestmark = pytest.mark.realdata


def test_unranked_sponsors_are_named_as_such(engine: Engine, session: Session) -> None:
    path = require_realdata("legiscan", "dataset_json", "bill", "HB3.json")
    assert import_path(engine, path, flag=False).errors == []
    packet = prepare_packet(session, Selection(sponsors=("Robert Lynn",)), "json")
    [bill] = packet.bills
    assert bill.sponsors == () and bill.cosponsor_count == 0
    assert len(bill.unranked_sponsors) == 19
    assert bill.sponsor_label.startswith("Carl Gatto [R-HD-013]; Steve Thompson [")
    assert bill.sponsor_label.endswith("; Alan Dick [R-HD-006] (primary sponsor not recorded)")
    assert [r.label for r in bill.legislator_roles] == ["Robert Lynn: sponsor or cosponsor (not recorded which)"]
    [exported] = json.loads(write_json(packet))["bills"]
    assert exported["sponsors"] == [] and len(exported["unranked_sponsors"]) == 19
    assert exported["legislator_roles"][0]["role"] == "sponsor_or_cosponsor"
