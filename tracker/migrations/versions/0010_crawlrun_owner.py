"""crawlrun.owner: the process that runs it

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06

A process killed hard never finishes its run, which then said ``running`` for ever. Each run now records
``host/pid/start`` of its process, and a run whose process on this host is gone is marked ``interrupted``
(tracker.run_owner). Runs from before this migration have no owner and are left as they are.
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = '0010'
down_revision: str | None = '0009'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('crawlrun', schema=None) as batch_op:
        batch_op.add_column(sa.Column('owner', sqlmodel.sql.sqltypes.AutoString(length=255), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('crawlrun', schema=None) as batch_op:
        batch_op.drop_column('owner')
