"""Topics and rules as a service: load the default YAML, edit rules in the database, try a rule out.

Every change that affects scores (rules, weights, threshold, description, enabling) bumps the topic's
``rule_version`` and re-scores every stored bill for that topic, so a ``BillMatch`` always says which version
of the rules produced it (every topic is scored, only that topic's rows rewritten: they come out as a full
re-score would write them). A rule that does not parse is refused with the position of the error; weights and
thresholds must be finite numbers above 0 (checked here, so the CLI, the YAML loader and the dashboard's topic
page share the rule). Editing needs the admin role (``Action.manage_topics``, as the README and the dashboard's
Topics page say) when an acting user is given (the CLI acts as the local operator).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import func, select
from sqlmodel import Session

from tracker.matching.engine import BillDoc, RuleSet
from tracker.matching.rules import RuleSyntaxError, parse_rule
from tracker.models import Bill, BillMatch, LegislativeSession, Topic, TopicRule, User
from tracker.models.base import utcnow
from tracker.permissions import Action, PermissionDenied, require

DEFAULT_TOPICS_FILE = Path(__file__).resolve().parent.parent / "topics.yaml"


class TopicError(ValueError):
    """A topic definition or edit that cannot be used; the message names the file, topic and rule."""


class RuleRefused(TopicError):
    def __init__(self, where: str, error: RuleSyntaxError):
        super().__init__(f"{where}: {error.message} at position {error.position}\n{error.pointer()}")
        self.error = error
        self.position = error.position


class NotAllowed(PermissionDenied):
    pass


# -- definitions --------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class RuleDef:
    expression: str
    weight: float = 1.0
    exclude: bool = False
    enabled: bool = True
    note: str | None = None


@dataclass(frozen=True)
class TopicDef:
    slug: str
    name: str
    description: str | None
    threshold: float
    enabled: bool
    rules: tuple[RuleDef, ...]


def validate_rule(expression: str, where: str = "rule") -> None:
    try:
        parse_rule(expression)
    except RuleSyntaxError as exc:
        raise RuleRefused(where, exc) from None


def read_topics_file(path: Path | str | None = None) -> list[TopicDef]:
    """Parse and check a topics YAML file; every problem names the file, the topic and the rule."""
    path = Path(path) if path else DEFAULT_TOPICS_FILE
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise TopicError(f"{path}: cannot read: {exc}") from None
    except yaml.YAMLError as exc:
        raise TopicError(f"{path}: not valid YAML: {exc}") from None
    if not isinstance(doc, dict) or not isinstance(doc.get("topics"), list):
        raise TopicError(f"{path}: expected a mapping with a 'topics' list")
    if "field_weights" in doc:  # it was once read by the benchmarks only, while scoring used the setting
        raise TopicError(f"{path}: 'field_weights' is a setting, not part of a topics file: set [matching] "
                         "field_weights in tracker.toml")
    topics: list[TopicDef] = []
    seen: set[str] = set()
    for i, raw in enumerate(doc["topics"]):
        where = f"{path}: topic #{i + 1}"
        if not isinstance(raw, dict):
            raise TopicError(f"{where}: expected a mapping")
        slug = str(raw.get("slug") or "").strip()
        if not slug or len(slug) > 64 or not all(c.isalnum() or c in "-_" for c in slug):
            raise TopicError(f"{where}: 'slug' must be 1-64 letters, digits, '-' or '_'")
        where = f"{path}: topic {slug!r}"
        if slug in seen:
            raise TopicError(f"{where}: defined twice")
        seen.add(slug)
        name = str(raw.get("name") or "").strip()
        if not name:
            raise TopicError(f"{where}: 'name' is required")
        threshold = check_threshold(raw.get("threshold", 3.0), where)
        rules = []
        for j, rule in enumerate(raw.get("rules") or []):
            rwhere = f"{where} rule #{j + 1}"
            if isinstance(rule, str):
                rule = {"rule": rule}
            if not isinstance(rule, dict) or not isinstance(rule.get("rule"), str):
                raise TopicError(f"{rwhere}: expected 'rule: <expression>'")
            validate_rule(rule["rule"], rwhere)
            rules.append(RuleDef(rule["rule"], check_weight(rule.get("weight", 1.0), rwhere),
                                 bool(rule.get("exclude", False)), bool(rule.get("enabled", True)),
                                 rule.get("note")))
        if not any(not r.exclude for r in rules):
            raise TopicError(f"{where}: needs at least one rule that is not an exclusion")
        description = raw.get("description")
        topics.append(TopicDef(slug, name, str(description).strip() if description else None, threshold,
                               bool(raw.get("enabled", True)), tuple(rules)))
    return topics


def check_threshold(value: Any, where: str) -> float:
    """A topic's threshold: a finite number above 0 (at 0 every hit would flag; infinity flags nothing)."""
    return _positive_number(value, f"{where}: threshold")


def check_weight(value: Any, where: str) -> float:
    """A rule's weight: a finite number above 0.

    Negative weights are refused rather than given a meaning: scores are documented as sums of what rules earn,
    the flagged listing and evidence would show a "matched" rule that pushed the bill down, and down-weighting
    already has its tools (a lower weight, ``AND NOT`` in the rule, or an exclusion rule that vetoes the topic).
    """
    return _positive_number(value, f"{where}: weight")


def _positive_number(value: Any, what: str) -> float:
    # bool is an int to Python; `weight: yes` in YAML is a slip, not 1.0.
    if isinstance(value, bool):
        raise TopicError(f"{what} must be a number, not {value!r}")
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise TopicError(f"{what} must be a number, not {value!r}") from None
    # NaN fails every comparison (so "<= 0" lets it through) and would reach the database as NULL.
    if not math.isfinite(number):
        raise TopicError(f"{what} must be a finite number, not {value!r}")
    if number <= 0:
        raise TopicError(f"{what} must be above 0, not {value!r}")
    return number


# -- loading ------------------------------------------------------------------------------------------------

@dataclass
class LoadReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    changed_topic_ids: list[int] = field(default_factory=list)


def _require_editor(actor: User | None) -> None:
    # The same rule as every other service (tracker.permissions): topics and rules are an admin's. Staff could
    # change them here while the dashboard and the README said admin only, so the service was not the guard.
    if actor is not None:
        try:
            require(actor, Action.manage_topics)
        except PermissionDenied as exc:
            raise NotAllowed(str(exc)) from None


def load_topics(session: Session, *, path: Path | str | None = None, actor: User | None = None,
                rescore: bool = True) -> LoadReport:
    """Create or update topics from a YAML file (by slug). Topics not in the file are left as they are."""
    _require_editor(actor)
    defs = read_topics_file(path)
    report = LoadReport()
    existing = {t.slug: t for t in session.execute(select(Topic)).scalars()}
    for d in defs:
        topic = existing.get(d.slug)
        if topic is None:
            topic = Topic(slug=d.slug, name=d.name, description=d.description, threshold=d.threshold,
                          enabled=d.enabled, rule_version=1, updated_at=utcnow())
            session.add(topic)
            session.flush()
            _replace_rules(session, topic, d.rules, actor)
            report.created.append(d.slug)
            report.changed_topic_ids.append(topic.id)
            continue
        current = [RuleDef(r.expression, r.weight, r.exclude, r.enabled, r.note) for r in _rules(session, topic.id)]
        same = (topic.name == d.name and topic.description == d.description and topic.threshold == d.threshold
                and topic.enabled == d.enabled and current == list(d.rules))
        if same:
            report.unchanged.append(d.slug)
            continue
        topic.name, topic.description, topic.threshold, topic.enabled = d.name, d.description, d.threshold, d.enabled
        if current != list(d.rules):
            _replace_rules(session, topic, d.rules, actor)
        _bump(session, topic)
        report.updated.append(d.slug)
        report.changed_topic_ids.append(topic.id)
    session.flush()
    if rescore and report.changed_topic_ids:
        _rescore(session, report.changed_topic_ids)
    return report


def _rules(session: Session, topic_id: int) -> list[TopicRule]:
    return list(session.execute(select(TopicRule).where(TopicRule.topic_id == topic_id)
                                .order_by(TopicRule.id)).scalars())


def _replace_rules(session: Session, topic: Topic, rules: Sequence[RuleDef], actor: User | None) -> None:
    for old in _rules(session, topic.id):
        session.delete(old)
    session.flush()
    for r in rules:
        session.add(TopicRule(topic_id=topic.id, expression=r.expression, weight=r.weight, exclude=r.exclude,
                              enabled=r.enabled, note=r.note, created_by_id=actor.id if actor else None,
                              updated_at=utcnow()))


def _bump(session: Session, topic: Topic) -> None:
    topic.rule_version += 1
    topic.updated_at = utcnow()
    session.add(topic)
    session.flush()


def _rescore(session: Session, topic_ids: Sequence[int]) -> None:
    """What every edit does: re-score as a full re-score would write the rows; a disabled topic's rows go."""
    from tracker.matching.store import rescore

    session.commit()
    rescore(session, topic_ids=topic_ids)


def learn_now(session: Session, *, actor: User | None = None) -> int:
    """Retrain from the judgements if they changed and re-score every bill now, instead of at the nightly
    learning job (tracker.matching.jobs); returns the number of bills re-scored. Admin only, as every topic edit."""
    from tracker.matching.store import rescore

    _require_editor(actor)
    session.commit()
    return rescore(session).bills


# -- editing ------------------------------------------------------------------------------------------------

def resolve_topic(session: Session, ref: str | int) -> Topic:
    """The topic a person names: by slug or by name, in any case and with spaces around it ignored, or by id.
    What every ``--topic`` option and topic argument takes (``tracker bills list``, ``export``, ``alerts``,
    ``topics``), so a name that works in one command works in all of them. TopicError names the known topics."""
    key = " ".join(str(ref).split()).lower()
    topics = list(session.execute(select(Topic).order_by(Topic.slug)).scalars())
    if key.isdigit() and (by_id := session.get(Topic, int(key))) is not None:
        return by_id
    # A slug wins over another topic's name: slugs are what the CLI prints and stores.
    for found in (*(t for t in topics if t.slug.lower() == key), *(t for t in topics if t.name.lower() == key)):
        return found
    raise TopicError(unknown_topic_message([str(ref)], topics))


def unknown_topic_message(refs: Sequence[str], topics: Sequence[Topic]) -> str:
    """"No topic 'a1'; known topics: ai, privacy" (a topic is named by slug or name; the slugs are shorter)."""
    known = ", ".join(t.slug for t in sorted(topics, key=lambda t: t.slug)) or "none yet (`tracker topics load`)"
    return f"No topic {', '.join(map(repr, refs))}; known topics: {known}"


def get_topic(session: Session, ref: str | int) -> Topic:
    """``resolve_topic`` (the name topic edits have always used)."""
    return resolve_topic(session, ref)


def add_rule(session: Session, *, topic: str | int, expression: str, weight: float = 1.0, exclude: bool = False,
             note: str | None = None, actor: User | None = None, rescore: bool = True) -> TopicRule:
    _require_editor(actor)
    t = get_topic(session, topic)
    validate_rule(expression, f"topic {t.slug!r}")
    weight = check_weight(weight, f"topic {t.slug!r}")
    rule = TopicRule(topic_id=t.id, expression=expression, weight=weight, exclude=exclude, note=note,
                     created_by_id=actor.id if actor else None, updated_at=utcnow())
    session.add(rule)
    _bump(session, t)
    if rescore:
        _rescore(session, [t.id])
    return rule


def update_rule(session: Session, *, rule_id: int, expression: str | None = None, weight: float | None = None,
                exclude: bool | None = None, enabled: bool | None = None, note: str | None = None,
                actor: User | None = None, rescore: bool = True) -> TopicRule:
    _require_editor(actor)
    rule = session.get(TopicRule, rule_id)
    if rule is None:
        raise TopicError(f"no rule #{rule_id}")
    topic = session.get(Topic, rule.topic_id)
    assert topic is not None
    where = f"topic {topic.slug!r} rule #{rule_id}"
    # Everything is checked before anything changes, so a refused edit leaves the rule as it was. The kept
    # expression is checked too when the rule is switched on: one disabled because it no longer parses
    # (migration 0008) would stop every scoring run.
    if expression is not None or enabled:
        validate_rule(expression if expression is not None else rule.expression, where)
    if weight is not None:
        weight = check_weight(weight, where)
    if expression is not None:
        rule.expression = expression
    if weight is not None:
        rule.weight = weight
    if exclude is not None:
        rule.exclude = exclude
    if enabled is not None:
        rule.enabled = enabled
    if note is not None:
        rule.note = note
    rule.updated_at = utcnow()
    session.add(rule)
    _bump(session, topic)
    if rescore:
        _rescore(session, [topic.id])
    return rule


def remove_rule(session: Session, *, rule_id: int, actor: User | None = None, rescore: bool = True) -> None:
    _require_editor(actor)
    rule = session.get(TopicRule, rule_id)
    if rule is None:
        raise TopicError(f"no rule #{rule_id}")
    topic = session.get(Topic, rule.topic_id)
    assert topic is not None
    session.delete(rule)
    _bump(session, topic)
    if rescore:
        _rescore(session, [topic.id])


def update_topic(session: Session, *, topic: str | int, threshold: float | None = None, enabled: bool | None = None,
                 name: str | None = None, description: str | None = None, actor: User | None = None,
                 rescore: bool = True) -> Topic:
    _require_editor(actor)
    t = get_topic(session, topic)
    if threshold is not None:
        t.threshold = check_threshold(threshold, f"topic {t.slug!r}")
    if enabled is not None:
        t.enabled = enabled
    if name:
        t.name = name
    if description is not None:
        t.description = description or None
    _bump(session, t)
    if rescore:
        _rescore(session, [t.id])
    return t


# -- reading ------------------------------------------------------------------------------------------------

def list_topics(session: Session) -> list[dict[str, Any]]:
    flagged = dict(session.execute(select(BillMatch.topic_id, func.count()).where(BillMatch.flagged)
                                   .group_by(BillMatch.topic_id)).all())
    out = []
    for t in session.execute(select(Topic).order_by(Topic.id)).scalars():
        rules = _rules(session, t.id)
        out.append({
            "id": t.id, "slug": t.slug, "name": t.name, "description": t.description, "threshold": t.threshold,
            "enabled": t.enabled, "rule_version": t.rule_version, "flagged_bills": flagged.get(t.id, 0),
            "rules": [{"id": r.id, "expression": r.expression, "weight": r.weight, "exclude": r.exclude,
                       "enabled": r.enabled, "note": r.note} for r in rules],
        })
    return out


def try_rule(session: Session, *, expression: str, limit: int = 10, batch: int = 1000) -> dict[str, Any]:
    """What a rule would find on the stored bills, before it is saved: hit count and sample titles."""
    from tracker.matching.store import configured_field_weights, load_docs

    validate_rule(expression)
    rule_set = RuleSet.single(expression, configured_field_weights())
    ids = list(session.execute(select(Bill.id).order_by(Bill.latest_action_date.desc().nulls_last(),
                                                        Bill.id.desc())).scalars())
    hits: list[tuple[float, int, dict[str, Any]]] = []
    by_field = {"title": 0, "summary": 0, "text": 0}
    for start in range(0, len(ids), batch):
        for doc in load_docs(session, ids[start:start + batch]):
            results = rule_set.evaluate(doc)
            if not results:
                continue
            res = results[0]
            # Per field, the bills where the rule holds in that field alone (the evidence keeps only three
            # places, so counting its fields missed most summaries and every text).
            for name, parts in doc.fields.items():
                if name in by_field and any(parts) and rule_set.evaluate(BillDoc(doc.bill_id, {name: parts})):
                    by_field[name] += 1
            hits.append((res.keyword_score, doc.bill_id, {"terms": res.matched_terms, "evidence": res.evidence}))
    sample_ids = [bid for _, bid, _ in hits[:limit]]
    info = {bid: (ident, title, sess) for bid, ident, title, sess in session.execute(
        select(Bill.id, Bill.identifier, Bill.title, LegislativeSession.identifier)
        .join(LegislativeSession, LegislativeSession.id == Bill.session_id).where(Bill.id.in_(sample_ids)))}
    samples = []
    for score, bid, detail in hits[:limit]:
        ident, title, sess = info[bid]
        samples.append({"id": bid, "bill": f"{sess} {ident}", "title": title, "score": round(score, 3), **detail})
    return {"expression": expression, "bills": len(ids), "hits": len(hits), "by_field": by_field,
            "samples": samples}
