"""hearings: hearing and hearingitem

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25

Committee hearings and council meetings from the feeds (Legistar events...), with agenda items linked to bills;
the briefing packet's "next hearing" reads them.
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes  # noqa: F401  (autogenerate renders sqlmodel's AutoString)
from alembic import op

revision: str = '0005'
down_revision: str | None = '0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('hearing',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('jurisdiction_id', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('source_name', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('source_key', sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
    sa.Column('date', sa.Date(), nullable=False),
    sa.Column('time', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.Column('body', sa.Text(), nullable=True),
    sa.Column('location', sa.Text(), nullable=True),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.Column('cancelled', sa.Boolean(), nullable=False),
    sa.Column('url', sa.Text(), nullable=True),
    sa.Column('agenda_url', sa.Text(), nullable=True),
    sa.Column('upstream_updated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('last_fetched_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['jurisdiction_id'], ['jurisdiction.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('source_name', 'source_key', name='uq_hearing_source_key')
    )
    with op.batch_alter_table('hearing', schema=None) as batch_op:
        batch_op.create_index('ix_hearing_jurisdiction_date', ['jurisdiction_id', 'date'], unique=False)

    op.create_table('hearingitem',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('hearing_id', sa.Integer(), nullable=False),
    sa.Column('bill_id', sa.Integer(), nullable=True),
    sa.Column('sequence', sa.Integer(), nullable=True),
    sa.Column('title', sa.Text(), nullable=True),
    sa.Column('action_text', sa.Text(), nullable=True),
    sa.Column('bill_identifier', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.ForeignKeyConstraint(['bill_id'], ['bill.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['hearing_id'], ['hearing.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('hearingitem', schema=None) as batch_op:
        batch_op.create_index('ix_hearingitem_bill', ['bill_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_hearingitem_hearing_id'), ['hearing_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('hearingitem', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_hearingitem_hearing_id'))
        batch_op.drop_index('ix_hearingitem_bill')

    op.drop_table('hearingitem')
    with op.batch_alter_table('hearing', schema=None) as batch_op:
        batch_op.drop_index('ix_hearing_jurisdiction_date')

    op.drop_table('hearing')
