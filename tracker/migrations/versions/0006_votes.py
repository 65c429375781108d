"""votes: voteevent and personvote

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-25

Roll calls on bills from the state feeds (LegiScan roll calls, pubinfo's summary and detail vote tables, Open
States vote events), with each member's vote where the feed names it.
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes  # noqa: F401  (autogenerate renders sqlmodel's AutoString)
from alembic import op

revision: str = '0006'
down_revision: str | None = '0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('voteevent',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('bill_id', sa.Integer(), nullable=False),
    sa.Column('source_name', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('source_key', sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
    sa.Column('date', sa.Date(), nullable=True),
    sa.Column('chamber', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True),
    sa.Column('body', sa.Text(), nullable=True),
    sa.Column('motion', sa.Text(), nullable=True),
    sa.Column('result', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True),
    sa.Column('yes_count', sa.Integer(), nullable=True),
    sa.Column('no_count', sa.Integer(), nullable=True),
    sa.Column('other_count', sa.Integer(), nullable=True),
    sa.Column('absent_count', sa.Integer(), nullable=True),
    sa.Column('url', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['bill_id'], ['bill.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('source_name', 'source_key', name='uq_voteevent_source_key')
    )
    with op.batch_alter_table('voteevent', schema=None) as batch_op:
        batch_op.create_index('ix_voteevent_bill_date', ['bill_id', 'date'], unique=False)

    op.create_table('personvote',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('vote_event_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.Text(), nullable=True),
    sa.Column('person_id', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.Column('option', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.ForeignKeyConstraint(['vote_event_id'], ['voteevent.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('personvote', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_personvote_vote_event_id'), ['vote_event_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('personvote', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_personvote_vote_event_id'))

    op.drop_table('personvote')
    with op.batch_alter_table('voteevent', schema=None) as batch_op:
        batch_op.drop_index('ix_voteevent_bill_date')

    op.drop_table('voteevent')
