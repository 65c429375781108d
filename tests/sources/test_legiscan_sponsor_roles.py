"""LegiScan sponsor roles as the dataset records them, and nothing more.

The API manual (Static Values, Sponsor Types) gives ``sponsor_type_id`` 0 "Sponsor (Generic / Unspecified)",
1 "Primary Sponsor", 2 "Co-Sponsor", 3 "Joint Sponsor"; ``sponsor_order`` is only the "index of order in
sponsorship list". The real Alaska 2011 files give type 0 and order 0 to every sponsor (19 on HB 3), so nothing
in them says who is primary: they were all read as primary sponsors, and a packet listed nineteen "sponsors" and no
cosponsors. Mississippi 2014 (legacy XML) gives type 1 to every sponsor, ordered 1..n: each is a primary sponsor
as LegiScan records it, whatever their place in the list.
"""

import json
import tarfile

import pytest
from realdata_paths import require_realdata

from tracker.models.enums import SponsorshipKind
from tracker.sources import legiscan
from tracker.sources.legiscan import parse_bill

pytestmark = pytest.mark.realdata


def _bill(name: str) -> dict:
    return json.loads(require_realdata("legiscan", "dataset_json", "bill", name).read_bytes())


def test_unspecified_sponsors_are_not_called_primary() -> None:
    hb3 = parse_bill(json.dumps(_bill("HB3.json")).encode(), "HB3.json")
    assert len(hb3.sponsorships) == 19
    assert {s.kind for s in hb3.sponsorships} == {SponsorshipKind.sponsor}
    # A committee that sponsors (Arkansas's Joint Budget Committee, type 0 too) is not ranked either.
    hb1044 = parse_bill(json.dumps(_bill("HB1044.json")).encode(), "HB1044.json")
    assert [(s.name, s.kind) for s in hb1044.sponsorships] == [("Joint Budget Committee", SponsorshipKind.sponsor)]


def test_documented_types_read_as_documented() -> None:
    payload = _bill("HB2.json")  # three real sponsors, given the manual's other types
    for sponsor, type_id in zip(payload["bill"]["sponsors"], (1, 2, 3), strict=True):
        sponsor["sponsor_type_id"] = type_id
    record = parse_bill(json.dumps(payload).encode(), "HB2.json")
    assert [s.kind for s in record.sponsorships] == [SponsorshipKind.primary, SponsorshipKind.cosponsor,
                                                    SponsorshipKind.primary]


def test_mississippi_2014_sponsors_stay_primary_in_their_order() -> None:
    archive = require_realdata("legiscan", "dataset_xml_MS2014.tar.gz")
    with tarfile.open(archive, "r|gz") as tar:
        for member in tar:
            if member.name.endswith("/bill/HB1535.xml"):
                record = parse_bill(tar.extractfile(member).read(), member.name)  # type: ignore[union-attr]
                break
    assert len(record.sponsorships) > 3
    assert {s.kind for s in record.sponsorships} == {SponsorshipKind.primary}


def test_stored_legiscan_bills_are_read_again() -> None:
    # Databases that stored these bills under version 1 read them again on the next import.
    assert legiscan.READING_VERSION >= 2


def test_search_still_finds_unranked_sponsors_as_sponsors() -> None:
    """Search weighs a bill's sponsors above its cosponsors (Bill.sponsor_names): a sponsor whose role the file
    does not give is still one of the bill's sponsors, not demoted to a cosponsor by the change above."""
    from tracker.prepare import prepare

    hb3 = prepare(parse_bill(json.dumps(_bill("HB3.json")).encode(), "HB3.json"))
    assert hb3.names["sponsor_names"] and "lynn" in hb3.names["sponsor_names"]
    assert not hb3.names["cosponsor_names"]
