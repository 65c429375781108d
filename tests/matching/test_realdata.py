"""Real GovInfo BILLSTATUS files through `tracker import`: flagging runs after each committed batch."""

import pytest
from sqlalchemy import Engine, select
from sqlmodel import Session

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
