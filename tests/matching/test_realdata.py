"""Real GovInfo BILLSTATUS files through `tracker import`: flagging runs after each committed batch."""

from pathlib import Path

import pytest
from sqlalchemy import Engine, select
from sqlmodel import Session

from tests.numbered_bills import extract_from_117
from tests.realdata_paths import require_realdata
from tracker.importer import import_path
from tracker.matching.queries import list_flagged
from tracker.matching.topics import load_topics
from tracker.models import BillMatch

pytestmark = pytest.mark.realdata


def test_import_flags_real_bills_with_evidence(engine: Engine, session: Session) -> None:
    samples = require_realdata("billstatus", "usgpo_samples")
    load_topics(session, rescore=False)
    session.commit()
    report = import_path(engine, samples, batch_size=20)
    assert report.result.new > 40
    assert not [e for e in report.errors if e[0] == "flagging"]
    flagged = {f"{b['session']} {b['identifier']}": b for b in list_flagged(session)}
    # S. 1260 (117th), the United States Innovation and Competition Act: semiconductors, in its CRS summary.
    chips = flagged["117 S 1260"]
    topics = {t["topic"]: t for t in chips["topics"]}
    assert "chips-datacenters" in topics
    snippet = next(e["snippet"] for e in topics["chips-datacenters"]["evidence"] if e["term"] == "semiconductor")
    assert "[[semiconductor]] manufacturing" in snippet
    # H.R. 2566 (114th), Improving Rural Call Quality and Reliability Act: the Communications Act and the FCC.
    assert "broadband" in {t["topic"] for t in flagged["114 HR 2566"]["topics"]}
    # Every stored match carries the rule version it was scored with.
    assert set(session.execute(select(BillMatch.rule_version)).scalars()) == {1}


def test_reimport_of_unchanged_files_rescores_nothing(engine: Engine, session: Session) -> None:
    samples = require_realdata("billstatus", "usgpo_samples")
    load_topics(session, rescore=False)
    session.commit()
    import_path(engine, samples)
    before = {(m.bill_id, m.topic_id): m.matched_at for m in session.execute(select(BillMatch)).scalars()}
    again = import_path(engine, samples)
    assert again.result.changed_bill_ids == []
    after = {(m.bill_id, m.topic_id): m.matched_at for m in session.execute(
        select(BillMatch).execution_options(populate_existing=True)).scalars()}
    assert after == before and before


def test_an_autonomous_region_is_no_ai(engine: Engine, session: Session, tmp_path: Path) -> None:
    # Bills on the Uyghurs name the "Xinjiang Uyghur Autonomous Region": the AI topic's "autonomous" flagged
    # H.R. 6256 (goods made with forced labor there) and S.Res. 131 as AI bills, with nothing else about AI.
    load_topics(session, rescore=False)
    session.commit()
    assert import_path(engine, extract_from_117(tmp_path, ("hr/hr6256", "sres/sres131", "hr/hr385"))).ok
    flagged = {b["identifier"]: {t["topic"] for t in b["topics"]} for b in list_flagged(session)}
    assert "ai" not in flagged.get("HR 6256", set()) | flagged.get("SRES 131", set())
    # Autonomous vehicles still count (H.R. 385, the PLACE Act: research on autonomous and highly automated vehicles).
    assert "ai" in flagged["HR 385"]
