"""A city matter's session when the Web API gives no introduction date: the year its file number carries (New York
City's "Int 1299-2018"), not the year it was last modified.

New York City's real Legislation grid (legistar/nyc/bills.html) shows no introduction date; its pages were saved in
January 2019, and every matter was stored in session 2019, Int 1299-2018 and the resolutions New York filed at the
end of its 2014-2017 session alike.
"""

import pytest
from database_snapshots import Snapshots
from legistar_grids import GRID_STAMP, grid_matters, ingest_grids
from realdata_paths import require_realdata
from sqlalchemy import Engine, select
from sqlmodel import Session

from tracker import positions, users
from tracker.duplicates import find_groups, merge
from tracker.ingest import IngestItem, Ingestor
from tracker.models import Bill, LegislativeSession, Position
from tracker.search import search
from tracker.sources.legistar import parse_matter

pytestmark = pytest.mark.realdata


def _read(client: str) -> list:
    return [parse_matter({"MatterLastModifiedUtc": GRID_STAMP, **m}, p, client=client, locator="grid")
            for m, p in grid_matters(require_realdata("legistar", client, "bills.html"))]


def test_a_matter_without_an_introduction_date_is_in_its_file_numbers_year() -> None:
    nyc = {r.identifier: r.session.identifier for r in _read("nyc")}
    assert len(nyc) == 100
    assert (nyc["Int 1299-2018"], nyc["Res 0854-2015"], nyc["Int 1173-2016"]) == ("2018", "2015", "2016")
    assert all(session == file[-4:] for file, session in nyc.items())
    years: dict[str, int] = {}
    for session in nyc.values():
        years[session] = years.get(session, 0) + 1
    assert years == {"2015": 10, "2016": 10, "2017": 13, "2018": 67}
    # An introduction date still decides: Chicago's and LA Metro's grids give one for every matter.
    for client in ("chicago", "metro"):
        for record in _read(client):
            assert record.session.identifier == str(record.introduced_date.year), record.identifier


@pytest.fixture
def cities(engine: Engine, session: Session, database_snapshots: Snapshots) -> Session:
    database_snapshots.restore_or_build("city grids", engine, lambda: ingest_grids(engine))
    return session


def test_the_same_number_of_two_sessions_lists_the_latest_first(cities: Session) -> None:
    rows, _ = search(cities, "Int 1173")
    assert [(r["identifier"], r["session"]) for r in rows if r["matched"] == "number"] == [
        ("Int 1173-2018", "2018"), ("Int 1173-2016", "2016")]


def test_a_matter_an_earlier_version_stored_in_its_last_modified_year_is_merged_into_its_own(
        engine: Engine, session: Session) -> None:
    [record] = [r for r in _read("nyc") if r.identifier == "Int 1299-2018"]
    earlier = record.model_copy(update={"session": record.session.model_copy(update={"identifier": "2019",
                                                                                      "name": "2019"})})
    Ingestor(session).ingest([IngestItem(record=earlier)])
    session.commit()
    admin = users.add_user(session, email="admin@example.org", role="admin")
    [old] = session.execute(select(Bill.id)).scalars()
    positions.set_position(session, actor=admin, bill_id=old, stance="Oppose", priority="High",
                           expected_version=None)
    session.commit()
    Ingestor(session).ingest([IngestItem(record=record)])  # read again (crawl --refresh): stored in 2018 too
    session.commit()
    [group] = find_groups(session)
    assert (group.identifier, group.session_identifier, group.conflicts) == ("Int 1299-2018", "2018", [])
    merge(session)
    session.commit()
    kept = session.execute(select(Bill.id, LegislativeSession.identifier)
                           .join(LegislativeSession, LegislativeSession.id == Bill.session_id)).all()
    assert [s for _, s in kept] == ["2018"]
    assert session.execute(select(Position.stance).where(Position.bill_id == kept[0][0])).scalar_one() == "Oppose"
    assert find_groups(session) == []
