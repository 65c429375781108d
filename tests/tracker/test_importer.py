"""``tracker import`` end to end on real BILLSTATUS files: folders, archives, re-imports, changes, bad input."""

import datetime as dt
import hashlib
import io
import os
import subprocess
import sys
import tarfile
import textwrap
import zipfile
from pathlib import Path

import numpy as np
import pytest
from realdata_paths import REPO_ROOT, require_realdata
from sqlalchemy import Engine, func, select, text
from sqlmodel import Session

from tracker.importer import import_path
from tracker.ingest import IngestResult, finish_run, start_run
from tracker.matching import rescore
from tracker.matching.topics import load_topics
from tracker.models import (
    Bill,
    BillAction,
    BillChange,
    BillMatch,
    CrawlError,
    CrawlRun,
    Note,
    Position,
    SourceDocument,
    Sponsorship,
    User,
)
from tracker.models.base import utcnow
from tracker.models.enums import RunStatus
from tracker.sources.govinfo_billstatus import parse_billstatus
from tracker.xmlsafe import xml_head

HR1_CURRENT = ("billstatus", "usgpo_samples", "formatChange", "current", "BILLSTATUS-117hr1.xml")
# A floor action as upstream would add it to a republished file (edited copies in tmp only).
NEW_ACTION = (b"<actions><item><actionDate>2022-12-30</actionDate><text>Motion to discharge (test edit)."
              b"</text><type>Floor</type><actionCode>H30000</actionCode><sourceSystem><code>2</code>"
              b"<name>House floor actions</name></sourceSystem></item>")


def count(session: Session, model: type) -> int:
    return session.execute(select(func.count()).select_from(model)).scalar_one()


def snapshot(engine: Engine) -> dict[str, object]:
    """Everything a no-op re-import must leave exactly as it was."""
    with Session(engine) as s:
        return {
            "bills": s.execute(select(Bill.id, Bill.content_hash, Bill.last_changed_at, Bill.last_fetched_at)
                               .order_by(Bill.id)).all(),
            "actions": count(s, BillAction),
            "sponsorships": count(s, Sponsorship),
            "changes": count(s, BillChange),
            "documents": s.execute(select(SourceDocument.locator, SourceDocument.fetched_at)
                                   .order_by(SourceDocument.id)).all(),
        }


def test_import_a_folder_of_every_schema_generation(engine: Engine) -> None:
    folder = require_realdata("billstatus", "usgpo_samples")
    report = import_path(engine, folder)
    assert report.errors == []
    # 53 files; formatChange/current and future hold the same bills in two schemas, so fewer distinct bills.
    assert report.run.fetched == 53
    with Session(engine) as s:
        bills = count(s, Bill)
        assert 30 <= bills < 53
        assert report.result.new == bills
        # Each repeated bill is stored once, from its newest copy; the older copies are counted, not lost.
        assert report.result.superseded == 53 - bills
        run = s.get(CrawlRun, report.run.id)
        assert run is not None and run.status == "succeeded" and run.finished_at is not None


def test_reimport_is_a_no_op(engine: Engine) -> None:
    folder = require_realdata("billstatus", "usgpo_samples")
    import_path(engine, folder)
    before = snapshot(engine)
    report = import_path(engine, folder)
    assert (report.result.new, report.result.updated) == (0, 0)
    assert report.result.unchanged == 53
    assert snapshot(engine) == before


def test_zip_and_tar_archives_are_read_without_unpacking(engine: Engine, tmp_path: Path) -> None:
    folder = require_realdata("billstatus", "congress119", "data")
    files = sorted(folder.rglob("fdsys_billstatus.xml"))
    assert len(files) == 2
    zpath = tmp_path / "BILLSTATUS-119-hr.zip"
    with zipfile.ZipFile(zpath, "w") as zf:
        for f in files:
            zf.write(f, f.relative_to(folder.parent).as_posix())
    report = import_path(engine, zpath)
    assert report.errors == [] and report.result.new == 2

    tpath = tmp_path / "bills.tar.gz"
    with tarfile.open(tpath, "w:gz") as tf:
        for f in files:
            tf.add(f, f.relative_to(folder.parent).as_posix())
    again = import_path(engine, tpath)
    assert again.errors == [] and again.result.unchanged == 2 and again.result.new == 0

    # Links in a streamed tar cannot be followed back: each is named, never dropped without a word.
    linked = tmp_path / "linked.tar"
    with tarfile.open(linked, "w") as tf:
        tf.add(files[0], "data/119/bills/hr/hr1/fdsys_billstatus.xml")
        for kind, name in ((tarfile.SYMTYPE, "hr2"), (tarfile.LNKTYPE, "hr3")):
            info = tarfile.TarInfo(f"data/119/bills/hr/{name}/fdsys_billstatus.xml")
            info.type, info.linkname = kind, "data/119/bills/hr/hr1/fdsys_billstatus.xml"
            tf.addfile(info)
        folder_entry = tarfile.TarInfo("data/119/bills/hr/hr4")
        folder_entry.type = tarfile.DIRTYPE  # a folder is structure, not a file left out
        tf.addfile(folder_entry)
    third = import_path(engine, linked)
    assert sorted(reason for _, reason in third.errors) == [
        "a hard link to data/119/bills/hr/hr1/fdsys_billstatus.xml, not a file: not read",
        "a symbolic link to data/119/bills/hr/hr1/fdsys_billstatus.xml, not a file: not read"]
    assert third.errors[0][0].startswith(f"{linked}!data/119/bills/hr/")


def test_a_changed_bill_is_updated_and_the_organisation_data_survives(engine: Engine, tmp_path: Path) -> None:
    original = require_realdata(*HR1_CURRENT)
    import_path(engine, original)
    with Session(engine) as s:
        bill = s.execute(select(Bill).where(Bill.identifier == "HR 1")).scalar_one()
        user = User(email="staff@example.org", role="staff")
        s.add(user)
        s.flush()
        s.add(Position(bill_id=bill.id, stance="Oppose", priority="High", rationale="Burdens members",
                       author_id=user.id))
        s.add(Note(bill_id=bill.id, author_id=user.id, body="Raise at the March fly-in"))
        s.commit()
        bill_id, actions_before = bill.id, count(s, BillAction)

    # The same real file as upstream would republish it after a new floor action (edited copy in tmp).
    data = original.read_bytes()
    assert data.count(b"<actions>") >= 1
    changed = tmp_path / "BILLSTATUS-117hr1.xml"
    changed.write_bytes(data.replace(b"<actions>", NEW_ACTION, 1))
    report = import_path(engine, changed)
    assert report.errors == []
    assert (report.result.new, report.result.updated) == (0, 1)

    with Session(engine) as s:
        assert s.execute(select(Bill.id).where(Bill.identifier == "HR 1")).scalar_one() == bill_id
        assert count(s, BillAction) == actions_before + 1
        kinds = set(s.execute(select(BillChange.kind).where(BillChange.run_id == report.run.id)).scalars())
        assert "new_action" in kinds
        assert s.execute(select(Position.stance, Position.rationale)).one() == ("Oppose", "Burdens members")
        assert s.execute(select(Note.body)).scalar_one() == "Raise at the March fly-in"


def test_an_older_copy_of_a_bill_never_rolls_it_back(engine: Engine) -> None:
    # Two real copies of one bill: GovInfo's file before (updateDate 2021-08-18) and after the 2022 format change.
    newer = require_realdata("billstatus", "usgpo_samples", "formatChange", "future", "BILLSTATUS-117sconres5.xml")
    older = newer.parents[1] / "current" / newer.name
    import_path(engine, newer)
    before = snapshot(engine)

    report = import_path(engine, older)
    assert report.errors == []
    assert (report.result.new, report.result.updated, report.result.superseded) == (0, 0, 1)
    after = snapshot(engine)
    assert after["documents"][0] == before["documents"][0] and len(after["documents"]) == 2  # known, not applied
    assert {k: v for k, v in after.items() if k != "documents"} == {
        k: v for k, v in before.items() if k != "documents"}
    with Session(engine) as s:
        stamp = s.execute(select(Bill.upstream_updated_at)).scalar_one()
        assert stamp is not None and stamp.year == 2022
        assert "superseded" in (s.get(CrawlRun, report.run.id).message or "")  # type: ignore[union-attr]
    assert import_path(engine, older).result.unchanged == 1  # the same bytes again: skipped unread


BOMB = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
<!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">]>
<billStatus><bill><title>&lol4;</title></bill></billStatus>"""  # hand-written attack sample


@pytest.mark.parametrize("sample", [
    BOMB.replace(b"<!DOCTYPE", b"<!-- " + b"padding " * 1000 + b"-->\n<!DOCTYPE"),  # root past the sniffers
    BOMB.decode().replace('version="1.0"', 'version="1.0" encoding="UTF-16"').encode("utf-16"),
    b'<!DOCTYPE q [<!ENTITY a "' + b"a" * 10_000 + b'">]><billStatus>' + b"&a;" * 1000 + b"</billStatus>",
], ids=["padded", "utf-16", "quadratic"])
def test_every_entity_bomb_is_refused_for_what_it_is(engine: Engine, tmp_path: Path, sample: bytes) -> None:
    path = tmp_path / "bomb.xml"
    path.write_bytes(sample)
    report = import_path(engine, path)
    assert [reason for _, reason in report.errors] == ["DOCTYPE with entity declarations refused"]


def _reencoded(data: bytes, encoding: str, declared: str, bom: bytes = b"") -> bytes:
    text = data.decode("utf-8").replace('encoding="UTF-8"', f'encoding="{declared}"', 1)
    return bom + text.encode(encoding)


@pytest.mark.parametrize(("encoding", "declared", "bom"), [
    ("utf-16-le", "UTF-16", b"\xff\xfe"),
    ("utf-16-be", "UTF-16", b"\xfe\xff"),
    ("utf-8", "UTF-8", b"\xef\xbb\xbf"),
    ("utf-16-le", "UTF-16", b""),  # no mark: recognised by its bytes, as XML 1.0 appendix F has it
], ids=["utf-16-le", "utf-16-be", "utf-8-bom", "utf-16-no-bom"])
def test_a_declared_encoding_other_than_utf8_is_recognised_and_imported(
        engine: Engine, tmp_path: Path, encoding: str, declared: str, bom: bytes) -> None:
    # Copies of a real file (legacy 114th H.R. 22), re-encoded here: GovInfo serves UTF-8 only.
    original = require_realdata("billstatus", "usgpo_samples", "legacy", "BILLSTATUS-114hr22.xml").read_bytes()
    data = _reencoded(original, encoding, declared, bom)
    if encoding.startswith("utf-16"):
        assert b"<billStatus" not in data  # what sniffing the raw bytes missed
    path = tmp_path / "BILLSTATUS-114hr22.xml"
    path.write_bytes(data)
    report = import_path(engine, path)
    assert report.errors == [] and report.result.new == 1
    expected = parse_billstatus(original, "original")
    assert parse_billstatus(data, "copy").model_dump() == expected.model_dump()
    with Session(engine) as s:
        bill = s.execute(select(Bill)).scalar_one()
        assert (bill.identifier, bill.title) == ("HR 22", expected.title)
        assert count(s, Sponsorship) == len(expected.sponsorships)


HEAD_16 = '<?xml version="1.0" encoding="UTF-16"?>\n<billStatus>'
HEAD_LATIN = '<?xml version="1.0" encoding="ISO-8859-1"?><!-- Señor --><billStatus>'


@pytest.mark.parametrize(("data", "text"), [
    (HEAD_16.encode("utf-16"), HEAD_16),  # BOM in the machine's order
    (HEAD_16.encode("utf-16-be"), HEAD_16),  # no BOM, big-endian
    (HEAD_16.replace("16", "32").encode("utf-32"), HEAD_16.replace("16", "32")),
    (HEAD_LATIN.encode("iso-8859-1"), HEAD_LATIN),
    (HEAD_16.encode(), HEAD_16),  # a declaration read as ASCII cannot mean UTF-16: the bytes win
    (b'<?xml version="1.0" encoding="nonsense"?><billStatus>', '<?xml version="1.0" encoding="nonsense"?><billStatus>'),
])
def test_xml_head_decodes_as_an_xml_parser_would(data: bytes, text: str) -> None:
    assert xml_head(data) == text


def test_bad_files_are_named_skipped_and_leave_no_half_written_bill(engine: Engine, tmp_path: Path) -> None:
    good = require_realdata("billstatus", "congress119", "data", "119", "bills", "hr", "hr1343",
                            "fdsys_billstatus.xml")
    truncated_source = require_realdata(*HR1_CURRENT).read_bytes()
    folder = tmp_path / "feed"
    folder.mkdir()
    (folder / "BILLSTATUS-119hr1343.xml").write_bytes(good.read_bytes())
    (folder / "BILLSTATUS-117hr1.xml").write_bytes(truncated_source[: len(truncated_source) // 2])
    (folder / "BILLSTATUS-117hr2.xml").write_bytes(BOMB)
    (folder / "BILLSTATUS-117hr3.xml").write_bytes(b"")
    (folder / "bill_117_hr.json").write_bytes(b'{"bills": []}')

    report = import_path(engine, folder)

    failed = {Path(loc.split("!")[0]).name: reason for loc, reason in report.errors}
    assert set(failed) == {"BILLSTATUS-117hr1.xml", "BILLSTATUS-117hr2.xml", "BILLSTATUS-117hr3.xml",
                           "bill_117_hr.json"}
    assert "empty" in failed["BILLSTATUS-117hr3.xml"].lower()
    assert "not a recognised" in failed["bill_117_hr.json"]
    assert report.result.new == 1
    with Session(engine) as s:
        assert s.execute(select(Bill.identifier)).scalars().all() == ["HR 1343"]
        errors = s.execute(select(CrawlError.locator).where(CrawlError.run_id == report.run.id)).scalars().all()
        assert len(errors) == 4 and all(str(folder) in loc for loc in errors)
        assert s.get(CrawlRun, report.run.id).status == "partial"  # type: ignore[union-attr]


def test_a_damaged_archive_is_reported_and_what_was_readable_is_kept(engine: Engine, tmp_path: Path) -> None:
    files = sorted(require_realdata("billstatus", "usgpo_samples", "legacy").glob("*.xml"))
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tf:
        for f in files:
            tf.add(f, f.name)
    damaged = tmp_path / "damaged.tar.gz"
    damaged.write_bytes(buf.getvalue()[: len(buf.getvalue()) * 2 // 3])
    report = import_path(engine, damaged)
    assert any("damaged or truncated" in reason for _, reason in report.errors)
    assert 0 < report.result.new < len(files)


def _legacy_samples() -> list[Path]:
    files = sorted(require_realdata("billstatus", "usgpo_samples", "legacy").glob("*.xml"))
    assert len(files) >= 10
    return files


def _write_tar(path: Path, members: dict[str, bytes]) -> None:
    with tarfile.open(path, "w:gz") as tf:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tf.addfile(info, io.BytesIO(data))


def _refuse(*_args: object, **_kwargs: object) -> None:
    raise AssertionError("the archive was opened")


def test_an_unchanged_archive_is_counted_without_decompressing_it(
        engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    members = {f.name: f.read_bytes() for f in _legacy_samples()}
    archive = tmp_path / "legacy.tar.gz"
    _write_tar(archive, members)
    first = import_path(engine, archive)
    assert first.errors == [] and first.result.new == len(members)
    before = snapshot(engine)

    with monkeypatch.context() as m:
        m.setattr(tarfile, "open", _refuse)
        again = import_path(engine, archive)
        os.utime(archive, ns=(1_000_000_000, 1_000_000_000))  # touched, same bytes: the hash still proves it
        touched = import_path(engine, archive)
    for report in (again, touched):
        assert report.errors == []
        assert (report.result.new, report.result.updated, report.result.unchanged) == (0, 0, len(members))
        assert report.run.fetched == len(members)
    assert snapshot(engine)["bills"] == before["bills"]

    # One member republished with an edit: the archive is read again, member by member.
    name = next(iter(members))
    members[name] = members[name].replace(b"</billStatus>", b"</billStatus>\n<!-- republished -->")
    _write_tar(archive, members)
    changed = import_path(engine, archive)
    assert changed.errors == [] and changed.result.unchanged == len(members)
    with Session(engine) as s:
        locators = s.execute(select(SourceDocument.locator).where(SourceDocument.content_hash.in_(
            [hashlib.sha256(members[name]).hexdigest()]))).scalars().all()
    assert locators == [f"{archive}!{name}"]


def test_an_archive_that_gave_an_error_is_read_again(
        engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    files = _legacy_samples()[:4]
    members = {f.name: f.read_bytes() for f in files}
    members["BILLSTATUS-114hr9999.xml"] = files[0].read_bytes()[:500]  # truncated on purpose
    archive = tmp_path / "partial.tar.gz"
    _write_tar(archive, members)
    first = import_path(engine, archive)
    assert [Path(loc).name for loc, _ in first.errors] == ["partial.tar.gz!BILLSTATUS-114hr9999.xml"]

    opened: list[object] = []
    real_open = tarfile.open

    def spy(*args: object, **kwargs: object) -> tarfile.TarFile:
        opened.append(args[0])
        return real_open(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(tarfile, "open", spy)
    again = import_path(engine, archive)
    assert opened  # not stamped as done: the failed member is tried again and reported again
    assert [Path(loc).name for loc, _ in again.errors] == ["partial.tar.gz!BILLSTATUS-114hr9999.xml"]
    assert again.result.unchanged == 4


def test_zip_members_whose_crc_is_unchanged_are_not_inflated(
        engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    members = {f"legacy/{f.name}": f.read_bytes() for f in _legacy_samples()}
    archive = tmp_path / "BILLSTATUS-114.zip"

    def write_zip() -> None:
        with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
            for name, data in members.items():
                zf.writestr(name, data)

    write_zip()
    first = import_path(engine, archive)
    assert first.errors == [] and first.result.new == len(members)

    name = sorted(members)[3]
    members[name] = members[name].replace(b"</billStatus>", b"</billStatus>\n<!-- republished -->")
    write_zip()  # a new archive (so no archive-level skip) in which one entry's CRC-32 changed
    inflated: list[str] = []
    real_read = zipfile.ZipFile.read

    def spy(self: zipfile.ZipFile, member: str | zipfile.ZipInfo, pwd: bytes | None = None) -> bytes:
        inflated.append(member.filename if isinstance(member, zipfile.ZipInfo) else member)
        return real_read(self, member, pwd)

    monkeypatch.setattr(zipfile.ZipFile, "read", spy)
    again = import_path(engine, archive)
    assert inflated == [name]
    assert again.errors == [] and again.result.unchanged == len(members) and again.run.fetched == len(members)


def test_missing_path_is_a_usage_error(engine: Engine, tmp_path: Path) -> None:
    from tracker.importer import ImportPathError

    with pytest.raises(ImportPathError, match="no such file"):
        import_path(engine, tmp_path / "nope")


def test_parser_processes_give_the_same_result_as_parsing_in_process(engine: Engine, tmp_path: Path) -> None:
    folder = require_realdata("billstatus", "usgpo_samples")
    parallel = import_path(engine, folder, workers=2, parallel_min=1)
    assert parallel.errors == []
    with Session(engine) as s:
        stored = s.execute(select(Bill.identifier, Bill.content_hash).order_by(Bill.identifier)).all()

    from tracker import db

    other = db.make_engine(f"sqlite:///{tmp_path}/inline.db")
    db.upgrade(other)
    inline = import_path(other, folder, workers=1)
    with Session(other) as s:
        assert s.execute(select(Bill.identifier, Bill.content_hash).order_by(Bill.identifier)).all() == stored
    other.dispose()
    assert (inline.result.new, inline.result.updated) == (parallel.result.new, parallel.result.updated)


# -- acceptance review of the importer: interruption, unreadable folders, other files, long paths ----------------

def test_an_interrupted_import_is_recorded_as_interrupted_with_what_it_committed(engine: Engine) -> None:
    from tracker.overview import freshness

    folder = require_realdata("billstatus", "usgpo_samples")
    calls = 0

    def ctrl_c_after_two_batches(result: object, seen: int, failed: int) -> None:
        nonlocal calls
        calls += 1
        if calls == 2:
            raise KeyboardInterrupt  # what Ctrl-C raises in the main thread, here from the import's own hook

    with pytest.raises(KeyboardInterrupt):
        import_path(engine, folder, batch_size=10, workers=1, on_progress=ctrl_c_after_two_batches)
    with Session(engine) as s:
        run = s.execute(select(CrawlRun)).scalar_one()
        stored = count(s, Bill)
        assert run.status == "interrupted" and run.finished_at is not None
        assert 0 < stored < 53 and run.new == stored  # the two committed batches, nothing half-written
        assert run.fetched >= 20
        message = run.message or ""
        assert message.startswith("interrupted (Ctrl-C)") and f"{stored} new" in message
        assert "import again" in message
        # Not a success: the dashboard's freshness does not count it.
        [fresh] = freshness(s)
        assert fresh.last_run_status == "interrupted" and fresh.last_success is None and fresh.stale

    again = import_path(engine, folder)  # the next import finishes the job
    assert again.errors == [] and again.run.status == "succeeded"
    with Session(engine) as s:
        assert again.result.new + stored == count(s, Bill)
        # Files loaded by hand have no schedule to fall behind: a week later the import is not "stale" (the
        # council's overview warned so for ever after `make run`), while a crawled source a week old is.
        crawl = start_run(s, source="govinfo_billstatus", kind="crawl", args={})
        finish_run(s, run=crawl, result=IngestResult(), status=RunStatus.succeeded)
        s.commit()
        week_later = utcnow() + dt.timedelta(days=7)
        assert {f.source: f.stale for f in freshness(s, now=week_later)} == {"import": False,
                                                                             "govinfo_billstatus": True}


def test_any_exception_mid_import_is_recorded_and_goes_on(engine: Engine, tmp_path: Path) -> None:
    folder = require_realdata("billstatus", "usgpo_samples", "legacy")

    def fail(result: object, seen: int, failed: int) -> None:
        raise RuntimeError("disk full\nsecond line")

    with pytest.raises(RuntimeError, match="disk full"):
        import_path(engine, folder, batch_size=5, workers=1, on_progress=fail)
    with Session(engine) as s:
        run = s.execute(select(CrawlRun)).scalar_one()
        assert run.status == "interrupted" and run.new == count(s, Bill) == 5
        assert (run.message or "").startswith("interrupted (RuntimeError: disk full): only the batches committed")


def test_every_format_reads_a_suffix_the_folder_walk_reads() -> None:
    from tracker.importer import DOCUMENT_SUFFIXES, FORMAT_FACTORIES

    for factory in FORMAT_FACTORIES:
        assert set(factory().suffixes) <= set(DOCUMENT_SUFFIXES), factory


def test_other_files_beside_the_bills_are_skipped_and_counted(engine: Engine, tmp_path: Path) -> None:
    """The unitedstates/congress layout (its own data.json/data.xml beside each BILLSTATUS file), the notes and
    indexes a download folder holds (realdata's PROVENANCE.md and c117_index.jsonl), in a folder and a tar."""
    source = require_realdata("billstatus", "congress119", "data")
    notes = require_realdata("billstatus", "PROVENANCE.md")
    index = require_realdata("billstatus", "congress117", "c117_index.jsonl")
    tree = tmp_path / "congress"
    members: dict[str, bytes] = {}
    for bill in sorted(source.rglob("fdsys_billstatus.xml")):
        rel = bill.relative_to(source.parent).parent.as_posix()  # data/119/bills/hr/hr1343
        members[f"{rel}/fdsys_billstatus.xml"] = bill.read_bytes()
        members[f"{rel}/fdsys_billstatus-lastmod.txt"] = b"2025-07-01T12:00:00Z"
        members[f"{rel}/data.json"] = b'{"bill_id": "hr1343-119", "bill_type": "hr", "related_bills": ' \
                                      b'[{"type": "bill", "bill_id": "s1-119"}]}'
        members[f"{rel}/data.xml"] = b'<bill session="119" type="h" number="1343"><state>REFERRED</state></bill>'
        members[f"{rel}/text-versions/ih/document.xml"] = b"<bill><legis-body/></bill>"
    members["PROVENANCE.md"] = notes.read_bytes()
    members["c117_index.jsonl"] = index.read_bytes()[:5000]
    members["notes.txt"] = b"downloaded 2025-07-01\n"
    for name, data in members.items():
        (tree / name).parent.mkdir(parents=True, exist_ok=True)
        (tree / name).write_bytes(data)
    (tree / "broken.xml").write_bytes(b"<billStatus><bill><title>cut off")  # a bill format, damaged: still fails
    others = 2 * 3 + 3  # data.json, data.xml, text-versions per bill; the notes and the index

    report = import_path(engine, tree)
    assert report.result.new == 2 and report.skipped == others
    assert [Path(loc).name for loc, _ in report.errors] == ["broken.xml"]
    assert f"{others} other files skipped" in (report.run.message or "")
    with Session(engine) as s:
        documents = s.execute(select(SourceDocument.locator)).scalars().all()
    assert sorted(Path(loc).name for loc in documents) == ["fdsys_billstatus.xml"] * 2

    archive = tmp_path / "congress.tar.gz"
    _write_tar(archive, members)
    packed = import_path(engine, archive)
    assert packed.errors == [] and packed.skipped == others and packed.result.unchanged == 2

    # Named on the command line, a file is read whatever its name: a note is no bill, and says so.
    alone = import_path(engine, tree / "PROVENANCE.md")
    assert len(alone.errors) == 1 and "not a recognised" in alone.errors[0][1] and alone.skipped == 0


def test_real_inputs_of_every_format_are_read_not_skipped(engine: Engine) -> None:
    from tracker.importer import iter_documents, other_file

    for parts in (("legiscan", "dataset_json"), ("openstates", "scrape_AL2025"), ("billstatus", "usgpo_samples"),
                  ("billstatus", "misc")):
        folder = require_realdata(*parts)
        skipped: list[str] = []
        read = sum(1 for _ in iter_documents(folder, [], None, skipped))
        assert read and all(Path(p).suffix.lower() not in (".json", ".xml") for p in skipped), (parts, skipped)
    assert not other_file("/data/ca/pubinfo/BILL_VERSION_TBL_1.lob") and not other_file("x/BILL_TBL.dat")
    assert not other_file("/x/BILLSTATUS-117HR1.XML") and other_file("/x/c117_index.jsonl")


def test_a_path_as_long_as_linux_allows_is_stored_on_every_database(engine: Engine, tmp_path: Path) -> None:
    """Over 1,024 characters (a VARCHAR once) and over the 2.7 KB of a PostgreSQL index entry, of characters
    that do not compress (the unique key is a hash of the locator: migration 0011)."""
    bill = require_realdata("billstatus", "congress119", "data", "119", "bills", "hr", "hr1343",
                            "fdsys_billstatus.xml")
    deep, n = tmp_path, 0
    while len(str(deep)) < 3800:
        deep = deep / hashlib.sha256(str(n).encode()).hexdigest()[: min(64, 3840 - len(str(deep)))]
        n += 1
    deep.mkdir(parents=True)
    target = deep / "BILLSTATUS-119hr1343.xml"
    target.write_bytes(bill.read_bytes())
    assert len(str(target)) > 3800
    report = import_path(engine, tmp_path)
    assert report.errors == [] and report.result.new == 1
    with Session(engine) as s:
        assert s.execute(select(SourceDocument.locator)).scalars().all() == [str(target)]
    assert import_path(engine, target).result.unchanged == 1


def test_a_database_error_in_a_batch_is_one_line_naming_the_file(
        engine: Engine, caplog: pytest.LogCaptureFixture) -> None:
    """A bill the database refuses costs only itself, and its reason is the database's own first line: never the
    SQL statement, parameters and link SQLAlchemy's message carries."""
    from tracker.importer import _ingest_batch, _prepare_one, describe_error
    from tracker.ingest import IngestItem, Ingestor, SourceDocumentInfo, start_run
    from tracker.prepare import PreparedBill

    files = _legacy_samples()[:3]
    prepared = [_prepare_one(str(f), f.read_bytes()) for f in files]
    assert all(isinstance(p, PreparedBill) for p in prepared)
    # Two copies of one document in one batch: the second breaks the documents' unique key on any database.
    with Session(engine, expire_on_commit=False) as s:
        run = start_run(s, source="import", kind="import")
        s.commit()
        ingestor = Ingestor(s, run=run)
        errors: list[tuple[str, str]] = []
        items = [IngestItem(prepared=p, document=SourceDocumentInfo(locator=str(f), content_hash=f"h{n}"))
                 for n, (f, p) in enumerate(zip(files, prepared, strict=True))]
        with caplog.at_level("INFO"):
            _ingest_batch(s, ingestor, items, errors, flag=False)
        assert errors == []  # the control: these three store
        with pytest.raises(Exception) as raised:
            s.execute(CrawlRun.__table__.insert(), [{"id": run.id, "source": "x", "kind": "import",
                                                     "status": "running", "fetched": 0, "new": 0, "updated": 0,
                                                     "unchanged": 0, "failed": 0, "args": {},
                                                     "started_at": run.started_at}])
        s.rollback()
    assert "[SQL" in str(raised.value)  # what used to be printed
    line = describe_error(raised.value)
    assert "\n" not in line and "[SQL" not in line and "INSERT" not in line.upper()
    assert line.startswith(("IntegrityError", "UniqueViolation"))
    assert all("[SQL" not in r.getMessage() and r.exc_info is None for r in caplog.records
               if r.levelno >= 20)


def test_reparse_corrects_stored_readings_quietly_and_keeps_the_organisation_data(
        engine: Engine, tmp_path: Path) -> None:
    from sqlalchemy import update
    from typer.testing import CliRunner

    from tracker.cli import app
    from tracker.matching.semantic import DIM, MODEL_NAME, to_bytes
    from tracker.matching.store import pending_embedding_ids
    from tracker.models import BillEmbedding, BillSource

    members = {f.name: f.read_bytes() for f in _legacy_samples()}
    archive = tmp_path / "legacy.tar.gz"
    _write_tar(archive, members)
    assert import_path(engine, archive).errors == []
    with Session(engine) as s:  # what an older parser might have stored: a wrong stage and title, no sponsors
        right = dict(s.execute(select(Bill.id, Bill.stage)).all())
        user = User(email="staff@example.org", role="staff")
        s.add(user)
        s.flush()
        first = min(right)
        s.add(Position(bill_id=first, stance="Support", priority="High", rationale="Core", author_id=user.id))
        # Embedded (semantic relevance) after the import: up to date until its text is corrected.
        s.add(BillEmbedding(bill_id=first, model=MODEL_NAME, text_hash="of the old reading", dim=DIM,
                            vector=to_bytes(np.zeros(DIM))))  # well formed: only its text hash is old
        s.execute(update(Bill).values(stage="failed", title=Bill.title + " (old reading)"))
        s.execute(update(BillSource).values(content_hash="read by an older parser"))
        s.execute(Sponsorship.__table__.delete().where(Sponsorship.bill_id == first))
        s.commit()
        changed_at = dict(s.execute(select(Bill.id, Bill.last_changed_at)).all())
        changes = count(s, BillChange)
        assert first not in pending_embedding_ids(s)

    plain = import_path(engine, archive)  # the same bytes: skipped, the old reading stays
    assert (plain.result.updated, plain.result.unchanged) == (0, len(members))

    result = CliRunner().invoke(app, ["import", "--quiet", "--reparse", str(archive)])
    assert result.exit_code == 0, result.output
    assert f"{len(members)} read, 0 new, 0 updated, {len(right)} corrected (--reparse), 0 unchanged" in result.stdout
    with Session(engine) as s:
        assert dict(s.execute(select(Bill.id, Bill.stage)).all()) == right
        assert not s.execute(select(Bill.id).where(Bill.title.endswith("(old reading)"))).first()
        assert s.execute(select(func.count()).where(Sponsorship.bill_id == first)).scalar_one() > 0
        # Corrections are not upstream news: no change records (alerts), no return to the triage inbox.
        assert count(s, BillChange) == changes
        assert dict(s.execute(select(Bill.id, Bill.last_changed_at)).all()) == changed_at
        assert s.execute(select(Position.stance, Position.rationale)).one() == ("Support", "Core")
        assert first in pending_embedding_ids(s)  # semantic relevance will read the corrected text
        run = s.execute(select(CrawlRun).order_by(CrawlRun.id.desc())).scalars().first()
        assert run is not None and run.args["reparse"] is True and "re-parsed" in (run.message or "")

    again = import_path(engine, archive, reparse=True)  # read again, nothing left to correct
    assert again.run.fetched == len(members)
    assert (again.result.updated, again.result.unchanged) == (0, len(members))


def test_reparse_still_reports_what_is_news_new_bills_and_newer_copies(engine: Engine, tmp_path: Path) -> None:
    """Only bytes imported before are re-read quietly: a bill never stored, or a newer upstream copy of a stored
    one, met in the same --reparse run, gets its change records as in any import."""
    current = require_realdata(*HR1_CURRENT)
    newer = tmp_path / "newer" / "BILLSTATUS-117hr1.xml"
    newer.parent.mkdir()
    data = current.read_bytes()
    newer.write_bytes(data.replace(b"<actions>", NEW_ACTION, 1))
    legacy = _legacy_samples()[:3]
    fresh = tmp_path / "fresh"
    fresh.mkdir()
    for f in legacy:
        (fresh / f.name).write_bytes(f.read_bytes())
    assert import_path(engine, current).errors == []

    for path in (newer, fresh):
        report = import_path(engine, path, reparse=True)
        assert report.errors == [] and report.result.corrected == 0
    with Session(engine) as s:
        kinds = s.execute(select(BillChange.kind, func.count()).group_by(BillChange.kind)).all()
        assert dict(kinds)["new_bill"] == count(s, Bill) == 1 + len(legacy)
        assert dict(kinds)["new_action"] >= 1


# `tracker import` killed outright (kill -9, the out-of-memory killer, a reboot) the moment it starts flagging a
# batch: no handler or clean-up of its own runs.
_KILLED_WHILE_FLAGGING = textwrap.dedent("""
    import os, sys
    from pathlib import Path
    import tracker.matching
    from tracker import db
    from tracker.importer import import_path

    def killed(*args, **kwargs):
        os._exit(137)

    tracker.matching.flag_bills = killed
    import_path(db.make_engine(sys.argv[1]), Path(sys.argv[2]), batch_size=100, workers=1)
""")


def _matches(engine: Engine) -> list[tuple[object, ...]]:
    with Session(engine) as s:
        return [(identifier, topic, flagged, round(score, 6)) for identifier, topic, flagged, score in s.execute(
            select(Bill.identifier, BillMatch.topic_id, BillMatch.flagged, BillMatch.score)
            .join(Bill, Bill.id == BillMatch.bill_id).order_by(Bill.identifier, BillMatch.topic_id))]


def test_an_import_killed_while_flagging_leaves_no_bill_unflagged_for_good(database_url: str,
                                                                           engine: Engine) -> None:
    # A batch was committed, then flagged in a transaction of its own: killed in between, its bills stayed
    # stored without flags, and every later import found them unchanged and never flagged them (tech bills
    # missing from the triage inbox for good, with nothing saying so).
    folder = require_realdata("billstatus", "usgpo_samples")
    with Session(engine) as s:
        load_topics(s)
        s.commit()
    child = subprocess.run([sys.executable, "-c", _KILLED_WHILE_FLAGGING, database_url, str(folder)],
                           cwd=REPO_ROOT, env={**os.environ, "PYTHONPATH": str(REPO_ROOT)}, timeout=600)
    assert child.returncode == 137

    again = import_path(engine, folder, workers=1)  # the re-run that should finish the job
    assert again.errors == [] and again.run.status == "succeeded"
    stored = _matches(engine)
    assert any(flagged for _, _, flagged, _ in stored)
    with Session(engine) as s:
        rescore(s)  # every bill scored from scratch: what the import should have left
    assert _matches(engine) == stored


def test_bills_stored_one_by_one_after_a_failed_batch_are_flagged_with_them(engine: Engine) -> None:
    # The fallback stores each bill in a transaction of its own: each is flagged in it too, as a batch is.
    from tracker.importer import _ingest_batch, _prepare_one
    from tracker.ingest import IngestItem, Ingestor, SourceDocumentInfo, start_run

    files = sorted(require_realdata("billstatus", "usgpo_samples").rglob("*.xml"))
    prepared = [(f, _prepare_one(str(f), f.read_bytes())) for f in files]
    items = [IngestItem(prepared=p, document=SourceDocumentInfo(locator=str(f), content_hash=f"h{n}"))
             for n, (f, p) in enumerate(prepared) if not isinstance(p, str) and p is not None]
    items[0].prepared.bill["title"] = None  # type: ignore[union-attr]  # refused by any database: the batch fails
    with Session(engine, expire_on_commit=False) as s:
        load_topics(s)
        s.commit()
        run = start_run(s, source="import", kind="import")
        s.commit()
        errors: list[tuple[str, str]] = []
        _ingest_batch(s, Ingestor(s, run=run), items, errors)
        assert len(errors) == 1 and errors[0][0] == items[0].document.locator  # type: ignore[union-attr]
    stored = _matches(engine)
    assert any(flagged for _, _, flagged, _ in stored)
    with Session(engine) as s:
        rescore(s)
    assert _matches(engine) == stored


def test_a_connection_cut_while_flagging_is_not_reported_as_bills_left_unflagged(
        engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    # PostgreSQL restarted (or the connection cut) while a batch was being flagged: the batch was stored again bill
    # by bill on a new connection, flagged with it, yet the run stayed partial with an error saying "N stored
    # bills not flagged (PendingRollbackError ...); run `tracker topics rescore`" about bills that were neither.
    if engine.dialect.name != "postgresql":
        pytest.skip("needs PostgreSQL (DATABASE_URL): a server connection that can be cut")
    import tracker.matching

    folder = require_realdata("billstatus", "usgpo_samples")
    with Session(engine) as s:
        load_topics(s)
        s.commit()
    flag_bills, cut = tracker.matching.flag_bills, []

    def cut_then_flag(session: Session, *args: object, **kwargs: object) -> object:
        if not cut:  # the server ends this session's connection, as a restart does
            cut.append(session.execute(text("SELECT pg_backend_pid()")).scalar_one())
            with engine.connect() as other:
                other.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": cut[0]})
        return flag_bills(session, *args, **kwargs)

    monkeypatch.setattr(tracker.matching, "flag_bills", cut_then_flag)
    report = import_path(engine, folder, workers=1)
    assert cut and report.errors == [] and report.run.status == "succeeded"
    stored = _matches(engine)
    with Session(engine) as s:
        rescore(s)
    assert _matches(engine) == stored and any(flagged for _, _, flagged, _ in stored)


def test_the_garbage_collector_is_set_back_after_an_import_even_one_that_fails(engine: Engine) -> None:
    """The import collects less often while it runs (``_fewer_collections``); a process that goes on afterwards (a
    test run, a scheduler) gets CPython's settings back, whether the import ends or fails."""
    import gc

    from tracker.importer import IMPORT_GC_THRESHOLD

    folder = require_realdata("billstatus", "usgpo_samples", "legacy")
    before = gc.get_threshold(), gc.get_freeze_count()
    during: list[int] = []

    def watch(result: object, seen: int, failed: int) -> None:
        during.append(gc.get_threshold()[0])

    import_path(engine, folder, batch_size=5, workers=1, on_progress=watch)
    assert during and set(during) == {IMPORT_GC_THRESHOLD}
    assert (gc.get_threshold(), gc.get_freeze_count()) == before

    def fail(result: object, seen: int, failed: int) -> None:
        raise RuntimeError("stopped")

    with pytest.raises(RuntimeError, match="stopped"):
        import_path(engine, folder, batch_size=5, workers=1, on_progress=fail)
    assert (gc.get_threshold(), gc.get_freeze_count()) == before
