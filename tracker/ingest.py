"""The only writer of crawled data.

Records from any feed (spider or ``tracker import``) come here in batches. Each batch is one transaction of
set-based statements (``INSERT ... ON CONFLICT`` on SQLite and PostgreSQL), keyed on natural identity:
bills on jurisdiction + session + identifier, a source's view of a bill on source name + source key.
A bill whose source record hashes the same as last time is skipped without a write. For a bill that did change,
its crawled children are replaced and BillChange rows say what moved. The organisation's tables (positions,
notes, triage...) are never written here; they point at ``bill.id``, which an upsert keeps.
"""

import datetime as dt
import hashlib
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import delete, func, select, tuple_, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session

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
    Jurisdiction,
    LegislativeSession,
    RelatedBill,
    SourceDocument,
    Sponsorship,
)
from tracker.models.base import utcnow
from tracker.models.enums import ChangeKind, RunStatus
from tracker.records import BillRecord

log = logging.getLogger(__name__)

# Bill columns a source owns; first_seen_at and id never change once a bill exists.
_BILL_FIELDS = (
    "bill_type", "number", "classification", "origin_chamber", "title", "short_title", "popular_title",
    "summary_text", "summary_html", "status_text", "stage", "introduced_date", "latest_action_date",
    "latest_action_text", "policy_area", "upstream_updated_at", "source_name", "source_urls",
)
_UPDATED_ON_CHANGE = (*_BILL_FIELDS, "content_hash", "last_fetched_at", "last_changed_at")

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
    record: BillRecord
    document: SourceDocumentInfo | None = None


@dataclass
class IngestResult:
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    changed_bill_ids: list[int] = field(default_factory=list)  # new or updated: what flagging re-scores

    def add(self, other: "IngestResult") -> None:
        self.new += other.new
        self.updated += other.updated
        self.unchanged += other.unchanged
        self.changed_bill_ids.extend(other.changed_bill_ids)


def _insert(session: Session, table: Any) -> Any:
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        return postgresql.insert(table)
    if dialect == "sqlite":
        return sqlite.insert(table)
    raise NotImplementedError(f"set-based upserts are written for SQLite and PostgreSQL, not {dialect}")


def _upsert(session: Session, model: Any, rows: list[dict[str, Any]], keys: Sequence[str],
            update_cols: Sequence[str] | None) -> None:
    if not rows:
        return
    stmt = _insert(session, model.__table__)
    if update_cols:
        stmt = stmt.on_conflict_do_update(index_elements=list(keys),
                                          set_={c: stmt.excluded[c] for c in update_cols})
    else:
        stmt = stmt.on_conflict_do_nothing(index_elements=list(keys))
    session.execute(stmt, rows)


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

    def _ensure_reference_rows(self, records: Sequence[BillRecord]) -> None:
        jurisdictions = {r.jurisdiction.id: r.jurisdiction for r in records if r.jurisdiction.id not in
                         self._jurisdictions}
        _upsert(self.session, Jurisdiction, [j.model_dump(mode="python") for j in jurisdictions.values()],
                ["id"], ["name", "level", "classification", "url"])
        self._jurisdictions.update(jurisdictions)

        wanted = {(r.jurisdiction.id, r.session.identifier): r.session for r in records}
        missing = {k: v for k, v in wanted.items() if k not in self._sessions}
        if not missing:
            return
        _upsert(self.session, LegislativeSession,
                [{"jurisdiction_id": j, **s.model_dump(mode="python")} for (j, _), s in missing.items()],
                ["jurisdiction_id", "identifier"], None)
        found = self.session.execute(
            select(LegislativeSession.jurisdiction_id, LegislativeSession.identifier, LegislativeSession.id)
            .where(tuple_(LegislativeSession.jurisdiction_id, LegislativeSession.identifier).in_(list(missing)))
        )
        for jur, ident, sid in found:
            self._sessions[(jur, ident)] = sid

    def _key(self, record: BillRecord) -> BillKey:
        return (record.jurisdiction.id, self._sessions[(record.jurisdiction.id, record.session.identifier)],
                record.identifier)

    # -- the batch ------------------------------------------------------------------------------------------

    def ingest(self, items: Iterable[IngestItem]) -> IngestResult:
        """Write one batch in the caller's transaction. Later duplicates of a bill in the batch win."""
        by_source: dict[tuple[str, str], IngestItem] = {}
        for item in items:
            by_source[(item.record.source_name, item.record.source_key)] = item
        batch = list(by_source.values())
        result = IngestResult()
        if not batch:
            return result
        now = utcnow()
        records = [i.record for i in batch]
        hashes = [r.content_hash() for r in records]
        self._ensure_reference_rows(records)

        known = {
            (name, key): digest
            for name, key, digest in self.session.execute(
                select(BillSource.source_name, BillSource.source_key, BillSource.content_hash).where(
                    tuple_(BillSource.source_name, BillSource.source_key).in_(list(by_source))
                )
            )
        }
        changed: list[tuple[IngestItem, str]] = []
        for item, digest in zip(batch, hashes, strict=True):
            if known.get((item.record.source_name, item.record.source_key)) == digest:
                result.unchanged += 1
            else:
                changed.append((item, digest))
        self._record_documents(batch, now)
        if not changed:
            return result

        keys = [self._key(item.record) for item, _ in changed]
        before = self._load_state(keys)
        bill_rows = []
        for (item, digest), key in zip(changed, keys, strict=True):
            row = {name: getattr(item.record, name) for name in _BILL_FIELDS}
            row.update(jurisdiction_id=key[0], session_id=key[1], identifier=key[2], content_hash=digest,
                       first_seen_at=now, last_fetched_at=now, last_changed_at=now)
            bill_rows.append(row)
        _upsert(self.session, Bill, bill_rows, ["jurisdiction_id", "session_id", "identifier"],
                _UPDATED_ON_CHANGE)
        ids = self._bill_ids(keys)

        _upsert(self.session, BillSource, [
            {"bill_id": ids[key], "source_name": item.record.source_name, "source_key": item.record.source_key,
             "url": (item.record.source_urls or [None])[0], "content_hash": digest,
             "upstream_updated_at": item.record.upstream_updated_at, "last_fetched_at": now}
            for (item, digest), key in zip(changed, keys, strict=True)
        ], ["source_name", "source_key"], ["bill_id", "url", "content_hash", "upstream_updated_at",
                                            "last_fetched_at"])

        existing_ids = [ids[k] for k in keys if k in before]
        self._replace_children(changed, keys, ids, existing_ids)
        self._record_changes(changed, keys, ids, before, now)
        self._link_documents(changed, keys, ids)

        for key in keys:
            if key in before:
                result.updated += 1
            else:
                result.new += 1
            result.changed_bill_ids.append(ids[key])
        return result

    def _bill_ids(self, keys: list[BillKey]) -> dict[BillKey, int]:
        rows = self.session.execute(
            select(Bill.jurisdiction_id, Bill.session_id, Bill.identifier, Bill.id).where(
                tuple_(Bill.jurisdiction_id, Bill.session_id, Bill.identifier).in_(keys))
        )
        return {(j, s, i): bid for j, s, i, bid in rows}

    # -- change detection -----------------------------------------------------------------------------------

    def _load_state(self, keys: list[BillKey]) -> dict[BillKey, dict[str, Any]]:
        """What the changed bills looked like before this batch, for BillChange rows."""
        rows = self.session.execute(
            select(Bill.jurisdiction_id, Bill.session_id, Bill.identifier, Bill.id, Bill.title, Bill.stage)
            .where(tuple_(Bill.jurisdiction_id, Bill.session_id, Bill.identifier).in_(keys))
        ).all()
        state = {(j, s, i): {"id": bid, "title": title, "stage": stage, "actions": set(), "versions": set(),
                             "sponsors": {}} for j, s, i, bid, title, stage in rows}
        by_id = {v["id"]: v for v in state.values()}
        if not by_id:
            return state
        for bill_id, date, text in self.session.execute(
            select(BillAction.bill_id, BillAction.date, BillAction.text).where(BillAction.bill_id.in_(by_id))
        ):
            by_id[bill_id]["actions"].add((date, text))
        for bill_id, url in self.session.execute(
            select(BillVersion.bill_id, BillVersion.url).where(BillVersion.bill_id.in_(by_id))
        ):
            by_id[bill_id]["versions"].add(url)
        for bill_id, name, person_id, kind, withdrawn in self.session.execute(
            select(Sponsorship.bill_id, Sponsorship.name, Sponsorship.person_id, Sponsorship.kind,
                   Sponsorship.withdrawn_date).where(Sponsorship.bill_id.in_(by_id))
        ):
            by_id[bill_id]["sponsors"][(person_id or name, kind)] = withdrawn
        return state

    def _record_changes(self, changed: list[tuple[IngestItem, str]], keys: list[BillKey], ids: dict[BillKey, int],
                        before: dict[BillKey, dict[str, Any]], now: dt.datetime) -> None:
        run_id = self.run.id if self.run else None
        rows: list[dict[str, Any]] = []

        def add(bill_id: int, kind: ChangeKind, old: Any, new: Any) -> None:
            rows.append({"bill_id": bill_id, "run_id": run_id, "kind": str(kind), "before": old, "after": new,
                         "detected_at": now})

        for (item, _), key in zip(changed, keys, strict=True):
            rec, bill_id, old = item.record, ids[key], before.get(key)
            if old is None:
                add(bill_id, ChangeKind.new_bill, None,
                    {"identifier": rec.identifier, "title": rec.title, "stage": str(rec.stage)})
                continue
            if old["title"] != rec.title:
                add(bill_id, ChangeKind.title_change, old["title"], rec.title)
            if old["stage"] != str(rec.stage):
                add(bill_id, ChangeKind.stage_change, old["stage"], str(rec.stage))
            for action in rec.actions:
                if (action.date, action.text) not in old["actions"]:
                    add(bill_id, ChangeKind.new_action, None,
                        {"date": action.date.isoformat() if action.date else None, "text": action.text,
                         "classification": action.classification})
            for version in rec.versions:
                if version.url not in old["versions"]:
                    add(bill_id, ChangeKind.new_version, None,
                        {"label": version.label, "date": version.date.isoformat() if version.date else None,
                         "url": version.url})
            sponsor_change = _sponsor_diff(old["sponsors"], rec)
            if sponsor_change:
                add(bill_id, ChangeKind.sponsor_change, sponsor_change["before"], sponsor_change["after"])
        if rows:
            self.session.execute(_insert(self.session, BillChange.__table__), rows)

    # -- children -------------------------------------------------------------------------------------------

    def _replace_children(self, changed: list[tuple[IngestItem, str]], keys: list[BillKey],
                          ids: dict[BillKey, int], existing_ids: list[int]) -> None:
        if existing_ids:
            for model in (BillAction, Sponsorship, CommitteeReferral, BillSubject, RelatedBill):
                self.session.execute(delete(model).where(model.bill_id.in_(existing_ids)))
        actions, sponsors, committees, subjects, versions, related = [], [], [], [], [], []
        for (item, _), key in zip(changed, keys, strict=True):
            rec, bill_id = item.record, ids[key]
            for order, a in enumerate(rec.actions):
                actions.append({"bill_id": bill_id, "order": order, **a.model_dump(mode="python")})
            for order, s in enumerate(rec.sponsorships):
                sponsors.append({"bill_id": bill_id, "order": order, **s.model_dump(mode="python")})
            for c in rec.committees:
                committees.append({"bill_id": bill_id, **c.model_dump(mode="python")})
            subjects.extend({"bill_id": bill_id, "name": s} for s in dict.fromkeys(rec.subjects))
            for v in rec.versions:
                versions.append({"bill_id": bill_id, **v.model_dump(mode="python")})
            for r in rec.related_bills:
                related.append({"bill_id": bill_id, **r.model_dump(mode="python")})
        for model, rows in ((BillAction, actions), (Sponsorship, sponsors), (CommitteeReferral, committees),
                            (BillSubject, subjects), (RelatedBill, related)):
            if rows:
                self.session.execute(_insert(self.session, model.__table__), rows)
        self._upsert_versions(versions, [ids[k] for k in keys], existing_ids)

    def _upsert_versions(self, rows: list[dict[str, Any]], bill_ids: list[int], existing_ids: list[int]) -> None:
        """Versions are upserted by URL, not replaced, so text extracted earlier survives a metadata refresh."""
        by_url = {(r["bill_id"], r["url"]): r for r in rows}
        rows = list(by_url.values())
        with_text = [r for r in rows if r.get("text")]
        without_text = [{k: v for k, v in r.items() if k != "text"} for r in rows if not r.get("text")]
        meta = ["label", "code", "date", "format", "links"]
        for r in with_text:
            r["text_hash"] = _sha256(r["text"])
        _upsert(self.session, BillVersion, with_text, ["bill_id", "url"], [*meta, "text", "text_hash"])
        _upsert(self.session, BillVersion, without_text, ["bill_id", "url"], meta)
        if existing_ids:
            current = self.session.execute(
                select(BillVersion.id, BillVersion.bill_id, BillVersion.url).where(
                    BillVersion.bill_id.in_(existing_ids))
            ).all()
            stale = [vid for vid, bill_id, url in current if (bill_id, url) not in by_url]
            if stale:
                self.session.execute(delete(BillVersion).where(BillVersion.id.in_(stale)))

    # -- documents ------------------------------------------------------------------------------------------

    def _record_documents(self, batch: list[IngestItem], now: dt.datetime) -> None:
        rows = [{"source_name": i.record.source_name, "locator": i.document.locator,
                 "content_hash": i.document.content_hash, "last_modified": i.document.last_modified,
                 "etag": i.document.etag, "fetched_at": now} for i in batch if i.document]
        if not rows:
            return
        # Only rows whose bytes changed are rewritten, so a re-import of the same files writes nothing.
        stmt = _insert(self.session, SourceDocument.__table__)
        stmt = stmt.on_conflict_do_update(
            index_elements=["source_name", "locator"],
            set_={c: stmt.excluded[c] for c in ("content_hash", "last_modified", "etag", "fetched_at")},
            where=SourceDocument.__table__.c.content_hash != stmt.excluded.content_hash,
        )
        self.session.execute(stmt, rows)

    def _link_documents(self, changed: list[tuple[IngestItem, str]], keys: list[BillKey],
                        ids: dict[BillKey, int]) -> None:
        for (item, _), key in zip(changed, keys, strict=True):
            if item.document:
                self.session.execute(
                    update(SourceDocument)
                    .where(SourceDocument.source_name == item.record.source_name,
                           SourceDocument.locator == item.document.locator)
                    .values(bill_id=ids[key])
                )


def _sponsor_diff(old: dict[tuple[str, str], dt.date | None], rec: BillRecord) -> dict[str, Any] | None:
    new = {(s.person_id or s.name, str(s.kind)): s.withdrawn_date for s in rec.sponsorships}
    names = {(s.person_id or s.name): s.name for s in rec.sponsorships}
    added = sorted(names.get(k[0], k[0]) for k in new.keys() - old.keys())
    removed = sorted(k[0] for k in old.keys() - new.keys())
    withdrawn = sorted(names.get(k[0], k[0]) for k, w in new.items() if w and k in old and not old[k])
    if not (added or removed or withdrawn):
        return None
    return {"before": {"count": len(old)},
            "after": {"count": len(new), "added": added, "removed": removed, "withdrawn": withdrawn}}


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


# -- run bookkeeping ----------------------------------------------------------------------------------------

def start_run(session: Session, *, source: str, kind: str = "crawl", args: dict[str, Any] | None = None) -> CrawlRun:
    run = CrawlRun(source=source, kind=kind, args=args or {}, started_at=utcnow())
    session.add(run)
    session.flush()
    return run


def record_error(session: Session, *, run: CrawlRun, locator: str, reason: str) -> None:
    session.add(CrawlError(run_id=run.id, locator=locator, reason=reason, at=utcnow()))  # type: ignore[arg-type]
    run.failed += 1


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
