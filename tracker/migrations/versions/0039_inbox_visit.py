"""inboxvisit: when each reader last looked at the triage inbox, for "new since your last visit"

Revision ID: 0039
Revises: 0038
Create Date: 2026-12-07

One row per reader (tracker.visits): the first and latest look of their current working session, and the last look
of the session before it, the cut-off their inbox counts new bills from. Nothing recorded visits before, so the
table starts empty and every reader keeps the working-day rule ("since yesterday") until they have had a working
session of their own. Going back drops the visits; nothing else reads them.
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = '0039'
down_revision: str | None = '0038'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'inboxvisit',
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('started_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column('last_seen_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column('cut_off', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(['user_id'], ['user.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('user_id'),
    )


def downgrade() -> None:
    op.drop_table('inboxvisit')
