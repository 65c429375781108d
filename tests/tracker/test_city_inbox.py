"""The triage inbox with city matters: what kind of matter each flagged one is, where the clerk says it stands, and
the matters dead before anyone looked at them left out of the morning's list.

The 300 real matters of the Chicago, New York City and LA Metro Legislation grids (tests/legistar_grids.py),
flagged by the tracker's own topics (tracker/topics.yaml) as a crawl flags them: nine, of which four are LA Metro
contracts and a board motion, one a Chicago fee report, and two New York resolutions filed at the end of their
session in 2015 and 2016.
"""

import dataclasses

import pytest
from database_snapshots import Snapshots
from legistar_grids import GRID_STAMP, grid_matters, ingest_grids
from realdata_paths import require_realdata
from sqlalchemy import Engine, select
from sqlmodel import Session

from tracker import triage, users
from tracker.ingest import IngestItem, Ingestor
from tracker.matching import flag_bills
from tracker.matching.topics import load_topics
from tracker.models import Bill
from tracker.sources.legistar import parse_matter

pytestmark = pytest.mark.realdata


def _flagged_grids(engine: Engine) -> int:
    ingest_grids(engine)
    with Session(engine) as s:
        load_topics(s)
        s.commit()
        flag_bills(s, list(s.execute(select(Bill.id)).scalars()))
        s.commit()
    return 0


@pytest.fixture
def cities(engine: Engine, session: Session, database_snapshots: Snapshots) -> Session:
    database_snapshots.restore_or_build("flagged city grids", engine, lambda: _flagged_grids(engine))
    return session


def _listed(s: Session, flt: triage.InboxFilter = triage.InboxFilter()) -> dict[str, dict]:
    rows, total = triage.inbox(s, flt, limit=100)
    assert total == len(rows)
    return {r["identifier"]: r for r in rows}


def test_each_card_says_what_kind_of_matter_it_is_and_the_clerks_status(cities: Session) -> None:
    listed = _listed(cities, triage.InboxFilter(view="all"))
    shown = {k: (r["kind"], r["official_status"]) for k, r in listed.items()}
    assert shown == {
        "2018-0046": ("Contract", "Agenda Ready"), "2018-0339": ("Contract", "Agenda Ready"),
        "2018-0609": ("Contract", "Agenda Ready"), "2018-0414": ("Motion / Motion Response", "Agenda Ready"),
        "F2018-35": ("Report", "Placed on File"), "O2018-4309": ("Ordinance", "Passed"),
        "Res 0104-2018": ("Resolution", "Committee"),
        "Res 0854-2015": ("Resolution", "Filed (End of Session)"),
        "Res 1224-2016": ("Resolution", "Filed (End of Session)"),
    }


def test_matters_dead_before_anyone_reviewed_them_leave_the_default_inbox(cities: Session) -> None:
    dead = {"Res 0854-2015", "Res 1224-2016"}  # Filed (End of Session): the stage is Failed
    everything = _listed(cities, triage.InboxFilter(with_dead=True))
    assert len(everything) == 9 and {everything[k]["stage"] for k in dead} == {"failed"}
    inbox = _listed(cities)
    assert set(inbox) == set(everything) - dead
    assert triage.count_inbox(cities, triage.InboxFilter()) == 7
    assert triage.count_dead_left_out(cities, triage.InboxFilter()) == 2
    # Asked for by their stage, or in the other views, they are listed as before.
    assert set(_listed(cities, triage.InboxFilter(stages=("failed",)))) == dead
    assert dead <= set(_listed(cities, triage.InboxFilter(view="flagged")))
    assert triage.count_dead_left_out(cities, triage.InboxFilter(view="flagged")) == 0


def test_a_matter_that_dies_after_its_review_comes_back_as_news(cities: Session) -> None:
    users.add_user(cities, email="admin@example.org", role="admin")
    staff = users.add_user(cities, email="staff@example.org", role="staff")
    cities.commit()
    resolution = cities.execute(select(Bill.id).where(Bill.identifier == "Res 0104-2018")).scalar_one()
    triage.mark_reviewed(cities, actor=staff, bill_ids=[resolution])
    cities.commit()
    assert "Res 0104-2018" not in _listed(cities)
    # The council files it at the end of the session: the same real matter, its status changed.
    matter, parts = next((m, p) for m, p in grid_matters(require_realdata("legistar", "nyc", "bills.html"))
                         if m["MatterFile"] == "Res 0104-2018")
    record = parse_matter({**matter, "MatterStatusName": "Filed (End of Session)",
                           "MatterLastModifiedUtc": GRID_STAMP.replace("2019-01-15", "2019-12-31")},
                          parts, client="nyc", locator="grid")
    Ingestor(cities).ingest([IngestItem(record=record)])
    cities.commit()
    row = _listed(cities)["Res 0104-2018"]
    assert (row["stage"], row["changed_since_review"], row["changes_since_review"]) == (
        "failed", True, ["stage change"])


def test_a_saved_filter_keeps_the_dead_matters_choice() -> None:
    flt = triage.InboxFilter.from_saved({"f_dead": True}, assignee_id=None, new_from=None)  # type: ignore[arg-type]
    assert dataclasses.replace(triage.InboxFilter(), with_dead=True) == flt
