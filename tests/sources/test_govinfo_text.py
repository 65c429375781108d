"""GovInfo bill text (tracker.sources.govinfo_text) on every real sample: USLM XML, the HTML rendition and the
formatted text GovInfo serves under an .html name. GPO publishes no bill-DTD sample anywhere we could find
(realdata/govinfo_text/PROVENANCE.md), so that format is checked on a small document written after the DTD."""

import pytest

from tests.realdata_paths import require_realdata
from tracker.records import ParseError
from tracker.sources.govinfo_text import (
    MAX_TEXT_CHARS,
    looks_like_bill_text,
    parse_bill_text,
    parse_text_record,
)


def _sample(folder: str, name: str) -> tuple[bytes, str]:
    path = require_realdata("govinfo_text", folder, name)
    return path.read_bytes(), str(path)


def test_every_real_sample_yields_text_without_markup():
    root = require_realdata("govinfo_text")
    files = sorted(p for p in root.glob("*/*") if p.suffix.lower() in (".xml", ".html"))
    assert len(files) == 79
    truncated = set()
    for path in files:
        data = path.read_bytes()
        parsed = parse_bill_text(data, str(path))
        if parsed.truncated:  # cut at a line end, with a note saying so
            truncated.add(path.name)
            assert parsed.text.endswith("Read the whole text at its link.]")
        assert parsed.text.strip(), path.name
        assert len(parsed.text) <= MAX_TEXT_CHARS + 200, path.name
        assert "schemas.gpo.gov" not in parsed.text and "<section" not in parsed.text, path.name
        assert "Pursuant to Title 17" not in parsed.text, path.name  # Dublin Core rights: metadata, dropped
        if path.suffix.lower() == ".xml":
            assert looks_like_bill_text(data[:4096]), path.name
    assert truncated == {"BILLS-116hr1865eah.xml"}  # 3.3 MB of XML: an omnibus


def test_uslm_bill_keeps_its_structure_and_names_its_version():
    parsed = parse_bill_text(*_sample("uslm_samples_usgpo-uslm", "H1000_IH.XML"))
    assert (parsed.source_key, parsed.version_code, parsed.format) == ("116-hr-1000", "ih", "xml")
    lines = parsed.text.splitlines()
    assert lines[:3] == ["116th CONGRESS", "1st Session", "H. R. 1000"]  # no slug line, no distribution code
    assert "SEC. 2. FINDINGS AND PURPOSES." in lines
    assert "(a) Findings.—Congress finds the following:" in lines
    assert lines[lines.index("SEC. 2. FINDINGS AND PURPOSES.") - 1] == ""  # a section is set off
    assert any(line.startswith("(1) The Federal Government has established the achievement of full employment")
               for line in lines)
    # The "." after a quoted block closes its line; the end marker is dropped.
    assert "“subchapter c—tax on securities transactions”." in lines
    assert not parsed.text.endswith("○")


def test_appropriations_headings_are_lines_of_their_own():
    lines = parse_bill_text(*_sample("uslm_samples_usgpo-uslm", "h264_eh.XML")).text.splitlines()
    at = lines.index("Privacy and Civil Liberties Oversight Board")  # ran into "salaries and expenses" before
    assert lines[at + 1] == "salaries and expenses"
    assert lines[at + 2].startswith("For necessary expenses of the Privacy and Civil Liberties Oversight Board")


def test_words_apart_in_the_markup_stay_apart():
    lines = parse_bill_text(*_sample("uslm_samples_usgpo-uslm", "H1112_PCS.XML")).text.splitlines()
    # "<ref>...United States Code</ref> <amendingAction>is amended</amendingAction>": the space between counts.
    assert "Section 922(t)(1)(B)(ii) of title 18, United States Code is amended—" in lines
    reported = parse_bill_text(*_sample("uslm_samples_usgpo-uslm", "BILLS-110s2062ris.xml")).text
    # The committee's amendment struck "This section" and put in "Paragraph (2) of subsection (a)".
    assert "“(c) Applicability.—Paragraph (2) of subsection (a) applies only to rental" in reported


def test_uslm_drafting_name_without_congress_reads_the_document():
    record = parse_text_record(*_sample("uslm_samples_usgpo-uslm", "SJ36_enr.XML"))
    assert (record.source_name, record.bill_source_key, record.code, record.format) == (
        "govinfo_billstatus", "116-sjres-36", "enr", "xml")


def test_a_draft_that_names_no_version_is_refused_for_import_with_the_reason():
    data, locator = _sample("uslm_samples_usgpo-uslm", "S2245_IS.XML")  # "Pre-Introduced": no citableAs
    assert parse_bill_text(data, locator).source_key == "116-s-2245"
    with pytest.raises(ParseError, match="which bill version"):
        parse_text_record(data, "/drafts/S2245.xml")


def test_html_rendition():
    parsed = parse_bill_text(*_sample("xhtml_samples_usgpo-bulk-data", "BILLS-119hr9025ih.html"))
    assert (parsed.source_key, parsed.version_code, parsed.format) == ("119-hr-9025", "ih", "html")
    lines = parsed.text.splitlines()
    assert "SECTION 1. John Madden Memorial Post Office." in lines
    assert any(line.startswith("(a) Designation.—The facility of the United States Postal Service") for line in lines)
    assert "lbex" not in parsed.text and "text-indent" not in parsed.text  # the stylesheet is not text


def test_formatted_text_served_as_html_keeps_its_lines():
    parsed = parse_bill_text(*_sample("xhtml_samples_usgpo-bulk-data", "BILLS-119hr9010rh.html"))
    assert (parsed.source_key, parsed.format) == ("119-hr-9010", "txt")
    assert parsed.text.splitlines()[:3] == ["Union Calendar No. 580", "", "119th CONGRESS"]


BILL_DTD = b"""<?xml version="1.0"?>
<!DOCTYPE bill PUBLIC "-//US Congress//DTDs/bill.dtd//EN" "bill.dtd">
<bill bill-stage="Introduced-in-House" public-private="public">
<metadata xmlns:dc="http://purl.org/dc/elements/1.1/"><dublinCore>
<dc:title>117 HR 9999 IH: Clean Water Act of 2021</dc:title><dc:rights>Pursuant to Title 17</dc:rights>
</dublinCore></metadata>
<form><distribution-code display="yes">I</distribution-code><congress>117th CONGRESS</congress>
<session>1st Session</session><legis-num>H. R. 9999</legis-num>
<official-title>To protect drinking water.</official-title></form>
<legis-body><section><enum>1.</enum><header>Short title</header><text>This Act may be cited as the
<quote>Clean Water Act of 2021</quote>.</text></section>
<section><enum>2.</enum><header>Grants</header><subsection><enum>(a)</enum><header>In general</header><text>The
Administrator shall make grants for <term>lead service lines</term>.</text></subsection></section></legis-body>
</bill>"""


def test_bill_dtd_xml():
    assert looks_like_bill_text(BILL_DTD)
    parsed = parse_bill_text(BILL_DTD, "/tmp/x.xml")
    assert (parsed.source_key, parsed.version_code) == ("117-hr-9999", "ih")
    lines = parsed.text.splitlines()
    assert lines[:3] == ["117th CONGRESS", "1st Session", "H. R. 9999"]
    assert "1. Short title" in lines and "2. Grants" in lines
    assert "This Act may be cited as the Clean Water Act of 2021." in lines
    assert "(a) In general The Administrator shall make grants for lead service lines." in lines


def test_entities_and_other_documents_are_refused():
    bomb = (b'<?xml version="1.0"?><!DOCTYPE bill [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
            b'<bill bill-stage="x"><legis-body>&x;</legis-body></bill>')
    with pytest.raises(ParseError, match="entity"):
        parse_bill_text(bomb, "bomb.xml")
    with pytest.raises(ParseError, match="BILLSTATUS"):
        parse_bill_text(b"<billStatus><bill/></billStatus>", "BILLSTATUS-117hr1.xml")
    with pytest.raises(ParseError, match="no bill text"):
        parse_bill_text(b'<bill xmlns="http://schemas.gpo.gov/xml/uslm"><meta><docNumber>1</docNumber></meta></bill>',
                        "BILLS-117hr1ih.xml")
    assert not looks_like_bill_text(b"<billStatus><bill/></billStatus>")


def test_an_xhtml_page_with_an_xml_declaration_is_read_as_html():
    page = (b'<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" '
            b'"http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">\n<html xmlns="http://www.w3.org/1999/xhtml">'
            b"<head><title>H. R. 1</title><style>p {}</style></head><body><p>SECTION 1.&nbsp;&ldquo;Short&rdquo;"
            b"</p><p>SEC. 2. Findings.</p></body></html>")
    parsed = parse_bill_text(page, "https://www.govinfo.gov/content/pkg/BILLS-117hr1ih/html/BILLS-117hr1ih.htm")
    assert (parsed.format, parsed.source_key, parsed.version_code) == ("html", "117-hr-1", "ih")
    assert parsed.text.splitlines() == ["SECTION 1. “Short”", "SEC. 2. Findings."]
