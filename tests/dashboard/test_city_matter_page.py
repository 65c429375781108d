"""A city matter's bill page and `tracker bills show` (real New York City Legistar grid, legistar/nyc/bills.html).

Legistar's own matter page opens with the clerk's status ("Laid Over in Committee", "Filed (End of Session)"),
the words city-hall staff use; the tracker stored it (MatterStatusName) and only the packet printed it. And the
progress line of a one-chamber council read "Introduced → In committee → Passed first chamber → Passed the
council": a council has no first chamber, so the step it can never take read as one still ahead.
"""

import pytest
from apptest_helpers import no_exception, signed_in, texts
from dash_fixtures import Seeded
from legistar_grids import grid_matters
from realdata_paths import require_realdata
from sqlmodel import Session
from typer.testing import CliRunner

from dashboard.components.render import md
from tracker.cli import app
from tracker.ingest import IngestItem, Ingestor
from tracker.sources.legistar import parse_matter

pytestmark = pytest.mark.realdata


def _stored(session: Session, file: str) -> int:
    grid = {m["MatterFile"]: (m, parts) for m, parts in grid_matters(require_realdata("legistar", "nyc",
                                                                                     "bills.html"))}
    matter, parts = grid[file]
    record = parse_matter({"MatterLastModifiedUtc": "2019-01-15T00:00:00", **matter}, parts, client="nyc",
                          locator="grid")
    [bill_id] = Ingestor(session).ingest([IngestItem(record=record)]).changed_bill_ids
    session.commit()
    return bill_id


def test_the_clerks_status_on_the_bill_page_and_no_first_chamber(session: Session, seeded: Seeded) -> None:
    bill_id = _stored(session, "Int 1299-2018")
    at = signed_in(seeded.users["council"], "views/bill.py", query={"id": str(bill_id)})
    no_exception(at)
    shown = texts(at)
    assert "**Official status:** " + md("Laid Over in Committee") in shown
    assert "Passed first chamber" not in shown and "Passed the council" in shown
    assert "Committee on For-Hire Vehicles" in shown  # the committees table


def test_bills_show_gives_the_clerks_status(session: Session, seeded: Seeded, database_url: str) -> None:
    _stored(session, "Res 0854-2015")
    result = CliRunner().invoke(app, ["bills", "show", "Res 0854-2015"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "(Failed)" in result.output.splitlines()[0]
    assert "Official status: Filed (End of Session)" in result.output
