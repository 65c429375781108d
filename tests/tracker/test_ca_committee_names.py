"""California committees named from pubinfo's ``LOCATION_CODE_TBL``.

No real ``LOCATION_CODE_TBL.dat`` is in the samples, so the one here is HAND-WRITTEN from the published column list
(capublic.sql: session_year, location_code, location_type, consent_calendar_code, description, long_description,
active_flg, trans_uid, trans_update, inactive_file_flg) and the .dat encoding (FORMATS.md section 5). Its names are
read off the real bills' own history lines ("Referred to Com. on PUB. S." on the row coded CS72); every other file
is the real ``mini`` extract.
"""

import shutil
from pathlib import Path

import pytest
from realdata_paths import require_realdata
from sqlalchemy import Engine, select
from sqlmodel import Session
from typer.testing import CliRunner

from tracker.cli import app
from tracker.exports.packet import describe_committees, gather_bills
from tracker.exports.selection import Selection, SelectionError, resolve_selection
from tracker.importer import import_path
from tracker.models import Bill
from tracker.pubinfo_staging import stage_archive
from tracker.queries import bill_details
from tracker.sources.ca_pubinfo import TABLE_COLUMNS, read_tables

pytestmark = pytest.mark.realdata

NAMES = {"CS48": "Governmental Organization", "CS56": "Labor, Public Employment and Retirement", "CS58": "Rules",
         "CS61": "Appropriations", "CS72": "Public Safety", "CX07": "Governmental Organization",
         "CX14": "Labor and Employment", "CX18": "Public Safety", "CX25": "Appropriations"}


def sample_table(session_year: str = "20252026") -> bytes:
    """LOCATION_CODE_TBL.dat rows (HAND-WRITTEN, see the module docstring), the floors included."""
    rows = [(code, "C", ("Asm " if code.startswith("CX") else "Sen ") + name[:20], name)
            for code, name in NAMES.items()]
    rows += [("AFLOOR", "F", "Asm Floor", "Assembly Floor"), ("SFLOOR", "F", "Sen Floor", "Senate Floor")]
    return b"".join(f"`{session_year}`\t`{code}`\t`{kind}`\tNULL\t`{short}`\t`{name}`\t`Y`\t`LEGINFO`\t"
                    f"2025-01-05 10:00:00\t`N`\n".encode() for code, kind, short, name in rows)


def _download(tmp_path: Path, *, with_table: bool) -> Path:
    mini = require_realdata("ca_pubinfo", "pubinfo_nomindnick_ca-leginfo-mcp", "mini")
    folder = tmp_path / "pubinfo"
    folder.mkdir()
    for file in mini.iterdir():
        (folder / file.name).symlink_to(file)
    if with_table:
        (folder / "LOCATION_CODE_TBL.dat").write_bytes(sample_table())
    return folder


def _detail(session: Session, identifier: str) -> dict:
    bill_id = session.execute(select(Bill.id).where(Bill.jurisdiction_id == "ca",
                                                    Bill.identifier == identifier)).scalar_one()
    return next(bill_details(session, [bill_id]))


def test_california_committees_are_named_on_the_bill_page_in_packets_and_for_the_committee_filter(
        engine: Engine, database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert import_path(engine, _download(tmp_path, with_table=True), flag=False).errors == []
    with Session(engine) as session:
        sb275 = _detail(session, "SB 275")
        assert [(c["code"], c["name"], c["chamber"]) for c in sb275["committees"]] == [
            ("CS56", "Labor, Public Employment and Retirement", "upper"), ("CS61", "Appropriations", "upper"),
            ("CX14", "Labor and Employment", "lower"), ("CX25", "Appropriations", "lower")]
        page = describe_committees(sb275["committees"], "ca")  # the bill page's table
        assert [(row["committee"], row["last action"]) for row in page] == [
            ("Senate Labor, Public Employment and Retirement", "reported Mar 26, 2025"),
            ("Senate Appropriations", "reported May 23, 2025"),
            ("Assembly Labor and Employment", "reported Jun 26, 2025"),
            ("Assembly Appropriations", "reported Aug 29, 2025")]
        packet = gather_bills(session, [sb275["id"]])[0]
        assert "Assembly Appropriations" in "; ".join(packet.committee_lines)
        assert packet.sponsors[0].label == "Smallwood-Cuevas"  # not "[CA]" on a California bill
        # tracker export --committee: the chamber tells the two Public Safety committees apart.
        chosen = resolve_selection(session, Selection(committees=("Assembly Public Safety",), order="identifier"))
        assert chosen.description == "Committee: Assembly Public Safety"
        assert sorted(_detail(session, i)["id"] for i in ("AB 1656", "AB 2052")) == sorted(chosen.bill_ids)
        with pytest.raises(SelectionError, match="fits 2 committees"):
            resolve_selection(session, Selection(committees=("Public Safety",)))
    monkeypatch.setenv("COLUMNS", "400")
    shown = CliRunner().invoke(app, ["bills", "show", "SB 275", "--jurisdiction", "ca"])
    assert shown.exit_code == 0, shown.output
    assert ("Committees: Senate Labor, Public Employment and Retirement (reported Mar 26, 2025); Senate "
            "Appropriations (reported May 23, 2025); Assembly Labor and Employment (reported Jun 26, 2025); "
            "Assembly Appropriations (reported Aug 29, 2025)") in shown.stdout


def test_without_the_table_california_committees_stay_unnamed_and_a_daily_load_keeps_the_names(
        engine: Engine, tmp_path: Path) -> None:
    folder = _download(tmp_path, with_table=False)
    assert import_path(engine, folder, flag=False).errors == []
    with Session(engine) as session:
        assert _detail(session, "SB 275")["committees"] == []  # as before: no name to show
    # The weekly download with the table, then a daily snapshot without it: the names staged stay.
    (folder / "LOCATION_CODE_TBL.dat").write_bytes(sample_table())
    assert import_path(engine, folder, flag=False).errors == []
    (folder / "LOCATION_CODE_TBL.dat").unlink()
    daily = tmp_path / "pubinfo_daily_Mon"
    shutil.copytree(folder, daily, symlinks=True)
    assert import_path(engine, daily, flag=False, reparse=True).errors == []
    with Session(engine) as session:
        assert [c["name"] for c in _detail(session, "AB 1656")["committees"]] == ["Public Safety", "Public Safety"]


def test_roll_calls_name_the_committee_that_voted_where_the_table_names_it() -> None:
    """The real 1999-2000 vote rows with the hand-written table for that session: a code it does not name (CS44
    here) stays the code, as it was for every committee before."""
    from tracker.sources.ca_pubinfo import parse_tables

    folder = require_realdata("ca_pubinfo", "pubinfo_nomindnick_ca-leginfo-mcp", "archive", "1999")
    tables = {t: (folder / f"{t}.dat").read_bytes() for t in TABLE_COLUMNS if (folder / f"{t}.dat").is_file()}
    tables["LOCATION_CODE_TBL"] = sample_table("19992000")
    bills = {r.source_key: r for r in parse_tables(tables, lambda n: None, "1999") if hasattr(r, "source_key")}
    assert bills["199920001AB1"].session.name == "1999-2000 First Extraordinary Session"  # as California says
    bodies = {v.body for v in bills["199920000AB1"].votes}
    assert bodies == {"Assembly Floor", "Senate Floor", "Assembly Appropriations", "Senate Appropriations",
                      "CS44", "CX03"}


# BILL_MOTION_TBL.dat (motion_id, motion_text, trans_uid, trans_update: capublic.sql), HAND-WRITTEN for the motion
# ids of the real 1999-2000 vote rows; the wording is illustrative, not the Legislature's record of those motions.
MOTIONS = {"104835": "Do pass.", "44": "Do pass as amended.", "17": "Do pass and re-refer."}


def sample_motions() -> bytes:
    return b"".join(f"{motion_id}\t`{text}`\t`LEGINFO`\t1999-01-04 10:00:00\n".encode()
                    for motion_id, text in MOTIONS.items())


def test_roll_calls_carry_their_motion_where_the_download_has_the_motion_table(engine: Engine,
                                                                               tmp_path: Path) -> None:
    """Eleven Assembly floor votes of AB 1 on one day read alike without the motion: which was the bill's?"""
    real = require_realdata("ca_pubinfo", "pubinfo_nomindnick_ca-leginfo-mcp", "archive", "1999")
    folder = tmp_path / "pubinfo_1999"
    folder.mkdir()
    for file in real.iterdir():
        (folder / file.name).symlink_to(file)
    (folder / "BILL_MOTION_TBL.dat").write_bytes(sample_motions())
    assert import_path(engine, folder, flag=False).errors == []
    with Session(engine) as session:
        bill_ids = session.execute(select(Bill.id).where(Bill.jurisdiction_id == "ca",
                                                         Bill.identifier == "SB 1")).scalars().all()
        votes = [v for b in bill_ids for v in next(bill_details(session, [b]))["votes"]]
        motions = {(v["body"], v["motion"]) for v in votes}
        assert ("CS61", "Do pass.") in motions and ("CX03", "Do pass as amended.") in motions
        assert ("Senate Floor", None) in motions  # a motion id the table lacks: no wording, as before
        # A daily snapshot ships no motion table: its bills are joined with the motions staged from the weekly.
        tables = {t: (real / f"{t}.dat").read_bytes() for t in TABLE_COLUMNS if (real / f"{t}.dat").is_file()}
        _, records = stage_archive(session, "pubinfo_daily_Tue.zip", read_tables(tables, "daily", []),
                                   lambda name: None, incremental=False, locator="daily")
        rebuilt = {(v.body, v.motion) for r in records if getattr(r, "identifier", "") == "SB 1" for v in r.votes}
        assert ("CS61", "Do pass.") in rebuilt


def test_a_committee_renamed_in_an_incremental_archive_is_renamed_on_the_stored_bills(
        engine: Engine, tmp_path: Path) -> None:
    """The weekly download (the real mini extract with the table above), then a nightly incremental that only
    renames the Assembly's Public Safety committee (CX18; HAND-WRITTEN row, a later trans_update; the bill
    tables present and empty, as in an extract where no bill changed). No bill row names the committee in the
    incremental, yet the bills referred to it show the new name: the names come from the table, and staff see
    no change to review (the bills keep their place in the triage inbox, no change records)."""
    import zipfile

    from tracker.models import BillChange, CommitteeReferral

    assert import_path(engine, _download(tmp_path, with_table=True), flag=False).errors == []
    with Session(engine) as session:
        stamps = dict(session.execute(select(Bill.identifier, Bill.last_changed_at)).all())
        changes = session.execute(select(BillChange.id)).scalars().all()
    renamed = (b"`20252026`\t`CX18`\t`C`\tNULL\t`Asm Public Safety`\t`Public Safety and Justice`\t`Y`\t"
               b"`LEGINFO`\t2026-06-12 09:00:00\t`N`\n")
    incremental = tmp_path / "pubinfo_Fri.zip"
    with zipfile.ZipFile(incremental, "w") as archive:
        for table in ("BILL_TBL", "BILL_HISTORY_TBL", "BILL_VERSION_TBL", "BILL_VERSION_AUTHORS_TBL"):
            archive.writestr(f"{table}.dat", b"")
        archive.writestr("LOCATION_CODE_TBL.dat", renamed)
    report = import_path(engine, incremental, flag=False)
    assert report.errors == [] and report.result.updated == 2 and report.result.corrected == 2
    with Session(engine) as session:
        # Both went on to the Senate's Public Safety committee (CS72), another committee: its name stays.
        for identifier in ("AB 1656", "AB 2052"):
            assert [(c["code"], c["name"]) for c in _detail(session, identifier)["committees"]] == [
                ("CX18", "Public Safety and Justice"), ("CS72", "Public Safety")]
        assert session.execute(select(CommitteeReferral.name).where(CommitteeReferral.code == "CX18")
                               ).scalars().all() == ["Public Safety and Justice"] * 2
        assert dict(session.execute(select(Bill.identifier, Bill.last_changed_at)).all()) == stamps
        assert session.execute(select(BillChange.id)).scalars().all() == changes


def test_a_weekly_full_load_that_renames_a_committee_corrects_the_bills_it_names_and_keeps_real_changes_news(
        engine: Engine, tmp_path: Path) -> None:
    """The weekly download (the real mini extract with the table above), then next week's: the same real files
    but the Assembly's Public Safety committee (CX18) renamed (HAND-WRITTEN row, as above) and one new history
    row for AB 2052 (HAND-WRITTEN, its own next action). A full load replaces every staged row of the session,
    yet AB 1656, whose own rows are the same, reads differently only by the committee's name: a correction (no
    change records, no alerts, it keeps its place in triage). AB 2052 moved: that stays news."""
    from tracker.models import BillChange

    first = _download(tmp_path, with_table=True)
    assert import_path(engine, first, flag=False).errors == []
    with Session(engine) as session:
        ids = dict(session.execute(select(Bill.identifier, Bill.id)).all())
        stamps = dict(session.execute(select(Bill.identifier, Bill.last_changed_at)).all())
        changes = set(session.execute(select(BillChange.id)).scalars())
    week = tmp_path / "pubinfo_2025"
    week.mkdir()
    for file in first.iterdir():
        if file.name not in ("BILL_HISTORY_TBL.dat", "LOCATION_CODE_TBL.dat"):
            (week / file.name).symlink_to(file.resolve())
    history = (first / "BILL_HISTORY_TBL.dat").read_bytes()
    (week / "BILL_HISTORY_TBL.dat").write_bytes(
        history + b"`202520260AB2052`\t118527999\t2026-06-15 00:00:00\t`Read third time. Passed.`\t`LEG_ESI`\t"
                  b"2026-06-15 20:09:10\t9\t`9`\t`Applied`\t`Senate`\t`Floor`\tNULL\t`In Floor Process`\n")
    table = sample_table()
    assert b"`Public Safety`" in table
    (week / "LOCATION_CODE_TBL.dat").write_bytes(b"".join(
        line.replace(b"`Public Safety`", b"`Public Safety and Justice`") if b"`CX18`" in line else line
        for line in table.splitlines(keepends=True)))

    report = import_path(engine, week, flag=False)
    assert report.errors == []
    assert (report.result.updated, report.result.corrected) == (2, 1)
    with Session(engine) as session:
        assert [(c["code"], c["name"]) for c in _detail(session, "AB 1656")["committees"]] == [
            ("CX18", "Public Safety and Justice"), ("CS72", "Public Safety")]
        assert _detail(session, "AB 2052")["committees"][0]["name"] == "Public Safety and Justice"
        now = dict(session.execute(select(Bill.identifier, Bill.last_changed_at)).all())
        assert now["AB 1656"] == stamps["AB 1656"] and now["SB 275"] == stamps["SB 275"]
        assert now["AB 2052"] != stamps["AB 2052"]
        new = session.execute(select(BillChange.bill_id).where(BillChange.id.not_in(changes))).scalars().all()
        assert new and set(new) == {ids["AB 2052"]}


def test_a_full_load_renaming_a_committee_keeps_news_the_change_an_earlier_archive_staged_but_never_stored(
        engine: Engine, tmp_path: Path) -> None:
    """A nightly incremental's new history row for AB 1656 (HAND-WRITTEN) was staged, but the bill's write failed
    (the import was killed): the stored bill is a day behind its staged rows. The weekly full load then ships the
    same rows and renames CX18: AB 1656's rows are the ones staged, yet what followers were never told is news."""
    from tracker.models import BillChange
    from tracker.sources.ca_pubinfo import read_tables

    first = _download(tmp_path, with_table=True)
    assert import_path(engine, first, flag=False).errors == []
    new_row = (b"`202520260AB1656`\t118599999\t2026-06-15 00:00:00\t`Read second time. Ordered to third reading.`\t"
               b"`LEG_ESI`\t2026-06-15 20:09:10\t9\t`9`\t`Applied`\t`Assembly`\t`Floor`\tNULL\t`In Floor Process`\n")
    with Session(engine) as session:
        ids = dict(session.execute(select(Bill.identifier, Bill.id)).all())
        stamps = dict(session.execute(select(Bill.identifier, Bill.last_changed_at)).all())
        changes = set(session.execute(select(BillChange.id)).scalars())
        # Staged, never ingested: what a write that failed after staging leaves.
        staged, records = stage_archive(session, "pubinfo_Mon.zip",
                                        read_tables({"BILL_HISTORY_TBL": new_row}, "pubinfo_Mon.zip", []),
                                        lambda name: None, incremental=True, locator="pubinfo_Mon.zip")
        assert staged.bills == {"202520260AB1656"} and records
    week = tmp_path / "pubinfo_2025"
    week.mkdir()
    for file in first.iterdir():
        if file.name not in ("BILL_HISTORY_TBL.dat", "LOCATION_CODE_TBL.dat"):
            (week / file.name).symlink_to(file.resolve())
    (week / "BILL_HISTORY_TBL.dat").write_bytes((first / "BILL_HISTORY_TBL.dat").read_bytes() + new_row)
    (week / "LOCATION_CODE_TBL.dat").write_bytes(sample_table().replace(
        b"`Asm Public Safety`\t`Public Safety`", b"`Asm Public Safety`\t`Public Safety and Justice`"))

    report = import_path(engine, week, flag=False)
    assert report.errors == [] and (report.result.updated, report.result.corrected) == (2, 1)  # AB 2052: corrected
    with Session(engine) as session:
        now = dict(session.execute(select(Bill.identifier, Bill.last_changed_at)).all())
        assert now["AB 1656"] != stamps["AB 1656"] and now["AB 2052"] == stamps["AB 2052"]
        assert set(session.execute(select(BillChange.bill_id).where(BillChange.id.not_in(changes))).scalars()) \
            == {ids["AB 1656"]}
