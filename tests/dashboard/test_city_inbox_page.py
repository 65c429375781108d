"""The triage inbox's cards for city matters (the real Chicago, New York City and LA Metro grids, flagged by the
tracker's own topics): the kind of matter and the clerk's status on each card, the dead ones left out and said so."""

import pytest
from apptest_helpers import no_exception, signed_in, texts
from dash_fixtures import Seeded
from legistar_grids import ingest_grids
from sqlalchemy import select
from sqlmodel import Session

from dashboard.components.render import md
from tracker.matching import flag_bills
from tracker.matching.topics import load_topics
from tracker.models import Bill

pytestmark = pytest.mark.realdata


def test_a_city_card_says_contract_and_its_status_and_dead_matters_are_counted_not_listed(
        session: Session, seeded: Seeded) -> None:
    ingest_grids(session.get_bind())
    load_topics(session)
    session.commit()
    city = list(session.execute(select(Bill.id).where(Bill.jurisdiction_id.like("us-%-%"))).scalars())
    flag_bills(session, city)
    session.commit()
    at = signed_in(seeded.users["staff"], "views/triage.py")
    no_exception(at)
    shown = texts(at)
    assert "Contract · official status: " + md("Agenda Ready") in shown  # LA Metro's 2018-0609 and two more
    assert "Report · official status: " + md("Placed on File") in shown  # Chicago's ride-hailing fee report
    assert "2 dead not listed" in shown
    assert "Filed (End of Session)" not in shown  # New York's Res 0854-2015 and Res 1224-2016
    before = [c.key for c in at.checkbox if c.key.startswith("sel_")]
    at.checkbox(key="f_dead").check().run()
    no_exception(at)
    assert len([c.key for c in at.checkbox if c.key.startswith("sel_")]) == len(before) + 2
    assert "Resolution · official status: " + md("Filed (End of Session)") in texts(at)
    assert "dead not listed" not in texts(at)
