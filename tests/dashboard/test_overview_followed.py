"""The Overview counts what the council follows: "By stage" and "By jurisdiction" counted every stored bill ("In
committee 16,275" on a whole Congress), and "Bills stored" and "Sources" were the administrator's figures on a
council member's page. Those two now stand with the data freshness, for admins."""

import io

import pyarrow as pa
from apptest_helpers import no_exception, signed_in, texts
from dash_fixtures import Seeded, record
from sqlmodel import Session
from streamlit.testing.v1 import AppTest

from tracker import overview, positions, triage
from tracker.ingest import IngestItem, Ingestor
from tracker.models import BillChange
from tracker.models.base import utcnow


def _charts(at: AppTest) -> dict[str, dict[str, int]]:
    """Each bar chart's rows (label -> bills), by its title: the markdown written just before it."""
    out = {}
    titles = [m.value.strip("*") for m in at.markdown if m.value.startswith("**")]
    charts = list(at.get("vega_lite_chart"))
    for title, chart in zip(titles, charts, strict=False):
        table = pa.ipc.open_stream(io.BytesIO(chart.proto.data.data)).read_all().to_pandas()
        label = next(c for c in table.columns if c != "bills")
        out[title] = dict(zip(table[label], table["bills"], strict=True))
    return out


def _follow_some(session: Session, seeded: Seeded) -> None:
    # Ten stored bills nobody follows (California, in committee); robotics dismissed as noise; the quiet bill, never
    # flagged, opposed; the House's privacy bill moved this week.
    Ingestor(session).ingest([IngestItem(record(100 + n, jurisdiction="ca")) for n in range(10)])
    staff = seeded.users["staff"]
    triage.dismiss(session, actor=staff, bill_ids=[seeded.ids["robotics"]], reason="Not about AI")
    positions.set_position(session, actor=staff, bill_id=seeded.ids["quiet"], stance="Oppose", priority="High",
                           expected_version=None)
    session.add(BillChange(bill_id=seeded.ids["privacy"], kind="new_action", detected_at=utcnow(),
                           after={"date": utcnow().date().isoformat(), "text": "Passed House"}))
    session.commit()


def test_the_overview_counts_the_bills_the_council_follows(session: Session, seeded: Seeded) -> None:
    _follow_some(session, seeded)
    figures = overview.counts(session)
    assert figures["bills"] == 15  # every stored bill: the admin's figure
    assert figures["followed"] == 4  # markup, privacy, ca (flagged), quiet (a position); not robotics, not the ten
    assert figures["by_stage"] == [{"stage": "in_committee", "bills": 3},
                                   {"stage": "passed_origin_chamber", "bills": 1}]
    assert figures["by_jurisdiction"] == [{"jurisdiction": "us — United States", "bills": 3},
                                          {"jurisdiction": "ca — California", "bills": 1}]
    assert figures["moved"] == 1

    council = signed_in(seeded.users["council"], "views/overview.py")
    no_exception(council)
    metrics = {m.label: m.value for m in council.metric}
    assert metrics == {"Bills we follow": "4", "Flagged for the council": "3", "Positions taken": "1",
                       "Moved in the last 7 days": "1"}, metrics
    charts = _charts(council)
    assert charts["By stage: bills we follow"] == {"In committee": 3, "Passed first chamber": 1}, charts
    assert charts["By jurisdiction: bills we follow"] == {"us — United States": 3, "ca — California": 1}
    assert "bills stored in all" not in texts(council)

    admin = signed_in(seeded.users["admin"], "views/overview.py")
    no_exception(admin)
    assert "Bills stored" not in {m.label for m in admin.metric}
    assert "15 bills stored in all (every jurisdiction and session, followed or not)." in texts(admin), texts(admin)
