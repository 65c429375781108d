"""The overview's "On the executive's desk" and the bill page say by when the executive must act."""

import datetime as dt

import pytest
from apptest_helpers import no_exception, signed_in, texts
from dash_fixtures import Seeded
from presented_bills import as_presented, inflation_reduction_act
from sqlalchemy import select
from sqlmodel import Session

from tracker import executive_desk, positions
from tracker.ingest import IngestItem, Ingestor
from tracker.models import Bill


def test_the_council_sees_the_last_day_to_act_on_a_bill_it_supports(session: Session, seeded: Seeded,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    Ingestor(session).ingest([IngestItem(as_presented(inflation_reduction_act()))])
    session.commit()
    bill_id = session.execute(select(Bill.id).where(Bill.identifier == "HR 5376")).scalar_one()
    positions.set_position(session, actor=seeded.users["staff"], bill_id=bill_id, stance="Support",
                           priority="High", expected_version=None)
    session.commit()
    monkeypatch.setattr(executive_desk, "us_today", lambda now: dt.date(2022, 8, 16))

    at = signed_in(seeded.users["council"], "views/overview.py")
    no_exception(at)
    [desk] = [d.value for d in at.dataframe if "last day to act" in d.value.columns]
    assert desk[["bill", "our position", "last day to act"]].values.tolist() == [
        ["H.R. 5376 (117th Congress)", "Support (High)", "The President acts by Fri 26 Aug 2022 (in 10 days)"]]

    page = signed_in(seeded.users["council"], "views/bill.py", query={"id": str(bill_id)})
    no_exception(page)
    shown = texts(page).replace("\\", "")
    assert "The President acts by Fri 26 Aug 2022 (in 10 days). U.S. Const. art. I, § 7: unsigned" in shown


def test_the_overview_says_when_nothing_awaits_the_executive(seeded: Seeded) -> None:
    at = signed_in(seeded.users["council"], "views/overview.py")
    no_exception(at)
    assert any(c.value == "No bill awaits a signature or a veto." for c in at.caption)
