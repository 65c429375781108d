"""Text of bill documents by media type (``tracker.sources.documents``), on real LegiScan text documents."""

import base64
import json

import pytest
from realdata_paths import require_realdata

from tracker.records import ParseError
from tracker.sources import legiscan
from tracker.sources.documents import document_format, document_text


def test_html_and_plain_text_are_extracted_and_other_types_are_not() -> None:
    assert document_text(b"<p>An act <b>relating</b> to&nbsp;data.</p>", "text/html") == "An act relating to data."
    assert document_text(b"Section 1. Privacy.\r\n", "text/plain; charset=utf-8") == "Section 1. Privacy."
    assert document_text(b"%PDF-1.4", "application/pdf") is None
    assert (document_format("text/html"), document_format("application/pdf"),
            document_format("application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
            document_format("")) == ("html", "pdf", "docx", None)


@pytest.mark.realdata
def test_a_real_dataset_text_reads_as_a_version_text_of_its_bill() -> None:
    path = require_realdata("legiscan", "dataset_json", "text", "100932.json")
    record = legiscan.parse_text_record(path.read_bytes(), str(path))
    assert (record.source_name, record.bill_source_key, record.code) == ("legiscan", "231132", "100932")
    assert (record.media_type, record.format) == ("text/html", "html")
    assert record.text is not None and record.text.startswith("BILL NUMBER: SB 151 INTRODUCED")
    assert "<pre>" not in record.text


@pytest.mark.realdata
def test_a_text_without_its_bill_id_or_with_a_damaged_document_is_refused_by_name() -> None:
    path = require_realdata("legiscan", "dataset_json", "text", "100932.json")
    payload = json.loads(path.read_bytes())
    del payload["text"]["bill_id"]
    with pytest.raises(ParseError, match="bill_id"):
        legiscan.parse_text_record(json.dumps(payload).encode(), "t.json")
    payload["text"].update(bill_id=1, doc=base64.b64encode(b"ok").decode()[:-1])
    with pytest.raises(ParseError, match="base64"):
        legiscan.parse_text_record(json.dumps(payload).encode(), "t.json")


@pytest.mark.realdata
def test_a_bill_files_text_formats_are_named_as_the_documents_are() -> None:
    """A Word text listed in a bill's ``texts[]`` was stored with the format
    "vnd.openxmlformats-officedocument.wordprocessingml.document" (the mime type's tail)."""
    path = require_realdata("legiscan", "dataset_json", "bill", "HB1.json")
    payload = json.loads(path.read_bytes())
    payload["bill"]["texts"][1]["mime"] = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    payload["bill"]["texts"][2]["mime"] = "application/msword"
    record = legiscan.parse_bill(json.dumps(payload).encode(), str(path))
    assert [v.format for v in record.versions] == ["pdf", "docx", "doc"]
