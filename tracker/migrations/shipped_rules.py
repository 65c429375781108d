"""Shared by the migrations that bring a change of the shipped topic rules (tracker/topics.yaml) to a database
made by an earlier version, without overwriting what staff edited.

`tracker topics load` replaces every rule of a topic named in the file, so it is no way to upgrade a council's
database: it would undo their edits. A migration of this kind names, per topic, each shipped rule it replaces
(expression and weight as an earlier version shipped them) and the rules that take its place, and the rules it
adds. A stored rule is replaced only where it is still exactly as shipped (same expression and weight, enabled);
one staff edited, disabled or removed is left as it is, and so is a topic staff deleted. A rule is added unless
the topic already holds one with the same expression. Each topic changed gets its rule version bumped, so
`tracker db upgrade` says its stored matches predate the rules (`tracker topics rescore`), and what was left
because staff had edited it is named by the upgrade notes (``tracker.upgrade_notes``).
"""

from dataclasses import dataclass

import sqlalchemy as sa

from tracker.models.base import utcnow

_rule = sa.table('topicrule', sa.column('id', sa.Integer), sa.column('topic_id', sa.Integer),
                 sa.column('expression', sa.String), sa.column('weight', sa.Float), sa.column('exclude', sa.Boolean),
                 sa.column('enabled', sa.Boolean), sa.column('note', sa.String),
                 sa.column('updated_at', sa.DateTime))
_topic = sa.table('topic', sa.column('id', sa.Integer), sa.column('slug', sa.String),
                  sa.column('rule_version', sa.Integer), sa.column('updated_at', sa.DateTime))


@dataclass(frozen=True)
class NewRule:
    expression: str
    weight: float
    note: str | None = None
    exclude: bool = False  # an exclusion rule, which vetoes its topic


@dataclass(frozen=True)
class Replace:
    """The shipped rule ``old`` (expression, weight) becomes ``new`` (one rule or several)."""
    slug: str
    old: tuple[str, float]
    new: tuple[NewRule, ...]


@dataclass(frozen=True)
class Add:
    slug: str
    new: NewRule


def apply_shipped_rules(conn: sa.Connection, changes: list[Replace | Add]) -> dict[str, list[str]]:
    """Apply ``changes`` where the stored rules are still as shipped; what was applied and what was left, by
    topic slug (``{"applied": [...], "left": [...]}``, one line each)."""
    topics = dict(conn.execute(sa.select(_topic.c.slug, _topic.c.id)).all())
    done: dict[str, list[str]] = {"applied": [], "left": []}
    changed: set[int] = set()
    now = utcnow()
    for change in changes:
        topic_id = topics.get(change.slug)
        if topic_id is None:
            continue
        if isinstance(change, Add):
            have = conn.execute(sa.select(_rule.c.id).where(_rule.c.topic_id == topic_id,
                                                            _rule.c.expression == change.new.expression)).first()
            if have is None:
                _insert(conn, topic_id, change.new, now)
                changed.add(topic_id)
                done["applied"].append(f"{change.slug}: added {change.new.expression!r}")
            continue
        expression, weight = change.old
        rows = conn.execute(sa.select(_rule.c.id, _rule.c.weight, _rule.c.enabled, _rule.c.exclude)
                            .where(_rule.c.topic_id == topic_id, _rule.c.expression == expression)
                            .order_by(_rule.c.id)).all()
        shipped = next((r.id for r in rows if r.enabled and not r.exclude and abs(r.weight - weight) < 1e-9), None)
        if shipped is None:
            done["left"].append(f"{change.slug}: {expression!r}")
            continue
        first, *more = change.new
        conn.execute(sa.update(_rule).where(_rule.c.id == shipped)
                     .values(expression=first.expression, weight=first.weight, exclude=first.exclude, note=first.note,
                             updated_at=now))
        for rule in more:
            _insert(conn, topic_id, rule, now)
        changed.add(topic_id)
        done["applied"].append(f"{change.slug}: {expression!r} replaced")
    for topic_id in changed:
        conn.execute(sa.update(_topic).where(_topic.c.id == topic_id)
                     .values(rule_version=_topic.c.rule_version + 1, updated_at=now))
    return done


def _insert(conn: sa.Connection, topic_id: int, rule: NewRule, now: object) -> None:
    conn.execute(sa.insert(_rule).values(topic_id=topic_id, expression=rule.expression, weight=rule.weight,
                                         exclude=rule.exclude, enabled=True, note=rule.note, updated_at=now))
