"""alertprofile.feed_token_hash: only a hash of each feed secret is kept

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-07

Feed secrets (the token in a person's Atom, RSS and calendar URLs) were stored as they are, so a copy of the
database or of a backup read everybody's feeds. Each stored secret is replaced by its SHA-256, which is what the
feed server now looks up, so the URLs already in people's feed readers keep working; a secret can be shown only
when it is made (`tracker alerts token --rotate`, "New secret" on the Alerts page). The column may be empty: a
person who never asked for a feed has no secret.

Going back, the column holds the hashes, which the older code takes as the secrets themselves: its `tracker alerts
token` shows URLs that work, and the ones handed out before stop working.
"""
import hashlib
import secrets
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0024'
down_revision: str | None = '0023'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

profiles = sa.table('alertprofile', sa.column('user_id', sa.Integer()), sa.column('feed_token', sa.String()))


def upgrade() -> None:
    conn = op.get_bind()
    for user_id, token in conn.execute(sa.select(profiles.c.user_id, profiles.c.feed_token)).all():
        # As tracker.sessions.token_hash (not imported: a migration must not change when that code does).
        digest = hashlib.sha256(token.encode('utf-8', 'surrogateescape')).hexdigest()
        conn.execute(profiles.update().where(profiles.c.user_id == user_id).values(feed_token=digest))
    with op.batch_alter_table('alertprofile', schema=None) as batch_op:
        batch_op.alter_column('feed_token', new_column_name='feed_token_hash',
                              existing_type=sa.String(length=64), nullable=True)


def downgrade() -> None:
    conn = op.get_bind()
    hashed = sa.table('alertprofile', sa.column('user_id', sa.Integer()), sa.column('feed_token_hash', sa.String()))
    for (user_id,) in conn.execute(sa.select(hashed.c.user_id).where(hashed.c.feed_token_hash.is_(None))).all():
        conn.execute(hashed.update().where(hashed.c.user_id == user_id)
                     .values(feed_token_hash=secrets.token_urlsafe(24)))  # the older schema needs one per person
    with op.batch_alter_table('alertprofile', schema=None) as batch_op:
        batch_op.alter_column('feed_token_hash', new_column_name='feed_token',
                              existing_type=sa.String(length=64), nullable=False)
