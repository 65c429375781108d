"""What Alembic's autogenerate finds between a migrated database and the models: the migrations' test of truth."""

import warnings

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine
from sqlmodel import SQLModel

import tracker.models
from tracker.migrations.compared import compared


def schema_drift(engine: Engine) -> list[object]:
    """What autogenerate would change to bring the database to the models, compared as ``env.py`` compares:
    tables, columns, types, nullability, indexes, unique constraints, foreign keys and their ON DELETE."""
    tracker.models.load_all()
    with engine.connect() as conn, warnings.catch_warnings():
        # SQLite's reflection cannot read an expression index (migration 0017's; `compared` leaves it out anyway).
        warnings.filterwarnings("ignore", "Skipped unsupported reflection of expression-based index "
                                "ix_bill_number_key")
        context = MigrationContext.configure(conn, opts={"compare_type": True, "include_name": compared})
        return compare_metadata(context, SQLModel.metadata)
