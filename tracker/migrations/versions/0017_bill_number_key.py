"""bill: an index on the bill number's compact form, for look-ups by number

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-06

People find bills by number far more often than by words, spelled every way ("HR 1234", "H.R. 1234", "hr1234",
"Int 0123-2024", "int0123-2024"): search, `bills list --text`, `bills show`, `export --bill` and alerts compare
the identifier without spaces, dots or hyphens, upper case (tracker.queries.compact_identifier, which must stay
this same expression for the databases to use the index). Without it every look-up read the whole bill table:
a third of a second at 100,000 bills, run as each query is typed.

SQLAlchemy cannot reflect an expression index on SQLite: a later migration that rebuilds the bill table in
batch mode (``op.batch_alter_table("bill")``) must create this index again after it.
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0017'
down_revision: str | None = '0016'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NUMBER_KEY = "replace(replace(replace(upper(identifier), ' ', ''), '.', ''), '-', '')"


def upgrade() -> None:
    op.create_index('ix_bill_number_key', 'bill', [sa.text(NUMBER_KEY)])


def downgrade() -> None:
    op.drop_index('ix_bill_number_key', table_name='bill')
