"""topic rules the stricter rule language refuses are disabled

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02

The rule language now refuses what it used to read with another meaning: operators in lowercase ("near/3"),
unknown fields ("titel:") and a search-engine "-word". A rule stored before that would stop every scoring run
(the engine compiles all enabled rules at once), so each such rule is disabled, its note says why, and its
topic's rule version is bumped. Staff fix it with `tracker topics edit-rule ID --rule '...' --enable`;
`tracker topics rescore` brings the stored matches up to date. No schema change.
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0008'
down_revision: str | None = '0007'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_rule = sa.table('topicrule', sa.column('id', sa.Integer), sa.column('topic_id', sa.Integer),
                 sa.column('expression', sa.String), sa.column('enabled', sa.Boolean), sa.column('note', sa.String))
_topic = sa.table('topic', sa.column('id', sa.Integer), sa.column('rule_version', sa.Integer))


def upgrade() -> None:
    from tracker.matching.rules import RuleSyntaxError, parse_rule

    conn = op.get_bind()
    rows = conn.execute(sa.select(_rule.c.id, _rule.c.topic_id, _rule.c.expression, _rule.c.note)
                        .where(_rule.c.enabled)).all()
    topics = set()
    for rule_id, topic_id, expression, note in rows:
        try:
            parse_rule(expression)
        except RuleSyntaxError as exc:
            why = f"disabled by migration 0008: {exc}"
            conn.execute(sa.update(_rule).where(_rule.c.id == rule_id)
                         .values(enabled=False, note=f"{why}; {note}" if note else why))
            topics.add(topic_id)
    for topic_id in topics:
        conn.execute(sa.update(_topic).where(_topic.c.id == topic_id)
                     .values(rule_version=_topic.c.rule_version + 1))


def downgrade() -> None:
    pass  # the rules stay disabled: re-enabling them would stop scoring again
