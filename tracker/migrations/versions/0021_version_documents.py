"""billversion.documents: a lower-ranked feed's document id of a version another feed owns

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-07

LegiScan's texts were attached only to versions LegiScan itself owned: where Open States (Alabama) or pubinfo
(California) owns a bill's versions, no version had a LegiScan doc_id and the text never reached the bill. The
version now records which LegiScan document it is ({"legiscan": "3100001"}), matched by the state's link or by
date and type (tracker.version_match).
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0021'
down_revision: str | None = '0020'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # A plain ADD COLUMN (nullable): SQLite's batch mode would copy the table, texts and all.
    op.add_column('billversion', sa.Column('documents', sa.JSON(), nullable=True))


def downgrade() -> None:
    op.drop_column('billversion', 'documents')  # SQLite has DROP COLUMN since 3.35
