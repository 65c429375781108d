"""sourcedocument.locator: text, not varchar(1024)

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06

An imported file's locator is its absolute path (``archive!member`` inside an archive), and a path may be as long
as the file system allows (4,096 bytes on Linux, plus the member's name). PostgreSQL refused a locator over 1,024
characters (StringDataRightTruncation) where SQLite, which ignores the declared length, stored it. Batch mode
rebuilds the table on SQLite (its declared type changes with it); PostgreSQL alters the column in place.
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = '0009'
down_revision: str | None = '0008'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('sourcedocument', schema=None) as batch_op:
        batch_op.alter_column('locator', existing_type=sqlmodel.sql.sqltypes.AutoString(length=1024),
                              type_=sa.Text(), existing_nullable=False)


def downgrade() -> None:
    with op.batch_alter_table('sourcedocument', schema=None) as batch_op:
        batch_op.alter_column('locator', existing_type=sa.Text(),
                              type_=sqlmodel.sql.sqltypes.AutoString(length=1024), existing_nullable=False)
