"""The only writer of crawled data.

Records from any feed (spider or ``tracker import``) come here in batches. Each batch is one transaction of
set-based statements (``INSERT ... ON CONFLICT`` on SQLite and PostgreSQL), keyed on natural identity:
bills on jurisdiction + session + identifier, a source's view of a bill on source name + source key.
A bill whose source record hashes the same as last time is skipped without a write. For a bill that did change,
its crawled children are replaced and BillChange rows say what moved. The organisation's tables (positions,
notes, triage...) are never written here; they point at ``bill.id``, which an upsert keeps.
"""

import datetime as dt
import difflib
import hashlib
import json
import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import case, delete, func, or_, select, update
from sqlmodel import Session

from tracker.ingest_texts import TextOutcome, write_version_texts
from tracker.ingest_versions import Delivery, write_versions
from tracker.ingest_votes import calendar_key, drop_stale_calendar, write_roll_calls, write_votes
from tracker.models import (
    Bill,
    BillAction,
    BillChange,
    BillSource,
    BillSubject,
    BillVersion,
    CommitteeReferral,
    CrawlError,
    CrawlRun,
    Hearing,
    HearingItem,
    Jurisdiction,
    LegislativeSession,
    RelatedBill,
    SourceDocument,
    Sponsorship,
)
from tracker.models.base import utcnow
from tracker.models.enums import ChangeKind, RunStatus, SponsorshipKind
from tracker.prepare import BILL_FIELDS, CHILD_COLUMNS, PreparedBill, prepare
from tracker.records import (
    AgendaItemRecord,
    BillRecord,
    HearingRecord,
    JurisdictionRecord,
    RollCallRecord,
    VersionTextRecord,
)
from tracker.run_owner import owner_token, sweep_abandoned_runs
from tracker.search_index import batch_indexing
from tracker.sources.reading import reading_version
from tracker.sql_keys import keys_in
from tracker.stored_view import legacy_hash, same_view
from tracker.upsert import DriverInsert
from tracker.upsert import dialect_insert as _insert
from tracker.upsert import upsert as _upsert

log = logging.getLogger(__name__)

# The legislators' names for search are the bill's sponsorships' (tracker.prepare.legislator_names), not a
# source's field: outside BILL_FIELDS, so that no hash a stored bill is compared by changes with them.
_NAMES = ("sponsor_names", "cosponsor_names")
_UPDATED_ON_CHANGE = (*BILL_FIELDS, *_NAMES, "content_hash", "last_fetched_at", "last_changed_at")
# The statements every changed bill goes through, run through the driver (tracker.upsert.DriverInsert); the row
# dicts below name exactly these columns.
_BILL_UPSERT = DriverInsert.upsert(Bill.__table__, ("jurisdiction_id", "session_id", "identifier", *BILL_FIELDS,
                                                    *_NAMES, "content_hash", "first_seen_at", "last_fetched_at",
                                                    "last_changed_at"),
                                   ("jurisdiction_id", "session_id", "identifier"), _UPDATED_ON_CHANGE)
_SOURCE_UPDATED = ("bill_id", "url", "content_hash", "upstream_updated_at", "last_fetched_at")
_BILL_SOURCE_UPSERT = DriverInsert.upsert(BillSource.__table__, ("source_name", "source_key", *_SOURCE_UPDATED),
                                          ("source_name", "source_key"), _SOURCE_UPDATED)
# Children of a changed bill are deleted and rewritten, so there is no conflict to handle; their rows come from
# tracker.prepare in column order, JSON and dates already as text.
_CHILD_TABLES = {model.__table__.name: model.__table__
                 for model in (BillAction, Sponsorship, CommitteeReferral, BillSubject, RelatedBill)}
_CHILD_INSERTS = {table: DriverInsert(_CHILD_TABLES[table], ("bill_id", *columns), driver_values=True)
                  for table, columns in CHILD_COLUMNS.items()}
# Versions are merged across feeds and upserted by URL, not replaced (tracker.ingest_versions).
_CHANGE_INSERT = DriverInsert(BillChange.__table__, ("bill_id", "run_id", "kind", "before", "after", "detected_at"))


def _document_conflict(stmt: Any) -> Any:
    """A row is rewritten only when a stamp or its bill differs, so reading the same bytes again writes nothing."""
    table, excluded = SourceDocument.__table__, stmt.excluded
    return stmt.on_conflict_do_update(
        index_elements=["source_name", "locator_key"],
        set_={"content_hash": excluded.content_hash, "last_modified": excluded.last_modified,
              "etag": excluded.etag, "fetched_at": excluded.fetched_at,
              "bill_id": func.coalesce(excluded.bill_id, table.c.bill_id),
              "read_by": func.coalesce(excluded.read_by, table.c.read_by)},
        where=table.c.content_hash.is_distinct_from(excluded.content_hash)
        | table.c.last_modified.is_distinct_from(excluded.last_modified)
        | table.c.etag.is_distinct_from(excluded.etag)
        | (excluded.bill_id.is_not(None) & table.c.bill_id.is_distinct_from(excluded.bill_id))
        # bytes read again by a newer parser: the reading is now the current one (tracker.sources.reading)
        | (excluded.read_by.is_not(None) & table.c.read_by.is_distinct_from(excluded.read_by)),
    )


_DOCUMENT_UPSERT = DriverInsert(SourceDocument.__table__, ("source_name", "locator", "locator_key", "content_hash",
                                                          "last_modified", "etag", "fetched_at", "bill_id",
                                                          "read_by"),
                                _document_conflict)

# One bill, many sources (docs/sources.md): the Bill row shows the view of the highest-ranked source that has
# delivered the bill, and its crawled children (actions, sponsors, versions...) are that source's. A source
# ranked lower only adds its BillSource row (its identifier and URL) and fills Bill columns still empty; it
# never overwrites what a higher one set. Between equal ranks the latest record wins, unless it is an older
# upstream copy than the stored bill's (see _split_by_precedence). The
# legislature's or clerk's own database outranks the aggregators, and Open States (people-curated, with
# classified actions) outranks LegiScan. Unknown sources rank 0.
SOURCE_PRECEDENCE: dict[str, int] = {
    "govinfo_billstatus": 100, "congress_api": 100,  # one Library of Congress record, served twice
    "ca_pubinfo": 100, "legistar": 100,
    "openstates": 50,
    "legiscan": 40,
}
# Columns a lower-ranked source may fill when the owner left them empty.
_FILLABLE = tuple(c for c in BILL_FIELDS if c not in ("source_name", "source_urls", "upstream_updated_at"))


def precedence(source_name: str) -> int:
    return SOURCE_PRECEDENCE.get(source_name, 0)


def _predates(bill: PreparedBill, stamp: dt.datetime | None) -> bool:
    """Whether the record's upstream update stamp is older than ``stamp`` (unknown on either side: it is not)."""
    updated = bill.bill["upstream_updated_at"]
    return updated is not None and stamp is not None and updated < stamp


BillKey = tuple[str, int, str]  # jurisdiction_id, session_id, identifier


@dataclass
class SourceDocumentInfo:
    """Where a record came from: lets the next crawl or import skip the document if it is unchanged."""

    locator: str
    content_hash: str
    last_modified: str | None = None
    etag: str | None = None


@dataclass
class IngestItem:
    record: BillRecord | None = None
    document: SourceDocumentInfo | None = None
    prepared: PreparedBill | None = None  # given by a worker process, or made here from ``record``
    # The document's bytes were stored before and are read again (``tracker import --reparse`` after a parser
    # fix): what differs on a stored bill is a correction of our reading, not news from upstream (``ingest``).
    correction: bool = False

    @property
    def bill(self) -> PreparedBill:
        if self.prepared is None:
            if self.record is None:
                raise ValueError("an IngestItem needs a record or a prepared bill")
            self.prepared = prepare(self.record)
        return self.prepared


@dataclass
class IngestResult:
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    superseded: int = 0  # records older than a copy of the same bill already stored or in the same batch
    corrected: int = 0  # of the updated: corrections (``IngestItem.correction``)
    changed_bill_ids: list[int] = field(default_factory=list)  # new or updated: what flagging re-scores
    corrected_bill_ids: list[int] = field(default_factory=list)  # of those, corrections: their flags are no news

    def add(self, other: "IngestResult") -> None:
        self.new += other.new
        self.updated += other.updated
        self.corrected += other.corrected
        self.unchanged += other.unchanged
        self.superseded += other.superseded
        self.changed_bill_ids.extend(other.changed_bill_ids)
        self.corrected_bill_ids.extend(other.corrected_bill_ids)


class Ingestor:
    """Writes batches of records; keeps jurisdiction and session ids cached across batches of one run."""

    def __init__(self, session: Session, *, run: CrawlRun | None = None):
        self.session = session
        self.run = run
        self._jurisdictions: set[str] = set()
        self._sessions: dict[tuple[str, str], int] = {}

    def forget(self) -> None:
        """Drop cached ids after a rollback: rows they point at may not exist any more."""
        self._jurisdictions.clear()
        self._sessions.clear()

    # -- reference data -------------------------------------------------------------------------------------

    def _ensure_reference_rows(self, bills: Sequence[PreparedBill]) -> None:
        jurisdictions = {b.jurisdiction["id"]: b.jurisdiction for b in bills
                         if b.jurisdiction["id"] not in self._jurisdictions}
        _upsert(self.session, Jurisdiction, list(jurisdictions.values()), ["id"],
                ["name", "level", "classification", "url"])
        self._jurisdictions.update(jurisdictions)

        wanted = {(b.jurisdiction["id"], b.session["identifier"]): b.session for b in bills}
        missing = {k: v for k, v in wanted.items() if k not in self._sessions}
        if not missing:
            return
        # The first feed to name a session names it; a session stored under its bare code (Open States' bulk
        # files gave Alabama's only as "2025rs") takes the first real name that comes.
        table = LegislativeSession.__table__
        stmt = _insert(self.session, table)
        stmt = stmt.on_conflict_do_update(
            index_elements=["jurisdiction_id", "identifier"], set_={"name": stmt.excluded.name},
            where=(table.c.name == table.c.identifier) & (stmt.excluded.name != table.c.identifier))
        self.session.execute(stmt, [{"jurisdiction_id": j, **s} for (j, _), s in missing.items()])
        found = self.session.execute(
            select(LegislativeSession.jurisdiction_id, LegislativeSession.identifier, LegislativeSession.id)
            .where(keys_in((LegislativeSession.jurisdiction_id, LegislativeSession.identifier), list(missing)))
        )
        for jur, ident, sid in found:
            self._sessions[(jur, ident)] = sid

    def _key(self, bill: PreparedBill) -> BillKey:
        jur = bill.jurisdiction["id"]
        return (jur, self._sessions[(jur, bill.session["identifier"])], bill.identifier)

    # -- the batch ------------------------------------------------------------------------------------------

    def ingest(self, items: Iterable[IngestItem]) -> IngestResult:
        """Write one batch in the caller's transaction.

        Of two records of one bill from one source, the later wins unless its upstream stamp is the older: a
        stale copy (an old archive imported after a crawl, two schema generations of one file) never rolls a
        bill back, whether the newer copy is stored already or comes earlier in the batch.

        A stored bill changed by a correction (``IngestItem.correction``) is written without BillChange rows
        (alerts, "what moved") and keeps its ``last_changed_at`` (a bill staff reviewed stays out of the inbox);
        its embedding is marked outdated, so semantic relevance reads the corrected text. A new bill, or a
        newer upstream copy, is news whatever the run.
        """
        items = list(items)
        by_source: dict[tuple[str, str], PreparedBill] = {}
        correcting: set[tuple[str, str]] = set()
        for item in items:
            bill = item.bill
            held = by_source.get(source_key := (bill.source_name, bill.source_key))
            if held is None or not _predates(bill, held.bill["upstream_updated_at"]):
                by_source[source_key] = bill
                if item.correction:
                    correcting.add(source_key)
                else:
                    correcting.discard(source_key)
        result = IngestResult(superseded=len(items) - len(by_source))
        if not by_source:
            return result
        lock_writers(self.session)
        now = utcnow()
        self._ensure_reference_rows(list(by_source.values()))

        known = {
            (name, key): (digest, updated)
            for name, key, digest, updated in self.session.execute(
                select(BillSource.source_name, BillSource.source_key, BillSource.content_hash,
                       BillSource.upstream_updated_at).where(
                    keys_in((BillSource.source_name, BillSource.source_key), list(by_source))
                )
            )
        }
        changed = []
        for source_key, bill in by_source.items():
            digest, updated = known.get(source_key, (None, None))
            if digest == bill.content_hash:
                result.unchanged += 1
            elif _predates(bill, updated):
                result.superseded += 1
            else:
                changed.append(bill)
        if not changed:
            self._write_documents(self._document_rows(items, {}, now))
            return result

        keys = [self._key(b) for b in changed]
        before = self._load_state(keys)
        owners, followers = _split_by_precedence(changed, keys, before)

        def corrects(b: PreparedBill, key: BillKey) -> bool:
            return key in before and (b.source_name, b.source_key) in correcting

        def restamped(b: PreparedBill, key: BillKey) -> bool:
            """The stored bill's record again under a new upstream stamp (GovInfo restamps whole Congresses), or
            from the other Library of Congress feed: stored, so an older copy cannot roll it back, but nothing on
            it changed for a reader (``prepare.view_hash``; a row stored before that hash existed is compared
            row by row, ``tracker.stored_view``)."""
            if key not in before:
                return False
            old = before[key]
            if old["content_hash"] == b.view_hash:
                return True
            if old["legacy_hash"]:
                if "same_view" not in old:  # asked once per bill: for the row and again for its changes
                    old["same_view"] = same_view(self.session, old["id"], b)
                return bool(old["same_view"])
            return False

        def bill_row(b: PreparedBill, key: BillKey) -> dict[str, Any]:
            changed_at = before[key]["last_changed_at"] if corrects(b, key) or restamped(b, key) else now
            # The Bill row's hash is the owner's view hash, which restamped() compares; each source's
            # whole-record hash is on its BillSource row.
            return {**b.bill, **b.names, "jurisdiction_id": key[0], "session_id": key[1],
                    "identifier": key[2], "content_hash": b.view_hash, "first_seen_at": now, "last_fetched_at": now,
                    "last_changed_at": changed_at}

        owner_bills, owner_keys = [b for b, _ in owners], [k for _, k in owners]
        with batch_indexing(self.session) as indexed:  # the search index once for the batch (SQLite)
            _BILL_UPSERT.execute(self.session, [bill_row(b, key) for b, key in owners])
            self._fill_from_followers([bill_row(b, key) for b, key in {k: (b, k) for b, k in followers}.values()])
            ids = self._bill_ids(keys)
            indexed.update(ids.values())

            _BILL_SOURCE_UPSERT.execute(self.session, [
                {"bill_id": ids[key], "source_name": b.source_name, "source_key": b.source_key,
                 "url": (b.bill["source_urls"] or [None])[0], "content_hash": b.content_hash,
                 "upstream_updated_at": b.bill["upstream_updated_at"], "last_fetched_at": now}
                for b, key in zip(changed, keys, strict=True)
            ])
            existing_ids = [ids[k] for k in owner_keys if k in before]
            self._replace_children(owner_bills, owner_keys, ids, existing_ids)
            added_versions = self._write_versions(owners, followers, ids, before, corrects)
        news = [(b, key) for b, key in owners if not corrects(b, key)]
        self._record_changes([b for b, _ in news], [key for _, key in news], ids, before, now)
        self._record_added_versions(added_versions, now)
        if corrected := [ids[key] for b, key in owners if corrects(b, key)]:
            from tracker.models import BillEmbedding  # only here: a crawl never loads the flagging's models

            result.corrected += len(corrected)
            result.corrected_bill_ids.extend(corrected)
            self.session.execute(update(BillEmbedding).where(BillEmbedding.bill_id.in_(corrected))
                                 .values(created_at=_OUTDATED))
        # Roll calls and calendar hearings are keyed by source, so followers' are stored too (docs/sources.md).
        # A new bill without any has nothing to write or to clear: no query for it (most federal bills).
        voting = [(b, key) for b, key in zip(changed, keys, strict=True) if b.votes or b.calendar or key in before]
        write_votes(self.session, [(ids[key], b.source_name, b.votes) for b, key in voting])
        self._write_calendar([b for b, _ in voting], [key for _, key in voting], ids)
        # Every document, including one a newer copy of the same bill superseded: its bytes are known now.
        self._write_documents(self._document_rows(items, ids, now))

        for key in owner_keys:
            if key in before:
                result.updated += 1
            else:
                result.new += 1
        result.updated += len(followers)  # the bill gained or refreshed a source
        result.changed_bill_ids.extend(dict.fromkeys(ids[key] for key in keys))
        return result

    def _fill_from_followers(self, rows: list[dict[str, Any]]) -> None:
        """Lower-ranked sources' views: fill the bill's empty columns, overwrite nothing."""
        if not rows:
            return
        table = Bill.__table__
        stmt = _insert(self.session, table)
        stmt = stmt.on_conflict_do_update(
            index_elements=["jurisdiction_id", "session_id", "identifier"],
            set_={**{c: func.coalesce(table.c[c], stmt.excluded[c]) for c in _FILLABLE},
                  "last_fetched_at": stmt.excluded.last_fetched_at})
        self.session.execute(stmt, rows)

    def _bill_ids(self, keys: list[BillKey]) -> dict[BillKey, int]:
        rows = self.session.execute(
            select(Bill.jurisdiction_id, Bill.session_id, Bill.identifier, Bill.id).where(
                keys_in((Bill.jurisdiction_id, Bill.session_id, Bill.identifier), keys))
        )
        return {(j, s, i): bid for j, s, i, bid in rows}

    # -- change detection -----------------------------------------------------------------------------------

    def _load_state(self, keys: list[BillKey]) -> dict[BillKey, dict[str, Any]]:
        """What the changed bills looked like before this batch, for BillChange rows (dates as ISO text, as in
        ``PreparedBill``)."""
        rows = self.session.execute(
            select(Bill.jurisdiction_id, Bill.session_id, Bill.identifier, Bill.id, Bill.title, Bill.stage,
                   Bill.source_name, Bill.last_changed_at, Bill.upstream_updated_at, Bill.content_hash,
                   legacy_hash)
            .where(keys_in((Bill.jurisdiction_id, Bill.session_id, Bill.identifier), keys))
        ).all()
        state = {(j, s, i): {"id": bid, "title": title, "stage": stage, "source_name": source,
                             "last_changed_at": changed_at, "upstream_updated_at": updated, "content_hash": digest,
                             "legacy_hash": legacy,
                             "actions": set(), "versions": {}, "sponsors": {}, "sponsor_names": {}}
                 for j, s, i, bid, title, stage, source, changed_at, updated, digest, legacy in rows}
        by_id = {v["id"]: v for v in state.values()}
        if not by_id:
            return state
        for bill_id, date, text in self.session.execute(
            select(BillAction.bill_id, BillAction.date, BillAction.text).where(BillAction.bill_id.in_(by_id))
        ):
            by_id[bill_id]["actions"].add((_iso(date), text))
        for bill_id, url, date in self.session.execute(
            select(BillVersion.bill_id, BillVersion.url, BillVersion.date).where(BillVersion.bill_id.in_(by_id))
        ):
            by_id[bill_id]["versions"][url] = _iso(date)
        for bill_id, name, person_id, kind, withdrawn in self.session.execute(
            select(Sponsorship.bill_id, Sponsorship.name, Sponsorship.person_id, Sponsorship.kind,
                   Sponsorship.withdrawn_date).where(Sponsorship.bill_id.in_(by_id))
        ):
            by_id[bill_id]["sponsors"][(person_id or name, kind)] = _iso(withdrawn)
            by_id[bill_id]["sponsor_names"][person_id or name] = name  # a removed sponsor is named, not an id
        return state

    def _record_changes(self, changed: list[PreparedBill], keys: list[BillKey], ids: dict[BillKey, int],
                        before: dict[BillKey, dict[str, Any]], now: dt.datetime) -> None:
        run_id = self.run.id if self.run else None
        rows: list[dict[str, Any]] = []

        def add(bill_id: int, kind: ChangeKind, old: Any, new: Any) -> None:
            rows.append({"bill_id": bill_id, "run_id": run_id, "kind": str(kind), "before": old, "after": new,
                         "detected_at": now})

        for b, key in zip(changed, keys, strict=True):
            bill_id, old, title, stage = ids[key], before.get(key), b.bill["title"], b.bill["stage"]
            if old is None:
                add(bill_id, ChangeKind.new_bill, None, {"identifier": b.identifier, "title": title, "stage": stage})
                continue
            # A feed of another rank taking the bill over (pubinfo after LegiScan) tells the history the other
            # one told in its own words, URLs and spellings of names: only the stage (the same scale for every
            # feed) and what is dated after all the other one knew are news.
            retold = old["source_name"] != b.source_name and precedence(old["source_name"]) != precedence(
                b.source_name)
            known_until = max((d for d, _ in old["actions"] if d), default=None) if retold else None
            texts_until = max((d for d in old["versions"].values() if d), default=None) if retold else None
            if old["title"] != title and not retold:
                add(bill_id, ChangeKind.title_change, old["title"], title)
            if old["stage"] != stage:
                add(bill_id, ChangeKind.stage_change, old["stage"], stage)
            actions = b.children["billaction"]
            gone = _vanished_actions(old["actions"], {(action[1], action[3]) for action in actions})
            for action in actions:
                if (action[1], action[3]) in old["actions"] or (
                        retold and (action[1] is None or (known_until is not None and action[1] <= known_until))):
                    continue
                after = {"date": action[1], "text": action[3], "classification": json.loads(action[7])}
                was = _reworded_from(action[3], gone.get(action[1]))
                if was is None:
                    add(bill_id, ChangeKind.new_action, None, after)
                else:
                    add(bill_id, ChangeKind.action_corrected, {"date": action[1], "text": was}, after)
            for version in b.versions:
                dated = _iso(version["date"])
                if version["url"] not in old["versions"] and not (
                        retold and (dated is None or (texts_until is not None and dated <= texts_until))):
                    add(bill_id, ChangeKind.new_version, None,
                        {"label": version["label"], "date": dated, "url": version["url"]})
            sponsor_change = None if retold else _sponsor_diff(old["sponsors"], old["sponsor_names"], b)
            if sponsor_change:
                add(bill_id, ChangeKind.sponsor_change, sponsor_change["before"], sponsor_change["after"])
        if rows:
            _CHANGE_INSERT.execute(self.session, rows)

    # -- children -------------------------------------------------------------------------------------------

    def _replace_children(self, changed: list[PreparedBill], keys: list[BillKey], ids: dict[BillKey, int],
                          existing_ids: list[int]) -> None:
        if existing_ids:
            for model in (BillAction, Sponsorship, CommitteeReferral, BillSubject, RelatedBill):
                self.session.execute(delete(model).where(model.bill_id.in_(existing_ids)))
        bill_ids = [ids[key] for key in keys]
        for table, insert in _CHILD_INSERTS.items():
            insert.execute(self.session, [(bill_id,) + row for b, bill_id in zip(changed, bill_ids, strict=True)
                                          for row in b.children[table]])

    def _write_versions(self, owners: list[tuple[PreparedBill, BillKey]],
                        followers: list[tuple[PreparedBill, BillKey]], ids: dict[BillKey, int],
                        before: dict[BillKey, dict[str, Any]],
                        corrects: Callable[[PreparedBill, BillKey], bool]) -> list[tuple[int, dict[str, Any]]]:
        """Versions are the union of what the feeds of the owner's rank list (``tracker.ingest_versions``): the
        owners' and, of the followers, those ranking with the owner (the other Library of Congress feed).
        Returns the versions a follower added to a stored bill, which are news as an owner's are."""
        owner_of = {key: b.source_name for b, key in owners}
        for key in {key for _, key in followers if key not in owner_of}:
            owner_of[key] = before[key]["source_name"]
        rank = {ids[key]: precedence(source) for key, source in owner_of.items()}

        def delivery(b: PreparedBill, key: BillKey, owns: bool) -> Delivery:
            stored = before.get(key)
            attaches = not owns and precedence(b.source_name) < rank[ids[key]]
            return Delivery(bill_id=ids[key], source=b.source_name, versions=b.versions, owns=owns,
                            legacy_source=stored["source_name"] if stored else None,
                            news=not owns and not attaches and stored is not None and not corrects(b, key),
                            attaches=attaches)

        # A lower-ranked follower's versions only name the owner's by its document ids (LegiScan's doc_id).
        deliveries = [delivery(b, key, True) for b, key in owners] + [
            delivery(b, key, False) for b, key in followers
            if precedence(b.source_name) == rank[ids[key]] or any(v.get("code") for v in b.versions)]
        return write_versions(self.session, deliveries,
                              lambda bill_id: lambda source: precedence(source) == rank[bill_id], _sha256)

    def _record_added_versions(self, added: list[tuple[int, dict[str, Any]]], now: dt.datetime) -> None:
        """A text that only a follower of the owner's rank lists yet (the API ahead of BILLSTATUS) is news: a
        change row, and the bill counts as changed for the triage inbox."""
        if not added:
            return
        run_id = self.run.id if self.run else None
        _CHANGE_INSERT.execute(self.session, [
            {"bill_id": bill_id, "run_id": run_id, "kind": str(ChangeKind.new_version), "before": None,
             "after": {**version, "date": _iso(version["date"])}, "detected_at": now}
            for bill_id, version in added])
        self.session.execute(update(Bill).where(Bill.id.in_({bill_id for bill_id, _ in added}))
                             .values(last_changed_at=now))

    # -- documents ------------------------------------------------------------------------------------------

    def _document_rows(self, items: list[IngestItem], ids: dict[BillKey, int],
                       now: dt.datetime) -> list[dict[str, Any]]:
        rows = {}
        for i in items:
            if i.document:
                key = self._key(i.bill)
                rows[(i.bill.source_name, i.document.locator)] = {
                    "source_name": i.bill.source_name, "locator": i.document.locator,
                    "content_hash": i.document.content_hash, "last_modified": i.document.last_modified,
                    "etag": i.document.etag, "fetched_at": now, "bill_id": ids.get(key),
                    "read_by": reading_version(i.bill.source_name)}
        return list(rows.values())

    def _write_documents(self, rows: list[dict[str, Any]]) -> None:
        """Upsert SourceDocument rows (``_document_conflict``); a crawl compares these stamps with the next listing."""
        for row in rows:
            row["locator_key"] = SourceDocument.key_for(row["locator"])
        _DOCUMENT_UPSERT.execute(self.session, rows)

    # -- hearings -------------------------------------------------------------------------------------------

    def _write_calendar(self, changed: list[PreparedBill], keys: list[BillKey], ids: dict[BillKey, int]) -> None:
        """A bill's own calendar entries become hearings with the bill as their one agenda item."""
        records = []
        for b in changed:
            jurisdiction = JurisdictionRecord.model_validate(b.jurisdiction)
            for entry in b.calendar:
                records.append(HearingRecord(
                    jurisdiction=jurisdiction, source_name=b.source_name,
                    source_key=calendar_key(b.source_key, entry["source_key"]), date=entry["date"],
                    time=entry["time"], body=entry["body"], location=entry["location"],
                    description=entry["description"],
                    items=[AgendaItemRecord(title=entry["kind"], bill_source_key=b.source_key,
                                            bill_identifier=b.identifier)]))
        self.ingest_hearings(records)
        drop_stale_calendar(self.session, [
            (ids[key], b.source_name, b.source_key,
             {calendar_key(b.source_key, e["source_key"]) for e in b.calendar})
            for b, key in zip(changed, keys, strict=True)])

    def ingest_roll_calls(self, records: Sequence[RollCallRecord]) -> tuple[int, int]:
        """Roll calls that come apart from their bill (LegiScan roll-call files): (stored, bill not known)."""
        return write_roll_calls(self.session, records)

    def ingest_texts(self, records: Sequence[VersionTextRecord],
                     documents: Sequence[SourceDocumentInfo | None] = ()) -> TextOutcome:
        """Version texts that come apart from their bill (LegiScan dataset ``text/*.json``), in the caller's
        transaction: each fills the text of its bill's version (``tracker.ingest_texts``), the search index
        follows, and the bill's embedding is marked outdated so semantic relevance reads the new text. A text's
        document (``documents[n]`` for ``records[n]``) is remembered once its bill has it, or it has no text the
        tracker can read; one whose bill or version is not stored yet is read again by the next import."""
        if not records:
            return TextOutcome()
        lock_writers(self.session)
        with batch_indexing(self.session) as indexed:
            outcome = write_version_texts(self.session, records)
            indexed.update(outcome.changed_bill_ids)
        if outcome.changed_bill_ids:
            from tracker.models import BillEmbedding

            self.session.execute(update(BillEmbedding).where(BillEmbedding.bill_id.in_(outcome.changed_bill_ids))
                                 .values(created_at=_OUTDATED))
        now = utcnow()
        done = sorted(outcome.attached + outcome.unchanged + outcome.no_text + outcome.owner_text)
        self._write_documents([{
            "source_name": records[n].source_name, "locator": doc.locator, "content_hash": doc.content_hash,
            "last_modified": doc.last_modified, "etag": doc.etag, "fetched_at": now,
            "bill_id": outcome.bill_ids.get(n), "read_by": None}
            for n in done if n < len(documents) and (doc := documents[n])])
        return outcome

    def ingest_hearings(self, records: Sequence[HearingRecord]) -> int:
        """Upsert hearings by (source, source key) and replace their agenda items; returns how many were written.

        An item links to a bill by the same feed's bill id (``BillSource``) or else by identifier in the
        hearing's jurisdiction (the named session, or the latest one holding that identifier)."""
        latest = {(r.source_name, r.source_key): r for r in records}
        if not latest:
            return 0
        records = list(latest.values())
        now = utcnow()
        jurisdictions = {r.jurisdiction.id: r.jurisdiction.model_dump() for r in records}
        _upsert(self.session, Jurisdiction, list(jurisdictions.values()), ["id"],
                ["name", "level", "classification", "url"])
        columns = ["date", "time", "body", "location", "description", "status", "cancelled", "url", "agenda_url",
                   "upstream_updated_at"]
        table = Hearing.__table__
        stmt = _insert(self.session, table)
        changed = [table.c[c].is_distinct_from(stmt.excluded[c]) for c in (*columns, "jurisdiction_id")]
        # A row is rewritten (and its last_fetched_at moved, which alerts read as "new or changed") only when
        # the hearing itself changed: re-reading the same calendar is silent.
        # Rescheduled (another day or hour under the same event id): where it was is kept, for "Hearing moved" in
        # the alerts and the hearing lists; otherwise where it was before its last move stays.
        moved = or_(table.c.date.is_distinct_from(stmt.excluded.date),
                    table.c.time.is_distinct_from(stmt.excluded.time))
        stmt = stmt.on_conflict_do_update(
            index_elements=["source_name", "source_key"],
            set_={**{c: stmt.excluded[c] for c in (*columns, "jurisdiction_id", "last_fetched_at")},
                  "previous_date": case((moved, table.c.date), else_=table.c.previous_date),
                  "previous_time": case((moved, table.c.time), else_=table.c.previous_time)},
            where=or_(*changed))
        self.session.execute(stmt, [
            {"jurisdiction_id": r.jurisdiction.id, "source_name": r.source_name, "source_key": r.source_key,
             **{c: getattr(r, c) for c in columns}, "last_fetched_at": now} for r in records])
        ids = {(name, key): hid for name, key, hid in self.session.execute(
            select(Hearing.source_name, Hearing.source_key, Hearing.id).where(
                keys_in((Hearing.source_name, Hearing.source_key), list(latest))))}
        self.session.execute(delete(HearingItem).where(HearingItem.hearing_id.in_(list(ids.values()))))
        by_key = self._bills_by_source_key(records)
        by_identifier = self._bills_by_identifier(records)
        rows = []
        for r in records:
            for item in r.items:
                bill_id = by_key.get((r.source_name, item.bill_source_key or "")) or by_identifier.get(
                    (r.jurisdiction.id, item.session_identifier, item.bill_identifier)) or by_identifier.get(
                    (r.jurisdiction.id, None, item.bill_identifier))
                rows.append({"hearing_id": ids[(r.source_name, r.source_key)], "bill_id": bill_id,
                             "sequence": item.sequence, "title": item.title, "action_text": item.action_text,
                             "bill_identifier": item.bill_identifier})
        if rows:
            self.session.execute(_insert(self.session, HearingItem.__table__), rows)
        return len(records)

    def _bills_by_source_key(self, records: Sequence[HearingRecord]) -> dict[tuple[str, str], int]:
        wanted = {(r.source_name, i.bill_source_key) for r in records for i in r.items if i.bill_source_key}
        if not wanted:
            return {}
        return {(name, key): bid for name, key, bid in self.session.execute(
            select(BillSource.source_name, BillSource.source_key, BillSource.bill_id).where(
                keys_in((BillSource.source_name, BillSource.source_key), list(wanted))))}

    def _bills_by_identifier(self, records: Sequence[HearingRecord]) -> dict[tuple[str, str | None, str | None], int]:
        wanted = {(r.jurisdiction.id, i.bill_identifier) for r in records for i in r.items if i.bill_identifier}
        if not wanted:
            return {}
        found: dict[tuple[str, str | None, str | None], int] = {}
        rows = self.session.execute(
            select(Bill.jurisdiction_id, LegislativeSession.identifier, Bill.identifier, Bill.id)
            .join(LegislativeSession, LegislativeSession.id == Bill.session_id)
            .where(keys_in((Bill.jurisdiction_id, Bill.identifier), list(wanted)))
            .order_by(LegislativeSession.id))
        for jur, session_identifier, identifier, bill_id in rows:
            found[(jur, session_identifier, identifier)] = bill_id
            found[(jur, None, identifier)] = bill_id  # the latest session wins for an item that names none
        return found

    def touch_documents(self, source_name: str, documents: Sequence[SourceDocumentInfo]) -> None:
        """Remember upstream stamps of documents seen unchanged (HTTP 304, the same bytes again, a listing)."""
        now = utcnow()
        self._write_documents(list({d.locator: {
            "source_name": source_name, "locator": d.locator, "content_hash": d.content_hash,
            "last_modified": d.last_modified, "etag": d.etag, "fetched_at": now, "bill_id": None, "read_by": None}
            for d in documents}.values()))


# An embedding "made" before any change, so the catch-up (``pending_embeddings_query``) looks at it again: it
# embeds anew only when the text it embedded moved.
_OUTDATED = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)

# PostgreSQL's advisory locks are keyed by number: the two-number form, this number and the schema's name hashed,
# so trackers in two schemas of one database (the test suite's workers, for one) each have their own writer slot,
# as each has its own scheduler (tracker.scheduler, another first number).
_WRITER_LOCK = 0x7772_7472  # "wrtr"
WRITER_LOCK_KEYS = f"{_WRITER_LOCK}, hashtext(current_schema())"


def lock_writers(session: Session) -> None:
    """Take the database's one writer slot for the rest of the transaction, before reading what is stored.

    Two writers at once (a scheduled crawl and an import, two imports) each read which bills exist and then wrote
    them: a bill the other committed in between got its children inserted twice, the batch failed on the unique
    key and was retried bill by bill, and the bill was reported new twice. PostgreSQL: a transaction-level
    advisory lock; SQLite: BEGIN IMMEDIATE, its write lock taken at once instead of at the first write (it waits
    the busy timeout for the other writer, as any write does)."""
    conn = session.connection()
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({WRITER_LOCK_KEYS})")
    elif conn.dialect.name == "sqlite" and not conn.connection.driver_connection.in_transaction:
        conn.exec_driver_sql("BEGIN IMMEDIATE")


def _split_by_precedence(changed: list[PreparedBill], keys: list[BillKey], before: dict[BillKey, dict[str, Any]]
                         ) -> tuple[list[tuple[PreparedBill, BillKey]], list[tuple[PreparedBill, BillKey]]]:
    """(owners, followers): per bill, the batch's highest-ranked record owns it (on a tie the newer upstream copy,
    else the later one) unless the stored bill's source ranks higher, or ranks the same and delivered a newer
    upstream copy; every other record of the bill only follows (``SOURCE_PRECEDENCE``).

    Equal ranks are the same data served twice (GovInfo BILLSTATUS and the Congress.gov API are one Library of
    Congress record): a copy older than the one the other feed already stored would roll the bill back
    (actions, cosponsors, titles), so it only follows, as an older copy from the same feed is superseded."""
    best: dict[BillKey, int] = {}
    for n, (b, key) in enumerate(zip(changed, keys, strict=True)):
        held = changed[best[key]] if key in best else None
        if held is None or _takes_over(b, held.source_name, held.bill["upstream_updated_at"]):
            best[key] = n
    owners, followers = [], []
    for n, (b, key) in enumerate(zip(changed, keys, strict=True)):
        stored = before.get(key)
        owns = stored is None or stored["source_name"] == b.source_name or _takes_over(
            b, stored["source_name"], stored["upstream_updated_at"])
        if best[key] == n and owns:
            owners.append((b, key))
        else:
            followers.append((b, key))
    return owners, followers


def _takes_over(bill: PreparedBill, source: str, updated: dt.datetime | None) -> bool:
    """Whether ``bill`` replaces a copy from ``source`` updated upstream at ``updated``: it ranks higher, or the
    same and is not an older upstream copy."""
    mine, theirs = precedence(bill.source_name), precedence(source)
    return mine > theirs or (mine == theirs and not _predates(bill, updated))


def _sponsor_diff(old: dict[tuple[str, str], str | None], old_names: dict[str, str], bill: PreparedBill
                  ) -> dict[str, Any] | None:
    """Sponsors added, removed and withdrawn, each by name as the feed writes it (the stored name for one removed)."""
    new, names = bill.sponsor_keys, bill.sponsor_names
    came, went = new.keys() - old.keys(), old.keys() - new.keys()
    # A sponsor whose role the feed now gives, or no longer gives (SponsorshipKind.sponsor: LegiScan's unranked
    # sponsors, once read as primary), is the same sponsor, not one added and one removed.
    went_as = {who: kind for who, kind in went}
    regraded = {who for who, kind in came
                if who in went_as and SponsorshipKind.sponsor in (kind, went_as[who])}
    added = sorted(names.get(k[0], k[0]) for k in came if k[0] not in regraded)
    removed = sorted(old_names.get(k[0], k[0]) for k in went if k[0] not in regraded)
    withdrawn = sorted(names.get(k[0], k[0]) for k, w in new.items() if w and k in old and not old[k])
    if not (added or removed or withdrawn):
        return None
    # Counts are of sponsors and cosponsors still on the bill: a withdrawn cosponsor stays listed upstream.
    return {"before": {"count": sum(1 for w in old.values() if not w)},
            "after": {"count": sum(1 for w in new.values() if not w), "added": added, "removed": removed,
                      "withdrawn": withdrawn}}


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


# -- run bookkeeping ----------------------------------------------------------------------------------------

def start_run(session: Session, *, source: str, kind: str = "crawl", args: dict[str, Any] | None = None) -> CrawlRun:
    """A new ``running`` run owned by this process; runs left ``running`` by a dead process become
    ``interrupted`` on the way (``run_owner``)."""
    sweep_abandoned_runs(session)
    run = CrawlRun(source=source, kind=kind, args=args or {}, started_at=utcnow(), owner=owner_token())
    session.add(run)
    session.flush()
    return run


REWORDED_SIMILARITY = 0.6  # difflib ratio: "Referred to the Committee on Ways and Means." vs its corrected wording


def _vanished_actions(stored: set[tuple[str | None, str]], incoming: set[tuple[str | None, str]]
                      ) -> dict[str | None, list[str]]:
    """Texts of stored actions the new copy no longer has, by date (sorted, so pairing does not depend on
    set order)."""
    gone: dict[str | None, list[str]] = {}
    for date, text in sorted(stored - incoming, key=lambda a: (a[0] or "", a[1])):
        gone.setdefault(date, []).append(text)
    return gone


def _reworded_from(text: str, candidates: list[str] | None) -> str | None:
    """The vanished action of the same date that ``text`` rewords, taken out of ``candidates``; None when the
    action is new. Actions carry no upstream identity, so a correction shows only as one text leaving and a
    similar one arriving on the same date; without this it reached digests and "moved" lists as a new action."""
    if not candidates:
        return None
    scored = [(difflib.SequenceMatcher(None, old, text).ratio(), -i) for i, old in enumerate(candidates)]
    ratio, at = max(scored)
    if ratio < REWORDED_SIMILARITY:
        return None
    return candidates.pop(-at)


def record_error(session: Session, *, run: CrawlRun, locator: str, reason: str) -> None:
    session.add(CrawlError(run_id=run.id, locator=locator, reason=reason, at=utcnow()))  # type: ignore[arg-type]
    run.failed += 1


def count_committed(run: CrawlRun | None, result: IngestResult) -> None:
    """Add a batch's counts to its run inside the batch's own transaction, so a process killed later (kill -9,
    the out-of-memory killer, a lost machine) leaves a run that says what it committed rather than "0 new".
    ``finish_run`` writes the final totals over them."""
    if run is None:
        return
    run.new += result.new
    run.updated += result.updated
    run.unchanged += result.unchanged


def finish_run(session: Session, *, run: CrawlRun, result: IngestResult, message: str | None = None,
               status: RunStatus | None = None) -> CrawlRun:
    run.new, run.updated, run.unchanged = result.new, result.updated, result.unchanged
    run.finished_at = utcnow()
    run.message = message
    run.status = str(status or (RunStatus.partial if run.failed else RunStatus.succeeded))
    session.add(run)
    return run


def count_bills(session: Session) -> int:
    return session.execute(select(func.count()).select_from(Bill)).scalar_one()
