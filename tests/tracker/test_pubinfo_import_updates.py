"""``tracker import`` of California incremental archives (``pubinfo_{Day}.zip``) over a full one: the same
staging and merge as the crawler, so an operator can catch up from files. Archives built at test time from the
real sample rows (tests/pubinfo_archives.py)."""

import os
from pathlib import Path

import pytest
from pubinfo_archives import (
    AB1656_NEW_ACTION,
    AB2052_NEW_ACTION,
    ab1656_amendment_incremental,
    ab2052_incremental_with_a_bad_row,
    complete_archive,
    damage_member,
    earlier_full_archive,
    full_archive_without_bill_rows,
    mini,
)
from sqlalchemy import Engine, func, select
from sqlmodel import Session

from tracker import pubinfo_staging as staging
from tracker.importer import import_path
from tracker.models import Bill, BillAction, BillVersion, PubinfoLoad, PubinfoRow
from tracker.records import BillRecord
from tracker.sources.ca_pubinfo import join_rows, read_table, version_text

pytestmark = pytest.mark.realdata


def actions(engine: Engine, identifier: str) -> list[str]:
    with Session(engine) as s:
        bill = s.execute(select(Bill).where(Bill.identifier == identifier)).scalar_one()
        return list(s.execute(select(BillAction.text).where(BillAction.bill_id == bill.id)
                              .order_by(BillAction.id)).scalars())


def write(path: Path, data: bytes, mtime: int) -> Path:
    path.write_bytes(data)
    os.utime(path, (mtime, mtime))
    return path


def test_an_incremental_alone_is_refused(engine: Engine, tmp_path: Path) -> None:
    tuesday = write(tmp_path / "pubinfo_Tue.zip", ab1656_amendment_incremental(), 1_764_000_000)
    report = import_path(engine, tuesday, flag=False)
    [(where, reason)] = report.errors
    assert where == str(tuesday) and "import the weekly pubinfo_YYYY.zip or a pubinfo_daily_*.zip first" in reason
    assert report.result.new == 0  # AB 1656 is not created from its changed rows alone


@pytest.mark.parametrize("member", ["BILL_HISTORY_TBL.dat", "BILL_VERSION_TBL_1532.lob"])
def test_a_damaged_member_is_reported_not_a_crash(engine: Engine, tmp_path: Path, member: str) -> None:
    # Reading a member whose deflated bytes are damaged raises zlib.error, which used to escape the importer as a
    # traceback and an "interrupted ... import again to finish" run that no second import could finish.
    download = write(tmp_path / "pubinfo_daily_Mon.zip", damage_member(complete_archive(), member), 1_764_000_000)
    report = import_path(engine, download, flag=False)
    [(where, reason)] = report.errors
    assert where == str(download)
    assert reason.startswith("pubinfo archive is damaged or truncated: ") and f"member {member} is damaged" in reason
    assert report.result.new == 0


def test_a_full_archive_without_bill_rows_is_refused_before_it_replaces_the_staged_rows(engine: Engine,
                                                                                        tmp_path: Path) -> None:
    # A full load replaces the staged rows of every session its tables name. With BILL_TBL.dat empty it emptied
    # the staged BILL_TBL of the session (reported as "no bill files found"), and the incrementals imported after
    # it could rebuild no bill.
    first = import_path(engine, write(tmp_path / "pubinfo_daily_Mon.zip", complete_archive(), 1_764_000_000),
                        flag=False)
    assert first.errors == [] and first.result.new == 4
    broken = write(tmp_path / "pubinfo_daily_Tue.zip", full_archive_without_bill_rows(), 1_764_086_400)
    report = import_path(engine, broken, flag=False)
    assert report.errors == [(str(broken), "BILL_TBL.dat holds no bill: the download is empty or cut short")]
    with Session(engine) as s:
        assert s.execute(select(func.count()).where(PubinfoRow.table_name == "BILL_TBL")).scalar_one() == 4
        assert [Path(load.archive).name for load in s.execute(select(PubinfoLoad)).scalars()] == [
            "pubinfo_daily_Mon.zip"]


def test_incrementals_import_over_the_full_archive(engine: Engine, tmp_path: Path) -> None:
    downloads = tmp_path / "downloads"  # beside the test's SQLite file, which is no bill document
    downloads.mkdir()
    full = write(downloads / "pubinfo_daily_Mon.zip", earlier_full_archive(), 1_764_000_000)
    first = import_path(engine, full, flag=False)
    assert first.errors == [] and first.result.new == 4
    before = actions(engine, "AB 1656")

    tuesday = write(downloads / "pubinfo_Tue.zip", ab1656_amendment_incremental(), 1_764_086_400)
    report = import_path(engine, tuesday, flag=False)
    assert report.errors == []
    assert (report.result.new, report.result.updated) == (0, 1)
    assert actions(engine, "AB 1656") == [*before, AB1656_NEW_ACTION]
    with Session(engine) as s:
        bill = s.execute(select(Bill).where(Bill.identifier == "AB 1656")).scalar_one()
        texts = s.execute(select(BillVersion.text).where(BillVersion.bill_id == bill.id)).scalars().all()
        assert len(texts) == 3 and all(texts)

    again = import_path(engine, tuesday, flag=False)  # the same file again: nothing changes
    assert again.errors == [] and (again.result.new, again.result.updated, again.result.unchanged) == (0, 0, 1)

    # A folder holding the full archive and two incrementals: full first, then the incrementals in file
    # order; Wednesday's malformed row is reported and its good row applied.
    write(downloads / "pubinfo_Wed.zip", ab2052_incremental_with_a_bad_row(), 1_764_172_800)
    folder = import_path(engine, downloads, flag=False)
    assert [(where.rsplit("/", 1)[-1], reason) for where, reason in folder.errors] == \
        [("BILL_HISTORY_TBL.dat:1", "BILL_HISTORY_TBL row has 6 fields, expected 13")]
    assert AB1656_NEW_ACTION in actions(engine, "AB 1656") and AB2052_NEW_ACTION in actions(engine, "AB 2052")
    with Session(engine) as s:
        loads = s.execute(select(PubinfoLoad.archive, PubinfoLoad.kind).order_by(PubinfoLoad.id)).all()
    assert [(Path(a).name, k) for a, k in loads][-3:] == [("pubinfo_daily_Mon.zip", "full"),
                                                           ("pubinfo_Tue.zip", "incremental"),
                                                           ("pubinfo_Wed.zip", "incremental")]


def test_a_lob_in_an_incremental_replaces_the_staged_text_and_older_rows_never_win(engine: Engine) -> None:
    folder = mini()
    rows = {t: read_table(t, (folder / f"{t}.dat").read_bytes(), t)
            for t in ("BILL_TBL", "BILL_HISTORY_TBL", "BILL_VERSION_TBL", "BILL_VERSION_AUTHORS_TBL")}

    def lob(name: str) -> bytes | None:
        return (folder / name).read_bytes() if (folder / name).is_file() else None

    with Session(engine, expire_on_commit=False) as s:
        staging.stage_full(s, "pubinfo_daily_Mon.zip", rows, lob)
        # Hand-made from the published format: SB 275's introduced version re-sent the next day with a
        # later trans_update and another .lob (the CAML of its amended version, file name numbered anew).
        introduced = next(r for r in rows["BILL_VERSION_TBL"] if r["bill_version_id"] == "20250SB27599INT")
        amended = next(r for r in rows["BILL_VERSION_TBL"] if r["bill_version_id"] == "20250SB27598AMD")
        resent = {**introduced, "trans_update": "2026-11-24 20:00:00", "lob_file": "BILL_VERSION_TBL_1.lob"}
        files = {"BILL_VERSION_TBL_1.lob": lob(amended["lob_file"])}
        staged = staging.stage_incremental(s, "pubinfo_Tue.zip", {"BILL_VERSION_TBL": [resent]}, files.get)
        assert (staged.bills, staged.changed) == ({"202520260SB275"}, 1)
        held, read_held = staging.staged_rows(s, staged.bills)
        [record] = [r for r in join_rows(held, read_held, "staged") if isinstance(r, BillRecord)]
        [introduced_text] = [v.text for v in record.versions if v.code == "int"]
        assert introduced_text == version_text(files["BILL_VERSION_TBL_1.lob"] or b"", "x")["text"]

        # The same row with an earlier trans_update (an old archive applied late) changes nothing.
        stale = {**introduced, "trans_update": "2025-02-04 16:05:11", "subject": "stale"}
        assert staging.stage_incremental(s, "pubinfo_Mon.zip", {"BILL_VERSION_TBL": [stale]}, files.get).changed == 0
        held, _ = staging.staged_rows(s, {"202520260SB275"})
        assert {r["subject"] for r in held["BILL_VERSION_TBL"]} == {"Eligible training provider list."}
