"""Version texts that travel apart from their bill (LegiScan dataset ``text/*.json``, GovInfo bill text XML read by
``tracker import`` or the ``govinfo_text`` crawl), called by ``tracker.ingest.Ingestor.ingest_texts`` in its
transaction.

A text names its bill by the source's own id (``BillSource``) and its version by the version's ``code`` (LegiScan's
``doc_id``, which its bill file lists in ``texts[]``). It fills that version's ``text``, ``text_hash`` and
``format`` as the crawl does when it fetches the text with the bill; a version whose stored text hashes the same is
not written, so importing a dataset again re-extracts and rewrites nothing.

Where a higher-ranked feed owns the bill's versions (Open States, pubinfo), no version has LegiScan's code: the
text goes to the version that records the document id in ``documents`` (matched when the bill file was ingested,
``tracker.ingest_versions``), and only if that version has no text yet: pubinfo's own bill text is never replaced.
"""

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import bindparam, select, update
from sqlmodel import Session

from tracker.models import BillSource, BillVersion
from tracker.records import VersionTextRecord
from tracker.sql_keys import keys_in


@dataclass
class TextOutcome:
    """What became of each text, by its position in the records given."""

    attached: list[int] = field(default_factory=list)  # its version's text was written (new or different)
    unchanged: list[int] = field(default_factory=list)  # the version holds this text already
    no_text: list[int] = field(default_factory=list)  # a type without an extractor (PDF): the version is left as is
    no_bill: list[int] = field(default_factory=list)  # the source has not delivered the bill (yet)
    no_version: list[int] = field(default_factory=list)  # the bill has no version with this code
    owner_text: list[int] = field(default_factory=list)  # the matching version holds its own feed's text: kept
    bill_ids: dict[int, int] = field(default_factory=dict)  # position -> bill id, for every text whose bill is known

    @property
    def changed_bill_ids(self) -> list[int]:
        return list(dict.fromkeys(self.bill_ids[n] for n in self.attached))


# Feeds that key a bill alike: GovInfo BILLSTATUS and the Congress.gov API both call H.R. 1 of the 117th "117-hr-1"
# (one Library of Congress record), so a GovInfo text fills the version of a bill whichever of the two delivered it.
_SAME_KEYS = {"govinfo_billstatus": ("govinfo_billstatus", "congress_api")}

_SET_TEXT = (update(BillVersion).where(BillVersion.id == bindparam("version_id"))
             .values(text=bindparam("new_text"), text_hash=bindparam("new_hash"), format=bindparam("new_format")))


def write_version_texts(session: Session, records: Sequence[VersionTextRecord]) -> TextOutcome:
    outcome = TextOutcome()
    wanted = {(name, r.bill_source_key) for r in records for name in _SAME_KEYS.get(r.source_name, (r.source_name,))}
    if not wanted:
        return outcome
    bills: dict[tuple[str, str], int] = {}
    for name, key, bill_id in session.execute(
            select(BillSource.source_name, BillSource.source_key, BillSource.bill_id).where(
                keys_in((BillSource.source_name, BillSource.source_key), list(wanted)))):
        bills[(name, key)] = bill_id
        for alias, names in _SAME_KEYS.items():
            if name in names:
                bills.setdefault((alias, key), bill_id)
    versions: dict[tuple[int, str], tuple[int, str | None]] = {}
    foreign: dict[tuple[int, str, str], tuple[int, str | None]] = {}  # (bill, source, document id) -> version
    for vid, bill_id, code, digest, documents in session.execute(
            select(BillVersion.id, BillVersion.bill_id, BillVersion.code, BillVersion.text_hash,
                   BillVersion.documents).where(BillVersion.bill_id.in_(set(bills.values())))):
        if code is not None:
            versions[(bill_id, code)] = (vid, digest)
        for source, document in (documents or {}).items():
            foreign[(bill_id, source, document)] = (vid, digest)
    # The last copy of a document wins (a dataset folder read after an older one).
    latest = {(r.source_name, r.bill_source_key, r.code): n for n, r in enumerate(records)}
    rows = []
    for n, record in enumerate(records):
        bill_id = bills.get((record.source_name, record.bill_source_key))
        if bill_id is None:
            outcome.no_bill.append(n)
            continue
        outcome.bill_ids[n] = bill_id
        version = versions.get((bill_id, record.code))
        owned = version is None and (bill_id, record.source_name, record.code) in foreign
        if owned:
            version = foreign[(bill_id, record.source_name, record.code)]
        if record.text is None:  # nothing to give any version, whoever owns them: remembered, not read again
            outcome.no_text.append(n)
        elif version is None:
            outcome.no_version.append(n)
        elif latest[(record.source_name, record.bill_source_key, record.code)] != n:
            outcome.unchanged.append(n)  # a later copy of the same document is written instead
        else:
            digest = hashlib.sha256(record.text.encode()).hexdigest()
            if digest == version[1]:
                outcome.unchanged.append(n)
                continue
            if owned and version[1] is not None:
                outcome.owner_text.append(n)
                continue
            outcome.attached.append(n)
            rows.append({"version_id": version[0], "new_text": record.text, "new_hash": digest,
                         "new_format": record.format})
    if rows:
        session.connection().execute(_SET_TEXT, rows)
    return outcome
