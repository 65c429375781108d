"""``tracker import PATH``: files, directory trees and archives through the same parsers and ingest as crawls.

Archives (``.zip`` as GovInfo serves bulk downloads, ``.tar.gz``/``.tgz``/``.tar``) are streamed member by
member, never unpacked to disk. A document whose bytes hash the same as one already imported from the source is
skipped before parsing, so a re-import costs little more than reading the files; unless an older version of its
parser read it (``tracker.readings``): then it is read again, and what now reads differently is a correction.
"""

import contextlib
import gc
import hashlib
import itertools
import logging
import multiprocessing
import multiprocessing.forkserver
import os
import re
import signal
import tarfile
import threading
import time
import zipfile
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

from sqlalchemy import Engine, select, text
from sqlmodel import Session

from tracker.import_ledger import ArchiveLedger, zip_member_stamp
from tracker.ingest import (
    IngestItem,
    Ingestor,
    IngestResult,
    SourceDocumentInfo,
    count_committed,
    finish_run,
    record_error,
    start_run,
)
from tracker.models import CrawlRun, SourceDocument
from tracker.models.enums import RunStatus
from tracker.prefetch import prefetched
from tracker.prepare import PreparedBill, prepare
from tracker.readings import PUBINFO, mark_rereadings, stale_condition, stale_documents
from tracker.records import BillRecord, ParseError, RollCallRecord, VersionTextRecord
from tracker.run_owner import is_gone, owner_token
from tracker.xmlsafe import parse_xml, xml_head

if TYPE_CHECKING:  # flagging (NumPy, the models) is imported when a batch is flagged, not at start
    from tracker.matching.store import ScoringContext
    from tracker.sources.legiscan import Person

log = logging.getLogger(__name__)

BATCH_SIZE = 500
PARALLEL_MIN_DOCUMENTS = 256  # below this, starting parser processes costs more than it saves
PARSE_CHUNK = 32  # documents per task sent to a parser process
# Documents read ahead of the parsers, and sent to them but not yet written, are bounded by count (so the workers
# stay busy on small files) and by bytes (so a folder or archive of large files does not pile up in memory: the
# 117th Congress's files average 15 KB, but nothing stops one from holding hundreds of megabyte-sized files).
READ_AHEAD_BYTES = 32 * 1024 * 1024
IN_FLIGHT_BYTES = 64 * 1024 * 1024
MAX_DOCUMENT_BYTES = 64 * 1024 * 1024  # no real bill file comes near; a bigger member is refused unread
LASTMOD_SUFFIX = "-lastmod.txt"  # unitedstates/congress writes the GovInfo lastmod stamp beside each file
# What a bill document can be named in a folder or archive: every Format's suffixes (tests/tracker/test_importer.py
# checks) and California pubinfo's tables and bill texts (read as a download; alone they are reported, not skipped).
DOCUMENT_SUFFIXES = (".xml", ".json", ".dat", ".lob")
# unitedstates/congress writes its own data.json/data.xml beside each fdsys_billstatus.xml (and each amendment and
# vote), and bill texts under text-versions/: its output, not a feed's bill document.
_UNITEDSTATES_OUTPUT = re.compile(r"(?:^|/)(?:(?:bills|amendments|votes)/[^/]+/[^/]+/data\.(?:json|xml)"
                                  r"|bills/[^/]+/[^/]+/text-versions/.*)$", re.IGNORECASE)


# What opening a damaged zip raises: besides BadZipFile and OSError, NotImplementedError for a "zip file version"
# zipfile does not know and UnicodeDecodeError for a member name flagged UTF-8 that is not.
ZIP_OPEN_ERRORS = (zipfile.BadZipFile, OSError, NotImplementedError, UnicodeDecodeError)


@dataclass(frozen=True)
class Format:
    """A document format ``tracker import`` understands: how to recognise it and which parser reads it.

    ``parse`` None marks documents that belong to a known download but hold no bill (Open States jurisdiction
    metadata): they are counted and skipped, not reported as errors. LegiScan roll calls, people and texts parse
    to a ``RollCallRecord``, a (people_id, name) pair and a ``VersionTextRecord``: stored after the bills."""

    source_name: str
    suffixes: tuple[str, ...]
    sniff: Callable[[bytes], bool]
    parse: Callable[[bytes, str], BillRecord | RollCallRecord | VersionTextRecord | tuple[str, str]] | None


def _billstatus_format() -> Format:
    from tracker.sources.govinfo_billstatus import parse_billstatus

    # The byte test answers for every real file (UTF-8); the decoded head for any other declared encoding.
    return Format("govinfo_billstatus", (".xml",),
                  lambda head: b"<billStatus" in head[:4096] or "<billStatus" in xml_head(head), parse_billstatus)


def _openstates_format() -> Format:
    from tracker.sources.openstates import looks_like_bill, parse_bill

    return Format("openstates", (".json",), looks_like_bill, parse_bill)


def _legiscan_format() -> Format:
    from tracker.sources.legiscan import looks_like_bill, parse_bill

    return Format("legiscan", (".json", ".xml"), looks_like_bill, parse_bill)


def _legiscan_roll_call_format() -> Format:
    from tracker.sources.legiscan import looks_like_roll_call, parse_roll_call

    return Format("legiscan", (".json", ".xml"), looks_like_roll_call, parse_roll_call)


def _legiscan_person_format() -> Format:
    from tracker.sources.legiscan import looks_like_person, parse_person

    return Format("legiscan", (".json", ".xml"), looks_like_person, parse_person)


def _legiscan_text_format() -> Format:
    from tracker.sources.legiscan import looks_like_text, parse_text_record

    return Format("legiscan", (".json", ".xml"), looks_like_text, parse_text_record)


def _govinfo_text_format() -> Format:
    from tracker.sources.govinfo_text import looks_like_bill_text, parse_text_record

    return Format("govinfo_billstatus", (".xml",), looks_like_bill_text, parse_text_record)


def _not_bills(head: bytes) -> bool:
    text = head[:2048].lstrip()
    return (  # LegiScan dataset members other than bills; Open States jurisdiction and session metadata
        text.startswith((b'{"person"', b'{"roll_call"', b'{"status":"OK","person"'))
        or (b"<legiscan" in text and (b"<person>" in text or b"<roll_call>" in text))
        or b'"legislative_sessions"' in text or b'"date_folder"' in text)


def _not_bills_format() -> Format:
    return Format("legiscan", (".json", ".xml"), _not_bills, None)


FORMAT_FACTORIES: tuple[Callable[[], Format], ...] = (
    _billstatus_format, _openstates_format, _legiscan_format, _legiscan_roll_call_format, _legiscan_person_format,
    _legiscan_text_format, _govinfo_text_format, _not_bills_format)


@dataclass
class Document:
    locator: str  # what an error message names: the file, or archive!member
    data: bytes
    last_modified: str | None = None
    etag: str | None = None  # a zip member's CRC-32 stamp (tracker.import_ledger)
    digest: str | None = None  # SHA-256 of ``data``, when the reader thread computed it


@dataclass(frozen=True)
class Unchanged:
    """Documents known unchanged from their archive's or zip entry's stamps, so never read."""

    locator: str
    documents: int
    bills: int


@dataclass
class ImportReport:
    run: CrawlRun
    result: IngestResult
    errors: list[tuple[str, str]]
    skipped: int = 0  # other files in the folders and archives read: not bill documents (``other_file``)

    @property
    def ok(self) -> bool:
        return not self.errors


class ImportPathError(ValueError):
    pass


# -- reading ------------------------------------------------------------------------------------------------

def _is_archive(path: Path) -> bool:
    name = path.name.lower()
    return name.endswith((".zip", ".tar.gz", ".tgz", ".tar"))


def _skip_name(name: str) -> bool:
    """Hidden files and macOS resource forks (string operations: this runs for every archive member)."""
    base = name.rstrip("/").rsplit("/", 1)[-1]
    return not base or base.startswith(".") or name.startswith("__MACOSX") or "/__MACOSX/" in name


def other_file(name: str) -> bool:
    """A file inside a folder or archive that is no bill document: no importer reads its type (README.md, an
    index.jsonl, a .csv or .html page), or unitedstates/congress's own output. Counted as skipped, never read;
    a file named on the command line is read whatever its name, and reported if it is no bill."""
    return not name.lower().endswith(DOCUMENT_SUFFIXES) or _UNITEDSTATES_OUTPUT.search(name) is not None


def _files_under(folder: Path, errors: list[tuple[str, str]]) -> list[Path]:
    """Every file in the tree, in path order. A folder that cannot be listed (permissions) is an error naming it:
    ``Path.rglob`` would leave it out without a word."""

    def unreadable(exc: OSError) -> None:
        errors.append((exc.filename or str(folder), f"cannot read directory: {exc.strerror or exc}"))

    found = [Path(root, name) for root, _dirs, names in os.walk(folder, onerror=unreadable) for name in names]
    return sorted(p for p in found if p.is_file())


def iter_documents(path: Path, errors: list[tuple[str, str]], ledger: ArchiveLedger | None = None,
                   others: list[str] | None = None) -> Iterator[Document | Unchanged]:
    """Yield every candidate document under ``path``; unreadable entries go to ``errors`` and are skipped.

    With a ``ledger``, an archive unchanged since it was last imported without error, and a zip member whose
    central directory entry is unchanged, come out as ``Unchanged`` instead of being read. Files in folders and
    archives that are no bill documents (``other_file``) go to ``others``."""
    others = others if others is not None else []
    if not path.exists():
        raise ImportPathError(f"{path}: no such file or directory")
    if path.is_dir():
        files = _files_under(path, errors)
        bundles = {p.parent for p in files if p.name == PUBINFO_MARKER}
        for child in files:
            if _skip_name(child.name) or child.parent in bundles:  # read by iter_bundles
                continue
            if _is_archive(child):
                yield from iter_documents(child, errors, ledger, others)
            elif child.name.endswith(LASTMOD_SUFFIX):
                continue  # read with the document it stamps
            elif other_file(child.as_posix()):
                others.append(str(child))
            else:
                yield from _read_file(child, errors)
        return
    name = path.name.lower()
    if name.endswith(".zip"):
        if _pubinfo_zip_members(path) is not None:
            return  # a pubinfo download: read by iter_bundles
        if (skipped := _unchanged_archive(path, ledger, errors)) is not None:
            yield skipped
            return
        stamps = ledger.zip_member_stamps(path) if ledger else {}
        yield from prefetched(_iter_zip(path, errors, stamps, others), _hashed, max_bytes=READ_AHEAD_BYTES,
                              size=_size)
    elif name.endswith((".tar.gz", ".tgz", ".tar")):
        if (skipped := _unchanged_archive(path, ledger, errors)) is not None:
            yield skipped
            return
        yield from prefetched(_iter_tar(path, errors, others), _hashed, max_bytes=READ_AHEAD_BYTES, size=_size)
    else:
        yield from _read_file(path, errors)


def _size(item: Document | Unchanged) -> int:
    return len(item.data) if isinstance(item, Document) else 0


def _hashed(item: Document | Unchanged) -> Document | Unchanged:
    """Hash an archive member in the reader thread (hashlib releases the GIL for buffers this size)."""
    if isinstance(item, Document):
        item.digest = hashlib.sha256(item.data).hexdigest()
    return item


def _unchanged_archive(path: Path, ledger: ArchiveLedger | None,
                       errors: list[tuple[str, str]]) -> Unchanged | None:
    if ledger is None:
        return None
    try:
        stamp = ledger.unchanged(path)
    except OSError as exc:
        errors.append((str(path), f"cannot read: {exc}"))
        return None
    return Unchanged(str(path), stamp.documents, stamp.bills) if stamp else None


def _read_file(path: Path, errors: list[tuple[str, str]]) -> Iterator[Document]:
    try:
        if path.stat().st_size > MAX_DOCUMENT_BYTES:
            raise OSError(f"larger than {MAX_DOCUMENT_BYTES} bytes")
        data = path.read_bytes()
        stamp = path.with_name(path.stem + LASTMOD_SUFFIX)
        # Decoded as archive members' stamps are: a stamp that is not UTF-8 raised UnicodeDecodeError here.
        last_modified = stamp.read_bytes().decode(errors="replace").strip() if stamp.is_file() else None
    except OSError as exc:
        errors.append((str(path), f"cannot read: {exc}"))
        return
    yield Document(str(path), data, last_modified)


def _iter_zip(path: Path, errors: list[tuple[str, str]], known_stamps: dict[str, str],
              others: list[str]) -> Iterator[Document | Unchanged]:
    try:
        archive = zipfile.ZipFile(path)
    except ZIP_OPEN_ERRORS as exc:
        errors.append((str(path), f"not a readable zip archive: {exc}"))
        return
    with archive:
        names = set(archive.namelist())
        for info in archive.infolist():
            if info.is_dir() or _skip_name(info.filename) or info.filename.endswith(LASTMOD_SUFFIX):
                continue
            locator = f"{path}!{info.filename}"
            if other_file(info.filename):
                others.append(locator)
                continue
            if info.file_size > MAX_DOCUMENT_BYTES:
                errors.append((locator, f"larger than {MAX_DOCUMENT_BYTES} bytes"))
                continue
            etag = zip_member_stamp(info.CRC, info.file_size)
            if known_stamps.get(locator) == etag:  # the same entry as a bill stored before: leave it deflated
                yield Unchanged(locator, 1, 1)
                continue
            try:
                data = archive.read(info)
                stamp_name = info.filename.rsplit(".", 1)[0] + LASTMOD_SUFFIX
                stamp = archive.read(stamp_name).decode(errors="replace").strip() if stamp_name in names else None
            # A damaged member: report it, go on. Besides BadZipFile and OSError, zipfile lets through what its
            # decompressors raise on corrupt data (zlib.error, LZMAError), RuntimeError for an encrypted member
            # and NotImplementedError for an unknown compression method.
            except Exception as exc:  # noqa: BLE001
                errors.append((locator, f"cannot read archive member: {describe_error(exc)}"))
                continue
            yield Document(locator, data, stamp, etag)


def _tar_member_kind(member: tarfile.TarInfo) -> str:
    if member.issym():
        return f"a symbolic link to {member.linkname}"
    if member.islnk():
        return f"a hard link to {member.linkname}"
    return "a device or FIFO"


def _iter_tar(path: Path, errors: list[tuple[str, str]], others: list[str]) -> Iterator[Document]:
    # Streaming mode reads members in order; a stamp file follows or precedes its XML, so hold the one seen first.
    pending: dict[str, Document] = {}
    stamps: dict[str, str] = {}
    try:
        with tarfile.open(path, mode="r|*") as archive:
            for member in archive:
                if member.isdir() or _skip_name(member.name):
                    continue
                locator = f"{path}!{member.name}"
                if not member.name.endswith(LASTMOD_SUFFIX) and other_file(member.name):
                    others.append(locator)
                    continue
                if not member.isfile():  # a streamed archive cannot go back for a link's target
                    errors.append((locator, f"{_tar_member_kind(member)}, not a file: not read"))
                    continue
                if member.size > MAX_DOCUMENT_BYTES:
                    errors.append((locator, f"larger than {MAX_DOCUMENT_BYTES} bytes"))
                    continue
                fh = archive.extractfile(member)
                data = fh.read() if fh else b""
                if member.name.endswith(LASTMOD_SUFFIX):
                    stem = member.name[: -len(LASTMOD_SUFFIX)]
                    stamp = data.decode(errors="replace").strip()
                    if stem in pending:
                        doc = pending.pop(stem)
                        doc.last_modified = stamp
                        yield doc
                    else:
                        stamps[stem] = stamp
                    continue
                stem = member.name.rsplit(".", 1)[0]
                if stem in stamps:
                    yield Document(locator, data, stamps.pop(stem))
                else:
                    pending[stem] = Document(locator, data)
                    if len(pending) > 1:  # the stamp did not follow right after: stop waiting for older ones
                        for key in list(pending)[:-1]:
                            yield pending.pop(key)
    except (tarfile.TarError, OSError, EOFError) as exc:
        errors.append((str(path), f"archive is damaged or truncated: {exc}"))
    yield from pending.values()


# -- multi-table downloads ----------------------------------------------------------------------------------

PUBINFO_MARKER = "BILL_TBL.dat"


def _pubinfo_zip_members(path: Path) -> dict[str, str] | None:
    """Member names by base name when ``path`` is a pubinfo zip (it holds a bill table), else None."""
    try:
        with zipfile.ZipFile(path) as archive:
            names = {PurePosixPath(n).name: n for n in archive.namelist() if not n.endswith("/")}
    except ZIP_OPEN_ERRORS:
        return None  # reported by _iter_zip
    # An incremental archive may lack BILL_TBL.dat (no bill row changed that night): any bill table marks one.
    return names if PUBINFO_MARKER in names or any(n.startswith("BILL_") and n.endswith("_TBL.dat")
                                                    for n in names) else None


def iter_bundles(path: Path, errors: list[tuple[str, str]],
                 session: Session | None = None) -> Iterator[tuple[str, BillRecord | ParseError, bool]]:
    """Records of California pubinfo downloads under ``path``: folders holding ``BILL_TBL.dat`` and zips of
    them, each with its locator (naming its ``BILL_TBL`` row) and whether it is a correction: a bill rebuilt only
    because an incremental renamed a committee or motion it names (``pubinfo_staging.Staged.renamed``).

    With a ``session`` the rows are staged (``tracker.pubinfo_staging``) as a crawl stages them: a full download
    (``pubinfo_2025.zip``, ``pubinfo_daily_Mon.zip``, a folder) replaces its sessions' rows; an incremental
    ``pubinfo_{Day}.zip`` is merged over them and the bills it touches are rebuilt from every staged row, so an
    operator can catch up from files. Full downloads are read first, then incrementals oldest file first.
    Without a session (or before any full load) an incremental is refused: alone it holds only changed rows."""
    from tracker import pubinfo_staging as staging
    from tracker.sources.ca_pubinfo import TABLE_COLUMNS, join_rows, read_tables, zip_tables
    from tracker.sources.ca_pubinfo_updates import is_incremental

    if not path.exists():
        return
    found: list[Path] = []
    if path.is_file():
        if path.name.lower().endswith(".zip") and _pubinfo_zip_members(path) is not None:
            found.append(path)
    else:
        found.extend(marker.parent for marker in sorted(path.rglob(PUBINFO_MARKER)))
        found.extend(p for p in sorted(path.rglob("*.zip")) if not _skip_name(p.name)
                     and _pubinfo_zip_members(p) is not None)
    # Full loads first, then incrementals in the order they were written.
    found.sort(key=lambda p: (is_incremental(p.name), p.stat().st_mtime if is_incremental(p.name) else 0))
    for bundle in found:
        incremental = is_incremental(bundle.name)
        if incremental and (session is None or staging.last_full_load(session) is None):
            errors.append((str(bundle), "an incremental pubinfo archive holds only the rows that changed: import "
                                        "the weekly pubinfo_YYYY.zip or a pubinfo_daily_*.zip first"))
            continue
        try:
            with contextlib.ExitStack() as stack:
                if bundle.is_dir():
                    tables = {t: (bundle / f"{t}.dat").read_bytes() for t in TABLE_COLUMNS
                              if (bundle / f"{t}.dat").is_file()}

                    def read_lob(name: str, folder: Path = bundle) -> bytes | None:
                        file = folder / PurePosixPath(name).name
                        return file.read_bytes() if file.is_file() else None
                else:
                    tables, read_lob = zip_tables(stack.enter_context(zipfile.ZipFile(bundle)))
                if not incremental and "BILL_TBL" not in tables:
                    raise ParseError(str(bundle), "no BILL_TBL.dat in the download")
                rows = read_tables(tables, str(bundle), errors)
                if not incremental and not rows.get("BILL_TBL"):
                    # A full load replaces the staged rows of every session its other tables name: with no bill
                    # row it emptied the session's BILL_TBL, and later incrementals could rebuild no bill.
                    raise ParseError(str(bundle), "BILL_TBL.dat holds no bill: the download is empty or cut short")
                renamed: set[str] = set()
                if session is None:
                    records: Iterable[BillRecord | ParseError] = join_rows(rows, read_lob, str(bundle))
                else:
                    staged, records = staging.stage_archive(session, str(bundle.absolute()), rows, read_lob,
                                                            incremental=incremental, locator=str(bundle))
                    errors.extend(staged.problems)
                    renamed = staged.renamed
                for record in records:
                    yield (_bundle_locator(record), record,
                           isinstance(record, BillRecord) and record.source_key in renamed)
        except (zipfile.BadZipFile, OSError, EOFError) as exc:
            errors.append((str(bundle), f"pubinfo archive is damaged or truncated: {exc}"))
        except ParseError as exc:
            errors.append((exc.locator, exc.reason))


def _bundle_locator(record: BillRecord | ParseError) -> str:
    return record.locator if isinstance(record, ParseError) else f"pubinfo:{record.source_key}"


# -- importing ----------------------------------------------------------------------------------------------

def _choose_format(doc: Document, formats: list[Format]) -> Format | None:
    name = doc.locator.lower()
    for fmt in formats:
        if name.endswith(fmt.suffixes) and fmt.sniff(doc.data):
            return fmt
    for fmt in formats:
        if fmt.sniff(doc.data):
            return fmt
    return None


def _known_hashes(session: Session, source_names: list[str]) -> tuple[set[str], set[str]]:
    """The bytes imported or crawled before, and of those the ones an older parser read (``tracker.readings``):
    read again, as corrections, whatever the import's options."""
    known = set(session.execute(
        select(SourceDocument.content_hash).where(SourceDocument.source_name.in_(source_names))).scalars())
    older = set(session.execute(
        select(SourceDocument.content_hash).where(SourceDocument.source_name.in_(source_names),
                                                  stale_condition())).scalars())
    return known, older


@dataclass
class _Candidate:
    locator: str
    data: bytes
    digest: str
    last_modified: str | None
    etag: str | None = None
    known: bool = False  # these bytes were imported before (read again by --reparse)


_FORMATS: list[Format] = []


Outcome = PreparedBill | RollCallRecord | VersionTextRecord | tuple[str, str] | str | None


def _prepare_one(locator: str, data: bytes) -> Outcome:
    """Parse and prepare one document; a string is the reason it failed, None a known non-bill document, a
    roll call or a (people_id, name) pair what a LegiScan dataset's vote and people files hold. Runs in a
    worker or in-process."""
    if not _FORMATS:
        _FORMATS.extend(factory() for factory in FORMAT_FACTORIES)
    if not data or data.isspace():  # no strip(): it copies the whole document
        return "empty file"
    fmt = _choose_format(Document(locator, data), _FORMATS)
    if fmt is None:
        return _unrecognised(locator, data)
    if fmt.parse is None:
        return None
    try:
        parsed = fmt.parse(data, locator)
        return prepare(parsed) if isinstance(parsed, BillRecord) else parsed
    except ParseError as exc:
        return exc.reason
    except Exception as exc:  # noqa: BLE001  (a parser's blind spot on odd input costs this file, not the import)
        log.debug("parsing %s failed", locator, exc_info=True)
        return f"could not be parsed: {describe_error(exc)}"[:2000]


_XML_START = re.compile(rb"(?:\xef\xbb\xbf|\xff\xfe|\xfe\xff)|\s*<")


def _unrecognised(locator: str, data: bytes) -> str:
    """Why a document is no known format. XML is parsed first (safely: tracker.xmlsafe), so an entity bomb or
    a broken file is named for what it is even when its prolog hides the root element from the sniffers."""
    if _XML_START.match(data):
        try:
            parse_xml(data, locator)
        except ParseError as exc:
            return exc.reason
    return ("not a recognised bill document (expected GovInfo BILLSTATUS XML, Open States bill JSON or LegiScan "
            "bill JSON/XML; California pubinfo is read as a whole download, its folder or zip)")


def _prepare_chunk(chunk: list[tuple[str, bytes]]) -> list[Outcome]:
    return [_prepare_one(locator, data) for locator, data in chunk]


# Objects allocated between two collections of the youngest generation (CPython's default: 700). The writer makes
# millions of short-lived tuples, dicts and strings (rows, unpickled prepared bills), and with the default the
# collector ran thousands of times, each time also walking what the import keeps alive (a batch of prepared bills,
# the rows in flight): a fifth of the writer's CPU (docs/benchmarks.md, "Import"). The parser processes gained
# nothing measurable from the same setting (their heap is one chunk of documents), so they keep the default.
IMPORT_GC_THRESHOLD = 50_000


@contextlib.contextmanager
def _fewer_collections() -> Iterator[None]:
    """For the import's process: what is loaded before it (SQLAlchemy, the models, pydantic's schemas) is left out
    of every collection (``gc.freeze``) and young objects are collected less often; both as before once it ends.
    Reference counting frees nearly everything an import makes; only reference cycles wait a little longer (peak
    memory of the archive's import unchanged, 214 to 220 MB)."""
    threshold, frozen_before = gc.get_threshold(), gc.get_freeze_count()
    gc.freeze()
    gc.set_threshold(IMPORT_GC_THRESHOLD, *threshold[1:])
    try:
        yield
    finally:
        gc.set_threshold(*threshold)
        if not frozen_before:  # a caller's own freeze (scrapers/commands/crawl.py) is left as it was
            gc.unfreeze()


def _exit_with_importer(importer: str) -> None:
    """Parser process initializer: end this process once the import that started it is gone. An import killed
    outright (SIGKILL) never shuts its pool down, and its parser processes, which ignore Ctrl-C and SIGTERM
    (``_start_forkserver``), waited for work for ever, keeping the fork server alive with them."""

    def watch() -> None:
        while not is_gone(importer):
            time.sleep(1)
        os._exit(1)

    threading.Thread(target=watch, name="exit-with-importer", daemon=True).start()


def _start_forkserver() -> None:
    """Start the parser pool's fork server with Ctrl-C and SIGTERM ignored, which it keeps (an ignored signal
    stays ignored across exec) and hands on to the parser processes it forks. Ctrl-C at a terminal and a service
    manager's SIGTERM reach the whole process group: while the server imported the parsers (about a second) it
    killed it, and a parser dying mid-chunk broke the pool; the import decides how to stop (tracker.cli)."""
    if threading.current_thread() is not threading.main_thread():
        return  # only the main thread may change handlers; no terminal stops an import run in a thread
    previous = {sig: signal.signal(sig, signal.SIG_IGN) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        multiprocessing.forkserver.ensure_running()
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _chunks(stream: Iterator[_Candidate], max_bytes: int) -> Iterator[list[_Candidate]]:
    """Tasks for the parser processes: ``PARSE_CHUNK`` documents, fewer when they hold ``max_bytes``."""
    chunk: list[_Candidate] = []
    size = 0
    for candidate in stream:
        chunk.append(candidate)
        size += len(candidate.data)
        if len(chunk) >= PARSE_CHUNK or size >= max_bytes:
            yield chunk
            chunk, size = [], 0
    if chunk:
        yield chunk


def _prepared(candidates: Iterator[_Candidate], workers: int, parallel_min: int, batch_size: int,
              in_flight_bytes: int = IN_FLIGHT_BYTES) -> Iterator[tuple[_Candidate, Outcome]]:
    """Parse in order, in worker processes once the import is big enough to pay for starting them.

    The caller writes a batch while nothing is submitted, so the chunks in flight hold two batches' worth of
    documents: the workers parse the next batch while this one is written, instead of idling after a few chunks
    (``4 x workers`` chunks left them idle for most of every write). Bounded, so memory stays bounded whatever
    the archive's size.
    """
    window = max(4 * workers, 2 * -(-batch_size // PARSE_CHUNK))
    head: list[_Candidate] = []
    held = 0  # bytes of the documents read and not yet handed back
    for candidate in candidates:  # enough documents, or enough bytes, to pay for the workers
        head.append(candidate)
        held += len(candidate.data)
        if len(head) >= parallel_min or held > in_flight_bytes:
            break
    if workers < 2 or (len(head) < parallel_min and held <= in_flight_bytes):
        for c in itertools.chain(head, candidates):
            yield c, _prepare_one(c.locator, c.data)
        return
    # forkserver: workers never inherit the parent's open database connections or progress-bar thread.
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["tracker.importer"])
    _start_forkserver()
    inflight: deque[tuple[list[_Candidate], int, Future[list[Outcome]]]] = deque()  # chunk, its bytes, result
    held = 0  # bytes of the documents in flight (the head is counted again as it is sent)
    with ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=_exit_with_importer,
                             initargs=(owner_token(),)) as pool:
        # Chunks small enough that each worker has two in flight within the bound.
        for chunk in _chunks(itertools.chain(head, candidates), max(1, in_flight_bytes // (2 * workers))):
            size = sum(len(c.data) for c in chunk)
            inflight.append((chunk, size, pool.submit(_prepare_chunk, [(c.locator, c.data) for c in chunk])))
            held += size
            while len(inflight) >= window or (held > in_flight_bytes and len(inflight) > 1):
                done, size, future = inflight.popleft()
                held -= size
                yield from zip(done, future.result(), strict=True)
        while inflight:
            done, _, future = inflight.popleft()
            yield from zip(done, future.result(), strict=True)


def import_path(
    engine: Engine,
    path: Path,
    *,
    on_progress: Callable[[IngestResult, int, int], None] | None = None,
    batch_size: int = BATCH_SIZE,
    workers: int | None = None,
    parallel_min: int = PARALLEL_MIN_DOCUMENTS,
    flag: bool = True,
    reparse: bool = False,
    embed: bool = True,
) -> ImportReport:
    """Import everything under ``path``. Each batch commits on its own; a failing bill never half-writes.

    ``workers`` parsing processes (default: one per core) serve imports of ``parallel_min`` documents or more;
    ``flag`` runs topic flagging on each batch's changed bills (``embed`` False: without embedding any, so the
    model is never loaded; ``tracker topics embed`` catches up). ``reparse`` reads every document again, known
    bytes too: what this version's parsers read differently in bytes imported before is stored as a correction
    (``IngestItem.correction``: no change records, no alerts); new bytes are imported as always.
    """
    workers = workers if workers is not None else (os.cpu_count() or 1)
    errors: list[tuple[str, str]] = []
    other_files: list[str] = []  # files beside the bills that are no bill documents
    stopped: BaseException | None = None
    total = IngestResult()
    with _fewer_collections(), Session(engine, expire_on_commit=False) as session:
        run = start_run(session, source="import", kind="import",
                        args={"path": str(path), **({"reparse": True} if reparse else {})})
        session.commit()
        known, older = _known_hashes(session, [factory().source_name for factory in FORMAT_FACTORIES])
        # California pubinfo bills an older parser read: read again from the download (every bill of it is
        # joined anew), those that come back as the same upstream copy are corrections, as for other files.
        pubinfo_older = stale_documents(session, PUBINFO)
        read_now: set[str] = set()  # bytes read in this run: a second copy is unchanged
        # ...unless the first copy failed: then each copy is named with its reason, once the first's is known
        # (parser processes run ahead of the copies found after it).
        copies: dict[str, list[str]] = {}
        failed_reads: dict[str, str] = {}
        ingestor = Ingestor(session, run=run)
        ledger = ArchiveLedger(session, reread=reparse)
        batch: list[IngestItem] = []
        batch_bytes = 0  # of the documents behind the batch: big documents make big records
        roll_calls: list[RollCallRecord] = []
        people: dict[str, Person] = {}
        texts: list[tuple[VersionTextRecord, SourceDocumentInfo]] = []
        stored_votes = skipped_votes = 0
        attached = TextTally()
        seen = 0

        def flush() -> None:
            nonlocal batch_bytes
            batch_bytes = 0
            if batch:
                run.fetched = seen  # committed with the batch: a killed import still says how far it read
                _bulk_wal(session)
                total.add(_ingest_batch(session, ingestor, batch, errors, flag=flag, embed=embed))
                batch.clear()
            if on_progress:
                on_progress(total, seen, len(errors))

        def candidates() -> Iterator[_Candidate]:
            nonlocal seen
            for doc in iter_documents(path, errors, ledger, other_files):
                if isinstance(doc, Unchanged):  # known from stamps, never decompressed
                    seen += doc.documents
                    total.unchanged += doc.bills
                    ledger.count(doc.locator, bill=True)
                    if on_progress and (doc.documents > 1 or seen % batch_size == 0):
                        on_progress(total, seen, len(errors))
                    continue
                seen += 1
                ledger.count(doc.locator, bill=True)  # until its parser says it holds no bill
                digest = doc.digest or hashlib.sha256(doc.data).hexdigest()
                # Nothing to parse or write, unless an older version of its parser read it.
                if digest in read_now or (digest in known and digest not in older and not reparse):
                    total.unchanged += 1
                    if digest in read_now:
                        copies.setdefault(digest, []).append(doc.locator)
                    if seen % batch_size == 0 and on_progress:
                        on_progress(total, seen, len(errors))
                    continue
                read_now.add(digest)
                yield _Candidate(doc.locator, doc.data, digest, doc.last_modified, doc.etag, digest in known)

        try:
            # multi-table downloads (California pubinfo)
            for locator, bundled, correction in iter_bundles(path, errors, session):
                seen += 1
                if isinstance(bundled, ParseError):
                    errors.append((bundled.locator, bundled.reason))
                    continue
                batch.append(IngestItem(record=bundled, correction=correction, document=SourceDocumentInfo(
                    locator=locator, content_hash=bundled.content_hash())))
                if len(batch) >= batch_size:
                    mark_rereadings(session, batch, pubinfo_older)
                    flush()
            mark_rereadings(session, batch, pubinfo_older)
            for candidate, outcome in _prepared(candidates(), workers, parallel_min, batch_size):
                if outcome is None:  # a known document that holds no bill
                    ledger.uncount_bill(candidate.locator)
                    continue
                if isinstance(outcome, str):
                    errors.append((candidate.locator, outcome))
                    failed_reads[candidate.digest] = outcome
                    continue
                if isinstance(outcome, RollCallRecord):  # after the bills, which they attach to
                    ledger.uncount_bill(candidate.locator)
                    roll_calls.append(outcome)
                    continue
                if isinstance(outcome, tuple):  # a LegiScan people file's Person
                    ledger.uncount_bill(candidate.locator)
                    people[outcome[0]] = outcome
                    continue
                if isinstance(outcome, VersionTextRecord):  # after the bills, whose versions they fill
                    ledger.uncount_bill(candidate.locator)
                    texts.append((outcome, SourceDocumentInfo(
                        locator=candidate.locator, content_hash=candidate.digest,
                        last_modified=candidate.last_modified, etag=candidate.etag)))
                    continue
                # Keyed by file, not by bill: two files for one bill (two schema generations) both stay known.
                batch.append(IngestItem(prepared=outcome, correction=candidate.known, document=SourceDocumentInfo(
                    locator=candidate.locator, content_hash=candidate.digest,
                    last_modified=candidate.last_modified, etag=candidate.etag)))
                batch_bytes += len(candidate.data)
                if len(batch) >= batch_size or batch_bytes >= IN_FLIGHT_BYTES:
                    flush()
            flush()
            for digest, locators in copies.items():
                if digest in failed_reads:
                    total.unchanged -= len(locators)
                    errors.extend((locator, failed_reads[digest]) for locator in locators)
            stored_votes, skipped_votes = _ingest_roll_calls(session, ingestor, roll_calls, people, errors,
                                                             batch_size)
            attached = _ingest_texts(session, ingestor, texts, errors, batch_size, flag=flag, embed=embed)
            # A vote or text whose bill comes later must be read again: no archive is done yet.
            if not skipped_votes and not attached.waiting:
                ledger.record(ingestor, errors)  # after the members are committed: a crash leaves no stamp
        except BaseException as exc:  # Ctrl-C, a lost connection: the run says so below, then the exception goes on
            stopped = exc
            with contextlib.suppress(Exception):
                session.rollback()  # the batch in flight is not kept; the batches committed before it are
            raise
        finally:
            run.fetched = seen
            for locator, reason in errors:
                record_error(session, run=run, locator=locator, reason=reason)
            status = RunStatus.succeeded if not errors else RunStatus.partial
            if errors and len(errors) >= seen:  # nothing read, or every document failed
                status = RunStatus.failed
            if stopped is not None:
                status = RunStatus.interrupted
            votes = (f"; {stored_votes} roll calls stored, {skipped_votes} skipped (their bill is not imported)"
                     if stored_votes or skipped_votes else "")
            superseded = (f"; {total.superseded} superseded by a newer copy of the same bill"
                          if total.superseded else "")
            others = f"; {len(other_files)} other files skipped (not bill documents)" if other_files else ""
            others = attached.summary() + others
            finish_run(session, run=run, result=total, status=status,
                       message=f"{_stopped_note(stopped, total)}{seen} documents "
                               f"{'re-parsed (--reparse)' if reparse else 'read'} from {path}"
                               f"{f'; {total.corrected} bills corrected' if total.corrected else ''}"
                               f"{superseded}{votes}{others}")
            session.commit()
            _restore_wal(session)
    return ImportReport(run=run, result=total, errors=errors, skipped=len(other_files))


class Terminated(BaseException):
    """SIGTERM (a service manager or ``kill`` stopping ``tracker import``): the run ends as interrupted, as on
    Ctrl-C, instead of staying "running" for ever."""

    def __str__(self) -> str:
        return "SIGTERM"


def _stopped_note(stopped: BaseException | None, stored: IngestResult) -> str:
    """The start of an interrupted run's message: why it stopped and what it had committed by then."""
    if stopped is None:
        return ""
    why = ("Ctrl-C" if isinstance(stopped, KeyboardInterrupt) else str(stopped) if isinstance(stopped, Terminated)
           else describe_error(stopped))
    return (f"interrupted ({why}): only the batches committed before it are stored ({stored.new} new, "
            f"{stored.updated} updated, {stored.unchanged} unchanged); import again to finish. ")


def _connection_lost(exc: BaseException, session: Session) -> bool:
    """Whether ``exc`` took the whole transaction with it (the server ended the connection), not only the
    flagging's savepoint: then nothing of the batch is stored, and "stored bills not flagged" would be untrue."""
    from sqlalchemy.exc import DBAPIError, PendingRollbackError

    return isinstance(exc, PendingRollbackError) or (isinstance(exc, DBAPIError) and exc.connection_invalidated) \
        or not session.in_transaction()


def disk_full(exc: BaseException) -> bool:
    """The database could not write for want of space: SQLite's SQLITE_FULL, PostgreSQL's disk_full."""
    from sqlalchemy.exc import StatementError

    inner = exc.orig if isinstance(exc, StatementError) and exc.orig is not None else exc
    return getattr(inner, "sqlite_errorcode", None) == 13 or getattr(inner, "sqlstate", None) == "53100"


def describe_error(exc: BaseException) -> str:
    """One line for a run's error list or message. A database error is its driver's own first line: SQLAlchemy's
    text adds the whole SQL statement, its parameters (a batch of them) and a link."""
    from sqlalchemy.exc import StatementError

    inner = exc.orig if isinstance(exc, StatementError) and exc.orig is not None else exc
    lines = str(inner).strip().splitlines()
    return f"{type(inner).__name__}: {lines[0]}" if lines else type(inner).__name__


# SQLite's default checkpoints the WAL into the database file every 1,000 pages (4 MB), which a first import of
# a Congress passes on nearly every batch: the same index pages are copied and synced again and again. 16,384
# pages (64 MB) between checkpoints roughly halves the time spent committing (docs/benchmarks.md); the WAL stays
# crash-safe, and the end of the import restores the default and truncates the file.
IMPORT_WAL_AUTOCHECKPOINT = 16_384
SQLITE_WAL_AUTOCHECKPOINT = 1_000


def _bulk_wal(session: Session) -> None:
    """Per connection setting: applied before every batch, whichever pooled connection the batch runs on."""
    if session.get_bind().dialect.name == "sqlite":
        session.execute(text(f"PRAGMA wal_autocheckpoint={IMPORT_WAL_AUTOCHECKPOINT}"))


def _restore_wal(session: Session) -> None:
    if session.get_bind().dialect.name != "sqlite":
        return
    session.execute(text(f"PRAGMA wal_autocheckpoint={SQLITE_WAL_AUTOCHECKPOINT}"))
    session.commit()
    # Outside a transaction; with a dashboard reading, the checkpoint does what it can and the rest waits for the
    # next automatic one (it reports "busy" in its result row, it does not fail).
    session.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))


def _ingest_batch(session: Session, ingestor: Ingestor, batch: list[IngestItem],
                  errors: list[tuple[str, str]], *, flag: bool = True, embed: bool = True) -> IngestResult:
    """One transaction per batch, its bills' flags included; if it fails, retry bill by bill so one bad record
    costs only itself.

    Bills and their flags commit together: flagged in a transaction of their own, the bills of a process killed
    in between (kill -9, the out-of-memory killer) stayed unflagged for good, as every later import or crawl
    finds them unchanged."""
    try:
        result = ingestor.ingest(batch)
        if flag:
            flag_changed(session, result, errors, embed=embed)
        count_committed(ingestor.run, result)
        session.commit()
        return result
    except Exception as exc:  # noqa: BLE001  (any database refusal: isolate the culprit below)
        session.rollback()
        ingestor.forget()
        if disk_full(exc):  # no bill of it can be stored either (and on SQLite each try is slow): stop
            raise
        # Each bill that still fails is named below; the traceback (with the SQL) only when asked for (-v).
        log.info("batch of %d failed (%s); retrying one by one", len(batch), describe_error(exc))
        log.debug("batch failure", exc_info=True)
    result = IngestResult()
    ctx = None
    for item in batch:
        try:
            stored = ingestor.ingest([item])
            if flag and stored.changed_bill_ids:
                ctx = ctx or _scoring_context(session, embed=embed)
                flag_changed(session, stored, errors, embed=embed, ctx=ctx)
            count_committed(ingestor.run, stored)
            session.commit()
            result.add(stored)
        except Exception as exc:  # noqa: BLE001
            session.rollback()
            ingestor.forget()
            where = item.document.locator if item.document else item.bill.source_key
            errors.append((where, f"could not be stored: {describe_error(exc)}"[:2000]))
    return result


def _ingest_roll_calls(session: Session, ingestor: Ingestor, roll_calls: list[RollCallRecord],
                      people: dict[str, "Person"], errors: list[tuple[str, str]],
                      batch_size: int) -> tuple[int, int]:
    """Store LegiScan roll calls with members named from the dataset's people files (with their party and
    district where the file gives them); (stored, skipped)."""
    stored = skipped = 0
    for start in range(0, len(roll_calls), batch_size):
        chunk = roll_calls[start:start + batch_size]
        for record in chunk:
            for member in record.people or []:
                known = people.get(member.person_id) if member.person_id else None
                if known is not None:
                    member.name = member.name or known.name
                    member.party = member.party or known.party
                    member.district = member.district or known.district
        try:
            done, missing = ingestor.ingest_roll_calls(chunk)
            session.commit()
        except Exception as exc:  # noqa: BLE001  (the bills are stored; only these roll calls are lost)
            session.rollback()
            errors.append(("roll calls", f"{len(chunk)} roll calls not stored: {describe_error(exc)}"[:2000]))
            continue
        stored, skipped = stored + done, skipped + missing
    return stored, skipped


@dataclass
class TextTally:
    """What became of the version texts of an import (LegiScan dataset ``text/*.json``), for the run's message."""

    attached: int = 0
    no_bill: int = 0
    no_version: int = 0
    owner_text: int = 0  # the version another feed owns has that feed's text: LegiScan's is not used
    no_text: dict[str, int] = field(default_factory=dict)  # by media type

    @property
    def waiting(self) -> int:
        """Texts not remembered, to be read again by the next import: their bill or version is not stored yet."""
        return self.no_bill + self.no_version

    def summary(self) -> str:
        def n(count: int) -> str:
            return f"{count} text{'s' if count != 1 else ''}"

        parts = []
        if self.attached:
            parts.append(f"{n(self.attached)} attached")
        if self.no_text:
            kinds = ", ".join(sorted(kind or "no type" for kind in self.no_text))
            parts.append(f"{n(sum(self.no_text.values()))} without extractable text ({kinds})")
        if self.no_bill:
            parts.append(f"{n(self.no_bill)} skipped (their bill is not imported)")
        if self.no_version:
            parts.append(f"{n(self.no_version)} skipped (no version of their bill has that document id)")
        if self.owner_text:
            parts.append(f"{n(self.owner_text)} not used (the bill's own feed gave that version its text)")
        return "".join(f"; {part}" for part in parts)


def _ingest_texts(session: Session, ingestor: Ingestor, texts: list[tuple[VersionTextRecord, SourceDocumentInfo]],
                  errors: list[tuple[str, str]], batch_size: int, *, flag: bool, embed: bool) -> TextTally:
    """Fill the versions of stored bills with the texts read, a transaction per batch with the flagging of the
    bills whose text changed: a batch that fails leaves no text, flag or search entry of it written, and names
    each of its files."""
    tally = TextTally()
    for start in range(0, len(texts), batch_size):
        chunk = texts[start:start + batch_size]
        try:
            outcome = ingestor.ingest_texts([r for r, _ in chunk], [d for _, d in chunk])
            if flag and outcome.changed_bill_ids:
                flag_changed(session, IngestResult(changed_bill_ids=outcome.changed_bill_ids), errors, embed=embed)
            session.commit()
        except Exception as exc:  # noqa: BLE001  (the bills are stored; only these texts are not)
            session.rollback()
            ingestor.forget()
            reason = f"text not stored: {describe_error(exc)}"[:2000]
            errors.extend((document.locator, reason) for _, document in chunk)
            continue
        tally.attached += len(outcome.attached)
        tally.no_bill += len(outcome.no_bill)
        tally.no_version += len(outcome.no_version)
        tally.owner_text += len(outcome.owner_text)
        for n in outcome.no_text:
            kind = chunk[n][0].media_type
            tally.no_text[kind] = tally.no_text.get(kind, 0) + 1
    return tally


def _scoring_context(session: Session, *, embed: bool) -> "ScoringContext | None":
    """What flagging needs (topics compiled, models loaded: some 50 ms), built once for the bills of a batch
    stored one by one instead of once per bill; None when it cannot be built (``flag_changed`` then names why)."""
    from tracker.matching.store import ScoringContext
    from tracker.matching.training import ensure_models

    try:
        with session.begin_nested():
            ensure_models(session)
            return ScoringContext.build(session, embed=None if embed else False)
    except Exception:  # noqa: BLE001
        return None


def flag_changed(session: Session, result: IngestResult, errors: list[tuple[str, str]], *,
                 embed: bool = True, ctx: "ScoringContext | None" = None) -> IngestResult:
    """Flag the bills a batch changed (tracker.matching) in the batch's transaction, which the caller commits; a
    failure here never loses the batch: only the flagging's savepoint is rolled back.
    ``embed`` False: on keywords and stored embeddings only, never loading the model (``--no-embed``)."""
    if not result.changed_bill_ids:
        return result
    from tracker.matching import flag_bills

    try:
        # Changed bills were written in this transaction, so it has begun: the savepoint nests in it (pysqlite
        # would otherwise let a SAVEPOINT open a transaction that its RELEASE commits).
        with session.begin_nested():
            flag_bills(session, result.changed_bill_ids, embed=None if embed else False, ctx=ctx)
            if result.corrected_bill_ids:  # --reparse stores corrections quietly: not "newly flagged"
                from tracker.alerts.events import record_quiet_flags

                record_quiet_flags(session, result.corrected_bill_ids)
    except Exception as exc:  # noqa: BLE001  (the bills are stored; `tracker topics rescore` flags them later)
        if _connection_lost(exc, session):  # the batch is lost with it: the caller stores it again, flags and all
            raise
        log.debug("flagging %d changed bills failed", len(result.changed_bill_ids), exc_info=True)
        errors.append(("flagging", f"{len(result.changed_bill_ids)} stored bills not flagged "
                                   f"({describe_error(exc)}); run `tracker topics rescore`"[:2000]))
    return result
