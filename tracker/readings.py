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

import re
from dataclasses import dataclass, field
from pathlib import PurePath

from sqlalchemy import ColumnElement, and_, false, or_, select
from sqlmodel import Session

from tracker.models import SourceDocument
from tracker.sources.reading import reading_versions

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
    return [OlderReadings(source, versions[source], len(crawled_ids), len(imported_ids - crawled_ids), sorted(paths),
                          sorted(congresses))
            for source, (crawled_ids, imported_ids, paths, congresses) in sorted(seen.items())]


def _import_root(locator: str) -> str | None:
    """What to import again for one imported document: its archive (``archive!member``), or its folder.
    California pubinfo rows (``pubinfo:KEY``) do not name their download."""
    if locator.startswith("pubinfo:"):
        return None
    archive, bang, _ = locator.partition("!")
    return archive if bang else str(PurePath(locator).parent)


def _quoted(path: str) -> str:
    import shlex

    return shlex.quote(path)
