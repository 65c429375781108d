"""Shared by the migrations that follow a tightening of the rule language (0008, 0013).

The engine compiles every enabled rule at once, so one stored rule the parser now refuses would stop every
scoring run. Each such rule is disabled, its note says which migration did it and why, and its topic's rule
version is bumped. Staff fix it with `tracker topics edit-rule ID --rule '...' --enable`; `tracker topics
rescore` brings the stored matches up to date. The check is the current parser's.
"""

import sqlalchemy as sa

_rule = sa.table('topicrule', sa.column('id', sa.Integer), sa.column('topic_id', sa.Integer),
                 sa.column('expression', sa.String), sa.column('enabled', sa.Boolean), sa.column('note', sa.String))
_topic = sa.table('topic', sa.column('id', sa.Integer), sa.column('rule_version', sa.Integer))


def disable_refused_rules(conn: sa.Connection, *, by: str) -> int:
    """Disable the enabled rules the parser refuses, noting ``by`` (the migration) and the reason; returns how
    many."""
    from tracker.matching.rules import RuleSyntaxError, parse_rule

    rows = conn.execute(sa.select(_rule.c.id, _rule.c.topic_id, _rule.c.expression, _rule.c.note)
                        .where(_rule.c.enabled)).all()
    topics = set()
    for rule_id, topic_id, expression, note in rows:
        try:
            parse_rule(expression)
        except RuleSyntaxError as exc:
            why = f"disabled by {by}: {exc}"
            conn.execute(sa.update(_rule).where(_rule.c.id == rule_id)
                         .values(enabled=False, note=f"{why}; {note}" if note else why))
            topics.add(topic_id)
    for topic_id in topics:
        conn.execute(sa.update(_topic).where(_topic.c.id == topic_id)
                     .values(rule_version=_topic.c.rule_version + 1))
    return len(topics)
