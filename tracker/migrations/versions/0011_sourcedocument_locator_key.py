"""sourcedocument: unique by a hash of the locator, not the locator itself

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06

PostgreSQL's btree refuses an index entry over about 2.7 KB, so the unique key on (source_name, locator) failed
for a locator that long (a deep path with an archive member's name), where SQLite stored it. The key is now
(source_name, locator_key), ``locator_key`` the SHA-256 of the locator (``SourceDocument.key_for``), filled here
for the rows stored before.
"""
import hashlib
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = '0011'
down_revision: str | None = '0010'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_BATCH = 5000


def _key(locator: str) -> str:  # SourceDocument.key_for as of this revision
    return hashlib.sha256(locator.encode("utf-8", "surrogateescape")).hexdigest()


def upgrade() -> None:
    op.add_column('sourcedocument', sa.Column('locator_key', sqlmodel.sql.sqltypes.AutoString(length=64),
                                              nullable=True))
    conn = op.get_bind()
    table = sa.table('sourcedocument', sa.column('id', sa.Integer), sa.column('locator', sa.Text),
                     sa.column('locator_key', sa.String))
    rows = conn.execute(sa.select(table.c.id, table.c.locator)).all()
    update = table.update().where(table.c.id == sa.bindparam('row_id')).values(locator_key=sa.bindparam('key'))
    for start in range(0, len(rows), _BATCH):
        conn.execute(update, [{"row_id": row_id, "key": _key(locator)}
                              for row_id, locator in rows[start:start + _BATCH]])
    with op.batch_alter_table('sourcedocument', schema=None) as batch_op:
        batch_op.drop_constraint('uq_sourcedocument_locator', type_='unique')
        batch_op.alter_column('locator_key', existing_type=sqlmodel.sql.sqltypes.AutoString(length=64),
                              nullable=False)
        batch_op.create_unique_constraint('uq_sourcedocument_locator_key', ['source_name', 'locator_key'])


def downgrade() -> None:
    with op.batch_alter_table('sourcedocument', schema=None) as batch_op:
        batch_op.drop_constraint('uq_sourcedocument_locator_key', type_='unique')
        batch_op.create_unique_constraint('uq_sourcedocument_locator', ['source_name', 'locator'])
        batch_op.drop_column('locator_key')
