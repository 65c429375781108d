"""The ``tracker`` command line, run in-process (CliRunner) and once as ``python -m tracker``."""

import json
import subprocess
import sys
from pathlib import Path

import pytest
from realdata_paths import require_realdata
from typer.testing import CliRunner

from tracker import config, db
from tracker.cli import EXIT_NOT_FOUND, EXIT_PARTIAL, EXIT_SCHEMA, EXIT_USAGE, app

runner = CliRunner()


def invoke(*args: str):  # type: ignore[no-untyped-def]
    return runner.invoke(app, list(args), catch_exceptions=False)


@pytest.fixture
def imported(database_url: str) -> str:
    folder = require_realdata("billstatus", "usgpo_samples", "formatChange", "future")
    result = invoke("import", "--quiet", str(folder))
    assert result.exit_code == 0, result.output
    return database_url


def test_help_everywhere() -> None:
    for args in ([], ["db"], ["bills"], ["import"], ["bills", "list"], ["bills", "show"], ["serve"]):
        result = invoke(*args, "--help")
        assert result.exit_code == 0 and "Usage" in result.output


def test_python_dash_m_tracker_works() -> None:
    done = subprocess.run([sys.executable, "-m", "tracker", "--help"], capture_output=True, text=True, check=False)
    assert done.returncode == 0 and "import" in done.stdout


def test_an_unmigrated_database_is_refused_with_the_fix(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path}/empty.db")
    config.settings.cache_clear()
    db.dispose_engines()
    try:
        result = invoke("bills", "list")
        assert result.exit_code == EXIT_SCHEMA
        assert "tracker db upgrade" in result.output
        assert invoke("db", "upgrade").exit_code == 0
        assert invoke("bills", "list").exit_code == 0
    finally:
        db.dispose_engines()
        config.settings.cache_clear()


def test_bills_list_json_gives_every_matching_bill(imported: str) -> None:
    result = invoke("bills", "list", "--json")
    bills = json.loads(result.stdout)
    assert len(bills) == 11  # formatChange/future holds 11 bills
    # The whole bill, as `bills show --json` gives it, for scripts and integrations.
    shown = json.loads(invoke("bills", "show", str(bills[0]["id"]), "--json").stdout)
    assert bills[0] == shown
    assert {"actions", "sponsorships", "committees", "subjects", "versions", "content_hash"} <= bills[0].keys()
    assert sum(len(b["actions"]) for b in bills) > len(bills)
    limited = json.loads(invoke("bills", "list", "--json", "--limit", "3").stdout)
    assert len(limited) == 3
    enacted = json.loads(invoke("bills", "list", "--json", "--stage", "enacted", "--session", "117").stdout)
    assert "HR 5376" in {b["identifier"] for b in enacted}
    found = json.loads(invoke("bills", "list", "--json", "--text", "inflation reduction").stdout)
    assert [b["identifier"] for b in found] == ["HR 5376"]
    # Whole words in any order, through the search index; no substring or LIKE wildcard matches.
    assert json.loads(invoke("bills", "list", "--json", "--text", "reduction inflation").stdout) == found
    for text in ("%", "_", "infla"):
        assert json.loads(invoke("bills", "list", "--json", "--text", text).stdout) == [], text


def test_bills_show_json_has_the_whole_bill(imported: str) -> None:
    result = invoke("bills", "show", "hr5376", "--session", "117", "--json")
    assert result.exit_code == 0, result.output
    bill = json.loads(result.stdout)
    assert bill["identifier"] == "HR 5376" and bill["stage"] == "enacted"
    for key in ("actions", "sponsorships", "committees", "subjects", "versions", "related_bills", "sources"):
        assert isinstance(bill[key], list) and bill[key], key
    text = invoke("bills", "show", str(bill["id"]))
    assert text.exit_code == 0 and "Inflation Reduction Act" in text.output


def test_exit_codes(imported: str, tmp_path: Path) -> None:
    assert invoke("bills", "show", "HR 999999").exit_code == EXIT_NOT_FOUND
    assert invoke("bills", "list", "--stage", "bogus").exit_code == EXIT_USAGE
    assert invoke("import", str(tmp_path / "missing.xml")).exit_code == EXIT_USAGE
    folder = tmp_path / "feed"
    folder.mkdir()
    assert invoke("import", "--quiet", str(folder)).exit_code == EXIT_NOT_FOUND  # no bill files in it
    bad = folder / "bad.xml"
    bad.write_bytes(b"<billStatus><bill>")
    result = invoke("import", "--quiet", str(bad))
    assert result.exit_code == EXIT_USAGE  # nothing in the path could be read
    assert "bad.xml" in result.output
    good = require_realdata("billstatus", "usgpo_samples", "formatChange", "future", "BILLSTATUS-117hr5376.xml")
    (folder / good.name).write_bytes(good.read_bytes())
    assert invoke("import", "--quiet", str(folder)).exit_code == EXIT_PARTIAL  # some failed, the rest is in
    assert invoke("serve", "--port", "99999").exit_code == EXIT_USAGE
    assert invoke("db", "upgrade", "bogus").exit_code == EXIT_USAGE


@pytest.mark.parametrize("url", ["bogus://x", "::::", "postgresql://postgres@127.0.0.1:1/none"])
def test_an_unusable_database_url_is_one_clear_line(url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", url)
    config.settings.cache_clear()
    db.dispose_engines()
    try:
        for args in (["bills", "list"], ["db", "upgrade"]):
            result = runner.invoke(app, args)
            assert result.exit_code == EXIT_SCHEMA, result.output
            assert "DATABASE_URL" in result.output and "Traceback" not in result.output
    finally:
        db.dispose_engines()
        config.settings.cache_clear()
