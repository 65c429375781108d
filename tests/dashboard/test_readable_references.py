"""Dashboard pages name real bills as people read them: "Alabama HB 235 (2025 Regular Session)", not the stored key
"AL 2025rs HB 235" (tracker.references); links still carry the bill's id."""

from pathlib import Path

import pytest
from apptest_helpers import no_exception, signed_in
from dash_fixtures import Seeded
from readable_bills import import_real_bills
from sqlalchemy import Engine
from sqlmodel import Session

from dashboard.components.render import md
from tracker import watchlists
from tracker.models import BillChange, BillMatch
from tracker.models.base import utcnow

pytestmark = pytest.mark.realdata

AL, US = "al 2025rs HB 235", "us 117 HR 4350"


@pytest.fixture
def followed(engine: Engine, session: Session, seeded: Seeded, tmp_path: Path) -> dict[str, int]:
    """The real Alabama and Congress bills flagged, just moved, and on a watchlist."""
    ids = import_real_bills(engine, tmp_path)
    wl = watchlists.create_watchlist(session, actor=seeded.users["staff"], name="Capitol visit")
    for key in (AL, US):
        session.add(BillMatch(bill_id=ids[key], topic_id=seeded.topic.id, score=9.0, flagged=True, rule_version=1))
        session.add(BillChange(bill_id=ids[key], kind="new_action", detected_at=utcnow(),
                               after={"date": utcnow().date().isoformat(), "text": "Read a second time"}))
    watchlists.add_bills(session, actor=seeded.users["staff"], watchlist_id=wl.id, bill_ids=[ids[AL], ids[US]])
    session.commit()
    return ids


def _links(at) -> list[str]:  # type: ignore[no-untyped-def]
    return [p.proto.label for p in at.get("page_link") if p.proto.page == "bill"]


def _bills_column(at) -> list[str]:  # type: ignore[no-untyped-def]
    return [b for df in at.dataframe if "bill" in df.value.columns for b in df.value["bill"]]


def test_the_inbox_and_the_bill_page_name_bills_in_words(seeded: Seeded, followed: dict[str, int]) -> None:
    inbox = signed_in(seeded.users["staff"], "views/triage.py")
    no_exception(inbox)
    links = _links(inbox)
    assert md("Alabama HB 235 (2025 Regular Session)") in links and md("H.R. 4350 (117th Congress)") in links
    assert not any("2025rs" in label or "US 117" in label for label in links), links

    page = signed_in(seeded.users["council"], "views/bill.py", query={"id": str(followed[AL])})
    no_exception(page)
    assert [t.value for t in page.title] == [md("HB 235")]
    assert [c.value for c in page.caption][:1] == [md("Alabama · 2025 Regular Session · bill")]
    page = signed_in(seeded.users["council"], "views/bill.py", query={"id": str(followed[US])})
    assert [t.value for t in page.title] == [md("H.R. 4350")]


def test_the_overview_and_watchlist_tables_name_bills_in_words(seeded: Seeded, followed: dict[str, int]) -> None:
    overview = signed_in(seeded.users["council"], "views/overview.py")
    no_exception(overview)
    assert {"AL HB 235 (2025 Regular)", "H.R. 4350 (117th Congress)"} <= set(_bills_column(overview))
    lists = signed_in(seeded.users["staff"], "views/watchlists.py")
    no_exception(lists)
    assert set(_bills_column(lists)) == {"AL HB 235 (2025 Regular)", "H.R. 4350 (117th Congress)"}
