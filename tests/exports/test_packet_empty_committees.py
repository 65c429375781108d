"""A bill with no committee on record: the packet's facts table said "Committees —", which reads as "no committee
has it" to a lobbyist asking a legislator about its hearing. California pubinfo, for one, gives no referrals
(the real SB 275 of 2025-26, from ca_pubinfo/.../mini): the row now says, as "Next hearing" does, that the
tracker holds none."""

import datetime as dt
import io

import pytest
from docx import Document
from realdata_paths import require_realdata
from sqlalchemy import Engine, select
from sqlmodel import Session

from tracker.exports import Selection, build_packet
from tracker.importer import import_path
from tracker.models import Bill

pytestmark = pytest.mark.realdata
GENERATED = dt.datetime(2026, 3, 1, 12, tzinfo=dt.UTC)


def test_a_bill_with_no_committee_on_record_says_so_in_the_word_packet(engine: Engine, session: Session) -> None:
    import_path(engine, require_realdata("ca_pubinfo", "pubinfo_nomindnick_ca-leginfo-mcp", "mini"), flag=False)
    bill_id = session.execute(select(Bill.id).where(Bill.jurisdiction_id == "ca", Bill.identifier == "SB 275")
                              ).scalar_one()
    word = Document(io.BytesIO(build_packet(session, Selection(bills=(bill_id,)), "docx", generated_at=GENERATED)))
    facts = {row.cells[0].text: row.cells[1].text for table in word.tables for row in table.rows}
    assert facts["Committees"] == "None recorded in the tracker"
    assert facts["Next hearing"] == "None scheduled in the tracker"
