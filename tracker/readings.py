"""Bills an older parser read: how many per feed, and what reads them again.

Ingest records on each document the version of the parser that read it (``SourceDocument.read_by``,
``tracker.sources.reading``). After an upgrade that bumped a parser's version, the bills read before stay as the
old parser read them until their bytes are read again, and nothing else would say so: `tracker db upgrade`
(``tracker.upgrade_notes``) and `tracker status` (``tracker.health``) name them with the command to run.

- Imported files: `tracker import PATH` reads such documents again (their unchanged bytes are skipped only when
  the current parser read them), as corrections: no change records, no alerts. `--reparse` reads every one.
- Crawled documents: their bytes are not kept, and upstream says they did not change, so a crawl skips them;
  `tracker crawl SOURCE --refresh` fetches them again (``tracker.crawlstore.CrawlStore``).
"""

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import TYPE_CHECKING

from sqlalchemy import ColumnElement, and_, false, or_, select
from sqlmodel import Session

from tracker.models import BillSource, PubinfoLoad, SourceDocument
from tracker.sources.reading import reading_versions
from tracker.sql_keys import keys_in

if TYPE_CHECKING:
    from tracker.ingest import IngestItem

PUBINFO = "ca_pubinfo"

PATHS_SHOWN = 3
# The Congress in a federal document's URL (GovInfo's BILLSTATUS files, Congress.gov's bill endpoints).
_CONGRESS_IN_URL = re.compile(r"/(?:bulkdata/BILLSTATUS|bill)/(\d{1,3})/")


def stale_condition(versions: dict[str, int] | None = None) -> ColumnElement[bool]:
    """SourceDocument rows read by an older version of their feed's parser (never NULL: unversioned rows, what
    no parser read, are not stale)."""
    versions = reading_versions() if versions is None else versions
    if not versions:
        return false()
    return or_(*(and_(SourceDocument.source_name == name, SourceDocument.read_by.is_not(None),
                      SourceDocument.read_by < version) for name, version in versions.items()))


def is_stale(source_name: str, read_by: int | None, versions: dict[str, int]) -> bool:
    return read_by is not None and source_name in versions and read_by < versions[source_name]


def crawled(locator: str) -> bool:
    """Whether a document was fetched by a crawl (a URL) rather than imported from a file."""
    return locator.startswith(("http://", "https://"))


@dataclass
class OlderReadings:
    """One feed's bills whose stored reading an older parser made."""

    source: str
    version: int  # the parser's version now
    crawled_bills: int = 0
    imported_bills: int = 0
    import_paths: list[str] = field(default_factory=list)  # files, archives and folders to import again
    congresses: list[int] = field(default_factory=list)  # of the crawled federal documents

    @property
    def bills(self) -> int:
        return self.crawled_bills + self.imported_bills

    def commands(self) -> list[str]:
        from tracker.crawling import spider_for

        out = []
        if self.crawled_bills:
            scope = f" --congress {','.join(map(str, self.congresses))}" if self.congresses else ""
            out.append(f"tracker crawl {spider_for(self.source)} --refresh{scope}")
        if self.imported_bills:
            shown = self.import_paths[:PATHS_SHOWN]
            if shown:
                out.extend(f"tracker import {_quoted(p)}" for p in shown)
                if len(self.import_paths) > len(shown):
                    out.append(f"(and {len(self.import_paths) - len(shown)} more files or folders: "
                               "`tracker import` each again)")
            else:
                out.append("tracker import PATH (the download these bills were imported from)")
        return out

    def describe(self) -> str:
        parts = []
        if self.crawled_bills:
            parts.append(f"{self.crawled_bills} crawled")
        if self.imported_bills:
            parts.append(f"{self.imported_bills} imported")
        return (f"{self.source}: {self.bills} bill(s) ({', '.join(parts)}) were read by an older version of its "
                f"parser (now version {self.version}) and keep that reading until read again: "
                + "; ".join(f"`{c}`" if c.startswith("tracker") else c for c in self.commands()))


def stale_documents(session: Session, source_name: str) -> dict[str, str]:
    """The source's documents of stored bills an older parser read: locator -> stored content hash."""
    return dict(session.execute(select(SourceDocument.locator, SourceDocument.content_hash).where(
        SourceDocument.source_name == source_name, SourceDocument.bill_id.is_not(None),
        stale_condition())).all())


def mark_rereadings(session: Session, items: Sequence["IngestItem"], older: dict[str, str]) -> None:
    """Items whose document an older parser read (``older``: ``stale_documents``) that come back as the same
    upstream copy (the same bytes, or the same upstream update stamp: feeds whose stored hash is of the record
    read, pubinfo's joined bills) are corrections of our reading, not news (``IngestItem.correction``: no change
    records, no alerts). `tracker crawl --refresh` and `tracker import` of a pubinfo download both ask."""
    again = [item for item in items if item.document is not None and item.document.locator in older]
    if not again:
        return
    again = [item for item in again if _prepares(item)]
    keys = list({(item.bill.source_name, item.bill.source_key) for item in again})
    stamps = {(name, key): _aware(stamp) for name, key, stamp in session.execute(
        select(BillSource.source_name, BillSource.source_key, BillSource.upstream_updated_at)
        .where(keys_in((BillSource.source_name, BillSource.source_key), keys)))}
    for item in again:
        assert item.document is not None
        stored = stamps.get((item.bill.source_name, item.bill.source_key))
        incoming = item.bill.bill["upstream_updated_at"]
        item.correction = item.correction or older[item.document.locator] == item.document.content_hash or (
            stored is not None and incoming is not None and _aware(incoming) == stored)


def _aware(value: dt.datetime | None) -> dt.datetime | None:
    return value if value is None or value.tzinfo else value.replace(tzinfo=dt.UTC)


def _prepares(item: "IngestItem") -> bool:
    """Prepare the item's record now (kept on it for ingest); one that cannot be is ingest's to report."""
    try:
        item.bill  # noqa: B018
    except Exception:  # noqa: BLE001
        return False
    return True


def pubinfo_downloads(session: Session) -> tuple[bool, list[str]]:
    """Where California's staged pubinfo rows came from, for bills an older parser read: no document of such a
    bill names a file (``pubinfo:KEY``: a bill is joined from several tables, a crawl and an import alike). The
    staged rows are those of the newest full load and the incrementals merged after it: (whether that full load
    was a crawl, the files an import read them from, in the order to import them again). A crawl keeps the
    archive's HTTP stamps on its load; an import keeps none, and the path it was given."""
    loads = session.execute(select(PubinfoLoad.archive, PubinfoLoad.kind, PubinfoLoad.listed_at,
                                   PubinfoLoad.last_modified, PubinfoLoad.etag).order_by(PubinfoLoad.id)).all()
    full = max((n for n, load in enumerate(loads) if load.kind == "full"), default=None)
    if full is None:
        return False, []
    crawled_full = any((loads[full].listed_at, loads[full].last_modified, loads[full].etag))
    paths = [load.archive for load in loads[full:]
             if not any((load.listed_at, load.last_modified, load.etag))]
    return crawled_full, list(dict.fromkeys(paths))


def older_readings(session: Session) -> list[OlderReadings]:
    """Per feed, the stored bills whose document an older parser read, crawled and imported apart."""
    versions = reading_versions()
    stale = stale_condition(versions)
    rows = session.execute(select(SourceDocument.source_name, SourceDocument.locator, SourceDocument.bill_id)
                           .where(stale, SourceDocument.bill_id.is_not(None))).all()
    if not rows:
        return []
    seen: dict[str, tuple[set[int], set[int], dict[str, None], set[int]]] = {}
    for source, locator, bill_id in rows:
        crawled_ids, imported_ids, paths, congresses = seen.setdefault(source, (set(), set(), {}, set()))
        if crawled(locator):
            crawled_ids.add(bill_id)
            if match := _CONGRESS_IN_URL.search(locator):
                congresses.add(int(match.group(1)))
        else:
            imported_ids.add(bill_id)
            if root := _import_root(locator):
                paths[root] = None
    if PUBINFO in seen:  # its documents name no file: what its staged rows came from says
        crawled_ids, imported_ids, paths, _ = seen[PUBINFO]
        crawled_full, files = pubinfo_downloads(session)
        if crawled_full:
            crawled_ids |= imported_ids
            imported_ids.clear()
        paths.update(dict.fromkeys(files))
    return [OlderReadings(source, versions[source], len(crawled_ids), len(imported_ids - crawled_ids),
                          list(paths) if source == PUBINFO else sorted(paths), sorted(congresses))
            for source, (crawled_ids, imported_ids, paths, congresses) in sorted(seen.items())]


def _import_root(locator: str) -> str | None:
    """What to import again for one imported document: its archive (``archive!member``), or its folder.
    California pubinfo rows (``pubinfo:KEY``) do not name their download (``pubinfo_downloads`` does)."""
    if locator.startswith("pubinfo:"):
        return None
    archive, bang, _ = locator.partition("!")
    return archive if bang else str(PurePath(locator).parent)


def _quoted(path: str) -> str:
    import shlex

    return shlex.quote(path)
