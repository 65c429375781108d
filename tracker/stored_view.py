"""What a reader sees of a stored bill, compared with a new copy: for bills stored before the view hash.

Versions before December 2026 kept on the Bill row the owner's whole-record hash (its upstream stamp, feed name
and URLs included, the same value as the owner's BillSource row), so ``prepare.view_hash`` cannot be compared
with it: after an upgrade, GovInfo's next restamp of a Congress, or the Congress.gov copy of a GovInfo bill, would
send every reviewed bill back to the triage inbox with nothing new on it. For such a row (``legacy_hash``) ingest
compares the stored rows themselves with the new copy, as the view hash would, once: the row is written with the
view hash then. Whatever cannot be told apart this way counts as changed, as it did before.
"""

import datetime as dt
import enum
import json
from typing import Any

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from tracker.models import (
    Bill,
    BillAction,
    BillSource,
    BillSubject,
    BillVersion,
    CommitteeReferral,
    RelatedBill,
    Sponsorship,
)
from tracker.prepare import BILL_FIELDS, CHILD_COLUMNS, PreparedBill

# The Bill columns a reader sees (view_hash leaves out the stamp and which feed delivered the copy).
_VIEW_FIELDS = tuple(f for f in BILL_FIELDS if f not in ("upstream_updated_at", "source_name", "source_urls"))
_CHILD_MODELS = {"billaction": BillAction, "sponsorship": Sponsorship, "committeereferral": CommitteeReferral,
                 "billsubject": BillSubject, "relatedbill": RelatedBill}
_JSON_COLUMNS = {"classification", "committees", "activities"}  # serialized by prepare, decoded by the ORM
_VERSION_COLUMNS = ("url", "label", "code", "date", "format")

# True when the Bill row's hash is its owner's whole-record hash: a row no version since the view hash wrote.
legacy_hash = exists().where(BillSource.bill_id == Bill.id, BillSource.source_name == Bill.source_name,
                             BillSource.content_hash == Bill.content_hash)


def _plain(column: str | None, value: Any) -> Any:
    """A child column's value (``column``: JSON text decoded) or a Bill field's (None), as the ORM reads it."""
    if column in _JSON_COLUMNS and isinstance(value, str):
        value = json.loads(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return value.value
    return value


def _rows(table: str, rows: Any) -> list[str]:
    columns = CHILD_COLUMNS[table]
    plain = [json.dumps([_plain(c, v) for c, v in zip(columns, row, strict=True)], sort_keys=True) for row in rows]
    return plain if "order" in columns else sorted(plain)  # actions and sponsors in order, the rest as a set


def prepared_view(bill: PreparedBill) -> dict[str, Any]:
    return {"fields": {f: _plain(None, bill.bill[f]) for f in _VIEW_FIELDS},
            "children": {t: _rows(t, rows) for t, rows in bill.children.items()},
            "versions": sorted(json.dumps([_plain(None, v.get(c)) for c in _VERSION_COLUMNS]) for v in bill.versions)}


def stored_view(session: Session, bill_id: int) -> dict[str, Any]:
    row = session.execute(select(*(getattr(Bill, f) for f in _VIEW_FIELDS)).where(Bill.id == bill_id)).one()
    children = {}
    for table, model in _CHILD_MODELS.items():
        columns = [getattr(model, c) for c in CHILD_COLUMNS[table]]
        order = [model.order] if "order" in CHILD_COLUMNS[table] else [model.id]
        children[table] = _rows(table, session.execute(select(*columns).where(model.bill_id == bill_id)
                                                       .order_by(*order)).all())
    versions = session.execute(select(*(getattr(BillVersion, c) for c in _VERSION_COLUMNS))
                               .where(BillVersion.bill_id == bill_id)).all()
    return {"fields": {f: _plain(None, v) for f, v in zip(_VIEW_FIELDS, row, strict=True)},
            "children": children,
            "versions": sorted(json.dumps([_plain(None, v) for v in r])
                               for r in versions)}


def same_view(session: Session, bill_id: int, bill: PreparedBill) -> bool:
    """Whether the stored bill shows a reader what the new copy would."""
    return stored_view(session, bill_id) == prepared_view(bill)
