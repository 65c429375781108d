"""Real bills whose numbers people type, for the bill-number tests of search, the CLI and the dashboard.

- GovInfo BILLSTATUS: every sample, odd case and 119th-Congress file (114th-119th Congress), and five bills of the
  117th Congress archive whose numbers the samples also hold in the 114th (HR 22, HR 1314: the same number in two
  Congresses) or that are of the kinds people abbreviate (H.Res. 5, H.J.Res. 7, S. 22);
- California pubinfo, 1999-2000: AB 1 of the regular session and of the First Extraordinary Session ("ABX1 1");
- New York City Council matters with the file numbers, types and titles of the real Legislation grid
  (legistar/nyc/bills.html) and Chicago's real MatterHistory records (the grid has no Web API matter JSON).
"""

import tarfile
from pathlib import Path

from realdata_paths import require_realdata
from sqlalchemy import Engine
from sqlmodel import Session

from tracker.importer import import_path
from tracker.ingest import IngestItem, Ingestor
from tracker.sources.legistar import parse_list, parse_matter

FROM_117 = ("hr/hr22", "hr/hr1314", "hres/hres5", "hjres/hjres7", "s/s22")
NYC_MATTERS = (
    (1, "Int 1299-2018", "Introduction", "A Local Law to amend the administrative code of the city of New York, in "
     "relation to enforcement of prohibitions against unauthorized commuter vans"),
    (2, "Res 0640-2018", "Resolution", "Resolution calling upon the New York City Department of Education to place "
     "an escort or attendant on board all public school buses."),
)


def extract_from_117(folder: Path, keys: tuple[str, ...] = FROM_117) -> Path:
    """The bills ``keys`` ("hr/hr22") of the 117th Congress archive, written into ``folder`` in one pass."""
    archive = require_realdata("billstatus", "congress117", "c117_all.tar.gz")
    wanted = {f"data/117/bills/{key}/fdsys_billstatus.xml": key.split("/")[-1] for key in keys}
    with tarfile.open(archive, "r|gz") as tar:
        for member in tar:
            if member.name in wanted:
                (folder / f"{wanted.pop(member.name)}.xml").write_bytes(tar.extractfile(member).read())  # type: ignore[union-attr]
                if not wanted:
                    return folder
    raise AssertionError(f"{sorted(wanted.values())} not in {archive}")


def import_numbered_bills(engine: Engine, extracted: Path) -> None:
    """Every bill above into the database (``extracted``: ``extract_from_117``'s folder)."""
    folders = [*(require_realdata("billstatus", name) for name in ("usgpo_samples", "misc", "congress119")),
               extracted, require_realdata("ca_pubinfo", "pubinfo_nomindnick_ca-leginfo-mcp", "archive", "1999")]
    for folder in folders:
        assert import_path(engine, folder, flag=False).ok, folder
    histories = require_realdata("legistar", "chicago", "dupe_event.json")
    require_realdata("legistar", "nyc", "bills.html")  # where the file numbers and titles come from
    records = [parse_matter({"MatterId": n, "MatterFile": file, "MatterTitle": title, "MatterTypeName": kind,
                             "MatterIntroDate": "2018-11-14T00:00:00"},
                            {"histories": parse_list(histories.read_bytes(), str(histories))},
                            client="nyc", locator=file)
               for n, file, kind, title in NYC_MATTERS]
    with Session(engine) as s:
        Ingestor(s).ingest([IngestItem(record=r) for r in records])
        s.commit()
