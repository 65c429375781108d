"""What ``tracker import`` remembers about archives, so re-reading an unchanged one costs almost nothing.

Two levels, both kept in ``SourceDocument`` rows (no schema of their own):

- a whole archive: one row under ``ARCHIVE_SOURCE`` keyed by the archive's resolved path, holding the SHA-256 of
  its compressed bytes, and in ``etag`` its size, mtime and how many documents and bills it gave. Size is the
  pre-check (a different size is a different archive, nothing to hash); the hash is the proof. An unchanged
  archive is counted as that many unchanged bills without being decompressed. Only an import in which the
  archive gave no error records it, so a failed member is retried next time.
- a ``.zip`` member: its row (written by ingest like any document's) carries the central directory's CRC-32 and
  size in ``etag``; a member whose entry still says the same is skipped without being inflated.

Neither skips what an older version of its parser read (``tracker.readings``): an archive holding such a member
is read again (its other members are still skipped by their hash), and so is such a zip member.
"""

import hashlib
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlmodel import Session

from tracker.ingest import Ingestor, SourceDocumentInfo
from tracker.models import SourceDocument
from tracker.readings import is_stale, stale_condition
from tracker.sources.reading import reading_versions

ARCHIVE_SOURCE = "import_archive"
_HASH_CHUNK = 1 << 20


@dataclass(frozen=True)
class ArchiveStamp:
    """An archive as last imported without error."""

    size: int
    mtime_ns: int
    documents: int  # members read, bills or not
    bills: int  # members that were bills: what a skip reports as unchanged

    def encode(self) -> str:
        return f"size={self.size};mtime_ns={self.mtime_ns};documents={self.documents};bills={self.bills}"

    @classmethod
    def decode(cls, value: str | None) -> "ArchiveStamp | None":
        try:
            fields = dict(part.split("=", 1) for part in (value or "").split(";"))
            return cls(int(fields["size"]), int(fields["mtime_ns"]), int(fields["documents"]), int(fields["bills"]))
        except (KeyError, ValueError):
            return None  # written by another version, or damaged: read the archive


def zip_member_stamp(crc: int, size: int) -> str:
    """``etag`` of a zip member: the central directory's CRC-32 and uncompressed size."""
    return f"zip-crc32={crc:08x};size={size}"


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(_HASH_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


@dataclass
class _Reading:
    """An archive being read in this import: its identity at the start and what it gave so far."""

    path: Path
    key: str
    size: int
    mtime_ns: int
    digest: str
    documents: int = 0
    bills: int = 0


class ArchiveLedger:
    """``reread``: report nothing unchanged (``tracker import --reparse``), but still stamp what is read."""

    def __init__(self, session: Session, *, reread: bool = False):
        self.session = session
        self.reread = reread
        self._reading: dict[str, _Reading] = {}  # by the archive's locator prefix (str(path))

    # -- archive level --------------------------------------------------------------------------------------

    def unchanged(self, path: Path) -> ArchiveStamp | None:
        """The stamp of ``path`` if it holds the same bytes as when last imported without error; else None, and
        the archive is tracked so ``record`` can stamp it once its members are stored."""
        key = str(path.resolve())
        stat = path.stat()
        row = self.session.execute(
            select(SourceDocument.content_hash, SourceDocument.etag).where(
                SourceDocument.source_name == ARCHIVE_SOURCE,
                SourceDocument.locator_key == SourceDocument.key_for(key))
        ).first()
        stamp = ArchiveStamp.decode(row.etag) if row and not self.reread else None
        if stamp is not None and stamp.size != stat.st_size:
            stamp = None  # a different size is a different archive: hashing would only confirm it
        digest = file_sha256(path)
        if stamp is not None and row is not None and row.content_hash == digest and not self._read_by_older(path):
            return stamp
        self._reading[str(path)] = _Reading(path, key, stat.st_size, stat.st_mtime_ns, digest)
        return None

    def _read_by_older(self, path: Path) -> bool:
        """Whether a member of ``path`` was last read by an older version of its parser."""
        return self.session.execute(select(SourceDocument.id).where(
            SourceDocument.locator.startswith(f"{path}!", autoescape=True), stale_condition()).limit(1)).first() \
            is not None

    def count(self, locator: str, *, bill: bool) -> None:
        """Tally one document read from an archive (``archive!member``); ``bill`` False for a non-bill document."""
        reading = self._archive_of(locator)
        if reading is not None:
            reading.documents += 1
            reading.bills += bill

    def uncount_bill(self, locator: str) -> None:
        """A document counted as a bill turned out to hold none."""
        reading = self._archive_of(locator)
        if reading is not None:
            reading.bills -= 1

    def record(self, ingestor: Ingestor, errors: list[tuple[str, str]]) -> None:
        """Stamp every archive read in full that gave no error and did not change while it was read."""
        failed = {locator.split("!", 1)[0] for locator, _ in errors}
        infos = []
        for prefix, reading in self._reading.items():
            if prefix in failed or "flagging" in failed:
                continue
            try:
                stat = reading.path.stat()
            except OSError:
                continue
            if (stat.st_size, stat.st_mtime_ns) != (reading.size, reading.mtime_ns):
                continue  # replaced during the import: what was read may not be what is there now
            stamp = ArchiveStamp(reading.size, reading.mtime_ns, reading.documents, reading.bills)
            infos.append(SourceDocumentInfo(locator=reading.key, content_hash=reading.digest, etag=stamp.encode()))
        if infos:
            ingestor.touch_documents(ARCHIVE_SOURCE, infos)

    def _archive_of(self, locator: str) -> _Reading | None:
        prefix, bang, _ = locator.partition("!")
        return self._reading.get(prefix) if bang else None

    # -- zip members ----------------------------------------------------------------------------------------

    def zip_member_stamps(self, path: Path) -> dict[str, str]:
        """``etag`` by member locator for every member of this zip stored before with a CRC-32 stamp."""
        if self.reread:
            return {}
        prefix = f"{path}!"
        versions = reading_versions()
        rows = self.session.execute(
            select(SourceDocument.locator, SourceDocument.etag, SourceDocument.source_name,
                   SourceDocument.read_by).where(
                SourceDocument.locator.startswith(prefix, autoescape=True),  # a path may hold % or _
                SourceDocument.etag.is_not(None), SourceDocument.bill_id.is_not(None))
        )
        # SQLite's LIKE ignores ASCII case: keep only exact prefixes.
        return {locator: etag for locator, etag, source, read_by in rows
                if locator.startswith(prefix) and not is_stale(source, read_by, versions)}
