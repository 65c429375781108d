"""California pubinfo downloads that would unpack to far more than any real one (zip bombs): refused before a
byte of the oversized member is read, by `tracker import` and the crawler alike (both read a download through
tracker.sources.ca_pubinfo.zip_tables). Archives built from the real sample rows (tests/pubinfo_archives.py)."""

import io
import zipfile
from pathlib import Path

import pytest
from pubinfo_archives import TABLES, _lines, mini
from sqlalchemy import Engine, func, select
from sqlmodel import Session

from tracker.importer import import_path
from tracker.models import Bill
from tracker.sources.ca_pubinfo import MAX_LOB_BYTES, zip_tables

pytestmark = pytest.mark.realdata

BOMB_LOB = "BILL_VERSION_TBL_1532.lob"


def _archive(lob_bytes: bytes) -> bytes:
    """The sample's tables and version CAML, one CAML member replaced by ``lob_bytes``."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for table in TABLES:
            zf.writestr(f"{table}.dat", b"".join(_lines(table)))
        for lob in sorted(p.name for p in mini().glob("BILL_VERSION_TBL_*.lob")):
            if lob != BOMB_LOB:
                zf.write(mini() / lob, lob)
        zf.writestr(zipfile.ZipInfo(BOMB_LOB), lob_bytes, compress_type=zipfile.ZIP_DEFLATED, compresslevel=9)
    return buffer.getvalue()


def test_a_bill_text_member_past_any_real_size_is_refused_unread(engine: Engine, tmp_path: Path) -> None:
    """A 150 KB download whose one CAML member, 66 KB deflated, unpacks to 65 MiB of zeros (1,029 to 1; a bomb
    of the same make reaches gigabytes): `tracker import` unpacked it whole into memory, parsed it ("not XML"),
    and imported the rest. The member is now refused from the size the archive declares, and the download with it, as a
    damaged one is: nothing of a hostile archive is stored."""
    bomb = tmp_path / "pubinfo_daily_Mon.zip"
    bomb.write_bytes(_archive(bytes(MAX_LOB_BYTES + 1024 ** 2)))
    assert bomb.stat().st_size < 200_000  # 150,368 bytes
    report = import_path(engine, bomb, flag=False)
    [(where, reason)] = report.errors
    assert where == str(bomb)
    assert f"member {BOMB_LOB} would unpack to {MAX_LOB_BYTES + 1024 ** 2:,} bytes" in reason
    assert "not read" in reason
    with Session(engine) as s:
        assert s.execute(select(func.count()).select_from(Bill)).scalar_one() == 0

    # The same download with the real CAML imports its four bills, as before.
    real = tmp_path / "real" / "pubinfo_daily_Mon.zip"
    real.parent.mkdir()
    real.write_bytes(_archive((mini() / BOMB_LOB).read_bytes()))
    assert import_path(engine, real, flag=False).errors == []
    with Session(engine) as s:
        assert s.execute(select(func.count()).select_from(Bill)).scalar_one() == 4


def test_tables_that_together_would_unpack_past_the_limit_are_refused_before_any_is_read() -> None:
    """Twelve tables of a gigabyte each fit a few megabytes of download: their declared sizes are added up first.
    (Shown with a limit just under the sample's own tables: the limit proper is 4 GiB.)"""
    archive = zipfile.ZipFile(io.BytesIO(_archive((mini() / BOMB_LOB).read_bytes())))
    declared = sum(archive.getinfo(f"{t}.dat").file_size for t in TABLES)
    with pytest.raises(zipfile.BadZipFile, match=f"its tables would unpack to {declared:,} bytes"):
        zip_tables(archive, max_tables_bytes=declared - 1)
    tables, _ = zip_tables(archive, max_tables_bytes=declared)
    assert sorted(tables) == sorted(TABLES)
