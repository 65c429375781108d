"""alertdelivery.told: what a digest told its reader of a hearing, where not the event's own news

Revision ID: 0037
Revises: 0036
Create Date: 2026-12-07

A deferral of a meeting someone never read of is told to them as the meeting held in its place ("Hearing
scheduled" on its new day); the meeting's own news, later, must then know they were told of it. Deliveries made
before have none (NULL): each told its event's own news.
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0037'
down_revision: str | None = '0036'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column('alertdelivery', sa.Column('told', sa.JSON(), nullable=True))


def downgrade() -> None:
    # Plain ALTER TABLE (SQLite 3.35+), as 0035: the column is in no index.
    op.drop_column('alertdelivery', 'told')
