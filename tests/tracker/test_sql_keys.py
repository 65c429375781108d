"""Look-ups by composite key (tracker.sql_keys) and driver-level inserts (tracker.upsert.DriverInsert), on the
test database: SQLite by default, PostgreSQL when DATABASE_URL names one. Rows are written for these tests."""

import datetime as dt

import pytest
from sqlalchemy import select, text, tuple_
from sqlmodel import Session

from tracker import sql_keys
from tracker.models import Bill, BillChange, Jurisdiction, LegislativeSession, SourceDocument
from tracker.models.base import utcnow
from tracker.sql_keys import keys_in
from tracker.upsert import DriverInsert


def _bills(session: Session, sessions: int, per_session: int) -> list[tuple[str, int, str]]:
    session.add(Jurisdiction(id="us", name="United States", level="federal"))
    session.flush()
    keys = []
    for n in range(sessions):
        row = LegislativeSession(jurisdiction_id="us", identifier=str(100 + n), name=f"Session {n}")
        session.add(row)
        session.flush()
        for number in range(1, per_session + 1):
            session.add(Bill(jurisdiction_id="us", session_id=row.id, identifier=f"HR {number}", bill_type="HR",
                             number=str(number), title=f"Bill {number}", stage="introduced",
                             source_name="test", content_hash=f"{n}-{number}"))
            keys.append(("us", row.id, f"HR {number}"))
    session.commit()
    return keys


def _found(session: Session, condition: object) -> set[tuple[str, int, str]]:
    return {tuple(r) for r in session.execute(  # type: ignore[misc]
        select(Bill.jurisdiction_id, Bill.session_id, Bill.identifier).where(condition))}


def test_keys_in_finds_exactly_the_rows_a_row_value_in_finds(session: Session) -> None:
    keys = _bills(session, sessions=3, per_session=40)
    wanted = keys[5:60] + [("us", keys[0][1], "HR 999"), ("ca", keys[0][1], "HR 1")]  # two that do not exist
    columns = (Bill.jurisdiction_id, Bill.session_id, Bill.identifier)
    found = _found(session, keys_in(columns, wanted))
    assert found == set(keys[5:60])
    assert found == _found(session, tuple_(*columns).in_(wanted))
    assert _found(session, keys_in(columns, [])) == set()


def test_keys_in_past_max_groups_still_answers(session: Session, monkeypatch: pytest.MonkeyPatch) -> None:
    keys = _bills(session, sessions=5, per_session=3)
    monkeypatch.setattr(sql_keys, "MAX_GROUPS", 2)  # five (jurisdiction, session) prefixes: the row-value form
    assert _found(session, keys_in((Bill.jurisdiction_id, Bill.session_id, Bill.identifier), keys)) == set(keys)


def test_keys_in_is_an_index_search_on_sqlite(session: Session) -> None:
    if session.get_bind().dialect.name != "sqlite":
        pytest.skip("the query plan checked here is SQLite's")
    keys = _bills(session, sessions=1, per_session=20)
    stmt = select(Bill.id).where(keys_in((Bill.jurisdiction_id, Bill.session_id, Bill.identifier), keys[:10]))
    compiled = stmt.compile(session.get_bind(), compile_kwargs={"literal_binds": True})
    plan = " | ".join(row[-1] for row in session.execute(text(f"EXPLAIN QUERY PLAN {compiled}")))
    assert "SEARCH bill USING" in plan and "SCAN bill" not in plan, plan


def test_driver_insert_stores_what_the_orm_stores(session: Session) -> None:
    """Timestamps, JSON and NULLs through the column types' own bind processors; rows may share objects."""
    now = utcnow()
    insert = DriverInsert(BillChange.__table__, ("bill_id", "run_id", "kind", "before", "after", "detected_at"))
    keys = _bills(session, sessions=1, per_session=2)
    ids = [session.execute(select(Bill.id).where(Bill.identifier == key[2])).scalar_one() for key in keys]
    after = {"identifier": "HR 1", "title": "Bill 1", "stage": "introduced"}
    insert.execute(session, [
        {"bill_id": ids[0], "run_id": None, "kind": "new_bill", "before": None, "after": after, "detected_at": now},
        {"bill_id": ids[1], "run_id": None, "kind": "title_change", "before": "Old", "after": "New",
         "detected_at": now}])
    session.commit()
    rows = session.execute(select(BillChange).order_by(BillChange.bill_id)).scalars().all()
    assert [(r.kind, r.before, r.after) for r in rows] == [("new_bill", None, after), ("title_change", "Old", "New")]
    assert all(r.detected_at.replace(tzinfo=dt.UTC) == now for r in rows)


def test_driver_insert_conflict_clause_and_tuple_rows(session: Session) -> None:
    columns = ("source_name", "locator", "locator_key", "content_hash", "last_modified", "etag", "fetched_at",
               "bill_id")
    upsert = DriverInsert.upsert(SourceDocument.__table__, columns, ("source_name", "locator_key"),
                                 ("content_hash", "fetched_at"))
    now = utcnow()
    row = {"source_name": "test", "locator": "a.xml", "locator_key": "ka", "etag": None, "fetched_at": now,
           "bill_id": None}
    upsert.execute(session, [{**row, "content_hash": "1", "last_modified": None}])
    upsert.execute(session, [{**row, "content_hash": "2", "last_modified": "x"}])
    session.commit()
    stored = session.execute(select(SourceDocument.content_hash, SourceDocument.last_modified)).all()
    assert [tuple(r) for r in stored] == [("2", None)]  # last_modified is not among the columns updated

    raw = DriverInsert(SourceDocument.__table__, columns, driver_values=True)
    order = raw._for(session.connection().dialect)[1]
    if order != tuple(columns):
        with pytest.raises(ValueError, match="order"):
            raw.execute(session, [("test", "b.xml", "kb", "3", None, None, now.isoformat(), None)])
        return
    raw.execute(session, [("test", "b.xml", "kb", "3", None, None, now.isoformat(), None)])
    session.commit()
    assert session.execute(select(SourceDocument.content_hash).where(SourceDocument.locator == "b.xml")
                           ).scalar_one() == "3"
