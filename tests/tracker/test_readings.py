"""Bills an older parser read, after an upgrade whose parser reads the same bytes differently.

Before: an upgrade that fixed a parser left every bill it had read before as the old parser read it; a re-import
skipped the unchanged bytes, a crawl the unchanged documents, and nothing told the person upgrading. Each parser
now declares ``READING_VERSION``; the version that read each document is stored, named by `tracker db upgrade`
and `tracker status` with what reads it again, and an import reads such documents again (as corrections).
"""

import io
import tarfile
from pathlib import Path

import pytest
from realdata_paths import require_realdata
from sqlalchemy import Engine, func, select, update
from sqlmodel import Session

from tracker import health
from tracker.config import crawl_settings
from tracker.importer import import_path
from tracker.models import Bill, BillChange, BillSource, SourceDocument
from tracker.readings import older_readings
from tracker.sources import govinfo_billstatus
from tracker.upgrade_notes import notes

pytestmark = pytest.mark.realdata


def _archive(tmp_path: Path) -> tuple[Path, int]:
    files = sorted(require_realdata("billstatus", "usgpo_samples", "legacy").glob("*.xml"))[:6]
    path = tmp_path / "legacy.tar.gz"
    with tarfile.open(path, "w:gz") as tf:
        for f in files:
            info = tarfile.TarInfo(f.name)
            info.size = f.stat().st_size
            tf.addfile(info, io.BytesIO(f.read_bytes()))
    return path, len(files)


def _upgrade_the_parser(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> dict[int, str]:
    """What a stored database holds after an upgrade fixing the BILLSTATUS parser: bills read (here: wrongly, so
    the re-read shows) by version 1, and the parser now at version 2. Returns the right stages."""
    with Session(engine) as s:
        right = dict(s.execute(select(Bill.id, Bill.stage)).all())
        s.execute(update(Bill).values(stage="failed"))
        s.execute(update(BillSource).values(content_hash="read by version 1"))
        s.commit()
    monkeypatch.setattr(govinfo_billstatus, "READING_VERSION", govinfo_billstatus.READING_VERSION + 1)
    return right


def test_an_upgraded_parser_names_the_bills_it_did_not_read_and_an_import_reads_them_again(
        engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    archive, members = _archive(tmp_path)
    assert import_path(engine, archive, flag=False).errors == []
    with Session(engine) as s:
        assert set(s.execute(select(SourceDocument.read_by).where(SourceDocument.bill_id.is_not(None))).scalars()) \
            == {govinfo_billstatus.READING_VERSION}
        assert older_readings(s) == []
    right = _upgrade_the_parser(engine, monkeypatch)

    with Session(engine) as s:
        said = notes(s, enabled_before=set())
        changes = s.execute(select(func.count()).select_from(BillChange)).scalar_one()
    assert len(said) == 1
    assert said[0].startswith(f"govinfo_billstatus: {members} bill(s) ({members} imported) were read by an older "
                              f"version of its parser (now version {govinfo_billstatus.READING_VERSION})")
    assert f"`tracker import {archive}`" in said[0]
    report = health.check(engine, crawl_settings(env={}, doc={}))
    assert said[0] in report.problems and not report.ok

    # The archive is unchanged, byte for byte: it is read again all the same, as corrections.
    again = import_path(engine, archive, flag=False)
    assert (again.result.corrected, again.result.new) == (members, 0)
    with Session(engine) as s:
        assert dict(s.execute(select(Bill.id, Bill.stage)).all()) == right
        assert s.execute(select(func.count()).select_from(BillChange)).scalar_one() == changes  # no news
        assert older_readings(s) == [] and notes(s, enabled_before=set()) == []

    # Read by the current parser now: skipped again, archive and members.
    third = import_path(engine, archive, flag=False)
    assert (third.result.updated, third.result.unchanged) == (0, members)


def test_an_upgraded_pubinfo_parser_names_the_download_and_its_import_reads_the_bills_again_quietly(
        engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """California pubinfo bills are joined from several tables, so no document names the file they came from:
    the upgrade said only "tracker import PATH (the download these bills were imported from)", and importing it
    again stored what the new parser reads differently as news (change records, the bills back in the inbox)."""
    from tracker.sources import ca_pubinfo

    download = tmp_path / "pubinfo_2025"
    download.mkdir()
    for file in require_realdata("ca_pubinfo", "pubinfo_nomindnick_ca-leginfo-mcp", "mini").iterdir():
        (download / file.name).symlink_to(file)
    assert import_path(engine, download, flag=False).errors == []
    with Session(engine) as s:
        right = dict(s.execute(select(Bill.id, Bill.title)).all())
        stamps = dict(s.execute(select(Bill.id, Bill.last_changed_at)).all())
        changes = s.execute(select(func.count()).select_from(BillChange)).scalar_one()
        # As version 1 read them (here: wrongly, so the re-read shows).
        s.execute(update(Bill).values(title="Read by version 1"))
        s.execute(update(BillSource).values(content_hash="read by version 1"))
        s.commit()
    monkeypatch.setattr(ca_pubinfo, "READING_VERSION", ca_pubinfo.READING_VERSION + 1)
    with Session(engine) as s:
        [older] = older_readings(s)
        assert (older.source, older.imported_bills, older.crawled_bills) == ("ca_pubinfo", 4, 0)
        assert older.commands() == [f"tracker import {download}"]
        assert f"`tracker import {download}`" in " ".join(notes(s, enabled_before=set()))

    report = import_path(engine, download, flag=False)
    assert report.errors == [] and (report.result.updated, report.result.corrected) == (4, 4)
    with Session(engine) as s:
        assert dict(s.execute(select(Bill.id, Bill.title)).all()) == right
        assert dict(s.execute(select(Bill.id, Bill.last_changed_at)).all()) == stamps  # no news for the inbox
        assert s.execute(select(func.count()).select_from(BillChange)).scalar_one() == changes
        assert older_readings(s) == []
