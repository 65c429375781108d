"""pubinfo rows: pubinforow and pubinfoload

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-25

The California pubinfo rows the tracker has seen (keyed by table + row key, with the version CAML), so the
nightly incremental archives can be merged in and the bills they touch rebuilt; and a log of the archives
merged, which tells the crawler when the last full load was.
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes  # noqa: F401  (autogenerate renders sqlmodel's AutoString)
from alembic import op

revision: str = '0007'
down_revision: str | None = '0006'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('pubinforow',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('table_name', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('row_key', sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
    sa.Column('bill_id', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('trans_update', sqlmodel.sql.sqltypes.AutoString(length=19), nullable=True),
    sa.Column('fields', sa.JSON(), nullable=False),
    sa.Column('lob', sa.LargeBinary(), nullable=True),
    sa.Column('archive', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('staged_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('table_name', 'row_key', name='uq_pubinforow_key')
    )
    op.create_index(op.f('ix_pubinforow_bill_id'), 'pubinforow', ['bill_id'], unique=False)
    op.create_table('pubinfoload',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('archive', sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('listed_at', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True),
    sa.Column('last_modified', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.Column('etag', sqlmodel.sql.sqltypes.AutoString(length=255), nullable=True),
    sa.Column('rows', sa.Integer(), nullable=False),
    sa.Column('bills', sa.Integer(), nullable=False),
    sa.Column('loaded_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )


def downgrade() -> None:
    op.drop_table('pubinfoload')
    op.drop_index(op.f('ix_pubinforow_bill_id'), table_name='pubinforow')
    op.drop_table('pubinforow')
