"""The models package resolves tables lazily (tracker/models/__init__.py); the whole schema is still one.

``load_all`` must put every table the migrations create on ``SQLModel.metadata`` (Alembic's autogenerate compares
against it), and the migrations, applied from empty, must build exactly the schema the models declare.
"""

import json
import subprocess
import sys

import pytest
from realdata_paths import REPO_ROOT
from schema_drift import schema_drift
from sqlalchemy import Engine, inspect

import tracker.models

# Tables in a migrated database that no model declares: Alembic's own, the job store APScheduler creates, and
# SQLite's FTS5 index with its shadow tables (migration 0003), PostgreSQL's parts of version texts (0033) and of
# long summaries (bill_fts_part, 0034: a "bill_fts" table, left out by its name below).
NOT_MODELS = {"alembic_version", "apscheduler_jobs", "billversion_fts_part"}


def _probe(code: str) -> object:
    done = subprocess.run([sys.executable, "-c", code], cwd=REPO_ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_load_all_registers_every_table_the_migrations_create(engine: Engine) -> None:
    in_database = {t for t in inspect(engine).get_table_names()
                   if t not in NOT_MODELS and not t.startswith(("bill_fts", "sqlite_"))}
    # A fresh process: what load_all alone registers, not what earlier tests happened to import.
    registered = _probe("import json; from sqlmodel import SQLModel; import tracker.models as m; m.load_all(); "
                        "print(json.dumps(sorted(SQLModel.metadata.tables)))")
    assert set(registered) == in_database  # type: ignore[arg-type]


def test_the_migrations_build_exactly_the_schema_the_models_declare(engine: Engine) -> None:
    # Run on SQLite and, with DATABASE_URL, on PostgreSQL: the migrations branch on the dialect in places.
    assert schema_drift(engine) == []
    # The comparison reads ON DELETE back from both databases, so a rule lost in a migration would show above.
    run_fk = next(fk for fk in inspect(engine).get_foreign_keys("billchange")
                  if fk["constrained_columns"] == ["run_id"])
    assert run_fk["options"].get("ondelete") == "SET NULL"


def test_a_table_name_imports_its_own_module_only() -> None:
    loaded = _probe("import json, sys; from tracker.models import Bill, CrawlRun; "
                    "print(json.dumps(sorted(m for m in sys.modules if m.startswith('tracker.models.'))))")
    assert set(loaded) <= {"tracker.models.base", "tracker.models.enums", "tracker.models.crawled",  # type: ignore[arg-type]
                           "tracker.models.ops"}
    assert tracker.models.CRAWLED_TABLES[0].__tablename__ == "jurisdiction"
    assert tracker.models.BillMatch is tracker.models.org.BillMatch
    with pytest.raises(AttributeError, match="no attribute 'Bil'"):
        tracker.models.Bil  # noqa: B018
    assert set(tracker.models.__all__) <= set(dir(tracker.models))
