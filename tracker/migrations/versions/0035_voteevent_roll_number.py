"""voteevent.roll_number: the chamber's own number for a roll call ("House roll call 21")

Revision ID: 0035
Revises: 0034
Create Date: 2026-12-07

Federal bills showed no votes: GovInfo BILLSTATUS lists each recorded vote with its chamber, date, roll number and
the Clerk's or the Senate's link, and the parser left them out. They are now stored as roll calls without tallies
(BILLSTATUS gives none), and the roll number is what a reader names them by. Roll calls stored before have none
(NULL), as those of the state feeds, which give no such number, keep having.
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0035'
down_revision: str | None = '0034'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column('voteevent', sa.Column('roll_number', sa.Integer(), nullable=True))


def downgrade() -> None:
    # Plain ALTER TABLE (SQLite 3.35+), as 0031: the column is in no index.
    op.drop_column('voteevent', 'roll_number')
