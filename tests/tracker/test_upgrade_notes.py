"""What `tracker db upgrade` tells a council upgrading a database an earlier version filled.

Migration 0008 disables a stored rule the stricter rule language refuses and bumps its topic's rule version, but
re-scores nothing: the bills that rule flagged stayed flagged, in the inbox and in exports, and nothing said so
(checked with the code of 1d013e4: `topics add-rule ai 'algorithm -weather'`, import, `tracker db upgrade`: 179
stored AI matches behind the rules, 5 of them flags, and the upgrade printed only the revision).
"""

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
    assert f"{behind} stored topic matches predate their topic's rules (ai)" in upgraded
    assert "`tracker topics rescore`" in upgraded

    invoke("topics", "rescore")
    again = invoke("db", "upgrade", "--no-backup").output
    assert "predate" not in again and "disabled by this upgrade" not in again
