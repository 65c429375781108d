"""billmatch.ceremonial: ceremonial resolutions are listed after the substantive bills in the triage inbox

Revision ID: 0032
Revises: 0031
Create Date: 2026-12-07

Resolutions that designate a day, week or month, honour or mourn someone or mark an anniversary ("Public Radio
Music Day", "National Cybersecurity Education Month") were flagged on the words of their titles and topped the
inbox. Scoring now marks such a topic match with the resolution's form (tracker.matching.ceremonial), and the
inbox lists those bills after the others.

The mark is computed when a bill is scored: the matches stored before have none. The rule version of each topic
that flags a resolution moves (the inbox reads flagged matches only), so `tracker db upgrade` says which matches
predate the scoring and that `tracker topics rescore` brings them up to date. The downgrade drops the column; the
rule versions stay, as 0022's and 0030's do (a re-score puts the matches level again).
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0032'
down_revision: str | None = '0031'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column('billmatch', sa.Column('ceremonial', sa.String(length=64), nullable=True))
    op.execute("UPDATE topic SET rule_version = rule_version + 1 WHERE id IN ("
               "SELECT m.topic_id FROM billmatch m JOIN bill b ON b.id = m.bill_id "
               "WHERE m.flagged AND lower(b.classification) LIKE '%resolution%')")


def downgrade() -> None:
    # Plain ALTER TABLE (SQLite 3.35+), as 0029: the column has no index a batch copy would need to rebuild.
    op.drop_column('billmatch', 'ceremonial')
