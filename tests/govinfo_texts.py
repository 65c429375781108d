"""Federal bills for the real GovInfo text samples (realdata/govinfo_text), for the text import and crawl tests.

No BILLSTATUS or Congress.gov file in realdata describes a bill whose text sample is there (PROVENANCE.md of each),
so each bill record is written here from its text document: the Congress, type, number and version code its
``citableAs`` names, its own official title, and the GovInfo package URL BILLSTATUS lists for that version. The
records then go through the real ingest, as a crawl's would.
"""

import re
from pathlib import Path

from realdata_paths import require_realdata

from tracker.records import BillRecord
from tracker.sources.govinfo_billstatus import JURISDICTION, bill_identifier, congress_session
from tracker.sources.govinfo_text import parse_bill_text

USLM = ("govinfo_text", "uslm_samples_usgpo-uslm")
PACKAGE = "https://www.govinfo.gov/content/pkg/BILLS-{key}/xml/BILLS-{key}.xml"
# H.R. 1000 says "securities transactions" 4 times in 66,700 characters, in one section: a long text's mentions
# count per three pages (tracker.matching.engine.repetition), 0.6 here, so the line sits under that.
TOPICS = """version: 1
topics:
  - slug: fintax
    name: Financial transaction tax
    threshold: 0.5
    description: Taxes on securities trades.
    rules:
      - rule: '"securities transactions"'
        weight: 1
"""


def text_sample(name: str) -> Path:
    return require_realdata(*USLM, name)


def package_url(congress: int, bill_type: str, number: str, code: str) -> str:
    return PACKAGE.format(key=f"{congress}{bill_type}{number}{code}")


def federal_bill(name: str, *, source: str = "govinfo_billstatus", codes: tuple[str, ...] = ()) -> BillRecord:
    """The bill of text sample ``name``, as ``source`` would deliver it, with versions ``codes`` (default: the
    sample's own), each linking its GovInfo XML."""
    data = text_sample(name).read_bytes()
    parsed = parse_bill_text(data, name)
    assert parsed.congress and parsed.bill_type and parsed.number and parsed.version_code, name
    found = re.search(rb"<officialTitle>(.*?)</officialTitle>", data, re.DOTALL)
    title = re.sub(r"<[^>]+>", "", found.group(1).decode()) if found else f"Bill {parsed.number}"
    versions = []
    for n, code in enumerate(codes or (parsed.version_code,)):
        url = package_url(parsed.congress, parsed.bill_type, parsed.number, code)
        versions.append({"label": code.upper(), "url": url, "code": code, "date": f"2019-0{n + 1}-15",
                         "format": "xml", "links": [{"format": "xml", "url": url}]})
    upper = parsed.bill_type.upper()
    return BillRecord.model_validate({
        "jurisdiction": JURISDICTION, "session": congress_session(parsed.congress),
        "identifier": bill_identifier(upper, parsed.number), "bill_type": upper, "number": parsed.number,
        "classification": "bill" if parsed.bill_type in ("hr", "s") else "resolution", "title": title,
        "stage": "introduced", "introduced_date": "2019-01-15", "latest_action_date": "2019-01-15",
        "upstream_updated_at": "2019-02-01T00:00:00Z", "source_name": source,
        "source_key": f"{parsed.congress}-{parsed.bill_type}-{parsed.number}", "versions": versions})
