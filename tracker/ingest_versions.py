"""A bill's text versions: the union of what every feed of the owner's rank knows.

GovInfo BILLSTATUS and the Congress.gov API serve one Library of Congress record (equal rank, docs/sources.md),
but not the same renditions of its texts: BILLSTATUS lists each version with its GovInfo XML only, the API with
PDF, HTML, formatted text and XML. Whichever of the two owns the bill, a reader wants the PDF. So versions are
not replaced wholesale by the owner, as the other children are: each version is matched across feeds by its
URL, else by version code (``ih``, ``enr``: the GovInfo package both feeds name), and every rendition keeps the
feeds that listed it (``links[].sources``). A feed delivering the bill again replaces only what it listed: a
version or rendition stays while any feed of the owner's rank still lists it, whatever order they arrive in.
Lower-ranked feeds still add no versions (their texts have other URLs and no shared code: they would double).
Their documents are matched to the owner's versions instead (``tracker.version_match``: the state's link, else date
and type) and each matched version records the feed's document id in ``documents``, so a text that LegiScan sends
apart from its bill (``tracker.ingest_texts``) reaches the version Open States or pubinfo owns; a text such a feed
delivers with its bill fills a matched version that has none. A higher-ranked feed taking a bill over from LegiScan
does the same with LegiScan's versions it replaces: their document ids, and their text where the new version has
none, move to the new owner's matching versions.

Links stored before renditions carried their feeds have none: they are the feed's that owned the bill then.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import delete, select
from sqlmodel import Session

from tracker.models import BillVersion
from tracker.upsert import DriverInsert
from tracker.version_match import candidate, match

_META = ("label", "code", "date", "format", "links", "documents")
_UPSERT = DriverInsert.upsert(BillVersion.__table__, ("bill_id", "url", *_META), ("bill_id", "url"), _META)
# A version delivered with text gets it (and its hash); one delivered without leaves stored text alone, so text
# extracted earlier survives a metadata refresh.
_TEXT_UPSERT = DriverInsert.upsert(BillVersion.__table__, ("bill_id", "url", *_META, "text", "text_hash"),
                                   ("bill_id", "url"), (*_META, "text", "text_hash"))
# Renditions in the order a reader wants them: a printable PDF, a page, plain text, then data.
_FORMAT_ORDER = {"pdf": 0, "html": 1, "htm": 1, "txt": 2, "xml": 3}


@dataclass
class Delivery:
    """One feed's versions of one bill, as written in this batch."""

    bill_id: int
    source: str
    versions: Sequence[dict[str, Any]]
    owns: bool  # the feed owns the bill after this batch: its label and date win over the others'
    legacy_source: str | None  # who wrote the stored links that name no feed: the bill's owner before the batch
    news: bool  # a version new to the bill is recorded as a change (not for a new bill, nor for a correction)
    attaches: bool = False  # a lower-ranked feed: its versions add nothing, they name the owner's by document id


@dataclass
class _Row:
    stored: dict[str, Any] | None  # as read, to write only what moved
    url: str
    label: str
    code: str | None
    date: Any
    format: str | None
    links: list[dict[str, Any]]
    linkless_source: str | None = None  # a version listed without renditions: the feed that wrote it
    text: str | None = None
    text_hash: str | None = None
    delivered: set[str] = field(default_factory=set)
    documents: dict[str, str] = field(default_factory=dict)  # lower-ranked feeds' document ids of this version
    has_text: bool = False  # the stored row holds a text

    def candidate(self) -> Any:
        return candidate([self.url, *(link.get("url") for link in self.links)], self.date, self.label)


def _sorted_links(links: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return sorted(links, key=lambda link: (_FORMAT_ORDER.get(str(link.get("format") or "").lower(), 9),
                                           link.get("url") or ""))


def _release(rows: list[_Row], delivery: Delivery, shares: Callable[[str], bool]) -> None:
    """Take out what ``delivery.source`` listed before, keeping every other sharing feed's renditions."""
    for row in rows:
        kept = []
        for link in row.links:
            sources = [s for s in (link.get("sources") or [delivery.legacy_source])
                       if s and s != delivery.source and shares(s)]
            if sources:
                kept.append({**link, "sources": sorted(set(sources))})
        row.links = kept
        if row.linkless_source == delivery.source or (row.linkless_source and not shares(row.linkless_source)):
            row.linkless_source = None


def _merge(rows: list[_Row], delivery: Delivery) -> list[_Row]:
    """Add the delivery's versions to ``rows``; returns the versions that are new to the bill."""
    created = []
    for version in delivery.versions:
        code = version.get("code")
        # By URL; else by code, but only a version another feed still lists: codes repeat within one feed's
        # list (pubinfo's "ama" for each Assembly amendment), never across the package names of GovInfo.
        row = next((r for r in rows if r.url == version["url"]), None) or next(
            (r for r in rows if code and r.code == code and delivery.source not in r.delivered
             and (r.links or r.linkless_source)), None)
        links = [{"format": link.get("format") or "", "url": link["url"], "sources": [delivery.source]}
                 for link in version.get("links") or [] if link.get("url")]
        if row is None:
            row = _Row(stored=None, url=version["url"], label=version["label"], code=code, date=version.get("date"),
                       format=version.get("format"), links=[])
            rows.append(row)
            created.append(row)
        elif delivery.owns:
            row.label, row.code = version["label"], code or row.code
            if row.url == version["url"]:
                row.format = version.get("format")
            row.date = version.get("date") or row.date  # BILLSTATUS publishes "Enrolled Bill" undated
        else:
            row.code, row.date = row.code or code, row.date or version.get("date")
        by_url = {link["url"]: link for link in row.links}
        for link in links:
            if link["url"] in by_url:
                by_url[link["url"]]["sources"] = sorted({*by_url[link["url"]]["sources"], delivery.source})
            else:
                row.links.append(by_url.setdefault(link["url"], link))
        if not links:
            row.linkless_source = delivery.source
        if version.get("text") and (delivery.owns or not row.text):
            row.text, row.text_hash = version["text"], version.get("text_hash")
        row.delivered.add(delivery.source)
    return created


def _attach(rows: list[_Row], delivery: Delivery) -> None:
    """A lower-ranked feed's documents onto the versions it matches (``tracker.version_match``); nothing added."""
    documents = [v for v in delivery.versions if v.get("code")]
    found = match([candidate([v.get("url"), *(link.get("url") for link in v.get("links") or [])], v.get("date"),
                             v.get("label")) for v in documents], [row.candidate() for row in rows])
    for row in rows:
        row.documents.pop(delivery.source, None)
    for d, r in found.items():
        row, version = rows[r], documents[d]
        row.documents[delivery.source] = str(version["code"])
        if version.get("text") and not (row.text or row.has_text):  # never over the owner's text
            row.text, row.text_hash = version["text"], version.get("text_hash")


def _carry_over(session: Session, leaving: list[tuple[_Row, str]], staying: list[_Row]) -> None:
    """Versions a lower-ranked feed owned until a higher one took the bill over: their document ids (and text,
    where the new version has none) go to the new owner's matching versions before they are deleted."""
    for source in dict.fromkeys(source for _, source in leaving):
        rows = [row for row, s in leaving if s == source]
        stored = [row.stored or {} for row in rows]
        # Each leaving version as it was stored: its links are released by now.
        found = match([candidate([row.url, *(link.get("url") for link in old["links"] or [])], row.date, row.label)
                       for row, old in zip(rows, stored, strict=True)], [row.candidate() for row in staying])
        wanted = [stored[d]["id"] for d, r in found.items()
                  if rows[d].has_text and not (staying[r].text or staying[r].has_text)]
        texts = dict(session.execute(select(BillVersion.id, BillVersion.text).where(
            BillVersion.id.in_(wanted))).all()) if wanted else {}
        for d, r in found.items():
            new = staying[r]
            new.documents[source] = str(rows[d].code)
            if text := texts.get(stored[d]["id"]):
                new.text, new.text_hash = text, stored[d]["text_hash"]


def write_versions(session: Session, deliveries: Sequence[Delivery],
                   shares_with: Callable[[int], Callable[[str], bool]],
                   hasher: Callable[[str], str]) -> list[tuple[int, dict[str, Any]]]:
    """Merge each delivery into its bill's stored versions and write what moved (owners' deliveries first, so
    their labels are the ones kept). ``shares_with(bill_id)`` tells which feeds share the bill's versions (the
    owner's rank). Returns (bill id, version) of each version new to a bill whose delivery is ``news``."""
    if not deliveries:
        return []
    rows: dict[int, list[_Row]] = {d.bill_id: [] for d in deliveries}
    stored_bills = sorted({d.bill_id for d in deliveries if d.legacy_source is not None})  # a new bill has none
    for stored in [] if not stored_bills else session.execute(
            select(BillVersion.id, BillVersion.bill_id, BillVersion.url, BillVersion.label, BillVersion.code,
                   BillVersion.date, BillVersion.format, BillVersion.links, BillVersion.documents,
                   BillVersion.text_hash)
            .where(BillVersion.bill_id.in_(stored_bills))).mappings():
        rows[stored["bill_id"]].append(_Row(
            stored=dict(stored), url=stored["url"], label=stored["label"], code=stored["code"], date=stored["date"],
            format=stored["format"], links=[dict(link) for link in stored["links"] or []],
            documents=dict(stored["documents"] or {}), has_text=stored["text_hash"] is not None))
    for bill_rows in rows.values():
        for row in bill_rows:
            if not row.links:  # written before links existed, or by a feed that lists none
                row.linkless_source = ""  # resolved per delivery below
    news: list[tuple[int, dict[str, Any]]] = []
    legacy = {d.bill_id: d.legacy_source for d in deliveries}
    for delivery in sorted(deliveries, key=lambda d: (not d.owns, d.attaches)):
        bill_rows = rows[delivery.bill_id]
        for row in bill_rows:
            if row.linkless_source == "":
                row.linkless_source = delivery.legacy_source
        if delivery.attaches:  # the owner's versions stay as they are (a version listed without links too)
            _attach(bill_rows, delivery)
            continue
        _release(bill_rows, delivery, shares_with(delivery.bill_id))
        created = _merge(bill_rows, delivery)
        if delivery.news:
            news.extend((delivery.bill_id, {"label": r.label, "date": r.date, "url": r.url}) for r in created)

    stale: list[int] = []
    plain: list[dict[str, Any]] = []
    with_text: list[dict[str, Any]] = []
    def kept(row: _Row) -> bool:
        return bool(row.links or row.linkless_source or row.delivered)

    for bill_id, bill_rows in rows.items():
        shares = shares_with(bill_id)
        leaving = [(row, source) for row in bill_rows if row.stored is not None and row.code and not kept(row)
                   and (source := next(iter((row.stored["links"] or [{}])[0].get("sources") or []), None)
                        or legacy.get(bill_id)) and not shares(source)]
        if leaving:
            _carry_over(session, leaving, [row for row in bill_rows if kept(row)])
        for row in bill_rows:
            if not kept(row):
                if row.stored is not None:
                    stale.append(row.stored["id"])
                continue
            out = {"bill_id": bill_id, "url": row.url, "label": row.label, "code": row.code, "date": row.date,
                   "format": row.format, "links": _sorted_links(row.links), "documents": row.documents or None}
            if row.text:
                with_text.append({**out, "text": row.text, "text_hash": row.text_hash or hasher(row.text)})
            elif row.stored is None or any(row.stored[c] != out[c] for c in _META):
                plain.append(out)
    if stale:
        session.execute(delete(BillVersion).where(BillVersion.id.in_(stale)))
    _TEXT_UPSERT.execute(session, with_text)
    _UPSERT.execute(session, plain)
    return news
