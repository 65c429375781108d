"""LegiScan dataset texts (``text/*.json``: base64 documents with their mime type) through ``tracker import``.

The real dataset's five text files are California 2010-11 bills (SB 151, SB 7, AB 50, ACR 11, ACR 9) whose bill
files are not in it (FORMATS.md/PROVENANCE.md: the R package kept unrelated samples). To see a text attached, a
test re-points one of those real documents at a bill the dataset does hold (Alaska HB 1, its "Introduced" text
``doc_id`` 153588): the document bytes stay LegiScan's, only ``bill_id``/``doc_id`` name another bill.
"""

import base64
import hashlib
import json
from pathlib import Path

import pytest
from realdata_paths import require_realdata
from sqlalchemy import Engine, select
from sqlmodel import Session

from tracker.importer import import_path
from tracker.matching.queries import list_flagged
from tracker.matching.topics import load_topics
from tracker.models import Bill, BillVersion
from tracker.search import search

pytestmark = pytest.mark.realdata

HB1_INTRODUCED = 153588  # Alaska HB 1's first text in bill/HB1.json (a PDF there; HTML in this test)


def _dataset() -> Path:
    return require_realdata("legiscan", "dataset_json")


def _repointed(text_file: str, *, bill_id: int, doc_id: int) -> bytes:
    payload = json.loads((_dataset() / "text" / text_file).read_bytes())
    payload["text"].update(bill_id=bill_id, doc_id=doc_id)
    return json.dumps(payload).encode()


def _alaska_hb1_with_text(tmp_path: Path) -> Path:
    """HB1.json as it is, and the real text of California SB 151 (100932.json) filed as its Introduced text."""
    folder = tmp_path / "AK" / "2011-2012_27th_Legislature"
    (folder / "bill").mkdir(parents=True)
    (folder / "text").mkdir()
    (folder / "bill" / "HB1.json").symlink_to(_dataset() / "bill" / "HB1.json")
    (folder / "text" / f"{HB1_INTRODUCED}.json").write_bytes(
        _repointed("100932.json", bill_id=230084, doc_id=HB1_INTRODUCED))
    return tmp_path / "AK"


def _hb1_versions(session: Session) -> dict[str, BillVersion]:
    bill = session.execute(select(Bill).where(Bill.jurisdiction_id == "ak", Bill.identifier == "HB 1")).scalar_one()
    return {v.code: v for v in session.execute(select(BillVersion).where(BillVersion.bill_id == bill.id)).scalars()}


def test_a_dataset_text_is_attached_to_its_version_for_search_and_flagging(engine: Engine, tmp_path: Path) -> None:
    with Session(engine) as session:  # a topic only the text can flag: HB 1's title and summary say nothing of it
        topics = tmp_path / "topics.yaml"
        topics.write_text("version: 1\ntopics:\n  - slug: labor\n    name: Labor agreements\n    threshold: 1\n"
                          "    description: Collective bargaining.\n    rules:\n"
                          "      - rule: '\"memorandum of understanding\"'\n        weight: 1\n")
        load_topics(session, path=topics, rescore=False)
        session.commit()
    report = import_path(engine, _alaska_hb1_with_text(tmp_path))
    assert report.errors == [] and report.result.new == 1
    assert "1 text attached" in (report.run.message or "")
    with Session(engine) as session:
        versions = _hb1_versions(session)
        introduced = versions[str(HB1_INTRODUCED)]
        assert introduced.text is not None and "memorandum of understanding" in introduced.text
        assert "<pre>" not in introduced.text  # the HTML document's text, not its markup
        assert introduced.text_hash == hashlib.sha256(introduced.text.encode()).hexdigest()
        assert introduced.format == "html"  # the document's own type, not the PDF the bill file announced
        assert (introduced.label, str(introduced.date)) == ("Introduced", "2011-01-18")
        assert all(v.text is None for code, v in versions.items() if code != str(HB1_INTRODUCED))
        # Full-text search and the flagging evidence read it.
        hits, _total = search(session, "Bargaining Unit 6")
        assert [h["identifier"] for h in hits] == ["HB 1"]
        flagged = list_flagged(session, topic="labor")
        assert [b["identifier"] for b in flagged] == ["HB 1"]
        assert "memorandum" in str(flagged[0]["topics"][0]["evidence"]).lower()


def test_reimporting_leaves_unchanged_texts_alone_and_a_changed_one_replaces_the_old(engine: Engine,
                                                                                       tmp_path: Path) -> None:
    root = _alaska_hb1_with_text(tmp_path)
    assert import_path(engine, root, flag=False).errors == []
    again = import_path(engine, root, flag=False)
    assert again.errors == [] and again.result.unchanged == 2  # the bill file and the text file, neither re-read
    assert "attached" not in (again.run.message or "")
    # LegiScan sends a corrected document under the same doc_id: the new text replaces the old one.
    text_file = next(root.rglob("text/*.json"))
    text_file.write_bytes(_repointed("105736.json", bill_id=230084, doc_id=HB1_INTRODUCED))
    third = import_path(engine, root, flag=False)
    assert third.errors == [] and "1 text attached" in (third.run.message or "")
    with Session(engine) as session:
        text = _hb1_versions(session)[str(HB1_INTRODUCED)].text
        assert text is not None and "memorandum of understanding" not in text and "AB 50" in text


def test_a_bad_text_document_is_named_and_the_others_are_attached(engine: Engine, tmp_path: Path) -> None:
    root = _alaska_hb1_with_text(tmp_path)
    folder = next(root.rglob("text"))
    broken = json.loads(_repointed("101038.json", bill_id=230084, doc_id=224009))
    broken["text"]["doc"] = "not base64 at all!"
    (folder / "224009.json").write_text(json.dumps(broken))
    truncated = _repointed("118442.json", bill_id=230084, doc_id=234834)
    (folder / "234834.json").write_bytes(truncated[: len(truncated) // 2])
    report = import_path(engine, root, flag=False)
    named = {Path(locator).name: reason for locator, reason in report.errors}
    assert set(named) == {"224009.json", "234834.json"}
    assert "base64" in named["224009.json"]
    with Session(engine) as session:
        versions = _hb1_versions(session)
        assert versions[str(HB1_INTRODUCED)].text is not None  # the good one is attached
        assert versions["224009"].text is None and versions["234834"].text is None
    # Fixed files are read again on the next import (a failed document is never remembered as known).
    (folder / "224009.json").write_bytes(_repointed("101038.json", bill_id=230084, doc_id=224009))
    (folder / "234834.json").write_bytes(_repointed("118442.json", bill_id=230084, doc_id=234834))
    fixed = import_path(engine, root, flag=False)
    assert fixed.errors == [] and "2 texts attached" in (fixed.run.message or "")


def test_the_real_datasets_texts_wait_for_their_bills(engine: Engine) -> None:
    """The real dataset as it is: its texts' bills are not in it, so the texts are counted as waiting, not
    failed, and are read again by a later import (which may bring their bills)."""
    report = import_path(engine, _dataset(), flag=False)
    assert report.errors == [] and report.result.new == 6
    assert "5 texts skipped (their bill is not imported)" in (report.run.message or "")
    again = import_path(engine, _dataset(), flag=False)
    assert "5 texts skipped (their bill is not imported)" in (again.run.message or "")
    with Session(engine) as session:
        assert session.execute(select(BillVersion).where(BillVersion.text.is_not(None))).first() is None


def test_a_text_in_a_format_without_an_extractor_is_counted_not_failed(engine: Engine, tmp_path: Path) -> None:
    """A PDF (most LegiScan texts) has no text extractor in the tracker: the version keeps its link, the run says
    how many documents it could not read text from, and nothing is an error."""
    root = _alaska_hb1_with_text(tmp_path)
    pdf = json.loads(_repointed("101038.json", bill_id=230084, doc_id=224009))
    pdf["text"].update(mime="application/pdf", mime_id=2, doc=base64.b64encode(b"%PDF-1.4\n%\xe2\xe3\n").decode())
    (next(root.rglob("text")) / "224009.json").write_text(json.dumps(pdf))
    report = import_path(engine, root, flag=False)
    assert report.errors == []
    assert "1 text attached" in (report.run.message or "")
    assert "1 text without extractable text (application/pdf)" in (report.run.message or "")


def test_a_pdf_text_of_a_bill_another_feed_owns_is_read_once(engine: Engine, tmp_path: Path) -> None:
    """Alabama HB 100 from Open States (which outranks LegiScan, so the versions are its own) and from LegiScan
    with its PDF text: the text can fill no version and has no text to give; it was read again at every import,
    the run saying each time that no version has its document id."""
    from tests.tracker.test_session_spellings import LEGISCAN_AL_HB100, _al_hb100

    folder = tmp_path / "AL"
    (folder / "bill").mkdir(parents=True)
    (folder / "text").mkdir()
    bill = json.loads(json.dumps(LEGISCAN_AL_HB100))
    bill["bill"]["texts"] = [{"doc_id": 3100001, "date": "2025-01-29", "type": "Introduced",
                              "mime": "application/pdf", "url": "https://legiscan.com/AL/text/HB100/id/3100001"}]
    (folder / "bill" / "HB100.json").write_text(json.dumps(bill))
    pdf = json.loads(_repointed("101038.json", bill_id=1907100, doc_id=3100001))
    pdf["text"].update(mime="application/pdf", doc=base64.b64encode(b"%PDF-1.4\n").decode())
    (folder / "text" / "3100001.json").write_text(json.dumps(pdf))
    assert import_path(engine, _al_hb100(), flag=False).errors == []
    first = import_path(engine, folder, flag=False)
    assert first.errors == [] and "1 text without extractable text (application/pdf)" in (first.run.message or "")
    again = import_path(engine, folder, flag=False)
    assert again.errors == [] and again.result.unchanged == 2  # the bill file and the text, neither read again
    assert "no version" not in (again.run.message or "") and "extractable" not in (again.run.message or "")
