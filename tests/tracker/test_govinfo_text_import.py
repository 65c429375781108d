"""GovInfo bill text files on disk (``tracker import``): each fills its federal bill's version, whichever of the
two Library of Congress feeds delivered the bill, and the bill is flagged on its words; positions stay as they
were; a bad file is named with its reason while the rest are attached."""

import re
from pathlib import Path

import pytest
from govinfo_texts import TOPICS, federal_bill, text_sample
from sqlalchemy import Engine, select
from sqlmodel import Session

from tracker import positions, users
from tracker.importer import import_path
from tracker.ingest import IngestItem, Ingestor
from tracker.matching.queries import list_flagged
from tracker.matching.topics import load_topics
from tracker.models import Bill, BillMatch, BillVersion, Position
from tracker.search import search

pytestmark = pytest.mark.realdata


def _store(engine: Engine, tmp_path: Path) -> int:
    """H.R. 1000 (BILLSTATUS) with a position on it, S.J.Res. 36 (the Congress.gov API), and the topic."""
    with Session(engine) as session:
        topics = tmp_path / "topics.yaml"
        topics.write_text(TOPICS)
        load_topics(session, path=topics, rescore=False)
        Ingestor(session).ingest([IngestItem(federal_bill("H1000_IH.XML")),
                                  IngestItem(federal_bill("SJ36_enr.XML", source="congress_api"))])
        session.commit()
        bill_id = session.execute(select(Bill.id).where(Bill.identifier == "HR 1000")).scalar_one()
        admin = users.add_user(session, email="ada@example.org", role="admin")
        positions.set_position(session, actor=admin, bill_id=bill_id, stance="Support", rationale="Jobs",
                               expected_version=None)
        session.commit()
        return bill_id


def test_text_files_fill_their_versions_and_flag_the_bill_on_its_words(engine: Engine, tmp_path: Path) -> None:
    bill_id = _store(engine, tmp_path)
    with Session(engine) as session:
        assert list_flagged(session, topic="fintax") == []  # the title says nothing of securities
        before = session.execute(select(Position)).scalar_one().model_dump()
    folder = tmp_path / "texts"
    folder.mkdir()
    for name in ("H1000_IH.XML", "SJ36_enr.XML", "S2245_IS.XML"):
        (folder / name).symlink_to(text_sample(name))
    (folder / "BILLS-116hr9ih.xml").write_bytes(text_sample("H3945_IH.XML").read_bytes()[:3000])  # cut short
    report = import_path(engine, folder)
    named = {Path(locator).name: reason for locator, reason in report.errors}
    assert set(named) == {"S2245_IS.XML", "BILLS-116hr9ih.xml"}  # and the two good ones are attached
    assert "which bill version" in named["S2245_IS.XML"] and "malformed XML" in named["BILLS-116hr9ih.xml"]
    assert "2 texts attached" in (report.run.message or "")
    with Session(engine) as session:
        texts = dict(session.execute(select(Bill.identifier, BillVersion.text).join(Bill)).all())
        assert "SEC. 314. TAX ON SECURITIES TRANSACTIONS." in texts["HR 1000"].splitlines()
        # The API delivered this bill; the text is keyed as BILLSTATUS keys it, which is the same key.
        assert "One Hundred Sixteenth Congress of the United States of America" in texts["SJRES 36"].splitlines()
        flagged = list_flagged(session, topic="fintax")
        assert [b["identifier"] for b in flagged] == ["HR 1000"]
        evidence = session.execute(select(BillMatch.evidence).where(BillMatch.bill_id == bill_id)).scalar_one()
        assert any(e["field"] == "text" and "securities transactions" in e["snippet"].lower() for e in evidence)
        hits, _total = search(session, "Humphrey-Hawkins")  # a word only the text holds
        assert [h["identifier"] for h in hits] == ["HR 1000"]
        assert session.execute(select(Position)).scalar_one().model_dump() == before  # crawled data only
    again = import_path(engine, folder)
    assert "attached" not in (again.run.message or "") and again.result.unchanged >= 2


def test_bills_show_text_folds_a_long_federal_text(database_url: str, engine: Engine, tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from tracker.cli import app

    _store(engine, tmp_path)
    assert import_path(engine, text_sample("H1000_IH.XML"), flag=False).errors == []  # 66,000 characters
    runner = CliRunner()
    shown = runner.invoke(app, ["bills", "show", "HR 1000", "--text"], catch_exceptions=False)
    assert shown.exit_code == 0
    assert shown.output.startswith("IH (2019-01-15)\n")
    assert "SEC. 2. FINDINGS AND PURPOSES." in shown.output.splitlines()
    assert "SEC. 314. TAX ON SECURITIES TRANSACTIONS." not in shown.output  # far past the first screenfuls
    assert re.search(r"\(The first 19,\d{3} of 66,\d{3} characters; --full prints it all\.\)", shown.output)
    assert "https://www.govinfo.gov/content/pkg/BILLS-116hr1000ih/xml/BILLS-116hr1000ih.xml" in shown.output
    full = runner.invoke(app, ["bills", "show", "HR 1000", "--text", "--full"], catch_exceptions=False)
    assert "SEC. 314. TAX ON SECURITIES TRANSACTIONS." in full.output.splitlines()
    assert "--full" not in full.output
