"""The default topic set and the topic service: loading YAML, editing rules, refusing bad ones, roles."""

from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import Engine, select, text
from sqlmodel import Session

from tests.matching.conftest import bill_record
from tracker import config, db
from tracker.matching import flag_bills, rescore
from tracker.matching.queries import list_flagged
from tracker.matching.topics import (
    DEFAULT_TOPICS_FILE,
    NotAllowed,
    RuleRefused,
    TopicError,
    add_rule,
    learn_now,
    list_topics,
    load_topics,
    read_topics_file,
    remove_rule,
    try_rule,
    update_rule,
    update_topic,
)
from tracker.models import FullRescore, Topic, TopicRule, User

EXPECTED_TOPICS = {
    "ai", "privacy", "cybersecurity", "broadband", "iot", "mobility", "future-of-work", "tech-workforce",
    "innovation-capital", "digital-commerce", "chips-datacenters", "online-safety",
}


def test_default_topics_are_complete_and_valid() -> None:
    topics = read_topics_file()
    assert {t.slug for t in topics} == EXPECTED_TOPICS
    for t in topics:
        assert t.description and len(t.description) > 100, t.slug  # semantic relevance reads it
        assert len(t.rules) >= 3 and t.threshold > 0


def test_load_creates_then_updates_by_slug_and_bumps_versions(session: Session, tmp_path: Path) -> None:
    report = load_topics(session, rescore=False)
    session.commit()
    assert sorted(report.created) == sorted(EXPECTED_TOPICS) and not report.updated
    again = load_topics(session, rescore=False)
    assert sorted(again.unchanged) == sorted(EXPECTED_TOPICS)

    edited = DEFAULT_TOPICS_FILE.read_text().replace("threshold: 3.0", "threshold: 4.0", 1)
    path = tmp_path / "topics.yaml"
    path.write_text(edited)
    third = load_topics(session, path=path, rescore=False)
    assert third.updated == ["ai"]
    ai = session.execute(select(Topic).where(Topic.slug == "ai")).scalar_one()
    assert ai.threshold == 4.0 and ai.rule_version == 2
    assert len(list_topics(session)) == 12


@pytest.mark.parametrize("body, message", [
    ("topics: 3", "expected a mapping with a 'topics' list"),
    ("topics:\n  - {name: X, rules: [x]}", "'slug' must be"),
    ("topics:\n  - {slug: a, rules: [x]}", "'name' is required"),
    ("topics:\n  - {slug: a, name: A, threshold: 0, rules: [x]}", "threshold must be above 0"),
    ("topics:\n  - {slug: a, name: A, rules: [{rule: x, exclude: true}]}", "not an exclusion"),
    ("topics:\n  - {slug: a, name: A, rules: [x]}\n  - {slug: a, name: B, rules: [y]}", "defined twice"),
    ("topics:\n  - {slug: a, name: A, rules: [{rule: x, weight: heavy}]}", "weight must be a number"),
    ("topics: [", "not valid YAML"),
    ("topics:\n  - {slug: a, name: A, threshold: .nan, rules: [x]}", "topic 'a': threshold must be a finite"),
    ("topics:\n  - {slug: a, name: A, threshold: .inf, rules: [x]}", "topic 'a': threshold must be a finite"),
    ("topics:\n  - {slug: a, name: A, rules: [{rule: x, weight: .nan}]}", "topic 'a' rule #1: weight must be a finite"),
    ("topics:\n  - {slug: a, name: A, rules: [x, {rule: y, weight: -.inf}]}", "rule #2: weight must be a finite"),
    ("topics:\n  - {slug: a, name: A, rules: [{rule: x, weight: -50}]}", "rule #1: weight must be above 0"),
    ("topics:\n  - {slug: a, name: A, rules: [{rule: x, weight: 0}]}", "rule #1: weight must be above 0"),
    ("topics:\n  - {slug: a, name: A, rules: [{rule: x, weight: yes}]}", "weight must be a number, not True"),
    ("field_weights: {title: 9}\ntopics:\n  - {slug: a, name: A, rules: [x]}", "set \\[matching\\] field_weights"),
])
def test_bad_topic_files_name_the_problem(tmp_path: Path, body: str, message: str) -> None:
    path = tmp_path / "t.yaml"
    path.write_text(body)
    with pytest.raises(TopicError, match=message) as info:
        read_topics_file(path)
    assert str(path) in str(info.value)


def test_a_rule_that_does_not_parse_is_refused_with_its_position(tmp_path: Path, session: Session) -> None:
    path = tmp_path / "t.yaml"
    path.write_text("topics:\n  - slug: a\n    name: A\n    rules:\n      - ok\n      - 'broadband AND (rural'\n")
    with pytest.raises(RuleRefused) as info:
        read_topics_file(path)
    assert info.value.position == 20 and "topic 'a' rule #2" in str(info.value)
    load_topics(session, rescore=False)
    with pytest.raises(RuleRefused) as info:
        add_rule(session, topic="ai", expression='"deep learning', rescore=False)
    assert info.value.position == 0
    assert session.execute(select(TopicRule).where(TopicRule.expression == '"deep learning')).first() is None


@pytest.mark.parametrize("value, message", [
    (float("nan"), "must be a finite number, not nan"),
    (float("inf"), "must be a finite number, not inf"),
    (-50.0, "must be above 0, not -50.0"),
    (0.0, "must be above 0"),
])
def test_the_service_refuses_weights_and_thresholds_that_are_not_finite_and_positive(
        session: Session, value: float, message: str) -> None:
    # The service, not the CLI, owns the rule: the dashboard's topic page calls these same functions.
    load_topics(session, rescore=False)
    session.commit()
    ai = session.execute(select(Topic).where(Topic.slug == "ai")).scalar_one()
    rule_id = session.execute(select(TopicRule.id).where(TopicRule.topic_id == ai.id)
                              .order_by(TopicRule.id)).scalars().first()
    threshold, version = ai.threshold, ai.rule_version
    with pytest.raises(TopicError, match=f"topic 'ai': weight {message}"):
        add_rule(session, topic="ai", expression="chatbot*", weight=value, rescore=False)
    with pytest.raises(TopicError, match=f"topic 'ai' rule #{rule_id}: weight {message}"):
        update_rule(session, rule_id=rule_id, expression="chatbot*", weight=value, rescore=False)
    with pytest.raises(TopicError, match=f"topic 'ai': threshold {message}"):
        update_topic(session, topic="ai", threshold=value, rescore=False)
    session.commit()  # nothing half-applied reaches the database
    session.expire_all()
    ai = session.get(Topic, ai.id)
    assert (ai.threshold, ai.rule_version) == (threshold, version)
    assert session.get(TopicRule, rule_id).expression != "chatbot*"
    assert session.execute(select(TopicRule).where(TopicRule.expression == "chatbot*")).first() is None


def test_edits_need_the_admin_role(session: Session) -> None:
    """Topics and rules are an admin's (README's roles, tracker.permissions): every other role is refused by
    the service itself, not only by the dashboard page; a deactivated admin too."""
    load_topics(session, rescore=False)
    people = {role: User(email=f"{role}@example.test", role=role) for role in ("admin", "staff", "council",
                                                                                "lobbyist")}
    gone = User(email="gone@example.test", role="admin", active=False)
    session.add_all([*people.values(), gone])
    session.commit()
    rule = add_rule(session, topic="ai", expression="chatbot*", actor=people["admin"], rescore=False)
    assert rule.created_by_id == people["admin"].id
    for actor in (people["staff"], people["council"], people["lobbyist"], gone):
        with pytest.raises(NotAllowed, match="^Managing topics and rules is for administrators"
                                             "; you are signed in as|deactivated"):
            add_rule(session, topic="ai", expression="robot*", actor=actor, rescore=False)
        with pytest.raises(NotAllowed):
            update_rule(session, rule_id=rule.id, weight=5, actor=actor, rescore=False)
        with pytest.raises(NotAllowed):
            remove_rule(session, rule_id=rule.id, actor=actor, rescore=False)
        with pytest.raises(NotAllowed):
            update_topic(session, topic="ai", threshold=99, actor=actor, rescore=False)
        with pytest.raises(NotAllowed):
            load_topics(session, actor=actor, rescore=False)
        with pytest.raises(NotAllowed):
            learn_now(session, actor=actor)
    assert session.get(FullRescore, 1) is None  # refused before anything was scored
    assert learn_now(session, actor=people["admin"]) == 0 and session.get(FullRescore, 1).judgements == 0
    session.refresh(rule)
    assert rule.weight == 1.0
    with pytest.raises(TopicError, match="no rule"):
        update_rule(session, rule_id=99999, weight=2, rescore=False)
    with pytest.raises(TopicError, match="No topic"):
        add_rule(session, topic="nope", expression="x", rescore=False)


def test_try_a_rule_on_stored_bills(session: Session, store_bills: Callable) -> None:
    store_bills(bill_record(1, "Data Broker Act", "Regulates data brokers."),
                bill_record(2, "Broadband Act", "Broadband for schools; brokers of spectrum licenses."),
                bill_record(3, "Park Act", "A park."))
    result = try_rule(session, expression='"data broker*" OR (spectrum NEAR/3 broker*)', limit=1)
    assert result["bills"] == 3 and result["hits"] == 2
    assert result["by_field"] == {"title": 1, "summary": 2, "text": 0}
    (sample,) = result["samples"]
    assert sample["bill"].startswith("117 HR ") and sample["evidence"][0]["snippet"]
    with pytest.raises(RuleRefused):
        try_rule(session, expression="broadband AND")


def test_trying_a_rule_counts_every_field_it_holds_in_and_scores_with_the_configured_weights(
        session: Session, store_bills: Callable, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store_bills(*(bill_record(n, f"Consumer Privacy Act {n}", "Protects the privacy of consumers.")
                  for n in range(1, 6)), bill_record(6, "Health Records Act", "Protects privacy."))
    result = try_rule(session, expression="privacy")
    assert result["hits"] == 6 and result["by_field"] == {"title": 5, "summary": 6, "text": 0}
    assert max(b["score"] for b in result["samples"]) == 3.0  # title 3 x weight 1
    config_file = tmp_path / "tracker.toml"
    config_file.write_text("[matching]\nfield_weights = {title = 5.0}\n")
    monkeypatch.setenv("TRACKER_CONFIG", str(config_file))
    config.settings.cache_clear()
    assert max(b["score"] for b in try_rule(session, expression="privacy")["samples"]) == 5.0


def test_default_ai_topic_does_not_read_ai_an_as_artificial_intelligence(session: Session,
                                                                        store_bills: Callable) -> None:
    load_topics(session, rescore=False)
    session.commit()
    ids = store_bills(
        # Bills written for this test after 117th-Congress titles (HR 1566 / S 1868 "AI/AN CAPTA").
        bill_record(1, "AI/AN CAPTA", "Supports child abuse programs of AI/AN tribes (American Indian and Alaska "
                    "Native) and AI/ANs."),
        bill_record(2, "Advancing American AI Act", "Federal agencies and AI."),
        # AI in the title still counts although the summary names AI/AN patients: no topic-wide veto.
        bill_record(3, "AI in Tribal Health Act", "Studies tools for AI/AN patients."),
    )
    flag_bills(session, ids)
    session.commit()
    flagged = {b["id"] for b in list_flagged(session, topic="ai")}
    assert flagged == {ids[1], ids[2]}
    assert try_rule(session, expression="=AI")["hits"] == 3  # the plain term still finds all three


def test_migration_disables_stored_rules_the_language_now_refuses(engine: Engine, session: Session) -> None:
    load_topics(session, rescore=False)
    ai = session.execute(select(Topic).where(Topic.slug == "ai")).scalar_one()
    version = ai.rule_version
    # Stored before the language refused them (they used to be read as other searches).
    old = [TopicRule(topic_id=ai.id, expression=e, note=n)
           for e, n in (("privacy -health", "from staff"), ("titel:robot*", None), ("chatbot*", None))]
    session.add_all(old)
    session.commit()
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '0007'"))
    db.upgrade(engine, "0008")  # that migration alone: the later ones change a schema this one already has
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = :head"), {"head": db.head_revision()})
    session.expire_all()
    bad, unknown, fine = (session.get(TopicRule, r.id) for r in old)
    assert not bad.enabled and "write AND NOT health" in bad.note and bad.note.endswith("; from staff")
    assert not unknown.enabled and "unknown field 'titel'" in unknown.note
    assert fine.enabled and fine.note is None
    assert session.get(Topic, ai.id).rule_version == version + 1
    rescore(session)  # scoring compiles every enabled rule: it runs again
    with pytest.raises(RuleRefused, match="write AND NOT health"):  # not back on until it is fixed
        update_rule(session, rule_id=bad.id, enabled=True, rescore=False)
    update_rule(session, rule_id=bad.id, expression="privacy AND NOT health", enabled=True, rescore=False)
    assert bad.enabled


def test_migration_0013_disables_stored_rules_nested_past_the_limit(engine: Engine, session: Session) -> None:
    load_topics(session, rescore=False)
    ai = session.execute(select(Topic).where(Topic.slug == "ai")).scalar_one()
    version = ai.rule_version
    deep = "(" * 60 + "robot*" + ")" * 60  # parsed before the limit of 50; refused now
    old = [TopicRule(topic_id=ai.id, expression=deep), TopicRule(topic_id=ai.id, expression="((chatbot*))")]
    session.add_all(old)
    session.commit()
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '0012'"))
    db.upgrade(engine, "0013")  # that migration alone: the later ones change a schema this one already has
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = :head"), {"head": db.head_revision()})
    session.expire_all()
    refused, fine = (session.get(TopicRule, r.id) for r in old)
    assert not refused.enabled and refused.note.startswith("disabled by migration 0013: ")
    assert "nested" in refused.note and fine.enabled and fine.note is None
    assert session.get(Topic, ai.id).rule_version == version + 1
    rescore(session)  # scoring compiles every enabled rule: it runs again
