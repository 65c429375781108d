"""sourcedocument.read_by: the version of the parser that read each stored document

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-07

A parser fixed by an upgrade left every bill it had read before as the old parser read it, and nothing said so:
an import skipped the unchanged bytes, a crawl the unchanged documents. Each parser now declares a reading
version (tracker.sources.reading) and ingest records it per document. Documents stored before are marked as read
by version 1, the version every parser starts at: the parsers of this release.
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0020'
down_revision: str | None = '0019'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Feeds whose documents a parser reads (tracker.sources.reading.PARSERS when this was written); the rest are
# listings and archive stamps, which no parser read.
_PARSED = ('govinfo_billstatus', 'congress_api', 'ca_pubinfo', 'openstates', 'legiscan', 'legistar')


def upgrade() -> None:
    op.add_column('sourcedocument', sa.Column('read_by', sa.Integer(), nullable=True))
    document = sa.table('sourcedocument', sa.column('read_by', sa.Integer()), sa.column('source_name', sa.String()),
                        sa.column('bill_id', sa.Integer()))
    op.execute(document.update().where(document.c.source_name.in_(_PARSED), document.c.bill_id.is_not(None))
               .values(read_by=1))


def downgrade() -> None:
    # Plain ALTER TABLE (SQLite 3.35+): a batch copy would reflect bill's expression index, which it cannot.
    op.drop_column('sourcedocument', 'read_by')
