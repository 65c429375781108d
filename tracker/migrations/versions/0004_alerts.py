"""alerts: subscriptions, events, delivery log, digests, feed tokens

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25

Per-user subscriptions and feed/unsubscribe tokens, events derived from BillChange / BillMatch /
PositionHistory / hearings, and the delivery log (one row per person and event, each put in one digest).
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes  # noqa: F401  (autogenerate renders sqlmodel's AutoString)
from alembic import op

revision: str = '0004'
down_revision: str | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('alertcursor',
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('last_id', sa.Integer(), nullable=False),
    sa.Column('last_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.PrimaryKeyConstraint('name')
    )
    op.create_table('alertdigest',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('subject', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('item_count', sa.Integer(), nullable=False),
    sa.Column('bill_count', sa.Integer(), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('message_id', sqlmodel.sql.sqltypes.AutoString(length=255), nullable=True),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('claimed_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('sent_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('alertdigest', schema=None) as batch_op:
        batch_op.create_index('ix_alertdigest_status_next', ['status', 'next_attempt_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_alertdigest_user_id'), ['user_id'], unique=False)

    op.create_table('alertprofile',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('feed_token', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('unsubscribe_token', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('email_enabled', sa.Boolean(), nullable=False),
    sa.Column('defaults_applied', sa.Boolean(), nullable=False),
    sa.Column('unsubscribed_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id'),
    sa.UniqueConstraint('feed_token'),
    sa.UniqueConstraint('unsubscribe_token')
    )
    op.create_table('alertsubscription',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('target', sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
    sa.Column('cadence', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('events', sa.JSON(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('user_id', 'kind', 'target', name='uq_alertsubscription_target')
    )
    with op.batch_alter_table('alertsubscription', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_alertsubscription_user_id'), ['user_id'], unique=False)

    op.create_table('alertevent',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sqlmodel.sql.sqltypes.AutoString(length=128), nullable=False),
    sa.Column('bill_id', sa.Integer(), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('topic_id', sa.Integer(), nullable=True),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('payload', sa.JSON(), nullable=False),
    sa.Column('occurred_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['bill_id'], ['bill.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('key')
    )
    with op.batch_alter_table('alertevent', schema=None) as batch_op:
        batch_op.create_index('ix_alertevent_bill', ['bill_id'], unique=False)

    op.create_table('alertdelivery',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('cadence', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('digest_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['digest_id'], ['alertdigest.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['event_id'], ['alertevent.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('user_id', 'event_id', name='uq_alertdelivery_user_event')
    )
    with op.batch_alter_table('alertdelivery', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_alertdelivery_digest_id'), ['digest_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_alertdelivery_event_id'), ['event_id'], unique=False)
        batch_op.create_index('ix_alertdelivery_pending', ['user_id', 'digest_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('alertdelivery', schema=None) as batch_op:
        batch_op.drop_index('ix_alertdelivery_pending')
        batch_op.drop_index(batch_op.f('ix_alertdelivery_event_id'))
        batch_op.drop_index(batch_op.f('ix_alertdelivery_digest_id'))

    op.drop_table('alertdelivery')
    with op.batch_alter_table('alertevent', schema=None) as batch_op:
        batch_op.drop_index('ix_alertevent_bill')

    op.drop_table('alertevent')
    with op.batch_alter_table('alertsubscription', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_alertsubscription_user_id'))

    op.drop_table('alertsubscription')
    op.drop_table('alertprofile')
    with op.batch_alter_table('alertdigest', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_alertdigest_user_id'))
        batch_op.drop_index('ix_alertdigest_status_next')

    op.drop_table('alertdigest')
    op.drop_table('alertcursor')
