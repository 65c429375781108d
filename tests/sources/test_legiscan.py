"""LegiScan parser on the real dataset JSON (legiscan/dataset_json) and the legacy XML flavour
(dataset_xml_MS2014.tar.gz); masterlist envelopes are written for this test from the API manual."""

import collections
import json
import tarfile

import pytest
from presented_bills import legiscan_as_of
from realdata_paths import require_realdata

from tracker.models.enums import Stage
from tracker.records import ParseError
from tracker.sources.legiscan import looks_like_bill, parse_bill, parse_bill_text, parse_masterlist


@pytest.mark.realdata
def test_dataset_json_bills() -> None:
    folder = require_realdata("legiscan", "dataset_json", "bill")
    records = {p.stem: parse_bill(p.read_bytes(), str(p)) for p in sorted(folder.glob("*.json"))}
    hb1 = records["HB1"]
    assert (hb1.jurisdiction.id, hb1.session.identifier, hb1.identifier) == ("ak", "27", "HB 1")
    assert hb1.source_key == "230084" and hb1.source_urls[0] == "https://legiscan.com/AK/bill/HB1/2011"
    assert hb1.stage == Stage.passed_origin_chamber  # progress: ..., 2 Engrossed
    assert hb1.subjects[:2] == ["Attorney General", "Insurance"]
    assert hb1.sponsorships[0].name == "Carl Gatto" and hb1.sponsorships[0].kind == "sponsor"  # type 0: unranked
    assert records["HB1044"].stage == Stage.enacted and records["HB1044"].session.identifier == "2012F"
    assert records["HB2"].stage == Stage.in_committee
    assert looks_like_bill((folder / "HB1.json").read_bytes())


@pytest.mark.realdata
def test_bill_text_payloads() -> None:
    path = require_realdata("legiscan", "dataset_json", "text", "101038.json")
    text = parse_bill_text(path.read_bytes(), str(path))
    assert text.doc_id == "101038" and text.mime == "text/html"
    assert text.text and text.text.startswith("BILL NUMBER: SB 7")


@pytest.mark.realdata
def test_legacy_xml_archive() -> None:
    archive = require_realdata("legiscan", "dataset_xml_MS2014.tar.gz")
    stages: collections.Counter[str] = collections.Counter()
    with tarfile.open(archive, "r|gz") as tar:
        for member in tar:
            if member.isfile() and "/bill/" in member.name:
                data = tar.extractfile(member).read()  # type: ignore[union-attr]
                assert looks_like_bill(data)
                record = parse_bill(data, member.name)
                assert (record.jurisdiction.id, record.session.identifier) == ("ms", "2014")
                # Mississippi's histories go from "Enrolled Bill Signed" (by the presiding officers) to
                # "Approved by Governor": no line says when a bill reached the governor.
                assert not any("executive-receipt" in a.classification for a in record.actions), member.name
                stages[record.stage] += 1
    assert sum(stages.values()) == 2998  # every bill of the session (PROVENANCE.md)
    assert stages[Stage.failed] > 2000 and stages[Stage.enacted] > 600  # "Died In Committee" is event 6


def test_masterlist_and_errors() -> None:
    # Written for this test from the LegiScan API manual (FORMATS.md section 4): getMasterListRaw.
    body = {"status": "OK", "masterlist": {
        "session": {"session_id": 2172, "session_name": "2025-2026 Regular Session"},
        "0": {"bill_id": 1893261, "number": "AB1", "change_hash": "a" * 32},
        "1": {"bill_id": "1893262", "number": "AB2", "change_hash": "b" * 32}}}
    listing = parse_masterlist(json.dumps(body).encode(), "getMasterListRaw")
    assert listing.session_id == "2172"
    assert listing.bills == {"1893261": ("AB1", "a" * 32), "1893262": ("AB2", "b" * 32)}
    with pytest.raises(ParseError, match="API error: Invalid API key"):
        parse_masterlist(b'{"status": "ERROR", "alert": {"message": "Invalid API key"}}', "u")
    with pytest.raises(ParseError, match="not valid base64"):
        parse_bill_text(b'{"status": "OK", "text": {"doc_id": 1, "doc": "***"}}', "t")
    with pytest.raises(ParseError, match="entity"):
        parse_bill(b'<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "b">]><legiscan>&a;</legiscan>', "x")


@pytest.mark.realdata
def test_a_bad_bill_is_reported_in_plain_words() -> None:
    # The parser's own ParseError (a ValueError) was caught again and recorded as
    # "unexpected structure: ParseError: <url>: invalid bill_number ''", as if the parser had crashed.
    payload = json.loads(require_realdata("legiscan", "dataset_json", "bill", "HB1.json").read_bytes())
    payload["bill"]["bill_number"] = ""
    with pytest.raises(ParseError) as caught:
        parse_bill(json.dumps(payload).encode(), "https://api.legiscan.com/?op=getBill&id=230084")
    assert caught.value.reason == "invalid bill_number ''"


@pytest.mark.realdata
def test_progress_events_go_on_the_history_line_that_records_them() -> None:
    # progress[] is dated, history[] is not tied to it: each event went on its day's last line, so Arkansas
    # HB 1044's House passage (event 2, Feb 15) showed on the Senate's first reading that ended the day, and
    # Alaska HB 2's committee report (event 11) on a fiscal-note line.
    folder = require_realdata("legiscan", "dataset_json", "bill")
    hb1044 = parse_bill((folder / "HB1044.json").read_bytes(), "HB1044")
    tagged = {(str(a.date), a.text): a.classification for a in hb1044.actions if a.classification}
    assert tagged[("2012-02-15", "House Read the third time and passed and ordered transmitted to the Senate.")] \
        == ["passage"]
    assert not any(text.startswith("Senate Read the first time") for _, text in tagged)
    hb2 = parse_bill((folder / "HB2.json").read_bytes(), "HB2")
    tagged = {a.text: a.classification for a in hb2.actions if a.classification}
    assert tagged["STA RPT CS(STA) 2DP 3NR"] == ["committee-passage-unfavorable"]
    assert tagged["REFERRED TO FINANCE"] == ["referral-committee"]
    assert hb2.stage == Stage.in_committee  # the stage reads progress[] itself: unchanged


@pytest.mark.realdata
def test_the_governors_receipt_is_read_from_the_states_own_wording() -> None:
    # LegiScan's progress[] has no presentment event, so a bill sent to the governor stayed "passed both
    # chambers" and the executive's desk never listed a LegiScan bill. Arkansas' history says it:
    # "Correctly enrolled and ordered transmitted to the Governor's Office." (HB 1044-1046, 2012 fiscal session).
    folder = require_realdata("legiscan", "dataset_json", "bill")
    for name, act in (("HB1044", 36), ("HB1045", 37), ("HB1046", 38)):
        record = parse_bill((folder / f"{name}.json").read_bytes(), name)
        received = [(str(a.date), a.text) for a in record.actions if "executive-receipt" in a.classification]
        assert received == [
            ("2012-02-16", "House Correctly enrolled and ordered transmitted to the Governor's Office.")]
        assert record.stage == Stage.enacted, name  # Act 36-38 on Feb 21: the receipt does not hold it back
        assert record.latest_action_text == f"House Notification that {name} is now Act {act}"
    # HB 1044 as the feed read on Feb 16, enrolled and transmitted, the Governor yet to act: on his desk.
    on_the_day = legiscan_as_of(folder / "HB1044.json", "2012-02-16")
    assert on_the_day.stage == Stage.sent_to_executive
    # Had the Governor vetoed it that same day (event 5 added to the real file), the veto would be the outcome:
    # a day's history lines count before its progress events.
    payload = json.loads((folder / "HB1044.json").read_bytes())
    payload["bill"]["progress"] = [p for p in payload["bill"]["progress"] if p["date"] <= "2012-02-16"] + [
        {"date": "2012-02-16", "event": 5}]
    assert parse_bill(json.dumps(payload).encode(), "HB1044 vetoed").stage == Stage.vetoed
    # The day before, passed by the House only.
    assert legiscan_as_of(folder / "HB1044.json", "2012-02-15").stage == Stage.passed_origin_chamber
    # Alaska's sample bills never reached the governor ("TRANSMITTED TO (S)" is the Senate): nothing read as one.
    for name in ("HB1", "HB2", "HB3"):
        record = parse_bill((folder / f"{name}.json").read_bytes(), name)
        assert not any("executive-receipt" in a.classification for a in record.actions), name
