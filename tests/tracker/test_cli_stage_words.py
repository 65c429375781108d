"""`tracker bills list` and `bills show` word each bill's stage as the dashboard does ("Passed first chamber",
tracker.exports.packet.stage_label); `--json` keeps the stage keys scripts rely on ("passed_origin_chamber").

The bills are real: GovInfo BILLSTATUS files (billstatus/usgpo_samples/formatChange/future, 11 bills)."""

import json

import pytest
from realdata_paths import require_realdata
from typer.testing import CliRunner

from tracker.cli import app
from tracker.exports.packet import stage_label

pytestmark = pytest.mark.realdata
runner = CliRunner()


def invoke(*args: str):  # type: ignore[no-untyped-def]
    return runner.invoke(app, list(args), env={"COLUMNS": "250"}, catch_exceptions=False)


def test_bills_list_words_stages_and_json_keeps_the_keys(database_url: str) -> None:
    folder = require_realdata("billstatus", "usgpo_samples", "formatChange", "future")
    assert invoke("import", "--quiet", str(folder)).exit_code == 0
    bills = json.loads(invoke("bills", "list", "--json").stdout)
    stages = {b["id"]: b["stage"] for b in bills}
    assert len(set(stages.values())) > 1 and "enacted" in stages.values()  # keys, as before
    listed = invoke("bills", "list")
    assert listed.exit_code == 0, listed.output
    cells = [[c.strip() for c in line.split("│")] for line in listed.stdout.splitlines()]
    shown_stages = {int(row[1]): row[3] for row in cells if len(row) > 3 and row[1].isdigit()}
    assert shown_stages == {bill_id: stage_label(key, "us") for bill_id, key in stages.items()}
    assert "Enacted" in shown_stages.values() and not set(shown_stages.values()) & set(stages.values())
    shown = invoke("bills", "show", "hr5376", "--session", "117")
    assert shown.exit_code == 0 and shown.stdout.splitlines()[0] == "us 117 HR 5376 (Enacted)"
    assert json.loads(invoke("bills", "show", "hr5376", "--session", "117", "--json").stdout)["stage"] == "enacted"
