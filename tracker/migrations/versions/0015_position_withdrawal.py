"""positionhistory: withdrawals, and a history that outlives the position

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-06

A council drops positions (one taken by mistake, a bill it decides to stay out of). Withdrawing deletes the
bill's ``position`` row, so every count, search filter, packet and alert sees no position, and writes a history
row marked ``withdrawn`` (who, when, why; no stance). The history rows cascaded from ``position`` (ON DELETE
CASCADE): deleting it would have erased the audit trail, so ``position_id`` becomes nullable with ON DELETE SET
NULL, and ``stance``/``priority`` nullable for the withdrawal rows. Existing rows keep every value.

SQLite rebuilds the table (batch mode); its foreign key to ``position`` was created without a name, which the
naming convention below gives it so that it can be dropped. PostgreSQL alters in place (its key was named
``positionhistory_position_id_fkey`` by the server). The new key has that name on both.

Going back (developers and tests only: no command offers it) drops what the old schema cannot hold: the
withdrawal rows and the history of positions withdrawn since, as every downgrade drops what its migration added.
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = '0015'
down_revision: str | None = '0014'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FK_NAME = 'positionhistory_position_id_fkey'  # PostgreSQL's own name for the key 0001 created, kept on both
# Names batch mode gives the unnamed constraints it reflects from SQLite, so one of them can be dropped.
SQLITE_NAMES = {'fk': 'fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s'}


def _position_fk_name() -> str:
    """The key's name as the database reports it; on SQLite one created unnamed (by 0001) goes by the name
    ``SQLITE_NAMES`` gives it."""
    for fk in sa.inspect(op.get_bind()).get_foreign_keys('positionhistory'):
        if fk['constrained_columns'] == ['position_id']:
            return fk['name'] or 'fk_positionhistory_position_id_position'
    raise RuntimeError('positionhistory has no foreign key on position_id to replace')


def upgrade() -> None:
    old_fk = _position_fk_name()
    with op.batch_alter_table('positionhistory', schema=None, naming_convention=SQLITE_NAMES) as batch_op:
        batch_op.add_column(sa.Column('withdrawn', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.alter_column('position_id', existing_type=sa.Integer(), nullable=True)
        batch_op.alter_column('stance', existing_type=sqlmodel.sql.sqltypes.AutoString(), nullable=True)
        batch_op.alter_column('priority', existing_type=sqlmodel.sql.sqltypes.AutoString(), nullable=True)
        batch_op.drop_constraint(old_fk, type_='foreignkey')
        batch_op.create_foreign_key(FK_NAME, 'position', ['position_id'], ['id'], ondelete='SET NULL')


def downgrade() -> None:
    # What the old schema cannot hold: withdrawal rows (no stance) and versions of positions withdrawn since.
    history = sa.table('positionhistory', sa.column('withdrawn', sa.Boolean()), sa.column('position_id'))
    op.execute(history.delete().where(sa.or_(history.c.withdrawn, history.c.position_id.is_(None))))
    old_fk = _position_fk_name()
    with op.batch_alter_table('positionhistory', schema=None, naming_convention=SQLITE_NAMES) as batch_op:
        batch_op.drop_constraint(old_fk, type_='foreignkey')
        batch_op.create_foreign_key(FK_NAME, 'position', ['position_id'], ['id'], ondelete='CASCADE')
        batch_op.alter_column('priority', existing_type=sqlmodel.sql.sqltypes.AutoString(), nullable=False)
        batch_op.alter_column('stance', existing_type=sqlmodel.sql.sqltypes.AutoString(), nullable=False)
        batch_op.alter_column('position_id', existing_type=sa.Integer(), nullable=False)
        batch_op.drop_column('withdrawn')
