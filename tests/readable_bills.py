"""Real bills of three feeds, for the tests of readable bill references (tracker.references): Open States'
Alabama HB 235 (session ``2025rs``), GovInfo's H.R. 4350 of the 117th Congress, and California pubinfo's 1999-2000
AB 1 of the regular and the first extraordinary session (``19992000s1``)."""

from pathlib import Path

from realdata_paths import require_realdata
from sqlalchemy import Engine, select
from sqlmodel import Session

from tracker.importer import import_path
from tracker.models import Bill, LegislativeSession


def import_real_bills(engine: Engine, tmp_path: Path) -> dict[str, int]:
    """Imports them; returns {"al 2025rs HB 235": bill id, ...} for every bill stored."""
    al = next(require_realdata("openstates", "scrape_AL2025", "bills").glob("HB235__*.json"))
    us = require_realdata("billstatus", "usgpo_samples", "formatChange", "current", "BILLSTATUS-117hr4350.xml")
    folder = tmp_path / "bills"
    folder.mkdir()
    for path in (al, us):
        (folder / path.name).symlink_to(path)
    assert import_path(engine, folder, flag=False).errors == []
    ca = require_realdata("ca_pubinfo", "pubinfo_nomindnick_ca-leginfo-mcp", "archive", "1999")
    assert import_path(engine, ca, flag=False).errors == []
    with Session(engine) as s:
        rows = s.execute(select(Bill.id, Bill.jurisdiction_id, LegislativeSession.identifier, Bill.identifier)
                         .join(LegislativeSession, LegislativeSession.id == Bill.session_id)).all()
    return {f"{j} {sess} {ident}": bill_id for bill_id, j, sess, ident in rows}
