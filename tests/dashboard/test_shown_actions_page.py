"""An action two recording systems both list (GovInfo BILLSTATUS) shows once on the bill page and in
`tracker bills show`; `bills show --json` keeps every stored action for integrations."""

import datetime as dt
import json
import tarfile
from pathlib import Path

import pytest
from apptest_helpers import no_exception, signed_in
from dash_fixtures import Seeded
from realdata_paths import require_realdata
from sqlalchemy import select
from sqlmodel import Session
from typer.testing import CliRunner

from tests.tracker.test_ingest import ingest, make_record
from tracker.cli import app
from tracker.models import Bill
from tracker.records import ActionRecord

runner = CliRunner()


def _show(*args: str) -> str:
    result = runner.invoke(app, ["bills", "show", *args], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.stdout


def _page_actions(seeded: Seeded, bill: int) -> list[tuple[str, str, str]]:
    at = signed_in(seeded.users["council"], "views/bill.py", query={"id": str(bill)})
    no_exception(at)
    table = next(df.value for df in at.dataframe if "action" in df.value.columns)
    return list(zip(table["date"], table["by"], table["action"], strict=True))


def test_a_hand_written_record_listing_an_action_twice(session: Session, seeded: Seeded,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    day = dt.date(2021, 3, 9)
    actions = [ActionRecord(date=dt.date(2021, 3, 1), text="Introduced in House", actor="lower", action_code="1000"),
               ActionRecord(date=dt.date(2021, 3, 1), text="Introduced in House", actor="lower",
                            action_code="Intro-H"),
               ActionRecord(date=day, text="Held at the desk.", actor="upper"),
               ActionRecord(date=day, text="Held at  the desk.", actor="lower")]
    ingest(session, make_record(8803, actions=actions))
    bill = session.execute(select(Bill.id).where(Bill.identifier == "HR 8803")).scalar_one()
    assert _page_actions(seeded, bill) == [("2021-03-09", "Senate / House", "Held at the desk."),
                                           ("2021-03-01", "House", "Introduced in House")]
    monkeypatch.setenv("COLUMNS", "200")
    shown = _show("HR 8803")
    assert [line.split(None, 1)[1] for line in shown.splitlines() if line.startswith("  2021-")] == [
        "Introduced in House", "Held at the desk."]
    assert "Actions: 2" in shown
    assert len(json.loads(_show("HR 8803", "--json"))["actions"]) == 4  # every stored one


@pytest.mark.realdata
def test_117_hr3684_signed_and_became_law_once(engine: object, session: Session, seeded: Seeded, tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """The Infrastructure Investment and Jobs Act's BILLSTATUS lists "Signed by President." as type President
    (E30000) and again as BecameLaw (36000), the same day, both from the Library of Congress; likewise its public
    law, its presentment and three earlier House actions."""
    from tracker.importer import import_path

    archive = require_realdata("billstatus", "congress117", "c117_all.tar.gz")
    with tarfile.open(archive, "r|gz") as tar:
        for member in tar:
            if member.name == "data/117/bills/hr/hr3684/fdsys_billstatus.xml":
                (tmp_path / "hr3684.xml").write_bytes(tar.extractfile(member).read())  # type: ignore[union-attr]
                break
    assert import_path(engine, tmp_path, flag=False).ok  # type: ignore[arg-type]
    stored = json.loads(_show("HR 3684", "--session", "117", "--json"))["actions"]
    assert len(stored) == 101 and [a["text"] for a in stored].count("Signed by President.") == 2

    monkeypatch.setenv("COLUMNS", "250")
    shown = _show("HR 3684", "--session", "117")
    assert shown.count("Signed by President.") == 1 and shown.count("Became Public Law No: 117-58.") == 1
    assert "Actions: 95" in shown and "(the latest 10 of 95 actions; --json for all)" in shown

    bill = session.execute(select(Bill.id).where(Bill.identifier == "HR 3684")).scalar_one()
    rows = _page_actions(seeded, bill)
    assert len(rows) == 95
    assert [r for r in rows if r[2] in ("Signed by President.", "Became Public Law No: 117-58.",
                                        "Presented to President.")] == [
        ("2021-11-15", "President", "Became Public Law No: 117-58."),
        ("2021-11-15", "President", "Signed by President."),
        ("2021-11-08", "House", "Presented to President.")]
