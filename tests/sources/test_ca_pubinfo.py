"""California pubinfo parser on the real ``.dat`` tables and CAML ``.lob`` files (ca_pubinfo/...mini, archive).

Expected values were read off the ``.dat`` rows and the CAML files themselves.
"""

from pathlib import Path

import pytest
from realdata_paths import require_realdata

from tracker.models.enums import Stage
from tracker.records import BillRecord, ParseError
from tracker.sources.ca_pubinfo import TABLE_COLUMNS, parse_tables, read_dat, read_table, version_text

ROOT = ("ca_pubinfo", "pubinfo_nomindnick_ca-leginfo-mcp")


def load(folder: str) -> tuple[list[BillRecord], list[ParseError]]:
    path = require_realdata(*ROOT, *folder.split("/"))
    tables = {n: (path / f"{n}.dat").read_bytes() for n in TABLE_COLUMNS if (path / f"{n}.dat").exists()}

    def lob(name: str) -> bytes | None:
        file = path / name
        return file.read_bytes() if file.is_file() else None

    out = list(parse_tables(tables, lob, str(path)))
    return [r for r in out if isinstance(r, BillRecord)], [r for r in out if isinstance(r, ParseError)]


@pytest.fixture(scope="module")
def mini() -> dict[str, BillRecord]:
    records, errors = load("mini")
    assert errors == []
    return {r.identifier: r for r in records}


@pytest.mark.realdata
def test_mini_session_bills(mini: dict[str, BillRecord]) -> None:
    assert sorted(mini) == ["AB 1656", "AB 2052", "AB 831", "SB 275"]
    sb = mini["SB 275"]
    assert sb.jurisdiction.id == "ca" and sb.jurisdiction.level == "state"
    assert sb.session.identifier == "20252026"
    assert sb.source_name == "ca_pubinfo" and sb.source_key == "202520260SB275"
    assert sb.title == "Eligible training provider list."  # BILL_VERSION_TBL subject of 20250SB27596ENR
    assert sb.stage == Stage.vetoed  # "Vetoed by the Governor." after enrollment
    assert sb.origin_chamber == "upper"
    assert sb.sponsorships[0].name == "Smallwood-Cuevas" and sb.sponsorships[0].kind == "primary"
    assert sb.summary_text and sb.summary_text.startswith("Existing law provides that the California Workforce")
    assert mini["AB 831"].stage == Stage.enacted  # Chaptered, chapter 623
    assert mini["AB 1656"].stage == Stage.passed_origin_chamber  # In Floor Process in the Senate
    # BILL_TBL's current_status and measure_state, each said once: AB 831's are both "Chaptered", which packets
    # printed as "Enacted (Chaptered / Chaptered)".
    assert mini["AB 831"].status_text == "Chaptered"
    assert mini["AB 1656"].status_text == "In Floor Process / Amended Senate"
    assert sb.status_text == "Vetoed / Enrolled"


@pytest.mark.realdata
def test_history_versions_and_text(mini: dict[str, BillRecord]) -> None:
    ab = mini["AB 831"]
    dates = [a.date for a in ab.actions]
    assert dates == sorted(dates)
    assert ab.actions[-1].text.startswith("Chaptered by Secretary of State - Chapter 623")
    assert "executive-signature" in next(a for a in ab.actions if a.text == "Approved by the Governor.").classification
    assert [v.code for v in ab.versions][:2] == ["int", "amd"]
    intro = ab.versions[0]
    assert intro.date.isoformat() == "2025-02-19" and intro.text and "SECTION 1." in intro.text
    assert all("version=20250AB831" in v.url for v in ab.versions)


@pytest.mark.realdata
def test_archive_sessions_and_extraordinary() -> None:
    records, errors = load("archive/1999")
    assert errors == []
    keys = {(r.session.identifier, r.identifier) for r in records}
    assert ("19992000", "AB 1") in keys and ("19992000s1", "SB 1") in keys  # session_num 1: First Extraordinary
    assert all(r.stage == Stage.enacted for r in records)
    old, errors = load("archive/1989")
    assert errors == [] and len(old) == 5
    acr = next(r for r in old if r.identifier == "ACR 65")
    assert acr.stage == Stage.enacted  # no history rows, but a chapter number
    assert acr.versions[0].text  # <caml:Resolution> body


@pytest.mark.realdata
def test_escaped_rows() -> None:
    path = require_realdata(*ROOT, "datfiles", "escaped_rows.dat")
    rows = list(read_dat(path.read_bytes(), str(path)))
    assert rows and all(len(fields) == len(rows[0][1]) for _, fields in rows)
    assert any("\n" in (f or "") for _, fields in rows for f in fields)  # \n escapes become newlines


def test_dat_encoding_rules() -> None:
    # Written for this test from the published LOAD DATA conventions (FORMATS.md section 5).
    data = b"`a\tb`\tNULL\t`NULL`\t\\N\t`x\\`y`\t12\n`caf\xe9`\t`tick` in`\t\t\t\t\n"
    rows = [fields for _, fields in read_dat(data, "t.dat")]
    assert rows[0] == ["a\tb", None, "NULL", None, "x`y", "12"]
    assert rows[1][:2] == ["café", "tick` in"]


def test_bad_rows_and_missing_parts(tmp_path: Path) -> None:
    with pytest.raises(ParseError, match="no BILL_TBL"):
        list(parse_tables({}, lambda name: None, "dl"))
    bad = b"`202520260SB1`\t`20252026`\n"
    with pytest.raises(ParseError, match="BILL_TBL row has 2 fields, expected 19"):
        read_table("BILL_TBL", bad, "BILL_TBL.dat")
    row = (b"`202520260SB9`\t`20252026`\t`0`\t`SB`\t9\t`Introduced`\tNULL\tNULL\tNULL\tNULL\t`20250SB999INT`\t`Y`"
           b"\t`X`\t2025-01-01 00:00:00\tNULL\tNULL\t`Senate`\t`In Committee Process`\tNULL\n")
    version = (b"`20250SB999INT`\t`202520260SB9`\t99\t2025-01-01 00:00:00\t`Introduced`\tNULL\t`Tech.`\tNULL\tNULL"
               b"\tNULL\tNULL\tNULL\tNULL\tNULL\tBILL_VERSION_TBL_1.lob\t`Y`\t`X`\t2025-01-01 00:00:00\n")
    out = list(parse_tables({"BILL_TBL": row + bad, "BILL_VERSION_TBL": version}, lambda name: None, "dl"))
    problems = [str(o) for o in out if isinstance(o, ParseError)]
    assert any("BILL_TBL row has 2 fields" in p for p in problems)
    assert any("BILL_VERSION_TBL_1.lob" in p and "not in the download" in p for p in problems)
    record = next(o for o in out if isinstance(o, BillRecord))
    assert record.identifier == "SB 9" and record.title == "Tech."


def test_caml_refuses_entities() -> None:
    bomb = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><x>&a;</x>'
    with pytest.raises(ParseError, match="entity"):
        version_text(bomb, "v.lob")
    with pytest.raises(ParseError, match="expected <caml:MeasureDoc>"):
        version_text(b"<other/>", "v.lob")


@pytest.mark.realdata
def test_caml_paragraphs_read_as_written_not_as_the_file_wraps_them() -> None:
    """SB 275's enrolled CAML wraps lines inside paragraphs ("local workforce\\n\\t\\tdevelopment board") and
    spaces a subdivision's number from its words with ``<span class="EnSpace"/>``: the bill page showed the
    digest broken mid-sentence and the text as "(a)The California Workforce Development Board"."""
    lob = require_realdata("ca_pubinfo", "pubinfo_nomindnick_ca-leginfo-mcp", "mini", "BILL_VERSION_TBL_6255.lob")
    caml = version_text(lob.read_bytes(), lob.name)
    assert "through a local workforce development board, except as provided" in (caml["digest"] or "")
    text = caml["text"] or ""
    assert "(a) The California Workforce Development Board" in text
    assert "Consistent with the federal Workforce Innovation and Opportunity Act" in text
    assert "SECTION 1.\nSection 14020 of the Unemployment Insurance Code is amended to read:" in text  # blocks stay
