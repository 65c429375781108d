"""``tracker export``, run in-process against the seeded database."""

import errno
import io
import json
import os
from pathlib import Path

import openpyxl
import pytest
from export_fixtures import Seeded, needs_pdf_font
from pypdf import PdfReader
from sqlmodel import Session
from typer.testing import CliRunner

from tracker.cli import EXIT_NOT_FOUND, EXIT_PARTIAL, EXIT_USAGE, app

runner = CliRunner()


def invoke(*args: str):  # type: ignore[no-untyped-def]
    return runner.invoke(app, list(args), catch_exceptions=False)


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Run from an empty folder with no tracker.toml, so the default branding applies."""
    work = tmp_path / "work"  # tmp_path also holds the test's SQLite file
    work.mkdir()
    monkeypatch.chdir(work)
    monkeypatch.delenv("TRACKER_CONFIG", raising=False)
    return work


@needs_pdf_font
def test_topic_and_position_to_pdf(seeded: Seeded, workdir: Path) -> None:
    out = workdir / "packet.pdf"
    result = invoke(
        "export",
        "--format",
        "pdf",
        "--topic",
        "ai",
        "--position",
        "support",
        "-o",
        str(out),
        "--title",
        "AI bills we support",
    )
    assert result.exit_code == 0, result.output
    assert "Wrote" in result.output and "3 bills" in " ".join(result.output.split())
    reader = PdfReader(out)
    assert reader.metadata is not None and reader.metadata.title == "AI bills we support"
    assert "Topic: AI" not in reader.pages[0].extract_text()  # the topic's name, not its slug
    assert "Topic: Artificial intelligence · Position: Support" in reader.pages[0].extract_text()
    assert not list(workdir.glob(".*.part"))  # no temporary file left behind


def test_format_follows_the_file_name_and_bills_keep_their_order(seeded: Seeded, workdir: Path) -> None:
    result = invoke(
        "export", "--bill", "hr4", "--bill", "AB 5", "--bill", str(seeded.ids["privacy"]), "-o", "chosen.xlsx"
    )
    assert result.exit_code == 0, result.output
    ws = openpyxl.load_workbook(workdir / "chosen.xlsx")["Bills"]
    assert [ws.cell(r, 3).value for r in range(2, ws.max_row + 1)] == ["HR 4", "AB 5", "HR 2"]


def test_json_to_standard_output(seeded: Seeded, workdir: Path) -> None:
    result = invoke("export", "--watchlist", "Q3 meetings", "--format", "json", "-o", "-")
    assert result.exit_code == 0, result.stderr
    doc = json.load(io.BytesIO(result.stdout_bytes))
    assert [b["identifier"] for b in doc["bills"]] == ["HR 2", "HR 4"]
    assert doc["selection"]["watchlists"] == ["Q3 meetings"]


def test_a_legislators_bills_from_feeds_that_give_no_member_ids(seeded: Seeded, workdir: Path) -> None:
    # "李明" is a cosponsor of HR 1 and part of "Asm. 李明 (Li Ming)", the sponsor of California's AB 5: the name
    # as written picks that one person; words only the other name has pick the other.
    def exported(*sponsors: str) -> list[str]:
        args = [arg for name in sponsors for arg in ("--sponsor", name)]
        result = invoke("export", *args, "--format", "json", "-o", "-")
        assert result.exit_code == 0, result.stderr
        return [b["identifier"] for b in json.load(io.BytesIO(result.stdout_bytes))["bills"]]

    assert exported("李明") == ["HR 1"]
    assert exported("li ming") == ["AB 5"]
    assert sorted(exported("Петрова", "Li Ming")) == ["AB 5", "HR 1"]
    refused = invoke("export", "--sponsor", "Rep. Sponsor")
    assert refused.exit_code == EXIT_USAGE
    assert "'Rep. Sponsor' fits 3 legislators: Rep. Sponsor 2, Rep. Sponsor 3, Rep. Sponsor 4" in refused.output


def test_default_file_name(seeded: Seeded, workdir: Path) -> None:
    result = invoke("export", "--jurisdiction", "ca", "--format", "csv")
    assert result.exit_code == 0, result.output
    [written] = workdir.glob("briefing-packet-*.csv")
    assert "AB 5" in written.read_text(encoding="utf-8-sig")


def test_an_empty_selection_writes_nothing(seeded: Seeded, workdir: Path) -> None:
    result = invoke("export", "--topic", "privacy", "--position", "support", "-o", "empty.pdf")
    assert result.exit_code == EXIT_NOT_FOUND
    assert "No bills match Topic: Data privacy · Position: Support" in result.output
    assert list(workdir.iterdir()) == []


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--topic", "a1"], "No topic 'a1'"),
        (["--position", "maybe"], "No position 'maybe'"),
        (["--sponsor", "Nobody"], "No sponsor or cosponsor matches 'Nobody'"),
        (["--stage", "limbo"], "Unknown stage limbo"),
        (["--all", "--format", "odt"], "Unknown format 'odt'"),
        (["--all", "-o", "missing/dir/packet.pdf"], "folder missing/dir does not exist"),
        # A PDF in a file named .docx opens in nothing; it used to be written without a word.
        (["--all", "--format", "pdf", "-o", "q3.docx"], "--format pdf does not match the file name q3.docx"),
        ([], "Say which bills to export"),
    ],
)
def test_bad_input_is_refused(seeded: Seeded, workdir: Path, args: list[str], message: str) -> None:
    result = invoke("export", *args)
    assert result.exit_code == EXIT_USAGE
    assert message in " ".join(result.output.split())
    assert list(workdir.iterdir()) == []


def test_a_bill_that_is_not_stored_is_nothing_found(seeded: Seeded, workdir: Path) -> None:
    result = invoke("export", "--bill", "HR 404")  # as `tracker bills show "HR 404"`: exit 4
    assert result.exit_code == EXIT_NOT_FOUND and "No bill matches 'HR 404'" in result.output
    assert list(workdir.iterdir()) == []


def test_branding_comes_from_tracker_toml(seeded: Seeded, workdir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (workdir / "tracker.toml").write_text('[branding]\norganisation = "Metro Chamber"\nacent = "#fff"\n')
    monkeypatch.setenv("TRACKER_CONFIG", str(workdir / "tracker.toml"))
    from tracker import config

    config.settings.cache_clear()
    result = invoke("export", "--all", "-o", "x.csv")
    assert result.exit_code == EXIT_USAGE and "unknown key 'acent'" in result.output
    (workdir / "tracker.toml").write_text('[branding]\norganisation = "Metro Chamber"\n')
    config.settings.cache_clear()
    result = invoke("export", "--all", "-o", "x.xlsx")
    assert result.exit_code == 0, result.output
    assert openpyxl.load_workbook(workdir / "x.xlsx")["About"]["A1"].value == "Metro Chamber"


def test_names_people_wrote_are_printed_as_text_not_markup(seeded: Seeded, workdir: Path, session) -> None:  # type: ignore[no-untyped-def]
    """The summary names the watchlist: Rich read "[draft]" as a style (dropped from the line) and "[/]" as a
    closing tag (a traceback after the file was written)."""
    seeded.watchlist.name = "Q3 [draft] [/] meetings"
    session.add(seeded.watchlist)
    session.commit()
    result = invoke("export", "--watchlist", str(seeded.watchlist.id), "-o", "q3.csv")
    assert result.exit_code == 0, result.output
    assert "(Watchlist: Q3 [draft] [/] meetings)" in " ".join(result.output.split())


def test_a_folder_as_the_output_is_refused_before_building(seeded: Seeded, workdir: Path) -> None:
    (workdir / "packets").mkdir()
    result = invoke("export", "--all", "-o", "packets")  # used to build the packet, then end in a traceback
    assert result.exit_code == EXIT_USAGE
    assert "Cannot write packets: it is a folder; name a file in it, e.g. packets/briefing-packet-" in result.output
    assert list((workdir / "packets").iterdir()) == []


def test_a_file_that_cannot_be_written_is_named_without_a_traceback(
    seeded: Seeded, workdir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def disk_full(*args: object) -> None:  # the one failure every user can meet and no test folder can fake
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "replace", disk_full)
    result = invoke("export", "--all", "-o", "packet.csv")
    assert result.exit_code == EXIT_PARTIAL
    assert "Cannot write packet.csv: No space left on device. No file was written." in result.output
    assert list(workdir.iterdir()) == []  # the temporary file is gone too


def test_export_is_one_command_and_a_stray_argument_is_named(seeded: Seeded, workdir: Path) -> None:
    """`tracker export` has no sub-commands: its usage line said COMMAND [ARGS]..., and a file name given
    without -o was refused as "No such command 'ai.pdf'"."""
    usage = invoke("export", "--help")
    assert usage.exit_code == 0 and "COMMAND" not in usage.output
    stray = invoke("export", "--topic", "ai", "ai.pdf")
    assert stray.exit_code == EXIT_USAGE and "No such command" not in stray.output
    assert "ai.pdf" in stray.output and list(workdir.iterdir()) == []


def test_a_packet_for_a_meeting_with_a_committees_staff(seeded: Seeded, workdir: Path) -> None:
    # Every seeded bill went to an "Energy and Commerce Committee": the House's for the US bills, and one of
    # that name in California (AB 5), the Assembly's.
    def exported(*args: str) -> list[str]:
        result = invoke("export", *args, "--format", "json", "-o", "-")
        assert result.exit_code == 0, result.stderr
        return [b["identifier"] for b in json.load(io.BytesIO(result.stdout_bytes))["bills"]]

    assert sorted(exported("--committee", "house energy & commerce")) == ["HR 1", "HR 2", "HR 3", "HR 4"]
    assert exported("--committee", "Energy and Commerce", "--jurisdiction", "ca") == ["AB 5"]
    refused = invoke("export", "--committee", "Energy and Commerce")
    assert refused.exit_code == EXIT_USAGE
    assert exported("--committee", "Assembly Energy and Commerce") == ["AB 5"]
    assert ("'Energy and Commerce' fits 2 committees: Assembly Energy and Commerce Committee (CA), House Energy and "
            "Commerce Committee (US); give more of the name or its code, or a jurisdiction.") in " ".join(
        refused.output.split())
    unknown = invoke("export", "--committee", "Ways and Means")
    assert unknown.exit_code == EXIT_USAGE and "No committee matches 'Ways and Means'" in unknown.output


def test_staff_notes_only_with_the_notes_flag(seeded: Seeded, workdir: Path, session: Session) -> None:
    from tracker import notes
    from tracker.models import User

    staff = User(email="sam@example.org", role="staff", name="Sam")
    session.add(staff)
    session.flush()
    notes.add_note(session, actor=staff, bill_id=seeded.ids["privacy"], body="Call Dana before the markup.")
    session.commit()
    with_notes = invoke("export", "--bill", "HR 2", "--notes", "-f", "json", "-o", "-")
    assert with_notes.exit_code == 0, with_notes.stderr
    doc = json.load(io.BytesIO(with_notes.stdout_bytes))
    assert [n["body"] for n in doc["bills"][0]["notes"]] == ["Call Dana before the markup."]
    assert doc["selection"]["notes"] is True and "With staff notes (internal)" in doc["selection"]["description"]
    without = invoke("export", "--bill", "HR 2", "-f", "csv", "-o", "-")
    assert b"Call Dana" not in without.stdout_bytes
