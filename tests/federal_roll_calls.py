"""H.R. 1 of the 117th Congress in the 3.0.0 BILLSTATUS schema (usgpo_samples/formatChange/future), whose actions
record House roll calls 61 and 62: stored as a feed could send it, for the bill page's and packets' roll calls."""

import pytest
from realdata_paths import require_realdata
from sqlalchemy import select
from sqlmodel import Session

from tracker.ingest import IngestItem, Ingestor
from tracker.models import BillSource
from tracker.sources.govinfo_billstatus import parse_billstatus


def store_hr1(session: Session, *replacements: tuple[bytes, bytes]) -> int:
    """Ingests H.R. 1, each (old, new) byte replacement made first (a hostile or edited copy); its bill id."""
    path = require_realdata("billstatus", "usgpo_samples", "formatChange", "future") / "BILLSTATUS-117hr1.xml"
    if not path.is_file():
        pytest.skip(f"{path} missing")
    data = path.read_bytes()
    for old, new in replacements:
        assert old in data
        data = data.replace(old, new)
    Ingestor(session).ingest([IngestItem(parse_billstatus(data, str(path)))])
    session.commit()
    return session.execute(select(BillSource.bill_id).where(BillSource.source_key == "117-hr-1")).scalar_one()
