"""SQLite's search index written once per ingest batch (tracker.search_index) holds what the row triggers write.

Real BILLSTATUS files (usgpo_samples) and hand-built records (our own record schema, with version text, which
the federal files do not carry) are ingested; each bill's ``bill_fts`` row is then rewritten by the triggers
themselves (``UPDATE bill SET title = title`` fires ``bill_fts_au``) and must not change.
"""

import pytest
from realdata_paths import require_realdata
from sqlalchemy import Engine, text
from sqlmodel import Session

from tests.tracker.test_ingest import ingest, make_record
from tracker.importer import import_path
from tracker.records import VersionRecord
from tracker.search import search
from tracker.search_index import DEFERRED_TRIGGERS, batch_indexing


@pytest.fixture(autouse=True)
def _sqlite_only(engine: Engine) -> None:
    if engine.dialect.name != "sqlite":
        pytest.skip("PostgreSQL's search document is a generated column: no index to keep in step")


def fts_rows(session: Session) -> list[tuple[str, ...]]:
    return [tuple(r) for r in session.execute(
        text("SELECT rowid, title, summary, body, sponsor, cosponsors FROM bill_fts ORDER BY rowid"))]


def triggers(session: Session) -> dict[str, str]:
    return dict(session.execute(text("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'")).all())


def reindexed_by_triggers(session: Session) -> list[tuple[str, ...]]:
    session.execute(text("UPDATE bill SET title = title"))
    rows = fts_rows(session)
    session.rollback()
    return rows


def test_batch_index_matches_the_triggers_on_real_and_versioned_bills(engine: Engine, session: Session) -> None:
    schema_before = triggers(session)
    assert set(DEFERRED_TRIGGERS) <= set(schema_before)
    report = import_path(engine, require_realdata("billstatus", "usgpo_samples"), flag=False)
    assert report.ok and report.result.new > 5
    ingest(session, make_record(9901, summary_text="Grants for rural broadband deployment.", versions=[
        VersionRecord(label="Introduced", url="https://example.test/hr9901.xml", text="quantum networking pilot"),
        VersionRecord(label="Engrossed", url="https://example.test/hr9901e.xml", text="satellite spectrum auction")]))
    session.expire_all()

    rows = fts_rows(session)
    assert len(rows) == report.result.new + 1
    assert rows == reindexed_by_triggers(session)
    assert triggers(session) == schema_before  # every trigger back, as it was
    assert search(session, "quantum")[1] == 1 and search(session, "satellite spectrum")[1] == 1


def test_a_changed_bill_is_reindexed_and_its_old_words_are_gone(session: Session) -> None:
    ingest(session, make_record(7, title="Drone Registration Act"))
    ingest(session, make_record(7, title="Autonomous Vehicle Safety Act"))
    assert search(session, "drone")[1] == 0
    assert search(session, "autonomous vehicle")[1] == 1
    assert fts_rows(session) == reindexed_by_triggers(session)


def test_the_triggers_survive_a_failed_batch_and_still_index_single_writes(session: Session) -> None:
    schema_before = triggers(session)
    with pytest.raises(RuntimeError), batch_indexing(session):
        assert not set(DEFERRED_TRIGGERS) & set(triggers(session))  # out for the batch, in its transaction
        raise RuntimeError("the batch failed")
    assert triggers(session) == schema_before  # back before any rollback, so even a commit keeps them
    session.rollback()
    assert triggers(session) == schema_before
    ingest(session, make_record(3, title="Data Broker Registry Act"))  # ingest defers again: still in step
    session.execute(text("UPDATE bill SET summary_text = 'Spectrum for unlicensed devices' WHERE identifier = 'HR 3'"))
    session.commit()
    assert search(session, "unlicensed")[1] == 1  # a single write outside ingest goes through the triggers
