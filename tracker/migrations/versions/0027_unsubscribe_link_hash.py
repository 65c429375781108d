"""unsubscribelink: only a hash of each unsubscribe secret is kept

Revision ID: 0027
Revises: 0026
Create Date: 2026-12-07

The secret in a person's unsubscribe link (``alertprofile.unsubscribe_token``) was stored as it is, so a copy of
the database or of a backup could unsubscribe anybody. A table of link hashes replaces it: each email now carries
a link of its own whose SHA-256 is stored as the email goes out (the secret cannot be read back for the next one),
and each person's secret until now is moved there as its hash, so the links in emails already sent keep working.

Going back, each person gets a new secret in the old column (the hashes are all there is, and the older code needs
one per person): emails sent from then on work, the links sent before do not.
"""
import hashlib
import secrets
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '0027'
down_revision: str | None = '0026'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'unsubscribelink',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('token_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column('digest_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['user.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['digest_id'], ['alertdigest.id'], ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('token_hash'),
    )
    op.create_index(op.f('ix_unsubscribelink_user_id'), 'unsubscribelink', ['user_id'], unique=False)
    conn = op.get_bind()
    # Each person's secret is copied as it is, with its profile's date as stored, then replaced by its hash in
    # the same transaction: a failed upgrade leaves nothing behind.
    conn.execute(sa.text("INSERT INTO unsubscribelink (user_id, token_hash, created_at) "
                         "SELECT user_id, unsubscribe_token, created_at FROM alertprofile"))
    stored = sa.table('unsubscribelink', sa.column('id', sa.Integer()), sa.column('token_hash', sa.String()))
    for link_id, token in conn.execute(sa.select(stored.c.id, stored.c.token_hash)).all():
        # As tracker.sessions.token_hash (not imported: a migration must not change when that code does).
        digest = hashlib.sha256(token.encode('utf-8', 'surrogateescape')).hexdigest()
        conn.execute(stored.update().where(stored.c.id == link_id).values(token_hash=digest))
    with op.batch_alter_table('alertprofile', schema=None) as batch_op:
        batch_op.drop_column('unsubscribe_token')  # its unique constraint goes with it


def downgrade() -> None:
    conn = op.get_bind()
    with op.batch_alter_table('alertprofile', schema=None) as batch_op:
        batch_op.add_column(sa.Column('unsubscribe_token', sa.String(length=64), nullable=True))
    profiles = sa.table('alertprofile', sa.column('user_id', sa.Integer()), sa.column('unsubscribe_token', sa.String()))
    for (user_id,) in conn.execute(sa.select(profiles.c.user_id)).all():
        conn.execute(profiles.update().where(profiles.c.user_id == user_id)
                     .values(unsubscribe_token=secrets.token_urlsafe(24)))
    with op.batch_alter_table('alertprofile', schema=None) as batch_op:
        batch_op.alter_column('unsubscribe_token', existing_type=sa.String(length=64), nullable=False)
        batch_op.create_unique_constraint('alertprofile_unsubscribe_token_key', ['unsubscribe_token'])
    op.drop_index(op.f('ix_unsubscribelink_user_id'), table_name='unsubscribelink')
    op.drop_table('unsubscribelink')
