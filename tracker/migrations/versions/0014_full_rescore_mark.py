"""fullrescore: the judgements the last re-score of every bill was computed from

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-06

A judgement made in triage retrains the learned models at the next flagging run, but the bills already stored
kept the scores of the models before it (and of models since removed) until someone ran ``tracker topics
learn``. The scheduler's learning job now re-scores every bill when the judgements moved since the last full
re-score, which this one-row table records. An existing database has no row: its first learning job re-scores
once if any judgement or learned score exists.
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = '0014'
down_revision: str | None = '0013'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'fullrescore',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('judgements_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column('judgements', sa.Integer(), nullable=False),
        sa.Column('finished_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
    )


def downgrade() -> None:
    op.drop_table('fullrescore')
