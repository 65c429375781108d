"""What `tracker db upgrade` tells a council upgrading a database an earlier version filled.

Migration 0008 disables a stored rule the stricter rule language refuses and bumps its topic's rule version, but
re-scores nothing: the bills that rule flagged stayed flagged, in the inbox and in exports, and nothing said so
(checked with the code of 1d013e4: `topics add-rule ai 'algorithm -weather'`, import, `tracker db upgrade`: 179
stored AI matches behind the rules, 5 of them flags, and the upgrade printed only the revision).
"""

import json
import re

import pytest
from realdata_paths import require_realdata
from sqlalchemy import Engine, func, select, text
from sqlmodel import Session
from typer.testing import CliRunner

from tracker import db
from tracker.cli import app
from tracker.models import BillMatch, Topic

pytestmark = pytest.mark.realdata
runner = CliRunner()


def invoke(*args: str):  # type: ignore[no-untyped-def]
    result = runner.invoke(app, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result


def test_an_upgrade_that_disables_a_rule_says_so_and_how_to_bring_the_flags_up_to_date(
        database_url: str, engine: Engine) -> None:
    invoke("topics", "load")
    invoke("import", "--quiet", str(require_realdata("billstatus", "usgpo_samples")))
    db.downgrade(engine, "0007")
    with engine.begin() as conn:  # what the old rule language accepted: "-weather" read as "AND weather"
        conn.execute(text("INSERT INTO topicrule (topic_id, expression, weight, exclude, enabled, note, updated_at) "
                          "SELECT id, 'algorithm -weather', 1.0, false, true, 'staff rule', CURRENT_TIMESTAMP "
                          "FROM topic WHERE slug = 'ai'"))

    upgraded = invoke("db", "upgrade", "--no-backup").output
    assert re.search(r"1 topic rule was disabled by this upgrade \(ai rule \d+: 'algorithm -weather'\)", upgraded)
    with Session(engine) as s:
        behind = s.execute(select(func.count()).select_from(BillMatch).join(Topic, Topic.id == BillMatch.topic_id)
                           .where(BillMatch.rule_version < Topic.rule_version)).scalar_one()
    assert behind > 0
    # ai, and the topics that flag a resolution (0032: their matches get the ceremonial mark when re-scored)
    assert re.search(rf"{behind} stored topic matches predate their topic's rules \([^)]*\bai\b", upgraded)
    assert "`tracker topics rescore`" in upgraded

    invoke("topics", "rescore")
    again = invoke("db", "upgrade", "--no-backup").output
    assert "predate" not in again and "disabled by this upgrade" not in again


def test_an_upgrade_brings_new_shipped_rules_and_keeps_what_staff_edited(database_url: str, engine: Engine) -> None:
    # A database whose topics an earlier version loaded: its chips rule and online-safety's website rule as that
    # version shipped them (the website one since edited by staff to weight 1.2), no bot-disclosure rule for AI.
    invoke("topics", "load")
    db.downgrade(engine, "0018")
    old_chips = "computing OR computer* OR software OR hardware"
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM topicrule WHERE expression LIKE '%(computing OR computer%' "
                          "OR expression LIKE 'chatbot*%'"))
        conn.execute(text("INSERT INTO topicrule (topic_id, expression, weight, exclude, enabled, updated_at) "
                          f"SELECT id, '{old_chips}', 2.0, false, true, CURRENT_TIMESTAMP FROM topic "
                          "WHERE slug = 'chips-datacenters'"))
        conn.execute(text("UPDATE topicrule SET expression = '\"web site*\" OR website* OR media OR platform*', "
                          "weight = 1.2 WHERE expression = '\"web site*\" OR website* OR platform*'"))
        versions = dict(conn.execute(text("SELECT slug, rule_version FROM topic")).all())

    upgraded = " ".join(invoke("db", "upgrade", "--no-backup").output.split())
    with engine.connect() as conn:
        rules = {(slug, expr): weight for slug, expr, weight in conn.execute(text(
            "SELECT t.slug, r.expression, r.weight FROM topicrule r JOIN topic t ON t.id = r.topic_id"))}
        after = dict(conn.execute(text("SELECT slug, rule_version FROM topic")).all())
    # The rule still as shipped is replaced by the new ones; the missing one is added.
    assert ("chips-datacenters", old_chips) not in rules
    assert rules[("chips-datacenters", f"title:({old_chips})")] == 0.9
    # (0022 made it the title rule and "summary:(...) OR text:(...)", which 0030 splits in two)
    assert rules[("chips-datacenters", f"summary:({old_chips})")] == 2.0
    assert rules[("chips-datacenters", f"text:({old_chips})")] == 1.5
    assert any(slug == "ai" and expr.startswith("chatbot*") for slug, expr in rules)
    # Staff's edit stays, and the upgrade says the shipped rule it stands for is not there.
    assert rules[("online-safety", '"web site*" OR website* OR media OR platform*')] == 1.2
    assert '"web site*" OR website* OR platform*' not in {expr for slug, expr in rules if slug == "online-safety"}
    assert "1 rule(s) of the shipped topics (tracker/topics.yaml) are not in this database (online-safety 1)" \
        in upgraded
    # Changed topics move their rule version (so stored matches are re-scored when staff run rescore); the topic
    # left as staff edited it does not.
    assert after["chips-datacenters"] == versions["chips-datacenters"] + 2 and after["ai"] == versions["ai"] + 1
    assert after["online-safety"] == versions["online-safety"]


def test_an_upgrade_says_which_matches_the_long_text_scoring_left_behind(database_url: str, engine: Engine) -> None:
    # Migration 0023: a rule's mentions in a long text now count per 10,000 characters (tracker.matching.engine),
    # so matches stored before on bills with such a text may be wrong until re-scored; the others are not.
    invoke("topics", "load")
    invoke("import", "--quiet", str(require_realdata("billstatus", "congress119")))
    db.downgrade(engine, "0022")
    with engine.begin() as conn:
        long_one = conn.execute(text("SELECT bill_id FROM billmatch ORDER BY bill_id LIMIT 1")).scalar_one()
        conn.execute(text("UPDATE billversion SET text = :t WHERE id = (SELECT min(id) FROM billversion "
                          "WHERE bill_id = :b)"), {"t": "cybersecurity of the grid. " * 500, "b": long_one})
        matches = dict(conn.execute(text("SELECT bill_id, count(*) FROM billmatch GROUP BY bill_id")).all())
    assert len(matches) > 1  # another bill's matches, which the upgrade leaves alone

    upgraded = " ".join(invoke("db", "upgrade", "--no-backup").output.split())
    assert f"{matches[long_one]} stored topic matches predate their topic's rules" in upgraded
    invoke("topics", "rescore")
    assert "predate" not in invoke("db", "upgrade", "--no-backup").output


CHIPS_WORDS = "computing OR computer* OR software OR hardware"
CHIPS_BEFORE = f"summary:({CHIPS_WORDS}) OR text:({CHIPS_WORDS})"


def _chips_rules(engine: Engine) -> tuple[dict[str, float], int]:
    with engine.connect() as conn:
        rules = dict(conn.execute(text(
            "SELECT r.expression, r.weight FROM topicrule r JOIN topic t ON t.id = r.topic_id "
            "WHERE t.slug = 'chips-datacenters' AND r.expression LIKE '%software%'")).all())
        version = conn.execute(text("SELECT rule_version FROM topic WHERE slug = 'chips-datacenters'")).scalar_one()
    return rules, version



def _as_0029_shipped_it(engine: Engine, weight: float = 2.0) -> int:
    """The chips rules as a database made by 0029's version holds them (its rule version returned)."""
    db.downgrade(engine, "0029")
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM topicrule WHERE expression IN (:s, :t)"),
                     {"s": f"summary:({CHIPS_WORDS})", "t": f"text:({CHIPS_WORDS})"})
        conn.execute(text("INSERT INTO topicrule (topic_id, expression, weight, exclude, enabled, updated_at) "
                          "SELECT id, :e, :w, false, true, CURRENT_TIMESTAMP FROM topic "
                          "WHERE slug = 'chips-datacenters'"), {"e": CHIPS_BEFORE, "w": weight})
    return _chips_rules(engine)[1]


def test_the_chips_text_rule_upgrade_splits_the_rule_as_shipped(database_url: str, engine: Engine) -> None:
    # Migration 0030: "software" and "computer" in a bill text weigh 1.5 (flagging no bill alone, H.J.Res. 100),
    # in a summary 2 as before.
    invoke("topics", "load")
    shipped = {f"title:({CHIPS_WORDS})": 0.9, f"summary:({CHIPS_WORDS})": 2.0, f"text:({CHIPS_WORDS})": 1.5}
    assert _chips_rules(engine)[0] == shipped
    version = _as_0029_shipped_it(engine)

    upgraded = " ".join(invoke("db", "upgrade", "--no-backup").output.split())
    assert _chips_rules(engine) == (shipped, version + 1)
    assert "shipped topics (tracker/topics.yaml) are not in this database" not in upgraded
    # The downgrade leaves the rules (and their version) as they are: down and up again changes nothing.
    db.downgrade(engine, "0029")
    invoke("db", "upgrade", "--no-backup")
    assert _chips_rules(engine) == (shipped, version + 1)


def test_the_chips_text_rule_upgrade_leaves_a_rule_staff_edited(database_url: str, engine: Engine) -> None:
    invoke("topics", "load")
    version = _as_0029_shipped_it(engine, weight=1.25)  # staff weighed the old rule down

    upgraded = " ".join(invoke("db", "upgrade", "--no-backup").output.split())
    assert _chips_rules(engine) == ({f"title:({CHIPS_WORDS})": 0.9, CHIPS_BEFORE: 1.25}, version)
    assert "2 rule(s) of the shipped topics (tracker/topics.yaml) are not in this database (chips-datacenters 2)" \
        in upgraded


def _as_0035_shipped_them(engine: Engine, edited: str | None = None) -> dict[str, int]:
    """The rules 0036 changes as a database made by 0035's version holds them (``edited``: that old rule with the
    weight staff gave it, 1.25); each topic's rule version returned."""
    from importlib import import_module

    from tracker.migrations.shipped_rules import Add

    changes = import_module("tracker.migrations.versions.0036_state_web_words_rules").CHANGES
    db.downgrade(engine, "0035")
    with engine.begin() as conn:
        for change in changes:
            olds = [] if isinstance(change, Add) else [change.old]
            for rule in ([change.new] if isinstance(change, Add) else change.new):
                conn.execute(text("DELETE FROM topicrule WHERE expression = :e AND topic_id = "
                                  "(SELECT id FROM topic WHERE slug = :s)"), {"e": rule.expression, "s": change.slug})
            for expression, weight in olds:
                conn.execute(text("INSERT INTO topicrule (topic_id, expression, weight, exclude, enabled, updated_at) "
                                  "SELECT id, :e, :w, false, true, CURRENT_TIMESTAMP FROM topic WHERE slug = :s"),
                             {"e": expression, "w": 1.25 if expression == edited else weight, "s": change.slug})
        return dict(conn.execute(text("SELECT slug, rule_version FROM topic")).all())


def _rules(engine: Engine) -> set[tuple[str, str, float, bool]]:
    with engine.connect() as conn:
        return {(s, e, w, bool(x)) for s, e, w, x in conn.execute(text(
            "SELECT t.slug, r.expression, r.weight, r.exclude FROM topicrule r JOIN topic t ON t.id = r.topic_id "
            "WHERE r.enabled"))}


def test_the_state_web_words_upgrade_brings_the_shipped_rules(database_url: str, engine: Engine) -> None:
    # Migration 0036: "internet website", a title's "online" or "video", a summary's "technology"... no longer
    # flag state bills alone (California AB 831 as broadband). A database an earlier version loaded gets the rules
    # exactly as tracker/topics.yaml ships them, exclusion rule included, and is told to re-score.
    invoke("topics", "load")
    invoke("import", "--quiet", str(require_realdata("ca_pubinfo", "pubinfo_nomindnick_ca-leginfo-mcp", "mini")))
    shipped = _rules(engine)
    versions = _as_0035_shipped_them(engine)
    assert _rules(engine) != shipped

    upgraded = " ".join(invoke("db", "upgrade", "--no-backup").output.split())
    assert _rules(engine) == shipped
    with engine.connect() as conn:
        after = dict(conn.execute(text("SELECT slug, rule_version FROM topic")).all())
    changed = {"ai", "broadband", "cybersecurity", "digital-commerce", "innovation-capital", "online-safety"}
    assert {slug for slug in after if after[slug] != versions[slug]} == changed
    assert all(after[slug] == versions[slug] + 1 for slug in changed)
    assert "shipped topics (tracker/topics.yaml) are not in this database" not in upgraded
    assert re.search(r"stored topic matches predate their topic's rules \([^)]*\bbroadband\b", upgraded)
    assert "`tracker topics rescore`" in upgraded
    # Re-scored, AB 831 leaves broadband for e-commerce.
    invoke("topics", "rescore")
    shown = invoke("bills", "show", "AB 831", "--session", "20252026", "--json").output
    topics = {t["topic"] for t in json.loads(shown)["topics"] if t["flagged"]}
    assert "broadband" not in topics and "digital-commerce" in topics


def test_the_state_web_words_upgrade_leaves_a_rule_staff_edited(database_url: str, engine: Engine) -> None:
    invoke("topics", "load")
    old = "online OR hotline* OR virtual* OR video* OR remote*"
    _as_0035_shipped_them(engine, edited=old)  # staff weighed broadband's generic words down

    upgraded = " ".join(invoke("db", "upgrade", "--no-backup").output.split())
    rules = _rules(engine)
    assert ("broadband", old, 1.25, False) in rules
    assert not any(slug == "broadband" and expr.startswith("title:(online") for slug, expr, _, _ in rules)
    # The other changes are made, and the upgrade names the two shipped rules staff's edit stands for.
    assert ("broadband", "title:(gambling OR gaming OR sweepstake* OR lotter* OR wager* OR betting)", 1.0, True) \
        in rules
    assert "2 rule(s) of the shipped topics (tracker/topics.yaml) are not in this database (broadband 2)" in upgraded
