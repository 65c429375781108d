"""hearing.previous_date, hearing.previous_time: where a rescheduled hearing was before it moved

Revision ID: 0031
Revises: 0030
Create Date: 2026-12-07

A feed that reschedules a hearing rewrites its day or hour under the same event id, and the row was updated in
place: the alert that followed read "Hearing scheduled" as for a new hearing, and the overview and the bill page
showed the new day with nothing to say it had moved. Ingest now keeps the day and time the hearing had before its
last move; hearings stored before have none (NULL), as a hearing that never moved has.
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0031'
down_revision: str | None = '0030'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column('hearing', sa.Column('previous_date', sa.Date(), nullable=True))
    op.add_column('hearing', sa.Column('previous_time', sa.String(length=64), nullable=True))


def downgrade() -> None:
    # Plain ALTER TABLE (SQLite 3.35+), as 0029: the columns are in no index.
    op.drop_column('hearing', 'previous_time')
    op.drop_column('hearing', 'previous_date')
