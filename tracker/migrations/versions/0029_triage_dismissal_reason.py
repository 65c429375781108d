"""triagestate.reason: why staff dismissed a flagged bill

Revision ID: 0029
Revises: 0028
Create Date: 2026-12-07

Dismissed bills said "not relevant" and nothing else: a colleague checking the Dismissed view, or whoever tunes a
topic's rules, could not tell a ceremonial resolution from a state-only bill or a slip. Dismissals stored before
have no reason (NULL), as a dismissal without one still has.
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0029'
down_revision: str | None = '0028'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column('triagestate', sa.Column('reason', sa.Text(), nullable=True))


def downgrade() -> None:
    # Plain ALTER TABLE (SQLite 3.35+), as 0020: the table has no index a batch copy would need to rebuild.
    op.drop_column('triagestate', 'reason')
