"""What `tracker db upgrade` (and `tracker run`) say after migrating: what the upgrade changed that staff should
know about, and what is left for them to do, each with its command.

- Rules a migration disabled (0008, 0013: the rule language now refuses them): their topic's rule version moves,
  but no migration re-scores, so the bills they flagged stay flagged until `tracker topics rescore`.
- Matches scored under an older rule version, whatever left them behind.
- Rules of the shipped topics (tracker/topics.yaml) a topic in the database lacks: a migration that brings new
  shipped rules (``tracker.migrations.shipped_rules``) leaves a rule staff edited as it is, and `tracker topics
  load` would replace every rule of the topic, edits included, so staff compare and choose.
- Bills an earlier version stored twice (``tracker.duplicates``).
- Bills an older version of their feed's parser read (``tracker.readings``): they keep that reading until their
  files are imported again or their source is crawled with --refresh (scheduled crawls do by themselves).
"""

from sqlalchemy import Engine, func, inspect, select, text
from sqlmodel import Session

from tracker import db
from tracker.models import BillMatch, Topic, TopicRule


def enabled_rule_ids(engine: Engine) -> set[int]:
    """The enabled rules before migrating, read with plain SQL: the schema may be any earlier one (or none). A
    SQLite file not made yet is left for the migration to create (connecting would make it, or fail on its
    missing folder)."""
    if db.missing_file(engine) is not None or not inspect(engine).has_table("topicrule"):
        return set()
    with engine.connect() as conn:
        return set(conn.execute(text("SELECT id FROM topicrule WHERE enabled")).scalars())


def shipped_rules_missing(session: Session) -> dict[str, int]:
    """For each topic of the shipped file stored in the database, how many of its shipped rules (by expression)
    the stored topic lacks; topics that lack none are left out."""
    from tracker.matching.topics import TopicError, read_topics_file

    try:
        shipped = read_topics_file()
    except TopicError:
        return {}
    stored: dict[str, set[str]] = {}
    for slug, expression in session.execute(select(Topic.slug, TopicRule.expression).select_from(Topic)
                                            .outerjoin(TopicRule, TopicRule.topic_id == Topic.id)):
        stored.setdefault(slug, set()).add(expression)
    missing = {d.slug: sum(1 for r in d.rules if r.expression not in stored[d.slug])
               for d in shipped if d.slug in stored}
    return {slug: n for slug, n in sorted(missing.items()) if n}


def notes(session: Session, *, enabled_before: set[int]) -> list[str]:
    from tracker.duplicates import find_groups
    from tracker.readings import older_readings

    said = []
    disabled = session.execute(select(Topic.slug, TopicRule.id, TopicRule.expression).select_from(TopicRule)
                               .join(Topic, Topic.id == TopicRule.topic_id)
                               .where(TopicRule.id.in_(enabled_before), ~TopicRule.enabled)
                               .order_by(TopicRule.id)).all() if enabled_before else []
    if disabled:
        one = len(disabled) == 1
        said.append(f"{len(disabled)} topic rule{' was' if one else 's were'} disabled by this upgrade ("
                    + "; ".join(f"{slug} rule {rule_id}: {expression!r}" for slug, rule_id, expression in disabled)
                    + f"): the rule language now refuses {'it' if one else 'them'}, and each note says why; "
                    "`tracker topics edit-rule ID --rule '...' --enable` puts one back.")
    behind = session.execute(select(Topic.slug, func.count()).select_from(BillMatch)
                             .join(Topic, Topic.id == BillMatch.topic_id)
                             .where(BillMatch.rule_version < Topic.rule_version)
                             .group_by(Topic.slug).order_by(Topic.slug)).all()
    if behind:
        said.append(f"{sum(n for _, n in behind)} stored topic matches predate their topic's rules "
                    f"({', '.join(slug for slug, _ in behind)}): the bills keep those flags until "
                    "`tracker topics rescore` scores them again.")
    if missing := shipped_rules_missing(session):
        said.append(f"{sum(missing.values())} rule(s) of the shipped topics (tracker/topics.yaml) are not in this "
                    f"database ({', '.join(f'{slug} {n}' for slug, n in missing.items())}): staff edited those "
                    "rules, or the topics were loaded by an earlier version. `tracker topics list --rules` shows "
                    "yours; add what you want with `tracker topics add-rule` (`tracker topics load` would replace "
                    "every rule of those topics, your edits included).")
    if groups := find_groups(session):
        said.append(f"{len(groups)} bill(s) are stored under spellings earlier versions used (some twice): "
                    "`tracker db merge-duplicates` lists them and merges them with --apply.")
    said.extend(older.describe() for older in older_readings(session))
    return said
