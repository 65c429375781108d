"""``tracker import`` on bad and odd input made from real BILLSTATUS files: each bad file is named with its reason,
costs only itself, and the run says it failed (issue 2, point 5)."""

import struct
import zipfile
from pathlib import Path

import pytest
from realdata_paths import require_realdata
from sqlalchemy import Engine, select
from sqlmodel import Session

from tracker import importer
from tracker.importer import Format, import_path
from tracker.models import Bill, CrawlError, CrawlRun


def _legacy_folder(tmp_path: Path, count: int = 3) -> tuple[Path, list[Path]]:
    """A folder holding copies of ``count`` real legacy files; their paths."""
    sources = sorted(require_realdata("billstatus", "usgpo_samples", "legacy").glob("*.xml"))[:count]
    folder = tmp_path / "feed"
    folder.mkdir()
    for source in sources:
        (folder / source.name).write_bytes(source.read_bytes())
    return folder, sources


@pytest.mark.parametrize("workers", [1, 2], ids=["in-process", "parser-processes"])
def test_a_congress_no_session_date_can_hold_fails_that_file_only(
        engine: Engine, tmp_path: Path, workers: int) -> None:
    # A <congress>5000</congress> made the session's start date raise ValueError: a traceback that ended the
    # whole import (in a parser process too), the files after it never read.
    folder, sources = _legacy_folder(tmp_path)
    data = sources[0].read_bytes()
    assert b"<congress>114</congress>" in data
    garbled = folder / "BILLSTATUS-5000hr1.xml"
    garbled.write_bytes(data.replace(b"<congress>114</congress>", b"<congress>5000</congress>"))

    report = import_path(engine, folder, workers=workers, parallel_min=1)

    assert report.errors == [(str(garbled), "invalid bill <congress>: '5000'")]
    assert report.result.new == len(sources)
    with Session(engine) as s:
        assert s.get(CrawlRun, report.run.id).status == "partial"  # type: ignore[union-attr]
        assert s.execute(select(CrawlError.locator)).scalars().all() == [str(garbled)]


def test_a_parser_failing_unexpectedly_costs_its_file_only(
        engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Whatever blind spot a parser still has on odd input (an exception other than ParseError) is reported for
    # the file it met, as any other unreadable file, and the import goes on.
    from tracker.sources.govinfo_billstatus import parse_billstatus

    folder, sources = _legacy_folder(tmp_path)
    victim = folder / sources[1].name

    def parse(data: bytes, locator: str):  # type: ignore[no-untyped-def]
        if locator == str(victim):
            raise KeyError("a field no real file lacks")
        return parse_billstatus(data, locator)

    fmt = importer._billstatus_format()
    monkeypatch.setattr(importer, "_FORMATS", [Format(fmt.source_name, fmt.suffixes, fmt.sniff, parse)])

    report = import_path(engine, folder, workers=1)

    assert report.errors == [(str(victim), "could not be parsed: KeyError: 'a field no real file lacks'")]
    assert report.result.new == len(sources) - 1
    with Session(engine) as s:
        assert len(s.execute(select(Bill.id)).all()) == len(sources) - 1


def _zip_with_damaged_members(path: Path, members: dict[str, bytes]) -> list[str]:
    """Write ``members`` deflated, then damage the first three as a broken download or tool would: a deflate
    stream that does not decode, the encryption flag set, a compression method zipfile does not know. Their
    names, in that order."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    raw = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as archive:
        infos = archive.infolist()[:3]
    corrupt, encrypted, unknown_method = infos
    start = corrupt.header_offset + 30 + len(corrupt.filename) + len(corrupt.extra)
    raw[start] = 0xFF  # a deflate block of the reserved type 3: zlib.error
    for info, offset, value in ((encrypted, 6, None), (unknown_method, 8, 99)):
        central = _central_entry(raw, info.filename)
        for header, field in ((info.header_offset, offset), (central, offset + 2)):
            if value is None:
                raw[header + field] |= 0x01  # general purpose flag bit 0: encrypted
            else:
                struct.pack_into("<H", raw, header + field, value)
    path.write_bytes(bytes(raw))
    return [info.filename for info in infos]


def _central_entry(raw: bytearray, name: str) -> int:
    """Offset of ``name``'s central directory entry."""
    at = raw.index(b"PK\x01\x02")
    while True:
        name_length = struct.unpack_from("<H", raw, at + 28)[0]
        if raw[at + 46:at + 46 + name_length] == name.encode():
            return at
        extra, comment = struct.unpack_from("<HH", raw, at + 30)
        at += 46 + name_length + extra + comment


def test_a_zip_member_that_does_not_decompress_is_named_and_the_rest_imported(
        engine: Engine, tmp_path: Path) -> None:
    # zlib.error, RuntimeError (encrypted) and NotImplementedError (compression method) came out of zipfile
    # uncaught: a traceback that ended the import.
    sources = sorted(require_realdata("billstatus", "usgpo_samples", "legacy").glob("*.xml"))[:5]
    archive = tmp_path / "BILLSTATUS-114.zip"
    damaged = _zip_with_damaged_members(archive, {source.name: source.read_bytes() for source in sources})

    report = import_path(engine, archive, workers=1)

    reasons = dict(report.errors)
    assert sorted(reasons) == sorted(f"{archive}!{name}" for name in damaged)
    assert all(reason.startswith("cannot read archive member: ") for reason in reasons.values())
    assert "encrypted" in reasons[f"{archive}!{damaged[1]}"]
    assert "compression method" in reasons[f"{archive}!{damaged[2]}"]
    assert report.result.new == len(sources) - 3


@pytest.mark.parametrize("container", ["zip", "folder"])
def test_an_undecodable_lastmod_stamp_does_not_stop_the_import(
        engine: Engine, tmp_path: Path, container: str) -> None:
    # The stamp beside a zip member or a file was decoded as strict UTF-8: UnicodeDecodeError, a traceback. A tar's
    # stamps were already decoded with replacement; the others now are too, and the bill is imported.
    source = sorted(require_realdata("billstatus", "usgpo_samples", "legacy").glob("*.xml"))[0]
    members = {"data/114/fdsys_billstatus.xml": source.read_bytes(),
               "data/114/fdsys_billstatus-lastmod.txt": b"2016-01-01\xff\xfe"}
    if container == "zip":
        path = tmp_path / "stamped.zip"
        with zipfile.ZipFile(path, "w") as zf:
            for name, data in members.items():
                zf.writestr(name, data)
    else:
        path = tmp_path / "stamped"
        for name, data in members.items():
            (path / name).parent.mkdir(parents=True, exist_ok=True)
            (path / name).write_bytes(data)
    report = import_path(engine, path, workers=1)
    assert report.errors == [] and report.result.new == 1


@pytest.mark.parametrize("workers", [1, 2], ids=["in-process", "parser-processes"])
def test_every_copy_of_a_bad_file_is_named_not_counted_unchanged(
        engine: Engine, tmp_path: Path, workers: int) -> None:
    # A second copy of bytes already read in the run was counted "unchanged" before looking at whether the first
    # copy had failed: a truncated file mirrored in two folders was named once, its copy passed as fine, and a
    # run of nothing but such copies was "partial" instead of "failed".
    folder, sources = _legacy_folder(tmp_path, count=2)
    truncated = sources[0].read_bytes()[:3000]
    copies = [folder / "a" / "truncated.xml", folder / "b" / "truncated.xml", folder / "c" / "truncated.xml"]
    for copy in copies:
        copy.parent.mkdir()
        copy.write_bytes(truncated)

    report = import_path(engine, folder, workers=workers, parallel_min=1)

    assert sorted(locator for locator, _ in report.errors) == [str(copy) for copy in copies]
    assert len({reason for _, reason in report.errors}) == 1
    assert (report.result.new, report.result.unchanged) == (2, 0)

    only_copies = tmp_path / "only-copies"
    only_copies.mkdir()
    for name in ("one.xml", "two.xml"):
        (only_copies / name).write_bytes(b"")
    again = import_path(engine, only_copies, workers=1)
    assert [locator for locator, _ in again.errors] == [str(only_copies / "one.xml"), str(only_copies / "two.xml")]
    with Session(engine) as s:
        assert s.get(CrawlRun, again.run.id).status == "failed"  # type: ignore[union-attr]


def _damaged_central_directory(path: Path, damage: str, data: bytes) -> None:
    """A zip of one member whose central directory entry is damaged: a "version needed to extract" zipfile
    does not know, or a name flagged UTF-8 that is not."""
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("BILLSTATUS-\u00e9.xml", data)  # a non-ASCII name: stored as UTF-8 with flag 0x800
    raw = bytearray(path.read_bytes())
    entry = _central_entry(raw, "BILLSTATUS-\u00e9.xml")
    if damage == "version":
        struct.pack_into("<H", raw, entry + 6, 232)  # "zip file version 23.2"
    else:
        name_at = entry + 46 + raw[entry + 46:].index(b"\xc3\xa9")
        raw[name_at + 1] = 0x41  # C3 41: not UTF-8
    path.write_bytes(bytes(raw))


@pytest.mark.parametrize("damage", ["version", "name"])
def test_a_zip_that_cannot_be_opened_is_named_and_the_folder_imported(
        engine: Engine, tmp_path: Path, damage: str) -> None:
    # Opening such a zip raised NotImplementedError or UnicodeDecodeError, which the zip readers (the pubinfo
    # check that runs on every zip under a folder first, then _iter_zip) did not catch: a traceback.
    folder, sources = _legacy_folder(tmp_path, count=2)
    damaged = folder / "bulk.zip"
    _damaged_central_directory(damaged, damage, sources[0].read_bytes())

    report = import_path(engine, folder, workers=1)

    assert [locator for locator, _ in report.errors] == [str(damaged)]
    assert report.errors[0][1].startswith("not a readable zip archive: ")
    assert report.result.new == len(sources)


def test_text_too_long_for_a_database_key_fails_its_file_alike_on_every_database(
        engine: Engine, tmp_path: Path) -> None:
    # A 3,000-byte subject was stored on SQLite and refused by PostgreSQL's index (its error, at write time):
    # now both refuse the file at validation, naming the field.
    folder, sources = _legacy_folder(tmp_path)
    data = sources[0].read_bytes()
    start = data.index(b"<name>", data.index(b"<otherSubjects>")) + len(b"<name>")
    long_subject = folder / "long-subject.xml"
    long_subject.write_bytes(data[:start] + b"Privacy " * 375 + data[data.index(b"</name>", start):])

    report = import_path(engine, folder)

    ((locator, reason),) = report.errors
    assert locator == str(long_subject) and "subjects.0" in reason
    assert "2999 bytes long: at most 2000 fit a database key" in reason  # its last space is stripped
    assert report.result.new == len(sources)

    # A sponsor's person id is indexed too (sponsorship.person_id).
    start = data.index(b"<bioguideId>") + len(b"<bioguideId>")
    long_id = folder / "long-person-id.xml"
    long_id.write_bytes(data[:start] + b"B" * 2500 + data[data.index(b"</bioguideId>", start):])
    report = import_path(engine, long_id)
    ((locator, reason),) = report.errors
    assert locator == str(long_id) and "person_id" in reason and "2500 bytes long" in reason
