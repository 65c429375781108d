"""``tracker import`` on bad and odd input made from real BILLSTATUS files: each bad file is named with its reason,
costs only itself, and the run says it failed (issue 2, point 5)."""

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
