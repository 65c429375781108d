"""Bill references as people read them (tracker.references), on real bills of three feeds: Open States' Alabama
HB 235 (session ``2025rs``), GovInfo's H.R. 4350 of the 117th Congress, and California pubinfo's 1999-2000 AB 1
of the regular and the first extraordinary session (``19992000s1``).

Pages, digests, packets and the command line's tables showed the natural key, "AL 2025rs HB 235" or
"US 117 HR 4350", which reads as a code; the key itself stays where machines read it (CSV key columns, JSON).
"""

import csv
import io
import json
from pathlib import Path

import pytest
from readable_bills import import_real_bills
from sqlalchemy import Engine
from sqlmodel import Session
from typer.testing import CliRunner

from tracker import users
from tracker.alerts.subscriptions import list_subscriptions, subscribe
from tracker.cli import app
from tracker.exports import Selection, build_packet
from tracker.models import Bill, LegislativeSession
from tracker.references import bill_reference

pytestmark = pytest.mark.realdata


@pytest.fixture
def real_bills(engine: Engine, tmp_path: Path) -> dict[str, int]:
    return import_real_bills(engine, tmp_path)


def test_each_feeds_stored_key_reads_as_words(session: Session, real_bills: dict[str, int]) -> None:
    assert {"al 2025rs HB 235", "us 117 HR 4350", "ca 19992000 AB 1", "ca 19992000s1 AB 1"} <= set(real_bills)
    shown = {}
    for key, bill_id in real_bills.items():
        bill = session.get(Bill, bill_id)
        sess = session.get(LegislativeSession, bill.session_id)
        shown[key] = (bill_reference(bill.jurisdiction_id, sess.identifier, bill.identifier, session_name=sess.name),
                      bill_reference(bill.jurisdiction_id, sess.identifier, bill.identifier, session_name=sess.name,
                                     compact=True))
    assert shown["al 2025rs HB 235"] == ("Alabama HB 235 (2025 Regular Session)", "AL HB 235 (2025 Regular)")
    assert shown["us 117 HR 4350"] == ("H.R. 4350 (117th Congress)", "H.R. 4350 (117th Congress)")
    assert shown["ca 19992000 AB 1"] == ("California AB 1 (1999-2000 Regular Session)",
                                         "CA AB 1 (1999-2000 Regular)")
    assert shown["ca 19992000s1 AB 1"] == ("California AB 1 (1999-2000 First Extraordinary Session)",
                                           "CA AB 1 (1999-2000 First Extraordinary)")


def test_the_bills_table_of_the_command_line_reads_as_words(real_bills: dict[str, int]) -> None:
    result = CliRunner().invoke(app, ["bills", "list", "--limit", "100"], env={"COLUMNS": "200"},
                                catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "AL HB 235 (2025 Regular)" in result.output and "H.R. 4350 (117th Congress)" in result.output
    assert "2025rs" not in result.output and "us 117 HR 4350" not in result.output
    # --json is for machines: the key, as before.
    rows = json.loads(CliRunner().invoke(app, ["bills", "list", "--json"], catch_exceptions=False).output)
    assert {(r["jurisdiction"], r["session"], r["identifier"]) for r in rows} >= {("al", "2025rs", "HB 235")}


def test_packets_name_bills_in_words_and_keep_the_key_columns(session: Session, real_bills: dict[str, int]) -> None:
    chosen = Selection(bills=(real_bills["al 2025rs HB 235"], real_bills["us 117 HR 4350"]))
    rows = list(csv.DictReader(io.StringIO(build_packet(session, chosen, "csv").decode("utf-8-sig"))))
    by_key = {(r["Jurisdiction"], r["Session"], r["Bill"]): r["Reference"] for r in rows}
    assert by_key == {("AL", "2025rs", "HB 235"): "Alabama HB 235 (2025 Regular Session)",
                      ("US", "117", "HR 4350"): "H.R. 4350 (117th Congress)"}
    packet = json.loads(build_packet(session, chosen, "json"))
    assert {(b["jurisdiction"], b["session"], b["identifier"]) for b in packet["bills"]} == {
        ("al", "2025rs", "HB 235"), ("us", "117", "HR 4350")}


def test_a_bill_subscription_is_described_in_words(session: Session, real_bills: dict[str, int]) -> None:
    person = users.add_user(session, email="admin@example.org", role="admin")
    subscribe(session, user=person, kind="bill", target=str(real_bills["al 2025rs HB 235"]))
    assert [v.label for v in list_subscriptions(session, user=person)] == [
        "bill Alabama HB 235 (2025 Regular Session)"]
