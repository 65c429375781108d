"""The pubinfo rows the tracker has seen (``PubinfoRow``): full loads, incremental merges, and the rows a bill is
rebuilt from. Shared by the ``california`` spider and ``tracker import``; the join itself stays the pure
``tracker.sources.ca_pubinfo.join_rows``.

- A full load (``pubinfo_{YYYY}.zip``, ``pubinfo_daily_{Day}.zip``, an unpacked folder) replaces every staged row
  of the sessions it holds, as the Legislature's Sunday reload does (rows gone upstream go here too).
- An incremental (``pubinfo_{Day}.zip``) is merged row by row on the row key (``ROW_KEYS``), the documented
  REPLACE, except that a row never replaces one with a later ``trans_update``: applying an older archive after
  a newer one (a retry, an import out of order) cannot undo a change. A version row whose ``.lob`` is in the
  archive gets the new CAML; one without keeps the CAML staged before.

Reference tables (``LOCATION_CODE_TBL``: committee names; ``BILL_MOTION_TBL``: roll-call motions) have no bill id:
their rows are staged under the session, the motions under one key for all
(``ca_pubinfo.REFERENCE_PREFIX``), replaced by a full load that ships them and kept by one that does not (the
daily snapshots), and every bill rebuilt is joined with its session's. A full load rebuilds every bill it holds;
an incremental that renames a committee or rewords a motion also rebuilds the stored bills whose rows name that
committee or motion (``Staged.renamed``), though none of their own rows changed: the names on their referrals,
roll calls and hearings come from the table, not from the bill. A full load that ships the rename marks the same
bills ``renamed`` when their own rows are the ones staged before (``stage_full``).

Each merge returns the bills with a row in the archive, changed or not: the caller rebuilds them all and the
ingest's record hash skips those that came out the same, so a bill whose write failed after its rows were
staged is retried when the archive is applied again.
"""

import datetime as dt
import zlib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Any

from sqlalchemy import delete, insert, or_, select, update
from sqlmodel import Session

from tracker.models import BillSource
from tracker.models.base import utcnow
from tracker.models.pubinfo import PubinfoLoad, PubinfoRow
from tracker.records import BillRecord, ParseError
from tracker.sources.ca_pubinfo import (
    MOTIONS_KEY,
    REFERENCE_PREFIX,
    SOURCE_NAME,
    TABLE_COLUMNS,
    join_rows,
    reference_keys,
    row_bill,
    row_key,
)
from tracker.sources.ca_pubinfo_updates import FullLoad

CHUNK = 500  # keys per IN (...) query and rows per INSERT: well under every backend's parameter limit
_LOB_PREFIX = "staged:"  # names read_lob answers for staged CAML (file names differ between archives)

Rows = Mapping[str, list[dict[str, Any]]]
LobReader = Callable[[str], bytes | None]


@dataclass
class Staged:
    bills: set[str] = field(default_factory=set)  # bill_ids with a row in the archive
    changed: int = 0  # rows added or replaced
    problems: list[tuple[str, str]] = field(default_factory=list)  # rows that could not be keyed
    # Reference rows the archive added, replaced (or, a full load, dropped): committee codes by session key
    # ("L20252026"), motion ids.
    codes: dict[str, set[str]] = field(default_factory=dict)
    motions: set[str] = field(default_factory=set)
    # Bills rebuilt only because a committee or motion they name was renamed: nothing of their own changed, so
    # what reads differently is a correction of the names shown (``IngestItem.correction``), not news.
    renamed: set[str] = field(default_factory=set)


def _prepare(session: Session, archive: str, rows: Rows, read_lob: LobReader,
             result: Staged) -> dict[tuple[str, str], dict[str, Any]]:
    """The archive's rows by (table, key), with bill and compressed CAML; later duplicates win."""
    version_bills = {r["bill_version_id"]: r["bill_id"] for r in rows.get("BILL_VERSION_TBL", [])
                     if r.get("bill_version_id") and r.get("bill_id")}
    orphans = sorted({r.get("bill_version_id") or "" for r in rows.get("BILL_VERSION_AUTHORS_TBL", [])}
                     - set(version_bills) - {""})
    for start in range(0, len(orphans), CHUNK):  # authors of a version staged from an earlier archive
        version_bills.update(session.execute(
            select(PubinfoRow.row_key, PubinfoRow.bill_id).where(
                PubinfoRow.table_name == "BILL_VERSION_TBL",
                PubinfoRow.row_key.in_(orphans[start:start + CHUNK]))).all())
    prepared: dict[tuple[str, str], dict[str, Any]] = {}
    for table, table_rows in rows.items():
        for n, row in enumerate(table_rows, 1):
            key, bill = row_key(table, row), row_bill(table, row, version_bills)
            if not key or not bill:
                result.problems.append((f"{archive}/{table}.dat#row {n}",
                                        f"{table} row without {'a row key' if not key else 'a bill'}: skipped"))
                continue
            lob = None
            if table == "BILL_VERSION_TBL" and row.get("lob_file"):
                data = read_lob(row["lob_file"])
                lob = zlib.compress(data, 6) if data is not None else None
            entry = {"table_name": table, "row_key": key[:255], "bill_id": bill[:32],
                     "trans_update": (row.get("trans_update") or None), "fields": dict(row), "lob": lob,
                     "archive": PurePath(archive).name[:64]}
            earlier = prepared.get((table, entry["row_key"]))
            if earlier is None or (earlier["trans_update"] or "") <= (entry["trans_update"] or ""):
                prepared[(table, entry["row_key"])] = entry
            if not bill.startswith(REFERENCE_PREFIX):
                result.bills.add(bill)  # a reference row belongs to no bill
    return prepared


def stage_full(session: Session, archive: str, rows: Rows, read_lob: LobReader, *, listed_at: str | None = None,
               last_modified: str | None = None, etag: str | None = None) -> Staged:
    """Replace the staged rows of every session in the archive by its rows; log the load. Commits.

    The weekly download carries a committee renamed since last week like the nightly incremental does, but
    rebuilds every bill: ``renamed`` gets the bills that name a renamed committee or reworded motion, whose own
    rows are the ones staged before and which are stored as those rows built them, so they are corrected as an
    incremental's would be, not news."""
    result = Staged()
    prepared = _prepare(session, archive, rows, read_lob, result)
    # "202520260": session years + session number; "L20252026": a reference table's rows of those years.
    sessions = sorted({entry["bill_id"][:9] for entry in prepared.values()})
    _reference_changes(session, prepared, result)
    if result.codes or result.motions:  # read before the rows are replaced: the rows staged before
        naming = bills_naming(session, result.codes, result.motions) & result.bills
        result.renamed = _stored_as_staged(session, _unchanged_bills(session, naming, prepared), archive)
    for start in range(0, len(sessions), CHUNK):
        session.execute(delete(PubinfoRow).where(or_(*(
            PubinfoRow.bill_id.startswith(s, autoescape=True) for s in sessions[start:start + CHUNK]))))
    now = utcnow()
    values = [{**entry, "staged_at": now} for entry in prepared.values()]
    for start in range(0, len(values), CHUNK):
        session.execute(insert(PubinfoRow.__table__), values[start:start + CHUNK])  # type: ignore[attr-defined]
    result.changed = len(values)
    _log(session, archive, "full", result, listed_at, last_modified, etag)
    session.commit()
    return result


def stage_incremental(session: Session, archive: str, rows: Rows, read_lob: LobReader, *,
                      listed_at: str | None = None, last_modified: str | None = None,
                      etag: str | None = None) -> Staged:
    """Merge an incremental archive's rows over the staged ones (see the module docstring). Commits."""
    result = Staged()
    prepared = _prepare(session, archive, rows, read_lob, result)
    by_table: dict[str, list[str]] = {}
    for table, key in prepared:
        by_table.setdefault(table, []).append(key)
    held: dict[tuple[str, str], Any] = {}
    for table, keys in by_table.items():
        for start in range(0, len(keys), CHUNK):
            for found in session.execute(
                    select(PubinfoRow.id, PubinfoRow.row_key, PubinfoRow.trans_update, PubinfoRow.fields,
                           PubinfoRow.lob, PubinfoRow.bill_id).where(
                        PubinfoRow.table_name == table, PubinfoRow.row_key.in_(keys[start:start + CHUNK]))):
                held[(table, found.row_key)] = found
    now = utcnow()
    inserts, updates = [], []
    for ident, entry in prepared.items():
        old = held.get(ident)
        if old is None:
            inserts.append({**entry, "staged_at": now})
            continue
        if (old.trans_update or "") > (entry["trans_update"] or ""):
            continue  # the staged row is newer: an older archive applied late must not undo it
        lob = entry["lob"] if entry["lob"] is not None else old.lob
        if old.fields == entry["fields"] and old.lob == lob and old.bill_id == entry["bill_id"]:
            continue
        updates.append({"id": old.id, "bill_id": entry["bill_id"], "trans_update": entry["trans_update"],
                        "fields": entry["fields"], "lob": lob, "archive": entry["archive"], "staged_at": now})
    for start in range(0, len(inserts), CHUNK):
        session.execute(insert(PubinfoRow.__table__), inserts[start:start + CHUNK])  # type: ignore[attr-defined]
    if updates:
        session.execute(update(PubinfoRow), updates)  # ORM bulk UPDATE by primary key
    result.changed = len(inserts) + len(updates)
    for entry in (*inserts, *updates):
        fields = entry["fields"]
        if entry["bill_id"] == MOTIONS_KEY and fields.get("motion_id"):
            result.motions.add(fields["motion_id"])
        elif entry["bill_id"].startswith(REFERENCE_PREFIX) and fields.get("location_code"):
            result.codes.setdefault(entry["bill_id"], set()).add(fields["location_code"].strip().upper())
    _log(session, archive, "incremental", result, listed_at, last_modified, etag)
    session.commit()
    return result


def _reference_changes(session: Session, prepared: Mapping[tuple[str, str], dict[str, Any]],
                       result: Staged) -> None:
    """Into ``result``: the committee codes and motion ids whose row in a full load differs from the staged one,
    is new, or is gone (the load replaces the staged reference rows of each key it ships)."""
    shipped: dict[str, dict[str, dict[str, Any]]] = {}  # reference key -> row key -> fields
    for (table, key), entry in prepared.items():
        if table in ("LOCATION_CODE_TBL", "BILL_MOTION_TBL"):
            shipped.setdefault(entry["bill_id"], {})[key] = entry["fields"]
    if not shipped:  # a daily snapshot: the reference rows staged stay
        return
    held: dict[str, dict[str, dict[str, Any]]] = {}
    for key, row_key_, fields in session.execute(
            select(PubinfoRow.bill_id, PubinfoRow.row_key, PubinfoRow.fields).where(
                PubinfoRow.table_name.in_(["LOCATION_CODE_TBL", "BILL_MOTION_TBL"]),
                PubinfoRow.bill_id.in_(sorted(shipped)))):
        held.setdefault(key, {})[row_key_] = fields
    for key, rows in shipped.items():
        before = held.get(key, {})
        for fields in [f for k, f in rows.items() if before.get(k) != f] + [
                f for k, f in before.items() if k not in rows]:
            if key == MOTIONS_KEY:
                if fields.get("motion_id"):
                    result.motions.add(fields["motion_id"])
            elif fields.get("location_code"):
                result.codes.setdefault(key, set()).add(fields["location_code"].strip().upper())


def _unchanged_bills(session: Session, bills: set[str],
                     prepared: Mapping[tuple[str, str], dict[str, Any]]) -> set[str]:
    """Of these bills, those whose staged rows (fields and CAML) are exactly the rows the archive holds for them."""
    shipped: dict[str, dict[tuple[str, str], tuple[Any, bytes | None]]] = {bill: {} for bill in bills}
    for (table, key), entry in prepared.items():
        if entry["bill_id"] in shipped:
            shipped[entry["bill_id"]][(table, key)] = (entry["fields"], entry["lob"])
    held: dict[str, dict[tuple[str, str], tuple[Any, bytes | None]]] = {bill: {} for bill in bills}
    wanted = sorted(bills)
    for start in range(0, len(wanted), CHUNK):
        for bill, table, key, fields, lob in session.execute(
                select(PubinfoRow.bill_id, PubinfoRow.table_name, PubinfoRow.row_key, PubinfoRow.fields,
                       PubinfoRow.lob).where(PubinfoRow.bill_id.in_(wanted[start:start + CHUNK]))):
            held[bill][(table, key)] = (fields, lob)

    def same(old: tuple[Any, bytes | None], new: tuple[Any, bytes | None]) -> bool:
        if old[0] != new[0]:
            return False
        if old[1] == new[1]:
            return True
        # The same CAML compressed by another zlib build reads the same: compare what a rebuild reads.
        return old[1] is not None and new[1] is not None and zlib.decompress(old[1]) == zlib.decompress(new[1])

    return {bill for bill in bills if held[bill].keys() == shipped[bill].keys()
            and all(same(held[bill][k], shipped[bill][k]) for k in shipped[bill])}


def _stored_as_staged(session: Session, bills: set[str], archive: str) -> set[str]:
    """Of these bills, those stored as their staged rows (with the reference rows staged with them) build them.
    A bill whose write failed after an earlier archive staged its rows is behind them: what it has not stored is
    news, even when the rows the load brings are the ones staged."""
    if not bills:
        return set()
    held, read_held = staged_rows(session, bills)
    built = {r.source_key: r.content_hash() for r in join_rows(held, read_held, archive) if isinstance(r, BillRecord)}
    wanted = sorted(bills)
    stored = {key: digest for start in range(0, len(wanted), CHUNK) for key, digest in session.execute(
        select(BillSource.source_key, BillSource.content_hash).where(
            BillSource.source_name == SOURCE_NAME, BillSource.source_key.in_(wanted[start:start + CHUNK])))}
    return {bill for bill in bills if bill in built and stored.get(bill) == built[bill]}


def _log(session: Session, archive: str, kind: str, result: Staged, listed_at: str | None,
         last_modified: str | None, etag: str | None) -> None:
    session.add(PubinfoLoad(archive=archive[-255:], kind=kind, listed_at=listed_at, last_modified=last_modified,
                            etag=etag, rows=result.changed, bills=len(result.bills)))


def staged_rows(session: Session, bill_ids: Iterable[str]) -> tuple[dict[str, list[dict[str, Any]]], LobReader]:
    """Every staged row of these bills by table, ready for ``join_rows``, and the reader of their CAML.

    A version row's ``lob_file`` is renamed to the staged CAML's name: ``.lob`` file names are numbered per
    archive, so two archives may use the same name for different versions."""
    rows: dict[str, list[dict[str, Any]]] = {}
    lobs: dict[str, bytes] = {}
    wanted = sorted(set(bill_ids))
    wanted += reference_keys(wanted)  # their sessions' committee names
    for start in range(0, len(wanted), CHUNK):
        for table, fields, lob in session.execute(
                select(PubinfoRow.table_name, PubinfoRow.fields, PubinfoRow.lob).where(
                    PubinfoRow.bill_id.in_(wanted[start:start + CHUNK])).order_by(PubinfoRow.id)):
            if table not in TABLE_COLUMNS:
                continue
            row = {column: fields.get(column) for column in TABLE_COLUMNS[table]}  # columns added since: NULL
            if lob is not None:
                row["lob_file"] = name = f"{_LOB_PREFIX}{row['bill_version_id']}"
                lobs[name] = lob
            rows.setdefault(table, []).append(row)

    rows["BILL_MOTION_TBL"] = staged_motions(session, rows)

    def read_lob(name: str) -> bytes | None:
        packed = lobs.get(name)
        return zlib.decompress(packed) if packed is not None else None

    return rows, read_lob


def staged_reference(session: Session, table: str, bill_ids: Iterable[str]) -> list[dict[str, Any]]:
    """The staged rows of a reference table for the sessions of these bills."""
    keys = reference_keys(bill_ids)
    return [{column: fields.get(column) for column in TABLE_COLUMNS[table]}
            for start in range(0, len(keys), CHUNK)
            for fields in session.execute(select(PubinfoRow.fields).where(
                PubinfoRow.table_name == table, PubinfoRow.bill_id.in_(keys[start:start + CHUNK]))).scalars()]


def staged_motions(session: Session, rows: Rows) -> list[dict[str, Any]]:
    """The staged motions these roll calls name (the table holds every session's: only those are read)."""
    wanted = sorted({r["motion_id"] for r in rows.get("BILL_SUMMARY_VOTE_TBL", []) if r.get("motion_id")})
    columns = TABLE_COLUMNS["BILL_MOTION_TBL"]
    return [{column: fields.get(column) for column in columns}
            for start in range(0, len(wanted), CHUNK)
            for fields in session.execute(select(PubinfoRow.fields).where(
                PubinfoRow.table_name == "BILL_MOTION_TBL",
                PubinfoRow.row_key.in_(wanted[start:start + CHUNK]))).scalars()]


# The bill tables whose rows name a committee by location code, and the column (history rows: the committee the
# bill is in after the action, ``ca_pubinfo._committees``). Detail vote rows repeat their summary row's code.
_CODE_COLUMNS = {"BILL_HISTORY_TBL": "ternary_location", "BILL_SUMMARY_VOTE_TBL": "location_code",
                 "COMMITTEE_HEARING_TBL": "location_code"}


def bills_naming(session: Session, codes: Mapping[str, set[str]], motions: set[str]) -> set[str]:
    """The staged bills whose rows name one of these committee codes (by session key, ``L20252026``: the bills of
    those session years) or motion ids. Reads the bills' history, roll-call and hearing rows, never their CAML."""
    found: set[str] = set()
    for key, wanted in codes.items():
        years = key[len(REFERENCE_PREFIX):]
        for bill, table, fields in session.execute(
                select(PubinfoRow.bill_id, PubinfoRow.table_name, PubinfoRow.fields).where(
                    PubinfoRow.table_name.in_(list(_CODE_COLUMNS)),
                    PubinfoRow.bill_id.startswith(years, autoescape=True))):
            if (fields.get(_CODE_COLUMNS[table]) or "").strip().upper() in wanted:
                found.add(bill)
    ids = sorted(motions)
    for start in range(0, len(ids), CHUNK):  # a summary row's key is bill|motion|time|seq|place
        found.update(session.execute(select(PubinfoRow.bill_id).where(
            PubinfoRow.table_name == "BILL_SUMMARY_VOTE_TBL",
            or_(*(PubinfoRow.row_key.contains(f"|{m}|", autoescape=True) for m in ids[start:start + CHUNK]))))
            .scalars())
    return found


def stage_archive(session: Session, archive: str, rows: Rows, read_lob: LobReader, *, incremental: bool,
                  locator: str, listed_at: str | None = None, last_modified: str | None = None,
                  etag: str | None = None) -> tuple[Staged, list[BillRecord | ParseError]]:
    """Stage one archive and join the bills it touches: a full load from its own rows, an incremental from every
    row staged for its bills (the full load's and earlier merges'), so both rebuild a bill the same way."""
    stamps = {"listed_at": listed_at, "last_modified": last_modified, "etag": etag}
    if not incremental:
        staged = stage_full(session, archive, rows, read_lob, **stamps)
        # A daily snapshot: the reference rows staged from the last weekly download.
        if "LOCATION_CODE_TBL" not in rows:
            rows = {**rows, "LOCATION_CODE_TBL": staged_reference(session, "LOCATION_CODE_TBL", staged.bills)}
        if "BILL_MOTION_TBL" not in rows:
            rows = {**rows, "BILL_MOTION_TBL": staged_motions(session, rows)}
        return staged, list(join_rows(rows, read_lob, locator))
    staged = stage_incremental(session, archive, rows, read_lob, **stamps)
    if staged.codes or staged.motions:
        staged.renamed = bills_naming(session, staged.codes, staged.motions) - staged.bills
    held, read_held = staged_rows(session, staged.bills | staged.renamed)
    return staged, list(join_rows(held, read_held, locator))


def last_full_load(session: Session) -> tuple[FullLoad, PubinfoLoad] | None:
    """The newest full load logged, as the update planner wants it, with its log row."""
    load = session.execute(select(PubinfoLoad).where(PubinfoLoad.kind == "full")
                           .order_by(PubinfoLoad.id.desc()).limit(1)).scalar_one_or_none()
    session.commit()  # end the read transaction: the crawl's later writes use the same session
    if load is None:
        return None
    listed = dt.datetime.strptime(load.listed_at, "%Y-%m-%d %H:%M") if load.listed_at else None
    return FullLoad(load.archive, listed), load


def index_stamp(when: dt.datetime | None) -> str | None:
    """An index time as ``PubinfoLoad.listed_at`` keeps it."""
    return when.strftime("%Y-%m-%d %H:%M") if when else None
