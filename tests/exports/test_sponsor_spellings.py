"""A `--sponsor` packet finds a legislator however each feed spells them, and never joins two people.

California's pubinfo (real, the ``mini`` extract) names Senator Monique Limón "Limón", coauthor of SB 275 in
2025-26; LegiScan names her "Monique Limón" with a people_id. A packet for "Monique Limón" left SB 275 out, and one
for "Limon" held SB 275 only. The LegiScan bills here are the real LegiScan file HB1044.json respelled as
California 2025-2026 bills (as tests/tracker/test_crossfeed_texts.py does), sponsored under LegiScan's spelling.
"""

import copy
import json
from pathlib import Path

import pytest
from realdata_paths import require_realdata
from sqlalchemy import Engine
from sqlmodel import Session

from tracker.exports import Selection, SelectionError, build_packet, resolve_selection
from tracker.importer import import_path
from tracker.models import Bill

pytestmark = pytest.mark.realdata


def _legiscan_bill(number: str, bill_id: int, sponsors: list[tuple[int, str]]) -> dict:
    payload = json.loads(require_realdata("legiscan", "dataset_json", "bill", "HB1044.json").read_bytes())
    bill = payload["bill"]
    template = bill["sponsors"][0]
    bill.update(bill_id=bill_id, state="CA", bill_number=number.replace(" ", ""), body="S", votes=[], texts=[],
                session={"session_id": 2172, "session_name": "2025-2026 Regular Session",
                         "session_title": "2025-2026 Regular Session", "year_start": 2025, "year_end": 2026,
                         "special": 0},
                sponsors=[{**copy.deepcopy(template), "people_id": pid, "name": name, "role": "Sen", "role_id": 2,
                           "committee_sponsor": 0, "committee_id": 0, "sponsor_type_id": 1, "sponsor_order": i + 1}
                          for i, (pid, name) in enumerate(sponsors)])
    return payload


def _import(engine: Engine, tmp_path: Path, bills: dict[str, list[tuple[int, str]]]) -> None:
    mini = require_realdata("ca_pubinfo", "pubinfo_nomindnick_ca-leginfo-mcp", "mini")
    assert import_path(engine, mini, flag=False).errors == []
    folder = tmp_path / "legiscan" / "bill"
    folder.mkdir(parents=True)
    for i, (number, sponsors) in enumerate(bills.items()):
        (folder / f"{number.replace(' ', '')}.json").write_text(json.dumps(_legiscan_bill(number, 1990001 + i,
                                                                                           sponsors)))
    assert import_path(engine, folder.parent, flag=False).errors == []


def _chosen(session: Session, *sponsors: str) -> tuple[list[str], str]:
    got = resolve_selection(session, Selection(sponsors=sponsors, order="identifier"))
    return sorted(session.get(Bill, i).identifier for i in got.bill_ids), got.description  # type: ignore[union-attr]


def test_one_legislator_under_two_feeds_spellings(engine: Engine, session: Session, tmp_path: Path) -> None:
    _import(engine, tmp_path, {"SB 7": [(21950, "Monique Limón")], "SB 9": [(21951, "Lola Smallwood-Cuevas")]})
    for typed in ("Monique Limón", "monique limon", "Limón", "Limon", "21950"):
        assert _chosen(session, typed) == (["SB 275", "SB 7"], "Sponsor or cosponsor: Monique Limón"), typed
    # Lola Smallwood-Cuevas: pubinfo's hyphenated surname, LegiScan's full name.
    assert _chosen(session, "Smallwood-Cuevas")[0] == ["SB 275", "SB 9"]
    # The packet names her role on each bill under the feed's own spelling, and says which spellings it used.
    packet = json.loads(build_packet(session, Selection(sponsors=("Limon",), order="identifier"), "json"))
    assert {b["identifier"]: [r["name"] for r in b["legislator_roles"]] for b in packet["bills"]} == {
        "SB 275": ["Limón"], "SB 7": ["Monique Limón"]}
    assert packet["selection"]["sponsors"] == [{
        "name": "Monique Limón", "person_id": "21950",
        "also_named": [{"jurisdiction": "ca", "session": "20252026", "name": "Limón"}]}]


def test_a_spelling_that_fits_two_people_joins_neither(engine: Engine, session: Session, tmp_path: Path) -> None:
    # A second member whose name ends in Limón, invented for the test: pubinfo's "Limón" could be either.
    _import(engine, tmp_path, {"SB 7": [(21950, "Monique Limón")], "SB 8": [(21952, "Ana Limón")]})
    assert _chosen(session, "Monique Limón") == (["SB 7"], "Sponsor or cosponsor: Monique Limón")
    assert _chosen(session, "Ana Limon")[0] == ["SB 8"]
    # "Limón" as pubinfo prints it is that name-only sponsor alone, as before; no packet mixes the three.
    assert _chosen(session, "Limón") == (["SB 275"], "Sponsor or cosponsor: Limón")
    with pytest.raises(SelectionError, match=r"'Lim' fits 3 legislators: Ana Limón \(21952\), Limón, "
                                             r"Monique Limón \(21950\)"):
        _chosen(session, "Lim")
