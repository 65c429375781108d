"""Reading a stored LegiScan bill again under LegiScan READING_VERSION 2 (its unranked sponsors are no longer
called primary) is not news: the real Alaska HB 3 (2011), stored as version 1 read it, then read again, records no
"sponsor change" naming all 19 sponsors as both added and removed, which alerts would have mailed to followers."""

import json

import pytest
from realdata_paths import require_realdata
from sqlmodel import Session, select

from tracker.ingest import IngestItem, Ingestor
from tracker.models import BillChange, Sponsorship
from tracker.models.enums import SponsorshipKind
from tracker.sources.legiscan import parse_bill

pytestmark = pytest.mark.realdata


def test_a_sponsor_now_read_as_unranked_is_not_added_and_removed(session: Session) -> None:
    path = require_realdata("legiscan", "dataset_json", "bill", "HB3.json")
    now = parse_bill(path.read_bytes(), str(path))
    as_version_1_read_it = now.model_copy(update={"sponsorships": [
        s.model_copy(update={"kind": SponsorshipKind.primary}) for s in now.sponsorships]})
    Ingestor(session).ingest([IngestItem(record=as_version_1_read_it)])
    session.commit()
    result = Ingestor(session).ingest([IngestItem(record=now)])
    session.commit()
    assert result.updated == 1  # stored again, with the sponsors' kinds as read now
    assert set(session.execute(select(Sponsorship.kind)).scalars()) == {SponsorshipKind.sponsor}
    changes = [c.kind for c in session.execute(select(BillChange)).scalars()]
    assert changes == ["new_bill"], json.dumps(changes)
