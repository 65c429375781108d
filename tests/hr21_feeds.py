"""H.R. 21 of the 117th Congress (FedRAMP Authorization Act) as both Library of Congress feeds serve it: the one
real bill the shared data holds as Congress.gov API responses (``congressgov_api/``) and in the BILLSTATUS archive.
Callers skip without the real data (``require_realdata``)."""

import tarfile

from realdata_paths import require_realdata

from tracker.records import BillRecord
from tracker.sources.congress_api import parse_bill
from tracker.sources.govinfo_billstatus import parse_billstatus

API_LOCATOR = "https://api.congress.gov/v3/bill/117/hr/21"
API_PARTS = ("actions", "cosponsors", "committees", "subjects", "summaries", "text", "titles", "relatedbills")


def hr21_from_api() -> BillRecord:
    folder = require_realdata("congressgov_api")
    return parse_bill((folder / "bill_117_hr_21.json").read_bytes(),
                      {name: [(folder / f"bill_117_hr_21_{name}.json").read_bytes()] for name in API_PARTS},
                      API_LOCATOR)


def hr21_billstatus_file() -> tuple[str, bytes]:
    """(archive member name, BILLSTATUS XML) of H.R. 21 in the 117th Congress archive."""
    with tarfile.open(require_realdata("billstatus", "congress117", "c117_all.tar.gz"), "r|gz") as tar:
        for member in tar:
            if member.name.endswith("/hr/hr21/fdsys_billstatus.xml"):
                return member.name, tar.extractfile(member).read()  # type: ignore[union-attr]
    raise AssertionError("H.R. 21 missing from the 117th archive")


def hr21_from_billstatus() -> BillRecord:
    name, data = hr21_billstatus_file()
    return parse_billstatus(data, name)
