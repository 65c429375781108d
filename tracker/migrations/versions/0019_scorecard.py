"""scorecard: which way each stance counts, and staff's key-vote marks

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-07

The legislator scorecard (tracker.scorecard) scores members on the final floor votes of bills the council
supports or opposes. Which stances count which way is data beside the vocabulary: ``stance.scorecard_vote`` is
the member vote that is "with us" ("yes" for Support and Support if amended, "no" for Oppose and Oppose unless
amended), NULL for stances whose bills the scorecard leaves out. ``keyvotemark`` is staff's append-only record of
roll calls taken in or left out of the scorecard by hand, with who, when and why. ``personvote`` gains the
member's ``party`` and ``district`` where the feed gives them (LegiScan's people files), for the scorecard's rows.
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = '0019'
down_revision: str | None = '0018'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

DEFAULT_SIDES = {"Support": "yes", "Support if amended": "yes", "Oppose": "no", "Oppose unless amended": "no"}


def upgrade() -> None:
    # Not in batch mode: rebuilding personvote on SQLite would reflect the bill table it leads to, whose expression
    # index (0017) SQLAlchemy cannot reflect. A nullable column is added (and dropped) in place on both databases.
    op.add_column('personvote', sa.Column('party', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True))
    op.add_column('personvote', sa.Column('district', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True))
    with op.batch_alter_table('stance', schema=None) as batch_op:
        batch_op.add_column(sa.Column('scorecard_vote', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=True))
    stance = sa.table('stance', sa.column('name', sa.String()), sa.column('scorecard_vote', sa.String()))
    for name, vote in DEFAULT_SIDES.items():
        op.execute(stance.update().where(stance.c.name == name).values(scorecard_vote=vote))
    op.create_table(
        'keyvotemark',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('bill_id', sa.Integer(), nullable=False),
        sa.Column('source_name', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column('source_key', sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
        sa.Column('decision', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column('reason', sa.Text(), nullable=True),
        sa.Column('author_id', sa.Integer(), nullable=True),
        sa.Column('marked_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['author_id'], ['user.id'], ),
        sa.ForeignKeyConstraint(['bill_id'], ['bill.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('keyvotemark', schema=None) as batch_op:
        batch_op.create_index('ix_keyvotemark_bill_id', ['bill_id'], unique=False)
        batch_op.create_index('ix_keyvotemark_roll_call', ['source_name', 'source_key'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('keyvotemark', schema=None) as batch_op:
        batch_op.drop_index('ix_keyvotemark_roll_call')
        batch_op.drop_index('ix_keyvotemark_bill_id')
    op.drop_table('keyvotemark')
    with op.batch_alter_table('stance', schema=None) as batch_op:
        batch_op.drop_column('scorecard_vote')
    op.drop_column('personvote', 'district')  # SQLite 3.35+ drops a column in place
    op.drop_column('personvote', 'party')
