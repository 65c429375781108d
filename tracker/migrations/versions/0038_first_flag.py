"""firstflag: when a topic first flagged each bill, for the triage inbox's "new since yesterday"

Revision ID: 0038
Revises: 0037
Create Date: 2026-12-07

Nothing stored said when a bill reached the inbox: ``billmatch.matched_at`` is set again by every re-score (a rule
edit re-scores every bill), and a match a rule no longer makes is deleted. Bills flagged before this revision are
dated from what is stored, never from ``matched_at``, which would call every flagged bill new the morning after a
rule edit:
- the earliest "flagged" alert event of the bill (tracker.alerts.events: collected within minutes of the flag),
  unless the bill also has a ``baseline`` flag event, which says it was flagged already when alerts first ran (or
  flagged quietly by a corrected import) at some time the event does not record;
- otherwise when the tracker first stored the bill (``bill.first_seen_at``): flagging runs on every bill ingest
  stores, so for most bills that is the flag's own day. A bill a topic added later flagged is dated earlier than
  its flag: it is not counted new, rather than a long-flagged bill being counted new.
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = '0038'
down_revision: str | None = '0037'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'firstflag',
        sa.Column('bill_id', sa.Integer(), nullable=False),
        sa.Column('first_flagged_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['bill_id'], ['bill.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('bill_id'),
    )
    with op.batch_alter_table('firstflag', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_firstflag_first_flagged_at'), ['first_flagged_at'], unique=False)
    op.execute("""
        INSERT INTO firstflag (bill_id, first_flagged_at)
        SELECT b.id, COALESCE(
            (SELECT min(e.occurred_at) FROM alertevent e
             WHERE e.bill_id = b.id AND e.kind = 'flagged' AND e.key LIKE 'flag:%'
               AND NOT EXISTS (SELECT 1 FROM alertevent z
                               WHERE z.bill_id = b.id AND z.kind = 'baseline' AND z.key LIKE 'flag:%')),
            b.first_seen_at)
        FROM bill b
        WHERE EXISTS (SELECT 1 FROM billmatch m WHERE m.bill_id = b.id AND m.flagged)
    """)


def downgrade() -> None:
    with op.batch_alter_table('firstflag', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_firstflag_first_flagged_at'))
    op.drop_table('firstflag')
